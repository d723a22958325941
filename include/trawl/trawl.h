/* trawl — the whole public API of libtrawl. */
#ifndef TRAWL_TRAWL_H
#define TRAWL_TRAWL_H

#include "trawl/capture.h"
#include "trawl/decode.h"
#include "trawl/error.h"
#include "trawl/expr.h"
#include "trawl/flows.h"
#include "trawl/gen.h"
#include "trawl/output.h"
#include "trawl/packet.h"
#include "trawl/reader.h"
#include "trawl/tpld.h"
#include "trawl/trace.h"
#include "trawl/writer.h"

#endif
