/* The live source: the daemon's interfaces through the capture engine
 * (include/trawl/capture.h).
 *
 * The engine is not part of libtrawl yet, so this source refuses to open
 * and says what to use instead; the replay source (source_replay.c) feeds
 * the daemon meanwhile. */
#include <stdio.h>

#include "server/source.h"
#include "server/util.h"

int source_live_open(struct source **out, const char *const *ifaces, size_t n,
                     char *err, size_t errlen) {
    (void)ifaces;
    (void)n;
    *out = NULL;
    return util_err(err, errlen, TRAWL_EUNSUPPORTED,
                    "live capture is not available in this build yet: serve "
                    "a trace with --replay FILE");
}
