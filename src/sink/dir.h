/* sink/dir — creating and removing an output's files, inside the
 * directory they are confined to.
 *
 * A confined directory is opened once; every name is resolved beneath it
 * with openat2(RESOLVE_BENEATH), so neither "..", nor an absolute path,
 * nor a symbolic link pointing out of it (planted before or while the
 * output runs) can make a file appear elsewhere. Unconfined, names are
 * relative to the working directory or absolute, as a command-line user
 * gives them. Missing directories on the way to a name are created when
 * asked (for names from a template such as "%Y/%m/cap.pcap"). */
#ifndef TRAWL_SINK_DIR_H
#define TRAWL_SINK_DIR_H

#include <stdbool.h>
#include <stddef.h>

struct sink_dir {
    int fd;         /* the directory, or AT_FDCWD when not confined */
    bool confined;
    char *path;     /* for messages and callbacks; owned; "" unconfined */
};

/* Confines names to `directory` (which must exist), or, when it is NULL,
 * leaves them free. Returns 0 or a negative code with a message. */
int sink_dir_open(struct sink_dir *d, const char *directory, char *err,
                  size_t errlen);
void sink_dir_close(struct sink_dir *d);

/* Creates the file `name` for writing (and, with make_dirs, the missing
 * directories on its way) and returns its descriptor. With
 * `exclusive` an existing file is left alone and TRAWL_EBUSY returned
 * (without a message: the caller tries another name); otherwise it is
 * truncated. Other failures return a negative code with a message. */
int sink_dir_create(struct sink_dir *d, const char *name, bool exclusive,
                    bool make_dirs, char *err, size_t errlen);

/* Removes the file `name`. Returns 0 or a negative code with a message. */
int sink_dir_remove(struct sink_dir *d, const char *name, char *err,
                    size_t errlen);

/* "DIR/name" for a confined directory, else name, into buf. */
void sink_dir_path(const struct sink_dir *d, const char *name, char *buf,
                   size_t len);

#endif
