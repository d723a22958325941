/* server/disk — a capture written to files under the storage directory,
 * split by size and by time as the settings say, by a thread of its own.
 *
 * pcapng files are written with O_DIRECT in whole pages (see the writer),
 * so after kill -9 each reads back up to its last whole record. */
#ifndef TRAWL_SERVER_DISK_H
#define TRAWL_SERVER_DISK_H

#include "server/server.h"
#include "server/session.h"

/* Opens the first file (so that a bad directory is reported to whoever
 * started the capture) and starts the writing thread, which takes over the
 * caller's reference and finishes the capture when it ends. On failure
 * the capture is finished already. */
int disk_start(struct srv *srv, struct session *s, char *err, size_t errlen);

#endif
