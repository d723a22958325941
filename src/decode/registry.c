/* The field registry: every protocol's field table, looked up by name, and
 * the walk over a view that yields a field's values. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "decode/decode.h"

const struct decode_proto *const decode_protos[PROTO_COUNT] = {
#define DECODE_X_TABLE(id, name) [PROTO_##id] = &decode_proto_##name,
    DECODE_PROTO_LIST(DECODE_X_TABLE)
#undef DECODE_X_TABLE
};

TRAWL_API size_t trawl_field_count(void) {
    size_t n = 0;
    for (size_t p = 0; p < PROTO_COUNT; p++)
        n += decode_protos[p]->nfields;
    return n;
}

TRAWL_API const trawl_field *trawl_field_at(size_t i) {
    for (size_t p = 0; p < PROTO_COUNT; p++) {
        if (i < decode_protos[p]->nfields)
            return &decode_protos[p]->fields[i];
        i -= decode_protos[p]->nfields;
    }
    return NULL;
}

static const struct trawl_field *
lookup(const char *name, int (*cmp)(const char *, const char *)) {
    for (size_t p = 0; p < PROTO_COUNT; p++) {
        const struct decode_proto *dp = decode_protos[p];
        for (size_t i = 0; i < dp->nfields; i++) {
            const struct trawl_field *f = &dp->fields[i];
            if (cmp(f->name, name) == 0)
                return f;
            for (const char *const *a = f->aliases; a && *a; a++)
                if (cmp(*a, name) == 0)
                    return f;
        }
    }
    return NULL;
}

/* A linear scan: lookups happen when expressions compile and options are
 * parsed, never per packet, and the registry has a few hundred entries.
 * A spelling that matches exactly wins over one that matches ignoring
 * case: pktt's RPC.version (a program's version) and Wireshark's
 * rpc.version (the RPC protocol's) differ only in case, and each tool's
 * users mean their own. */
TRAWL_API const trawl_field *trawl_field_lookup(const char *name) {
    if (!name)
        return NULL;
    const struct trawl_field *f = lookup(name, strcmp);
    return f ? f : lookup(name, strcasecmp);
}

TRAWL_API const char *trawl_field_name(const trawl_field *f) {
    return f->name;
}
TRAWL_API const char *trawl_field_label(const trawl_field *f) {
    return f->label;
}
TRAWL_API const char *trawl_field_alias(const trawl_field *f, size_t i) {
    for (size_t k = 0; f->aliases && f->aliases[k]; k++)
        if (k == i)
            return f->aliases[k];
    return NULL;
}
TRAWL_API const char *trawl_ftype_name(enum trawl_ftype t) {
    static const char *const names[] = {
        [TRAWL_FT_NONE] = "protocol",     [TRAWL_FT_BOOL] = "boolean",
        [TRAWL_FT_UINT] = "unsigned",     [TRAWL_FT_INT] = "signed",
        [TRAWL_FT_DOUBLE] = "number",     [TRAWL_FT_IPV4] = "IPv4 address",
        [TRAWL_FT_IPV6] = "IPv6 address", [TRAWL_FT_MAC] = "MAC address",
        [TRAWL_FT_BYTES] = "bytes",       [TRAWL_FT_STRING] = "string",
        [TRAWL_FT_TIME] = "time",         [TRAWL_FT_RELTIME] = "time delta",
    };
    return (unsigned)t < sizeof names / sizeof names[0] && names[t]
               ? names[t]
               : "unknown";
}
TRAWL_API const char *trawl_field_proto(const trawl_field *f) {
    return decode_protos[f->proto]->name;
}
TRAWL_API enum trawl_ftype trawl_field_type(const trawl_field *f) {
    return f->type;
}

bool decode_get_be(const struct trawl_view *v, const struct decode_layer *l,
                   uint32_t at, unsigned size, uint64_t mask, unsigned shift,
                   struct trawl_value *out) {
    if (at > l->len || size > l->len - at)
        return false;
    const uint8_t *p = v->data + l->off + at;
    uint64_t x = 0;
    for (unsigned i = 0; i < size && i < 8; i++)
        x = x << 8 | p[i];
    if (mask)
        x &= mask;
    out->u = x >> shift;
    return true;
}

/* The extractor of fields declared by position (get == NULL). */
bool decode_get_fixed(const struct trawl_view *v, const struct trawl_field *f,
                      const struct decode_layer *l, unsigned k,
                      struct trawl_value *out) {
    if (k != 0)
        return false;
    out->type = f->type;
    switch (f->type) {
    case TRAWL_FT_IPV4:
    case TRAWL_FT_IPV6:
    case TRAWL_FT_MAC:
        if (f->at > l->len || f->size > l->len - f->at || f->size > 16)
            return false;
        memcpy(out->addr, v->data + l->off + f->at, f->size);
        return true;
    case TRAWL_FT_BYTES:
    case TRAWL_FT_STRING:
        if (f->at > l->len || f->size > l->len - f->at)
            return false;
        out->bytes.p = v->data + l->off + f->at;
        out->bytes.len = f->size;
        return true;
    case TRAWL_FT_NONE:
        out->u = 1;
        return true;
    default:
        return decode_get_be(v, l, f->at, f->size, f->mask, f->shift, out);
    }
}

bool decode_get_port_pair(const struct trawl_view *v,
                          const struct trawl_field *f,
                          const struct decode_layer *l, unsigned k,
                          struct trawl_value *out) {
    (void)f;
    if (k > 1 || l->len < 2 * k + 2)
        return false;
    out->u = core_be16(v->data + l->off + 2 * k);
    return true;
}

const struct decode_layer *decode_below(const struct trawl_view *v,
                                        const struct decode_layer *l,
                                        uint16_t proto) {
    while (l > v->layers) {
        l--;
        if (l->proto == proto)
            return l;
    }
    return NULL;
}

static bool get_value(const struct trawl_view *v, const struct trawl_field *f,
                      const struct decode_layer *l, unsigned k,
                      struct trawl_value *out) {
    if (f->get) {
        out->type = f->type;
        return f->get(v, f, l, k, out);
    }
    return decode_get_fixed(v, f, l, k, out);
}

/* A field is looked for in the layers of its protocol, and in every XDR
 * layer: RPC's programs show fields of others inside theirs (an NFS file
 * handle in a MOUNT reply or an NLM lock, the program version in the
 * program's layer), as tshark does. */
static bool field_on_layer(const struct trawl_field *f,
                           const struct decode_layer *l) {
    return l->proto == f->proto ||
           (f->proto_alt && l->proto == f->proto_alt) ||
           (l->item_n && f->get == decode_get_item);
}

size_t decode_fields_each(struct trawl_view *v,
                          const struct trawl_field *const *fs, size_t n,
                          trawl_value_fn fn, void *ctx) {
    for (size_t j = 0; j < n; j++)
        if (fs[j]->needs_full)
            decode_finish(v);
    /* The frame pseudo-layer is always layer 0 and never repeats: frame
     * fields (interface, flags, lengths) need no decoding at all. */
    bool frame_only = true;
    for (size_t j = 0; j < n; j++)
        if (fs[j]->proto != PROTO_FRAME || fs[j]->proto_alt ||
            fs[j]->needs_full)
            frame_only = false;
    size_t layers = frame_only ? 1 : SIZE_MAX;
    /* Decoded to the end, a field of items none of which is of it, or
     * another of a protocol no layer is of, has no value: the NFS fields
     * of most packets of an NFS trace (TCP segments inside a record, NFS
     * v4 for nfs.procedure_v3) answer at once. */
    if (!frame_only && v->done) {
        bool absent = true;
        for (size_t j = 0; j < n && absent; j++) {
            const struct trawl_field *f = fs[j];
            if (f->get == decode_get_item)
                absent = !decode_item_maybe(v, f);
            else
                absent = !(v->protos_seen &
                           ((uint64_t)1 << f->proto |
                            (f->proto_alt ? (uint64_t)1 << f->proto_alt : 0)));
        }
        if (absent)
            return 0;
    }
    size_t count = 0;
    for (size_t i = 0; i < layers; i++) {
        while (i >= v->nlayers && decode_more(v))
            ;
        if (i >= v->nlayers)
            break;
        const struct decode_layer *l = &v->layers[i];
        for (size_t j = 0; j < n; j++) {
            const struct trawl_field *f = fs[j];
            if (!field_on_layer(f, l))
                continue;
            struct trawl_value val;
            for (unsigned k = 0; get_value(v, f, l, k, &val); k++) {
                count++;
                if (fn && !fn(ctx, f, &val))
                    return count;
            }
        }
    }
    return count;
}

TRAWL_API size_t trawl_view_field_each(trawl_view *v, const trawl_field *f,
                                       trawl_value_fn fn, void *ctx) {
    return decode_fields_each(v, &f, 1, fn, ctx);
}

uint16_t decode_proto_by_name(const char *name, size_t len) {
    for (uint16_t p = 0; p < PROTO_COUNT; p++) {
        const char *pn = decode_protos[p]->name;
        if (strlen(pn) == len && strncasecmp(pn, name, len) == 0)
            return p;
    }
    return PROTO_NONE;
}

uint64_t decode_field_max(const struct trawl_field *f) {
    unsigned bits = f->bits;
    /* An extractor may use `mask` for something else (llc.*_pid keep an
     * OUI there); with a size it is the field's bits. */
    if (!bits && f->size && f->mask)
        return f->mask >> f->shift;
    if (!bits)
        bits = f->size && f->size < 8 ? 8u * f->size : 64;
    if (f->type == TRAWL_FT_INT)
        bits--;
    return bits >= 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
}

TRAWL_API size_t trawl_view_layer_fields(trawl_view *v, size_t layer,
                                         trawl_value_fn fn, void *ctx) {
    if (layer >= v->nlayers) {
        while (layer >= v->nlayers && decode_more(v))
            ;
        if (layer >= v->nlayers)
            return 0;
    }
    const struct decode_layer *l = &v->layers[layer];
    const struct decode_proto *dp = decode_protos[l->proto];
    /* An XDR layer holds values of a few of its protocol's hundreds of
     * fields: note which, rather than look for every one in its items. */
    enum { PRESENT_MAX = 1024 };
    uint64_t present[PRESENT_MAX / 64] = {0};
    bool sparse = l->item_n > 0 && dp->nfields <= PRESENT_MAX;
    for (uint32_t i = l->item_lo; sparse && i < (uint32_t)l->item_lo + l->item_n;
         i++) {
        const struct trawl_field *f = v->items[i].f;
        if (f >= dp->fields && f < dp->fields + dp->nfields) {
            size_t at = (size_t)(f - dp->fields);
            present[at / 64] |= (uint64_t)1 << (at % 64);
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < dp->nfields; i++) {
        const struct trawl_field *f = &dp->fields[i];
        if (sparse && f->get == decode_get_item &&
            !(present[i / 64] >> (i % 64) & 1))
            continue;
        if (f->needs_full)
            decode_finish(v);
        struct trawl_value val;
        for (unsigned k = 0; get_value(v, f, l, k, &val); k++) {
            n++;
            if (fn && !fn(ctx, f, &val))
                return n;
        }
    }
    /* Then the fields of other protocols the layer holds, each in turn in
     * the order they first appear. */
    enum { FOREIGN_MAX = 32 };
    const struct trawl_field *foreign[FOREIGN_MAX];
    size_t nforeign = 0;
    for (uint32_t i = l->item_lo; i < (uint32_t)l->item_lo + l->item_n; i++) {
        const struct trawl_field *f = v->items[i].f;
        if (f->proto == l->proto)
            continue;
        bool earlier = false;
        for (size_t j = 0; j < nforeign && !earlier; j++)
            earlier = foreign[j] == f;
        if (earlier || nforeign == FOREIGN_MAX)
            continue;
        foreign[nforeign++] = f;
        struct trawl_value val;
        for (unsigned k = 0; get_value(v, f, l, k, &val); k++) {
            n++;
            if (fn && !fn(ctx, f, &val))
                return n;
        }
    }
    return n;
}

static bool take_first(void *ctx, const trawl_field *f,
                       const struct trawl_value *val) {
    (void)f;
    *(struct trawl_value *)ctx = *val;
    return false;
}

TRAWL_API bool trawl_view_field(trawl_view *v, const trawl_field *f,
                                struct trawl_value *out) {
    return trawl_view_field_each(v, f, take_first, out) > 0;
}

static size_t format_hex_bytes(const uint8_t *p, size_t n, char sep,
                               char *buf, size_t len) {
    static const char hex[] = "0123456789abcdef";
    size_t want = 0;
    for (size_t i = 0; i < n; i++) {
        if (sep && i) {
            if (want + 1 < len)
                buf[want] = sep;
            want++;
        }
        /* As snprintf, every character that fits before the NUL is
         * written, half a byte included. */
        if (want + 1 < len)
            buf[want] = hex[p[i] >> 4];
        if (want + 2 < len)
            buf[want + 1] = hex[p[i] & 15];
        want += 2;
    }
    if (len)
        buf[want < len ? want : len - 1] = '\0';
    return want;
}

/* Decimal digits of v, without the printf machinery: -T fields prints
 * millions of numbers and addresses a second. Returns the length. */
static size_t put_dec(char *out, uint64_t v) {
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

/* Copies a formatted value into the caller's buffer as snprintf would. */
static size_t emit(char *buf, size_t len, const char *s, size_t n) {
    if (len) {
        size_t k = n < len ? n : len - 1;
        memcpy(buf, s, k);
        buf[k] = '\0';
    }
    return n;
}

/* "0x" and v in lower-case hex, zero-padded to `width` digits. */
static size_t put_hex(char *out, uint64_t v, unsigned width) {
    static const char hex[] = "0123456789abcdef";
    size_t digits = 1;
    while (digits < 16 && v >> (4 * digits))
        digits++;
    if (digits < width)
        digits = width > 16 ? 16 : width;
    out[0] = '0';
    out[1] = 'x';
    for (size_t i = 0; i < digits; i++)
        out[2 + i] = hex[(v >> (4 * (digits - 1 - i))) & 15];
    return 2 + digits;
}

/* Integers and IPv4 addresses are most of what -T fields prints: they
 * are formatted by hand, several times faster than through snprintf. */
TRAWL_API size_t trawl_value_format(const trawl_field *f,
                                    const struct trawl_value *val, char *buf,
                                    size_t len) {
    char tmp[INET6_ADDRSTRLEN];
    size_t n = 0;
    switch (val->type) {
    case TRAWL_FT_NONE:
        return emit(buf, len, "", 0);
    case TRAWL_FT_BOOL:
        return emit(buf, len, val->u ? "1" : "0", 1);
    case TRAWL_FT_UINT:
        if (f && f->display == DISP_HEX)
            return emit(buf, len, tmp,
                        put_hex(tmp, val->u,
                                f->hex_width ? f->hex_width(val->u)
                                             : f->width));
        if (f && f->display == DISP_OCT)
            return (size_t)snprintf(buf, len, "0%" PRIo64, val->u);
        return emit(buf, len, tmp, put_dec(tmp, val->u));
    case TRAWL_FT_INT:
        return (size_t)snprintf(buf, len, "%" PRId64, val->i);
    case TRAWL_FT_DOUBLE:
        return (size_t)snprintf(buf, len, "%.9g", val->d);
    case TRAWL_FT_IPV4:
        for (int i = 0; i < 4; i++) {
            if (i)
                tmp[n++] = '.';
            n += put_dec(tmp + n, val->addr[i]);
        }
        return emit(buf, len, tmp, n);
    case TRAWL_FT_IPV6:
        inet_ntop(AF_INET6, val->addr, tmp, sizeof tmp);
        return (size_t)snprintf(buf, len, "%s", tmp);
    case TRAWL_FT_MAC:
        return format_hex_bytes(val->addr, 6, ':', buf, len);
    case TRAWL_FT_BYTES:
        /* tshark -T fields prints byte strings as bare hex ("0000ffff");
         * only its -V and JSON output separate the bytes with colons. */
        return format_hex_bytes(val->bytes.p, val->bytes.len, 0, buf, len);
    case TRAWL_FT_STRING:
        return (size_t)snprintf(buf, len, "%.*s", (int)val->bytes.len,
                                (const char *)val->bytes.p);
    case TRAWL_FT_TIME:
    case TRAWL_FT_RELTIME:
        return (size_t)snprintf(buf, len, "%" PRId64 ".%09" PRIu32,
                                val->time.sec, val->time.nsec);
    }
    return (size_t)snprintf(buf, len, "?");
}

TRAWL_API size_t trawl_value_describe(const trawl_field *f,
                                      const struct trawl_value *val,
                                      char *buf, size_t len) {
    size_t n = trawl_value_format(f, val, buf, len);
    if (f && f->value_name &&
        (val->type == TRAWL_FT_UINT || val->type == TRAWL_FT_BOOL)) {
        const char *name = f->value_name(val->u);
        if (name && n < len)
            n += (size_t)snprintf(buf + n, len - n, " (%s)", name);
    }
    return n;
}
