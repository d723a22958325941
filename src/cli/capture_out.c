/* Where `trawl capture -w` packets go: an output (trawl_output) in pcap or
 * pcapng, to standard output or to files split as -C -G --split-packets
 * -W --align ask, every capture interface declared up front so that
 * interface ids in the files are the capture's (or, with
 * --single-interface, all one).
 *
 * The output is asynchronous: packets are copied into large buffers that
 * a writer thread hands to the kernel with O_DIRECT, so the capture never
 * waits for the disk; when the disk falls behind by the whole
 * --write-buffer, packets are dropped and counted (the counters' "dropped":
 * trawl could not keep up) rather than held, and memory stays put. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/capture.h"
#include "cli/cli.h"

/* Whole records go to the kernel at least this often while packets
 * arrive, and at the loop's ticks when they stop, so that a reader
 * following the file sees them within a second. */
#define FLUSH_INTERVAL_MS 200
/* The writer thread's buffers: this large (a 16 MiB O_DIRECT write keeps
 * several requests in flight at the device, and measured clearly fewer
 * drops than 4 MiB at 800 MB/s), and --write-buffer of them (128 MiB by
 * default: 160 ms of a 6.4 Gbit/s stream for the disk to stall). */
#define WRITE_BUF_BYTES (16u << 20)
#define DEFAULT_WRITE_BUFFER (128u << 20)

/* Packets the output dropped, per capture interface. */
struct out_drops {
    uint64_t packets, bytes, captured_bytes;
};

struct capture_out {
    trawl_output *o;
    uint64_t packets, dropped;
    struct out_drops *drops; /* per interface */
    size_t nifaces;
    struct timespec started;
};

/* -F, else what the name says, else pcapng for several interfaces (one
 * IDB each) and pcap, as tcpdump writes, for one. */
static enum trawl_format format_for(const struct capture_opts *o) {
    if (o->write_format != CAPTURE_FORMAT_AUTO)
        return (enum trawl_format)o->write_format;
    if (cli_has_suffix(o->write_to, ".pcapng"))
        return TRAWL_FORMAT_PCAPNG;
    if (!cli_has_suffix(o->write_to, ".pcap") && o->nifaces > 1 &&
        !o->split.single_interface)
        return TRAWL_FORMAT_PCAPNG;
    return o->nano ? TRAWL_FORMAT_PCAP_NS : TRAWL_FORMAT_PCAP;
}

int capture_out_open(struct capture_out **out, const struct capture_opts *o,
                     const trawl_capture *c, char *errbuf, size_t errlen) {
    *out = NULL;
    struct capture_out *co = calloc(1, sizeof *co);
    size_t n = trawl_capture_iface_count(c);
    if (!co || !(co->drops = calloc(n ? n : 1, sizeof *co->drops))) {
        free(co);
        snprintf(errbuf, errlen, "out of memory");
        return TRAWL_ENOMEM;
    }
    co->nifaces = n;
    clock_gettime(CLOCK_REALTIME, &co->started);
    uint64_t total = o->write_buffer ? o->write_buffer : DEFAULT_WRITE_BUFFER;
    unsigned nbufs = (unsigned)(total / WRITE_BUF_BYTES);
    size_t bufsize = WRITE_BUF_BYTES;
    if (nbufs < 2) { /* a small --write-buffer: two smaller buffers */
        nbufs = 2;
        bufsize = (size_t)(total / 2);
    }
    /* Packets held in --buffer are written once the capture is over, as
     * fast as memory gives them: there the writer waits for the disk
     * instead, as nothing is lost by waiting. */
    bool live = !o->buffer_bytes;
    struct trawl_output_options oo = {
        .path = o->write_to,
        .format = format_for(o),
        .section_comment = o->comment,
        .flush_interval_ms = FLUSH_INTERVAL_MS,
        .async_buffers = live ? nbufs : 0,
        .async_buffer_size = bufsize,
    };
    split_opts_apply(&o->split, &oo);
    int rc = trawl_output_open(&co->o, &oo, errbuf, errlen);
    for (uint32_t i = 0; rc == 0 && i < n; i++) {
        uint32_t id;
        rc = trawl_output_add_iface(co->o, trawl_capture_iface(c, i), &id,
                                    errbuf, errlen);
    }
    if (rc < 0) {
        trawl_output_close(co->o, NULL, 0);
        free(co->drops);
        free(co);
        return rc;
    }
    *out = co;
    return 0;
}

int capture_out_write(struct capture_out *out, const struct trawl_pkt *pkt,
                      char *errbuf, size_t errlen) {
    int rc = trawl_output_write(out->o, pkt, errbuf, errlen);
    if (rc == 0)
        out->packets++;
    else if (rc == TRAWL_WRITER_DROPPED && pkt->iface < out->nifaces) {
        struct out_drops *d = &out->drops[pkt->iface];
        out->dropped++;
        d->packets++;
        d->bytes += pkt->len;
        d->captured_bytes += pkt->caplen;
    }
    return rc < 0 ? rc : 0;
}

void capture_out_adjust(const struct capture_out *out, uint32_t iface,
                        struct trawl_counters *k) {
    for (size_t i = 0; i < out->nifaces; i++) {
        if (iface != UINT32_MAX && i != iface)
            continue;
        const struct out_drops *d = &out->drops[i];
        k->captured -= d->packets;
        k->dropped += d->packets;
        k->bytes -= d->bytes;
        k->captured_bytes -= d->captured_bytes;
    }
}

int capture_out_tick(struct capture_out *out, bool rotate, char *errbuf,
                     size_t errlen) {
    if (rotate)
        trawl_output_rotate(out->o);
    return trawl_output_tick(out->o, errbuf, errlen);
}

uint64_t capture_out_packets(const struct capture_out *out) {
    return out->packets;
}

uint64_t capture_out_dropped(const struct capture_out *out) {
    return out->dropped;
}

int capture_out_close(struct capture_out *out, const trawl_capture *c,
                      char *errbuf, size_t errlen) {
    if (!out->o)
        return 0; /* closed already */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    for (uint32_t i = 0; i < trawl_capture_iface_count(c); i++) {
        struct trawl_counters k;
        trawl_capture_iface_counters(c, i, &k);
        capture_out_adjust(out, i, &k);
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
        trawl_output_set_stats(out->o, i, &st);
    }
    int rc = trawl_output_close(out->o, errbuf, errlen);
    out->o = NULL;
    return rc;
}

void capture_out_free(struct capture_out *out) {
    if (!out)
        return;
    if (out->o)
        trawl_output_close(out->o, NULL, 0);
    free(out->drops);
    free(out);
}
