/* Captures over HTTP: the Allegro capture URL, downloads, disk captures,
 * the lists of current and finished captures, stopping one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/api.h"
#include "server/captures.h"
#include "server/disk.h"
#include "server/download.h"
#include "server/preview.h"
#include "server/server.h"
#include "server/util.h"

bool api_may(const struct http_req *r, const char *owner) {
    return r->who.admin || (owner && strcmp(owner, r->who.user) == 0);
}

enum MHD_Result api_rows(struct http_req *r, const char *key, json_t *rows,
                         const char *err) {
    if (!rows)
        return http_error(r, 500, "%s", err);
    return http_json(r, 200, json_pack("{so}", key, rows));
}

enum MHD_Result api_deleted(struct http_req *r, int n, const char *err) {
    if (n < 0)
        return http_error(r, 500, "%s", err);
    return http_json(r, 200, json_pack("{si}", "deleted", n));
}

enum MHD_Result api_fail(struct http_req *r, int code, const char *err) {
    if (code == TRAWL_EEXPR)
        return http_expr_error(r, err);
    return http_error(r, http_status_of(code), "%s", err);
}

enum MHD_Result api_start(struct http_req *r, struct session_spec *spec) {
    struct srv *srv = r->srv;
    char err[TRAWL_ERRBUF_SIZE + 256];
    if (!spec->user)
        spec->user = strdup(r->who.user);
    if (!spec->client)
        spec->client = strdup(r->client);
    enum session_type type = spec->type;
    struct session *s;
    int status;
    int rc = captures_start(srv, spec, &s, &status, err, sizeof err);
    if (rc < 0)
        return rc == TRAWL_EEXPR ? http_expr_error(r, err)
                                 : http_error(r, (unsigned)status, "%s", err);
    if (type == SESSION_DOWNLOAD) {
        struct MHD_Response *resp =
            download_response(srv, s, r->conn, err, sizeof err);
        if (!resp)
            return http_error(r, 500, "%s", err);
        return http_respond(r, 200, resp);
    }
    if (type == SESSION_PREVIEW)
        return preview_answer(r, s);
    /* The writing thread takes the caller's reference; this one keeps the
     * session alive for the answer. */
    session_ref(s);
    rc = disk_start(srv, s, err, sizeof err);
    if (rc < 0) {
        session_unref(s);
        return http_error(r, http_status_of(rc), "%s", err);
    }
    json_t *j = session_json(s, util_mono_ms());
    session_unref(s);
    return http_json(r, 201, j);
}

enum MHD_Result api_start_args(struct http_req *r, const json_t *args,
                               enum session_type type) {
    struct session_spec spec = {0};
    char err[TRAWL_ERRBUF_SIZE];
    int status;
    if (captures_spec(r->srv, args, type, &spec, &status, err, sizeof err) <
        0) {
        session_spec_free(&spec);
        return http_error(r, (unsigned)status, "%s", err);
    }
    return api_start(r, &spec);
}

/* GET /API/data/modules/capture?startTime=...&expression=... */
API_HANDLER(api_allegro_capture) {
    json_t *args = http_args(r);
    enum MHD_Result rc = api_start_args(r, args, SESSION_DOWNLOAD);
    json_decref(args);
    return rc;
}

/* GET /api/v1/captures/download?filter=... */
API_HANDLER(api_download) {
    json_t *args = http_args(r);
    enum MHD_Result rc;
    const char *type = json_string_value(json_object_get(args, "type"));
    if (type && strcmp(type, "download") != 0)
        rc = http_error(r, 400,
                        "this endpoint downloads; start a disk capture "
                        "with POST /api/v1/captures");
    else
        rc = api_start_args(r, args, SESSION_DOWNLOAD);
    json_decref(args);
    return rc;
}

/* POST /api/v1/captures {"type": "disk", ...} */
API_HANDLER(api_captures_post) {
    enum MHD_Result answered;
    json_t *body = http_body(r, &answered);
    if (!body)
        return answered;
    const char *type = json_string_value(json_object_get(body, "type"));
    enum MHD_Result rc;
    if (!type || strcmp(type, "disk") != 0)
        rc = http_error(r, 400,
                        "POST starts disk captures (\"type\": \"disk\"); a "
                        "download is GET /api/v1/captures/download");
    else
        rc = api_start_args(r, body, SESSION_DISK);
    json_decref(body);
    return rc;
}

/* GET /api/v1/captures: running captures, the user's own (an admin's:
 * everyone's, unless ?all=false). */
API_HANDLER(api_captures_list) {
    bool all = r->who.admin;
    const char *a = http_arg(r, "all");
    bool v;
    if (a && util_parse_bool(a, &v))
        all = v && r->who.admin;
    struct session *list[HUB_MAX_SESSIONS];
    size_t n = hub_sessions(r->srv->hub, list, HUB_MAX_SESSIONS);
    json_t *out = json_array();
    uint64_t now = util_mono_ms();
    for (size_t i = 0; i < n; i++) {
        struct session *s = list[i];
        bool mine = s->spec.user && strcmp(s->spec.user, r->who.user) == 0;
        if (mine || all) {
            json_t *j = session_json(s, now);
            json_object_set_new(j, "mine", json_boolean(mine));
            json_array_append_new(out, j);
        }
        session_unref(s);
    }
    return http_json(r, 200, json_pack("{so}", "captures", out));
}

static void set_iso(json_t *row, const char *key, const char *us_key) {
    json_t *v = json_object_get(row, us_key);
    if (json_is_integer(v) && json_integer_value(v)) {
        char iso[48];
        util_iso_time(json_integer_value(v), iso, sizeof iso);
        json_object_set_new(row, key, json_string(iso));
    } else {
        json_object_set_new(row, key, json_null());
    }
}

json_t *api_capture_row(json_t *row) {
    static const char *const counters[] = {
        "received", "captured",       "dropped",     "ignored",
        "bytes",    "captured_bytes", "output_bytes"};
    json_t *c = json_object();
    for (size_t i = 0; i < UTIL_ARRAY_LEN(counters); i++) {
        json_t *v = json_object_get(row, counters[i]);
        json_object_set_new(c, counters[i],
                            v ? json_incref(v) : json_integer(0));
        json_object_del(row, counters[i]);
    }
    int64_t out = json_integer_value(json_object_get(c, "output_bytes"));
    json_object_set_new(row, "counters", c);
    static const char *const renames[][2] = {{"start_us", "start_time_us"},
                                             {"end_us", "end_time_us"}};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(renames); i++) {
        json_t *v = json_object_get(row, renames[i][0]);
        json_object_set_new(row, renames[i][1],
                            v ? json_incref(v) : json_null());
        json_object_del(row, renames[i][0]);
    }
    set_iso(row, "start_time", "start_time_us");
    set_iso(row, "end_time", "end_time_us");
    int64_t start = json_integer_value(json_object_get(row, "start_time_us"));
    int64_t end = json_integer_value(json_object_get(row, "end_time_us"));
    double secs = end > start ? (double)(end - start) / 1e6 : 0;
    json_object_set_new(row, "duration_s", json_real(secs));
    json_object_set_new(row, "average_throughput_bps",
                        json_real(secs > 0 ? (double)out * 8.0 / secs : 0));
    if (!json_object_get(row, "files") ||
        json_is_null(json_object_get(row, "files")))
        json_object_set_new(row, "files", json_array());
    return row;
}

/* GET /api/v1/captures/{id}: a running capture's live state, or a
 * finished one's record. */
API_HANDLER(api_capture_get) {
    int64_t id = http_param_id(r, 0);
    struct session *s = id ? hub_find(r->srv->hub, id) : NULL;
    if (s) {
        json_t *j =
            api_may(r, s->spec.user) ? session_json(s, util_mono_ms()) : NULL;
        session_unref(s);
        if (j)
            return http_json(r, 200, j);
        return http_error(r, 404, "no capture %lld", (long long)id);
    }
    char err[TRAWL_ERRBUF_SIZE];
    json_t *row =
        id ? catalog_capture_get(r->srv->cat, id, err, sizeof err) : NULL;
    if (!row || !api_may(r, json_string_value(json_object_get(row, "user")))) {
        json_decref(row);
        return http_error(r, 404, "no capture %s", r->params[0]);
    }
    return http_json(r, 200, api_capture_row(row));
}

/* DELETE /api/v1/captures/{id}, POST /api/v1/captures/{id}/stop */
API_HANDLER(api_capture_stop) {
    int64_t id = http_param_id(r, 0);
    struct session *s = id ? hub_find(r->srv->hub, id) : NULL;
    if (!s || !api_may(r, s->spec.user)) {
        session_unref(s);
        json_t *row = id ? catalog_capture_get(r->srv->cat, id, NULL, 0) : NULL;
        bool finished =
            row && api_may(r, json_string_value(json_object_get(row, "user")));
        json_decref(row);
        if (finished)
            return http_error(r, 409, "capture %lld has finished already",
                              (long long)id);
        return http_error(r, 404, "no running capture %s", r->params[0]);
    }
    char by[96];
    snprintf(by, sizeof by, "by %s", r->who.user);
    session_end(s, SESSION_END_USER, by);
    session_notify(s, true);
    json_t *j = session_json(s, util_mono_ms());
    session_unref(s);
    return http_json(r, 202, j);
}

/* GET /api/v1/captures/finished */
API_HANDLER(api_finished_list) {
    char err[TRAWL_ERRBUF_SIZE];
    json_t *rows = catalog_finished_list(
        r->srv->cat, r->who.admin ? NULL : r->who.user, err, sizeof err);
    if (!rows)
        return http_error(r, 500, "%s", err);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) api_capture_row(row);
    return http_json(r, 200, json_pack("{so}", "captures", rows));
}

/* DELETE /api/v1/captures/finished: the user's own entries (an admin's:
 * every entry). */
API_HANDLER(api_finished_clear) {
    char err[TRAWL_ERRBUF_SIZE];
    return api_deleted(r,
                       catalog_finished_clear(r->srv->cat,
                                              r->who.admin ? NULL : r->who.user,
                                              err, sizeof err),
                       err);
}
