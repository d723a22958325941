/* trawl — outputs: where captured (or read) packets are written.
 *
 * An output writes pcap or pcapng to standard output or to files, on top
 * of trawl_writer. It starts a new file when the current one would pass a
 * size, holds a packet count or spans a duration (the first reached wins),
 * or when asked (trawl_output_rotate, for SIGHUP); it can keep only the
 * last N files, removing the oldest (tcpdump -W).
 *
 *     trawl_output *o;
 *     struct trawl_output_options opt = {
 *         .path = "cap-%Y%m%d-%H%M%S.pcapng",
 *         .format = TRAWL_FORMAT_PCAPNG,
 *         .split_seconds = 300, .align = true, .max_files = 288,
 *     };
 *     if (trawl_output_open(&o, &opt, err, sizeof err) < 0) ...
 *     trawl_output_add_iface(o, iface, &id, err, sizeof err);
 *     ... trawl_output_write(o, &pkt, err, sizeof err) ...
 *     trawl_output_close(o, err, sizeof err);
 *
 * Names. `path` is a strftime(3) template expanded, in local time, at the
 * time stamp of the file's first packet — or, with `align`, at the start
 * of the period the file covers, so names line up with the clock. Files
 * are created when their first packet arrives (an output closed before
 * any packet creates one empty file, named at the time it was opened),
 * except a plain name without splitting, which is created at once. A
 * name that already exists, on disk or earlier in this output, gets an
 * index before its extension: cap.pcap, cap_1.pcap, cap_2.pcap. Only an
 * output that writes one file and asks for `overwrite` replaces an
 * existing file (tcpdump -w). Directories that a template's conversions
 * name ("%Y/%m/%d/cap.pcap") are created when missing; others must exist.
 * With `directory` set, names are confined to it: the template must be
 * relative, without "..", and the file system is asked to refuse any
 * path (through symbolic links too) that leaves the directory.
 *
 * Interfaces. In pcapng each interface added becomes an interface
 * description block of every file, and packets keep their interface; with
 * `single_interface` a file has one interface block and every packet is
 * written as if captured on it (for tools that cannot handle several),
 * which needs one link type. pcap always holds one link type.
 *
 * Time. Durations count in packet time, from a file's first packet (or,
 * aligned, from local midnight in multiples of split_seconds). A live
 * capture calls trawl_output_tick() when idle, which also closes a file
 * whose period ended by the wall clock and flushes buffered packets, so a
 * reader following the file sees them within flush_interval_ms.
 *
 * Callbacks (on_open, on_close, on_remove) run in the thread that calls
 * the output, never in an asynchronous writer's thread; on_close comes
 * once the file is complete on disk (at the next call after that).
 *
 * Threads. One thread drives an output; trawl_output_rotate() may be
 * called from any thread. */
#ifndef TRAWL_OUTPUT_H
#define TRAWL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trawl/error.h"
#include "trawl/export.h"
#include "trawl/packet.h"
#include "trawl/reader.h"
#include "trawl/writer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct trawl_output trawl_output;

/* trawl_output_options.flush_interval_ms: no flush by time. */
#define TRAWL_OUTPUT_NO_TIMED_FLUSH (~0u)

/* Why a file was closed. */
enum trawl_output_reason {
    TRAWL_OUTPUT_OPEN = 0,     /* still open (in on_open) */
    TRAWL_OUTPUT_SIZE,         /* the next packet would pass split_bytes */
    TRAWL_OUTPUT_PACKETS,      /* it held split_packets */
    TRAWL_OUTPUT_DURATION,     /* its period ended */
    TRAWL_OUTPUT_REQUESTED,    /* trawl_output_rotate() */
    TRAWL_OUTPUT_END,          /* trawl_output_close() */
};

/* A file of the output, as the callbacks see it. Strings live during the
 * call only. */
struct trawl_output_file {
    const char *path;  /* as created: the directory joined with the name */
    const char *name;  /* relative to the directory (= path unconfined) */
    uint64_t seq;      /* 0 for the output's first file, then 1, 2, ... */
    uint64_t packets;  /* packets in the file (0 in on_open) */
    uint64_t bytes;    /* the file's length */
    /* Time stamps of its first and last packets, when packets > 0 (in
     * on_open, the first packet's, which is about to be written). */
    int64_t first_sec, last_sec;
    uint32_t first_nsec, last_nsec;
    enum trawl_output_reason reason; /* in on_close */
    int error;           /* in on_close: 0, or the file's write error */
    const char *message; /* its message, or NULL */
};

struct trawl_output_options {
    /* "-" = standard output (no splitting); else a strftime template. */
    const char *path;
    /* Confine names to this directory (NULL: not confined; names are
     * relative to the working directory, or absolute). */
    const char *directory;
    enum trawl_format format;
    const char *section_comment; /* pcapng shb_comment, or NULL */
    const char *application;     /* NULL = "trawl VERSION" */
    /* Splitting; 0 = never. A file holds at least one packet. */
    uint64_t split_bytes;   /* start a new file before one would pass it */
    uint64_t split_packets; /* packets per file */
    uint64_t split_seconds; /* seconds of packet time per file */
    bool align;             /* periods at local midnight + k * seconds
                               (split_seconds at most 86400) */
    unsigned max_files;     /* keep only the last N files (0 = all) */
    bool single_interface;
    bool overwrite; /* one file, no split: replace it if it exists */
    /* Flush at least this often (ms) while packets arrive, and at a tick
     * when older; 0 = 500; TRAWL_OUTPUT_NO_TIMED_FLUSH = never by time
     * (only when a buffer fills, at trawl_output_flush() and at close),
     * which spares a clock read per packet where nobody reads the files
     * while they grow (a copy of complete traces). */
    unsigned flush_interval_ms;
    /* Asynchronous writing (see trawl_writer_options): buffers shared by
     * the output's files, and one thread that also closes and removes
     * files, so that trawl_output_write() never waits for the disk. */
    unsigned async_buffers;
    size_t async_buffer_size;
    void (*on_open)(void *ctx, const struct trawl_output_file *f);
    void (*on_close)(void *ctx, const struct trawl_output_file *f);
    void (*on_remove)(void *ctx, const struct trawl_output_file *f);
    void *ctx;
};

/* Checks the options (the template's names, the directory) and, for a
 * plain name without splitting, creates the file. */
TRAWL_API int trawl_output_open(trawl_output **out,
                                const struct trawl_output_options *opt,
                                char *errbuf, size_t errlen);

/* Declares an interface; *id is what trawl_pkt.iface must say. Strings
 * are copied. pcap and single_interface outputs refuse a second link
 * type. */
TRAWL_API int trawl_output_add_iface(trawl_output *o,
                                     const struct trawl_iface *iface,
                                     uint32_t *id, char *errbuf,
                                     size_t errlen);

/* Writes one packet, starting a new file first when a limit says so.
 * Returns 0, TRAWL_WRITER_DROPPED (asynchronous: every buffer waits for
 * the disk; counted), or a negative code. */
TRAWL_API int trawl_output_write(trawl_output *o, const struct trawl_pkt *pkt,
                                 char *errbuf, size_t errlen);

/* The next packet goes to a new file. Any thread; async-signal-safe. */
TRAWL_API void trawl_output_rotate(trawl_output *o);

/* For an idle live capture, at least every flush interval: flushes
 * buffered packets that are older than it, closes a file whose period
 * ended by the wall clock, runs the callbacks of files an asynchronous
 * writer finished. */
TRAWL_API int trawl_output_tick(trawl_output *o, char *errbuf, size_t errlen);

/* Hands buffered packets to the kernel (asynchronous: to the thread). */
TRAWL_API int trawl_output_flush(trawl_output *o, char *errbuf,
                                 size_t errlen);

/* Interface statistics for interface `id`, written (pcapng) in the last
 * file when the output closes. */
TRAWL_API int trawl_output_set_stats(trawl_output *o, uint32_t id,
                                     const struct trawl_iface_stats *st);

struct trawl_output_stats {
    uint64_t files;           /* files created */
    uint64_t packets, bytes;  /* written, over every file */
    uint64_t dropped;         /* packets dropped (asynchronous) */
    uint64_t dropped_bytes;
    uint64_t removed;         /* files removed by max_files */
};
TRAWL_API void trawl_output_get_stats(const trawl_output *o,
                                      struct trawl_output_stats *st);

/* Closes the current file (waiting for an asynchronous writer to finish
 * every file), runs the last callbacks and frees o. Returns 0 or the
 * first error. */
TRAWL_API int trawl_output_close(trawl_output *o, char *errbuf,
                                 size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
