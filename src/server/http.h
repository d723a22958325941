/* server/http — the HTTP front end on libmicrohttpd: listening (optionally
 * with TLS), bounded requests, routing, authentication and CSRF checks,
 * JSON answers.
 *
 * Every connection has its own thread, so a handler may block (a download
 * waits for packets in its response's reader). A request is read whole
 * (bodies up to HTTP_MAX_BODY) before its handler runs. */
#ifndef TRAWL_SERVER_HTTP_H
#define TRAWL_SERVER_HTTP_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

#include "server/auth.h"

struct srv;
struct http;

/* Request headers and the URL may take this much (a larger request is
 * answered 431); a body may be this large (else 413). */
#define HTTP_MAX_HEADERS (64u << 10)
#define HTTP_MAX_BODY (256u << 10)
/* MHD's memory per connection: the request as read, then the response's
 * chunks, which it builds in what is left; large chunks make a download
 * cost fewer system calls. */
#define HTTP_CONNECTION_MEMORY (1024u << 10)
#define HTTP_MAX_PARAMS 8

struct http_req {
    struct srv *srv;
    struct MHD_Connection *conn;
    const char *method, *url;
    char client[72]; /* "IP:port" of the peer */
    char *body;      /* NUL-terminated; NULL when there is none */
    size_t body_len;
    bool too_large;
    struct auth_who who; /* valid in handlers of authenticated routes */
    /* The path's {placeholders}, in order. */
    const char *params[HTTP_MAX_PARAMS];
    size_t nparams;
    char path_copy[2048];
    unsigned status; /* of the answer queued, for the metrics */
};

typedef enum MHD_Result (*http_handler)(struct http_req *r);

/* A route: method and path pattern, whose segments are literal or
 * "{name}" (one segment) or "{*}" (the rest of the path, at the end). */
enum {
    HTTP_PUBLIC = 1u << 0, /* no authentication */
    HTTP_ADMIN = 1u << 1,  /* admins only */
    HTTP_STARTS = 1u << 2, /* a GET that starts something (a capture) */
};
struct http_route {
    const char *method, *pattern;
    http_handler handler;
    unsigned flags;
};

/* The routes (api.c). */
extern const struct http_route api_routes[];
extern const size_t api_nroutes;

struct http_options {
    const char *listen;             /* "ADDR:PORT", "[v6]:PORT" or ":PORT" */
    const char *tls_cert, *tls_key; /* PEM files, or NULL */
};

/* Starts listening; *url receives the base URL (with the port chosen when
 * the port was 0). */
int http_start(struct http **out, struct srv *srv, const struct http_options *o,
               char *url, size_t urllen, char *err, size_t errlen);
/* Stops accepting, waits for every connection thread and frees. */
void http_stop(struct http *h);

/* ---- answering (each queues exactly one response) ------------------------ */

/* Takes ownership of body. */
enum MHD_Result http_json(struct http_req *r, unsigned status, json_t *body);
enum MHD_Result http_error(struct http_req *r, unsigned status, const char *fmt,
                           ...) __attribute__((format(printf, 3, 4)));
/* 400 with the compiler's message, and its column as a number. */
enum MHD_Result http_expr_error(struct http_req *r, const char *msg);
/* The status for a TRAWL_E* code: 404 ENOENT, 409 EBUSY, 400 EINVAL ... */
unsigned http_status_of(int code);
/* Queues resp (adding the common headers) and releases the caller's
 * reference to it. */
enum MHD_Result http_respond(struct http_req *r, unsigned status,
                             struct MHD_Response *resp);
enum MHD_Result http_text(struct http_req *r, unsigned status,
                          const char *content_type, const char *text,
                          size_t len);

/* ---- reading ------------------------------------------------------------- */

/* A query argument, or NULL. */
const char *http_arg(struct http_req *r, const char *name);
/* Every query argument as an object of strings. */
json_t *http_args(struct http_req *r);
const char *http_header(struct http_req *r, const char *name);
/* The body parsed as a JSON object; NULL after answering 400 (the handler
 * then returns the MHD_Result in *answered). */
json_t *http_body(struct http_req *r, enum MHD_Result *answered);
/* A path parameter as a positive id; 0 when it is not one. */
int64_t http_param_id(struct http_req *r, size_t i);

#endif
