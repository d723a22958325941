/* What the output formats share: the output buffer, packet clocks and
 * time stamps, and picking values out of one layer. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/print.h"

/* ---- output buffer ------------------------------------------------------- */

/* One packet's output is bounded by its bytes (a hex dump of the largest
 * record is about 1 MiB), so this only guards against a runaway. */
#define PBUF_MAX ((size_t)1 << 30)

bool pbuf_grow(struct pbuf *b, size_t n) {
    if (b->oom)
        return false;
    if (n < b->cap - b->len)
        return true;
    size_t need = b->len + n + 1;
    if (need > PBUF_MAX || need < n) {
        b->oom = true;
        return false;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void pbuf_put(struct pbuf *b, const char *s, size_t n) {
    if (!pbuf_reserve(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

void pbuf_puts(struct pbuf *b, const char *s) {
    pbuf_put(b, s, strlen(s));
}

void pbuf_pad(struct pbuf *b, char c, size_t n) {
    if (!pbuf_reserve(b, n))
        return;
    memset(b->p + b->len, c, n);
    b->len += n;
}

void pbuf_printf(struct pbuf *b, const char *fmt, ...) {
    va_list ap;
    if (!pbuf_reserve(b, 128))
        return;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= b->cap - b->len) {
        if (!pbuf_reserve(b, (size_t)n))
            return;
        va_start(ap, fmt);
        vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

void pbuf_u64(struct pbuf *b, uint64_t v) {
    char tmp[20];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    pbuf_put(b, tmp + i, sizeof tmp - i);
}

typedef size_t (*format_fn)(const trawl_field *f, const struct trawl_value *val,
                            char *buf, size_t len);

static void put_formatted(struct pbuf *b, format_fn fmt, const trawl_field *f,
                          const struct trawl_value *val) {
    /* Most values are short: format in place, and again with the room the
     * first attempt asked for when it did not fit. */
    if (!pbuf_reserve(b, 64))
        return;
    size_t room = b->cap - b->len;
    size_t n = fmt(f, val, b->p + b->len, room);
    if (n >= room) {
        if (!pbuf_reserve(b, n))
            return;
        fmt(f, val, b->p + b->len, b->cap - b->len);
    }
    b->len += n;
}

void pbuf_value(struct pbuf *b, const trawl_field *f,
                const struct trawl_value *val) {
    put_formatted(b, trawl_value_format, f, val);
}

void pbuf_describe(struct pbuf *b, const trawl_field *f,
                   const struct trawl_value *val) {
    put_formatted(b, trawl_value_describe, f, val);
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when the bytes are
 * not valid UTF-8 (overlong forms and surrogates included). */
size_t print_utf8_len(const unsigned char *p, size_t n) {
    unsigned char c = p[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf; /* range of the second byte */
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else {
        return 0;
    }
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    return len;
}

void pbuf_escaped(struct pbuf *b, const char *s, size_t n,
                  enum pbuf_escape how) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    char quote = how == ESCAPE_JSON ? '"' : '\\';
    for (size_t i = 0; i < n;) {
        /* Runs of plain ASCII, which is nearly everything, go in one copy. */
        size_t run = i;
        while (run < n && p[run] >= 0x20 && p[run] < 0x7f && p[run] != '\\' &&
               p[run] != quote)
            run++;
        if (run > i) {
            pbuf_put(b, s + i, run - i);
            i = run;
            continue;
        }
        unsigned char c = p[i];
        size_t len = c >= 0x80 ? print_utf8_len(p + i, n - i) : 0;
        if (len) {
            pbuf_put(b, s + i, len);
            i += len;
            continue;
        }
        i++;
        switch (c) {
        case '\n': pbuf_puts(b, "\\n"); continue;
        case '\r': pbuf_puts(b, "\\r"); continue;
        case '\t': pbuf_puts(b, "\\t"); continue;
        case '\\': pbuf_puts(b, "\\\\"); continue;
        case '"': pbuf_puts(b, "\\\""); continue;
        }
        /* Other control characters, and bytes that are not UTF-8 (taken
         * as Latin-1 in JSON, so nothing is lost). */
        char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        if (how == ESCAPE_JSON)
            pbuf_put(b, e, 6);
        else
            pbuf_put(b, (char[]){'\\', 'x', e[4], e[5]}, 4);
    }
}

int pbuf_flush_fd(struct pbuf *b, int fd) {
    size_t off = 0;
    while (off < b->len) {
        ssize_t n = write(fd, b->p + off, b->len - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            b->len = 0;
            return -e;
        }
        off += (size_t)n;
    }
    b->len = 0;
    return 0;
}

void pbuf_free(struct pbuf *b) {
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* ---- clocks and time stamps ---------------------------------------------- */

void print_ctx_init(struct print_ctx *pc, struct pbuf *out,
                    const trawl_reader *reader, enum print_time tf) {
    memset(pc, 0, sizeof *pc);
    pc->out = out;
    pc->reader = reader;
    pc->time_format = tf;
    pc->w_num = 5;
    pc->w_src = 15; /* an IPv4 address; MACs and IPv6 widen it */
    pc->w_dst = 15;
    pc->w_proto = 6;
    pc->w_len = 3;
    pc->tm_format = -1;
}

const struct trawl_iface *print_iface(const struct print_ctx *pc,
                                      uint32_t id) {
    if (pc->reader)
        return trawl_reader_iface(pc->reader, id);
    if (pc->capture)
        return trawl_capture_iface(pc->capture, id);
    return NULL;
}

void print_ctx_free(struct print_ctx *pc) {
    pbuf_free(&pc->scratch);
}

static struct print_span span_between(int64_t sec, uint32_t nsec,
                                      int64_t from_sec, uint32_t from_nsec) {
    struct print_span s = {sec - from_sec, 0};
    if (nsec >= from_nsec) {
        s.nsec = nsec - from_nsec;
    } else {
        s.sec--;
        s.nsec = 1000000000u - (from_nsec - nsec);
    }
    return s;
}

void print_begin_packet(struct print_ctx *pc, const struct trawl_pkt *pkt) {
    if (!pc->have_first) {
        pc->have_first = true;
        pc->first_sec = pc->prev_sec = pkt->ts_sec;
        pc->first_nsec = pc->prev_nsec = pkt->ts_nsec;
    }
    pc->since_first =
        span_between(pkt->ts_sec, pkt->ts_nsec, pc->first_sec, pc->first_nsec);
    pc->since_prev =
        span_between(pkt->ts_sec, pkt->ts_nsec, pc->prev_sec, pc->prev_nsec);
    pc->prev_sec = pkt->ts_sec;
    pc->prev_nsec = pkt->ts_nsec;
}

/* Seconds with six decimals; a negative span (time stamps going back)
 * prints as -S.UUUUUU, as tshark does. */
static void put_span(struct pbuf *b, struct print_span s) {
    if (s.sec < 0) {
        pbuf_putc(b, '-');
        if (s.nsec) {
            s.sec = -(s.sec + 1);
            s.nsec = 1000000000u - s.nsec;
        } else {
            s.sec = -s.sec;
        }
    }
    pbuf_printf(b, "%" PRId64 ".%06" PRIu32, s.sec, s.nsec / 1000);
}

void print_time(struct print_ctx *pc, const struct trawl_pkt *pkt, int tf) {
    enum print_time fmt = tf >= 0 ? (enum print_time)tf : pc->time_format;
    switch (fmt) {
    case TIME_RELATIVE: put_span(pc->out, pc->since_first); return;
    case TIME_DELTA: put_span(pc->out, pc->since_prev); return;
    case TIME_EPOCH:
        put_span(pc->out, span_between(pkt->ts_sec, pkt->ts_nsec, 0, 0));
        return;
    case TIME_ABS:
    case TIME_ABS_DATE: break;
    }
    if (pc->tm_sec != pkt->ts_sec || pc->tm_format != (int)fmt) {
        time_t t = (time_t)pkt->ts_sec;
        struct tm tm;
        if (localtime_r(&t, &tm) == NULL ||
            strftime(pc->tm_text, sizeof pc->tm_text,
                     fmt == TIME_ABS ? "%H:%M:%S" : "%Y-%m-%d %H:%M:%S",
                     &tm) == 0)
            snprintf(pc->tm_text, sizeof pc->tm_text, "%" PRId64, pkt->ts_sec);
        pc->tm_sec = pkt->ts_sec;
        pc->tm_format = (int)fmt;
    }
    pbuf_printf(pc->out, "%s.%06" PRIu32, pc->tm_text, pkt->ts_nsec / 1000);
}

/* ---- picking values from one layer --------------------------------------- */

struct pick_ctx {
    struct print_pick *picks;
    size_t n, left; /* left: first occurrences still missing */
    bool all;       /* some pick wants every occurrence */
};

static bool pick_one(void *ctx, const trawl_field *f,
                     const struct trawl_value *val) {
    struct pick_ctx *c = ctx;
    for (size_t i = 0; i < c->n; i++) {
        struct print_pick *p = &c->picks[i];
        if (p->f != f)
            continue;
        if (p->all && val->type == TRAWL_FT_UINT && val->u < 256 &&
            p->nseq < PRINT_PICK_SEQ)
            p->seq[p->nseq++] = (uint8_t)val->u;
        if (p->found)
            continue;
        p->found = true;
        p->val = *val;
        if (!p->all)
            c->left--;
    }
    return c->left > 0 || c->all;
}

void print_pick_layer(trawl_view *v, size_t layer, struct print_pick *picks,
                      size_t n) {
    struct pick_ctx c = {picks, n, 0, false};
    for (size_t i = 0; i < n; i++) {
        picks[i].found = false;
        picks[i].nseq = 0;
        if (!picks[i].f)
            continue;
        if (picks[i].all)
            c.all = true;
        else
            c.left++;
    }
    if (c.left || c.all)
        trawl_view_layer_fields(v, layer, pick_one, &c);
}

/* ---- value names -------------------------------------------------------- */

bool print_value_name(const trawl_field *f, const struct trawl_value *val,
                      char *buf, size_t len) {
    char d[128];
    size_t n = trawl_value_describe(f, val, d, sizeof d);
    const char *open = strstr(d, " (");
    buf[0] = '\0';
    if (n >= sizeof d || !open || d[n - 1] != ')' || len == 0)
        return false;
    snprintf(buf, len, "%.*s", (int)(d + n - 1 - (open + 2)), open + 2);
    return true;
}

/* ---- aggregate fields ---------------------------------------------------- */

/* P.addr repeats P.src and P.dst; P.port repeats P.srcport and P.dstport.
 * Found once by name over the registry, which never changes at run time. */
static bool is_aggregate_name(const char *name) {
    static const struct {
        const char *suffix, *twin;
    } rules[] = {{".addr", ".src"}, {".port", ".srcport"}};
    size_t n = strlen(name);
    for (size_t i = 0; i < CLI_ARRAY_LEN(rules); i++) {
        size_t sl = strlen(rules[i].suffix);
        if (n <= sl || strcmp(name + n - sl, rules[i].suffix) != 0)
            continue;
        char twin[128];
        if (snprintf(twin, sizeof twin, "%.*s%s", (int)(n - sl), name,
                     rules[i].twin) >= (int)sizeof twin)
            return false;
        if (trawl_field_lookup(twin))
            return true;
    }
    return false;
}

bool print_field_is_aggregate(const trawl_field *f) {
    static const trawl_field *agg[64];
    static size_t nagg;
    static bool built;
    if (!built) {
        for (size_t i = 0; i < trawl_field_count() && nagg < 64; i++) {
            const trawl_field *g = trawl_field_at(i);
            if (is_aggregate_name(trawl_field_name(g)))
                agg[nagg++] = g;
        }
        built = true;
    }
    for (size_t i = 0; i < nagg; i++)
        if (agg[i] == f)
            return true;
    return false;
}
