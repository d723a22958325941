/* core — small helpers every module uses: error messages, byte reading
 * through a bounds-checked cursor, safe allocation. Internal to libtrawl. */
#ifndef TRAWL_CORE_H
#define TRAWL_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "trawl/error.h"

#define TRAWL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define TRAWL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define TRAWL_LIKELY(x) __builtin_expect(!!(x), 1)
#define TRAWL_UNLIKELY(x) __builtin_expect(!!(x), 0)
/* Kept out of line: a rare path that, inlined, would give its caller's
 * hot path its stack frame and saved registers. */
#define TRAWL_NOINLINE __attribute__((noinline))
#else
#define TRAWL_PRINTF(f, a)
#define TRAWL_LIKELY(x) (x)
#define TRAWL_UNLIKELY(x) (x)
#define TRAWL_NOINLINE
#endif

/* Formats a message into errbuf (when errbuf is not NULL) and returns
 * `code`, so a failure path reads `return core_err(buf, len, TRAWL_EIO,
 * "%s: cannot open: %s", path, strerror(errno));`. */
int core_err(char *errbuf, size_t errlen, int code, const char *fmt, ...)
    TRAWL_PRINTF(4, 5);
int core_verr(char *errbuf, size_t errlen, int code, const char *fmt,
              va_list ap) TRAWL_PRINTF(4, 0);

/* Prepends "prefix: " to the message already in errbuf. */
void core_err_prefix(char *errbuf, size_t errlen, const char *fmt, ...)
    TRAWL_PRINTF(3, 4);

/* Allocation that treats size overflow as failure. Return NULL on failure;
 * the caller reports TRAWL_ENOMEM. */
void *core_calloc(size_t n, size_t size);
void *core_reallocarray(void *p, size_t n, size_t size);
char *core_strdup(const char *s);
char *core_strndup(const char *s, size_t n);

/* The value of hex digit c (either case), or -1. */
static inline int core_hexval(int c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* ---- byte reading ------------------------------------------------------
 * Unaligned, endian-explicit loads. Callers must have checked the length
 * (use the cursor below when parsing untrusted input). */
static inline uint16_t core_be16(const uint8_t *p) {
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}
static inline uint32_t core_be24(const uint8_t *p) {
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}
static inline uint32_t core_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}
static inline uint64_t core_be64(const uint8_t *p) {
    return (uint64_t)core_be32(p) << 32 | core_be32(p + 4);
}
static inline uint16_t core_le16(const uint8_t *p) {
    return (uint16_t)((uint16_t)p[1] << 8 | p[0]);
}
static inline uint32_t core_le32(const uint8_t *p) {
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 |
           p[0];
}
static inline uint64_t core_le64(const uint8_t *p) {
    return (uint64_t)core_le32(p + 4) << 32 | core_le32(p);
}
static inline void core_put_be16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void core_put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static inline void core_put_le16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void core_put_le32(uint8_t *p, uint32_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* One store: GCC merges the four byte stores below badly when several
     * fields are put in a row (a pcap record header took 27 instructions
     * of shifts and ors, against 4 moves). */
    memcpy(p, &v, 4);
#else
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
#endif
}
static inline void core_put_le64(uint8_t *p, uint64_t v) {
    core_put_le32(p, (uint32_t)v);
    core_put_le32(p + 4, (uint32_t)(v >> 32));
}

/* A bounds-checked read cursor over untrusted bytes. Every getter checks
 * the remaining length first; on a short read it sets `bad`, returns 0 and
 * leaves the position alone, so a parser can read a whole header and test
 * `bad` once. */
struct core_cursor {
    const uint8_t *p;
    size_t len; /* bytes from p to the end */
    size_t pos;
    bool bad;
    bool swap_le; /* multi-byte getters read little-endian when true */
};

static inline void core_cursor_init(struct core_cursor *c, const uint8_t *p,
                                    size_t len, bool little_endian) {
    c->p = p;
    c->len = len;
    c->pos = 0;
    c->bad = false;
    c->swap_le = little_endian;
}
static inline size_t core_cursor_left(const struct core_cursor *c) {
    return c->len - c->pos;
}
static inline bool core_cursor_need(struct core_cursor *c, size_t n) {
    if (c->bad || n > c->len - c->pos) {
        c->bad = true;
        return false;
    }
    return true;
}
static inline const uint8_t *core_cursor_ptr(struct core_cursor *c, size_t n) {
    if (!core_cursor_need(c, n))
        return NULL;
    const uint8_t *q = c->p + c->pos;
    c->pos += n;
    return q;
}
static inline bool core_cursor_skip(struct core_cursor *c, size_t n) {
    return core_cursor_ptr(c, n) != NULL;
}
static inline uint8_t core_cursor_u8(struct core_cursor *c) {
    const uint8_t *q = core_cursor_ptr(c, 1);
    return q ? q[0] : 0;
}
static inline uint16_t core_cursor_u16(struct core_cursor *c) {
    const uint8_t *q = core_cursor_ptr(c, 2);
    return q ? (c->swap_le ? core_le16(q) : core_be16(q)) : 0;
}
static inline uint32_t core_cursor_u32(struct core_cursor *c) {
    const uint8_t *q = core_cursor_ptr(c, 4);
    return q ? (c->swap_le ? core_le32(q) : core_be32(q)) : 0;
}
static inline uint64_t core_cursor_u64(struct core_cursor *c) {
    const uint8_t *q = core_cursor_ptr(c, 8);
    return q ? (c->swap_le ? core_le64(q) : core_be64(q)) : 0;
}

/* Monotonic clock in milliseconds, for timeouts and progress. */
uint64_t core_now_ms(void);
/* Monotonic clock in nanoseconds, for pacing. */
uint64_t core_now_ns(void);

#endif
