/* server/catalog — the daemon's persistent state in one SQLite file under
 * the data dir: users, captures (running and the last finished ones),
 * recent filters, favourites, capture profiles, planned captures and their
 * runs, settings, and which stored file came from which capture.
 *
 * One connection, opened serialized and guarded by the catalog's own mutex
 * for multi-statement operations, is shared by every thread. Lists come
 * back as jansson arrays of objects keyed by column name; a column
 * declared JSON holds JSON text and comes back parsed. */
#ifndef TRAWL_SERVER_CATALOG_H
#define TRAWL_SERVER_CATALOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct catalog;

/* How many finished captures the catalog keeps (the oldest go first). */
#define CATALOG_FINISHED_MAX 100
/* How many recent filters it keeps per user. */
#define CATALOG_RECENT_MAX 50

/* Opens (creating it and its tables when new) the catalog at path. */
int catalog_open(struct catalog **out, const char *path, char *err,
                 size_t errlen);
void catalog_close(struct catalog *c);

/* ---- users --------------------------------------------------------------- */

struct cat_user {
    char name[64];
    char role[16]; /* "admin" or "user" */
    char hash[256];
};

/* 1 and *out when the user exists, 0 when not, negative on error. */
int catalog_user_get(struct catalog *c, const char *name, struct cat_user *out,
                     char *err, size_t errlen);
/* Creates a user; TRAWL_EBUSY when the name is taken. */
int catalog_user_add(struct catalog *c, const char *name, const char *role,
                     const char *hash, char *err, size_t errlen);
/* Changes role and/or hash (NULL = keep); TRAWL_ENOENT when unknown. */
int catalog_user_update(struct catalog *c, const char *name, const char *role,
                        const char *hash, char *err, size_t errlen);
/* Deletes a user with their filters, favourites and sessions; refuses
 * (TRAWL_EBUSY) to delete the last admin. */
int catalog_user_del(struct catalog *c, const char *name, char *err,
                     size_t errlen);
/* [{name, role, created_us}], by name. */
json_t *catalog_user_list(struct catalog *c, char *err, size_t errlen);
int64_t catalog_user_count(struct catalog *c);

/* ---- captures ------------------------------------------------------------ */

/* A capture as the catalog records it; strings are borrowed for the call. */
struct cat_capture {
    int64_t id; /* set by catalog_capture_begin() */
    const char *user, *client, *type, *mode, *filter;
    const char *format, *compression, *profile, *interfaces;
    uint32_t snaplen;
    int64_t plan_id; /* 0 = none */
    int64_t start_us, end_us;
    uint64_t received, captured, ignored, dropped, bytes, captured_bytes,
        output_bytes;
    const char *end_reason; /* NULL while running */
    const char *files;      /* JSON array text of stored files, or NULL */
};

/* Records a capture that starts now; sets cap->id. */
int catalog_capture_begin(struct catalog *c, struct cat_capture *cap, char *err,
                          size_t errlen);
/* Saves the counters of a running capture (a checkpoint, so that a
 * capture cut short by kill -9 keeps what it had), or, when end_reason is
 * set, marks it finished and keeps only the last CATALOG_FINISHED_MAX. */
int catalog_capture_update(struct catalog *c, const struct cat_capture *cap,
                           char *err, size_t errlen);
/* Marks every capture still recorded as running finished with `reason`
 * (at start-up: the daemon before this one did not end them). Returns how
 * many. */
int catalog_capture_orphans(struct catalog *c, const char *reason,
                            int64_t end_us, char *err, size_t errlen);
/* Finished captures, newest first; user NULL = everyone's. */
json_t *catalog_finished_list(struct catalog *c, const char *user, char *err,
                              size_t errlen);
/* One capture by id (running or finished), or NULL (err empty when it
 * does not exist). */
json_t *catalog_capture_get(struct catalog *c, int64_t id, char *err,
                            size_t errlen);
/* Deletes the finished list (of one user, or everyone's); returns how many
 * went. */
int catalog_finished_clear(struct catalog *c, const char *user, char *err,
                           size_t errlen);

/* ---- stored files -------------------------------------------------------- */

int catalog_file_add(struct catalog *c, const char *path, int64_t capture_id,
                     const char *user, char *err, size_t errlen);
/* 1 and the owner (and capture id) when the file is known, 0 when not. */
int catalog_file_owner(struct catalog *c, const char *path, char *user,
                       size_t userlen, int64_t *capture_id, char *err,
                       size_t errlen);
int catalog_file_del(struct catalog *c, const char *path, char *err,
                     size_t errlen);

/* ---- recent filters and favourites --------------------------------------- */

/* Moves `filter` to the top of the user's recent list (no duplicates). */
int catalog_recent_use(struct catalog *c, const char *user, const char *filter,
                       char *err, size_t errlen);
/* [{filter, used_us}], most recent first. */
json_t *catalog_recent_list(struct catalog *c, const char *user, char *err,
                            size_t errlen);
int catalog_recent_clear(struct catalog *c, const char *user, char *err,
                         size_t errlen);

/* options: JSON object text of capture parameters (snaplen, profile...). */
int64_t catalog_favourite_add(struct catalog *c, const char *user,
                              const char *filter, const char *description,
                              const char *options, char *err, size_t errlen);
json_t *catalog_favourite_list(struct catalog *c, const char *user, char *err,
                               size_t errlen);
/* The favourite when it belongs to user (any user's when user is NULL). */
json_t *catalog_favourite_get(struct catalog *c, int64_t id, const char *user,
                              char *err, size_t errlen);
/* Sets description and options (NULL = keep); 0, or TRAWL_ENOENT. */
int catalog_favourite_update(struct catalog *c, int64_t id, const char *user,
                             const char *filter, const char *description,
                             const char *options, char *err, size_t errlen);
/* id 0 = all of the user's. Returns how many went. */
int catalog_favourite_del(struct catalog *c, int64_t id, const char *user,
                          char *err, size_t errlen);

/* ---- capture profiles ---------------------------------------------------- */

#define CATALOG_PROFILES_MAX 10

/* rules: JSON array text [{"expression": ..., "snaplen": N}]. Adding an
 * eleventh profile is refused with TRAWL_ERANGE, a taken name with
 * TRAWL_EBUSY. */
int64_t catalog_profile_add(struct catalog *c, const char *name,
                            const char *rules, char *err, size_t errlen);
int catalog_profile_update(struct catalog *c, int64_t id, const char *name,
                           const char *rules, char *err, size_t errlen);
int catalog_profile_del(struct catalog *c, int64_t id, char *err,
                        size_t errlen);
json_t *catalog_profile_list(struct catalog *c, char *err, size_t errlen);
/* By id, or by name when id is 0. */
json_t *catalog_profile_get(struct catalog *c, int64_t id, const char *name,
                            char *err, size_t errlen);

/* ---- settings ------------------------------------------------------------ */

/* The stored JSON value of a setting, or NULL when unset. */
json_t *catalog_setting_get(struct catalog *c, const char *key);
int catalog_setting_put(struct catalog *c, const char *key, const json_t *value,
                        char *err, size_t errlen);

/* ---- planned captures ---------------------------------------------------- */

struct cat_plan {
    int64_t id;
    const char *user, *name, *filter, *directory, *options; /* options: JSON */
    int64_t start_us, next_us;
    uint64_t duration_s, repeat_s;
    bool enabled;
};

int64_t catalog_plan_add(struct catalog *c, const struct cat_plan *p, char *err,
                         size_t errlen);
int catalog_plan_update(struct catalog *c, const struct cat_plan *p, char *err,
                        size_t errlen);
/* Moves a plan's next run (0 = no more runs: the plan is done). */
int catalog_plan_set_next(struct catalog *c, int64_t id, int64_t next_us,
                          char *err, size_t errlen);
int catalog_plan_del(struct catalog *c, int64_t id, const char *user, char *err,
                     size_t errlen);
/* user NULL = everyone's. Each plan carries its last runs. */
json_t *catalog_plan_list(struct catalog *c, const char *user, char *err,
                          size_t errlen);
json_t *catalog_plan_get(struct catalog *c, int64_t id, const char *user,
                         char *err, size_t errlen);
/* Enabled plans whose next run is due at now_us. */
json_t *catalog_plan_due(struct catalog *c, int64_t now_us, char *err,
                         size_t errlen);
/* Records what happened to one run: status "started", "late", "missed" or
 * "failed", with the capture's id when one started. */
int catalog_plan_run(struct catalog *c, int64_t plan_id, int64_t scheduled_us,
                     const char *status, int64_t capture_id, const char *detail,
                     char *err, size_t errlen);
json_t *catalog_plan_runs(struct catalog *c, int64_t plan_id, int limit,
                          char *err, size_t errlen);

#endif
