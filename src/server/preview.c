/* Decoded previews: packets through the same JSON printer and summary line
 * as `trawl read -T json` and `trawl read`, into one JSON answer. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/print.h"
#include "server/captures.h"
#include "server/preview.h"
#include "server/server.h"
#include "server/storage.h"
#include "server/util.h"

/* The answer is not allowed to grow past this, however many packets were
 * asked for; the rest is left out and "truncated" says so. */
#define PREVIEW_MAX_TEXT (64u << 20)

struct prev {
    trawl_view *view;
    struct print_ctx pc;
    struct pbuf out;  /* the packets array's elements */
    struct pbuf line; /* one summary line */
    uint64_t packets, bytes;
    uint64_t max_packets, max_bytes;
    bool truncated;
};

static bool prev_init(struct prev *p, const trawl_reader *reader,
                      uint64_t max_packets, uint64_t max_bytes) {
    memset(p, 0, sizeof *p);
    p->view = trawl_view_new();
    print_ctx_init(&p->pc, &p->line, reader, TIME_RELATIVE);
    p->max_packets = max_packets;
    p->max_bytes = max_bytes;
    return p->view != NULL;
}

static void prev_free(struct prev *p) {
    trawl_view_free(p->view);
    print_ctx_free(&p->pc);
    pbuf_free(&p->out);
    pbuf_free(&p->line);
}

/* Whether there is room for more; sets truncated when not. */
static bool prev_room(struct prev *p) {
    if (p->packets >= p->max_packets || p->bytes >= p->max_bytes ||
        p->out.len >= PREVIEW_MAX_TEXT || p->out.oom) {
        p->truncated = true;
        return false;
    }
    return true;
}

/* One packet: its -T json object with "summary" added before the
 * closing brace. */
static void prev_add(struct prev *p, const struct trawl_pkt *pkt) {
    if (!prev_room(p))
        return;
    trawl_view_set(p->view, pkt);
    size_t start = p->out.len;
    if (p->packets)
        pbuf_putc(&p->out, ',');
    size_t obj = p->out.len;
    print_json(&p->out, p->view);
    /* print_json ends the object with "}\n"; the summary goes before. */
    if (p->out.oom || p->out.len < obj + 3 ||
        memcmp(p->out.p + p->out.len - 2, "}\n", 2) != 0) {
        p->out.len = start;
        p->truncated = true;
        return;
    }
    p->out.len -= 2;
    bool empty = p->out.p[p->out.len - 1] == '{';
    p->line.len = 0;
    print_begin_packet(&p->pc, pkt);
    print_summary(&p->pc, p->view);
    size_t n = p->line.len;
    while (n && (p->line.p[n - 1] == '\n' || p->line.p[n - 1] == ' '))
        n--;
    pbuf_puts(&p->out, empty ? "\"summary\":\"" : ",\"summary\":\"");
    pbuf_escaped(&p->out, p->line.p ? p->line.p : "", n, ESCAPE_JSON);
    pbuf_puts(&p->out, "\"}");
    p->packets++;
    p->bytes += pkt->caplen;
}

/* {"capture": ..., "packets": [...], "truncated": ...} */
static enum MHD_Result prev_answer(struct http_req *r, struct prev *p,
                                   const char *key, json_t *about) {
    char *head = json_dumps(about, JSON_COMPACT);
    json_decref(about);
    if (!head || p->out.oom) {
        free(head);
        return http_error(r, 500, "preview: out of memory");
    }
    struct pbuf all = {0};
    pbuf_printf(&all, "{\"%s\":%s,\"packets\":[", key, head);
    free(head);
    if (p->out.len)
        pbuf_put(&all, p->out.p, p->out.len);
    pbuf_printf(&all, "],\"count\":%llu,\"truncated\":%s}\n",
                (unsigned long long)p->packets,
                p->truncated ? "true" : "false");
    enum MHD_Result rc =
        all.oom ? http_error(r, 500, "preview: out of memory")
                : http_text(r, 200, "application/json", all.p, all.len);
    pbuf_free(&all);
    return rc;
}

/* Everything the session has queued. */
static void prev_take(struct prev *p, struct session *s) {
    struct trawl_pkt pkt;
    size_t size;
    while ((size = queue_peek(&s->q, &pkt)) != 0) {
        pkt.index = p->packets; /* the summary's number column */
        prev_add(p, &pkt);
        queue_pop(&s->q, size);
    }
}

enum MHD_Result preview_answer(struct http_req *r, struct session *s) {
    struct prev p;
    if (!prev_init(&p, NULL,
                   s->spec.max_packets ? s->spec.max_packets : PREVIEW_PACKETS,
                   UINT64_MAX)) {
        session_end(s, SESSION_END_ERROR, "out of memory");
        captures_finish(r->srv, s);
        return http_error(r, 500, "preview: out of memory");
    }
    for (;;) {
        prev_take(&p, s);
        if (!prev_room(&p))
            session_end(s, SESSION_END_PREVIEW, NULL);
        if (session_drained(s, util_mono_ms()))
            break;
        session_wait(s, 200);
    }
    prev_take(&p, s); /* whatever came before the end */
    json_t *about = session_json(s, util_mono_ms());
    json_object_set_new(about, "end_reason",
                        json_string(session_end_text(session_ended(s))));
    captures_finish(r->srv, s);
    enum MHD_Result rc = prev_answer(r, &p, "capture", about);
    prev_free(&p);
    return rc;
}

enum MHD_Result preview_file(struct http_req *r, const char *rel,
                             uint64_t max_packets, uint64_t max_bytes) {
    char err[TRAWL_ERRBUF_SIZE];
    int fd = storage_open(r->srv, rel, O_RDONLY, 0, err, sizeof err);
    if (fd < 0)
        return http_error(r, http_status_of(fd), "%s", err);
    /* The reader opens paths: this one names the descriptor opened safely
     * beneath the storage directory, not the name again. */
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    const char *paths[] = {path};
    trawl_reader *rd;
    int rc = trawl_reader_open(&rd, paths, 1, NULL, err, sizeof err);
    close(fd);
    if (rc < 0)
        return http_error(r, 422, "%s: %s", rel, err);
    struct prev p;
    if (!prev_init(&p, rd, max_packets, max_bytes)) {
        trawl_reader_close(rd);
        return http_error(r, 500, "preview: out of memory");
    }
    struct trawl_pkt pkt;
    while (prev_room(&p) &&
           (rc = trawl_reader_next(rd, &pkt, err, sizeof err)) > 0)
        prev_add(&p, &pkt);
    json_t *about =
        json_pack("{ssss}", "path", rel, "format", trawl_reader_format(rd));
    json_object_set_new(about, "read_error",
                        rc < 0 ? json_string(err) : json_null());
    trawl_reader_close(rd);
    enum MHD_Result res = prev_answer(r, &p, "file", about);
    prev_free(&p);
    return res;
}
