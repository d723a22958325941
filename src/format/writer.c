/* STUB: the trace writer — to be written. */
#include "core/core.h"
#include "trawl/writer.h"
