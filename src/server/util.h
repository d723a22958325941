/* server/util — small helpers every server module uses: error messages,
 * clocks and time stamps, strict number parsing, random tokens. */
#ifndef TRAWL_SERVER_UTIL_H
#define TRAWL_SERVER_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trawl/error.h"

#define UTIL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define UTIL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Formats a message into err (when not NULL) and returns code, as the
 * library's errors do. */
int util_err(char *err, size_t errlen, int code, const char *fmt, ...)
    UTIL_PRINTF(4, 5);

struct timespec;
/* The CLOCK_REALTIME instant ms milliseconds from now, for
 * pthread_cond_timedwait(). */
void util_deadline(struct timespec *ts, long ms);

/* Wall clock, microseconds since the epoch. */
int64_t util_now_us(void);
/* Monotonic clock, milliseconds. */
uint64_t util_mono_ms(void);
/* "2024-05-01T12:00:00.123456Z" (UTC); always NUL-terminated. */
void util_iso_time(int64_t us, char *buf, size_t len);

/* Whole decimal numbers with nothing else around them; false on anything
 * else (sign, spaces, overflow). */
bool util_parse_u64(const char *s, uint64_t *out);
bool util_parse_i64(const char *s, int64_t *out);
/* true/false, 1/0, yes/no, on/off (any case). */
bool util_parse_bool(const char *s, bool *out);
/* A size with an optional k/M/G suffix (powers of 1024). */
bool util_parse_size(const char *s, uint64_t *out);

/* n random bytes from the kernel, written as 2n hex digits and a NUL into
 * out (2n + 1 bytes). Returns false when the kernel has none to give. */
bool util_random_hex(char *out, size_t n);

/* Compares two NUL-terminated secrets in time that depends only on their
 * lengths. */
bool util_secret_equal(const char *a, const char *b);

/* A growable byte buffer read from `pos` and appended at `len`. */
struct util_bytes {
    uint8_t *p;
    size_t pos, len, cap;
};
/* Room for n more bytes at p + len (moving unread bytes to the front
 * first); false when that would pass `max` bytes or memory runs out. */
bool util_bytes_reserve(struct util_bytes *b, size_t n, size_t max);
bool util_bytes_append(struct util_bytes *b, const void *data, size_t n,
                       size_t max);
void util_bytes_free(struct util_bytes *b);

#endif
