/* libFuzzer target: arbitrary bytes as what an HTTP client sends the
 * capture server. Byte 0 picks the kind of capture the query asks for
 * (download, disk, preview); the rest is a request URI:
 *  - all of it is percent-decoded, which either fails at a '%' that
 *    escapes nothing or yields no more bytes than it read;
 *  - its path is matched against every route of the daemon's table, and a
 *    match's parameters are non-empty pieces of the path;
 *  - its query is parsed; a query that parses, written out again with
 *    every byte but the unreserved ones escaped, parses to the same
 *    arguments, and is read as capture parameters (the Allegro URL's
 *    names among them), which either fail with a message or succeed. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/captures.h"
#include "server/http.h"
#include "server/http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Appends s escaped to out (room checked by the caller: 3 bytes a byte). */
static size_t escape(char *out, const char *s) {
    static const char hex[] = "0123456789ABCDEF";
    size_t j = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
            out[j++] = (char)*p;
        } else {
            out[j++] = '%';
            out[j++] = hex[*p >> 4];
            out[j++] = hex[*p & 15];
        }
    }
    return j;
}

static void check_reencoded(const json_t *args, size_t size) {
    char *uri = malloc(3 * size + 8);
    if (!uri)
        return;
    size_t j = 0;
    uri[j++] = '?';
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)args, key, v) {
        if (j > 1)
            uri[j++] = '&';
        j += escape(uri + j, key);
        uri[j++] = '=';
        j += escape(uri + j, json_string_value(v));
    }
    uri[j] = '\0';
    char err[256] = "";
    json_t *again = http_parse_query(uri, err, sizeof err);
    if (!again || !json_equal(again, args))
        __builtin_trap();
    json_decref(again);
    free(uri);
}

static void check_routes(const char *uri) {
    size_t plen = strcspn(uri, "?");
    char *path = strndup(uri, plen);
    if (!path)
        return;
    for (size_t i = 0; i < api_nroutes; i++) {
        char copy[2048];
        const char *params[HTTP_MAX_PARAMS];
        size_t n = 99;
        bool m = http_match(api_routes[i].pattern, path, copy, sizeof copy,
                            params, HTTP_MAX_PARAMS, &n);
        if (n > HTTP_MAX_PARAMS || (m && strcmp(path, "") == 0))
            __builtin_trap();
        for (size_t k = 0; m && k < n; k++)
            if (params[k] < copy || params[k] >= copy + plen ||
                params[k][0] == '\0' || params[k][-1] != '/')
                __builtin_trap();
    }
    free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > 8192)
        return 0;
    size_t outlen = 0, bad = SIZE_MAX;
    char *dec = http_percent_decode((const char *)data + 1, size - 1, &outlen,
                                    &bad);
    if (dec ? outlen > size - 1 || dec[outlen] != '\0'
            : bad == SIZE_MAX || bad >= size - 1 || data[1 + bad] != '%')
        __builtin_trap();
    free(dec);

    /* What the daemon sees is text: the URI ends at a NUL. */
    char *uri = strndup((const char *)data + 1, size - 1);
    if (!uri)
        return 0;
    check_routes(uri);
    char err[512] = "";
    json_t *args = http_parse_query(uri, err, sizeof err);
    if (!args) {
        if (!err[0])
            __builtin_trap(); /* every refusal says why */
        free(uri);
        return 0;
    }
    check_reencoded(args, size);
    struct session_spec spec = {0};
    bool format_given;
    int status = 0;
    char perr[TRAWL_ERRBUF_SIZE] = "";
    enum session_type type = (enum session_type)(data[0] % 3);
    int rc = captures_parse(args, type, &spec, &format_given, &status, perr,
                            sizeof perr);
    if (rc < 0 ? !perr[0] || status < 400 : status != 200 || !spec.filter)
        __builtin_trap();
    session_spec_free(&spec);
    json_decref(args);
    free(uri);
    return 0;
}
