/* Values: reading a literal in the type of the field it is compared with,
 * and the messages when it cannot be (bad address, bad prefix, type
 * mismatch naming both types). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

#include "expr/expr.h"

const char *expr_ftype_desc(enum trawl_ftype t) {
    switch (t) {
    case TRAWL_FT_NONE: return "a protocol";
    case TRAWL_FT_BOOL: return "a boolean";
    case TRAWL_FT_UINT: return "an unsigned integer";
    case TRAWL_FT_INT: return "a signed integer";
    case TRAWL_FT_DOUBLE: return "a floating-point number";
    case TRAWL_FT_IPV4: return "an IPv4 address";
    case TRAWL_FT_IPV6: return "an IPv6 address";
    case TRAWL_FT_MAC: return "a MAC address";
    case TRAWL_FT_BYTES: return "a byte string";
    case TRAWL_FT_STRING: return "a character string";
    case TRAWL_FT_TIME: return "an absolute time";
    case TRAWL_FT_RELTIME: return "a time offset";
    }
    return "a value";
}

enum expr_ctype expr_ctype_of(enum trawl_ftype t) {
    switch (t) {
    case TRAWL_FT_BOOL:
    case TRAWL_FT_UINT: return EXPR_C_UINT;
    case TRAWL_FT_INT: return EXPR_C_INT;
    case TRAWL_FT_DOUBLE: return EXPR_C_DOUBLE;
    case TRAWL_FT_IPV4:
    case TRAWL_FT_IPV6:
    case TRAWL_FT_MAC: return EXPR_C_ADDR;
    case TRAWL_FT_BYTES:
    case TRAWL_FT_STRING: return EXPR_C_BYTES;
    case TRAWL_FT_TIME:
    case TRAWL_FT_RELTIME: return EXPR_C_TIME;
    case TRAWL_FT_NONE: break;
    }
    return EXPR_C_NONE;
}

bool expr_parse_uint(const char *s, size_t n, uint64_t *out) {
    /* pktt writes Python 2 longs: 0x4000000000000000L. */
    if (n > 1 && (s[n - 1] == 'L' || s[n - 1] == 'l'))
        n--;
    if (n == 0)
        return false;
    unsigned base = 10;
    size_t i = 0;
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16, i = 2;
    else if (n > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
        base = 2, i = 2;
    else if (n > 1 && s[0] == '0')
        base = 8, i = 1;
    uint64_t v = 0;
    for (; i < n; i++) {
        int c = tolower((unsigned char)s[i]);
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                                            : 99;
        if (d >= base || v > (UINT64_MAX - d) / base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

static bool parse_int(const char *s, size_t n, int64_t *out) {
    bool neg = n > 0 && s[0] == '-';
    uint64_t u;
    if (!expr_parse_uint(s + neg, n - neg, &u))
        return false;
    if (neg ? u > (uint64_t)INT64_MAX + 1 : u > (uint64_t)INT64_MAX)
        return false;
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    return true;
}

static bool parse_dec(const char *s, size_t n, unsigned max, unsigned *out) {
    if (n == 0 || n > 10)
        return false;
    unsigned long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > max)
        return false;
    *out = (unsigned)v;
    return true;
}

void expr_prefix_mask(uint8_t *m, size_t len, unsigned prefix) {
    for (size_t i = 0; i < len; i++) {
        unsigned bits = prefix >= 8 ? 8 : prefix;
        m[i] = (uint8_t)(0xff00u >> bits);
        prefix -= bits;
    }
}

/* Splits "addr/prefix": returns the length of addr and sets *prefix_at to
 * the text after '/', or NULL. */
static size_t split_prefix(const char *s, size_t n, const char **prefix_at,
                           size_t *plen) {
    const char *slash = memchr(s, '/', n);
    if (!slash) {
        *prefix_at = NULL;
        *plen = 0;
        return n;
    }
    *prefix_at = slash + 1;
    *plen = n - (size_t)(slash + 1 - s);
    return (size_t)(slash - s);
}

enum addr_result { ADDR_OK, ADDR_NOT, ADDR_BAD, ADDR_BAD_PREFIX };

/* IPv4 with an optional prefix; fewer than four octets only with a prefix
 * (Allegro's 10.0/16: the missing octets are zero). */
static enum addr_result parse_v4(const char *s, size_t n, uint8_t a[4],
                                 unsigned *prefix, const char **why) {
    const char *pa;
    size_t pl;
    size_t alen = split_prefix(s, n, &pa, &pl);
    for (size_t i = 0; i < alen; i++)
        if (!isdigit((unsigned char)s[i]) && s[i] != '.')
            return ADDR_NOT;
    if (alen == 0 || !memchr(s, '.', alen))
        return ADDR_NOT;
    memset(a, 0, 4);
    unsigned octets = 0;
    size_t i = 0;
    while (i <= alen) {
        size_t j = i;
        while (j < alen && s[j] != '.')
            j++;
        unsigned v;
        if (octets == 4) {
            *why = "too many octets";
            return ADDR_BAD;
        }
        if (!parse_dec(s + i, j - i, 255, &v)) {
            *why =
                j == i ? "an octet is missing" : "an octet is larger than 255";
            return ADDR_BAD;
        }
        a[octets++] = (uint8_t)v;
        i = j + 1;
    }
    *prefix = 32;
    if (pa) {
        if (!parse_dec(pa, pl, 32, prefix)) {
            *why = "an IPv4 prefix is 0 to 32 bits";
            return ADDR_BAD_PREFIX;
        }
    } else if (octets < 4) {
        *why = "an IPv4 address has four octets (a shorter one needs a "
               "/prefix, as in 10.0/16)";
        return ADDR_BAD;
    }
    return ADDR_OK;
}

static enum addr_result parse_v6(const char *s, size_t n, uint8_t a[16],
                                 unsigned *prefix, const char **why) {
    const char *pa;
    size_t pl;
    size_t alen = split_prefix(s, n, &pa, &pl);
    if (!memchr(s, ':', alen))
        return ADDR_NOT;
    for (size_t i = 0; i < alen; i++)
        if (!isxdigit((unsigned char)s[i]) && s[i] != ':' && s[i] != '.')
            return ADDR_NOT;
    char buf[INET6_ADDRSTRLEN + 8];
    if (alen < sizeof buf) {
        memcpy(buf, s, alen);
        buf[alen] = '\0';
    }
    if (alen >= sizeof buf || inet_pton(AF_INET6, buf, a) != 1) {
        *why = "not a valid IPv6 address";
        return ADDR_BAD;
    }
    *prefix = 128;
    if (pa && !parse_dec(pa, pl, 128, prefix)) {
        *why = "an IPv6 prefix is 0 to 128 bits";
        return ADDR_BAD_PREFIX;
    }
    return ADDR_OK;
}

static unsigned hexdigit(char c) {
    int l = tolower((unsigned char)c);
    return l >= 'a' ? (unsigned)(l - 'a' + 10) : (unsigned)(l - '0');
}

/* Hex bytes: aa:bb:cc, aa-bb-cc, aabb.ccdd.eeff, 0.1.0.d, aabbcc. */
static bool parse_hex_bytes(const char *s, size_t n, uint8_t *out, size_t max,
                            size_t *outlen) {
    size_t k = 0, i = 0;
    if (n == 0)
        return false;
    char sep = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && isxdigit((unsigned char)s[j]))
            j++;
        size_t digits = j - i;
        if (digits == 0 || (digits > 1 && digits % 2))
            return false;
        if (digits == 1) {
            if (k == max)
                return false;
            out[k++] = (uint8_t)hexdigit(s[i]);
        }
        for (size_t d = 0; digits > 1 && d < digits; d += 2) {
            if (k == max)
                return false;
            out[k++] =
                (uint8_t)(hexdigit(s[i + d]) << 4 | hexdigit(s[i + d + 1]));
        }
        if (j == n)
            break;
        if (s[j] != ':' && s[j] != '-' && s[j] != '.')
            return false;
        if (sep && s[j] != sep)
            return false;
        sep = s[j];
        i = j + 1;
        if (i == n)
            return false;
    }
    *outlen = k;
    return true;
}

bool expr_parse_ip_item(const char *s, size_t n, bool allow_port,
                        struct expr_addr *out, const char **why) {
    memset(out, 0, sizeof *out);
    *why = NULL;
    const char *addr = s;
    size_t alen = n;
    const char *port = NULL;
    size_t portlen = 0;
    bool bracket = n > 0 && s[0] == '[';
    if (bracket) {
        const char *close = memchr(s, ']', n);
        if (!close) {
            *why = "no closing ']'";
            return false;
        }
        addr = s + 1;
        alen = (size_t)(close - addr);
        size_t rest = n - (size_t)(close + 1 - s);
        if (rest) {
            if (close[1] != ':' || rest < 2) {
                *why = "expected ':port' after ']'";
                return false;
            }
            port = close + 2;
            portlen = n - (size_t)(port - s); /* after "]:" */
        }
    } else {
        const char *c1 = memchr(s, ':', n);
        if (c1 && memchr(s, '.', (size_t)(c1 - s)) &&
            !memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - s))) {
            /* a.b.c.d:port (one colon after a dotted address) */
            alen = (size_t)(c1 - s);
            port = c1 + 1;
            portlen = n - alen - 1;
        }
    }
    unsigned prefix;
    enum addr_result r = parse_v4(addr, alen, out->a, &prefix, why);
    if (r == ADDR_NOT) {
        r = parse_v6(addr, alen, out->a, &prefix, why);
        if (r == ADDR_OK)
            out->family = 6;
    } else if (r == ADDR_OK) {
        out->family = 4;
        if (bracket) {
            *why = "brackets are for IPv6 addresses";
            return false;
        }
    }
    if (r == ADDR_NOT) {
        *why = "not an IPv4 or IPv6 address";
        return false;
    }
    if (r != ADDR_OK)
        return false;
    out->prefix = prefix;
    if (port) {
        unsigned pv;
        if (!allow_port) {
            *why = "a port is not allowed here";
            return false;
        }
        if (!parse_dec(port, portlen, 65535, &pv)) {
            *why = "a port is 0 to 65535";
            return false;
        }
        out->has_port = true;
        out->port = (uint16_t)pv;
    }
    return true;
}

/* What a literal looks like, for "type mismatch" messages; NULL when it
 * looks like nothing in particular. */
static const char *literal_kind(const struct expr_item *it) {
    uint64_t u;
    int64_t i;
    uint8_t a[16];
    unsigned prefix;
    const char *why;
    size_t blen;
    if (expr_parse_uint(it->text, it->len, &u) ||
        parse_int(it->text, it->len, &i))
        return "an integer";
    if (parse_v4(it->text, it->len, a, &prefix, &why) == ADDR_OK)
        return "an IPv4 address";
    if (parse_v6(it->text, it->len, a, &prefix, &why) == ADDR_OK)
        return "an IPv6 address";
    if (parse_hex_bytes(it->text, it->len, a, 6, &blen) && blen == 6 &&
        memchr(it->text, ':', it->len))
        return "a MAC address";
    if (it->quoted)
        return "a string";
    return NULL;
}

static bool mismatch(struct expr_parser *p, const struct expr_item *it,
                     enum trawl_ftype ft, const char *what) {
    const char *kind = literal_kind(it);
    if (kind)
        expr_fail(p, "type mismatch at column %u: '%s' is %s, '%.*s' is %s",
                  (unsigned)it->col, what, expr_ftype_desc(ft), (int)it->srclen,
                  it->src, kind);
    else
        expr_fail(p, "bad value '%.*s' at column %u: '%s' is %s",
                  (int)it->srclen, it->src, (unsigned)it->col, what,
                  expr_ftype_desc(ft));
    return false;
}

/* "value 'N' at column C is out of range for 'what' (LO to HI)", naming
 * the number `num` (n bytes inside it->text) at its own column when it is
 * one end of a range written in the source as it is. */
static bool out_of_range_at(struct expr_parser *p, const struct expr_item *it,
                            const char *num, size_t n, const char *what,
                            bool is_signed, uint64_t max) {
    uint32_t col = it->col;
    if (num >= it->src && num + n <= it->src + it->srclen)
        col += (uint32_t)(num - it->src);
    else
        num = it->src, n = it->srclen;
    if (is_signed)
        expr_fail(p,
                  "value '%.*s' at column %u is out of range for '%s' (%lld "
                  "to %llu)",
                  (int)n, num, (unsigned)col, what, -(long long)max - 1,
                  (unsigned long long)max);
    else
        expr_fail(p,
                  "value '%.*s' at column %u is out of range for '%s' (0 to "
                  "%llu)",
                  (int)n, num, (unsigned)col, what,
                  (unsigned long long)(max ? max : UINT64_MAX));
    return false;
}

bool expr_out_of_range(struct expr_parser *p, const struct expr_item *it,
                       const char *what, uint64_t max) {
    return out_of_range_at(p, it, it->src, it->srclen, what, false, max);
}

/* One end of an unsigned range, s[0..n): a number up to max (0 = any),
 * else "out of range" for one past max or, when there is a max, below 0
 * (-1); else false with no message (the caller says what the whole value
 * is). */
static bool read_bound(struct expr_parser *p, const struct expr_item *it,
                       const char *s, size_t n, const char *what, uint64_t max,
                       uint64_t *out, bool *reported) {
    uint64_t v;
    if (expr_parse_uint(s, n, out)) {
        if (!max || *out <= max)
            return true;
    } else if (!max ||
               !(n > 1 && s[0] == '-' && expr_parse_uint(s + 1, n - 1, &v))) {
        return false;
    }
    *reported = true;
    return out_of_range_at(p, it, s, n, what, false, max);
}

static bool read_range(struct expr_parser *p, const struct expr_item *it,
                       enum trawl_ftype ft, const char *what, uint64_t max,
                       unsigned flags, struct expr_val *out) {
    const char *s = it->text;
    size_t n = it->len;
    if (ft == TRAWL_FT_BOOL) {
        if (n == 4 && strncasecmp(s, "true", 4) == 0) {
            out->u.lo = out->u.hi = 1;
            return true;
        }
        if (n == 5 && strncasecmp(s, "false", 5) == 0) {
            out->u.lo = out->u.hi = 0;
            return true;
        }
    }
    /* lo..hi (Wireshark sets), and with EXPR_V_DASH_RANGE lo-hi, -hi,
     * lo- (Allegro lists). */
    const char *dots = NULL;
    for (size_t k = 0; k + 1 < n; k++)
        if (s[k] == '.' && s[k + 1] == '.') {
            dots = s + k;
            break;
        }
    size_t lo_len = n, sep = 0;
    if (dots) {
        lo_len = (size_t)(dots - s);
        sep = 2;
    } else if ((flags & EXPR_V_DASH_RANGE) && memchr(s, '-', n)) {
        lo_len = (size_t)((const char *)memchr(s, '-', n) - s);
        sep = 1;
    }
    const char *hs = s + lo_len + sep;
    size_t hl = sep ? n - lo_len - sep : 0;
    uint64_t lo = 0, hi = max ? max : UINT64_MAX;
    bool ok = true, reported = false;
    if (!sep)
        ok = read_bound(p, it, s, n, what, max, &lo, &reported) &&
             (hi = lo, true);
    else {
        if (lo_len || sep == 2)
            ok = read_bound(p, it, s, lo_len, what, max, &lo, &reported);
        if (ok && (hl || sep == 2))
            ok = read_bound(p, it, hs, hl, what, max, &hi, &reported);
    }
    if (reported)
        return false;
    if (!ok)
        return mismatch(p, it, ft, what);
    if (lo > hi) {
        expr_fail(p,
                  "empty range '%.*s' at column %u: %llu is larger than "
                  "%llu",
                  (int)it->srclen, it->src, (unsigned)it->col,
                  (unsigned long long)lo, (unsigned long long)hi);
        return false;
    }
    if (ft == TRAWL_FT_BOOL && !sep)
        lo = hi = lo != 0; /* any non-zero number is true, as Wireshark */
    out->u.lo = lo;
    out->u.hi = hi;
    return true;
}

/* A signed value or lo..hi, each within -max - 1 .. max. */
static bool read_signed(struct expr_parser *p, const struct expr_item *it,
                        enum trawl_ftype ft, const char *what, uint64_t max,
                        struct expr_val *out) {
    const char *dots = NULL;
    for (size_t k = 0; k + 1 < it->len; k++)
        if (it->text[k] == '.' && it->text[k + 1] == '.')
            dots = it->text + k;
    size_t lo_len = dots ? (size_t)(dots - it->text) : it->len;
    if (!parse_int(it->text, lo_len, &out->i.lo))
        return mismatch(p, it, ft, what);
    out->i.hi = out->i.lo;
    if (dots && !parse_int(dots + 2, it->len - lo_len - 2, &out->i.hi))
        return mismatch(p, it, ft, what);
    if (max && max < (uint64_t)INT64_MAX) {
        int64_t top = (int64_t)max;
        if (out->i.lo < -top - 1 || out->i.lo > top)
            return out_of_range_at(p, it, it->text, lo_len, what, true, max);
        if (out->i.hi < -top - 1 || out->i.hi > top)
            return out_of_range_at(p, it, dots + 2, it->len - lo_len - 2,
                                   what, true, max);
    }
    return true;
}

static bool read_addr(struct expr_parser *p, const struct expr_item *it,
                      enum trawl_ftype ft, const char *what,
                      struct expr_val *out) {
    const char *why = NULL;
    unsigned prefix = 0;
    size_t len = ft == TRAWL_FT_IPV4 ? 4 : ft == TRAWL_FT_IPV6 ? 16 : 6;
    enum addr_result r;
    if (ft == TRAWL_FT_MAC) {
        size_t blen;
        if (!parse_hex_bytes(it->text, it->len, out->addr.a, 6, &blen) ||
            blen != 6)
            return mismatch(p, it, ft, what);
        prefix = 48;
        r = ADDR_OK;
    } else if (ft == TRAWL_FT_IPV4) {
        r = parse_v4(it->text, it->len, out->addr.a, &prefix, &why);
    } else {
        r = parse_v6(it->text, it->len, out->addr.a, &prefix, &why);
    }
    if (r == ADDR_NOT)
        return mismatch(p, it, ft, what);
    if (r == ADDR_BAD_PREFIX) {
        const char *slash = memchr(it->text, '/', it->len);
        size_t off = (size_t)(slash - it->text);
        expr_fail(p, "bad prefix '%.*s' in '%.*s' at column %u: %s",
                  (int)(it->len - off), slash, (int)it->srclen, it->src,
                  (unsigned)it->col, why);
        return false;
    }
    if (r == ADDR_BAD) {
        /* 12:34:56:78:9a:bc compared with an IPv6 field is a MAC, not a
         * broken IPv6 address. */
        const char *kind = literal_kind(it);
        if (kind && strcmp(kind, expr_ftype_desc(ft)) != 0)
            return mismatch(p, it, ft, what);
        expr_fail(p, "bad %s '%.*s' at column %u: %s",
                  ft == TRAWL_FT_IPV4 ? "IPv4 address" : "IPv6 address",
                  (int)it->srclen, it->src, (unsigned)it->col, why);
        return false;
    }
    expr_prefix_mask(out->addr.m, len, prefix);
    for (size_t k = 0; k < len; k++)
        out->addr.a[k] &= out->addr.m[k];
    out->addr.prefix = (uint8_t)prefix;
    return true;
}

/* Seconds since the epoch as "1500000000[.123]" or ISO 8601 in UTC
 * ("2020-07-04T12:34:56[.5][Z]"). */
static bool read_time(const struct expr_item *it, bool relative,
                      struct expr_val *out) {
    char buf[64];
    if (it->len >= sizeof buf)
        return false;
    memcpy(buf, it->text, it->len);
    buf[it->len] = '\0';
    const char *frac = NULL;
    int64_t sec = 0;
    int y, mo, d, h, mi, s, used = 0;
    if (!relative &&
        sscanf(buf, "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s,
               &used) == 6 &&
        used > 0) {
        struct tm tm = {.tm_year = y - 1900,
                        .tm_mon = mo - 1,
                        .tm_mday = d,
                        .tm_hour = h,
                        .tm_min = mi,
                        .tm_sec = s};
        sec = (int64_t)timegm(&tm);
        frac = buf + used;
    } else {
        size_t k = 0;
        bool neg = buf[0] == '-';
        k += neg;
        if (!isdigit((unsigned char)buf[k]))
            return false;
        for (; isdigit((unsigned char)buf[k]); k++) {
            if (sec > (INT64_MAX - 9) / 10)
                return false;
            sec = sec * 10 + (buf[k] - '0');
        }
        if (neg)
            sec = -sec;
        frac = buf + k;
    }
    uint32_t nsec = 0;
    if (*frac == '.') {
        uint32_t scale = 100000000;
        for (frac++; isdigit((unsigned char)*frac); frac++) {
            nsec += (uint32_t)(*frac - '0') * scale;
            scale /= 10;
        }
    }
    if (*frac == 'Z')
        frac++;
    if (*frac)
        return false;
    out->t.sec = sec;
    out->t.nsec = nsec;
    return true;
}

bool expr_read_value(struct expr_parser *p, const struct expr_item *it,
                     enum trawl_ftype ft, const char *what, uint64_t max,
                     unsigned flags, struct expr_val *out) {
    memset(out, 0, sizeof *out);
    switch (ft) {
    case TRAWL_FT_BOOL:
    case TRAWL_FT_UINT: return read_range(p, it, ft, what, max, flags, out);
    case TRAWL_FT_INT: return read_signed(p, it, ft, what, max, out);
    case TRAWL_FT_DOUBLE: {
        char buf[64];
        if (it->len == 0 || it->len >= sizeof buf)
            return mismatch(p, it, ft, what);
        memcpy(buf, it->text, it->len);
        buf[it->len] = '\0';
        char *end;
        errno = 0;
        out->d = strtod(buf, &end);
        if (*end || errno)
            return mismatch(p, it, ft, what);
        return true;
    }
    case TRAWL_FT_IPV4:
    case TRAWL_FT_IPV6:
    case TRAWL_FT_MAC: return read_addr(p, it, ft, what, out);
    case TRAWL_FT_BYTES:
    case TRAWL_FT_STRING:
        /* Bytes are hex (aa:bb:cc) unless quoted; a string is its text. */
        if (ft == TRAWL_FT_BYTES && !it->quoted) {
            uint8_t *b = expr_alloc(p->arena, it->len + 1);
            size_t blen;
            if (!b)
                return expr_fail(p, "out of memory"), false;
            if (!parse_hex_bytes(it->text, it->len, b, it->len, &blen))
                return mismatch(p, it, ft, what);
            out->b.p = b;
            out->b.len = blen;
            return true;
        }
        char *s = expr_strndup(p->arena, it->text, it->len);
        if (!s)
            return expr_fail(p, "out of memory"), false;
        out->b.p = (const uint8_t *)s;
        out->b.len = it->len;
        return true;
    case TRAWL_FT_TIME:
    case TRAWL_FT_RELTIME:
        if (!read_time(it, ft == TRAWL_FT_RELTIME, out))
            return mismatch(p, it, ft, what);
        return true;
    case TRAWL_FT_NONE: break;
    }
    expr_fail(p,
              "'%s' at column %u is a protocol: it can only be tested "
              "for presence",
              what, (unsigned)it->col);
    return false;
}
