/* server/download — a capture streamed as an HTTP response: pcap or
 * pcapng built by a stream writer (format/), optionally compressed with
 * zstd or gzip, handed to libmicrohttpd as it is asked for more.
 *
 * The response's reader runs in the connection's own thread. When the
 * session's queue is empty it waits for packets a short while at a time,
 * watching the socket, so a client that goes away ends the capture even
 * when nothing is being sent; whatever is queued goes out at once, so the
 * download is never more than a fraction of a second behind. */
#ifndef TRAWL_SERVER_DOWNLOAD_H
#define TRAWL_SERVER_DOWNLOAD_H

#include <microhttpd.h>

#include "server/server.h"
#include "server/session.h"

/* A response streaming s (started, with a reference the response takes
 * over); when MHD is done with it the capture is finished
 * (captures_finish). NULL on failure (the session is then finished too). */
struct MHD_Response *download_response(struct srv *srv, struct session *s,
                                       struct MHD_Connection *conn, char *err,
                                       size_t errlen);

/* The Content-Type and file name extension of a session's output. */
const char *download_content_type(const struct session_spec *spec);
const char *download_extension(const struct session_spec *spec);

#endif
