/* server/disk — a capture written to files under the storage directory,
 * through a rotating output (include/trawl/output.h) split by size and by
 * time as the settings say, by a thread of its own. The writer under the
 * output leaves every file whole after kill -9. */
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
