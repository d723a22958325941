/* Output file names; see name.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "sink/name.h"

bool sink_name_has_time(const char *tmpl) {
    for (const char *p = tmpl; *p; p++) {
        if (*p != '%')
            continue;
        if (p[1] == '%') {
            p++;
            continue;
        }
        return p[1] != '\0';
    }
    return false;
}

int sink_name_expand(const char *tmpl, int64_t sec, char *buf, size_t len,
                     char *err, size_t errlen) {
    if (!sink_name_has_time(tmpl)) {
        /* Only "%%" to fold, or nothing: strftime does both, but the
         * common case of a plain name needs no clock. */
        if (!strchr(tmpl, '%')) {
            size_t n = strlen(tmpl);
            if (n == 0 || n >= len)
                goto bad;
            memcpy(buf, tmpl, n + 1);
            return 0;
        }
    }
    time_t t = (time_t)sec;
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return core_err(err, errlen, TRAWL_ERANGE,
                        "output name '%s': time %" PRId64 " has no date",
                        tmpl, sec);
    /* strftime returns 0 both for "too long" and for an empty result;
     * either is refused. */
    /* The template is the user's by design: strftime reads only its own
     * conversions from it, never arguments, so it cannot be abused the
     * way a printf format can. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    size_t n = strftime(buf, len, tmpl, &tm);
#pragma GCC diagnostic pop
    if (n != 0)
        return 0;
bad:
    return core_err(err, errlen, TRAWL_EINVAL,
                    "output name '%s' expands to nothing or to more than %zu "
                    "bytes",
                    tmpl, len - 1);
}

int sink_name_with_index(const char *name, uint64_t n, char *buf, size_t len) {
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    const char *dot = strrchr(base, '.');
    if (dot == base)
        dot = NULL; /* a hidden file's name is all name */
    size_t stem = dot ? (size_t)(dot - name) : strlen(name);
    int k = snprintf(buf, len, "%.*s_%" PRIu64 "%s", (int)stem, name, n,
                     dot ? dot : "");
    return k < 0 || (size_t)k >= len ? TRAWL_ERANGE : 0;
}

int sink_name_check_confined(const char *name, char *err, size_t errlen) {
    if (name[0] == '/')
        return core_err(err, errlen, TRAWL_EINVAL,
                        "output name '%s' is an absolute path; names are "
                        "relative to the output directory",
                        name);
    for (const char *p = name; *p;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return core_err(err, errlen, TRAWL_EINVAL,
                            "output name '%s' has a '..' component; names "
                            "stay inside the output directory",
                            name);
        if (n == 0 || (e && !e[1]))
            return core_err(err, errlen, TRAWL_EINVAL,
                            "output name '%s' has an empty component", name);
        p = e ? e + 1 : p + n;
    }
    if (!name[0])
        return core_err(err, errlen, TRAWL_EINVAL, "output name is empty");
    return 0;
}
