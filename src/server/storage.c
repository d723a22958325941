/* Storage of disk captures beneath data_dir/captures. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "server/server.h"
#include "server/storage.h"
#include "server/util.h"

/* Listing walks at most this deep and returns at most this many files. */
#define LIST_DEPTH 8
#define LIST_MAX 10000

static bool name_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || strchr("._-+=,@", c);
}

bool storage_valid_path(const char *rel, bool allow_top) {
    size_t n = strlen(rel);
    if (n == 0)
        return allow_top;
    if (n > STORAGE_PATH_MAX)
        return false;
    const char *p = rel;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len == 0 || len > 255 || p[0] == '.')
            return false;
        for (size_t i = 0; i < len; i++)
            if (!name_char((unsigned char)p[i]))
                return false;
        if (!slash)
            break;
        p = slash + 1;
        if (!*p)
            return false; /* a trailing slash */
    }
    return true;
}

/* openat2 confined to the storage directory; the kernel refuses every
 * path that would leave it or pass a symbolic link. */
static int open_beneath(int dirfd, const char *rel, int flags, mode_t mode) {
    struct open_how how = {
        .flags = (uint64_t)(flags | O_CLOEXEC),
        .mode = (flags & O_CREAT) ? mode : 0,
        .resolve =
            RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    long fd = syscall(SYS_openat2, dirfd, rel[0] ? rel : ".", &how, sizeof how);
    return (int)fd;
}

int storage_open(struct srv *srv, const char *rel, int flags, mode_t mode,
                 char *err, size_t errlen) {
    if (!storage_valid_path(rel, true))
        return util_err(err, errlen, TRAWL_EINVAL,
                        "storage path '%s' is not acceptable", rel);
    int fd = open_beneath(srv->store_fd, rel, flags, mode);
    if (fd >= 0)
        return fd;
    int e = errno;
    if (e == ENOENT || e == ENOTDIR)
        return util_err(err, errlen, TRAWL_ENOENT, "no stored file '%s'", rel);
    if (e == EEXIST)
        return util_err(err, errlen, TRAWL_EBUSY, "'%s' already exists", rel);
    if (e == ELOOP || e == EXDEV)
        return util_err(err, errlen, TRAWL_EINVAL,
                        "'%s' leads outside the storage directory", rel);
    return util_err(err, errlen, TRAWL_EIO, "storage '%s': %s", rel,
                    strerror(e));
}

int storage_check_writable(struct srv *srv, const char *rel, uint64_t need,
                           char *err, size_t errlen) {
    if (!storage_valid_path(rel, true))
        return util_err(err, errlen, TRAWL_EINVAL,
                        "storage directory '%s' is not acceptable", rel);
    /* An unnamed file, gone when closed: the kernel checks what creating
     * a capture's file would (permissions, a read-only mount). */
    int fd = open_beneath(srv->store_fd, rel, O_TMPFILE | O_WRONLY, 0);
    if (fd < 0) {
        int e = errno;
        if (e == EOPNOTSUPP)
            return 0; /* a file system without them: told at the first packet */
        return util_err(err, errlen, TRAWL_EIO,
                        "storage directory '%s' (%s/%s) cannot be written: %s",
                        rel, srv->store_dir, rel, strerror(e));
    }
    struct statvfs vf;
    int rc = 0;
    if (fstatvfs(fd, &vf) == 0 &&
        (uint64_t)vf.f_bavail * vf.f_frsize < need)
        rc = util_err(err, errlen, TRAWL_EIO,
                      "storage directory '%s' (%s/%s): no space left on "
                      "device (%llu bytes free)",
                      rel, srv->store_dir, rel,
                      (unsigned long long)vf.f_bavail * vf.f_frsize);
    close(fd);
    return rc;
}

int storage_mkdirs(struct srv *srv, const char *rel, char *err, size_t errlen) {
    if (!storage_valid_path(rel, true))
        return util_err(err, errlen, TRAWL_EINVAL,
                        "storage directory '%s' is not acceptable", rel);
    char path[STORAGE_PATH_MAX + 1];
    snprintf(path, sizeof path, "%s", rel);
    int dir = dup(srv->store_fd);
    if (dir < 0)
        return util_err(err, errlen, TRAWL_EIO, "storage: %s", strerror(errno));
    /* One component at a time, each opened beneath the last. */
    for (char *p = path; *p;) {
        char *slash = strchr(p, '/');
        if (slash)
            *slash = '\0';
        if (mkdirat(dir, p, 0750) < 0 && errno != EEXIST) {
            int e = errno;
            close(dir);
            return util_err(err, errlen, TRAWL_EIO,
                            "storage: cannot create directory '%s': %s", rel,
                            strerror(e));
        }
        int next = open_beneath(dir, p, O_PATH | O_DIRECTORY, 0);
        int e = errno;
        close(dir);
        if (next < 0)
            return util_err(err, errlen, TRAWL_EINVAL,
                            "storage: '%s' is not a directory inside the "
                            "storage directory: %s",
                            rel, strerror(e));
        dir = next;
        if (!slash)
            break;
        p = slash + 1;
    }
    close(dir);
    return 0;
}

bool storage_valid_template(const char *tmpl) {
    /* Conversions whose text is digits, letters or '+'/'-' only. */
    static const char safe[] = "YmdHMSjyeuwVGgIbBaApsz";
    size_t n = strlen(tmpl);
    if (n == 0 || n > 200 || tmpl[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        if (tmpl[i] == '%') {
            if (i + 1 == n || !strchr(safe, tmpl[i + 1]))
                return false;
            i++;
            continue;
        }
        if (!name_char((unsigned char)tmpl[i]))
            return false;
    }
    return true;
}

struct walk {
    struct srv *srv;
    json_t *files;
    uint64_t used;
};

static void walk_dir(struct walk *w, int dirfd, const char *prefix, int depth) {
    int fd = dup(dirfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) && json_array_size(w->files) < LIST_MAX) {
        if (de->d_name[0] == '.')
            continue;
        char rel[STORAGE_PATH_MAX + 1];
        int n = snprintf(rel, sizeof rel, "%s%s%s", prefix,
                         prefix[0] ? "/" : "", de->d_name);
        if (n < 0 || (size_t)n >= sizeof rel || !storage_valid_path(rel, false))
            continue;
        struct stat st;
        if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (S_ISDIR(st.st_mode) && depth < LIST_DEPTH) {
            int sub = openat(dirfd, de->d_name,
                             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) {
                walk_dir(w, sub, rel, depth + 1);
                close(sub);
            }
            continue;
        }
        if (!S_ISREG(st.st_mode))
            continue;
        json_t *f = json_object();
        json_object_set_new(f, "path", json_string(rel));
        json_object_set_new(f, "size", json_integer((json_int_t)st.st_size));
        json_object_set_new(
            f, "modified_us",
            json_integer((json_int_t)st.st_mtim.tv_sec * 1000000 +
                         st.st_mtim.tv_nsec / 1000));
        char user[64] = "";
        int64_t cid = 0;
        if (catalog_file_owner(w->srv->cat, rel, user, sizeof user, &cid, NULL,
                               0) == 1) {
            json_object_set_new(f, "capture_id", json_integer(cid));
            json_object_set_new(f, "user", json_string(user));
        } else {
            json_object_set_new(f, "capture_id", json_null());
            json_object_set_new(f, "user", json_null());
        }
        json_array_append_new(w->files, f);
        w->used += (uint64_t)st.st_size;
    }
    closedir(d);
}

json_t *storage_list(struct srv *srv, char *err, size_t errlen) {
    int top = open_beneath(srv->store_fd, "", O_RDONLY | O_DIRECTORY, 0);
    if (top < 0) {
        util_err(err, errlen, TRAWL_EIO, "storage %s: %s", srv->store_dir,
                 strerror(errno));
        return NULL;
    }
    struct walk w = {.srv = srv, .files = json_array()};
    walk_dir(&w, top, "", 0);
    struct statvfs vfs;
    json_t *o = json_object();
    json_object_set_new(o, "directory", json_string(srv->store_dir));
    if (fstatvfs(top, &vfs) == 0) {
        json_object_set_new(
            o, "total_bytes",
            json_integer((json_int_t)((uint64_t)vfs.f_blocks * vfs.f_frsize)));
        json_object_set_new(
            o, "free_bytes",
            json_integer((json_int_t)((uint64_t)vfs.f_bavail * vfs.f_frsize)));
    }
    close(top);
    json_object_set_new(o, "used_bytes", json_integer((json_int_t)w.used));
    json_object_set_new(o, "files", w.files);
    return o;
}

int storage_delete(struct srv *srv, const char *rel, char *err, size_t errlen) {
    if (!storage_valid_path(rel, false))
        return util_err(err, errlen, TRAWL_EINVAL,
                        "storage path '%s' is not acceptable", rel);
    /* The parent is opened beneath the storage directory, then the last
     * component is removed relative to it, never following a link. */
    char parent[STORAGE_PATH_MAX + 1];
    snprintf(parent, sizeof parent, "%s", rel);
    char *slash = strrchr(parent, '/');
    const char *leaf = rel;
    if (slash) {
        *slash = '\0';
        leaf = rel + (slash - parent) + 1;
    } else {
        parent[0] = '\0';
    }
    int dir = storage_open(srv, parent, O_PATH | O_DIRECTORY, 0, err, errlen);
    if (dir < 0)
        return dir == TRAWL_ENOENT ? util_err(err, errlen, TRAWL_ENOENT,
                                              "no stored file '%s'", rel)
                                   : dir;
    struct stat st;
    int rc = 0;
    if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
        rc = util_err(err, errlen, TRAWL_ENOENT, "no stored file '%s'", rel);
    else if (unlinkat(dir, leaf, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0)
        rc = util_err(err, errlen, errno == ENOTEMPTY ? TRAWL_EBUSY : TRAWL_EIO,
                      "cannot delete '%s': %s", rel, strerror(errno));
    close(dir);
    if (rc == 0)
        catalog_file_del(srv->cat, rel, NULL, 0);
    return rc;
}
