/* Test helper shared by the decoder tests: the values of a field in a
 * view, joined tshark style ("a,b"; "" when absent). */
#ifndef TRAWL_TEST_FIELD_JOIN_H
#define TRAWL_TEST_FIELD_JOIN_H

#include <stdbool.h>
#include <stddef.h>

#include "trawl/decode.h"

struct field_join {
    char buf[4096];
    size_t len;
};

/* A trawl_value_fn: appends one value; a value that does not fit is cut
 * (the buffer stays NUL-terminated). */
static inline bool field_join_value(void *ctx, const trawl_field *f,
                                    const struct trawl_value *val) {
    struct field_join *j = ctx;
    if (j->len && j->len + 1 < sizeof j->buf) {
        j->buf[j->len++] = ',';
        j->buf[j->len] = '\0';
    }
    size_t room = sizeof j->buf - j->len;
    size_t n = trawl_value_format(f, val, j->buf + j->len, room);
    j->len += n < room ? n : room - 1;
    return true;
}

/* Joins every occurrence of `f` in `v` into j->buf and returns it. */
static inline const char *field_join(struct field_join *j, trawl_view *v,
                                     const trawl_field *f) {
    j->len = 0;
    j->buf[0] = '\0';
    trawl_view_field_each(v, f, field_join_value, j);
    return j->buf;
}

#endif
