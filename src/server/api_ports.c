/* Xena's port capturer over HTTP: /api/v1/ports/{if}/capturer/... and the
 * numbered filters /api/v1/ports/{if}/filters/{n} (ports.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/api.h"
#include "server/ports.h"
#include "server/server.h"
#include "server/util.h"

/* The port named by the path, or NULL after answering. */
static struct port *port_of(struct http_req *r, enum MHD_Result *answered) {
    if (!r->srv->ports) {
        *answered = http_error(r, 501,
                               "port capturers need live capture: this daemon "
                               "serves a replayed trace");
        return NULL;
    }
    struct port *p = ports_find(r->srv->ports, r->params[0]);
    if (!p)
        *answered = http_error(r, 404, "no port '%s' (GET /api/v1/ports lists "
                                       "them)",
                               r->params[0]);
    return p;
}

static bool filter_index(struct http_req *r, unsigned *n,
                         enum MHD_Result *answered) {
    uint64_t v;
    if (r->nparams < 2 || !util_parse_u64(r->params[1], &v) ||
        v >= PORTS_MAX_FILTERS) {
        *answered = http_error(r, 404, "filters are numbered 0 to %d",
                               PORTS_MAX_FILTERS - 1);
        return false;
    }
    *n = (unsigned)v;
    return true;
}

/* The answer to a getter: its JSON, or the error it left in err. */
static enum MHD_Result answer(struct http_req *r, json_t *o, const char *err,
                              unsigned status) {
    if (!o)
        return http_error(r, status, "%s", err);
    return http_json(r, 200, o);
}

/* A setter's answer: the error, or what the getter shows now. */
static enum MHD_Result after_set(struct http_req *r, int rc, const char *err,
                                 json_t *now) {
    if (rc < 0) {
        json_decref(now);
        return http_error(r, http_status_of(rc), "%s", err);
    }
    return http_json(r, 200, now);
}

API_HANDLER(api_ports_list) {
    if (!r->srv->ports)
        return http_json(r, 200, json_pack("{s:[]}", "ports"));
    return http_json(r, 200, json_pack("{s:o}", "ports",
                                       ports_list(r->srv->ports)));
}

/* GET and PUT of one part of the capturer, by the last path segment. */
API_HANDLER(api_port_capturer) {
    enum MHD_Result rc;
    struct port *p = port_of(r, &rc);
    if (!p)
        return rc;
    const char *part = strrchr(r->url, '/') + 1;
    bool put = strcmp(r->method, "PUT") == 0;
    json_t *body = NULL;
    if (put && !(body = http_body(r, &rc)))
        return rc;
    char err[TRAWL_ERRBUF_SIZE] = "";
    int code = 0;
    if (strcmp(part, "trigger") == 0) {
        if (put)
            code = port_set_trigger(p, body, err, sizeof err);
        rc = after_set(r, code, err, port_trigger(p));
    } else if (strcmp(part, "keep") == 0) {
        if (put)
            code = port_set_keep(p, body, err, sizeof err);
        rc = after_set(r, code, err, port_keep(p));
    } else if (strcmp(part, "state") == 0) {
        if (put)
            code = port_set_state(p, body, err, sizeof err);
        rc = after_set(r, code, err, port_state(p));
    } else {
        rc = http_json(r, 200, port_stats(p));
    }
    json_decref(body);
    return rc;
}

API_HANDLER(api_port_packets) {
    enum MHD_Result rc;
    struct port *p = port_of(r, &rc);
    if (!p)
        return rc;
    uint64_t from = 0, count = 100;
    const char *f = http_arg(r, "from"), *c = http_arg(r, "count");
    if ((f && !util_parse_u64(f, &from)) ||
        (c && (!util_parse_u64(c, &count) || count == 0 || count > 1000)))
        return http_error(r, 400, "from: a packet index; count: 1 to 1000");
    char err[TRAWL_ERRBUF_SIZE];
    return answer(r, port_packets(p, from, count, err, sizeof err), err, 404);
}

API_HANDLER(api_port_packet) {
    enum MHD_Result rc;
    struct port *p = port_of(r, &rc);
    if (!p)
        return rc;
    uint64_t i;
    if (!util_parse_u64(r->params[1], &i))
        return http_error(r, 404, "'%s' is not a packet index", r->params[1]);
    char err[TRAWL_ERRBUF_SIZE];
    return answer(r, port_packet(p, i, err, sizeof err), err, 404);
}

API_HANDLER(api_port_filters) {
    enum MHD_Result rc;
    struct port *p = port_of(r, &rc);
    if (!p)
        return rc;
    return http_json(r, 200, json_pack("{s:o}", "filters", port_filters(p)));
}

API_HANDLER(api_port_filter) {
    enum MHD_Result rc;
    struct port *p = port_of(r, &rc);
    unsigned n;
    if (!p || !filter_index(r, &n, &rc))
        return rc;
    char err[TRAWL_ERRBUF_SIZE];
    if (strcmp(r->method, "GET") == 0)
        return answer(r, port_filter(p, n, err, sizeof err), err, 404);
    if (strcmp(r->method, "DELETE") == 0) {
        int code = port_del_filter(p, n, err, sizeof err);
        if (code < 0)
            return http_error(r, http_status_of(code), "%s", err);
        return http_json(r, 200, json_pack("{s:i}", "deleted", (int)n));
    }
    json_t *body = http_body(r, &rc);
    if (!body)
        return rc;
    const char *e = json_string_value(json_object_get(body, "expression"));
    int code = e ? port_set_filter(p, n, e, err, sizeof err)
                 : util_err(err, sizeof err, TRAWL_EINVAL,
                            "a filter needs \"expression\"");
    json_decref(body);
    if (code == TRAWL_EEXPR)
        return http_expr_error(r, err);
    if (code < 0)
        return http_error(r, http_status_of(code), "%s", err);
    return answer(r, port_filter(p, n, err, sizeof err), err, 404);
}
