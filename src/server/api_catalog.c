/* The catalog over HTTP: recent filters, favourites, capture profiles,
 * settings, users. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/api.h"
#include "server/captures.h"
#include "server/server.h"
#include "server/util.h"

/* An expression that must compile for the catalog to keep it; answers 400
 * with the compiler's message (prefixed by `where`) when it does not. */
static bool expression_ok(struct http_req *r, const char *text,
                          const char *where, enum MHD_Result *answered) {
    trawl_expr *e;
    char err[TRAWL_ERRBUF_SIZE], msg[TRAWL_ERRBUF_SIZE + 64];
    if (trawl_expr_compile(&e, text, NULL, err, sizeof err) == 0) {
        trawl_expr_free(e);
        return true;
    }
    snprintf(msg, sizeof msg, "%s%s", where, err);
    *answered = http_expr_error(r, msg);
    return false;
}

/* Capture options a favourite or plan keeps: checked by reading them as a
 * capture's parameters would be, so that a stored one always starts. */
static bool options_ok(struct http_req *r, const json_t *opt,
                       enum session_type type, enum MHD_Result *answered) {
    if (!opt || json_is_null(opt))
        return true;
    struct session_spec spec = {0};
    char err[TRAWL_ERRBUF_SIZE];
    int status;
    int rc = captures_spec(r->srv, opt, type, &spec, &status, err, sizeof err);
    session_spec_free(&spec);
    if (rc < 0) {
        *answered = http_error(r, 400, "options: %s", err);
        return false;
    }
    return true;
}

/* ---- recent filters ------------------------------------------------------ */

API_HANDLER(api_recent_list) {
    char err[TRAWL_ERRBUF_SIZE];
    return api_rows(
        r, "filters",
        catalog_recent_list(r->srv->cat, r->who.user, err, sizeof err), err);
}

API_HANDLER(api_recent_clear) {
    char err[TRAWL_ERRBUF_SIZE];
    return api_deleted(
        r, catalog_recent_clear(r->srv->cat, r->who.user, err, sizeof err),
        err);
}

/* ---- favourites ---------------------------------------------------------- */

API_HANDLER(api_favourites_list) {
    char err[TRAWL_ERRBUF_SIZE];
    return api_rows(
        r, "favourites",
        catalog_favourite_list(r->srv->cat, r->who.user, err, sizeof err), err);
}

/* A favourite as a request body gives it: its filter (which must compile;
 * required for a new one), description and capture options (which must
 * be capture parameters). */
struct fav_in {
    const char *filter, *description;
    char *options; /* JSON text, or NULL when not given */
};

static bool read_favourite(struct http_req *r, const json_t *b, bool is_new,
                           struct fav_in *in, enum MHD_Result *answered) {
    in->filter = json_string_value(json_object_get(b, "filter"));
    in->description = json_string_value(json_object_get(b, "description"));
    in->options = NULL;
    json_t *opt = json_object_get(b, "options");
    if (is_new && !in->filter) {
        *answered =
            http_error(r, 400, "a favourite needs \"filter\" (a string)");
        return false;
    }
    if (opt && !json_is_object(opt) && !json_is_null(opt)) {
        *answered = http_error(r, 400,
                               "\"options\" must be an object of "
                               "capture parameters");
        return false;
    }
    if ((in->filter && !expression_ok(r, in->filter, "", answered)) ||
        !options_ok(r, opt, SESSION_DOWNLOAD, answered))
        return false;
    if (json_is_object(opt))
        in->options = json_dumps(opt, JSON_COMPACT);
    return true;
}

API_HANDLER(api_favourite_add) {
    enum MHD_Result rc;
    json_t *b = http_body(r, &rc);
    if (!b)
        return rc;
    struct fav_in in;
    if (read_favourite(r, b, true, &in, &rc)) {
        char err[TRAWL_ERRBUF_SIZE];
        int64_t id =
            catalog_favourite_add(r->srv->cat, r->who.user, in.filter,
                                  in.description, in.options, err, sizeof err);
        rc = id < 0 ? http_error(r, 500, "%s", err)
                    : http_json(r, 201,
                                catalog_favourite_get(r->srv->cat, id,
                                                      r->who.user, NULL, 0));
        free(in.options);
    }
    json_decref(b);
    return rc;
}

API_HANDLER(api_favourite_update) {
    int64_t id = http_param_id(r, 0);
    enum MHD_Result rc;
    json_t *b = http_body(r, &rc);
    if (!b)
        return rc;
    struct fav_in in;
    if (read_favourite(r, b, false, &in, &rc)) {
        char err[TRAWL_ERRBUF_SIZE];
        int code = catalog_favourite_update(r->srv->cat, id, r->who.user,
                                            in.filter, in.description,
                                            in.options, err, sizeof err);
        rc = code < 0 ? http_error(r, http_status_of(code), "%s", err)
                      : http_json(r, 200,
                                  catalog_favourite_get(r->srv->cat, id,
                                                        r->who.user, NULL, 0));
        free(in.options);
    }
    json_decref(b);
    return rc;
}

API_HANDLER(api_favourite_del) {
    int64_t id = http_param_id(r, 0);
    char err[TRAWL_ERRBUF_SIZE];
    int n = id ? catalog_favourite_del(r->srv->cat, id, r->who.user, err,
                                       sizeof err)
               : 0;
    if (n < 0)
        return http_error(r, 500, "%s", err);
    if (n == 0)
        return http_error(r, 404, "no favourite %s", r->params[0]);
    return http_json(r, 200, json_pack("{si}", "deleted", n));
}

API_HANDLER(api_favourites_clear) {
    char err[TRAWL_ERRBUF_SIZE];
    return api_deleted(
        r, catalog_favourite_del(r->srv->cat, 0, r->who.user, err, sizeof err),
        err);
}

/* A favourite's filter and options, overridden by what the request adds
 * (query arguments or a JSON body). NULL after answering 404. */
static json_t *favourite_args(struct http_req *r, const json_t *extra,
                              enum MHD_Result *answered) {
    int64_t id = http_param_id(r, 0);
    json_t *fav =
        id ? catalog_favourite_get(r->srv->cat, id, r->who.user, NULL, 0)
           : NULL;
    if (!fav) {
        *answered = http_error(r, 404, "no favourite %s", r->params[0]);
        return NULL;
    }
    json_t *args = json_object();
    json_t *opt = json_object_get(fav, "options");
    if (json_is_object(opt))
        json_object_update(args, opt);
    json_object_set(args, "filter", json_object_get(fav, "filter"));
    json_decref(fav);
    if (json_is_object(extra))
        json_object_update(args, (json_t *)extra);
    return args;
}

API_HANDLER(api_favourite_download) {
    enum MHD_Result rc;
    json_t *q = http_args(r);
    json_t *args = favourite_args(r, q, &rc);
    json_decref(q);
    if (!args)
        return rc;
    rc = api_start_args(r, args, SESSION_DOWNLOAD);
    json_decref(args);
    return rc;
}

API_HANDLER(api_favourite_start) {
    enum MHD_Result rc;
    json_t *body = r->body ? http_body(r, &rc) : json_object();
    if (!body)
        return rc;
    json_t *args = favourite_args(r, body, &rc);
    json_decref(body);
    if (!args)
        return rc;
    json_object_set_new(args, "type", json_string("disk"));
    rc = api_start_args(r, args, SESSION_DISK);
    json_decref(args);
    return rc;
}

/* ---- capture profiles ---------------------------------------------------- */

/* The rules of a profile as given: 1 to 10 of {expression, snaplen}, each
 * expression compiling, each snap length 0 (whole) or 64 to 65535. */
static bool rules_ok(struct http_req *r, const json_t *rules,
                     enum MHD_Result *answered) {
    if (!json_is_array(rules) || json_array_size(rules) == 0 ||
        json_array_size(rules) > SESSION_MAX_RULES) {
        *answered = http_error(r, 400,
                               "\"rules\" must be an array of 1 to %d "
                               "{\"expression\", \"snaplen\"} objects",
                               SESSION_MAX_RULES);
        return false;
    }
    size_t i;
    json_t *rule;
    json_array_foreach(rules, i, rule) {
        const char *e = json_string_value(json_object_get(rule, "expression"));
        json_t *snap = json_object_get(rule, "snaplen");
        json_int_t n = json_integer_value(snap);
        if (!e || !json_is_integer(snap) || (n != 0 && (n < 64 || n > 65535)) ||
            json_object_size(rule) != 2) {
            *answered = http_error(r, 400,
                                   "rule %zu: expected {\"expression\": TEXT, "
                                   "\"snaplen\": 0 or 64 to 65535}",
                                   i + 1);
            return false;
        }
        char where[32];
        snprintf(where, sizeof where, "rule %zu: ", i + 1);
        if (!expression_ok(r, e, where, answered))
            return false;
    }
    return true;
}

static bool profile_name_ok(const char *name) {
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20)
            return false;
    return true;
}

API_HANDLER(api_profiles_list) {
    char err[TRAWL_ERRBUF_SIZE];
    return api_rows(r, "profiles",
                    catalog_profile_list(r->srv->cat, err, sizeof err), err);
}

API_HANDLER(api_profile_add) {
    enum MHD_Result rc;
    json_t *b = http_body(r, &rc);
    if (!b)
        return rc;
    const char *name = json_string_value(json_object_get(b, "name"));
    json_t *rules = json_object_get(b, "rules");
    if (!profile_name_ok(name)) {
        rc = http_error(r, 400,
                        "a profile needs a \"name\" of 1 to 64 "
                        "characters");
    } else if (rules_ok(r, rules, &rc)) {
        char err[TRAWL_ERRBUF_SIZE];
        char *text = json_dumps(rules, JSON_COMPACT);
        int64_t id =
            catalog_profile_add(r->srv->cat, name, text, err, sizeof err);
        free(text);
        rc = id < 0 ? http_error(r, http_status_of((int)id), "%s", err)
                    : http_json(
                          r, 201,
                          catalog_profile_get(r->srv->cat, id, NULL, NULL, 0));
    }
    json_decref(b);
    return rc;
}

API_HANDLER(api_profile_get) {
    int64_t id = http_param_id(r, 0);
    json_t *p =
        catalog_profile_get(r->srv->cat, id, id ? NULL : r->params[0], NULL, 0);
    if (!p)
        return http_error(r, 404, "no capture profile %s", r->params[0]);
    return http_json(r, 200, p);
}

API_HANDLER(api_profile_update) {
    int64_t id = http_param_id(r, 0);
    enum MHD_Result rc;
    json_t *b = http_body(r, &rc);
    if (!b)
        return rc;
    const char *name = json_string_value(json_object_get(b, "name"));
    json_t *rules = json_object_get(b, "rules");
    char *text = NULL;
    if (name && !profile_name_ok(name)) {
        rc = http_error(r, 400, "\"name\" must have 1 to 64 characters");
        goto out;
    }
    if (rules && !rules_ok(r, rules, &rc))
        goto out;
    text = rules ? json_dumps(rules, JSON_COMPACT) : NULL;
    char err[TRAWL_ERRBUF_SIZE];
    int code =
        catalog_profile_update(r->srv->cat, id, name, text, err, sizeof err);
    rc = code < 0
             ? http_error(r, http_status_of(code), "%s", err)
             : http_json(r, 200,
                         catalog_profile_get(r->srv->cat, id, NULL, NULL, 0));
out:
    free(text);
    json_decref(b);
    return rc;
}

API_HANDLER(api_profile_del) {
    char err[TRAWL_ERRBUF_SIZE];
    int code =
        catalog_profile_del(r->srv->cat, http_param_id(r, 0), err, sizeof err);
    if (code < 0)
        return http_error(r, http_status_of(code), "%s", err);
    return http_json(r, 200, json_pack("{si}", "deleted", 1));
}

/* ---- settings
 * ---------------------------------------------------------------- */

API_HANDLER(api_settings_get) {
    return http_json(r, 200, settings_json(&r->srv->settings));
}

API_HANDLER(api_settings_put) {
    enum MHD_Result rc;
    json_t *b = http_body(r, &rc);
    if (!b)
        return rc;
    char err[TRAWL_ERRBUF_SIZE];
    int code = settings_update(&r->srv->settings, b, err, sizeof err);
    json_decref(b);
    if (code < 0)
        return http_error(r, http_status_of(code), "%s", err);
    srv_log(r->srv, "settings changed by %s", r->who.user);
    return http_json(r, 200, settings_json(&r->srv->settings));
}

/* ---- users
 * -------------------------------------------------------------------- */

API_HANDLER(api_me) {
    json_t *o =
        json_pack("{s:s, s:s, s:o}", "user", r->who.user, "role",
                  r->who.admin ? "admin" : "user", "csrf_token",
                  r->who.cookie ? json_string(r->who.csrf) : json_null());
    return http_json(r, 200, o);
}

static bool password_ok(const char *pw) {
    return pw && strlen(pw) >= 8 && strlen(pw) <= 1024;
}

static enum MHD_Result set_password(struct http_req *r, const char *user,
                                    const char *pw) {
    char hash[256], err[TRAWL_ERRBUF_SIZE];
    if (auth_hash(pw, hash, sizeof hash, err, sizeof err) < 0)
        return http_error(r, 500, "%s", err);
    int code =
        catalog_user_update(r->srv->cat, user, NULL, hash, err, sizeof err);
    if (code < 0)
        return http_error(r, http_status_of(code), "%s", err);
    auth_session_end_user(r->srv->auth, user);
    srv_log(r->srv, "password of %s changed by %s", user, r->who.user);
    return http_json(r, 200, json_pack("{ss}", "user", user));
}

API_HANDLER(api_me_password) {
    enum MHD_Result rc;
    json_t *b = http_body(r, &rc);
    if (!b)
        return rc;
    const char *old = json_string_value(json_object_get(b, "old_password"));
    const char *pw = json_string_value(json_object_get(b, "password"));
    struct auth_who who;
    if (!password_ok(pw))
        rc = http_error(r, 400, "\"password\" must have 8 to 1024 characters");
    else if (!old || auth_password(r->srv->auth, r->who.user, old, &who) != 1)
        rc = http_error(r, 403,
                        "\"old_password\" is not the current "
                        "password");
    else
        rc = set_password(r, r->who.user, pw);
    json_decref(b);
    return rc;
}

API_HANDLER(api_users_list) {
    char err[TRAWL_ERRBUF_SIZE];
    return api_rows(r, "users", catalog_user_list(r->srv->cat, err, sizeof err),
                    err);
}

API_HANDLER(api_user_add) {
    enum MHD_Result rc;
    json_t *b = http_body(r, &rc);
    if (!b)
        return rc;
    const char *name = json_string_value(json_object_get(b, "name"));
    const char *pw = json_string_value(json_object_get(b, "password"));
    const char *role = json_string_value(json_object_get(b, "role"));
    if (!role)
        role = "user";
    char hash[256], err[TRAWL_ERRBUF_SIZE];
    int code;
    if (!name || !auth_valid_name(name))
        rc = http_error(r, 400,
                        "\"name\": 1 to 63 letters, digits, '.', '_' "
                        "or '-'");
    else if (!auth_valid_role(role))
        rc = http_error(r, 400, "\"role\": \"admin\" or \"user\"");
    else if (!password_ok(pw))
        rc = http_error(r, 400, "\"password\" must have 8 to 1024 characters");
    else if (auth_hash(pw, hash, sizeof hash, err, sizeof err) < 0)
        rc = http_error(r, 500, "%s", err);
    else if ((code = catalog_user_add(r->srv->cat, name, role, hash, err,
                                      sizeof err)) < 0)
        rc = http_error(r, http_status_of(code), "%s", err);
    else {
        srv_log(r->srv, "user %s (%s) added by %s", name, role, r->who.user);
        rc = http_json(r, 201, json_pack("{ssss}", "name", name, "role", role));
    }
    json_decref(b);
    return rc;
}

API_HANDLER(api_user_update) {
    const char *name = r->params[0];
    enum MHD_Result rc;
    json_t *b = http_body(r, &rc);
    if (!b)
        return rc;
    const char *pw = json_string_value(json_object_get(b, "password"));
    const char *role = json_string_value(json_object_get(b, "role"));
    char err[TRAWL_ERRBUF_SIZE];
    if (role && !auth_valid_role(role)) {
        rc = http_error(r, 400, "\"role\": \"admin\" or \"user\"");
    } else if (json_object_get(b, "password") && !password_ok(pw)) {
        rc = http_error(r, 400, "\"password\" must have 8 to 1024 characters");
    } else if (role) {
        int code =
            catalog_user_update(r->srv->cat, name, role, NULL, err, sizeof err);
        if (code < 0)
            rc = http_error(r, http_status_of(code), "%s", err);
        else if (pw)
            rc = set_password(r, name, pw);
        else
            rc = http_json(r, 200,
                           json_pack("{ssss}", "user", name, "role", role));
    } else if (pw) {
        rc = set_password(r, name, pw);
    } else {
        rc = http_error(r, 400,
                        "nothing to change: give \"role\" or "
                        "\"password\"");
    }
    json_decref(b);
    return rc;
}

API_HANDLER(api_user_del) {
    char err[TRAWL_ERRBUF_SIZE];
    int code = catalog_user_del(r->srv->cat, r->params[0], err, sizeof err);
    if (code < 0)
        return http_error(r, http_status_of(code), "%s", err);
    auth_session_end_user(r->srv->auth, r->params[0]);
    srv_log(r->srv, "user %s deleted by %s", r->params[0], r->who.user);
    return http_json(r, 200, json_pack("{ss}", "deleted", r->params[0]));
}
