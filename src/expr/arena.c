/* The arena a compiled expression lives in, and the small text helpers the
 * lexer and the parser's messages share (columns, edit distance). */
#include <ctype.h>
#include <stdlib.h>

#include "expr/expr.h"

enum { CHUNK_SIZE = 8192 };

struct expr_chunk {
    struct expr_chunk *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
};

void *expr_alloc(struct expr_arena *a, size_t n) {
    n = (n + 15) & ~(size_t)15;
    if (n == 0)
        n = 16;
    struct expr_chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = n > CHUNK_SIZE ? n : CHUNK_SIZE;
        if (size > EXPR_MAX_ARENA || a->total > EXPR_MAX_ARENA - size)
            return NULL;
        c = malloc(sizeof *c + size);
        if (!c)
            return NULL;
        c->next = a->head;
        c->used = 0;
        c->size = size;
        a->head = c;
        a->total += size;
    }
    void *p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

void *expr_grow(struct expr_arena *a, void *old, size_t n, size_t *cap,
                size_t size) {
    if (n < *cap)
        return old;
    size_t want = *cap ? *cap * 2 : 16;
    if (want > EXPR_MAX_ARENA / size)
        return NULL;
    void *v = expr_alloc(a, want * size);
    if (!v)
        return NULL;
    if (n)
        memcpy(v, old, n * size);
    *cap = want;
    return v;
}

char *expr_strndup(struct expr_arena *a, const char *s, size_t n) {
    char *d = expr_alloc(a, n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

void expr_arena_free(struct expr_arena *a) {
    struct expr_chunk *c = a->head;
    while (c) {
        struct expr_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->total = 0;
}

uint32_t expr_column(const char *text, size_t off) {
    uint32_t col = 1;
    for (size_t i = 0; i < off && text[i]; i++)
        if (((unsigned char)text[i] & 0xc0) != 0x80)
            col++;
    return col;
}

unsigned expr_distance(const char *a, size_t alen, const char *b, size_t blen,
                       unsigned cap) {
    /* Names compared are short (registry names, operands, keywords); a
     * longer pair cannot be a near miss worth suggesting. */
    enum { MAXN = 64 };
    if (alen >= MAXN || blen >= MAXN)
        return cap + 1;
    if ((alen > blen ? alen - blen : blen - alen) > cap)
        return cap + 1;
    unsigned d[3][MAXN + 1]; /* rows i-2, i-1, i */
    for (size_t j = 0; j <= blen; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= alen; i++) {
        unsigned *prev2 = d[(i + 1) % 3], *prev = d[(i + 2) % 3],
                 *cur = d[i % 3];
        cur[0] = (unsigned)i;
        unsigned rowmin = cur[0];
        for (size_t j = 1; j <= blen; j++) {
            int ca = tolower((unsigned char)a[i - 1]);
            int cb = tolower((unsigned char)b[j - 1]);
            unsigned cost = ca != cb;
            unsigned v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (prev[j - 1] + cost < v)
                v = prev[j - 1] + cost;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && prev2[j - 2] + 1 < v)
                v = prev2[j - 2] + 1;
            cur[j] = v;
            if (v < rowmin)
                rowmin = v;
        }
        /* Once every value of a row exceeds cap, so does every later
         * one: each comes from this row plus 0 or more, or from the row
         * before plus 1, and that row is at least this one's least less
         * 1. Most words are far from most names: stop early. */
        if (rowmin > cap)
            return cap + 1;
    }
    return d[alen % 3][blen];
}

unsigned expr_suggest_cap(size_t n) {
    return n <= 2 ? 0 : n <= 5 ? 1 : n <= 9 ? 2 : 3;
}
