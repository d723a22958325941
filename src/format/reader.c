/* STUB: the trace reader — to be written. */
#include <stdlib.h>

#include "core/core.h"
#include "trawl/reader.h"

TRAWL_API int trawl_reader_open(trawl_reader **out, const char *const *paths,
                                size_t npaths,
                                const struct trawl_reader_options *opt,
                                char *errbuf, size_t errlen) {
    (void)paths;
    (void)npaths;
    (void)opt;
    *out = NULL;
    return core_err(errbuf, errlen, TRAWL_EUNSUPPORTED, "reader: not yet");
}
