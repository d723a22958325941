/* trawl.Trace: NFStest pktt's Pktt over the C trace API (trawl/trace.h).
 *
 * Calls that read the trace release the GIL; a second thread that uses the
 * same trace meanwhile gets trawl.Error instead of racing it. Ctrl-C
 * reaches a long scan through the progress callback, which cancels it. */
#include "trawlpy.h"

#include <string.h>

/* Runs `call` without the GIL, the trace marked busy meanwhile. */
#define UNLOCKED(tr, call)                                                  \
    do {                                                                    \
        (tr)->busy = true;                                                  \
        Py_BEGIN_ALLOW_THREADS                                              \
        call;                                                               \
        Py_END_ALLOW_THREADS                                                \
        (tr)->busy = false;                                                 \
    } while (0)

static PyObject *raise_trawl(int rc, const char *errbuf)
{
    if (PyErr_Occurred())
        return NULL; /* a KeyboardInterrupt caught by the progress hook */
    PyErr_SetString(trawlpy_error,
                    errbuf[0] ? errbuf : trawl_strerror(rc));
    return NULL;
}

static bool on_progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)ctx, (void)done, (void)total;
    PyGILState_STATE g = PyGILState_Ensure();
    bool go_on = PyErr_CheckSignals() == 0;
    PyGILState_Release(g);
    return go_on;
}

static int check_open(trawlpy_trace *tr)
{
    if (!tr->t) {
        PyErr_SetString(trawlpy_error, "trace is closed");
        return -1;
    }
    if (tr->busy) {
        PyErr_SetString(trawlpy_error,
                        "trace is in use by another thread");
        return -1;
    }
    return 0;
}

/* Before the trace's position moves: the current packet keeps its own
 * copy if anyone but the trace still holds it. */
static int release_current(trawlpy_trace *tr)
{
    trawlpy_packet *p = tr->cur;
    if (!p)
        return 0;
    tr->cur = NULL;
    /* The trace holds the packet as its current one and, usually, as
     * x.pkt: anything beyond those is someone else's. */
    Py_ssize_t ours = 1 + (tr->pkt == (PyObject *)p);
    bool keep = Py_REFCNT(p) > ours;
    int rc = trawlpy_packet_detach(p, keep);
    if (!keep && tr->pkt == (PyObject *)p)
        Py_CLEAR(tr->pkt);
    Py_DECREF(p);
    return rc;
}

/* Wraps the packet the trace just returned, and remembers it as x.pkt. */
static PyObject *wrap(trawlpy_trace *tr, const struct trawl_trace_pkt *tp)
{
    PyObject *p = trawlpy_packet_new(tr, tp);
    if (!p)
        return NULL;
    Py_INCREF(p);
    tr->cur = (trawlpy_packet *)p;
    Py_XSETREF(tr->pkt, Py_NewRef(p));
    return p;
}

static int trace_init(PyObject *self, PyObject *args, PyObject *kw)
{
    trawlpy_trace *tr = (trawlpy_trace *)self;
    static char *kwlist[] = {"path", "live", "live_timeout", NULL};
    PyObject *path;
    int live = 0;
    double timeout = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|pd:Trace", kwlist, &path,
                                     &live, &timeout))
        return -1;
    if (tr->t) {
        PyErr_SetString(trawlpy_error, "trace is already open");
        return -1;
    }

    PyObject *list;
    if (PyUnicode_Check(path) || PyBytes_Check(path) ||
        PyObject_HasAttrString(path, "__fspath__"))
        list = PyTuple_Pack(1, path);
    else
        list = PySequence_Tuple(path);
    if (!list)
        return -1;
    Py_ssize_t n = PyTuple_GET_SIZE(list);
    if (n == 0) {
        Py_DECREF(list);
        PyErr_SetString(PyExc_ValueError, "Trace: no file given");
        return -1;
    }
    PyObject **encoded = PyMem_Calloc((size_t)n, sizeof *encoded);
    const char **paths = PyMem_Calloc((size_t)n, sizeof *paths);
    int ret = -1;
    if (!encoded || !paths) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!PyUnicode_FSConverter(PyTuple_GET_ITEM(list, i), &encoded[i]))
            goto done;
        paths[i] = PyBytes_AS_STRING(encoded[i]);
    }

    struct trawl_trace_options opt = {
        .live = live != 0,
        .live_timeout_ms = timeout > 0 ? (unsigned)(timeout * 1000) : 0,
        .progress = on_progress,
    };
    char err[TRAWL_ERRBUF_SIZE] = "";
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = trawl_trace_open(&tr->t, paths, (size_t)n, &opt, err, sizeof err);
    Py_END_ALLOW_THREADS
    if (rc < 0) {
        tr->t = NULL;
        raise_trawl(rc, err);
        goto done;
    }
    tr->live = live != 0;
    ret = 0;
done:
    if (encoded)
        for (Py_ssize_t i = 0; i < n; i++)
            Py_XDECREF(encoded[i]);
    PyMem_Free(encoded);
    PyMem_Free(paths);
    Py_DECREF(list);
    return ret;
}

static PyObject *trace_close(PyObject *self, PyObject *unused)
{
    trawlpy_trace *tr = (trawlpy_trace *)self;
    if (tr->busy) {
        PyErr_SetString(trawlpy_error, "trace is in use by another thread");
        return NULL;
    }
    int rc = release_current(tr);
    if (tr->expr) {
        trawl_expr_free(tr->expr);
        tr->expr = NULL;
    }
    Py_CLEAR(tr->expr_text);
    if (tr->t) {
        trawl_trace_close(tr->t);
        tr->t = NULL;
    }
    if (rc < 0)
        return NULL;
    Py_RETURN_NONE;
}

static void trace_dealloc(PyObject *self)
{
    trawlpy_trace *tr = (trawlpy_trace *)self;
    PyObject_GC_UnTrack(self);
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyObject *r = trace_close(self, NULL);
    if (!r)
        PyErr_WriteUnraisable(self);
    Py_XDECREF(r);
    PyErr_Restore(type, value, tb);
    Py_CLEAR(tr->pkt);
    Py_TYPE(self)->tp_free(self);
}

static int trace_traverse(PyObject *self, visitproc visit, void *arg)
{
    trawlpy_trace *tr = (trawlpy_trace *)self;
    Py_VISIT(tr->pkt);
    return 0;
}

static int trace_clear(PyObject *self)
{
    Py_CLEAR(((trawlpy_trace *)self)->pkt);
    return 0;
}

static PyObject *trace_next(PyObject *self)
{
    trawlpy_trace *tr = (trawlpy_trace *)self;
    if (check_open(tr) < 0 || release_current(tr) < 0)
        return NULL;
    const struct trawl_trace_pkt *tp;
    char err[TRAWL_ERRBUF_SIZE] = "";
    int rc;
    UNLOCKED(tr, rc = trawl_trace_next(tr->t, &tp, err, sizeof err));
    if (rc < 0)
        return raise_trawl(rc, err);
    if (rc == 0)
        return NULL; /* StopIteration */
    return wrap(tr, tp);
}

static PyObject *trace_next_method(PyObject *self, PyObject *unused)
{
    PyObject *p = trace_next(self);
    if (!p && !PyErr_Occurred())
        PyErr_SetNone(PyExc_StopIteration);
    return p;
}

static Py_ssize_t trace_len(PyObject *self)
{
    trawlpy_trace *tr = (trawlpy_trace *)self;
    if (check_open(tr) < 0)
        return -1;
    if (tr->live) {
        PyErr_SetString(PyExc_TypeError,
                        "len() of a live trace: its end is not known");
        return -1;
    }
    uint64_t count = 0;
    char err[TRAWL_ERRBUF_SIZE] = "";
    int rc;
    UNLOCKED(tr, rc = trawl_trace_count(tr->t, &count, err, sizeof err));
    if (rc < 0) {
        raise_trawl(rc, err);
        return -1;
    }
    return (Py_ssize_t)count;
}

static PyObject *trace_getitem(PyObject *self, PyObject *key)
{
    trawlpy_trace *tr = (trawlpy_trace *)self;
    if (!PyIndex_Check(key)) {
        PyErr_Format(PyExc_TypeError,
                     "trace indexes must be integers, not %.100s",
                     Py_TYPE(key)->tp_name);
        return NULL;
    }
    Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred())
        return NULL;
    if (i < 0) {
        Py_ssize_t n = trace_len(self);
        if (n < 0)
            return NULL;
        i += n;
        if (i < 0) {
            PyErr_SetString(PyExc_IndexError, "trace index out of range");
            return NULL;
        }
    }
    if (check_open(tr) < 0 || release_current(tr) < 0)
        return NULL;
    const struct trawl_trace_pkt *tp;
    char err[TRAWL_ERRBUF_SIZE] = "";
    int rc;
    UNLOCKED(tr, rc = trawl_trace_get(tr->t, (uint64_t)i, &tp, err, sizeof err));
    if (rc < 0)
        return raise_trawl(rc, err);
    if (rc == 0) {
        PyErr_Format(PyExc_IndexError, "trace has no packet %zd", i);
        return NULL;
    }
    return wrap(tr, tp);
}

static PyObject *trace_get_index(PyObject *self, void *closure)
{
    trawlpy_trace *tr = (trawlpy_trace *)self;
    if (!tr->t) {
        PyErr_SetString(trawlpy_error, "trace is closed");
        return NULL;
    }
    return PyLong_FromUnsignedLongLong(trawl_trace_index(tr->t));
}

static PyObject *trace_get_pkt(PyObject *self, void *closure)
{
    trawlpy_trace *tr = (trawlpy_trace *)self;
    return Py_NewRef(tr->pkt ? tr->pkt : Py_None);
}

static PyObject *trace_get_live(PyObject *self, void *closure)
{
    return PyBool_FromLong(((trawlpy_trace *)self)->live);
}

static PyObject *trace_rewind(PyObject *self, PyObject *args, PyObject *kw)
{
    trawlpy_trace *tr = (trawlpy_trace *)self;
    static char *kwlist[] = {"index", NULL};
    PyObject *arg = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O!:rewind", kwlist,
                                     &PyLong_Type, &arg))
        return NULL;
    unsigned long long index = arg ? PyLong_AsUnsignedLongLong(arg) : 0;
    if (index == (unsigned long long)-1 && PyErr_Occurred())
        return NULL;
    if (check_open(tr) < 0 || release_current(tr) < 0)
        return NULL;
    char err[TRAWL_ERRBUF_SIZE] = "";
    int rc;
    UNLOCKED(tr, rc = trawl_trace_rewind(tr->t, index, err, sizeof err));
    /* pktt's rewind() answers False past what has been read. */
    if (rc == TRAWL_ERANGE)
        Py_RETURN_FALSE;
    if (rc < 0)
        return raise_trawl(rc, err);
    Py_RETURN_TRUE;
}

/* The compiled expression for `text`, kept while the same text comes back
 * (a match loop compiles once). */
static trawl_expr *compiled(trawlpy_trace *tr, PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "expression must be str, not %.100s",
                     Py_TYPE(text)->tp_name);
        return NULL;
    }
    if (tr->expr_text && tr->expr) {
        int same = PyUnicode_Compare(text, tr->expr_text) == 0;
        if (same)
            return tr->expr;
    }
    const char *s = PyUnicode_AsUTF8(text);
    if (!s)
        return NULL;
    trawl_expr *e;
    char err[TRAWL_ERRBUF_SIZE] = "";
    int rc = trawl_expr_compile(&e, s, NULL, err, sizeof err);
    if (rc < 0) {
        raise_trawl(rc, err);
        return NULL;
    }
    if (tr->expr)
        trawl_expr_free(tr->expr);
    tr->expr = e;
    Py_XSETREF(tr->expr_text, Py_NewRef(text));
    return e;
}

static PyObject *do_match(trawlpy_trace *tr, PyObject *text,
                          PyObject *maxindex, int rewind, int reply)
{
    if (check_open(tr) < 0)
        return NULL;
    struct trawl_trace_match_options mo = {
        .max_index = UINT64_MAX,
        .rewind_on_fail = rewind != 0,
        .reply = reply != 0,
    };
    if (maxindex && maxindex != Py_None) {
        unsigned long long m = PyLong_AsUnsignedLongLong(maxindex);
        if (m == (unsigned long long)-1 && PyErr_Occurred())
            return NULL;
        mo.max_index = m;
    }
    trawl_expr *e = compiled(tr, text);
    if (!e || release_current(tr) < 0)
        return NULL;
    const struct trawl_trace_pkt *tp;
    char err[TRAWL_ERRBUF_SIZE] = "";
    int rc;
    UNLOCKED(tr, rc = trawl_trace_match(tr->t, e, &mo, &tp, err, sizeof err));
    if (rc < 0)
        return raise_trawl(rc, err);
    if (rc == 0)
        Py_RETURN_NONE;
    return wrap(tr, tp);
}

static PyObject *trace_match(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"expr", "maxindex", "rewind", "reply", NULL};
    PyObject *text, *maxindex = NULL;
    int rewind = 1, reply = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "U|Opp:match", kwlist, &text,
                                     &maxindex, &rewind, &reply))
        return NULL;
    return do_match((trawlpy_trace *)self, text, maxindex, rewind, reply);
}

/* pktt's `expr in x` is a match: the packet found becomes x.pkt and the
 * position moves past it (where it was when nothing matched). */
static int trace_contains(PyObject *self, PyObject *text)
{
    PyObject *p = do_match((trawlpy_trace *)self, text, NULL, 1, 0);
    if (!p)
        return -1;
    int found = p != Py_None;
    Py_DECREF(p);
    return found;
}

static PyObject *trace_set_pktlist(PyObject *self, PyObject *args,
                                   PyObject *kw)
{
    trawlpy_trace *tr = (trawlpy_trace *)self;
    static char *kwlist[] = {"pktlist", NULL};
    PyObject *arg = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:set_pktlist", kwlist, &arg))
        return NULL;
    if (check_open(tr) < 0)
        return NULL;
    uint64_t *idx = NULL;
    Py_ssize_t n = 0;
    PyObject *seq = NULL;
    if (arg != Py_None) {
        seq = PySequence_Fast(arg, "set_pktlist() takes a list of packets "
                                   "or indexes");
        if (!seq)
            return NULL;
        n = PySequence_Fast_GET_SIZE(seq);
        idx = PyMem_Calloc(n ? (size_t)n : 1, sizeof *idx);
        if (!idx) {
            Py_DECREF(seq);
            return PyErr_NoMemory();
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *o = PySequence_Fast_GET_ITEM(seq, i);
            if (PyObject_TypeCheck(o, &trawlpy_packet_type)) {
                idx[i] = ((trawlpy_packet *)o)->index;
                continue;
            }
            unsigned long long v = PyIndex_Check(o)
                ? PyLong_AsUnsignedLongLong(o) : (PyErr_Format(
                      PyExc_TypeError, "set_pktlist(): item %zd is %.100s, "
                      "not a packet or an index", i, Py_TYPE(o)->tp_name),
                  (unsigned long long)-1);
            if (v == (unsigned long long)-1 && PyErr_Occurred()) {
                PyMem_Free(idx);
                Py_DECREF(seq);
                return NULL;
            }
            idx[i] = v;
        }
    }
    Py_XDECREF(seq);
    PyObject *ret = NULL;
    if (release_current(tr) < 0)
        goto done;
    char err[TRAWL_ERRBUF_SIZE] = "";
    int rc = trawl_trace_set_pktlist(tr->t, n ? idx : NULL, (size_t)n, err,
                                     sizeof err);
    if (rc < 0)
        raise_trawl(rc, err);
    else
        ret = Py_NewRef(Py_None);
done:
    PyMem_Free(idx);
    return ret;
}

static PyObject *trace_get_index_method(PyObject *self, PyObject *unused)
{
    return trace_get_index(self, NULL);
}

static PyObject *trace_enter(PyObject *self, PyObject *unused)
{
    return Py_NewRef(self);
}

static PyObject *trace_exit(PyObject *self, PyObject *args)
{
    PyObject *r = trace_close(self, NULL);
    if (!r)
        return NULL;
    Py_DECREF(r);
    Py_RETURN_FALSE;
}

static PyObject *trace_iter(PyObject *self)
{
    if (check_open((trawlpy_trace *)self) < 0)
        return NULL;
    return Py_NewRef(self);
}

static PyObject *trace_repr(PyObject *self)
{
    trawlpy_trace *tr = (trawlpy_trace *)self;
    if (!tr->t)
        return PyUnicode_FromString("<trawl.Trace closed>");
    return PyUnicode_FromFormat("<trawl.Trace index=%llu%s>",
                                (unsigned long long)trawl_trace_index(tr->t),
                                tr->live ? " live" : "");
}

static PyMethodDef trace_methods[] = {
    {"match", (PyCFunction)(void (*)(void))trace_match,
     METH_VARARGS | METH_KEYWORDS,
     "match(expr, maxindex=None, rewind=True, reply=False) -> Packet or None\n"
     "The next packet from the current index that expr matches; the index\n"
     "moves past it. None when nothing matched before maxindex (the index\n"
     "then goes back where the search started, unless rewind is False).\n"
     "reply=True also matches the RPC replies of the calls matched."},
    {"rewind", (PyCFunction)(void (*)(void))trace_rewind,
     METH_VARARGS | METH_KEYWORDS,
     "rewind(index=0) -> bool\nMoves the index; False past what has been "
     "read."},
    {"set_pktlist", (PyCFunction)(void (*)(void))trace_set_pktlist,
     METH_VARARGS | METH_KEYWORDS,
     "set_pktlist(pktlist=None)\nBuffered matching: match() searches only "
     "these packets (or indexes), in this order; None goes back to the "
     "whole trace."},
    {"next", trace_next_method, METH_NOARGS,
     "next() -> Packet\nThe packet at the index (StopIteration at the end)."},
    {"get_index", trace_get_index_method, METH_NOARGS,
     "get_index() -> int\nThe current index (pktt's spelling)."},
    {"close", trace_close, METH_NOARGS, "close()\nCloses the files."},
    {"__enter__", trace_enter, METH_NOARGS, NULL},
    {"__exit__", trace_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef trace_getset[] = {
    {"index", trace_get_index, NULL,
     "Index of the packet the next read returns.", NULL},
    {"pkt", trace_get_pkt, NULL,
     "The last packet returned (by iteration, [], match or `in`), or None.",
     NULL},
    {"live", trace_get_live, NULL, "Whether the trace was opened live.",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

/* A trace is true even when empty or live: `if t:` must not read it to
 * the end (or fail) as len() would. */
static int trace_bool(PyObject *self)
{
    return 1;
}

static PyNumberMethods trace_as_number = {
    .nb_bool = trace_bool,
};

static PySequenceMethods trace_as_sequence = {
    .sq_length = trace_len,
    .sq_contains = trace_contains,
};

static PyMappingMethods trace_as_mapping = {
    .mp_length = trace_len,
    .mp_subscript = trace_getitem,
};

PyTypeObject trawlpy_trace_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "trawl.Trace",
    .tp_doc = "Trace(path_or_list, live=False, live_timeout=0)\n"
              "A trace of one or more pcap/pcapng files, read as one.",
    .tp_basicsize = sizeof(trawlpy_trace),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_new = PyType_GenericNew,
    .tp_init = trace_init,
    .tp_dealloc = trace_dealloc,
    .tp_traverse = trace_traverse,
    .tp_clear = trace_clear,
    .tp_iter = trace_iter,
    .tp_iternext = trace_next,
    .tp_methods = trace_methods,
    .tp_getset = trace_getset,
    .tp_as_number = &trace_as_number,
    .tp_as_sequence = &trace_as_sequence,
    .tp_as_mapping = &trace_as_mapping,
    .tp_repr = trace_repr,
};
