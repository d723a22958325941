/* Where `trawl capture -w` packets go: one trace file (or standard
 * output) in pcap or pcapng, every capture interface declared up front so
 * that interface ids in the file are the capture's. This is the seam a
 * rotating or asynchronous output replaces. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/capture.h"
#include "cli/cli.h"

/* The writer hands whole records to the kernel at least this often while
 * packets arrive, so that a reader following the file sees them within
 * a second; the loop flushes the rest when packets stop coming. */
#define FLUSH_INTERVAL_MS 200

struct capture_out {
    trawl_writer *w;
    uint32_t *ids; /* writer interface id of each capture interface */
    size_t nids;
    uint64_t packets;
    struct timespec started;
};

/* -F, else what the name says, else pcapng for several interfaces (one
 * IDB each) and pcap, as tcpdump writes, for one. */
static enum trawl_format format_for(const struct capture_opts *o) {
    if (o->write_format != CAPTURE_FORMAT_AUTO)
        return (enum trawl_format)o->write_format;
    if (cli_has_suffix(o->write_to, ".pcapng"))
        return TRAWL_FORMAT_PCAPNG;
    if (!cli_has_suffix(o->write_to, ".pcap") && o->nifaces > 1)
        return TRAWL_FORMAT_PCAPNG;
    return o->nano ? TRAWL_FORMAT_PCAP_NS : TRAWL_FORMAT_PCAP;
}

int capture_out_open(struct capture_out **out, const struct capture_opts *o,
                     const trawl_capture *c, char *errbuf, size_t errlen) {
    *out = NULL;
    struct capture_out *co = calloc(1, sizeof *co);
    size_t n = trawl_capture_iface_count(c);
    if (!co || !(co->ids = calloc(n ? n : 1, sizeof *co->ids))) {
        free(co);
        snprintf(errbuf, errlen, "out of memory");
        return TRAWL_ENOMEM;
    }
    co->nids = n;
    clock_gettime(CLOCK_REALTIME, &co->started);
    struct trawl_writer_options wopt = {
        .format = format_for(o),
        .flush_interval_ms = FLUSH_INTERVAL_MS,
    };
    int rc = trawl_writer_open(&co->w, o->write_to, &wopt, errbuf, errlen);
    for (uint32_t i = 0; rc == 0 && i < n; i++)
        rc = trawl_writer_add_iface(co->w, trawl_capture_iface(c, i),
                                    &co->ids[i], errbuf, errlen);
    if (rc < 0) {
        if (co->w)
            trawl_writer_close(co->w, NULL, 0);
        free(co->ids);
        free(co);
        return rc;
    }
    *out = co;
    return 0;
}

int capture_out_write(struct capture_out *out, const struct trawl_pkt *pkt,
                      char *errbuf, size_t errlen) {
    struct trawl_pkt p = *pkt;
    p.iface = pkt->iface < out->nids ? out->ids[pkt->iface] : 0;
    int rc = trawl_writer_write(out->w, &p, errbuf, errlen);
    if (rc == 0)
        out->packets++;
    return rc;
}

int capture_out_flush(struct capture_out *out, char *errbuf, size_t errlen) {
    return trawl_writer_flush(out->w, errbuf, errlen);
}

uint64_t capture_out_packets(const struct capture_out *out) {
    return out->packets;
}

int capture_out_close(struct capture_out *out, const trawl_capture *c,
                      char *errbuf, size_t errlen) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    for (uint32_t i = 0; i < out->nids; i++) {
        struct trawl_counters k;
        trawl_capture_iface_counters(c, i, &k);
        struct trawl_iface_stats st = {
            .received = k.received + k.kernel_dropped,
            .dropped = k.interface_dropped,
            .filter_accepted = k.received - k.ignored,
            .os_dropped = k.kernel_dropped,
            .delivered = k.captured,
            .start_sec = out->started.tv_sec,
            .start_nsec = (uint32_t)out->started.tv_nsec,
            .end_sec = now.tv_sec,
            .end_nsec = (uint32_t)now.tv_nsec,
        };
        trawl_writer_set_stats(out->w, out->ids[i], &st);
    }
    int rc = trawl_writer_close(out->w, errbuf, errlen);
    free(out->ids);
    free(out);
    return rc;
}
