/* server/api — the handlers of the HTTP API, one file per area:
 * api_captures.c (captures, the Allegro URL), api_catalog.c (filters,
 * favourites, profiles, settings, users), api_storage.c, api_plans.c,
 * api_misc.c (health, login, interfaces, metrics, the placeholder page,
 * previews); api.c holds the route table. docs/api.md describes them. */
#ifndef TRAWL_SERVER_API_H
#define TRAWL_SERVER_API_H

#include "server/http.h"
#include "server/session.h"

/* Starts the capture spec describes for the request's user and answers:
 * the download itself, or the JSON of a disk capture or preview. Takes
 * ownership of spec. */
enum MHD_Result api_start(struct http_req *r, struct session_spec *spec);
/* Reads capture parameters from args and starts the capture. */
enum MHD_Result api_start_args(struct http_req *r, const json_t *args,
                               enum session_type type);
/* A finished capture's catalog row as the API shows captures. */
json_t *api_capture_row(json_t *row);
/* Whether the request's user may see what `owner` owns. */
bool api_may(const struct http_req *r, const char *owner);
/* {key: rows}, or 500 with err when rows is NULL (a catalog error). */
enum MHD_Result api_rows(struct http_req *r, const char *key, json_t *rows,
                         const char *err);
/* {"deleted": n}, or 500 with err when n is negative. */
enum MHD_Result api_deleted(struct http_req *r, int n, const char *err);
/* 400 for a bad expression, else the status of the code. */
enum MHD_Result api_fail(struct http_req *r, int code, const char *err);

#define API_HANDLER(name) enum MHD_Result name(struct http_req *r)

API_HANDLER(api_allegro_capture);
API_HANDLER(api_download);
API_HANDLER(api_captures_list);
API_HANDLER(api_captures_post);
API_HANDLER(api_capture_get);
API_HANDLER(api_capture_stop);
API_HANDLER(api_finished_list);
API_HANDLER(api_finished_clear);

API_HANDLER(api_recent_list);
API_HANDLER(api_recent_clear);
API_HANDLER(api_favourites_list);
API_HANDLER(api_favourite_add);
API_HANDLER(api_favourite_update);
API_HANDLER(api_favourite_del);
API_HANDLER(api_favourites_clear);
API_HANDLER(api_favourite_download);
API_HANDLER(api_favourite_start);
API_HANDLER(api_profiles_list);
API_HANDLER(api_profile_add);
API_HANDLER(api_profile_get);
API_HANDLER(api_profile_update);
API_HANDLER(api_profile_del);
API_HANDLER(api_settings_get);
API_HANDLER(api_settings_put);
API_HANDLER(api_users_list);
API_HANDLER(api_user_add);
API_HANDLER(api_user_update);
API_HANDLER(api_user_del);
API_HANDLER(api_me);
API_HANDLER(api_me_password);

API_HANDLER(api_storage_list);
API_HANDLER(api_storage_get);
API_HANDLER(api_storage_del);
API_HANDLER(api_storage_preview);

API_HANDLER(api_plans_list);
API_HANDLER(api_plan_add);
API_HANDLER(api_plan_get);
API_HANDLER(api_plan_update);
API_HANDLER(api_plan_del);
API_HANDLER(api_plan_runs);

API_HANDLER(api_index);
API_HANDLER(api_docs);
API_HANDLER(api_health);
API_HANDLER(api_status);
API_HANDLER(api_login);
API_HANDLER(api_logout);
API_HANDLER(api_interfaces);
API_HANDLER(api_metrics);
API_HANDLER(api_preview);

API_HANDLER(api_ports_list);
API_HANDLER(api_port_capturer);
API_HANDLER(api_port_packets);
API_HANDLER(api_port_packet);
API_HANDLER(api_port_filters);
API_HANDLER(api_port_filter);

#endif
