/* Reading what a client wrote: percent-decoding, query strings, route
 * patterns (see http_parse.h).
 *
 * Query strings are parsed here rather than by libmicrohttpd, which reads
 * '+' as a space as HTML forms do: in a capture URL '+' is a plus sign
 * (`tcpFlags == syn+ack`) and spaces are written %20, as Allegro's capture
 * URL has them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "server/http_parse.h"

char *http_percent_decode(const char *s, size_t n, size_t *outlen,
                          size_t *bad) {
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') {
            out[j++] = s[i];
            continue;
        }
        int hi = i + 2 < n ? core_hexval(s[i + 1]) : -1;
        int lo = i + 2 < n ? core_hexval(s[i + 2]) : -1;
        if (hi < 0 || lo < 0) {
            /* A '%' that escapes nothing is refused rather than kept as
             * written: an expression that reaches the compiler other
             * than as its author meant is worse than a clear error. */
            free(out);
            *bad = i;
            return NULL;
        }
        out[j++] = (char)(hi << 4 | lo);
        i += 2;
    }
    out[j] = '\0';
    *outlen = j;
    return out;
}

/* Up to 48 bytes of raw text for a message, each byte that is not
 * printable ASCII written '?' (the message goes into JSON, which must be
 * UTF-8). */
static void quote_raw(char *dst, size_t dstlen, const char *s, size_t n) {
    size_t max = dstlen - 4, j = 0;
    for (size_t i = 0; i < n && j < max; i++)
        dst[j++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    if (n > max) {
        memcpy(dst + j, "...", 3);
        j += 3;
    }
    dst[j] = '\0';
}

/* Decodes one name or value of the query; NULL with the message in err. */
static char *query_part(const char *s, size_t n, const char *name,
                        size_t namelen, const char *what, char *err,
                        size_t errlen) {
    size_t len, bad = SIZE_MAX;
    char *out = http_percent_decode(s, n, &len, &bad);
    char shown[52];
    quote_raw(shown, sizeof shown, name, namelen);
    if (!out && bad == SIZE_MAX) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (!out) {
        char esc[8];
        quote_raw(esc, sizeof esc, s + bad, n - bad < 3 ? n - bad : 3);
        snprintf(err, errlen,
                 "query argument '%s': malformed percent-encoding '%s' in "
                 "its %s at byte %zu (a '%%' must be followed by two hex "
                 "digits; write a literal '%%' as %%25)",
                 shown, esc, what, bad + 1);
        return NULL;
    }
    if (strlen(out) != len) {
        snprintf(err, errlen, "query argument '%s': its %s holds a NUL byte",
                 shown, what);
        free(out);
        return NULL;
    }
    return out;
}

json_t *http_parse_query(const char *uri, char *err, size_t errlen) {
    json_t *o = json_object();
    if (!o) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    const char *q = uri ? strchr(uri, '?') : NULL;
    if (!q)
        return o;
    q++;
    size_t count = 0;
    while (*q) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', len);
        size_t klen = eq ? (size_t)(eq - q) : len;
        if (klen) {
            if (++count > HTTP_MAX_QUERY_ARGS) {
                snprintf(err, errlen,
                         "the query string has more than %d arguments",
                         HTTP_MAX_QUERY_ARGS);
                json_decref(o);
                return NULL;
            }
            char *k = query_part(q, klen, q, klen, "name", err, errlen);
            char *v = !k   ? NULL
                      : eq ? query_part(eq + 1, len - klen - 1, q, klen,
                                        "value", err, errlen)
                           : query_part("", 0, q, klen, "value", err, errlen);
            json_t *val = v ? json_string(v) : NULL;
            if (k && v && !val) {
                char shown[52];
                quote_raw(shown, sizeof shown, q, klen);
                snprintf(err, errlen,
                         "query argument '%s': its value is not UTF-8 text",
                         shown);
            }
            bool ok = val && json_object_set_new(o, k, val) == 0;
            if (val && !ok) {
                char shown[52];
                quote_raw(shown, sizeof shown, q, klen);
                snprintf(err, errlen,
                         "query argument '%s': its name is not UTF-8 text",
                         shown);
            }
            free(k);
            free(v);
            if (!ok) {
                json_decref(o);
                return NULL;
            }
        }
        if (!amp)
            break;
        q = amp + 1;
    }
    return o;
}

bool http_match(const char *pattern, const char *path, char *copy,
                size_t copylen, const char **params, size_t maxparams,
                size_t *nparams) {
    *nparams = 0;
    size_t pathlen = strlen(path);
    if (pathlen >= copylen)
        return false;
    memcpy(copy, path, pathlen + 1);
    /* Where each {placeholder}'s segment ends, cut only once the whole
     * pattern matched. */
    char *ends[16];
    size_t nends = 0;
    char *p = copy;
    const char *q = pattern;
    for (;;) {
        if (*q == '\0') {
            if (*p)
                return false;
            break;
        }
        if (*q != '/' || *p != '/')
            return false;
        q++;
        p++;
        size_t qlen = strcspn(q, "/");
        if (qlen == 3 && memcmp(q, "{*}", 3) == 0 && q[3] == '\0') {
            if (!*p || *nparams == maxparams)
                return false;
            params[(*nparams)++] = p;
            break;
        }
        size_t plen = strcspn(p, "/");
        if (q[0] == '{') {
            if (!plen || *nparams == maxparams ||
                nends == sizeof ends / sizeof ends[0])
                return false;
            params[(*nparams)++] = p;
            ends[nends++] = p + plen;
        } else if (plen != qlen || memcmp(p, q, qlen) != 0) {
            return false;
        }
        q += qlen;
        p += plen;
    }
    for (size_t i = 0; i < nends; i++)
        *ends[i] = '\0';
    return true;
}
