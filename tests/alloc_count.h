/* An allocation counter for tests that check libtrawl allocates nothing
 * on a hot path. The program links the static library with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc, so every allocation
 * libtrawl's code makes passes here and is counted in `allocations`.
 * Include it in exactly one file of the program. */
#ifndef TRAWL_TESTS_ALLOC_COUNT_H
#define TRAWL_TESTS_ALLOC_COUNT_H

#include <stddef.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static size_t allocations;

void *__wrap_malloc(size_t n) {
    allocations++;
    return __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t size) {
    allocations++;
    return __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t n) {
    allocations++;
    return __real_realloc(p, n);
}

#endif
