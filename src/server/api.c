/* The route table: every endpoint of the daemon, in the order they are
 * matched (a literal segment before a {placeholder} at the same place). */
#include "server/api.h"
#include "server/util.h"

const struct http_route api_routes[] = {
    {"GET", "/", api_index, HTTP_PUBLIC},
    {"GET", "/docs/api.md", api_docs, HTTP_PUBLIC},
    {"GET", "/api/v1/health", api_health, HTTP_PUBLIC},
    {"POST", "/api/v1/login", api_login, HTTP_PUBLIC},
    {"POST", "/api/v1/logout", api_logout, 0},
    {"GET", "/api/v1/status", api_status, 0},
    {"GET", "/metrics", api_metrics, 0},

    {"GET", "/API/data/modules/capture", api_allegro_capture, HTTP_STARTS},
    {"GET", "/api/v1/interfaces", api_interfaces, 0},
    {"GET", "/api/v1/captures/download", api_download, HTTP_STARTS},
    {"GET", "/api/v1/captures/finished", api_finished_list, 0},
    {"DELETE", "/api/v1/captures/finished", api_finished_clear, 0},
    {"GET", "/api/v1/captures", api_captures_list, 0},
    {"POST", "/api/v1/captures", api_captures_post, 0},
    {"GET", "/api/v1/captures/{id}", api_capture_get, 0},
    {"DELETE", "/api/v1/captures/{id}", api_capture_stop, 0},
    {"POST", "/api/v1/captures/{id}/stop", api_capture_stop, 0},
    {"GET", "/api/v1/preview", api_preview, HTTP_STARTS},

    {"GET", "/api/v1/filters/recent", api_recent_list, 0},
    {"DELETE", "/api/v1/filters/recent", api_recent_clear, 0},
    {"GET", "/api/v1/favourites", api_favourites_list, 0},
    {"POST", "/api/v1/favourites", api_favourite_add, 0},
    {"DELETE", "/api/v1/favourites", api_favourites_clear, 0},
    {"PUT", "/api/v1/favourites/{id}", api_favourite_update, 0},
    {"DELETE", "/api/v1/favourites/{id}", api_favourite_del, 0},
    {"GET", "/api/v1/favourites/{id}/download", api_favourite_download,
     HTTP_STARTS},
    {"POST", "/api/v1/favourites/{id}/start", api_favourite_start, 0},

    {"GET", "/api/v1/profiles", api_profiles_list, 0},
    {"POST", "/api/v1/profiles", api_profile_add, HTTP_ADMIN},
    {"GET", "/api/v1/profiles/{id}", api_profile_get, 0},
    {"PUT", "/api/v1/profiles/{id}", api_profile_update, HTTP_ADMIN},
    {"DELETE", "/api/v1/profiles/{id}", api_profile_del, HTTP_ADMIN},

    {"GET", "/api/v1/settings", api_settings_get, 0},
    {"PUT", "/api/v1/settings", api_settings_put, HTTP_ADMIN},

    {"GET", "/api/v1/me", api_me, 0},
    {"PUT", "/api/v1/me/password", api_me_password, 0},
    {"GET", "/api/v1/users", api_users_list, HTTP_ADMIN},
    {"POST", "/api/v1/users", api_user_add, HTTP_ADMIN},
    {"PUT", "/api/v1/users/{name}", api_user_update, HTTP_ADMIN},
    {"DELETE", "/api/v1/users/{name}", api_user_del, HTTP_ADMIN},

    {"GET", "/api/v1/storage", api_storage_list, 0},
    {"GET", "/api/v1/storage/files/{*}", api_storage_get, 0},
    {"DELETE", "/api/v1/storage/files/{*}", api_storage_del, 0},
    {"GET", "/api/v1/storage/preview/{*}", api_storage_preview, 0},

    {"GET", "/api/v1/plans", api_plans_list, 0},
    {"POST", "/api/v1/plans", api_plan_add, 0},
    {"GET", "/api/v1/plans/{id}", api_plan_get, 0},
    {"PUT", "/api/v1/plans/{id}", api_plan_update, 0},
    {"DELETE", "/api/v1/plans/{id}", api_plan_del, 0},
    {"GET", "/api/v1/plans/{id}/runs", api_plan_runs, 0},

    {"GET", "/api/v1/ports", api_ports_list, 0},
    {"GET", "/api/v1/ports/{if}/capturer/trigger", api_port_capturer, 0},
    {"PUT", "/api/v1/ports/{if}/capturer/trigger", api_port_capturer, 0},
    {"GET", "/api/v1/ports/{if}/capturer/keep", api_port_capturer, 0},
    {"PUT", "/api/v1/ports/{if}/capturer/keep", api_port_capturer, 0},
    {"GET", "/api/v1/ports/{if}/capturer/state", api_port_capturer, 0},
    {"PUT", "/api/v1/ports/{if}/capturer/state", api_port_capturer, 0},
    {"GET", "/api/v1/ports/{if}/capturer/stats", api_port_capturer, 0},
    {"GET", "/api/v1/ports/{if}/capturer/packets", api_port_packets, 0},
    {"GET", "/api/v1/ports/{if}/capturer/packets/{n}", api_port_packet, 0},
    {"GET", "/api/v1/ports/{if}/filters", api_port_filters, 0},
    {"GET", "/api/v1/ports/{if}/filters/{n}", api_port_filter, 0},
    {"PUT", "/api/v1/ports/{if}/filters/{n}", api_port_filter, 0},
    {"DELETE", "/api/v1/ports/{if}/filters/{n}", api_port_filter, 0},
};

const size_t api_nroutes = UTIL_ARRAY_LEN(api_routes);
