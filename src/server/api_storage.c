/* Stored files over HTTP: list, download, delete, preview. Paths are
 * relative to the storage directory and checked there (storage.c). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/api.h"
#include "server/preview.h"
#include "server/server.h"
#include "server/storage.h"
#include "server/util.h"

API_HANDLER(api_storage_list) {
    char err[TRAWL_ERRBUF_SIZE];
    json_t *o = storage_list(r->srv, err, sizeof err);
    if (!o)
        return http_error(r, 500, "%s", err);
    return http_json(r, 200, o);
}

API_HANDLER(api_storage_get) {
    const char *rel = r->nparams ? r->params[0] : "";
    char err[TRAWL_ERRBUF_SIZE];
    int fd = storage_open(r->srv, rel, O_RDONLY, 0, err, sizeof err);
    if (fd < 0)
        return http_error(r, http_status_of(fd), "%s", err);
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return http_error(r, 404, "'%s' is not a stored file", rel);
    }
    /* MHD sends the file with sendfile() and closes the descriptor. */
    struct MHD_Response *resp =
        MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    if (!resp) {
        close(fd);
        return http_error(r, 500, "cannot send '%s'", rel);
    }
    const char *fname = rel;
    for (const char *p = rel; *p; p++)
        if (*p == '/')
            fname = p + 1;
    char disp[512];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", fname);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disp);
    size_t n = strlen(rel);
    bool ng = n > 7 && strcmp(rel + n - 7, ".pcapng") == 0;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            ng ? "application/x-pcapng"
                               : "application/vnd.tcpdump.pcap");
    return http_respond(r, 200, resp);
}

API_HANDLER(api_storage_del) {
    const char *rel = r->nparams ? r->params[0] : "";
    char err[TRAWL_ERRBUF_SIZE], owner[64] = "";
    int64_t cid = 0;
    bool known = catalog_file_owner(r->srv->cat, rel, owner, sizeof owner, &cid,
                                    NULL, 0) == 1;
    /* Users delete the files of their own captures; admins any file. */
    if (!r->who.admin && (!known || strcmp(owner, r->who.user) != 0))
        return http_error(r, 403,
                          "only an admin or the user whose capture "
                          "wrote it may delete '%s'",
                          rel);
    struct session *s = known && cid ? hub_find(r->srv->hub, cid) : NULL;
    if (s) {
        bool writing = false;
        pthread_mutex_lock(&s->lock);
        size_t n = json_array_size(s->files);
        if (n && strcmp(json_string_value(json_array_get(s->files, n - 1)),
                        rel) == 0)
            writing = true;
        pthread_mutex_unlock(&s->lock);
        session_unref(s);
        if (writing)
            return http_error(r, 409,
                              "capture %lld is writing '%s': stop it "
                              "first",
                              (long long)cid, rel);
    }
    int rc = storage_delete(r->srv, rel, err, sizeof err);
    if (rc < 0)
        return http_error(r, http_status_of(rc), "%s", err);
    srv_log(r->srv, "%s deleted %s", r->who.user, rel);
    return http_json(r, 200, json_pack("{ss}", "deleted", rel));
}

API_HANDLER(api_storage_preview) {
    uint64_t count = PREVIEW_PACKETS, bytes = PREVIEW_BYTES;
    const char *c = http_arg(r, "count"), *b = http_arg(r, "max_preview_bytes");
    if ((c && (!util_parse_u64(c, &count) || count == 0 || count > 10000)) ||
        (b && (!util_parse_u64(b, &bytes) || bytes == 0)))
        return http_error(r, 400,
                          "count: 1 to 10000; max_preview_bytes: a "
                          "positive number");
    return preview_file(r, r->params[0], count, bytes);
}
