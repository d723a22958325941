/* The writer's guard: starting it (guard_start, in the writer's process)
 * and being it (guard_run, in the program executed again). See guard.h
 * for why it exists. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"
#include "format/guard.h"
#include "trawl/packet.h"

/* The environment variable that makes a program a guard, and the
 * descriptors it finds its file and its pipe on. */
#define GUARD_ENV "TRAWL_GUARD"
#define GUARD_FILE_FD 3
#define GUARD_PIPE_FD 4

#define PCAP_FILE_HDR_LEN 24
#define PCAP_REC_HDR_LEN 16

extern char **environ;

uint64_t guard_whole_end(int fd, enum guard_format fmt, uint64_t from,
                         uint64_t size) {
    uint64_t pos = from;
    if (fmt == GUARD_PCAP && pos == 0) {
        if (size < PCAP_FILE_HDR_LEN)
            return 0;
        pos = PCAP_FILE_HDR_LEN;
    }
    uint8_t h[PCAP_REC_HDR_LEN];
    while (pos < size) {
        uint64_t left = size - pos, len;
        if (fmt == GUARD_PCAP) {
            if (left < PCAP_REC_HDR_LEN ||
                pread(fd, h, PCAP_REC_HDR_LEN, (off_t)pos) != PCAP_REC_HDR_LEN)
                break;
            uint32_t caplen = core_le32(h + 8);
            if (caplen > TRAWL_MAX_CAPLEN)
                break;
            len = PCAP_REC_HDR_LEN + (uint64_t)caplen;
        } else {
            if (left < 12 || pread(fd, h, 8, (off_t)pos) != 8)
                break;
            len = core_le32(h + 4);
            if (len < 12 || len % 4)
                break;
        }
        if (len > left)
            break;
        pos += len;
    }
    return pos;
}

/* ---- the guard itself ---------------------------------------------------- */

/* Runs in the program executed again: waits for the pipe to end, then
 * cuts the file after its last whole record. Never returns. */
static _Noreturn void guard_run(const char *fmt_name) {
    enum guard_format fmt =
        strcmp(fmt_name, "pcap") == 0 ? GUARD_PCAP : GUARD_PCAPNG;
    /* Terminal signals are for the writer, which closes the file itself;
     * the guard must outlive it. */
    static const int ignored[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT,
                                  SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE};
    for (size_t i = 0; i < TRAWL_ARRAY_LEN(ignored); i++)
        signal(ignored[i], SIG_IGN);
    uint64_t whole = 0;
    uint8_t msg[8];
    size_t have = 0;
    for (;;) {
        ssize_t r = read(GUARD_PIPE_FD, msg + have, sizeof msg - have);
        if (r > 0) {
            have += (size_t)r;
            if (have == sizeof msg) {
                whole = core_le64(msg);
                have = 0;
            }
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        break; /* the writer is done, or gone */
    }
    /* The writer's descriptor may be O_DIRECT, which wants aligned reads;
     * the same file opened again through /proc has its own flags. */
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", GUARD_FILE_FD);
    int rfd = open(self, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (rfd >= 0 && fstat(rfd, &st) == 0 && S_ISREG(st.st_mode)) {
        uint64_t size = (uint64_t)st.st_size;
        uint64_t end = guard_whole_end(rfd, fmt, whole <= size ? whole : 0,
                                       size);
        if (end < size && ftruncate(GUARD_FILE_FD, (off_t)end) < 0)
            _exit(1);
    }
    _exit(0);
}

/* Every program linked with libtrawl can be a guard: when started with
 * TRAWL_GUARD set, it guards instead of running its main(). */
__attribute__((constructor)) static void guard_entry(void) {
    const char *v = getenv(GUARD_ENV);
    if (!v)
        return;
    /* Started by guard_start() or not, a program with the variable set
     * never runs its main(): it guards what it was given, or, when its
     * descriptors are not a file and a pipe, does nothing. */
    struct stat f, p;
    if ((strcmp(v, "pcap") == 0 || strcmp(v, "pcapng") == 0) &&
        fstat(GUARD_FILE_FD, &f) == 0 && S_ISREG(f.st_mode) &&
        fstat(GUARD_PIPE_FD, &p) == 0 && S_ISFIFO(p.st_mode))
        guard_run(v);
    _exit(2);
}

/* ---- starting and stopping it -------------------------------------------- */

/* The writer's environment with GUARD_ENV=fmt in front; malloc'ed. */
static char **guard_environ(const char *setting) {
    size_t n = 0;
    while (environ && environ[n])
        n++;
    char **env = calloc(n + 2, sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    env[k++] = (char *)setting;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], GUARD_ENV "=", sizeof GUARD_ENV) != 0)
            env[k++] = environ[i];
    env[k] = NULL;
    return env;
}

int guard_start(struct format_guard *g, int fd, enum guard_format fmt,
                char *err, size_t errlen) {
    g->pid = 0;
    g->pipe_w = -1;
    int p[2] = {-1, -1};
    int fd_copy = -1, pipe_copy = -1;
    char **env = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    bool fa_ok = false, at_ok = false;
    int e = 0;
    const char *what = "pipe";
    if (pipe2(p, O_CLOEXEC) < 0) {
        e = errno;
        goto fail;
    }
    /* Copies above the guard's fixed descriptors, so that the dup2s in
     * the child cannot overwrite one with the other. */
    what = "fcntl";
    fd_copy = fcntl(fd, F_DUPFD_CLOEXEC, 10);
    pipe_copy = fcntl(p[0], F_DUPFD_CLOEXEC, 10);
    if (fd_copy < 0 || pipe_copy < 0) {
        e = errno;
        goto fail;
    }
    /* Publishing never blocks the writer. */
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    what = "out of memory";
    env = guard_environ(fmt == GUARD_PCAP ? GUARD_ENV "=pcap"
                                          : GUARD_ENV "=pcapng");
    if (!env) {
        e = ENOMEM;
        goto fail;
    }
    what = "posix_spawn";
    if ((e = posix_spawn_file_actions_init(&fa)) != 0)
        goto fail;
    fa_ok = true;
    /* No terminal input or output: a guard needs neither, and a program
     * that links libtrawl only later (an interpreter loading it as a
     * module) never becomes a guard — it then finds an empty standard
     * input and ends at once instead of waiting at a prompt, and the file
     * simply has no guard. */
    if ((e = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
                                              0)) ||
        (e = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY,
                                              0)) ||
        (e = posix_spawn_file_actions_adddup2(&fa, fd_copy, GUARD_FILE_FD)) ||
        (e = posix_spawn_file_actions_adddup2(&fa, pipe_copy,
                                              GUARD_PIPE_FD)) ||
        (e = posix_spawn_file_actions_addclosefrom_np(&fa, GUARD_PIPE_FD + 1)))
        goto fail;
    if ((e = posix_spawnattr_init(&at)) != 0)
        goto fail;
    at_ok = true;
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    /* Its own process group, no blocked signals, default dispositions. */
    if ((e = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
                                               POSIX_SPAWN_SETSIGMASK |
                                               POSIX_SPAWN_SETSIGDEF)) ||
        (e = posix_spawnattr_setpgroup(&at, 0)) ||
        (e = posix_spawnattr_setsigmask(&at, &none)) ||
        (e = posix_spawnattr_setsigdefault(&at, &all)))
        goto fail;
    char *argv[] = {"trawl-guard", NULL};
    pid_t pid;
    e = posix_spawn(&pid, "/proc/self/exe", &fa, &at, argv, env);
    if (e)
        goto fail;
    g->pid = pid;
    g->pipe_w = p[1];
    p[1] = -1;
fail:
    if (fa_ok)
        posix_spawn_file_actions_destroy(&fa);
    if (at_ok)
        posix_spawnattr_destroy(&at);
    free(env);
    for (int i = 0; i < 2; i++)
        if (p[i] >= 0)
            close(p[i]);
    if (fd_copy >= 0)
        close(fd_copy);
    if (pipe_copy >= 0)
        close(pipe_copy);
    if (!g->pid)
        return core_err(err, errlen, TRAWL_EIO,
                        "cannot start the file's guard: %s: %s", what,
                        strerror(e));
    return 0;
}

void guard_publish(struct format_guard *g, uint64_t off) {
    if (g->pipe_w < 0)
        return;
    uint8_t msg[8];
    core_put_le64(msg, off);
    /* Eight bytes are written whole or not at all (PIPE_BUF); a full pipe
     * only means the guard will walk from an older offset. */
    ssize_t r;
    do
        r = write(g->pipe_w, msg, sizeof msg);
    while (r < 0 && errno == EINTR);
}

void guard_stop(struct format_guard *g) {
    if (g->pipe_w >= 0)
        close(g->pipe_w);
    g->pipe_w = -1;
    if (g->pid > 0) {
        /* The guard finds the file whole and exits; a caller that reaps
         * children itself may have reaped it already (ECHILD). */
        while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    g->pid = 0;
}
