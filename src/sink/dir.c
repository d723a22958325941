/* Creating and removing an output's files; see dir.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/core.h"
#include "sink/dir.h"
#include "sink/name.h"

/* openat() beneath the confined directory. The kernel refuses, with
 * EXDEV, any resolution that would leave it. */
static int open_in(const struct sink_dir *d, int at, const char *name,
                   int flags, mode_t mode) {
    if (!d->confined)
        return openat(at, name, flags, mode);
    struct open_how how = {
        .flags = (uint64_t)flags,
        .mode = (flags & O_CREAT) ? mode : 0,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
    };
    return (int)syscall(SYS_openat2, at, name, &how, sizeof how);
}

int sink_dir_open(struct sink_dir *d, const char *directory, char *err,
                  size_t errlen) {
    d->fd = AT_FDCWD;
    d->confined = directory != NULL;
    d->path = core_strdup(directory ? directory : "");
    if (!d->path)
        return core_err(err, errlen, TRAWL_ENOMEM, "output: out of memory");
    if (!directory)
        return 0;
    d->fd = open(directory, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (d->fd < 0) {
        int e = errno;
        free(d->path);
        d->path = NULL;
        return core_err(err, errlen, e == ENOENT ? TRAWL_ENOENT : TRAWL_EIO,
                        "output directory %s: %s", directory, strerror(e));
    }
    return 0;
}

void sink_dir_close(struct sink_dir *d) {
    if (d->fd >= 0)
        close(d->fd);
    d->fd = -1;
    free(d->path);
    d->path = NULL;
}

void sink_dir_path(const struct sink_dir *d, const char *name, char *buf,
                   size_t len) {
    if (d->confined)
        snprintf(buf, len, "%s/%s", d->path, name);
    else
        snprintf(buf, len, "%s", name);
}

/* Creates the directories on the way to `name`, one component at a time,
 * each one resolved beneath the confined directory. */
static int make_parents(const struct sink_dir *d, const char *name) {
    int at = d->fd;
    const char *p = name;
    if (!d->confined && name[0] == '/') {
        at = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (at < 0)
            return -1;
        while (*p == '/')
            p++;
    } else if (at != AT_FDCWD && (at = dup(at)) < 0) {
        return -1;
    }
    char comp[SINK_NAME_MAX];
    for (const char *slash; (slash = strchr(p, '/'));) {
        size_t n = (size_t)(slash - p);
        if (n == 0 || n >= sizeof comp) {
            p = slash + 1;
            continue;
        }
        memcpy(comp, p, n);
        comp[n] = '\0';
        int next = open_in(d, at, comp, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        if (next < 0 && errno == ENOENT &&
            (mkdirat(at, comp, 0777) == 0 || errno == EEXIST))
            next = open_in(d, at, comp, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        int e = errno;
        if (at != AT_FDCWD)
            close(at);
        if (next < 0) {
            errno = e;
            return -1;
        }
        at = next;
        p = slash + 1;
    }
    if (at != AT_FDCWD)
        close(at);
    return 0;
}

int sink_dir_create(struct sink_dir *d, const char *name, bool exclusive,
                    bool make_dirs, char *err, size_t errlen) {
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC);
    int fd = open_in(d, d->fd, name, flags, 0666);
    if (fd < 0 && errno == ENOENT && make_dirs && strchr(name, '/') &&
        make_parents(d, name) == 0)
        fd = open_in(d, d->fd, name, flags, 0666);
    if (fd >= 0)
        return fd;
    int e = errno;
    if (e == EEXIST && exclusive)
        return TRAWL_EBUSY;
    char path[SINK_NAME_MAX + 256];
    sink_dir_path(d, name, path, sizeof path);
    if (e == EXDEV && d->confined)
        return core_err(err, errlen, TRAWL_EINVAL,
                        "%s: cannot create: the name leads out of %s", path,
                        d->path);
    return core_err(err, errlen, TRAWL_EIO, "%s: cannot create: %s", path,
                    strerror(e));
}

int sink_dir_remove(struct sink_dir *d, const char *name, char *err,
                    size_t errlen) {
    /* The file's own directory, resolved beneath the confined one, so that
     * a link planted on the way cannot make this remove something else. */
    const char *slash = strrchr(name, '/');
    int at = d->fd;
    const char *base = name;
    if (slash) {
        char parent[SINK_NAME_MAX];
        size_t n = (size_t)(slash - name);
        if (n >= sizeof parent)
            return core_err(err, errlen, TRAWL_ERANGE, "%s: name too long",
                            name);
        memcpy(parent, name, n);
        parent[n ? n : 1] = '\0';
        if (!n)
            parent[0] = '/';
        at = open_in(d, d->fd, parent, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        base = slash + 1;
    }
    int rc = at < 0 ? -1 : unlinkat(at, base, 0);
    int e = errno;
    if (slash && at >= 0)
        close(at);
    if (rc == 0 || e == ENOENT)
        return 0;
    char path[SINK_NAME_MAX + 256];
    sink_dir_path(d, name, path, sizeof path);
    return core_err(err, errlen, TRAWL_EIO, "%s: cannot remove: %s", path,
                    strerror(e));
}
