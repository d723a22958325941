/* Planned captures over HTTP. The scheduler (sched.c) runs them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/api.h"
#include "server/captures.h"
#include "server/scheduler.h"
#include "server/server.h"
#include "server/storage.h"
#include "server/util.h"

static void iso(json_t *o, const char *key, const char *us_key) {
    json_int_t us = json_integer_value(json_object_get(o, us_key));
    char t[48];
    if (us) {
        util_iso_time(us, t, sizeof t);
        json_object_set_new(o, key, json_string(t));
    } else {
        json_object_set_new(o, key, json_null());
    }
}

static void runs_view(json_t *runs) {
    size_t i;
    json_t *run;
    json_array_foreach(runs, i, run) {
        iso(run, "scheduled_time", "scheduled_us");
        if (json_integer_value(json_object_get(run, "capture_id")) == 0)
            json_object_set_new(run, "capture_id", json_null());
    }
}

/* A plan row as the API shows it. */
static json_t *plan_view(json_t *p) {
    if (!p)
        return NULL;
    json_object_set_new(
        p, "enabled",
        json_boolean(json_integer_value(json_object_get(p, "enabled"))));
    iso(p, "start_time", "start_us");
    iso(p, "next_time", "next_us");
    json_object_set(p, "start_time_us", json_object_get(p, "start_us"));
    json_object_del(p, "start_us");
    runs_view(json_object_get(p, "runs"));
    return p;
}

/* The first run at or after now: start itself, or, for a repeating plan
 * whose start has passed, its next repetition. */
static int64_t first_run(int64_t start, uint64_t repeat_s, int64_t now) {
    if (start >= now || !repeat_s)
        return start;
    int64_t rep = (int64_t)repeat_s * 1000000;
    return start + ((now - start + rep - 1) / rep) * rep;
}

struct plan_in {
    struct cat_plan p;
    char *options;
};

/* Reads and checks a plan from a body, over `base` (the plan as stored,
 * for an update; NULL for a new one). NULL message: all is well. */
static enum MHD_Result read_plan(struct http_req *r, const json_t *b,
                                 const json_t *base, struct plan_in *in,
                                 bool *ok) {
    *ok = false;
    struct cat_plan *p = &in->p;
    const json_t *src[2] = {base, b};
    memset(p, 0, sizeof *p);
    p->enabled = true;
    json_t *opt = NULL;
    for (int k = 0; k < 2; k++) {
        const json_t *o = src[k];
        if (!o)
            continue;
        json_t *v;
        if ((v = json_object_get(o, "name")))
            p->name = json_string_value(v);
        if ((v = json_object_get(o, "filter")))
            p->filter = json_string_value(v);
        if ((v = json_object_get(o, "directory")))
            p->directory = json_string_value(v);
        if ((v = json_object_get(o, k ? "start_time_us" : "start_us")))
            p->start_us = json_integer_value(v);
        if ((v = json_object_get(o, "duration_s")))
            p->duration_s = json_is_number(v) && json_number_value(v) > 0
                                ? (uint64_t)llround(json_number_value(v))
                                : 0;
        if ((v = json_object_get(o, "repeat_s")))
            p->repeat_s = json_is_number(v) && json_number_value(v) >= 0
                              ? (uint64_t)llround(json_number_value(v))
                              : UINT64_MAX;
        if ((v = json_object_get(o, "enabled")))
            p->enabled = json_is_true(v) || json_integer_value(v) == 1;
        if ((v = json_object_get(o, "options")))
            opt = v;
    }
    if (!p->name)
        p->name = "";
    if (!p->filter)
        p->filter = "";
    if (!p->directory)
        p->directory = "";
    if (p->start_us <= 0)
        return http_error(r, 400,
                          "a plan needs \"start_time_us\": its first "
                          "start, in microseconds since 1970");
    if (p->duration_s == 0 || p->duration_s > 366 * 86400u)
        return http_error(r, 400, "a plan needs \"duration_s\", 1 s to a year");
    if (p->repeat_s == UINT64_MAX ||
        (p->repeat_s && p->repeat_s < p->duration_s))
        return http_error(r, 400,
                          "\"repeat_s\" is 0 (run once) or at least "
                          "the duration, so that runs do not overlap");
    if (!storage_valid_path(p->directory, true))
        return http_error(r, 400,
                          "\"directory\": a relative path of letters, "
                          "digits and ._-+=,@ (no '..', no hidden "
                          "names)");
    if (opt && !json_is_object(opt) && !json_is_null(opt))
        return http_error(r, 400,
                          "\"options\" must be an object of capture "
                          "parameters");
    /* The options and filter are checked as the runs will read them. */
    json_t *args = json_object();
    if (json_is_object(opt))
        json_object_update(args, opt);
    json_object_set_new(args, "filter", json_string(p->filter));
    struct session_spec spec = {0};
    char err[TRAWL_ERRBUF_SIZE];
    int status;
    int rc = captures_spec(r->srv, args, SESSION_DISK, &spec, &status, err,
                           sizeof err);
    json_decref(args);
    trawl_expr *e = NULL;
    if (rc == 0 && spec.filter[0])
        rc = trawl_expr_compile(&e, spec.filter, NULL, err, sizeof err);
    trawl_expr_free(e);
    session_spec_free(&spec);
    if (rc == TRAWL_EEXPR)
        return http_expr_error(r, err);
    if (rc < 0)
        return http_error(r, 400, "%s", err);
    int64_t now = util_now_us();
    if (!p->repeat_s && p->start_us + (int64_t)p->duration_s * 1000000 <= now &&
        !base)
        return http_error(r, 400,
                          "\"start_time_us\" is in the past and the "
                          "plan does not repeat");
    p->next_us = p->enabled ? first_run(p->start_us, p->repeat_s, now) : 0;
    in->options = json_is_object(opt) ? json_dumps(opt, JSON_COMPACT) : NULL;
    p->options = in->options;
    *ok = true;
    return MHD_YES;
}

API_HANDLER(api_plans_list) {
    char err[TRAWL_ERRBUF_SIZE];
    json_t *rows = catalog_plan_list(
        r->srv->cat, r->who.admin ? NULL : r->who.user, err, sizeof err);
    if (!rows)
        return http_error(r, 500, "%s", err);
    size_t i;
    json_t *p;
    json_array_foreach(rows, i, p) plan_view(p);
    return http_json(r, 200, json_pack("{so}", "plans", rows));
}

API_HANDLER(api_plan_add) {
    enum MHD_Result rc;
    json_t *b = http_body(r, &rc);
    if (!b)
        return rc;
    struct plan_in in = {{0}, NULL};
    bool ok;
    rc = read_plan(r, b, NULL, &in, &ok);
    if (ok) {
        in.p.user = r->who.user;
        char err[TRAWL_ERRBUF_SIZE];
        int64_t id = catalog_plan_add(r->srv->cat, &in.p, err, sizeof err);
        if (id < 0) {
            rc = http_error(r, 500, "%s", err);
        } else {
            sched_poke(r->srv->sched);
            rc = http_json(
                r, 201,
                plan_view(catalog_plan_get(r->srv->cat, id, NULL, NULL, 0)));
        }
    }
    free(in.options);
    json_decref(b);
    return rc;
}

static json_t *own_plan(struct http_req *r) {
    int64_t id = http_param_id(r, 0);
    return id ? catalog_plan_get(r->srv->cat, id,
                                 r->who.admin ? NULL : r->who.user, NULL, 0)
              : NULL;
}

API_HANDLER(api_plan_get) {
    json_t *p = own_plan(r);
    if (!p)
        return http_error(r, 404, "no plan %s", r->params[0]);
    return http_json(r, 200, plan_view(p));
}

API_HANDLER(api_plan_update) {
    json_t *old = own_plan(r);
    if (!old)
        return http_error(r, 404, "no plan %s", r->params[0]);
    enum MHD_Result rc;
    json_t *b = http_body(r, &rc);
    if (!b) {
        json_decref(old);
        return rc;
    }
    struct plan_in in = {{0}, NULL};
    bool ok;
    rc = read_plan(r, b, old, &in, &ok);
    if (ok) {
        in.p.id = json_integer_value(json_object_get(old, "id"));
        char err[TRAWL_ERRBUF_SIZE];
        int code = catalog_plan_update(r->srv->cat, &in.p, err, sizeof err);
        if (code < 0) {
            rc = http_error(r, http_status_of(code), "%s", err);
        } else {
            sched_poke(r->srv->sched);
            rc = http_json(r, 200,
                           plan_view(catalog_plan_get(r->srv->cat, in.p.id,
                                                      NULL, NULL, 0)));
        }
    }
    free(in.options);
    json_decref(b);
    json_decref(old);
    return rc;
}

API_HANDLER(api_plan_del) {
    char err[TRAWL_ERRBUF_SIZE];
    int code =
        catalog_plan_del(r->srv->cat, http_param_id(r, 0),
                         r->who.admin ? NULL : r->who.user, err, sizeof err);
    if (code < 0)
        return http_error(r, http_status_of(code), "%s", err);
    return http_json(r, 200, json_pack("{si}", "deleted", 1));
}

API_HANDLER(api_plan_runs) {
    json_t *p = own_plan(r);
    if (!p)
        return http_error(r, 404, "no plan %s", r->params[0]);
    json_decref(p);
    uint64_t limit = 100;
    const char *l = http_arg(r, "limit");
    if (l && (!util_parse_u64(l, &limit) || limit == 0 || limit > 100))
        return http_error(r, 400, "limit: 1 to 100");
    json_t *runs = catalog_plan_runs(r->srv->cat, http_param_id(r, 0),
                                     (int)limit, NULL, 0);
    if (!runs)
        runs = json_array();
    runs_view(runs);
    return http_json(r, 200, json_pack("{so}", "runs", runs));
}
