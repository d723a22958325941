/* Xena's port capturer: configuration, the driver thread, reading the
 * buffer. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "server/ports.h"
#include "server/util.h"
#include "trawl/trawl.h"

/* A read of the buffer for the driver thread to answer: only the thread
 * driving a capture may read its buffer while it runs. */
struct read_req {
    uint64_t from, count;
    bool bytes; /* one packet, with its bytes */
    json_t *result;
    int rc;
    char err[TRAWL_ERRBUF_SIZE];
    bool done;
};

struct port {
    char *name;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    /* The configuration, Xena's PC_TRIGGER and PC_KEEP. */
    enum trawl_start_criterion start;
    unsigned start_filter;
    enum trawl_stop_criterion stop;
    unsigned stop_filter;
    enum trawl_keep_kind keep;
    int keep_index;
    uint32_t byte_count;
    char *filters[PORTS_MAX_FILTERS];
    /* The current (or last) capture, and its driver. */
    trawl_capture *c;
    pthread_t thread;
    bool thread_started, running;
    bool used_filter[PORTS_MAX_FILTERS]; /* by the running capture */
    struct read_req *req;
    uint64_t buffer_bytes;
    int64_t start_us;
};

struct ports {
    struct port *p;
    size_t n;
};

static const char busy_text[] =
    "while capture is on the capture parameters cannot be changed";

/* ---- names ------------------------------------------------------------------ */

static const char *const start_names[] = {
    [TRAWL_START_ON] = "ON", [TRAWL_START_FILTER] = "FILTER",
    [TRAWL_START_FCSERR] = "FCSERR", [TRAWL_START_PLDERR] = "PLDERR"};
static const char *const stop_names[] = {
    [TRAWL_STOP_FULL] = "FULL", [TRAWL_STOP_USERSTOP] = "USERSTOP",
    [TRAWL_STOP_FILTER] = "FILTER", [TRAWL_STOP_FCSERR] = "FCSERR",
    [TRAWL_STOP_PLDERR] = "PLDERR"};
static const char *const keep_names[] = {
    [TRAWL_KEEP_ALL] = "ALL",       [TRAWL_KEEP_FILTER] = "FILTER",
    [TRAWL_KEEP_NOTPLD] = "NOTPLD", [TRAWL_KEEP_TPLD] = "TPLD",
    [TRAWL_KEEP_PLDERR] = "PLDERR", [TRAWL_KEEP_FCSERR] = "FCSERR"};
static const char *const state_names[] = {
    [TRAWL_CAPTURE_OFF] = "off", [TRAWL_CAPTURE_WAITING] = "waiting",
    [TRAWL_CAPTURE_CAPTURING] = "capturing",
    [TRAWL_CAPTURE_STOPPED] = "stopped"};

/* The index of name (any case) in names[0, n), or -1. */
static int name_index(const char *const *names, size_t n, const json_t *v) {
    const char *s = json_string_value(v);
    for (size_t i = 0; s && i < n; i++)
        if (names[i] && strcasecmp(s, names[i]) == 0)
            return (int)i;
    return -1;
}

static void choices(char *buf, size_t len, const char *const *names, size_t n) {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
                                 names[i]);
}

/* ---- setup ------------------------------------------------------------------- */

int ports_new(struct ports **out, const char *const *names, size_t n,
              char *err, size_t errlen) {
    struct ports *ps = calloc(1, sizeof *ps);
    if (!ps || !(ps->p = calloc(n ? n : 1, sizeof *ps->p))) {
        free(ps);
        return util_err(err, errlen, TRAWL_ENOMEM, "ports: out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        struct port *p = &ps->p[i];
        p->name = strdup(names[i]);
        pthread_mutex_init(&p->lock, NULL);
        pthread_cond_init(&p->cond, NULL);
        p->keep_index = -1;
        p->buffer_bytes = PORTS_BUFFER_BYTES;
        ps->n++;
    }
    *out = ps;
    return 0;
}

static void join_driver(struct port *p) {
    if (!p->thread_started)
        return;
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    pthread_mutex_lock(&p->lock);
    p->thread_started = false;
}

void ports_free(struct ports *ps) {
    if (!ps)
        return;
    for (size_t i = 0; i < ps->n; i++) {
        struct port *p = &ps->p[i];
        pthread_mutex_lock(&p->lock);
        if (p->c)
            trawl_capture_stop(p->c);
        join_driver(p);
        trawl_capture_close(p->c);
        pthread_mutex_unlock(&p->lock);
        for (size_t f = 0; f < PORTS_MAX_FILTERS; f++)
            free(p->filters[f]);
        free(p->name);
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->cond);
    }
    free(ps->p);
    free(ps);
}

struct port *ports_find(struct ports *ps, const char *name) {
    for (size_t i = 0; ps && i < ps->n; i++)
        if (strcmp(ps->p[i].name, name) == 0)
            return &ps->p[i];
    return NULL;
}

json_t *ports_list(struct ports *ps) {
    json_t *a = json_array();
    for (size_t i = 0; ps && i < ps->n; i++) {
        json_t *st = port_state(&ps->p[i]);
        json_object_set_new(st, "port", json_string(ps->p[i].name));
        json_array_append_new(a, st);
    }
    return a;
}

/* ---- trigger, keep, filters --------------------------------------------------- */

json_t *port_trigger(struct port *p) {
    pthread_mutex_lock(&p->lock);
    json_t *o = json_pack("{s:s, s:i, s:s, s:i}", "start_criteria",
                          start_names[p->start], "start_criteria_filter",
                          (int)p->start_filter, "stop_criteria",
                          stop_names[p->stop], "stop_criteria_filter",
                          (int)p->stop_filter);
    pthread_mutex_unlock(&p->lock);
    return o;
}

static bool filter_number(const json_t *v, unsigned *out) {
    if (!v)
        return true;
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) >= PORTS_MAX_FILTERS)
        return false;
    *out = (unsigned)json_integer_value(v);
    return true;
}

int port_set_trigger(struct port *p, const json_t *v, char *err,
                     size_t errlen) {
    char list[128];
    pthread_mutex_lock(&p->lock);
    int rc = 0;
    int start = p->start, stop = p->stop;
    unsigned sf = p->start_filter, tf = p->stop_filter;
    json_t *x;
    if (p->running) {
        rc = util_err(err, errlen, TRAWL_EBUSY, "trigger: %s", busy_text);
    } else if ((x = json_object_get(v, "start_criteria")) &&
               (start = name_index(start_names, UTIL_ARRAY_LEN(start_names),
                                   x)) < 0) {
        choices(list, sizeof list, start_names, UTIL_ARRAY_LEN(start_names));
        rc = util_err(err, errlen, TRAWL_EINVAL,
                      "start_criteria: one of %s", list);
    } else if ((x = json_object_get(v, "stop_criteria")) &&
               (stop = name_index(stop_names, UTIL_ARRAY_LEN(stop_names), x)) <
                   0) {
        choices(list, sizeof list, stop_names, UTIL_ARRAY_LEN(stop_names));
        rc = util_err(err, errlen, TRAWL_EINVAL, "stop_criteria: one of %s",
                      list);
    } else if (!filter_number(json_object_get(v, "start_criteria_filter"),
                              &sf) ||
               !filter_number(json_object_get(v, "stop_criteria_filter"),
                              &tf)) {
        rc = util_err(err, errlen, TRAWL_EINVAL,
                      "a criteria filter is a filter number from 0 to %d",
                      PORTS_MAX_FILTERS - 1);
    } else {
        p->start = (enum trawl_start_criterion)start;
        p->stop = (enum trawl_stop_criterion)stop;
        p->start_filter = sf;
        p->stop_filter = tf;
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

json_t *port_keep(struct port *p) {
    pthread_mutex_lock(&p->lock);
    json_t *o = json_pack("{s:s, s:i, s:i}", "kind", keep_names[p->keep],
                          "index", p->keep_index, "byte_count",
                          p->byte_count ? (int)p->byte_count : -1);
    pthread_mutex_unlock(&p->lock);
    return o;
}

int port_set_keep(struct port *p, const json_t *v, char *err, size_t errlen) {
    char list[128];
    pthread_mutex_lock(&p->lock);
    int rc = 0, kind = p->keep;
    json_t *x;
    json_int_t index = p->keep_index;
    json_int_t bytes = p->byte_count;
    if (p->running) {
        rc = util_err(err, errlen, TRAWL_EBUSY, "keep: %s", busy_text);
    } else if ((x = json_object_get(v, "kind")) &&
               (kind = name_index(keep_names, UTIL_ARRAY_LEN(keep_names), x)) <
                   0) {
        choices(list, sizeof list, keep_names, UTIL_ARRAY_LEN(keep_names));
        rc = util_err(err, errlen, TRAWL_EINVAL, "kind: one of %s", list);
    } else if ((x = json_object_get(v, "index")) &&
               (!json_is_integer(x) || (index = json_integer_value(x)) < -1 ||
                index > 65535)) {
        rc = util_err(err, errlen, TRAWL_EINVAL,
                      "index: a filter number (FILTER) or a test payload "
                      "stream (TPLD; -1 = any)");
    } else if ((x = json_object_get(v, "byte_count")) &&
               (!json_is_integer(x) || (bytes = json_integer_value(x)) < -1 ||
                bytes > 65535)) {
        rc = util_err(err, errlen, TRAWL_EINVAL,
                      "byte_count: bytes kept of each packet, -1 or 0 for "
                      "all of it");
    } else if (kind == TRAWL_KEEP_FILTER &&
               (index < 0 || index >= PORTS_MAX_FILTERS)) {
        rc = util_err(err, errlen, TRAWL_EINVAL,
                      "index: keep FILTER needs a filter number from 0 to %d",
                      PORTS_MAX_FILTERS - 1);
    } else {
        p->keep = (enum trawl_keep_kind)kind;
        p->keep_index = (int)index;
        p->byte_count = bytes > 0 ? (uint32_t)bytes : 0;
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

static json_t *filter_json(struct port *p, unsigned n) {
    return json_pack("{s:i, s:s}", "index", (int)n, "expression",
                     p->filters[n]);
}

json_t *port_filters(struct port *p) {
    json_t *a = json_array();
    pthread_mutex_lock(&p->lock);
    for (unsigned n = 0; n < PORTS_MAX_FILTERS; n++)
        if (p->filters[n])
            json_array_append_new(a, filter_json(p, n));
    pthread_mutex_unlock(&p->lock);
    return a;
}

json_t *port_filter(struct port *p, unsigned n, char *err, size_t errlen) {
    json_t *o = NULL;
    pthread_mutex_lock(&p->lock);
    if (n < PORTS_MAX_FILTERS && p->filters[n])
        o = filter_json(p, n);
    else
        util_err(err, errlen, TRAWL_ENOENT, "%s: no filter %u", p->name, n);
    pthread_mutex_unlock(&p->lock);
    return o;
}

int port_set_filter(struct port *p, unsigned n, const char *expression,
                    char *err, size_t errlen) {
    if (n >= PORTS_MAX_FILTERS)
        return util_err(err, errlen, TRAWL_ENOENT,
                        "filters are numbered 0 to %d", PORTS_MAX_FILTERS - 1);
    trawl_expr *e;
    int rc = trawl_expr_compile(&e, expression, NULL, err, errlen);
    if (rc < 0)
        return rc;
    trawl_expr_free(e);
    pthread_mutex_lock(&p->lock);
    if (p->running && p->used_filter[n]) {
        rc = util_err(err, errlen, TRAWL_EBUSY,
                      "filter %u: %s (the running capture uses it)", n,
                      busy_text);
    } else {
        free(p->filters[n]);
        p->filters[n] = strdup(expression);
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

int port_del_filter(struct port *p, unsigned n, char *err, size_t errlen) {
    pthread_mutex_lock(&p->lock);
    int rc = 0;
    if (n >= PORTS_MAX_FILTERS || !p->filters[n])
        rc = util_err(err, errlen, TRAWL_ENOENT, "%s: no filter %u", p->name,
                      n);
    else if (p->running && p->used_filter[n])
        rc = util_err(err, errlen, TRAWL_EBUSY,
                      "filter %u: %s (the running capture uses it)", n,
                      busy_text);
    else {
        free(p->filters[n]);
        p->filters[n] = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

/* ---- reading the buffer --------------------------------------------------------- */

static void hex(char *out, const uint8_t *p, size_t n) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static json_t *packet_json(uint64_t i, const struct trawl_pkt *pkt,
                           bool bytes) {
    json_t *o = json_pack(
        "{s:I, s:I, s:i, s:i, s:i}", "index", (json_int_t)i, "time_us",
        (json_int_t)(pkt->ts_sec * 1000000 + pkt->ts_nsec / 1000), "length",
        (int)pkt->len, "caplen", (int)pkt->caplen, "interface",
        (int)pkt->iface);
    if (bytes) {
        char *h = malloc(2 * (size_t)pkt->caplen + 1);
        if (h) {
            hex(h, pkt->data, pkt->caplen);
            json_object_set_new(o, "hex_data", json_string(h));
            free(h);
        }
    }
    return o;
}

/* Answers r from the capture's buffer; the caller is its driver (or the
 * capture is not running). */
static void read_buffer(struct port *p, struct read_req *r) {
    struct trawl_buffer_stats bs;
    trawl_capture_buffer_stats(p->c, &bs);
    if (r->bytes) {
        struct trawl_pkt pkt;
        r->rc = trawl_capture_buffer_get(p->c, r->from, &pkt, r->err,
                                         sizeof r->err);
        if (r->rc == 0)
            r->result = packet_json(r->from, &pkt, true);
        else if (r->rc == TRAWL_ERANGE)
            r->rc = util_err(r->err, sizeof r->err, TRAWL_ENOENT,
                             "%s: no packet %llu (the buffer holds %llu)",
                             p->name, (unsigned long long)r->from,
                             (unsigned long long)bs.packets);
        return;
    }
    json_t *list = json_array();
    for (uint64_t i = r->from; i < bs.packets && i - r->from < r->count; i++) {
        struct trawl_pkt pkt;
        if (trawl_capture_buffer_get(p->c, i, &pkt, NULL, 0) < 0)
            break;
        json_array_append_new(list, packet_json(i, &pkt, false));
    }
    r->result = json_pack("{s:I, s:I, s:o}", "count", (json_int_t)bs.packets,
                          "from", (json_int_t)r->from, "packets", list);
    r->rc = 0;
}

/* Called with the lock held. */
static json_t *read_packets(struct port *p, struct read_req *r, char *err,
                            size_t errlen) {
    if (!p->c) {
        util_err(err, errlen, TRAWL_ENOENT,
                 "%s: the capturer has not run yet", p->name);
        return NULL;
    }
    if (p->running) {
        while (p->req && p->running)
            pthread_cond_wait(&p->cond, &p->lock);
    }
    if (p->running) {
        p->req = r;
        while (!r->done && p->running)
            pthread_cond_wait(&p->cond, &p->lock);
        if (p->req == r)
            p->req = NULL;
    }
    if (!r->done)
        read_buffer(p, r);
    if (r->rc < 0)
        util_err(err, errlen, r->rc, "%s", r->err);
    return r->rc < 0 ? NULL : r->result;
}

json_t *port_packets(struct port *p, uint64_t from, uint64_t count, char *err,
                     size_t errlen) {
    struct read_req r = {.from = from, .count = count};
    pthread_mutex_lock(&p->lock);
    json_t *o = read_packets(p, &r, err, errlen);
    pthread_mutex_unlock(&p->lock);
    return o;
}

json_t *port_packet(struct port *p, uint64_t i, char *err, size_t errlen) {
    struct read_req r = {.from = i, .count = 1, .bytes = true};
    pthread_mutex_lock(&p->lock);
    json_t *o = read_packets(p, &r, err, errlen);
    pthread_mutex_unlock(&p->lock);
    return o;
}

/* ---- running --------------------------------------------------------------------- */

/* The driver: next() until the capture stops, answering buffer reads in
 * between (a read waits at most the 100 ms of a quiet next()). */
static void *driver(void *arg) {
    struct port *p = arg;
    trawl_capture *c = p->c;
    char err[TRAWL_ERRBUF_SIZE];
    for (;;) {
        struct trawl_pkt pkt;
        int rc = trawl_capture_next(c, &pkt, 100, err, sizeof err);
        pthread_mutex_lock(&p->lock);
        if (p->req) {
            read_buffer(p, p->req);
            p->req->done = true;
            p->req = NULL;
            pthread_cond_broadcast(&p->cond);
        }
        pthread_mutex_unlock(&p->lock);
        if (rc < 0)
            break;
    }
    pthread_mutex_lock(&p->lock);
    p->running = false;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* A filter the configuration names, which must exist. */
static const char *named_filter(struct port *p, unsigned n, const char *what,
                                char *err, size_t errlen) {
    if (!p->filters[n])
        util_err(err, errlen, TRAWL_EINVAL,
                 "%s uses filter %u, which is not defined (PUT "
                 "/api/v1/ports/%s/filters/%u)",
                 what, n, p->name, n);
    else
        p->used_filter[n] = true;
    return p->filters[n];
}

/* Called with the lock held and the capturer off. */
static int start_capture(struct port *p, uint64_t buffer, char *err,
                         size_t errlen) {
    memset(p->used_filter, 0, sizeof p->used_filter);
    struct trawl_trigger t = {.start = p->start, .stop = p->stop};
    struct trawl_keep k = {.kind = p->keep,
                           .stream = p->keep == TRAWL_KEEP_TPLD ? p->keep_index
                                                                : -1,
                           .byte_count = p->byte_count};
    if (p->start == TRAWL_START_FILTER &&
        !(t.start_filter = named_filter(p, p->start_filter,
                                        "start_criteria FILTER", err, errlen)))
        return TRAWL_EINVAL;
    if (p->stop == TRAWL_STOP_FILTER &&
        !(t.stop_filter = named_filter(p, p->stop_filter,
                                       "stop_criteria FILTER", err, errlen)))
        return TRAWL_EINVAL;
    if (p->keep == TRAWL_KEEP_FILTER &&
        !(k.filter = named_filter(p, (unsigned)p->keep_index, "keep FILTER",
                                  err, errlen)))
        return TRAWL_EINVAL;
    /* The last capture's buffer goes with it. */
    join_driver(p);
    trawl_capture_close(p->c);
    p->c = NULL;
    trawl_capture *c;
    int rc = trawl_capture_new(&c, err, errlen);
    if (rc < 0)
        return rc;
    if ((rc = trawl_capture_add_iface(c, p->name, err, errlen)) < 0 ||
        (rc = trawl_capture_set_buffer(c, buffer, err, errlen)) < 0 ||
        (rc = trawl_capture_set_trigger(c, &t, err, errlen)) < 0 ||
        (rc = trawl_capture_set_keep(c, &k, err, errlen)) < 0 ||
        (rc = trawl_capture_start(c, err, errlen)) < 0) {
        trawl_capture_close(c);
        return rc == TRAWL_EEXPR ? TRAWL_EINVAL : rc;
    }
    p->c = c;
    p->buffer_bytes = buffer;
    p->start_us = util_now_us();
    p->running = true;
    rc = pthread_create(&p->thread, NULL, driver, p);
    if (rc != 0) {
        p->running = false;
        trawl_capture_stop(c);
        return util_err(err, errlen, TRAWL_EIO, "%s: cannot start a thread",
                        p->name);
    }
    p->thread_started = true;
    return 0;
}

int port_set_state(struct port *p, const json_t *v, char *err, size_t errlen) {
    const char *on = json_string_value(json_object_get(v, "on_off"));
    json_t *b = json_object_get(v, "buffer_bytes");
    uint64_t buffer = PORTS_BUFFER_BYTES;
    if (b && (!json_is_integer(b) || json_integer_value(b) < 65536 ||
              json_integer_value(b) > (1ll << 30)))
        return util_err(err, errlen, TRAWL_EINVAL,
                        "buffer_bytes: 65536 to 1073741824");
    if (b)
        buffer = (uint64_t)json_integer_value(b);
    int rc = 0;
    pthread_mutex_lock(&p->lock);
    if (on && strcasecmp(on, "START") == 0) {
        if (p->running)
            rc = util_err(err, errlen, TRAWL_EBUSY, "%s: capture is on already",
                          p->name);
        else
            rc = start_capture(p, buffer, err, errlen);
    } else if (on && strcasecmp(on, "STOP") == 0) {
        if (p->running)
            trawl_capture_stop(p->c);
        /* Answered once the capture is off, so that the parameters can be
         * changed by the very next request (the driver notices the stop
         * within one 100 ms wait). */
        while (p->running)
            pthread_cond_wait(&p->cond, &p->lock);
    } else {
        rc = util_err(err, errlen, TRAWL_EINVAL,
                      "on_off: \"START\" or \"STOP\"");
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

json_t *port_state(struct port *p) {
    pthread_mutex_lock(&p->lock);
    enum trawl_capture_state st = p->c ? trawl_capture_state(p->c)
                                       : TRAWL_CAPTURE_OFF;
    enum trawl_stop_reason why = p->c ? trawl_capture_stop_reason(p->c)
                                      : TRAWL_STOPPED_NONE;
    json_t *o = json_pack("{s:s, s:s}", "on_off", p->running ? "START" : "STOP",
                          "state", state_names[st]);
    json_object_set_new(o, "reason",
                        why == TRAWL_STOPPED_NONE
                            ? json_null()
                            : json_string(trawl_stop_reason_name(why)));
    pthread_mutex_unlock(&p->lock);
    return o;
}

json_t *port_stats(struct port *p) {
    pthread_mutex_lock(&p->lock);
    json_t *o = json_object();
    if (p->c) {
        struct trawl_buffer_stats bs;
        struct trawl_counters k;
        trawl_capture_buffer_stats(p->c, &bs);
        trawl_capture_counters(p->c, &k);
        char iso[48];
        int64_t us = bs.start_sec * 1000000 + bs.start_nsec / 1000;
        util_iso_time(us, iso, sizeof iso);
        json_object_set_new(o, "start_time_us", json_integer(us));
        json_object_set_new(o, "start_time", json_string(iso));
        /* Xena's "status": the packets in the buffer now. */
        json_object_set_new(o, "status", json_integer((json_int_t)bs.packets));
        json_object_set_new(o, "packets", json_integer((json_int_t)bs.packets));
        json_object_set_new(o, "bytes", json_integer((json_int_t)bs.bytes));
        json_object_set_new(o, "discarded",
                            json_integer((json_int_t)bs.discarded));
        json_object_set_new(o, "buffer_bytes",
                            json_integer((json_int_t)p->buffer_bytes));
        json_object_set_new(
            o, "counters",
            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "received",
                      (json_int_t)k.received, "captured",
                      (json_int_t)k.captured, "ignored", (json_int_t)k.ignored,
                      "dropped", (json_int_t)k.dropped, "kernel_dropped",
                      (json_int_t)k.kernel_dropped, "bytes",
                      (json_int_t)k.bytes));
    } else {
        json_object_set_new(o, "start_time_us", json_null());
        json_object_set_new(o, "start_time", json_null());
        json_object_set_new(o, "status", json_integer(0));
        json_object_set_new(o, "packets", json_integer(0));
    }
    pthread_mutex_unlock(&p->lock);
    json_t *st = port_state(p);
    json_object_update(o, st);
    json_decref(st);
    return o;
}
