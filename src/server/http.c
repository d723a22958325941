/* The HTTP front end: libmicrohttpd set up with one thread per connection,
 * every request read whole within bounds, then routed, authenticated and
 * checked for cross-site use before its handler runs.
 *
 * Query strings are parsed by http_parse.c rather than by libmicrohttpd,
 * which reads '+' as a space; the raw URI they need is caught by the URI
 * log callback, which MHD calls first for every request. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/http.h"
#include "server/http_parse.h"
#include "server/server.h"
#include "server/util.h"

#define MAX_CONNECTIONS 512
#define IDLE_TIMEOUT_S 60
#define COOKIE_NAME "trawl_session"

struct http {
    struct srv *srv;
    struct MHD_Daemon *d;
    char *cert, *key;
    bool tls;
};

/* Per-request state beyond what handlers see. */
struct req_state {
    struct http_req r;
    bool started;
    char *uri;    /* the raw request URI, query included */
    json_t *args; /* parsed query, built on first use */
};

/* ---- answering
 * ------------------------------------------------------------------ */

enum MHD_Result http_respond(struct http_req *r, unsigned status,
                             struct MHD_Response *resp) {
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    if (!MHD_get_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                                "no-store");
    r->status = status;
    enum MHD_Result rc = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

enum MHD_Result http_text(struct http_req *r, unsigned status,
                          const char *content_type, const char *text,
                          size_t len) {
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, (void *)(uintptr_t)text, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    return http_respond(r, status, resp);
}

enum MHD_Result http_json(struct http_req *r, unsigned status, json_t *body) {
    char *text = body ? json_dumps(body, JSON_INDENT(1) | JSON_ENCODE_ANY)
                      : strdup("null");
    json_decref(body);
    if (!text)
        return MHD_NO;
    size_t n = strlen(text);
    char *grown = realloc(text, n + 2);
    if (!grown) {
        free(text);
        return MHD_NO;
    }
    text = grown;
    text[n] = '\n';
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(n + 1, text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "application/json");
    return http_respond(r, status, resp);
}

enum MHD_Result http_error(struct http_req *r, unsigned status, const char *fmt,
                           ...) {
    char msg[TRAWL_ERRBUF_SIZE + 256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *m = json_string(msg);
    if (!m) {
        /* The message quotes what the client sent (a path MHD decoded),
         * which need not be UTF-8; JSON must be. */
        for (char *c = msg; *c; c++)
            if ((unsigned char)*c >= 0x80 || (unsigned char)*c < 0x20)
                *c = '?';
        m = json_string(msg);
    }
    return http_json(r, status, json_pack("{so}", "error", m));
}

enum MHD_Result http_expr_error(struct http_req *r, const char *msg) {
    json_t *o = json_pack("{ss}", "error", msg);
    const char *at = strstr(msg, "at column ");
    unsigned col;
    if (at && sscanf(at, "at column %u", &col) == 1)
        json_object_set_new(o, "column", json_integer(col));
    return http_json(r, 400, o);
}

unsigned http_status_of(int code) {
    switch (code) {
    case TRAWL_ENOENT: return 404;
    case TRAWL_EBUSY: return 409;
    case TRAWL_EEXPR:
    case TRAWL_EINVAL:
    case TRAWL_ERANGE: return 400;
    case TRAWL_EUNSUPPORTED: return 501;
    default: return 500;
    }
}

/* ---- reading
 * -------------------------------------------------------------------- */

const char *http_header(struct http_req *r, const char *name) {
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static struct req_state *state_of(struct http_req *r) {
    return (struct req_state *)r;
}

json_t *http_args(struct http_req *r) {
    struct req_state *st = state_of(r);
    char err[256];
    if (!st->args)
        st->args = http_parse_query(st->uri, err, sizeof err);
    return json_incref(st->args);
}

const char *http_arg(struct http_req *r, const char *name) {
    json_t *a = http_args(r);
    const char *v = json_string_value(json_object_get(a, name));
    json_decref(a); /* the state keeps its own reference */
    return v;
}

json_t *http_body(struct http_req *r, enum MHD_Result *answered) {
    json_error_t je;
    json_t *v =
        r->body ? json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je)
                : NULL;
    if (!r->body) {
        *answered = http_error(r, 400, "expected a JSON object in the body");
        return NULL;
    }
    if (!v) {
        *answered = http_error(r, 400,
                               "body: invalid JSON at line %d column "
                               "%d: %s",
                               je.line, je.column, je.text);
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        *answered = http_error(r, 400, "body: expected a JSON object");
        return NULL;
    }
    return v;
}

int64_t http_param_id(struct http_req *r, size_t i) {
    uint64_t v;
    if (i >= r->nparams || !util_parse_u64(r->params[i], &v) || v == 0 ||
        v > (uint64_t)INT64_MAX)
        return 0;
    return (int64_t)v;
}

/* ---- routing
 * -------------------------------------------------------------------- */

static const struct http_route *route(struct http_req *r, bool *wrong_method) {
    *wrong_method = false;
    for (size_t i = 0; i < api_nroutes; i++) {
        const struct http_route *rt = &api_routes[i];
        if (!http_match(rt->pattern, r->url, r->path_copy,
                        sizeof r->path_copy, r->params, HTTP_MAX_PARAMS,
                        &r->nparams))
            continue;
        if (strcmp(rt->method, r->method) == 0 ||
            (strcmp(r->method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0))
            return rt;
        *wrong_method = true;
    }
    return NULL;
}

/* ---- authentication and cross-site checks
 * ------------------------------------ */

static enum MHD_Result unauthorized(struct http_req *r, const char *why) {
    atomic_fetch_add(&r->srv->metrics.auth_failures, 1);
    json_t *o = json_pack("{ss}", "error", why);
    char *text = json_dumps(o, JSON_INDENT(1));
    json_decref(o);
    if (!text)
        return MHD_NO;
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    r->status = 401;
    /* A browser page's own requests say so, and get no Basic challenge,
     * which would pop up the browser's password dialog. */
    enum MHD_Result rc;
    if (http_header(r, "X-Requested-With"))
        rc = MHD_queue_response(r->conn, 401, resp);
    else
        rc = MHD_queue_basic_auth_fail_response(r->conn, "trawl", resp);
    MHD_destroy_response(resp);
    return rc;
}

static int authenticate(struct http_req *r) {
    struct srv *srv = r->srv;
    const char *cookie =
        MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, COOKIE_NAME);
    if (cookie && auth_session_get(srv->auth, cookie, &r->who) == 1)
        return 1;
    char *pass = NULL;
    char *user = MHD_basic_auth_get_username_password(r->conn, &pass);
    int rc = 0;
    if (user && pass)
        rc = auth_password(srv->auth, user, pass, &r->who);
    if (pass) {
        explicit_bzero(pass, strlen(pass));
        MHD_free(pass);
    }
    if (user)
        MHD_free(user);
    return rc;
}

/* A request that changes something must come from this site: an Origin
 * header (browsers send one with every cross-origin request) must name
 * this host, Sec-Fetch-Site must not say cross-site, and a browser
 * session must echo its CSRF token. Scripts (curl) send none of these
 * headers and authenticate with Basic, which a cross-site page cannot
 * forge. */
static const char *cross_site(struct http_req *r) {
    const char *site = http_header(r, "Sec-Fetch-Site");
    if (site && strcasecmp(site, "cross-site") == 0)
        return "cross-site request refused";
    const char *origin = http_header(r, "Origin");
    const char *host = http_header(r, MHD_HTTP_HEADER_HOST);
    if (origin && strcmp(origin, "null") != 0) {
        const char *o = strstr(origin, "://");
        if (!o || !host || strcasecmp(o + 3, host) != 0)
            return "request from another origin refused";
    } else if (origin) {
        return "request from an opaque origin refused";
    }
    return NULL;
}

static enum MHD_Result dispatch(struct http_req *r) {
    bool wrong_method;
    const struct http_route *rt = route(r, &wrong_method);
    if (!rt) {
        if (wrong_method)
            return http_error(r, 405, "%s is not allowed on %s", r->method,
                              r->url);
        /* Unknown paths need authentication too, so that they tell an
         * anonymous client nothing about which paths exist. */
        if (authenticate(r) != 1)
            return unauthorized(r, "authentication required");
        return http_error(r, 404, "no such endpoint: %s %s", r->method, r->url);
    }
    if (r->too_large)
        return http_error(r, 413, "request body larger than %u bytes",
                          HTTP_MAX_BODY);
    bool changes =
        strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0;
    if (!(rt->flags & HTTP_PUBLIC)) {
        int rc = authenticate(r);
        if (rc < 0)
            return http_error(r, 500, "cannot check credentials");
        if (rc == 0)
            return unauthorized(r, "authentication required: HTTP Basic "
                                   "(curl -u USER:PASSWORD) or a session "
                                   "from POST /api/v1/login");
    }
    if (changes || (rt->flags & HTTP_STARTS)) {
        const char *why = cross_site(r);
        if (why)
            return http_error(r, 403, "%s", why);
        if (changes && r->who.cookie) {
            const char *tok = http_header(r, "X-CSRF-Token");
            if (!tok || !util_secret_equal(tok, r->who.csrf))
                return http_error(r, 403,
                                  "missing or wrong X-CSRF-Token header (a "
                                  "browser session must send the token "
                                  "POST /api/v1/login returned)");
        }
    }
    if ((rt->flags & HTTP_ADMIN) && !r->who.admin)
        return http_error(r, 403, "only an admin may do this");
    /* Parsed once credentials are checked, so that an anonymous client
     * learns nothing from the answer but that it must log in. */
    struct req_state *st = state_of(r);
    char err[256];
    if (!st->args && !(st->args = http_parse_query(st->uri, err, sizeof err)))
        return http_error(r, 400, "%s", err);
    return rt->handler(r);
}

/* ---- MHD callbacks
 * ---------------------------------------------------------------- */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c) {
    struct http *h = cls;
    struct req_state *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->r.srv = h->srv;
    st->r.conn = c;
    st->uri = strdup(uri ? uri : "");
    return st;
}

static void client_address(struct http_req *r) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(r->client, sizeof r->client, "?");
    if (!ci || !ci->client_addr)
        return;
    char host[64], port[16];
    socklen_t len = ci->client_addr->sa_family == AF_INET6
                        ? sizeof(struct sockaddr_in6)
                        : sizeof(struct sockaddr_in);
    if (getnameinfo(ci->client_addr, len, host, sizeof host, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        return;
    snprintf(r->client, sizeof r->client,
             ci->client_addr->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host,
             port);
}

/* What the request's header lines add up to, and the first that is
 * malformed: a name that is not an HTTP token (a space before the colon,
 * which MHD keeps in the name, lets two parsers read one request two
 * ways) or a value with a NUL or another control byte, which MHD cuts
 * short or passes on. */
struct header_scan {
    size_t bytes;
    char bad[96];
};

static bool header_token(const char *s, size_t n) {
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || strchr("\"(),/:;<=>?@[\\]{}", c))
            return false;
    }
    return true;
}

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind,
                                   const char *key, size_t key_size,
                                   const char *value, size_t value_size) {
    (void)kind;
    struct header_scan *h = cls;
    h->bytes += key_size + value_size + 4;
    if (h->bad[0])
        return MHD_YES;
    bool ok = header_token(key, key_size);
    for (size_t i = 0; ok && value && i < value_size; i++) {
        unsigned char c = (unsigned char)value[i];
        ok = c >= 0x20 ? c != 0x7f : c == '\t';
    }
    if (!ok) {
        size_t j = 0;
        for (size_t i = 0; i < key_size && j + 1 < 40; i++)
            h->bad[j++] =
                key[i] > 0x20 && key[i] < 0x7f ? key[i] : '?';
        h->bad[j] = '\0';
        if (!j)
            snprintf(h->bad, sizeof h->bad, "(empty)");
    }
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls) {
    (void)cls;
    (void)version;
    struct req_state *st = *con_cls;
    if (!st)
        return MHD_NO;
    struct http_req *r = &st->r;
    if (!st->started) {
        st->started = true;
        r->method = method;
        r->url = url;
        client_address(r);
        struct header_scan scan = {.bytes = strlen(st->uri)};
        MHD_get_connection_values_n(c, MHD_HEADER_KIND, scan_header, &scan);
        if (scan.bytes > HTTP_MAX_HEADERS)
            return http_error(r, 431, "request headers larger than %u bytes",
                              HTTP_MAX_HEADERS);
        if (scan.bad[0])
            return http_error(r, 400,
                              "header '%s': a name must be a token (no "
                              "spaces before the colon) and a value must "
                              "hold no control bytes",
                              scan.bad);
        const char *cl = MHD_lookup_connection_value(
            c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        uint64_t n;
        if (cl && util_parse_u64(cl, &n) && n > HTTP_MAX_BODY) {
            /* Answered before the body, which is then not read: waiting
             * for a body the client says is huge would hold the
             * connection for nothing. */
            r->too_large = true;
            return http_error(r, 413,
                              "request body of %llu bytes larger than %u bytes",
                              (unsigned long long)n, HTTP_MAX_BODY);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (r->too_large || r->body_len + n > HTTP_MAX_BODY) {
            r->too_large = true;
            return MHD_YES;
        }
        char *b = realloc(r->body, r->body_len + n + 1);
        if (!b)
            return MHD_NO;
        memcpy(b + r->body_len, upload, n);
        r->body = b;
        r->body_len += n;
        r->body[r->body_len] = '\0';
        return MHD_YES;
    }
    return dispatch(r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    (void)c;
    (void)toe;
    struct http *h = cls;
    struct req_state *st = *con_cls;
    if (!st)
        return;
    metrics_http(&h->srv->metrics, st->r.status);
    if (st->r.body)
        explicit_bzero(st->r.body, st->r.body_len);
    free(st->r.body);
    free(st->uri);
    json_decref(st->args);
    free(st);
    *con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
    (void)c;
    (void)socket_context;
    struct http *h = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        atomic_fetch_add(&h->srv->metrics.http_clients, 1);
        atomic_fetch_add(&h->srv->metrics.http_connections, 1);
    } else {
        atomic_fetch_sub(&h->srv->metrics.http_clients, 1);
    }
}

/* fmt comes from libmicrohttpd, which checks its own formats */
__attribute__((format(printf, 2, 0)))
static void on_mhd_log(void *cls, const char *fmt, va_list ap) {
    struct http *h = cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    srv_log(h->srv, "http: %s", msg);
}

/* ---- start and stop
 * ------------------------------------------------------------- */

static char *read_pem(const char *path, char *err, size_t errlen) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        util_err(err, errlen, TRAWL_EIO, "%s: cannot read: %s", path,
                 strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (st.st_size <= 0 || st.st_size > (1 << 20)) {
        close(fd);
        util_err(err, errlen, TRAWL_EINVAL, "%s: not a PEM file of a sane size",
                 path);
        return NULL;
    }
    char *buf = calloc(1, (size_t)st.st_size + 1);
    ssize_t n = buf ? read(fd, buf, (size_t)st.st_size) : -1;
    close(fd);
    if (n != st.st_size) {
        free(buf);
        util_err(err, errlen, TRAWL_EIO, "%s: short read", path);
        return NULL;
    }
    return buf;
}

/* "127.0.0.1:8080", "[::1]:8080", ":8080" (every IPv4 address). */
static int parse_listen(const char *listen, struct sockaddr_storage *ss,
                        socklen_t *sslen, char *host, size_t hostlen, char *err,
                        size_t errlen) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", listen);
    char *port = strrchr(buf, ':');
    if (!port)
        return util_err(err, errlen, TRAWL_EINVAL,
                        "--listen %s: expected ADDR:PORT", listen);
    *port++ = '\0';
    char *addr = buf;
    if (addr[0] == '[') {
        size_t n = strlen(addr);
        if (n < 2 || addr[n - 1] != ']')
            return util_err(err, errlen, TRAWL_EINVAL,
                            "--listen %s: an IPv6 address goes in brackets",
                            listen);
        addr[n - 1] = '\0';
        addr++;
    }
    if (!addr[0])
        addr = "0.0.0.0";
    uint64_t p;
    if (!util_parse_u64(port, &p) || p > 65535)
        return util_err(err, errlen, TRAWL_EINVAL,
                        "--listen %s: port '%s' is not 0 to 65535", listen,
                        port);
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai;
    int rc = getaddrinfo(addr, port, &hints, &ai);
    if (rc != 0)
        return util_err(err, errlen, TRAWL_EINVAL,
                        "--listen %s: '%s' is not an IP address: %s", listen,
                        addr, gai_strerror(rc));
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    *sslen = ai->ai_addrlen;
    freeaddrinfo(ai);
    snprintf(host, hostlen, strchr(addr, ':') ? "[%s]" : "%s", addr);
    return 0;
}

int http_start(struct http **out, struct srv *srv, const struct http_options *o,
               char *url, size_t urllen, char *err, size_t errlen) {
    struct http *h = calloc(1, sizeof *h);
    if (!h)
        return util_err(err, errlen, TRAWL_ENOMEM, "http: out of memory");
    h->srv = srv;
    struct sockaddr_storage ss;
    socklen_t sslen;
    char host[80];
    int rc =
        parse_listen(o->listen, &ss, &sslen, host, sizeof host, err, errlen);
    if (rc < 0) {
        free(h);
        return rc;
    }
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
                     MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (o->tls_cert || o->tls_key) {
        if (!o->tls_cert || !o->tls_key) {
            free(h);
            return util_err(err, errlen, TRAWL_EINVAL,
                            "TLS needs both --tls-cert and --tls-key");
        }
        if (!(h->cert = read_pem(o->tls_cert, err, errlen)) ||
            !(h->key = read_pem(o->tls_key, err, errlen))) {
            free(h->cert);
            free(h);
            return TRAWL_EIO;
        }
        h->tls = true;
        flags |= MHD_USE_TLS;
    }
    struct MHD_OptionItem opts[16];
    size_t n = 0;
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &ss};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                                        HTTP_CONNECTION_MEMORY, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT,
                                        MAX_CONNECTIONS, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT,
                                        IDLE_TIMEOUT_S, NULL};
    /* HTTP/1.1 without Host, spaces in the URL: refused, as the standard
     * says, rather than guessed at. */
    opts[n++] =
        (struct MHD_OptionItem){MHD_OPTION_STRICT_FOR_CLIENT, 1, NULL};
    if (h->tls) {
        opts[n++] =
            (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, h->key};
        opts[n++] =
            (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, h->cert};
    }
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    /* The logger goes first, so that MHD logs through it from the start. */
    h->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER,
        on_mhd_log, h, MHD_OPTION_ARRAY, opts, MHD_OPTION_URI_LOG_CALLBACK,
        on_uri, h, MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, h, MHD_OPTION_END);
    if (!h->d) {
        int e = errno;
        free(h->cert);
        free(h->key);
        free(h);
        return util_err(err, errlen, TRAWL_EIO, "cannot listen on %s: %s",
                        o->listen,
                        e ? strerror(e) : "libmicrohttpd refused the options");
    }
    const union MHD_DaemonInfo *di =
        MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = di ? di->port : 0;
    snprintf(url, urllen, "%s://%s:%u", h->tls ? "https" : "http", host, port);
    *out = h;
    return 0;
}

void http_stop(struct http *h) {
    if (!h)
        return;
    MHD_stop_daemon(h->d);
    if (h->key)
        explicit_bzero(h->key, strlen(h->key));
    free(h->key);
    free(h->cert);
    free(h);
}
