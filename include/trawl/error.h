/* trawl — error codes shared by every module.
 *
 * Every trawl function that can fail returns 0 (or a positive count) on
 * success and one of these negative codes on failure, and writes a message
 * naming the operation, the object and the values into a caller-supplied
 * buffer of TRAWL_ERRBUF_SIZE bytes.
 */
#ifndef TRAWL_ERROR_H
#define TRAWL_ERROR_H

#include <stddef.h>

#include "trawl/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The one list of error codes: name, value, default text. */
#define TRAWL_ERROR_LIST(X)                                  \
    X(TRAWL_OK, 0, "success")                                \
    X(TRAWL_EINVAL, -1, "invalid argument")                  \
    X(TRAWL_EIO, -2, "input/output error")                   \
    X(TRAWL_ENOMEM, -3, "out of memory")                     \
    X(TRAWL_EFORMAT, -4, "malformed input")                  \
    X(TRAWL_ETRUNC, -5, "truncated input")                   \
    X(TRAWL_EUNSUPPORTED, -6, "unsupported")                 \
    X(TRAWL_ERANGE, -7, "out of range")                      \
    X(TRAWL_EAGAIN, -8, "no data yet")                       \
    X(TRAWL_ENOENT, -9, "no such file or object")            \
    X(TRAWL_EEXPR, -10, "invalid expression")                \
    X(TRAWL_EBUSY, -11, "busy")                              \
    X(TRAWL_EINTERNAL, -12, "internal error")                \
    X(TRAWL_ESTOPPED, -13, "capture stopped")                \
    X(TRAWL_ECANCELED, -14, "canceled")

enum trawl_error {
#define TRAWL_X_ENUM(name, value, text) name = value,
    TRAWL_ERROR_LIST(TRAWL_X_ENUM)
#undef TRAWL_X_ENUM
};

/* Size of the message buffers that trawl functions take. */
#define TRAWL_ERRBUF_SIZE 512

/* The default text of an error code; never NULL. */
TRAWL_API const char *trawl_strerror(int code);

#ifdef __cplusplus
}
#endif
#endif
