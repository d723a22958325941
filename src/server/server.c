/* `trawl serve`: setting the daemon up, running it until a signal, and
 * shutting it down so that nothing a user would miss is lost. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "server/http.h"
#include "server/ports.h"
#include "server/scheduler.h"
#include "server/server.h"
#include "server/util.h"

/* How long shutdown waits for captures to finish their files and
 * downloads before it closes what is left. */
#define SHUTDOWN_WAIT_MS 10000

void srv_log(struct srv *srv, const char *fmt, ...) {
    (void)srv;
    char msg[2048], stamp[48];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    util_iso_time(util_now_us(), stamp, sizeof stamp);
    fprintf(stderr, "%s trawl serve: %s\n", stamp, msg);
}

int srv_default_data_dir(char *out, size_t n, char *err, size_t errlen) {
    if (geteuid() == 0) {
        snprintf(out, n, "/var/lib/trawl");
        return 0;
    }
    const char *state = getenv("XDG_STATE_HOME");
    if (state && state[0] == '/') {
        snprintf(out, n, "%s/trawl", state);
        return 0;
    }
    const char *home = getenv("HOME");
    if (!home || home[0] != '/') {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : NULL;
    }
    if (!home)
        return util_err(err, errlen, TRAWL_EINVAL,
                        "no home directory to keep state in: give --data-dir");
    snprintf(out, n, "%s/.local/state/trawl", home);
    return 0;
}

int srv_make_dirs(const char *dir, char *err, size_t errlen) {
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return util_err(err, errlen, TRAWL_EINVAL, "%s: path too long", dir);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0700) < 0 && errno != EEXIST)
            return util_err(err, errlen, TRAWL_EIO, "%s: cannot create: %s",
                            path, strerror(errno));
        *p = '/';
    }
    if (mkdir(path, 0700) < 0 && errno != EEXIST)
        return util_err(err, errlen, TRAWL_EIO, "%s: cannot create: %s", path,
                        strerror(errno));
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
        return util_err(err, errlen, TRAWL_EIO, "%s: not a directory", path);
    return 0;
}

/* The first line of a file, without its line end. */
static int read_password_file(const char *path, char *out, size_t n, char *err,
                              size_t errlen) {
    FILE *f = fopen(path, "re");
    if (!f)
        return util_err(err, errlen, TRAWL_EIO, "%s: cannot read: %s", path,
                        strerror(errno));
    if (!fgets(out, (int)n, f))
        out[0] = '\0';
    fclose(f);
    out[strcspn(out, "\r\n")] = '\0';
    if (strlen(out) < 8)
        return util_err(err, errlen, TRAWL_EINVAL,
                        "%s: the admin password must have at least 8 "
                        "characters",
                        path);
    return 0;
}

/* An empty catalog gets its first user, admin, with the password from
 * --admin-password-file or a random one shown once. */
static int first_admin(struct srv *srv, char *shown, size_t shownlen, char *err,
                       size_t errlen) {
    shown[0] = '\0';
    if (catalog_user_count(srv->cat) != 0)
        return 0;
    char pw[1100];
    int rc;
    if (srv->opt.admin_password_file) {
        rc = read_password_file(srv->opt.admin_password_file, pw, sizeof pw,
                                err, errlen);
        if (rc < 0)
            return rc;
    } else if (shownlen < 21 || !auth_random_password(shown, 21)) {
        return util_err(err, errlen, TRAWL_EIO,
                        "cannot make a random password");
    } else {
        memcpy(pw, shown, 21);
    }
    char hash[256];
    rc = auth_hash(pw, hash, sizeof hash, err, errlen);
    explicit_bzero(pw, sizeof pw);
    if (rc == 0)
        rc = catalog_user_add(srv->cat, "admin", "admin", hash, err, errlen);
    return rc;
}

static void hub_logger(void *ctx, const char *msg) {
    srv_log(ctx, "%s", msg);
}

static int open_source(struct srv *srv, struct source **src, char *err,
                       size_t errlen) {
    if (srv->opt.replay) {
        struct source_replay_options ro = {
            .path = srv->opt.replay,
            .speed = srv->opt.speed,
            .loop = srv->opt.loop,
            .original_times = srv->opt.original_times,
        };
        return source_replay_open(src, &ro, err, errlen);
    }
    return source_live_open(src, srv->opt.ifaces, srv->opt.nifaces, err,
                            errlen);
}

/* A port capturer for each interface of the live source. */
static int open_ports(struct srv *srv, char *err, size_t errlen) {
    size_t n = hub_iface_count(srv->hub);
    const char **names = calloc(n ? n : 1, sizeof *names);
    if (!names)
        return util_err(err, errlen, TRAWL_ENOMEM, "ports: out of memory");
    for (size_t i = 0; i < n; i++) {
        const struct trawl_iface *ifc = hub_iface(srv->hub, (uint32_t)i);
        names[i] = ifc && ifc->name ? ifc->name : "?";
    }
    int rc = ports_new(&srv->ports, names, n, err, errlen);
    free(names);
    return rc;
}

/* One daemon per data dir: a second one would take the first's running
 * captures for those of a daemon that died, and both would write the
 * same files. The lock is the kernel's, so it goes with the process
 * however that ends; the file says who holds it. */
static int lock_data_dir(struct srv *srv, char *err, size_t errlen) {
    char path[PATH_MAX + 8];
    snprintf(path, sizeof path, "%s/lock", srv->data_dir);
    srv->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (srv->lock_fd < 0)
        return util_err(err, errlen, TRAWL_EIO, "%s: %s", path,
                        strerror(errno));
    if (flock(srv->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        int e = errno;
        char pid[32] = "";
        ssize_t n = pread(srv->lock_fd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        if (e == EWOULDBLOCK)
            return util_err(
                err, errlen, TRAWL_EBUSY,
                "data dir %s is in use by another trawl serve%s%s%s "
                "(give this one its own --data-dir)",
                srv->data_dir, pid[0] ? " (pid " : "", pid, pid[0] ? ")" : "");
        return util_err(err, errlen, TRAWL_EIO, "%s: cannot lock: %s", path,
                        strerror(e));
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(srv->lock_fd, 0) < 0 ||
        pwrite(srv->lock_fd, pid, (size_t)n, 0) != n)
        return util_err(err, errlen, TRAWL_EIO, "%s: %s", path,
                        strerror(errno));
    return 0;
}

static int setup(struct srv *srv, char *shown, size_t shownlen, char *err,
                 size_t errlen) {
    if (srv->opt.data_dir)
        snprintf(srv->data_dir, sizeof srv->data_dir, "%s", srv->opt.data_dir);
    else if (srv_default_data_dir(srv->data_dir, sizeof srv->data_dir, err,
                                  errlen) < 0)
        return TRAWL_EINVAL;
    if (snprintf(srv->store_dir, sizeof srv->store_dir, "%s/captures",
                 srv->data_dir) >= (int)sizeof srv->store_dir)
        return util_err(err, errlen, TRAWL_EINVAL, "%s: path too long",
                        srv->data_dir);
    int rc = srv_make_dirs(srv->data_dir, err, errlen);
    if (rc == 0)
        rc = srv_make_dirs(srv->store_dir, err, errlen);
    if (rc == 0)
        rc = lock_data_dir(srv, err, errlen);
    if (rc < 0)
        return rc;
    srv->store_fd = open(srv->store_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (srv->store_fd < 0)
        return util_err(err, errlen, TRAWL_EIO, "%s: %s", srv->store_dir,
                        strerror(errno));
    char db[PATH_MAX + 16];
    snprintf(db, sizeof db, "%s/catalog.db", srv->data_dir);
    if ((rc = catalog_open(&srv->cat, db, err, errlen)) < 0)
        return rc;
    int orphans = catalog_capture_orphans(
        srv->cat,
        "daemon stopped unexpectedly (killed or crashed); counters as of its "
        "last checkpoint",
        util_now_us(), NULL, 0);
    if (orphans > 0)
        srv_log(srv,
                "%d capture(s) were still running when the daemon "
                "before this one stopped; recorded them as finished",
                orphans);
    if ((rc = first_admin(srv, shown, shownlen, err, errlen)) < 0 ||
        (rc = auth_new(&srv->auth, srv->cat, err, errlen)) < 0)
        return rc;
    settings_init(&srv->settings, srv->cat);
    struct source *src;
    if ((rc = open_source(srv, &src, err, errlen)) < 0)
        return rc;
    if ((rc = hub_new(&srv->hub, src, srv->opt.replay_clients, hub_logger, srv,
                      err, errlen)) < 0) {
        source_close(src);
        return rc;
    }
    if ((rc = hub_start(srv->hub, err, errlen)) < 0)
        return rc;
    if (!srv->opt.replay && (rc = open_ports(srv, err, errlen)) < 0)
        return rc;
    struct http_options ho = {
        .listen = srv->opt.listen ? srv->opt.listen : "127.0.0.1:8080",
        .tls_cert = srv->opt.tls_cert,
        .tls_key = srv->opt.tls_key,
    };
    if ((rc = http_start(&srv->http, srv, &ho, srv->url, sizeof srv->url, err,
                         errlen)) < 0)
        return rc;
    /* A download over a captured interface must not capture itself. */
    const char *colon = strrchr(srv->url, ':');
    unsigned port = colon ? (unsigned)atoi(colon + 1) : 0;
    if (src->ops->exclude_port && port &&
        (rc = src->ops->exclude_port(src, port, err, errlen)) < 0)
        return rc;
    return sched_start(&srv->sched, srv, err, errlen);
}

static void teardown(struct srv *srv) {
    atomic_store(&srv->stopping, true);
    sched_stop(srv->sched);
    srv->sched = NULL;
    if (srv->hub) {
        hub_end_all(srv->hub, SESSION_END_SHUTDOWN, NULL);
        uint64_t until = util_mono_ms() + SHUTDOWN_WAIT_MS;
        while (hub_count(srv->hub) > 0 && util_mono_ms() < until) {
            struct timespec ts = {.tv_nsec = 50 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    /* Downloads still being sent are cut off here; their captures finish
     * as MHD lets go of them. */
    http_stop(srv->http);
    srv->http = NULL;
    ports_free(srv->ports);
    srv->ports = NULL;
    if (srv->hub) {
        uint64_t until = util_mono_ms() + SHUTDOWN_WAIT_MS;
        while (hub_count(srv->hub) > 0 && util_mono_ms() < until) {
            struct timespec ts = {.tv_nsec = 50 * 1000000L};
            nanosleep(&ts, NULL);
        }
        if (hub_count(srv->hub) > 0)
            srv_log(srv, "%zu capture(s) did not finish in time",
                    hub_count(srv->hub));
    }
    hub_free(srv->hub);
    srv->hub = NULL;
    auth_free(srv->auth);
    if (srv->cat)
        settings_destroy(&srv->settings);
    catalog_close(srv->cat);
    if (srv->store_fd >= 0)
        close(srv->store_fd);
    if (srv->lock_fd >= 0)
        close(srv->lock_fd);
    pthread_mutex_destroy(&srv->start_lock);
}

int srv_run(const struct srv_options *o) {
    struct srv *srv = calloc(1, sizeof *srv);
    if (!srv) {
        fprintf(stderr, "trawl serve: out of memory\n");
        return 1;
    }
    srv->opt = *o;
    srv->store_fd = -1;
    srv->lock_fd = -1;
    pthread_mutex_init(&srv->start_lock, NULL);
    /* Every thread starts with these signals blocked, so that only the
     * main thread's sigwait() sees them; a client hanging up is an error
     * on its socket, not a SIGPIPE. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[TRAWL_ERRBUF_SIZE * 2], shown[64];
    if (setup(srv, shown, sizeof shown, err, sizeof err) < 0) {
        fprintf(stderr, "trawl serve: %s\n", err);
        teardown(srv);
        free(srv);
        return 1;
    }
    const struct source *src = hub_source(srv->hub);
    printf("trawl serve: listening on %s/ (%s)\n", srv->url, src->describe);
    printf("  data:    %s\n", srv->data_dir);
    if (shown[0])
        printf("  created user admin with password %s\n"
               "           (shown only this once; change it with 'trawl users "
               "passwd admin --data-dir %s')\n",
               shown, srv->data_dir);
    printf("  log in:  curl -u admin:PASSWORD %s/api/v1/status\n", srv->url);
    printf("  capture: curl -u admin:PASSWORD -o capture.pcapng "
           "'%s/api/v1/captures/download?duration_s=10'\n",
           srv->url);
    printf("  API:     %s/docs/api.md\n", srv->url);
    fflush(stdout);
    explicit_bzero(shown, sizeof shown);

    int sig = 0;
    while (sigwait(&sigs, &sig) != 0 || sig == SIGHUP)
        ;
    srv_log(srv, "signal %d: shutting down", sig);
    teardown(srv);
    srv_log(srv, "stopped");
    free(srv);
    return 0;
}
