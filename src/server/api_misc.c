/* The rest of the API: the placeholder page and the API's documentation,
 * health and status, logging in and out, interfaces, metrics, previews of
 * live traffic. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/api.h"
#include "server/captures.h"
#include "server/server.h"
#include "server/util.h"
#include "trawl_config.h"

/* docs/api.md, embedded by the build (src/server/embed.py). */
extern const char server_api_md[];
extern const size_t server_api_md_len;

static const char index_page[] =
    "<!doctype html>\n"
    "<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<title>trawl capture server</title>\n"
    "<style>body{font-family:sans-serif;max-width:44em;margin:3em auto;"
    "line-height:1.5}code,pre{background:#f3f3f3;padding:.1em .3em}</style>\n"
    "</head><body>\n"
    "<h1>trawl capture server</h1>\n"
    "<p>The web interface is coming in a later release. Everything it will "
    "do is already in the HTTP API, described in "
    "<a href=\"/docs/api.md\">docs/api.md</a>.</p>\n"
    "<p>For example, to download everything for ten seconds:</p>\n"
    "<pre>curl -u USER:PASSWORD -o capture.pcapng \\\n"
    "  'http://HOST:PORT/api/v1/captures/download?duration_s=10'</pre>\n"
    "<p>or with the Allegro capture URL:</p>\n"
    "<pre>curl -u USER:PASSWORD -o capture.pcapng \\\n"
    "  'http://HOST:PORT/API/data/modules/capture?expression=port==53'"
    "</pre>\n"
    "<p>Users are managed with <code>trawl users</code> on the machine the "
    "daemon runs on.</p>\n"
    "</body></html>\n";

API_HANDLER(api_index) {
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        sizeof index_page - 1, (void *)(uintptr_t)index_page,
        MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "text/html; charset=utf-8");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'none'; style-src 'unsafe-inline'");
    return http_respond(r, 200, resp);
}

API_HANDLER(api_docs) {
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        server_api_md_len, (void *)(uintptr_t)server_api_md,
        MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "text/markdown; charset=utf-8");
    return http_respond(r, 200, resp);
}

API_HANDLER(api_health) {
    return http_json(r, 200, json_pack("{ss}", "status", "ok"));
}

API_HANDLER(api_status) {
    struct srv *srv = r->srv;
    struct hub_stats hs;
    hub_stats(srv->hub, &hs);
    const struct source *src = hub_source(srv->hub);
    return http_json(
        r, 200,
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:b}",
                  "version", TRAWL_VERSION, "mode", src->ops->kind, "source",
                  src->describe ? src->describe : src->ops->kind, "url",
                  srv->url, "data_dir", srv->data_dir, "captures_running",
                  (json_int_t)hub_count(srv->hub), "interfaces",
                  (json_int_t)hub_iface_count(srv->hub), "packets",
                  (json_int_t)hs.packets, "replay_passes",
                  (json_int_t)hs.passes, "source_running", hs.running));
}

/* POST /api/v1/login {"user": ..., "password": ...}: a session cookie for
 * a browser, and the CSRF token its state-changing requests must send. */
API_HANDLER(api_login) {
    enum MHD_Result rc;
    json_t *b = http_body(r, &rc);
    if (!b)
        return rc;
    const char *user = json_string_value(json_object_get(b, "user"));
    const char *pw = json_string_value(json_object_get(b, "password"));
    struct auth_who who;
    int ok = user && pw ? auth_password(r->srv->auth, user, pw, &who) : 0;
    json_decref(b);
    if (ok != 1) {
        atomic_fetch_add(&r->srv->metrics.auth_failures, 1);
        return http_error(r, 401, "wrong user name or password");
    }
    char token[AUTH_TOKEN_LEN + 1];
    if (auth_session_new(r->srv->auth, &who, token) < 0)
        return http_error(r, 500, "cannot start a session");
    json_t *o = json_pack("{ssssss}", "user", who.user, "role",
                          who.admin ? "admin" : "user", "csrf_token", who.csrf);
    char *text = json_dumps(o, JSON_INDENT(1));
    json_decref(o);
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        strlen(text), text, MHD_RESPMEM_MUST_FREE);
    char cookie[256];
    snprintf(cookie, sizeof cookie,
             "trawl_session=%s; Path=/; HttpOnly; SameSite=Strict; "
             "Max-Age=%d%s",
             token, AUTH_SESSION_IDLE_S,
             strncmp(r->srv->url, "https:", 6) == 0 ? "; Secure" : "");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "application/json");
    explicit_bzero(token, sizeof token);
    return http_respond(r, 200, resp);
}

API_HANDLER(api_logout) {
    const char *cookie =
        MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "trawl_session");
    if (cookie)
        auth_session_end(r->srv->auth, cookie);
    char *text = strdup("{\"logged_out\": true}\n");
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        strlen(text), text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE,
                            "trawl_session=; Path=/; HttpOnly; "
                            "SameSite=Strict; Max-Age=0");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "application/json");
    return http_respond(r, 200, resp);
}

/* What the system says of a live interface: address, MTU, speed, state,
 * addresses. */
static void add_system_info(json_t *o, const struct trawl_ifinfo *info) {
    char mac[18];
    if (info->has_mac) {
        snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", info->mac[0],
                 info->mac[1], info->mac[2], info->mac[3], info->mac[4],
                 info->mac[5]);
        json_object_set_new(o, "mac", json_string(mac));
    }
    json_object_set_new(o, "mtu", json_integer(info->mtu));
    json_object_set_new(o, "speed_mbps",
                        info->speed_mbps < 0 ? json_null()
                                             : json_integer(info->speed_mbps));
    json_object_set_new(o, "up", json_boolean(info->flags & TRAWL_IF_UP));
    json_object_set_new(o, "running",
                        json_boolean(info->flags & TRAWL_IF_RUNNING));
    json_object_set_new(o, "loopback",
                        json_boolean(info->flags & TRAWL_IF_LOOPBACK));
    json_t *addrs = json_array();
    for (size_t i = 0; i < info->naddrs; i++) {
        const struct trawl_ifaddr *a = &info->addrs[i];
        char text[INET6_ADDRSTRLEN + 8];
        if (!inet_ntop(a->family, a->addr, text, sizeof text))
            continue;
        size_t len = strlen(text);
        snprintf(text + len, sizeof text - len, "/%u", a->prefix);
        json_array_append_new(addrs, json_string(text));
    }
    json_object_set_new(o, "addresses", addrs);
}

API_HANDLER(api_interfaces) {
    struct srv *srv = r->srv;
    json_t *list = json_array();
    size_t n = hub_iface_count(srv->hub);
    struct trawl_ifinfo *sys = NULL;
    size_t nsys = 0;
    if (srv->ports && trawl_iflist(&sys, &nsys, NULL, 0) < 0)
        nsys = 0;
    for (size_t i = 0; i < n; i++) {
        const struct trawl_iface *ifc = hub_iface(srv->hub, (uint32_t)i);
        uint64_t packets, bytes;
        hub_iface_stats(srv->hub, (uint32_t)i, &packets, &bytes);
        json_t *o = json_pack("{sIsssssisIsIsI}", "id", (json_int_t)i, "name",
                              ifc->name ? ifc->name : "", "description",
                              ifc->description ? ifc->description : "",
                              "linktype", ifc->linktype, "snaplen",
                              (json_int_t)ifc->snaplen, "packets",
                              (json_int_t)packets, "bytes", (json_int_t)bytes);
        for (size_t k = 0; k < nsys && ifc->name; k++)
            if (strcmp(sys[k].name, ifc->name) == 0)
                add_system_info(o, &sys[k]);
        json_array_append_new(list, o);
    }
    if (sys)
        trawl_iflist_free(sys, nsys);
    const struct source *src = hub_source(srv->hub);
    return http_json(r, 200,
                     json_pack("{s:s, s:s, s:o}", "mode", src->ops->kind, "source",
                               src->describe ? src->describe : "", "interfaces",
                               list));
}

API_HANDLER(api_metrics) {
    size_t len;
    char *text = metrics_render(r->srv, &len);
    if (!text)
        return http_error(r, 500, "metrics: out of memory");
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "text/plain; version=0.0.4; charset=utf-8");
    return http_respond(r, 200, resp);
}

/* GET /api/v1/preview?filter=...&count=N: a capture of the next packets,
 * decoded. */
API_HANDLER(api_preview) {
    json_t *args = http_args(r);
    enum MHD_Result rc = api_start_args(r, args, SESSION_PREVIEW);
    json_decref(args);
    return rc;
}
