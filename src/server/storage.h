/* server/storage — the files of disk captures, under the data dir's
 * captures/ directory and nowhere else.
 *
 * Every path the API takes is relative to that directory and is checked
 * twice: by name (storage_valid_path: no absolute paths, no "..", no
 * hidden names, a small set of characters) and by the kernel, which opens
 * it with RESOLVE_BENEATH and RESOLVE_NO_SYMLINKS (openat2), so neither a
 * crafted name nor a symbolic link planted in the directory reaches
 * outside it. */
#ifndef TRAWL_SERVER_STORAGE_H
#define TRAWL_SERVER_STORAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct srv;

#define STORAGE_PATH_MAX 1024

/* Whether rel is an acceptable path: components of letters, digits and
 * "._-+=,@", none empty or starting with '.', at most 255 bytes each and
 * STORAGE_PATH_MAX in all. "" (the top) only when allow_top. */
bool storage_valid_path(const char *rel, bool allow_top);

/* Opens rel beneath the storage directory; returns a descriptor or a
 * negative code (TRAWL_ENOENT when it does not exist). */
int storage_open(struct srv *srv, const char *rel, int flags, mode_t mode,
                 char *err, size_t errlen);
/* Whether a file can be created in directory rel (beneath the storage
 * directory) with at least `need` bytes free there; 0, or a negative code
 * with a message naming the directory and the reason. */
int storage_check_writable(struct srv *srv, const char *rel, uint64_t need,
                           char *err, size_t errlen);
/* Creates directory rel and its parents beneath the storage directory. */
int storage_mkdirs(struct srv *srv, const char *rel, char *err, size_t errlen);

/* Whether tmpl is an acceptable strftime template for stored file names:
 * the characters a stored name may hold, and conversions whose text is
 * only digits and letters (%Y %m %d %H %M %S %j %y %e %u %w %V %G %g %I
 * %b %B %a %A %p %s %z), not starting with '.'. */
bool storage_valid_template(const char *tmpl);

/* {"directory", "total_bytes", "free_bytes", "used_bytes", "files":
 * [{path, size, modified_us, capture_id, user}]}. */
json_t *storage_list(struct srv *srv, char *err, size_t errlen);
/* Deletes a file, or an empty directory. */
int storage_delete(struct srv *srv, const char *rel, char *err, size_t errlen);

#endif
