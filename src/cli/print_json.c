/* -T json: one JSON object per packet and line (NDJSON).
 *
 *   {"frame":{"number":1,"time_epoch":"1700000000.123456789",...},
 *    "eth":{"src":"02:00:5e:10:00:01",...},"vlan":[{...},{...}],
 *    "ip":{...},"tcp":{...},"anomalies":["ipv4.bad_checksum"]}
 *
 * Layers are keyed by protocol name, an array when the protocol repeats
 * (QinQ tags, tunnels); fields by their name without the protocol prefix,
 * an array when a field occurs more than once in a layer (eth.addr).
 * Numbers are JSON numbers; addresses, times and bytes are strings.
 *
 * The object is written straight into the output buffer rather than built
 * as a tree (jansson): a packet then costs no allocation at all, which
 * makes this several times faster, and the grammar needed is small — the
 * one delicate part, string escaping, is json_string() below. */
#include <math.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/print.h"

static void json_string(struct pbuf *b, const char *s, size_t n) {
    pbuf_putc(b, '"');
    pbuf_escaped(b, s, n, ESCAPE_JSON);
    pbuf_putc(b, '"');
}

static void json_value(struct pbuf *b, const trawl_field *f,
                       const struct trawl_value *val) {
    switch (val->type) {
    case TRAWL_FT_NONE: pbuf_puts(b, "true"); return;
    case TRAWL_FT_BOOL: pbuf_puts(b, val->u ? "true" : "false"); return;
    case TRAWL_FT_UINT: pbuf_u64(b, val->u); return;
    case TRAWL_FT_INT: pbuf_printf(b, "%lld", (long long)val->i); return;
    case TRAWL_FT_DOUBLE:
        if (isfinite(val->d))
            pbuf_printf(b, "%.17g", val->d);
        else
            pbuf_puts(b, "null");
        return;
    case TRAWL_FT_STRING:
        json_string(b, (const char *)val->bytes.p, val->bytes.len);
        return;
    default:
        /* Addresses, byte strings and times: their -T fields spelling,
         * which holds only hex digits, digits, ':', '.' and '-'. */
        pbuf_putc(b, '"');
        pbuf_value(b, f, val);
        pbuf_putc(b, '"');
        return;
    }
}

struct layer_ctx {
    struct pbuf *b;
    const char *layer;
    size_t layer_len;
    const char *const *skip; /* anomaly names, listed on their own */
    size_t nskip;
    const trawl_field *prev; /* field of the last value written */
    size_t first_at;         /* where prev's first value starts */
    unsigned count;          /* values of prev written */
};

static bool skipped(const struct layer_ctx *c, const trawl_field *f) {
    for (size_t i = 0; i < c->nskip; i++)
        if (strcmp(c->skip[i], trawl_field_name(f)) == 0)
            return true;
    return false;
}

/* The field's key: its name without the layer's prefix ("src" for ip.src
 * in layer ip), or its whole name when it has another prefix. */
static void json_key(struct pbuf *b, const char *layer, size_t pl,
                     const trawl_field *f) {
    const char *name = trawl_field_name(f);
    if (strncmp(name, layer, pl) == 0 && name[pl] == '.')
        name += pl + 1;
    json_string(b, name, strlen(name));
    pbuf_putc(b, ':');
}

static void close_field(struct layer_ctx *c) {
    if (c->count > 1)
        pbuf_putc(c->b, ']');
}

static bool layer_field(void *ctx, const trawl_field *f,
                        const struct trawl_value *val) {
    struct layer_ctx *c = ctx;
    struct pbuf *b = c->b;
    if (c->nskip && skipped(c, f))
        return true;
    if (f == c->prev) {
        /* A second occurrence: the first value becomes an array's first
         * element, moved one byte to make room for the bracket. */
        if (c->count == 1 && pbuf_reserve(b, 1)) {
            memmove(b->p + c->first_at + 1, b->p + c->first_at,
                    b->len - c->first_at);
            b->p[c->first_at] = '[';
            b->len++;
        }
        pbuf_putc(b, ',');
        json_value(b, f, val);
        c->count++;
        return true;
    }
    if (c->prev) {
        close_field(c);
        pbuf_putc(b, ',');
    }
    json_key(b, c->layer, c->layer_len, f);
    c->prev = f;
    c->first_at = b->len;
    c->count = 1;
    json_value(b, f, val);
    return true;
}

static void json_layer(struct pbuf *b, trawl_view *v, size_t i,
                       const char *name, const char *const *anom,
                       size_t nanom) {
    struct layer_ctx c = {.b = b, .layer = name, .layer_len = strlen(name)};
    if (i == 0) {
        c.skip = anom;
        c.nskip = nanom;
    }
    pbuf_putc(b, '{');
    trawl_view_layer_fields(v, i, layer_field, &c);
    close_field(&c);
    pbuf_putc(b, '}');
}

enum { MAX_LAYERS = 64 };

void print_json(struct pbuf *out, trawl_view *v) {
    const char *names[MAX_LAYERS];
    size_t n = trawl_view_layer_count(v);
    if (n > MAX_LAYERS)
        n = MAX_LAYERS;
    for (size_t i = 0; i < n; i++) {
        struct trawl_layer_info li;
        names[i] = trawl_view_layer(v, i, &li) ? li.name : "data";
    }
    const char *anom[64];
    size_t na = trawl_view_anomalies(v, anom, CLI_ARRAY_LEN(anom));
    if (na > CLI_ARRAY_LEN(anom))
        na = CLI_ARRAY_LEN(anom);

    pbuf_putc(out, '{');
    for (size_t i = 0; i < n; i++) {
        /* A repeated protocol is written once, where it first occurs, as
         * an array of all its layers. */
        size_t same = 0;
        bool seen = false;
        for (size_t j = 0; j < n; j++) {
            if (strcmp(names[j], names[i]) != 0)
                continue;
            seen |= j < i;
            same++;
        }
        if (seen)
            continue;
        if (i)
            pbuf_putc(out, ',');
        json_string(out, names[i], strlen(names[i]));
        pbuf_putc(out, ':');
        if (same == 1) {
            json_layer(out, v, i, names[i], anom, na);
            continue;
        }
        pbuf_putc(out, '[');
        for (size_t j = i, k = 0; j < n; j++) {
            if (strcmp(names[j], names[i]) != 0)
                continue;
            if (k++)
                pbuf_putc(out, ',');
            json_layer(out, v, j, names[j], anom, na);
        }
        pbuf_putc(out, ']');
    }
    if (na) {
        pbuf_puts(out, n ? ",\"anomalies\":[" : "\"anomalies\":[");
        for (size_t i = 0; i < na; i++) {
            if (i)
                pbuf_putc(out, ',');
            json_string(out, anom[i], strlen(anom[i]));
        }
        pbuf_putc(out, ']');
    }
    pbuf_puts(out, "}\n");
}
