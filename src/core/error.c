#include <stdio.h>
#include <stdlib.h>

#include "core.h"

TRAWL_API const char *trawl_strerror(int code) {
    switch (code) {
#define TRAWL_X_CASE(name, value, text) \
    case value:                         \
        return text;
        TRAWL_ERROR_LIST(TRAWL_X_CASE)
#undef TRAWL_X_CASE
    }
    return "unknown error";
}

int core_verr(char *errbuf, size_t errlen, int code, const char *fmt,
              va_list ap) {
    if (errbuf && errlen)
        vsnprintf(errbuf, errlen, fmt, ap);
    return code;
}

int core_err(char *errbuf, size_t errlen, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    core_verr(errbuf, errlen, code, fmt, ap);
    va_end(ap);
    return code;
}

void core_err_prefix(char *errbuf, size_t errlen, const char *fmt, ...) {
    if (!errbuf || !errlen)
        return;
    char prefix[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    size_t plen = strlen(prefix);
    size_t mlen = strnlen(errbuf, errlen - 1);
    /* Shift the message right, dropping its tail if it no longer fits. */
    if (errlen < 3)
        return;
    if (plen > errlen - 3)
        plen = errlen - 3;
    size_t keep = errlen - 1 - (plen + 2);
    if (mlen > keep)
        mlen = keep;
    memmove(errbuf + plen + 2, errbuf, mlen);
    memcpy(errbuf, prefix, plen);
    errbuf[plen] = ':';
    errbuf[plen + 1] = ' ';
    errbuf[plen + 2 + mlen] = '\0';
}
