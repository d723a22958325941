/* trawl's Python module: what its files share.
 *
 * module.c   the module, trawl.Error, the field-name tables
 * trace.c    trawl.Trace: pktt's Pktt over the trace API
 * packet.c   trawl.Packet, its layers and fields
 */
#ifndef TRAWLPY_H
#define TRAWLPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdbool.h>

#include "trawl/trace.h"

extern PyObject *trawlpy_error;
extern PyTypeObject trawlpy_trace_type;
extern PyTypeObject trawlpy_packet_type;
extern PyTypeObject trawlpy_layer_type;
extern PyTypeObject trawlpy_node_type;

/* Lower-case field names and aliases that other names continue with a dot
 * ("tcp.flags" for "tcp.flags.syn"): a set built once at import. */
extern PyObject *trawlpy_prefixes;

struct trawlpy_trace;

/* A packet. While it is its trace's current packet (`trace` set) its layers
 * are read from the trace's view on demand; when the trace moves on, a
 * packet that someone else still holds gets every layer copied in
 * (trawlpy_packet_detach), so it stays whole for as long as it lives. */
typedef struct {
    PyObject_HEAD
    struct trawlpy_trace *trace; /* borrowed; NULL once detached */
    const struct trawl_trace_pkt *tp; /* the trace's, while attached */
    uint64_t index;
    int64_t ts_sec;
    uint32_t ts_nsec;
    uint32_t len;
    /* Filled from the view when first needed, and on detach if kept. */
    PyObject *raw;    /* bytes: the captured frame, or NULL */
    PyObject *names;  /* tuple of str: layer names, outermost first */
    PyObject *layers; /* list: per layer, a dict of fields or None */
} trawlpy_packet;

typedef struct trawlpy_trace {
    PyObject_HEAD
    trawl_trace *t;
    bool live;
    bool busy;             /* a call is running with the GIL released */
    trawlpy_packet *cur;   /* the packet attached to the view, or NULL */
    PyObject *pkt;         /* pktt's x.pkt: the last packet returned */
    PyObject *expr_text;   /* the last expression compiled, and it */
    trawl_expr *expr;
} trawlpy_trace;

/* A new packet attached to `tr`'s current trace packet. */
PyObject *trawlpy_packet_new(trawlpy_trace *tr,
                             const struct trawl_trace_pkt *tp);
/* Copies what the packet still reads from its trace, then forgets the
 * trace. Returns -1 with an exception set when copying fails. */
int trawlpy_packet_detach(trawlpy_packet *p, bool keep);

/* A Python value for a trawl value; a new reference or NULL. */
PyObject *trawlpy_value(const trawl_field *f, const struct trawl_value *v);

#endif
