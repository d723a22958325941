/* The catalog: SQLite tables behind the daemon's users, capture history,
 * filters, favourites, profiles, plans and settings.
 *
 * Statements are prepared per call and bound through one small binder
 * (bind_all) that takes a type string, so every query reads as its SQL and
 * its arguments. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/catalog.h"
#include "server/util.h"

struct catalog {
    sqlite3 *db;
    char *path;
    /* Held across every statement sequence that must not interleave with
     * another thread's (insert then prune, read-modify-write). */
    pthread_mutex_t lock;
};

/* Version 1: the first schema. A later version adds its ALTERs below the
 * CREATEs and bumps the number. */
#define SCHEMA_VERSION 1

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS users("
    "  name TEXT PRIMARY KEY, role TEXT NOT NULL, hash TEXT NOT NULL,"
    "  created_us INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS captures("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, state TEXT NOT NULL,"
    "  user TEXT, client TEXT, type TEXT, mode TEXT, filter TEXT,"
    "  format TEXT, compression TEXT, profile TEXT, interfaces JSON,"
    "  snaplen INTEGER, plan_id INTEGER,"
    "  start_us INTEGER, end_us INTEGER,"
    "  received INTEGER DEFAULT 0, captured INTEGER DEFAULT 0,"
    "  ignored INTEGER DEFAULT 0, dropped INTEGER DEFAULT 0,"
    "  bytes INTEGER DEFAULT 0, captured_bytes INTEGER DEFAULT 0,"
    "  output_bytes INTEGER DEFAULT 0, end_reason TEXT, files JSON);"
    "CREATE INDEX IF NOT EXISTS captures_state ON captures(state, id);"
    "CREATE TABLE IF NOT EXISTS files("
    "  path TEXT PRIMARY KEY, capture_id INTEGER, user TEXT,"
    "  created_us INTEGER);"
    "CREATE TABLE IF NOT EXISTS recent_filters("
    "  user TEXT NOT NULL, filter TEXT NOT NULL, used_us INTEGER NOT NULL,"
    "  PRIMARY KEY(user, filter));"
    "CREATE TABLE IF NOT EXISTS favourites("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL,"
    "  filter TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',"
    "  options JSON, created_us INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS profiles("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,"
    "  rules JSON NOT NULL, created_us INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS settings(key TEXT PRIMARY KEY,"
    "  value JSON NOT NULL);"
    "CREATE TABLE IF NOT EXISTS plans("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL,"
    "  name TEXT NOT NULL DEFAULT '', filter TEXT NOT NULL DEFAULT '',"
    "  directory TEXT NOT NULL DEFAULT '', options JSON,"
    "  start_us INTEGER NOT NULL, duration_s INTEGER NOT NULL,"
    "  repeat_s INTEGER NOT NULL DEFAULT 0, enabled INTEGER NOT NULL,"
    "  next_us INTEGER, created_us INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS plan_runs("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, plan_id INTEGER NOT NULL,"
    "  scheduled_us INTEGER NOT NULL, recorded_us INTEGER NOT NULL,"
    "  status TEXT NOT NULL, capture_id INTEGER, detail TEXT);"
    "CREATE INDEX IF NOT EXISTS plan_runs_plan ON plan_runs(plan_id, id);";

static int db_err(struct catalog *c, char *err, size_t errlen, const char *op) {
    return util_err(err, errlen, TRAWL_EIO, "catalog %s: %s: %s", c->path, op,
                    sqlite3_errmsg(c->db));
}

/* Binds the arguments described by `types`, one letter each: t text (NULL
 * binds NULL), i int64_t, u uint64_t, b bool (int). */
static int bind_all(sqlite3_stmt *st, const char *types, va_list ap) {
    for (int i = 0; types[i]; i++) {
        int rc = SQLITE_OK, col = i + 1;
        switch (types[i]) {
        case 't': {
            const char *s = va_arg(ap, const char *);
            rc = s ? sqlite3_bind_text(st, col, s, -1, SQLITE_TRANSIENT)
                   : sqlite3_bind_null(st, col);
            break;
        }
        case 'i': rc = sqlite3_bind_int64(st, col, va_arg(ap, int64_t)); break;
        case 'u':
            rc = sqlite3_bind_int64(st, col, (int64_t)va_arg(ap, uint64_t));
            break;
        case 'b': rc = sqlite3_bind_int(st, col, va_arg(ap, int) != 0); break;
        default: return SQLITE_MISUSE;
        }
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

static sqlite3_stmt *prepare(struct catalog *c, const char *sql,
                             const char *types, va_list ap) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
        return NULL;
    if (bind_all(st, types, ap) != SQLITE_OK) {
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

/* Runs one statement that returns no rows; returns the number of rows it
 * changed, or a negative code. */
static int exec(struct catalog *c, char *err, size_t errlen, const char *op,
                const char *sql, const char *types, ...) {
    va_list ap;
    va_start(ap, types);
    sqlite3_stmt *st = prepare(c, sql, types, ap);
    va_end(ap);
    if (!st)
        return db_err(c, err, errlen, op);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT)
        return util_err(err, errlen, TRAWL_EBUSY, "%s: already exists", op);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db_err(c, err, errlen, op);
    return sqlite3_changes(c->db);
}

static json_t *column_json(sqlite3_stmt *st, int i) {
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(st, i));
    case SQLITE_FLOAT: return json_real(sqlite3_column_double(st, i));
    case SQLITE_NULL: return json_null();
    default: break;
    }
    const char *text = (const char *)sqlite3_column_text(st, i);
    const char *decl = sqlite3_column_decltype(st, i);
    if (decl && strcmp(decl, "JSON") == 0) {
        json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
        if (v)
            return v;
    }
    return json_string(text ? text : "");
}

/* Runs a query and returns its rows as an array of objects keyed by
 * column name (NULL on error, with the message in err). */
static json_t *query(struct catalog *c, char *err, size_t errlen,
                     const char *op, const char *sql, const char *types, ...) {
    va_list ap;
    va_start(ap, types);
    sqlite3_stmt *st = prepare(c, sql, types, ap);
    va_end(ap);
    if (!st) {
        db_err(c, err, errlen, op);
        return NULL;
    }
    json_t *rows = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *row = json_object();
        for (int i = 0; i < sqlite3_column_count(st); i++)
            json_object_set_new(row, sqlite3_column_name(st, i),
                                column_json(st, i));
        json_array_append_new(rows, row);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        json_decref(rows);
        db_err(c, err, errlen, op);
        return NULL;
    }
    return rows;
}

/* The first row of a query, or NULL (with err empty when there is none). */
static json_t *first_row(json_t *rows) {
    if (!rows)
        return NULL;
    json_t *row = json_array_get(rows, 0);
    json_incref(row);
    json_decref(rows);
    return row;
}

/* One integer from a single-value query, or `dflt`. */
static int64_t query_int(struct catalog *c, int64_t dflt, const char *sql,
                         const char *types, ...) {
    va_list ap;
    va_start(ap, types);
    sqlite3_stmt *st = prepare(c, sql, types, ap);
    va_end(ap);
    if (!st)
        return dflt;
    int64_t v = dflt;
    if (sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* A damaged catalog is refused at start-up rather than found out by the
 * first request that reads the damaged page, which would then fail (or
 * write over what could still be recovered). The check reads the whole
 * file once; a catalog holds a few hundred rows. */
static int check_integrity(struct catalog *c, char *err, size_t errlen) {
    sqlite3_stmt *st = NULL;
    char found[512] = "";
    int rc = sqlite3_prepare_v2(c->db, "PRAGMA quick_check(3)", -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *row = (const char *)sqlite3_column_text(st, 0);
        if (row && strcmp(row, "ok") != 0) {
            size_t n = strlen(found);
            snprintf(found + n, sizeof found - n, "%s%s", n ? "; " : "", row);
        }
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE && !found[0])
        snprintf(found, sizeof found, "%s", sqlite3_errmsg(c->db));
    sqlite3_finalize(st);
    if (!found[0])
        return 0;
    return util_err(err, errlen, TRAWL_EIO,
                    "catalog %s: damaged, or not an SQLite database (%s); "
                    "trawl serve will not start on it: move it aside to start "
                    "with an empty catalog (the files under captures/ are "
                    "kept) or restore it from a backup",
                    c->path, found);
}

int catalog_open(struct catalog **out, const char *path, char *err,
                 size_t errlen) {
    *out = NULL;
    struct catalog *c = calloc(1, sizeof *c);
    if (!c || !(c->path = strdup(path))) {
        free(c);
        return util_err(err, errlen, TRAWL_ENOMEM, "catalog: out of memory");
    }
    pthread_mutex_init(&c->lock, NULL);
    int rc = sqlite3_open_v2(path, &c->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                 SQLITE_OPEN_FULLMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        util_err(err, errlen, TRAWL_EIO, "catalog %s: cannot open: %s", path,
                 c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        catalog_close(c);
        return TRAWL_EIO;
    }
    /* The daemon and `trawl users` may use the file at the same time: WAL
     * lets readers and one writer proceed, and a writer waits rather than
     * failing while the other holds the lock. */
    sqlite3_busy_timeout(c->db, 5000);
    if (check_integrity(c, err, errlen) < 0) {
        catalog_close(c);
        return TRAWL_EIO;
    }
    char *msg = NULL;
    if (sqlite3_exec(c->db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     "PRAGMA foreign_keys=OFF;",
                     NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(c->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        util_err(err, errlen, TRAWL_EIO, "catalog %s: cannot set up: %s", path,
                 msg ? msg : sqlite3_errmsg(c->db));
        sqlite3_free(msg);
        catalog_close(c);
        return TRAWL_EIO;
    }
    int64_t v =
        query_int(c, 0, "SELECT value FROM meta WHERE key='schema'", "");
    if (v > SCHEMA_VERSION) {
        util_err(err, errlen, TRAWL_EUNSUPPORTED,
                 "catalog %s: schema version %lld is newer than this trawl "
                 "(%d)",
                 path, (long long)v, SCHEMA_VERSION);
        catalog_close(c);
        return TRAWL_EUNSUPPORTED;
    }
    exec(c, NULL, 0, "schema",
         "INSERT OR REPLACE INTO meta(key, value) VALUES('schema', ?)", "i",
         (int64_t)SCHEMA_VERSION);
    *out = c;
    return 0;
}

void catalog_close(struct catalog *c) {
    if (!c)
        return;
    if (c->db)
        sqlite3_close(c->db);
    pthread_mutex_destroy(&c->lock);
    free(c->path);
    free(c);
}

/* ---- users --------------------------------------------------------------- */

static void copy_str(char *dst, size_t n, const unsigned char *src) {
    snprintf(dst, n, "%s", src ? (const char *)src : "");
}

int catalog_user_get(struct catalog *c, const char *name, struct cat_user *out,
                     char *err, size_t errlen) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT name, role, hash FROM users WHERE name=?",
                           -1, &st, NULL) != SQLITE_OK)
        return db_err(c, err, errlen, "user lookup");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        copy_str(out->name, sizeof out->name, sqlite3_column_text(st, 0));
        copy_str(out->role, sizeof out->role, sqlite3_column_text(st, 1));
        copy_str(out->hash, sizeof out->hash, sqlite3_column_text(st, 2));
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return db_err(c, err, errlen, "user lookup");
}

int catalog_user_add(struct catalog *c, const char *name, const char *role,
                     const char *hash, char *err, size_t errlen) {
    int rc = exec(c, err, errlen, "add user",
                  "INSERT INTO users(name, role, hash, created_us) "
                  "VALUES(?, ?, ?, ?)",
                  "ttti", name, role, hash, util_now_us());
    if (rc == TRAWL_EBUSY)
        return util_err(err, errlen, TRAWL_EBUSY, "user '%s' already exists",
                        name);
    return rc < 0 ? rc : 0;
}

/* Whether removing admin rights from (or deleting) `name` would leave no
 * admin; the caller holds the lock. */
static bool last_admin(struct catalog *c, const char *name) {
    return query_int(c, 0,
                     "SELECT COUNT(*) FROM users WHERE role='admin' AND "
                     "name<>?",
                     "t", name) == 0 &&
           query_int(c, 0,
                     "SELECT COUNT(*) FROM users WHERE role='admin' AND "
                     "name=?",
                     "t", name) == 1;
}

int catalog_user_update(struct catalog *c, const char *name, const char *role,
                        const char *hash, char *err, size_t errlen) {
    pthread_mutex_lock(&c->lock);
    int rc;
    if (role && strcmp(role, "admin") != 0 && last_admin(c, name)) {
        rc = util_err(err, errlen, TRAWL_EBUSY,
                      "user '%s' is the last admin: make another admin first",
                      name);
        goto out;
    }
    rc = exec(c, err, errlen, "update user",
              "UPDATE users SET role=COALESCE(?, role), "
              "hash=COALESCE(?, hash) WHERE name=?",
              "ttt", role, hash, name);
    if (rc == 0)
        rc = util_err(err, errlen, TRAWL_ENOENT, "no user '%s'", name);
out:
    pthread_mutex_unlock(&c->lock);
    return rc < 0 ? rc : 0;
}

int catalog_user_del(struct catalog *c, const char *name, char *err,
                     size_t errlen) {
    pthread_mutex_lock(&c->lock);
    int rc;
    if (last_admin(c, name)) {
        rc =
            util_err(err, errlen, TRAWL_EBUSY,
                     "user '%s' is the last admin and cannot be deleted", name);
        goto out;
    }
    rc = exec(c, err, errlen, "delete user", "DELETE FROM users WHERE name=?",
              "t", name);
    if (rc == 0) {
        rc = util_err(err, errlen, TRAWL_ENOENT, "no user '%s'", name);
        goto out;
    }
    if (rc > 0) {
        exec(c, NULL, 0, "", "DELETE FROM recent_filters WHERE user=?", "t",
             name);
        exec(c, NULL, 0, "", "DELETE FROM favourites WHERE user=?", "t", name);
    }
out:
    pthread_mutex_unlock(&c->lock);
    return rc < 0 ? rc : 0;
}

json_t *catalog_user_list(struct catalog *c, char *err, size_t errlen) {
    return query(c, err, errlen, "list users",
                 "SELECT name, role, created_us FROM users ORDER BY name", "");
}

int64_t catalog_user_count(struct catalog *c) {
    return query_int(c, -1, "SELECT COUNT(*) FROM users", "");
}

/* ---- captures ------------------------------------------------------------ */

static const char capture_columns[] =
    "id, state, user, client, type, mode, filter, format, compression, "
    "profile, interfaces, snaplen, plan_id, start_us, end_us, received, "
    "captured, ignored, dropped, bytes, captured_bytes, output_bytes, "
    "end_reason, files";

int catalog_capture_begin(struct catalog *c, struct cat_capture *cap, char *err,
                          size_t errlen) {
    pthread_mutex_lock(&c->lock);
    int rc = exec(c, err, errlen, "record capture",
                  "INSERT INTO captures(state, user, client, type, mode, "
                  "filter, format, compression, profile, interfaces, snaplen, "
                  "plan_id, start_us) "
                  "VALUES('running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  "ttttttttt"
                  "iii",
                  cap->user, cap->client, cap->type, cap->mode, cap->filter,
                  cap->format, cap->compression, cap->profile, cap->interfaces,
                  (int64_t)cap->snaplen, cap->plan_id, cap->start_us);
    if (rc >= 0)
        cap->id = sqlite3_last_insert_rowid(c->db);
    pthread_mutex_unlock(&c->lock);
    return rc < 0 ? rc : 0;
}

int catalog_capture_update(struct catalog *c, const struct cat_capture *cap,
                           char *err, size_t errlen) {
    pthread_mutex_lock(&c->lock);
    int rc = exec(c, err, errlen, "update capture",
                  "UPDATE captures SET received=?, captured=?, ignored=?, "
                  "dropped=?, bytes=?, captured_bytes=?, output_bytes=?, "
                  "files=COALESCE(?, files), start_us=?, "
                  "end_us=?, end_reason=?, "
                  "state=CASE WHEN ? IS NULL THEN state ELSE 'finished' END "
                  "WHERE id=?",
                  "uuuuuuu"
                  "tii"
                  "tt"
                  "i",
                  cap->received, cap->captured, cap->ignored, cap->dropped,
                  cap->bytes, cap->captured_bytes, cap->output_bytes,
                  cap->files, cap->start_us, cap->end_us, cap->end_reason,
                  cap->end_reason, cap->id);
    if (rc >= 0 && cap->end_reason)
        exec(c, NULL, 0, "prune",
             "DELETE FROM captures WHERE state='finished' AND id NOT IN "
             "(SELECT id FROM captures WHERE state='finished' "
             "ORDER BY id DESC LIMIT ?)",
             "i", (int64_t)CATALOG_FINISHED_MAX);
    pthread_mutex_unlock(&c->lock);
    return rc < 0 ? rc : 0;
}

int catalog_capture_orphans(struct catalog *c, const char *reason,
                            int64_t end_us, char *err, size_t errlen) {
    return exec(c, err, errlen, "finish orphans",
                "UPDATE captures SET state='finished', end_reason=?, "
                "end_us=COALESCE(end_us, ?) WHERE state='running'",
                "ti", reason, end_us);
}

json_t *catalog_finished_list(struct catalog *c, const char *user, char *err,
                              size_t errlen) {
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT %s FROM captures WHERE state='finished' AND "
             "(? IS NULL OR user=?) ORDER BY id DESC LIMIT %d",
             capture_columns, CATALOG_FINISHED_MAX);
    return query(c, err, errlen, "list finished captures", sql, "tt", user,
                 user);
}

json_t *catalog_capture_get(struct catalog *c, int64_t id, char *err,
                            size_t errlen) {
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT %s FROM captures WHERE id=?",
             capture_columns);
    if (err && errlen)
        err[0] = '\0';
    return first_row(query(c, err, errlen, "get capture", sql, "i", id));
}

int catalog_finished_clear(struct catalog *c, const char *user, char *err,
                           size_t errlen) {
    return exec(c, err, errlen, "clear finished captures",
                "DELETE FROM captures WHERE state='finished' AND "
                "(? IS NULL OR user=?)",
                "tt", user, user);
}

/* ---- stored files -------------------------------------------------------- */

int catalog_file_add(struct catalog *c, const char *path, int64_t capture_id,
                     const char *user, char *err, size_t errlen) {
    int rc = exec(c, err, errlen, "record file",
                  "INSERT OR REPLACE INTO files(path, capture_id, user, "
                  "created_us) VALUES(?, ?, ?, ?)",
                  "titi", path, capture_id, user, util_now_us());
    return rc < 0 ? rc : 0;
}

int catalog_file_owner(struct catalog *c, const char *path, char *user,
                       size_t userlen, int64_t *capture_id, char *err,
                       size_t errlen) {
    json_t *row = first_row(query(c, err, errlen, "file owner",
                                  "SELECT user, capture_id FROM files "
                                  "WHERE path=?",
                                  "t", path));
    if (!row)
        return 0;
    snprintf(user, userlen, "%s",
             json_string_value(json_object_get(row, "user"))
                 ? json_string_value(json_object_get(row, "user"))
                 : "");
    if (capture_id)
        *capture_id = json_integer_value(json_object_get(row, "capture_id"));
    json_decref(row);
    return 1;
}

int catalog_file_del(struct catalog *c, const char *path, char *err,
                     size_t errlen) {
    int rc = exec(c, err, errlen, "forget file",
                  "DELETE FROM files WHERE path=?", "t", path);
    return rc < 0 ? rc : 0;
}

/* ---- recent filters and favourites --------------------------------------- */

int catalog_recent_use(struct catalog *c, const char *user, const char *filter,
                       char *err, size_t errlen) {
    pthread_mutex_lock(&c->lock);
    int rc = exec(c, err, errlen, "remember filter",
                  "INSERT INTO recent_filters(user, filter, used_us) "
                  "VALUES(?, ?, ?) ON CONFLICT(user, filter) DO UPDATE SET "
                  "used_us=excluded.used_us",
                  "tti", user, filter, util_now_us());
    if (rc >= 0)
        exec(c, NULL, 0, "prune filters",
             "DELETE FROM recent_filters WHERE user=? AND filter NOT IN "
             "(SELECT filter FROM recent_filters WHERE user=? "
             "ORDER BY used_us DESC LIMIT ?)",
             "tti", user, user, (int64_t)CATALOG_RECENT_MAX);
    pthread_mutex_unlock(&c->lock);
    return rc < 0 ? rc : 0;
}

json_t *catalog_recent_list(struct catalog *c, const char *user, char *err,
                            size_t errlen) {
    /* Filters used within one microsecond of each other keep the order in
     * which they were inserted. */
    return query(c, err, errlen, "list recent filters",
                 "SELECT filter, used_us FROM recent_filters WHERE user=? "
                 "ORDER BY used_us DESC, rowid DESC",
                 "t", user);
}

int catalog_recent_clear(struct catalog *c, const char *user, char *err,
                         size_t errlen) {
    return exec(c, err, errlen, "clear recent filters",
                "DELETE FROM recent_filters WHERE user=?", "t", user);
}

int64_t catalog_favourite_add(struct catalog *c, const char *user,
                              const char *filter, const char *description,
                              const char *options, char *err, size_t errlen) {
    pthread_mutex_lock(&c->lock);
    int rc = exec(c, err, errlen, "add favourite",
                  "INSERT INTO favourites(user, filter, description, options, "
                  "created_us) VALUES(?, ?, ?, ?, ?)",
                  "tttti", user, filter, description ? description : "",
                  options, util_now_us());
    int64_t id = rc < 0 ? rc : sqlite3_last_insert_rowid(c->db);
    pthread_mutex_unlock(&c->lock);
    return id;
}

json_t *catalog_favourite_list(struct catalog *c, const char *user, char *err,
                               size_t errlen) {
    return query(c, err, errlen, "list favourites",
                 "SELECT id, filter, description, options, created_us "
                 "FROM favourites WHERE user=? ORDER BY id",
                 "t", user);
}

json_t *catalog_favourite_get(struct catalog *c, int64_t id, const char *user,
                              char *err, size_t errlen) {
    if (err && errlen)
        err[0] = '\0';
    return first_row(query(c, err, errlen, "get favourite",
                           "SELECT id, user, filter, description, options, "
                           "created_us FROM favourites WHERE id=? AND "
                           "(? IS NULL OR user=?)",
                           "itt", id, user, user));
}

int catalog_favourite_update(struct catalog *c, int64_t id, const char *user,
                             const char *filter, const char *description,
                             const char *options, char *err, size_t errlen) {
    int rc = exec(c, err, errlen, "update favourite",
                  "UPDATE favourites SET filter=COALESCE(?, filter), "
                  "description=COALESCE(?, description), "
                  "options=COALESCE(?, options) WHERE id=? AND user=?",
                  "tttit", filter, description, options, id, user);
    if (rc == 0)
        return util_err(err, errlen, TRAWL_ENOENT, "no favourite %lld",
                        (long long)id);
    return rc < 0 ? rc : 0;
}

int catalog_favourite_del(struct catalog *c, int64_t id, const char *user,
                          char *err, size_t errlen) {
    return exec(c, err, errlen, "delete favourites",
                "DELETE FROM favourites WHERE user=? AND (?=0 OR id=?)", "tii",
                user, id, id);
}

/* ---- capture profiles ---------------------------------------------------- */

int64_t catalog_profile_add(struct catalog *c, const char *name,
                            const char *rules, char *err, size_t errlen) {
    pthread_mutex_lock(&c->lock);
    int64_t id;
    if (query_int(c, 0, "SELECT COUNT(*) FROM profiles", "") >=
        CATALOG_PROFILES_MAX) {
        id = util_err(err, errlen, TRAWL_ERANGE,
                      "there are already %d capture profiles, the most there "
                      "can be: delete one first",
                      CATALOG_PROFILES_MAX);
        goto out;
    }
    int rc = exec(c, err, errlen, "add profile",
                  "INSERT INTO profiles(name, rules, created_us) "
                  "VALUES(?, ?, ?)",
                  "tti", name, rules, util_now_us());
    if (rc == TRAWL_EBUSY)
        rc = util_err(err, errlen, TRAWL_EBUSY,
                      "a capture profile named '%s' already exists", name);
    id = rc < 0 ? rc : sqlite3_last_insert_rowid(c->db);
out:
    pthread_mutex_unlock(&c->lock);
    return id;
}

int catalog_profile_update(struct catalog *c, int64_t id, const char *name,
                           const char *rules, char *err, size_t errlen) {
    int rc = exec(c, err, errlen, "update profile",
                  "UPDATE profiles SET name=COALESCE(?, name), "
                  "rules=COALESCE(?, rules) WHERE id=?",
                  "tti", name, rules, id);
    if (rc == TRAWL_EBUSY)
        return util_err(err, errlen, TRAWL_EBUSY,
                        "a capture profile named '%s' already exists", name);
    if (rc == 0)
        return util_err(err, errlen, TRAWL_ENOENT, "no capture profile %lld",
                        (long long)id);
    return rc < 0 ? rc : 0;
}

int catalog_profile_del(struct catalog *c, int64_t id, char *err,
                        size_t errlen) {
    int rc = exec(c, err, errlen, "delete profile",
                  "DELETE FROM profiles WHERE id=?", "i", id);
    if (rc == 0)
        return util_err(err, errlen, TRAWL_ENOENT, "no capture profile %lld",
                        (long long)id);
    return rc < 0 ? rc : 0;
}

json_t *catalog_profile_list(struct catalog *c, char *err, size_t errlen) {
    return query(c, err, errlen, "list profiles",
                 "SELECT id, name, rules, created_us FROM profiles ORDER BY id",
                 "");
}

json_t *catalog_profile_get(struct catalog *c, int64_t id, const char *name,
                            char *err, size_t errlen) {
    if (err && errlen)
        err[0] = '\0';
    return first_row(query(c, err, errlen, "get profile",
                           "SELECT id, name, rules, created_us FROM profiles "
                           "WHERE (?<>0 AND id=?) OR (?=0 AND name=?)",
                           "iiit", id, id, id, name ? name : ""));
}

/* ---- settings ------------------------------------------------------------ */

json_t *catalog_setting_get(struct catalog *c, const char *key) {
    json_t *row =
        first_row(query(c, NULL, 0, "get setting",
                        "SELECT value FROM settings WHERE key=?", "t", key));
    if (!row)
        return NULL;
    json_t *v = json_object_get(row, "value");
    json_incref(v);
    json_decref(row);
    return v;
}

int catalog_setting_put(struct catalog *c, const char *key, const json_t *value,
                        char *err, size_t errlen) {
    char *text = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!text)
        return util_err(err, errlen, TRAWL_ENOMEM, "setting %s: out of memory",
                        key);
    int rc = exec(c, err, errlen, "save setting",
                  "INSERT OR REPLACE INTO settings(key, value) VALUES(?, ?)",
                  "tt", key, text);
    free(text);
    return rc < 0 ? rc : 0;
}

/* ---- planned captures ---------------------------------------------------- */

int64_t catalog_plan_add(struct catalog *c, const struct cat_plan *p, char *err,
                         size_t errlen) {
    pthread_mutex_lock(&c->lock);
    int rc = exec(c, err, errlen, "add plan",
                  "INSERT INTO plans(user, name, filter, directory, options, "
                  "start_us, duration_s, repeat_s, enabled, next_us, "
                  "created_us) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  "ttttt"
                  "iuub"
                  "ii",
                  p->user, p->name, p->filter, p->directory, p->options,
                  p->start_us, p->duration_s, p->repeat_s, (int)p->enabled,
                  p->next_us, util_now_us());
    int64_t id = rc < 0 ? rc : sqlite3_last_insert_rowid(c->db);
    pthread_mutex_unlock(&c->lock);
    return id;
}

int catalog_plan_update(struct catalog *c, const struct cat_plan *p, char *err,
                        size_t errlen) {
    int rc =
        exec(c, err, errlen, "update plan",
             "UPDATE plans SET name=?, filter=?, directory=?, options=?, "
             "start_us=?, duration_s=?, repeat_s=?, enabled=?, next_us=? "
             "WHERE id=?",
             "tttt"
             "iuub"
             "ii",
             p->name, p->filter, p->directory, p->options, p->start_us,
             p->duration_s, p->repeat_s, (int)p->enabled, p->next_us, p->id);
    if (rc == 0)
        return util_err(err, errlen, TRAWL_ENOENT, "no plan %lld",
                        (long long)p->id);
    return rc < 0 ? rc : 0;
}

int catalog_plan_set_next(struct catalog *c, int64_t id, int64_t next_us,
                          char *err, size_t errlen) {
    int rc = exec(c, err, errlen, "schedule plan",
                  "UPDATE plans SET next_us=?, enabled=CASE WHEN ?=0 THEN 0 "
                  "ELSE enabled END WHERE id=?",
                  "iii", next_us, next_us, id);
    return rc < 0 ? rc : 0;
}

int catalog_plan_del(struct catalog *c, int64_t id, const char *user, char *err,
                     size_t errlen) {
    int rc = exec(c, err, errlen, "delete plan",
                  "DELETE FROM plans WHERE id=? AND (? IS NULL OR user=?)",
                  "itt", id, user, user);
    if (rc == 0)
        return util_err(err, errlen, TRAWL_ENOENT, "no plan %lld",
                        (long long)id);
    if (rc > 0)
        exec(c, NULL, 0, "", "DELETE FROM plan_runs WHERE plan_id=?", "i", id);
    return rc < 0 ? rc : 0;
}

static const char plan_columns[] =
    "id, user, name, filter, directory, options, start_us, duration_s, "
    "repeat_s, enabled, next_us, created_us";

/* Adds each plan's last runs and how many runs it missed. */
static json_t *with_runs(struct catalog *c, json_t *plans) {
    size_t i;
    json_t *p;
    json_array_foreach(plans, i, p) {
        int64_t id = json_integer_value(json_object_get(p, "id"));
        json_t *runs = catalog_plan_runs(c, id, 10, NULL, 0);
        json_object_set_new(p, "runs", runs ? runs : json_array());
        json_object_set_new(
            p, "missed",
            json_integer(query_int(c, 0,
                                   "SELECT COUNT(*) FROM plan_runs WHERE "
                                   "plan_id=? AND status='missed'",
                                   "i", id)));
    }
    return plans;
}

json_t *catalog_plan_list(struct catalog *c, const char *user, char *err,
                          size_t errlen) {
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT %s FROM plans WHERE (? IS NULL OR user=?) ORDER BY id",
             plan_columns);
    json_t *rows = query(c, err, errlen, "list plans", sql, "tt", user, user);
    return rows ? with_runs(c, rows) : NULL;
}

json_t *catalog_plan_get(struct catalog *c, int64_t id, const char *user,
                         char *err, size_t errlen) {
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT %s FROM plans WHERE id=? AND (? IS NULL OR user=?)",
             plan_columns);
    if (err && errlen)
        err[0] = '\0';
    json_t *rows =
        query(c, err, errlen, "get plan", sql, "itt", id, user, user);
    return first_row(rows ? with_runs(c, rows) : NULL);
}

json_t *catalog_plan_due(struct catalog *c, int64_t now_us, char *err,
                         size_t errlen) {
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT %s FROM plans WHERE enabled=1 AND next_us IS NOT NULL "
             "AND next_us<=? ORDER BY next_us",
             plan_columns);
    return query(c, err, errlen, "due plans", sql, "i", now_us);
}

int catalog_plan_run(struct catalog *c, int64_t plan_id, int64_t scheduled_us,
                     const char *status, int64_t capture_id, const char *detail,
                     char *err, size_t errlen) {
    int rc = exec(c, err, errlen, "record plan run",
                  "INSERT INTO plan_runs(plan_id, scheduled_us, recorded_us, "
                  "status, capture_id, detail) VALUES(?, ?, ?, ?, ?, ?)",
                  "iiitit", plan_id, scheduled_us, util_now_us(), status,
                  capture_id, detail);
    if (rc >= 0)
        exec(c, NULL, 0, "prune runs",
             "DELETE FROM plan_runs WHERE plan_id=? AND id NOT IN "
             "(SELECT id FROM plan_runs WHERE plan_id=? ORDER BY id DESC "
             "LIMIT 100)",
             "ii", plan_id, plan_id);
    return rc < 0 ? rc : 0;
}

json_t *catalog_plan_runs(struct catalog *c, int64_t plan_id, int limit,
                          char *err, size_t errlen) {
    return query(c, err, errlen, "list plan runs",
                 "SELECT scheduled_us, recorded_us, status, capture_id, detail "
                 "FROM plan_runs WHERE plan_id=? ORDER BY id DESC LIMIT ?",
                 "ii", plan_id, (int64_t)limit);
}
