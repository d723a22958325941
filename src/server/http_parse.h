/* server/http_parse — the parts of the HTTP front end that read what a
 * client wrote, byte by byte: percent-decoding, the query string, route
 * patterns. They need no daemon and no connection, so that the fuzz target
 * tests/fuzz/fuzz_http.c can call them with arbitrary bytes; http.c is
 * their only other user. */
#ifndef TRAWL_SERVER_HTTP_PARSE_H
#define TRAWL_SERVER_HTTP_PARSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* A query string may have this many arguments (more is refused). */
#define HTTP_MAX_QUERY_ARGS 64

/* Decodes the n bytes at s: %XX escapes only ('+' stays a plus sign, as
 * capture URLs want it). Returns a malloc'ed, NUL-terminated copy the
 * caller frees, whose decoded length (it may hold NUL bytes) is *outlen;
 * NULL when memory runs out, or when a '%' is not followed by two hex
 * digits: then *bad is the offset of that '%' in s (else it is left
 * alone). */
char *http_percent_decode(const char *s, size_t n, size_t *outlen,
                          size_t *bad);

/* The query of uri (what follows its first '?'; none is an empty object)
 * as a new object of strings. NULL with the reason in err when an argument
 * is malformed (a bad %-escape, a NUL, not UTF-8; the message names the
 * argument) or there are more than HTTP_MAX_QUERY_ARGS, or on no memory.
 * An argument given twice keeps its last value. */
json_t *http_parse_query(const char *uri, char *err, size_t errlen);

/* Matches path against a route pattern whose segments are literal,
 * "{name}" (one non-empty segment) or "{*}" (the rest of the path, at the
 * end). path is copied into copy (copylen bytes; a longer path does not
 * match), and params[0 .. *nparams) point into that copy, at most
 * maxparams of them. */
bool http_match(const char *pattern, const char *path, char *copy,
                size_t copylen, const char **params, size_t maxparams,
                size_t *nparams);

#endif
