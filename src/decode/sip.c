/* SIP (RFC 3261) over UDP and TCP: a text message of a start line (a
 * request "METHOD URI SIP/2.0" or a status "SIP/2.0 CODE REASON"),
 * header lines and a body. It is found by its start line on any port, as
 * tshark's heuristic finds it; over TCP only when the headers and the body
 * Content-Length announces are all in the segment, since trawl does not
 * reassemble TCP (tshark waits for the rest and shows nothing before).
 * The layer is the whole payload: the first message of a datagram, its
 * body (SDP, not decoded) and anything after. Header values are found
 * when asked for, by name or compact form, ignoring case. */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "decode/decode.h"

/* The start line must end within this many bytes. */
enum { SIP_LINE_MAX = 1024 };

static const char sip_version[] = "SIP/2.0";
#define SIP_VLEN (sizeof sip_version - 1)

/* The length of the line at p (without its CR LF or LF), or -1 when no
 * line end is within n bytes; *next is where the next line starts. */
static long line_len(const uint8_t *p, uint32_t n, uint32_t *next) {
    const uint8_t *nl = memchr(p, '\n', n);
    if (!nl)
        return -1;
    uint32_t i = (uint32_t)(nl - p);
    *next = i + 1;
    return i > 0 && p[i - 1] == '\r' ? (long)i - 1 : (long)i;
}

static bool is_token(uint8_t c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '!' ||
           c == '%' || c == '*' || c == '_' || c == '+' || c == '`' ||
           c == '\'' || c == '~';
}

/* A status line "SIP/2.0 NNN ..." (1) or a request line "METHOD URI
 * SIP/2.0" (2); 0 for anything else. */
static int start_line(const uint8_t *p, long len) {
    if (len >= (long)SIP_VLEN + 4 && memcmp(p, sip_version, SIP_VLEN) == 0) {
        const uint8_t *c = p + SIP_VLEN + 1;
        bool digits = c[0] >= '1' && c[0] <= '6' && c[1] >= '0' &&
                      c[1] <= '9' && c[2] >= '0' && c[2] <= '9';
        return p[SIP_VLEN] == ' ' && digits &&
                       (len == (long)SIP_VLEN + 4 || c[3] == ' ')
                   ? 1
                   : 0;
    }
    long m = 0;
    while (m < len && is_token(p[m]))
        m++;
    if (m == 0 || m >= len || p[m] != ' ' || len < m + 2 + (long)SIP_VLEN ||
        memcmp(p + len - SIP_VLEN, sip_version, SIP_VLEN) != 0 ||
        p[len - SIP_VLEN - 1] != ' ' || len - (long)SIP_VLEN - 1 <= m + 1)
        return 0;
    return 2;
}

/* A header of the message at [p, p + n): the value (leading blanks
 * skipped, up to the end of its line) of the first header named `name`
 * or `compact` (when not NUL), ignoring case. */
static bool header(const uint8_t *p, uint32_t n, const char *name, char compact,
                   const uint8_t **val, uint32_t *vlen) {
    uint32_t at = 0, next = 0;
    if (line_len(p, n, &next) < 0)
        return false;
    size_t nl = strlen(name);
    for (at = next; at < n; at = next) {
        long len = line_len(p + at, n - at, &next);
        if (len < 0)
            len = n - at, next = n; /* a last line without its end */
        else
            next += at;
        if (len == 0)
            return false; /* the end of the headers */
        const uint8_t *h = p + at;
        long k = 0;
        while (k < len && h[k] != ':' && h[k] != ' ' && h[k] != '\t')
            k++;
        bool match =
            ((size_t)k == nl && strncasecmp((const char *)h, name, nl) == 0) ||
            (compact && k == 1 && (h[0] | 0x20) == compact);
        long c = k;
        while (c < len && (h[c] == ' ' || h[c] == '\t'))
            c++;
        if (!match || c >= len || h[c] != ':')
            continue;
        c++;
        while (c < len && (h[c] == ' ' || h[c] == '\t'))
            c++;
        *val = h + c;
        *vlen = (uint32_t)(len - c);
        return true;
    }
    return false;
}

static bool parse_uint(const uint8_t *p, uint32_t n, uint64_t *out) {
    uint64_t x = 0;
    uint32_t i = 0;
    while (i < n && p[i] >= '0' && p[i] <= '9' && x < UINT32_MAX)
        x = x * 10 + (uint64_t)(p[i++] - '0');
    *out = x;
    return i > 0 && x <= UINT32_MAX;
}

/* Where the body starts (after the blank line), or 0 when the headers do
 * not end within n bytes. */
static uint32_t body_start(const uint8_t *p, uint32_t n) {
    uint32_t at = 0, next = 0;
    while (at < n) {
        long len = line_len(p + at, n - at, &next);
        if (len < 0)
            return 0;
        next += at;
        if (len == 0 && at > 0)
            return next;
        at = next;
    }
    return 0;
}

/* Whether the bytes can start a start line at all: "SIP/2.0 " or a
 * method token and a space within its first bytes. Every TCP segment and
 * UDP datagram is probed, so most payloads must be turned away here,
 * before looking for the end of a line. */
static bool may_start(const uint8_t *p, uint32_t n) {
    enum { METHOD_MAX = 32 };
    if (n >= SIP_VLEN + 1 && memcmp(p, sip_version, SIP_VLEN) == 0)
        return p[SIP_VLEN] == ' ';
    uint32_t m = 0;
    while (m < n && m <= METHOD_MAX && is_token(p[m]))
        m++;
    return m > 0 && m < n && m <= METHOD_MAX && p[m] == ' ';
}

uint16_t decode_sip_probe(const struct trawl_view *v, uint32_t off,
                          uint32_t end, bool tcp) {
    return end > off ? decode_sip_probe_bytes(v->data + off, end - off, tcp)
                     : PROTO_DATA;
}

uint16_t decode_sip_probe_bytes(const uint8_t *p, uint32_t n, bool tcp) {
    uint32_t next;
    if (!may_start(p, n))
        return PROTO_DATA;
    long len = line_len(p, n < SIP_LINE_MAX ? n : SIP_LINE_MAX, &next);
    if (len < 0 || !start_line(p, len))
        return PROTO_DATA;
    if (tcp) {
        uint32_t body = body_start(p, n);
        const uint8_t *cl;
        uint32_t cllen;
        uint64_t blen = 0;
        if (!body || (header(p, n, "Content-Length", 'l', &cl, &cllen) &&
                      parse_uint(cl, cllen, &blen) && blen > n - body))
            return PROTO_DATA;
    }
    return PROTO_SIP;
}

static void decode_sip(struct trawl_view *v) {
    decode_push(v, PROTO_SIP, v->next_off, v->next_end - v->next_off,
                v->next_end);
}

bool decode_sip_body(const struct trawl_view *v, const struct decode_layer *l,
                     const uint8_t **body, uint32_t *len) {
    const uint8_t *p = v->data + l->off;
    uint32_t b = body_start(p, l->len);
    if (!b || b >= l->len)
        return false;
    uint32_t n = l->len - b;
    const uint8_t *cl;
    uint32_t cllen;
    uint64_t blen = 0;
    if (header(p, l->len, "Content-Length", 'l', &cl, &cllen) &&
        parse_uint(cl, cllen, &blen) && blen < n)
        n = (uint32_t)blen;
    *body = p + b;
    *len = n;
    return n > 0;
}

/* An SDP "c=IN IP4 ADDR" or "c=IN IP6 ADDR" line's address (without a
 * multicast TTL or count after a slash). */
static bool sdp_conn(const uint8_t *p, uint32_t n, struct decode_media *m) {
    char buf[64];
    if (n < 9 || n - 9 >= sizeof buf || memcmp(p, "c=IN IP", 7) != 0 ||
        (p[7] != '4' && p[7] != '6') || p[8] != ' ')
        return false;
    uint32_t k = 0;
    while (9 + k < n && p[9 + k] != '/' && p[9 + k] != ' ')
        buf[k] = (char)p[9 + k], k++;
    buf[k] = '\0';
    m->af = p[7] == '4' ? 4 : 6;
    return inet_pton(m->af == 4 ? AF_INET : AF_INET6, buf, m->addr) == 1;
}

/* An SDP "m=MEDIA PORT RTP/..." line's port. */
static bool sdp_media_port(const uint8_t *p, uint32_t n, uint16_t *port) {
    uint32_t i = 2;
    if (n < 2 || p[0] != 'm' || p[1] != '=')
        return false;
    while (i < n && p[i] != ' ')
        i++;
    uint64_t x = 0;
    uint32_t d = ++i;
    while (i < n && p[i] >= '0' && p[i] <= '9' && x <= 65535)
        x = x * 10 + (uint64_t)(p[i++] - '0');
    if (i == d || x == 0 || x > 65535 || i >= n)
        return false;
    while (i < n && p[i] != ' ')
        i++; /* a port count ("/2") */
    if (n - i < 5 || memcmp(p + i, " RTP/", 5) != 0)
        return false;
    *port = (uint16_t)x;
    return true;
}

size_t decode_sdp_media(const struct trawl_view *v,
                        const struct decode_layer *l, struct decode_media *out,
                        size_t max) {
    const uint8_t *b;
    uint32_t n, at = 0, next;
    if (!decode_sip_body(v, l, &b, &n))
        return 0;
    struct decode_media session = {0}, c;
    size_t count = 0, media_start = 0;
    bool in_media = false;
    while (at < n) {
        long len = line_len(b + at, n - at, &next);
        if (len < 0)
            len = n - at, next = n;
        else
            next += at;
        const uint8_t *line = b + at;
        uint16_t port;
        if (sdp_conn(line, (uint32_t)len, &c)) {
            /* Before the first m= line, for every media; after one, for
             * that media only. */
            if (!in_media)
                session = c;
            for (size_t i = media_start; in_media && i < count; i++) {
                out[i].af = c.af;
                memcpy(out[i].addr, c.addr, 16);
            }
        } else if (sdp_media_port(line, (uint32_t)len, &port) && count < max) {
            in_media = true;
            media_start = count;
            out[count] = session;
            out[count].port = port;
            count++;
        }
        at = next;
    }
    size_t kept = 0;
    for (size_t i = 0; i < count; i++)
        if (out[i].af)
            out[kept++] = out[i];
    return kept;
}

/* The start line: `at` 0 the request line, 1 the status line, 2 the
 * method of a request, 3 the code of a status. */
static bool get_start(const struct trawl_view *v, const struct trawl_field *f,
                      const struct decode_layer *l, unsigned k,
                      struct trawl_value *out) {
    const uint8_t *p = v->data + l->off;
    uint32_t next;
    long len = k ? -1 : line_len(p, l->len, &next);
    int kind = len < 0 ? 0 : start_line(p, len);
    if (!kind || (kind == 1) != (f->at == 1 || f->at == 3))
        return false;
    if (f->at == 3)
        return parse_uint(p + SIP_VLEN + 1, 3, &out->u);
    uint32_t n = (uint32_t)len;
    if (f->at == 2)
        for (n = 0; p[n] != ' ';)
            n++;
    out->bytes.p = p;
    out->bytes.len = n;
    return true;
}

/* The headers the fields below read, indexed by their `at`: the name and
 * the compact form (RFC 3261 section 7.3.3). */
static const struct {
    const char *name;
    char compact;
} headers[] = {
    {"Call-ID", 'i'},
    {"Content-Length", 'l'},
    {"CSeq", 0},
    {"P-Palladion-ID", 0},
};

static bool get_header(const struct trawl_view *v, const struct trawl_field *f,
                       const struct decode_layer *l, unsigned k,
                       struct trawl_value *out) {
    const uint8_t *val;
    uint32_t n;
    if (k || !header(v->data + l->off, l->len, headers[f->at].name,
                     headers[f->at].compact, &val, &n))
        return false;
    if (f->type == TRAWL_FT_UINT)
        return parse_uint(val, n, &out->u);
    out->bytes.p = val;
    out->bytes.len = n;
    return true;
}

/* CSeq's sequence number (`at` 0) and method (1). */
static bool get_cseq(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    const uint8_t *val;
    uint32_t n, i = 0;
    if (k || !header(v->data + l->off, l->len, "CSeq", 0, &val, &n))
        return false;
    while (i < n && val[i] >= '0' && val[i] <= '9')
        i++;
    if (f->at == 0)
        return parse_uint(val, i, &out->u);
    while (i < n && (val[i] == ' ' || val[i] == '\t'))
        i++;
    uint32_t m = i;
    while (m < n && is_token(val[m]))
        m++;
    if (m == i)
        return false;
    out->bytes.p = val + i;
    out->bytes.len = m - i;
    return true;
}

/* clang-format off */
#define SIP_STR(nm, lbl, fn, off)                                             \
    {.name = nm, .label = lbl, .type = TRAWL_FT_STRING, .proto = PROTO_SIP,   \
     .get = fn, .at = off}
#define SIP_NUM(nm, lbl, fn, off)                                             \
    {.name = nm, .label = lbl, .type = TRAWL_FT_UINT, .proto = PROTO_SIP,     \
     .get = fn, .at = off, .bits = 32}

static const struct trawl_field sip_fields[] = {
    SIP_STR("sip.Request-Line", "Request-Line", get_start, 0),
    SIP_STR("sip.Method", "Method", get_start, 2),
    SIP_STR("sip.Status-Line", "Status-Line", get_start, 1),
    SIP_NUM("sip.Status-Code", "Status-Code", get_start, 3),
    SIP_STR("sip.Call-ID", "Call-ID", get_header, 0),
    SIP_NUM("sip.Content-Length", "Content-Length", get_header, 1),
    SIP_STR("sip.CSeq", "CSeq", get_header, 2),
    SIP_NUM("sip.CSeq.seq", "Sequence Number", get_cseq, 0),
    SIP_STR("sip.CSeq.method", "Method", get_cseq, 1),
    /* trawl's: a call's identifier as Palladion/Oracle probes tag it. */
    SIP_STR("sip.P-Palladion-ID", "P-Palladion-ID", get_header, 3),
};
/* clang-format on */

const struct decode_proto decode_proto_sip = {
    .id = PROTO_SIP,
    .name = "sip",
    .title = "Session Initiation Protocol",
    .decode = decode_sip,
    .fields = sip_fields,
    .nfields = TRAWL_ARRAY_LEN(sip_fields),
};
