/* trawl's Python module: the module object, trawl.Error, and the field-name
 * tables the packets' attribute lookups use. */
#include "trawlpy.h"

#include <ctype.h>
#include <string.h>

#include "trawl_config.h"

PyObject *trawlpy_error;
PyObject *trawlpy_prefixes;

/* Adds every proper dotted prefix of `name`, lower-cased, to the set. */
static int add_prefixes(PyObject *set, const char *name)
{
    char buf[256];
    size_t n = strlen(name);
    if (n >= sizeof buf)
        return 0;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)name[i]);
    buf[n] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (buf[i] != '.')
            continue;
        PyObject *s = PyUnicode_FromStringAndSize(buf, (Py_ssize_t)i);
        if (!s || PySet_Add(set, s) < 0) {
            Py_XDECREF(s);
            return -1;
        }
        Py_DECREF(s);
    }
    return 0;
}

static PyObject *build_prefixes(void)
{
    PyObject *set = PySet_New(NULL);
    if (!set)
        return NULL;
    for (size_t i = 0; i < trawl_field_count(); i++) {
        const trawl_field *f = trawl_field_at(i);
        if (add_prefixes(set, trawl_field_name(f)) < 0)
            goto fail;
        const char *alias;
        for (size_t a = 0; (alias = trawl_field_alias(f, a)) != NULL; a++)
            if (add_prefixes(set, alias) < 0)
                goto fail;
    }
    return set;
fail:
    Py_DECREF(set);
    return NULL;
}

PyObject *trawlpy_value(const trawl_field *f, const struct trawl_value *v)
{
    char buf[128];
    switch (v->type) {
    case TRAWL_FT_NONE:
        Py_RETURN_TRUE;
    case TRAWL_FT_BOOL:
        return PyBool_FromLong(v->u != 0);
    case TRAWL_FT_UINT:
        return PyLong_FromUnsignedLongLong(v->u);
    case TRAWL_FT_INT:
        return PyLong_FromLongLong(v->i);
    case TRAWL_FT_DOUBLE:
        return PyFloat_FromDouble(v->d);
    case TRAWL_FT_IPV4:
    case TRAWL_FT_IPV6:
    case TRAWL_FT_MAC:
        trawl_value_format(f, v, buf, sizeof buf);
        return PyUnicode_FromString(buf);
    case TRAWL_FT_BYTES:
        return PyBytes_FromStringAndSize((const char *)v->bytes.p,
                                         (Py_ssize_t)v->bytes.len);
    case TRAWL_FT_STRING:
        /* Text from the wire need not be UTF-8: undecodable bytes are
         * kept as surrogates rather than refused. */
        return PyUnicode_DecodeUTF8((const char *)v->bytes.p,
                                    (Py_ssize_t)v->bytes.len,
                                    "surrogateescape");
    case TRAWL_FT_TIME:
    case TRAWL_FT_RELTIME:
        return PyFloat_FromDouble((double)v->time.sec +
                                  (double)v->time.nsec / 1e9);
    }
    trawl_value_format(f, v, buf, sizeof buf);
    return PyUnicode_FromString(buf);
}

PyDoc_STRVAR(module_doc,
"trawl: read packet traces from Python, as NFStest's packet.pktt does.\n"
"\n"
"    import trawl\n"
"    t = trawl.Trace('nfs.pcap')\n"
"    pkt = t.match('NFS.argop == 42')   # next EXCHANGE_ID call\n"
"    if pkt:\n"
"        print(pkt.rpc.xid, pkt.ip.src)\n");

static struct PyModuleDef trawl_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "trawl",
    .m_doc = module_doc,
    .m_size = -1,
};

PyMODINIT_FUNC PyInit_trawl(void);
PyMODINIT_FUNC PyInit_trawl(void)
{
    PyTypeObject *types[] = {&trawlpy_trace_type, &trawlpy_packet_type,
                             &trawlpy_layer_type, &trawlpy_node_type};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (PyType_Ready(types[i]) < 0)
            return NULL;

    PyObject *m = PyModule_Create(&trawl_module);
    if (!m)
        return NULL;
    trawlpy_error = PyErr_NewExceptionWithDoc(
        "trawl.Error", "An error from trawl, with trawl's message.",
        PyExc_Exception, NULL);
    trawlpy_prefixes = build_prefixes();
    if (!trawlpy_error || !trawlpy_prefixes)
        goto fail;
    if (PyModule_AddObjectRef(m, "Error", trawlpy_error) < 0 ||
        PyModule_AddObjectRef(m, "Trace", (PyObject *)&trawlpy_trace_type) < 0 ||
        PyModule_AddObjectRef(m, "Packet", (PyObject *)&trawlpy_packet_type) < 0 ||
        PyModule_AddStringConstant(m, "__version__", TRAWL_VERSION) < 0)
        goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
