/* Starting and finishing captures; what their parameters mean. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/captures.h"
#include "server/preview.h"
#include "server/storage.h"
#include "server/util.h"

/* ---- parameters ---------------------------------------------------------- */

/* A parameter as a string (query arguments are strings; a JSON body may
 * give numbers and booleans for them). */
static bool arg_u64(const json_t *v, uint64_t *out) {
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return true;
    }
    return json_is_string(v) && util_parse_u64(json_string_value(v), out);
}

static bool arg_seconds(const json_t *v, uint64_t *ms) {
    double d;
    if (json_is_number(v)) {
        d = json_number_value(v);
    } else if (json_is_string(v)) {
        char *end;
        const char *s = json_string_value(v);
        d = strtod(s, &end);
        if (end == s || *end)
            return false;
    } else {
        return false;
    }
    if (!isfinite(d) || d < 0 || d > 1e9)
        return false;
    *ms = (uint64_t)llround(d * 1000.0);
    return true;
}

static bool arg_bool(const json_t *v, bool *out) {
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return true;
    }
    if (json_is_integer(v) &&
        (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
        *out = json_integer_value(v) == 1;
        return true;
    }
    return json_is_string(v) && util_parse_bool(json_string_value(v), out);
}

static bool arg_str(const json_t *v, char **out) {
    const char *s = json_string_value(v);
    if (!s)
        return false;
    free(*out);
    *out = strdup(s);
    return *out != NULL;
}

/* Every parameter a capture takes: trawl's name, then the Allegro capture
 * URL's where it has one. */
enum param {
    P_FILTER,
    P_START,
    P_END,
    P_DURATION,
    P_PACKETS,
    P_BYTES,
    P_SNAPLEN,
    P_PROFILE,
    P_FORMAT,
    P_COMPRESSION,
    P_IFACE,
    P_SINGLE,
    P_BUFFER,
    P_MEDIA,
    P_TYPE,
    P_DIRECTORY,
    P_FILE_NAME,
    P_COUNT,
    P_PREVIEW_BYTES,
};

static const struct {
    const char *name, *allegro;
} params[] = {
    [P_FILTER] = {"filter", "expression"},
    [P_START] = {"start_time_us", "startTime"},
    [P_END] = {"end_time_us", "endTime"},
    [P_DURATION] = {"duration_s", NULL},
    [P_PACKETS] = {"max_packets", NULL},
    [P_BYTES] = {"max_bytes", NULL},
    [P_SNAPLEN] = {"snaplen", "snapPacketLength"},
    [P_PROFILE] = {"profile", NULL},
    [P_FORMAT] = {"format", NULL},
    [P_COMPRESSION] = {"compression", NULL},
    [P_IFACE] = {"interface", NULL},
    [P_SINGLE] = {"single_interface", "useSingleInterface"},
    [P_BUFFER] = {"from_capture_buffer", "fromCaptureBuffer"},
    [P_MEDIA] = {"capture_to_media", "captureToMedia"},
    [P_TYPE] = {"type", NULL},
    [P_DIRECTORY] = {"directory", NULL},
    [P_FILE_NAME] = {"file_name", NULL},
    [P_COUNT] = {"count", NULL},
    [P_PREVIEW_BYTES] = {"max_preview_bytes", NULL},
};

static int param_of(const char *key) {
    for (size_t i = 0; i < UTIL_ARRAY_LEN(params); i++)
        if (strcmp(key, params[i].name) == 0 ||
            (params[i].allegro && strcmp(key, params[i].allegro) == 0))
            return (int)i;
    return -1;
}

static int bad(int *status, char *err, size_t errlen, const char *key,
               const char *what) {
    *status = 400;
    return util_err(err, errlen, TRAWL_EINVAL, "parameter %s: %s", key, what);
}

/* One parameter into spec. */
static int apply_param(struct session_spec *spec, int p, const char *key,
                       const json_t *v, bool *buffer, int *status, char *err,
                       size_t errlen) {
    uint64_t u;
    bool b;
    switch ((enum param)p) {
    case P_FILTER:
        if (!arg_str(v, &spec->filter))
            return bad(status, err, errlen, key, "expected a string");
        return 0;
    case P_START:
    case P_END:
        if (!arg_u64(v, &u) || u > (uint64_t)INT64_MAX)
            return bad(status, err, errlen, key,
                       "expected microseconds since 1970 (a whole number)");
        *(p == P_START ? &spec->start_us : &spec->end_us) = (int64_t)u;
        return 0;
    case P_DURATION:
        if (!arg_seconds(v, &spec->max_duration_ms))
            return bad(status, err, errlen, key, "expected seconds");
        return 0;
    case P_PACKETS:
        if (!arg_u64(v, &spec->max_packets))
            return bad(status, err, errlen, key, "expected a whole number");
        return 0;
    case P_BYTES:
        if (!arg_u64(v, &spec->max_bytes))
            return bad(status, err, errlen, key, "expected a whole number");
        return 0;
    case P_SNAPLEN:
        /* Allegro: 65535 means no limit; 64 to 65535 truncate. */
        if (!arg_u64(v, &u) || (u && (u < 64 || u > 65535)))
            return bad(status, err, errlen, key,
                       "expected 0 or 65535 (whole packets) or a length "
                       "from 64 to 65535");
        spec->snaplen = u == 65535 ? 0 : (uint32_t)u;
        return 0;
    case P_PROFILE:
        if (json_is_integer(v)) {
            char id[32];
            snprintf(id, sizeof id, "%lld", (long long)json_integer_value(v));
            free(spec->profile);
            spec->profile = strdup(id);
        } else if (!arg_str(v, &spec->profile)) {
            return bad(status, err, errlen, key, "expected a profile's name");
        }
        return 0;
    case P_FORMAT: {
        const char *s = json_string_value(v);
        if (s && strcmp(s, "pcapng") == 0)
            spec->format = TRAWL_FORMAT_PCAPNG;
        else if (s && strcmp(s, "pcap") == 0)
            spec->format = TRAWL_FORMAT_PCAP;
        else if (s && strcmp(s, "pcap-ns") == 0)
            spec->format = TRAWL_FORMAT_PCAP_NS;
        else
            return bad(status, err, errlen, key,
                       "expected pcapng, pcap or pcap-ns");
        return 0;
    }
    case P_COMPRESSION: {
        const char *s = json_string_value(v);
        if (s && strcmp(s, "none") == 0)
            spec->compression = COMPRESS_NONE;
        else if (s && strcmp(s, "gzip") == 0)
            spec->compression = COMPRESS_GZIP;
        else if (s && strcmp(s, "zstd") == 0)
            spec->compression = COMPRESS_ZSTD;
        else
            return bad(status, err, errlen, key, "expected none, gzip or zstd");
        return 0;
    }
    case P_IFACE:
        if (!arg_str(v, &spec->iface))
            return bad(status, err, errlen, key, "expected an interface name");
        return 0;
    case P_SINGLE:
        if (!arg_bool(v, &spec->single_iface))
            return bad(status, err, errlen, key, "expected true or false");
        return 0;
    case P_BUFFER:
        if (!arg_bool(v, buffer))
            return bad(status, err, errlen, key, "expected true or false");
        return 0;
    case P_MEDIA:
        if (!arg_bool(v, &b))
            return bad(status, err, errlen, key, "expected true or false");
        if (b)
            spec->type = SESSION_DISK;
        return 0;
    case P_TYPE: {
        const char *s = json_string_value(v);
        if (s && strcmp(s, "disk") == 0)
            spec->type = SESSION_DISK;
        else if (s && strcmp(s, "download") == 0)
            spec->type = SESSION_DOWNLOAD;
        else
            return bad(status, err, errlen, key, "expected download or disk");
        return 0;
    }
    case P_DIRECTORY:
        if (!arg_str(v, &spec->directory) ||
            !storage_valid_path(spec->directory, true))
            return bad(status, err, errlen, key,
                       "expected a relative path of letters, digits and "
                       "._-+=,@ (no '..', no hidden names)");
        return 0;
    case P_FILE_NAME:
        if (!arg_str(v, &spec->file_name) || !spec->file_name[0] ||
            strlen(spec->file_name) > 200 || strchr(spec->file_name, '/') ||
            strpbrk(spec->file_name, "\"\\\r\n") || spec->file_name[0] == '.')
            return bad(status, err, errlen, key,
                       "expected a file name (no '/', quotes or leading "
                       "'.')");
        return 0;
    case P_COUNT:
        if (!arg_u64(v, &spec->preview_packets) || spec->preview_packets == 0 ||
            spec->preview_packets > 10000)
            return bad(status, err, errlen, key, "expected 1 to 10000");
        return 0;
    case P_PREVIEW_BYTES:
        if (!arg_u64(v, &spec->preview_bytes) || spec->preview_bytes == 0 ||
            spec->preview_bytes > (16u << 20))
            return bad(status, err, errlen, key,
                       "expected 1 to 16777216 bytes");
        return 0;
    }
    return bad(status, err, errlen, key, "unknown");
}

int captures_parse(const json_t *args, enum session_type type,
                   struct session_spec *spec, bool *format_given, int *status,
                   char *err, size_t errlen) {
    spec->type = type;
    spec->format = TRAWL_FORMAT_PCAPNG;
    *status = 400;
    if (args && !json_is_object(args))
        return util_err(err, errlen, TRAWL_EINVAL,
                        "capture parameters: expected a JSON object");
    bool buffer = false;
    *format_given = false;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)args, key, v) {
        int p = param_of(key);
        *format_given |= p == P_FORMAT;
        if (p < 0)
            return util_err(err, errlen, TRAWL_EINVAL,
                            "unknown parameter '%s' (see docs/api.md for "
                            "the capture parameters)",
                            key);
        int rc = apply_param(spec, p, key, v, &buffer, status, err, errlen);
        if (rc < 0)
            return rc;
    }
    if (buffer) {
        *status = 501;
        return util_err(err, errlen, TRAWL_EUNSUPPORTED,
                        "fromCaptureBuffer: the packet ring buffer does not "
                        "exist yet, so captures can only be of traffic from "
                        "now on (leave fromCaptureBuffer out or false)");
    }
    if (spec->type == SESSION_DISK && spec->file_name) {
        /* For a disk capture the name is a template of its files. */
        if (!storage_valid_template(spec->file_name))
            return util_err(err, errlen, TRAWL_EINVAL,
                            "file_name '%s': a disk capture's files are named "
                            "by a strftime template of letters, digits, "
                            "._-+=,@ and date conversions (%%Y%%m%%d-%%H%%M%%S)",
                            spec->file_name);
        free(spec->name_template);
        spec->name_template = spec->file_name;
        spec->file_name = NULL;
    }
    if (type == SESSION_PREVIEW) {
        /* A preview is the first packets, up to a megabyte, within a few
         * seconds (a minute at the most): it answers one request. */
        spec->type = SESSION_PREVIEW;
        spec->max_packets =
            spec->preview_packets ? spec->preview_packets : PREVIEW_PACKETS;
        spec->max_bytes =
            spec->preview_bytes ? spec->preview_bytes : PREVIEW_BYTES;
        if (!spec->max_duration_ms || spec->max_duration_ms > 60000)
            spec->max_duration_ms =
                spec->max_duration_ms ? 60000 : PREVIEW_SECONDS * 1000;
    }
    if (spec->start_us && spec->end_us && spec->end_us <= spec->start_us)
        return util_err(err, errlen, TRAWL_EINVAL,
                        "endTime %lld is not after startTime %lld",
                        (long long)spec->end_us, (long long)spec->start_us);
    if (spec->snaplen && spec->profile)
        return util_err(err, errlen, TRAWL_EINVAL,
                        "snaplen and profile both truncate packets: give one "
                        "of them");
    if (spec->type == SESSION_DISK && spec->compression != COMPRESS_NONE)
        return util_err(err, errlen, TRAWL_EINVAL,
                        "compression: disk captures are written uncompressed "
                        "(so that a killed capture leaves readable files)");
    if (!spec->filter)
        spec->filter = strdup("");
    *status = 200;
    return spec->filter ? 0
                        : util_err(err, errlen, TRAWL_ENOMEM, "out of memory");
}

int captures_spec(struct srv *srv, const json_t *args, enum session_type type,
                  struct session_spec *spec, int *status, char *err,
                  size_t errlen) {
    bool format_given;
    int rc =
        captures_parse(args, type, spec, &format_given, status, err, errlen);
    if (rc < 0)
        return rc;
    *status = 400;
    if (spec->type == SESSION_DISK && !format_given) {
        struct settings_values set;
        settings_get(&srv->settings, &set);
        spec->format = set.disk_format;
    }
    const struct source *src = hub_source(srv->hub);
    if (spec->end_us && !src->original_times && spec->end_us <= util_now_us())
        return util_err(err, errlen, TRAWL_EINVAL,
                        "endTime %lld is in the past: captures of past "
                        "traffic need the packet ring buffer, which does not "
                        "exist yet",
                        (long long)spec->end_us);
    *status = 200;
    return 0;
}

/* ---- starting ------------------------------------------------------------ */

static int resolve_profile(struct srv *srv, struct session_spec *spec,
                           char *err, size_t errlen) {
    uint64_t id = 0;
    bool by_id = util_parse_u64(spec->profile, &id);
    json_t *p = catalog_profile_get(srv->cat, by_id ? (int64_t)id : 0,
                                    spec->profile, NULL, 0);
    if (!p && by_id)
        p = catalog_profile_get(srv->cat, 0, spec->profile, NULL, 0);
    if (!p)
        return util_err(err, errlen, TRAWL_EINVAL,
                        "no capture profile '%s' (GET /api/v1/profiles lists "
                        "them)",
                        spec->profile);
    free(spec->profile);
    spec->profile = strdup(json_string_value(json_object_get(p, "name")));
    spec->profile_rules = json_incref(json_object_get(p, "rules"));
    json_decref(p);
    return 0;
}

static void iface_names(struct srv *srv, char *buf, size_t len) {
    size_t n = hub_iface_count(srv->hub), used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++) {
        const struct trawl_iface *ifc = hub_iface(srv->hub, (uint32_t)i);
        int k = snprintf(buf + used, len - used, "%s%zu%s%s%s", i ? ", " : "",
                         i, ifc->name ? " (" : "", ifc->name ? ifc->name : "",
                         ifc->name ? ")" : "");
        if (k < 0)
            break;
        used += (size_t)k;
    }
}

/* Which interface and link type a capture keeps, from what it asked. */
static int resolve_iface(struct srv *srv, struct session *s, char *err,
                         size_t errlen) {
    struct session_spec *spec = &s->spec;
    if (spec->iface) {
        s->iface_only = hub_iface_find(srv->hub, spec->iface);
        if (s->iface_only < 0) {
            char names[512];
            iface_names(srv, names, sizeof names);
            return util_err(err, errlen, TRAWL_EINVAL,
                            "no interface '%s' (the interfaces are: %s)",
                            spec->iface, names);
        }
    }
    /* One interface in the output: packets of another link type cannot
     * pass for packets of that interface, so they are ignored. */
    if (spec->single_iface || spec->format != TRAWL_FORMAT_PCAPNG) {
        uint32_t id = s->iface_only >= 0 ? (uint32_t)s->iface_only : 0;
        const struct trawl_iface *ifc = hub_iface(srv->hub, id);
        if (ifc)
            s->linktype_only = ifc->linktype;
    }
    return 0;
}

static void fill_record(struct session *s, struct cat_capture *c) {
    memset(c, 0, sizeof *c);
    c->id = s->id;
    c->user = s->spec.user;
    c->client = s->spec.client;
    c->type = session_type_name(s->spec.type);
    c->mode = s->mode;
    c->filter = s->spec.filter;
    c->format = session_format_name(s->spec.format);
    c->compression = session_compression_name(s->spec.compression);
    c->profile = s->spec.profile;
    c->interfaces = NULL;
    c->snaplen = s->spec.snaplen;
    c->plan_id = s->spec.plan_id;
    c->start_us = s->created_us;
    struct session_counters k;
    session_counters(s, &k);
    c->received = k.received;
    c->captured = k.captured;
    c->ignored = k.ignored;
    c->dropped = k.dropped;
    c->bytes = k.bytes;
    c->captured_bytes = k.captured_bytes;
    c->output_bytes = k.output_bytes;
}

int captures_start(struct srv *srv, struct session_spec *spec,
                   struct session **out, int *status, char *err,
                   size_t errlen) {
    *out = NULL;
    *status = 400;
    int rc = 0;
    if (spec->profile && (rc = resolve_profile(srv, spec, err, errlen)) < 0) {
        session_spec_free(spec);
        return rc;
    }
    struct settings_values set;
    settings_get(&srv->settings, &set);
    struct session *s;
    rc = session_new(&s, spec, set.queue_size_bytes, err, errlen);
    if (rc < 0)
        return rc;
    s->mode = hub_source(srv->hub)->ops->kind;
    if ((rc = resolve_iface(srv, s, err, errlen)) < 0) {
        session_unref(s);
        return rc;
    }
    pthread_mutex_lock(&srv->start_lock);
    /* Only this function registers sessions and it holds the lock, so the
     * count can only fall between this check and hub_add(). */
    size_t running = hub_count(srv->hub);
    if (atomic_load(&srv->stopping)) {
        rc = util_err(err, errlen, TRAWL_EBUSY, "the daemon is shutting down");
    } else if (running >= set.max_concurrent_captures &&
               s->spec.type != SESSION_PREVIEW) {
        rc = util_err(err, errlen, TRAWL_EBUSY,
                      "too many captures: %zu running, the most allowed is %u "
                      "(setting max_concurrent_captures)",
                      running, set.max_concurrent_captures);
    }
    if (rc < 0) {
        pthread_mutex_unlock(&srv->start_lock);
        session_unref(s);
        *status = 503;
        return rc;
    }
    struct cat_capture rec;
    fill_record(s, &rec);
    if (catalog_capture_begin(srv->cat, &rec, err, errlen) < 0) {
        pthread_mutex_unlock(&srv->start_lock);
        session_unref(s);
        *status = 500;
        return TRAWL_EIO;
    }
    s->id = rec.id;
    rc = hub_add(srv->hub, s, HUB_MAX_SESSIONS, err, errlen);
    pthread_mutex_unlock(&srv->start_lock);
    if (rc < 0) {
        rec.end_reason = "refused: too many captures";
        catalog_capture_update(srv->cat, &rec, NULL, 0);
        session_unref(s);
        *status = 503;
        return rc;
    }
    if (s->spec.filter[0] && s->spec.user && s->spec.type != SESSION_PREVIEW)
        catalog_recent_use(srv->cat, s->spec.user, s->spec.filter, NULL, 0);
    atomic_fetch_add(&srv->metrics.captures_started[s->spec.type], 1);
    srv_log(srv, "capture %lld started: %s by %s from %s, filter \"%s\"",
            (long long)s->id, session_type_name(s->spec.type),
            s->spec.user ? s->spec.user : "-",
            s->spec.client ? s->spec.client : "-", s->spec.filter);
    *status = 200;
    *out = s;
    return 0;
}

void captures_finish(struct srv *srv, struct session *s) {
    if (session_ended(s) == SESSION_RUNNING)
        session_end(s, SESSION_END_ERROR, "the consumer stopped");
    enum session_end why = session_ended(s);
    struct cat_capture rec;
    fill_record(s, &rec);
    char reason[320];
    if (s->end_detail[0])
        snprintf(reason, sizeof reason, "%s: %s", session_end_text(why),
                 s->end_detail);
    else
        snprintf(reason, sizeof reason, "%s", session_end_text(why));
    rec.end_reason = reason;
    rec.end_us = atomic_load(&s->end_us);
    pthread_mutex_lock(&s->lock);
    char *files = s->files ? json_dumps(s->files, JSON_COMPACT) : NULL;
    pthread_mutex_unlock(&s->lock);
    rec.files = files;
    char err[TRAWL_ERRBUF_SIZE];
    if (catalog_capture_update(srv->cat, &rec, err, sizeof err) < 0)
        srv_log(srv, "capture %lld: %s", (long long)s->id, err);
    free(files);
    metrics_finished(&srv->metrics, s);
    srv_log(srv,
            "capture %lld finished (%s): %llu captured, %llu dropped, %llu "
            "ignored, %llu bytes sent",
            (long long)s->id, reason, (unsigned long long)rec.captured,
            (unsigned long long)rec.dropped, (unsigned long long)rec.ignored,
            (unsigned long long)rec.output_bytes);
    hub_remove(srv->hub, s);
    session_unref(s);
}

void captures_checkpoint(struct srv *srv) {
    struct session *list[HUB_MAX_SESSIONS];
    size_t n = hub_sessions(srv->hub, list, HUB_MAX_SESSIONS);
    for (size_t i = 0; i < n; i++) {
        struct cat_capture rec;
        fill_record(list[i], &rec);
        catalog_capture_update(srv->cat, &rec, NULL, 0);
        session_unref(list[i]);
    }
}

/* ---- consumers ----------------------------------------------------------- */

static bool single_output(const struct session *s) {
    return s->spec.single_iface || s->spec.format != TRAWL_FORMAT_PCAPNG;
}

int captures_to_writer(void *w, const struct trawl_iface *ifc, uint32_t *id,
                       char *err, size_t errlen) {
    return trawl_writer_add_iface(w, ifc, id, err, errlen);
}

int captures_to_output(void *o, const struct trawl_iface *ifc, uint32_t *id,
                       char *err, size_t errlen) {
    return trawl_output_add_iface(o, ifc, id, err, errlen);
}

/* Interface `id` of the hub as this session's files describe it, with the
 * snap length the session keeps. */
static int declare(struct srv *srv, struct session *s, captures_add_fn add,
                   void *dst, uint32_t id, char *err, size_t errlen) {
    const struct trawl_iface *src = hub_iface(srv->hub, id);
    struct trawl_iface ifc = {.linktype = 1, .fcslen = -1};
    if (src)
        ifc = *src;
    if (s->max_snaplen && (ifc.snaplen == 0 || s->max_snaplen < ifc.snaplen))
        ifc.snaplen = s->max_snaplen;
    uint32_t got;
    return add(dst, &ifc, &got, err, errlen);
}

int captures_declare(struct srv *srv, struct session *s, captures_add_fn add,
                     void *dst, uint32_t *ndeclared, char *err,
                     size_t errlen) {
    *ndeclared = 0;
    if (single_output(s)) {
        uint32_t id = s->iface_only >= 0 ? (uint32_t)s->iface_only : 0;
        if (!hub_iface(srv->hub, id))
            return 0; /* declared with the first packet */
        int rc = declare(srv, s, add, dst, id, err, errlen);
        if (rc == 0)
            *ndeclared = 1;
        return rc;
    }
    size_t n = hub_iface_count(srv->hub);
    for (uint32_t id = 0; id < n; id++) {
        int rc = declare(srv, s, add, dst, id, err, errlen);
        if (rc < 0)
            return rc;
        *ndeclared = id + 1;
    }
    return 0;
}

int captures_map(struct srv *srv, struct session *s, captures_add_fn add,
                 void *dst, uint32_t *ndeclared, struct trawl_pkt *pkt,
                 char *err, size_t errlen) {
    if (single_output(s)) {
        if (*ndeclared == 0) {
            int rc = declare(srv, s, add, dst, pkt->iface, err, errlen);
            if (rc < 0)
                return rc;
            *ndeclared = 1;
        }
        pkt->iface = 0;
        return 0;
    }
    while (*ndeclared <= pkt->iface) {
        int rc = declare(srv, s, add, dst, *ndeclared, err, errlen);
        if (rc < 0)
            return rc;
        (*ndeclared)++;
    }
    return 0;
}

int captures_drain(struct srv *srv, struct session *s, trawl_writer *w,
                   uint32_t *ndeclared, size_t budget, char *err,
                   size_t errlen) {
    size_t used = 0;
    int n = 0;
    struct trawl_pkt pkt;
    size_t size;
    while ((size = queue_peek(&s->q, &pkt)) != 0) {
        size_t need = pkt.caplen + CAPTURES_RECORD_SLACK;
        if (n > 0 && used + need > budget)
            break;
        int rc = captures_map(srv, s, captures_to_writer, w, ndeclared, &pkt,
                              err, errlen);
        if (rc < 0)
            return rc;
        rc = trawl_writer_write(w, &pkt, err, errlen);
        queue_pop(&s->q, size);
        if (captures_refused(rc))
            session_add_refused(s);
        else if (rc < 0)
            return rc;
        used += need;
        n++;
    }
    return n;
}
