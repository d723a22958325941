/* server — `trawl serve`: the capture daemon.
 *
 * struct srv ties the modules together: the catalog (state on disk), auth,
 * settings, the hub with its source and sessions, the scheduler of planned
 * captures, storage, metrics, and the HTTP front end. Every module takes
 * the srv it belongs to; nothing here is global. */
#ifndef TRAWL_SERVER_SERVER_H
#define TRAWL_SERVER_SERVER_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "server/auth.h"
#include "server/catalog.h"
#include "server/hub.h"
#include "server/metrics.h"
#include "server/settings.h"

struct srv_options {
    const char *listen;        /* "ADDR:PORT"; NULL = 127.0.0.1:8080 */
    const char *data_dir;      /* NULL = srv_default_data_dir() */
    const char *const *ifaces; /* live capture on these (NULL = every one) */
    size_t nifaces;
    const char *replay; /* a trace to replay instead of live capture */
    double speed;       /* replay speed factor, 0 = max */
    bool loop;
    bool original_times;
    unsigned replay_clients; /* a replay pass waits for this many captures */
    const char *tls_cert, *tls_key;
    const char *admin_password_file;
};

struct sched;
struct http;
struct ports;

struct srv {
    struct srv_options opt;
    char data_dir[PATH_MAX];
    char store_dir[PATH_MAX]; /* disk captures: data_dir/captures */
    int store_fd;             /* an O_PATH descriptor of store_dir */
    int lock_fd;              /* data_dir/lock, flock()ed while we run */
    struct catalog *cat;
    struct auth *auth;
    struct settings settings;
    struct hub *hub;
    struct sched *sched;
    struct http *http;
    struct ports *ports; /* Xena's port capturers; NULL when replaying */
    struct metrics metrics;
    /* Held while a capture is checked, recorded and registered, so that
     * two starts cannot both take the last free slot. */
    pthread_mutex_t start_lock;
    _Atomic bool stopping;
    char url[160];
};

/* Runs the daemon until SIGINT or SIGTERM; returns the exit status. */
int srv_run(const struct srv_options *o);

/* The data dir when none is given: /var/lib/trawl for root, else
 * $XDG_STATE_HOME/trawl or ~/.local/state/trawl. */
int srv_default_data_dir(char *out, size_t n, char *err, size_t errlen);
/* Creates dir (and its parents) with mode 0700 when missing. */
int srv_make_dirs(const char *dir, char *err, size_t errlen);

/* One line on standard error, with the time. */
void srv_log(struct srv *srv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
