/* server/preview — decoded packets as JSON, for a browser's packet list
 * ("Webshark"): the first packets of a capture that runs just for the
 * preview, or of a stored file.
 *
 * Each packet is the object `trawl read -T json` prints (the JSON
 * printer's field walk, cli/print_json.c), with its summary line added:
 *   {"packets": [{"frame": {...}, "eth": {...}, ..., "summary": "..."}],
 *    "truncated": false, ...} */
#ifndef TRAWL_SERVER_PREVIEW_H
#define TRAWL_SERVER_PREVIEW_H

#include "server/http.h"
#include "server/session.h"

/* Previews start with these limits unless asked otherwise: the first 100
 * packets, at most 1 MiB of them, within 10 seconds. */
#define PREVIEW_PACKETS 100
#define PREVIEW_BYTES (1u << 20)
#define PREVIEW_SECONDS 10

/* Waits for the preview session s to end (its limits end it), then answers
 * with its packets and finishes it. Takes over the caller's reference. */
enum MHD_Result preview_answer(struct http_req *r, struct session *s);

/* Answers with the first packets of a stored file. */
enum MHD_Result preview_file(struct http_req *r, const char *rel,
                             uint64_t max_packets, uint64_t max_bytes);

#endif
