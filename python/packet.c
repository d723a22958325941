/* trawl.Packet: a packet of a trace, its layers as attributes
 * (pkt.ip, pkt.nfs) and their fields as attributes of those (pkt.ip.src,
 * pkt.tcp.flags.syn), under the field registry's names or pktt's aliases,
 * case ignored. A field with several occurrences in its layer (the
 * operations of an NFS COMPOUND) is a list; a layer or field the packet
 * does not have raises AttributeError, so hasattr() and getattr(pkt,
 * 'nfs', None) tell. */
#include "trawlpy.h"

#include <ctype.h>
#include <string.h>

/* A layer of a packet: the packet and the layer's number in it. */
typedef struct {
    PyObject_HEAD
    trawlpy_packet *pkt;
    Py_ssize_t layer;
} trawlpy_layer;

/* A name inside a layer that other names continue (tcp.flags): its own
 * value, if the packet has one, and attributes for the names below it. */
typedef struct {
    PyObject_HEAD
    trawlpy_layer *layer;
    PyObject *name; /* lower-case full name: "tcp.flags" */
} trawlpy_node;

struct collect {
    PyObject *dict;
    int failed;
};

static bool collect_value(void *ctx, const trawl_field *f,
                          const struct trawl_value *val)
{
    struct collect *c = ctx;
    PyObject *v = trawlpy_value(f, val);
    if (!v) {
        c->failed = 1;
        return false;
    }
    const char *name = trawl_field_name(f);
    PyObject *old = PyDict_GetItemString(c->dict, name);
    int rc;
    if (!old) {
        rc = PyDict_SetItemString(c->dict, name, v);
    } else if (PyList_CheckExact(old)) {
        rc = PyList_Append(old, v);
    } else {
        PyObject *list = PyList_New(2);
        if (!list) {
            Py_DECREF(v);
            c->failed = 1;
            return false;
        }
        PyList_SET_ITEM(list, 0, Py_NewRef(old));
        PyList_SET_ITEM(list, 1, Py_NewRef(v));
        rc = PyDict_SetItemString(c->dict, name, list);
        Py_DECREF(list);
    }
    Py_DECREF(v);
    if (rc < 0) {
        c->failed = 1;
        return false;
    }
    return true;
}

/* The fields of layer i as a dict (borrowed), read from the trace's view
 * the first time. */
static PyObject *layer_dict(trawlpy_packet *p, Py_ssize_t i)
{
    PyObject *d = PyList_GET_ITEM(p->layers, i);
    if (d != Py_None)
        return d;
    if (!p->trace || !p->tp) {
        PyErr_Format(trawlpy_error, "packet %llu: its layers were not kept",
                     (unsigned long long)p->index);
        return NULL;
    }
    struct collect c = {PyDict_New(), 0};
    if (!c.dict)
        return NULL;
    trawl_view_layer_fields(p->tp->view, (size_t)i, collect_value, &c);
    if (c.failed) {
        Py_DECREF(c.dict);
        return NULL;
    }
    PyList_SetItem(p->layers, i, c.dict); /* steals */
    return c.dict;
}

/* The frame's bytes and the layer names, taken from the trace's view the
 * first time they are needed (a match loop that only counts never needs
 * them). Returns -1 with an exception set. */
static int ensure(trawlpy_packet *p)
{
    if (p->names)
        return 0;
    if (!p->trace || !p->tp) {
        PyErr_Format(trawlpy_error, "packet %llu: its layers were not kept",
                     (unsigned long long)p->index);
        return -1;
    }
    const struct trawl_trace_pkt *tp = p->tp;
    size_t n = trawl_view_layer_count(tp->view);
    PyObject *raw = PyBytes_FromStringAndSize((const char *)tp->pkt.data,
                                              tp->pkt.caplen);
    PyObject *names = PyTuple_New((Py_ssize_t)n);
    PyObject *layers = PyList_New((Py_ssize_t)n);
    if (!raw || !names || !layers)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        struct trawl_layer_info li;
        const char *name = trawl_view_layer(tp->view, i, &li) && li.name
                               ? li.name : "?";
        PyObject *s = PyUnicode_InternFromString(name);
        if (!s)
            goto fail;
        PyTuple_SET_ITEM(names, (Py_ssize_t)i, s);
        PyList_SET_ITEM(layers, (Py_ssize_t)i, Py_NewRef(Py_None));
    }
    p->raw = raw;
    p->names = names;
    p->layers = layers;
    return 0;
fail:
    Py_XDECREF(raw);
    Py_XDECREF(names);
    Py_XDECREF(layers);
    return -1;
}

PyObject *trawlpy_packet_new(trawlpy_trace *tr,
                             const struct trawl_trace_pkt *tp)
{
    trawlpy_packet *p = PyObject_New(trawlpy_packet, &trawlpy_packet_type);
    if (!p)
        return NULL;
    p->trace = tr;
    p->tp = tp;
    p->index = tp->index;
    p->ts_sec = tp->pkt.ts_sec;
    p->ts_nsec = tp->pkt.ts_nsec;
    p->len = tp->pkt.len;
    p->names = NULL;
    p->layers = NULL;
    p->raw = NULL;
    return (PyObject *)p;
}

int trawlpy_packet_detach(trawlpy_packet *p, bool keep)
{
    int rc = 0;
    if (keep && p->trace) {
        rc = ensure(p);
        for (Py_ssize_t i = 0; rc == 0 && i < PyList_GET_SIZE(p->layers); i++)
            if (!layer_dict(p, i))
                rc = -1;
    }
    p->trace = NULL;
    p->tp = NULL;
    return rc;
}

static void packet_dealloc(PyObject *self)
{
    trawlpy_packet *p = (trawlpy_packet *)self;
    Py_XDECREF(p->raw);
    Py_XDECREF(p->names);
    Py_XDECREF(p->layers);
    PyObject_Free(self);
}

static Py_ssize_t find_layer(trawlpy_packet *p, PyObject *name)
{
    PyObject *lower = PyObject_CallMethod(name, "lower", NULL);
    if (!lower)
        return -2;
    Py_ssize_t found = -1;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(p->names); i++)
        if (PyUnicode_Compare(PyTuple_GET_ITEM(p->names, i), lower) == 0) {
            found = i;
            break;
        }
    Py_DECREF(lower);
    return found;
}

static PyObject *new_layer(trawlpy_packet *p, Py_ssize_t i)
{
    trawlpy_layer *l = PyObject_New(trawlpy_layer, &trawlpy_layer_type);
    if (!l)
        return NULL;
    l->pkt = (trawlpy_packet *)Py_NewRef(p);
    l->layer = i;
    return (PyObject *)l;
}

static PyObject *packet_getattro(PyObject *self, PyObject *name)
{
    PyObject *r = PyObject_GenericGetAttr(self, name);
    if (r || !PyErr_ExceptionMatches(PyExc_AttributeError))
        return r;
    PyErr_Clear();
    trawlpy_packet *p = (trawlpy_packet *)self;
    if (ensure(p) < 0)
        return NULL;
    Py_ssize_t i = find_layer(p, name);
    if (i == -2)
        return NULL;
    if (i < 0) {
        PyErr_Format(PyExc_AttributeError,
                     "packet %llu has no layer '%U' (it has %R)",
                     (unsigned long long)p->index, name, p->names);
        return NULL;
    }
    return new_layer(p, i);
}

static int packet_contains(PyObject *self, PyObject *name)
{
    if (!PyUnicode_Check(name))
        return 0;
    if (ensure((trawlpy_packet *)self) < 0)
        return -1;
    Py_ssize_t i = find_layer((trawlpy_packet *)self, name);
    return i == -2 ? -1 : i >= 0;
}

/* The first value of `field` (a full field name) in the packet's layers,
 * borrowed, or NULL without an exception. */
static PyObject *first_value(trawlpy_packet *p, const char *field)
{
    const trawl_field *f = trawl_field_lookup(field);
    if (!f)
        return NULL;
    const char *proto = trawl_field_proto(f);
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(p->names); i++) {
        if (strcmp(PyUnicode_AsUTF8(PyTuple_GET_ITEM(p->names, i)), proto))
            continue;
        PyObject *d = layer_dict(p, i);
        if (!d) {
            PyErr_Clear();
            return NULL;
        }
        PyObject *v = PyDict_GetItemString(d, trawl_field_name(f));
        if (v && PyList_CheckExact(v))
            v = PyList_GET_SIZE(v) ? PyList_GET_ITEM(v, 0) : NULL;
        return v;
    }
    return NULL;
}

/* One line: index, time, source, destination, protocols, length. */
static PyObject *packet_str(PyObject *self)
{
    trawlpy_packet *p = (trawlpy_packet *)self;
    if (ensure(p) < 0)
        return NULL;
    static const char *const addr[][2] = {
        {"ip.src", "ip.dst"}, {"ipv6.src", "ipv6.dst"},
        {"eth.src", "eth.dst"}};
    PyObject *src = NULL, *dst = NULL;
    for (size_t i = 0; i < 3 && !src; i++) {
        src = first_value(p, addr[i][0]);
        dst = first_value(p, addr[i][1]);
    }
    PyObject *sport = first_value(p, "tcp.srcport");
    PyObject *dport = first_value(p, "tcp.dstport");
    if (!sport) {
        sport = first_value(p, "udp.srcport");
        dport = first_value(p, "udp.dstport");
    }
    PyObject *sep = PyUnicode_FromString(":");
    PyObject *protos = sep ? PyUnicode_Join(sep, p->names) : NULL;
    Py_XDECREF(sep);
    if (!protos)
        return NULL;
    char when[48];
    snprintf(when, sizeof when, "%lld.%09u", (long long)p->ts_sec,
             p->ts_nsec);
    PyObject *r;
    if (src && dst && sport && dport)
        r = PyUnicode_FromFormat("%llu %s %S:%S -> %S:%S %U len=%u",
                                 (unsigned long long)p->index, when, src,
                                 sport, dst, dport, protos, p->len);
    else if (src && dst)
        r = PyUnicode_FromFormat("%llu %s %S -> %S %U len=%u",
                                 (unsigned long long)p->index, when, src,
                                 dst, protos, p->len);
    else
        r = PyUnicode_FromFormat("%llu %s %U len=%u",
                                 (unsigned long long)p->index, when, protos,
                                 p->len);
    Py_DECREF(protos);
    return r;
}

static PyObject *packet_repr(PyObject *self)
{
    PyObject *s = packet_str(self);
    if (!s)
        return NULL;
    PyObject *r = PyUnicode_FromFormat("<trawl.Packet %U>", s);
    Py_DECREF(s);
    return r;
}

static PyObject *packet_get_index(PyObject *self, void *c)
{
    return PyLong_FromUnsignedLongLong(((trawlpy_packet *)self)->index);
}

static PyObject *packet_get_time(PyObject *self, void *c)
{
    trawlpy_packet *p = (trawlpy_packet *)self;
    return PyFloat_FromDouble((double)p->ts_sec + (double)p->ts_nsec / 1e9);
}

static PyObject *packet_get_raw(PyObject *self, void *c)
{
    trawlpy_packet *p = (trawlpy_packet *)self;
    return ensure(p) < 0 ? NULL : Py_NewRef(p->raw);
}

static PyObject *packet_get_layers(PyObject *self, void *c)
{
    trawlpy_packet *p = (trawlpy_packet *)self;
    return ensure(p) < 0 ? NULL : Py_NewRef(p->names);
}

static PyObject *packet_get_length(PyObject *self, void *c)
{
    return PyLong_FromUnsignedLong(((trawlpy_packet *)self)->len);
}

static PyGetSetDef packet_getset[] = {
    {"index", packet_get_index, NULL, "0-based number in the trace", NULL},
    {"time", packet_get_time, NULL, "seconds since the epoch (float)", NULL},
    {"raw", packet_get_raw, NULL, "the captured bytes", NULL},
    {"layers", packet_get_layers, NULL, "layer names, outermost first",
     NULL},
    {"length", packet_get_length, NULL, "length on the wire", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods packet_as_sequence = {
    .sq_contains = packet_contains,
};

PyTypeObject trawlpy_packet_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "trawl.Packet",
    .tp_doc = "A packet: pkt.index, pkt.time, pkt.raw, pkt.layers, and each "
              "layer as an attribute (pkt.ip, pkt.tcp, pkt.rpc, pkt.nfs).",
    .tp_basicsize = sizeof(trawlpy_packet),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = packet_dealloc,
    .tp_getattro = packet_getattro,
    .tp_getset = packet_getset,
    .tp_str = packet_str,
    .tp_repr = packet_repr,
    .tp_as_sequence = &packet_as_sequence,
};

/* ---- layers and nodes ------------------------------------------------- */

static PyObject *new_node(trawlpy_layer *l, PyObject *name)
{
    trawlpy_node *n = PyObject_New(trawlpy_node, &trawlpy_node_type);
    if (!n)
        return NULL;
    n->layer = (trawlpy_layer *)Py_NewRef(l);
    n->name = Py_NewRef(name);
    return (PyObject *)n;
}

/* The value of `full` (a lower-case name or alias) in layer l, a new
 * reference, or NULL: with an exception, or without one (*absent set)
 * when the layer lacks it. */
static PyObject *layer_value(trawlpy_layer *l, PyObject *full, bool *absent)
{
    *absent = false;
    const char *s = PyUnicode_AsUTF8(full);
    if (!s)
        return NULL;
    const trawl_field *f = trawl_field_lookup(s);
    if (!f) {
        *absent = true;
        return NULL;
    }
    PyObject *d = layer_dict(l->pkt, l->layer);
    if (!d)
        return NULL;
    PyObject *v = PyDict_GetItemString(d, trawl_field_name(f));
    if (!v) {
        *absent = true;
        return NULL;
    }
    return Py_NewRef(v);
}

static PyObject *lookup(trawlpy_layer *l, PyObject *base, PyObject *attr)
{
    PyObject *full = PyUnicode_FromFormat("%U.%U", base, attr);
    PyObject *lower = full ? PyObject_CallMethod(full, "lower", NULL) : NULL;
    Py_XDECREF(full);
    if (!lower)
        return NULL;
    int has_children = PySet_Contains(trawlpy_prefixes, lower);
    if (has_children > 0) {
        /* Numbers with names below them (tcp.flags and its bits) are
         * nodes; an address or a string with parts below it (eth.src and
         * eth.src.oui) is its plain value, the parts being in .fields. */
        const char *s = PyUnicode_AsUTF8(lower);
        const trawl_field *f = s ? trawl_field_lookup(s) : NULL;
        enum trawl_ftype ft = f ? trawl_field_type(f) : TRAWL_FT_NONE;
        if (ft != TRAWL_FT_NONE && ft != TRAWL_FT_UINT &&
            ft != TRAWL_FT_INT && ft != TRAWL_FT_BOOL)
            has_children = 0;
    }
    PyObject *r = NULL;
    if (has_children > 0) {
        r = new_node(l, lower);
    } else if (has_children == 0) {
        bool absent;
        r = layer_value(l, lower, &absent);
        if (!r && absent)
            PyErr_Format(PyExc_AttributeError,
                         "packet %llu: layer %U has no field '%U'",
                         (unsigned long long)l->pkt->index,
                         PyTuple_GET_ITEM(l->pkt->names, l->layer), lower);
    }
    Py_DECREF(lower);
    return r;
}

static PyObject *layer_getattro(PyObject *self, PyObject *name)
{
    PyObject *r = PyObject_GenericGetAttr(self, name);
    if (r || !PyErr_ExceptionMatches(PyExc_AttributeError))
        return r;
    PyErr_Clear();
    trawlpy_layer *l = (trawlpy_layer *)self;
    return lookup(l, PyTuple_GET_ITEM(l->pkt->names, l->layer), name);
}

static void layer_dealloc(PyObject *self)
{
    Py_XDECREF(((trawlpy_layer *)self)->pkt);
    PyObject_Free(self);
}

static PyObject *layer_get_fields(PyObject *self, void *c)
{
    trawlpy_layer *l = (trawlpy_layer *)self;
    PyObject *d = layer_dict(l->pkt, l->layer);
    return d ? PyDict_Copy(d) : NULL;
}

static PyObject *layer_get_name(PyObject *self, void *c)
{
    trawlpy_layer *l = (trawlpy_layer *)self;
    return Py_NewRef(PyTuple_GET_ITEM(l->pkt->names, l->layer));
}

static PyObject *layer_repr(PyObject *self)
{
    trawlpy_layer *l = (trawlpy_layer *)self;
    PyObject *d = layer_dict(l->pkt, l->layer);
    if (!d)
        return NULL;
    return PyUnicode_FromFormat("<%U layer %R>",
                                PyTuple_GET_ITEM(l->pkt->names, l->layer), d);
}

static PyGetSetDef layer_getset[] = {
    {"fields", layer_get_fields, NULL,
     "the layer's fields: {registry name: value or list of values}", NULL},
    {"name", layer_get_name, NULL, "the protocol's short name", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject trawlpy_layer_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "trawl.Layer",
    .tp_doc = "A layer of a packet; its fields are attributes.",
    .tp_basicsize = sizeof(trawlpy_layer),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = layer_dealloc,
    .tp_getattro = layer_getattro,
    .tp_getset = layer_getset,
    .tp_repr = layer_repr,
};

static PyObject *node_value(trawlpy_node *n)
{
    bool absent;
    PyObject *v = layer_value(n->layer, n->name, &absent);
    if (!v && absent)
        PyErr_Format(PyExc_AttributeError, "packet %llu has no value for %U",
                     (unsigned long long)n->layer->pkt->index, n->name);
    return v;
}

static PyObject *node_getattro(PyObject *self, PyObject *name)
{
    PyObject *r = PyObject_GenericGetAttr(self, name);
    if (r || !PyErr_ExceptionMatches(PyExc_AttributeError))
        return r;
    PyErr_Clear();
    trawlpy_node *n = (trawlpy_node *)self;
    return lookup(n->layer, n->name, name);
}

static void node_dealloc(PyObject *self)
{
    trawlpy_node *n = (trawlpy_node *)self;
    Py_XDECREF(n->layer);
    Py_XDECREF(n->name);
    PyObject_Free(self);
}

static PyObject *node_get_value(PyObject *self, void *c)
{
    return node_value((trawlpy_node *)self);
}

static PyObject *node_richcompare(PyObject *self, PyObject *other, int op)
{
    PyObject *v = node_value((trawlpy_node *)self);
    if (!v)
        return NULL;
    PyObject *r = PyObject_RichCompare(v, other, op);
    Py_DECREF(v);
    return r;
}

static PyObject *node_int(PyObject *self)
{
    PyObject *v = node_value((trawlpy_node *)self);
    if (!v)
        return NULL;
    PyObject *r = PyNumber_Long(v);
    Py_DECREF(v);
    return r;
}

static PyObject *node_index(PyObject *self)
{
    PyObject *v = node_value((trawlpy_node *)self);
    if (!v)
        return NULL;
    PyObject *r = PyNumber_Index(v);
    Py_DECREF(v);
    return r;
}

static int node_bool(PyObject *self)
{
    PyObject *v = node_value((trawlpy_node *)self);
    if (!v)
        return -1;
    int r = PyObject_IsTrue(v);
    Py_DECREF(v);
    return r;
}

static PyObject *node_repr(PyObject *self)
{
    trawlpy_node *n = (trawlpy_node *)self;
    bool absent;
    PyObject *v = layer_value(n->layer, n->name, &absent);
    if (!v && !absent)
        return NULL;
    PyObject *r = v ? PyObject_Repr(v) : PyUnicode_FromFormat("<%U>",
                                                              n->name);
    Py_XDECREF(v);
    return r;
}

static Py_hash_t node_hash(PyObject *self)
{
    PyObject *v = node_value((trawlpy_node *)self);
    if (!v)
        return -1;
    Py_hash_t h = PyObject_Hash(v);
    Py_DECREF(v);
    return h;
}

static PyNumberMethods node_as_number = {
    .nb_int = node_int,
    .nb_index = node_index,
    .nb_bool = node_bool,
};

static PyGetSetDef node_getset[] = {
    {"value", node_get_value, NULL, "the value of the name itself", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject trawlpy_node_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "trawl.Field",
    .tp_doc = "A field with fields below it (tcp.flags): compares, converts "
              "and prints as its own value; its sub-fields are attributes.",
    .tp_basicsize = sizeof(trawlpy_node),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = node_dealloc,
    .tp_getattro = node_getattro,
    .tp_getset = node_getset,
    .tp_richcompare = node_richcompare,
    .tp_as_number = &node_as_number,
    .tp_repr = node_repr,
    .tp_hash = node_hash,
};
