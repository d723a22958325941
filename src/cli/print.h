/* cli/print — the per-packet output formats of `trawl read` (and, later,
 * of `trawl capture`): summary lines, the layer tree, hex dumps, fields
 * and JSON, plus the progress line.
 *
 * Every format appends to one growable output buffer (struct pbuf) that
 * the caller hands to the kernel in large writes: no stdio on the hot
 * path, no allocation per packet once the buffer has grown to the largest
 * packet's output. Everything is read through the public field registry,
 * so a new decoder's fields appear in -V, -T fields and JSON unchanged.
 */
#ifndef TRAWL_CLI_PRINT_H
#define TRAWL_CLI_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trawl/trawl.h"

/* ---- output buffer (print_common.c) ------------------------------------ */

struct pbuf {
    char *p;
    size_t len, cap;
    bool oom; /* an allocation failed: output was dropped from here on */
};

/* Grows the buffer for n more bytes plus a NUL; false (and b->oom) when it
 * cannot. */
bool pbuf_grow(struct pbuf *b, size_t n);

/* Room for n more bytes plus a NUL. False when the buffer cannot grow;
 * callers then skip their output. Inline: it runs for every byte. */
static inline bool pbuf_reserve(struct pbuf *b, size_t n) {
    return n < b->cap - b->len || pbuf_grow(b, n);
}

static inline void pbuf_putc(struct pbuf *b, char c) {
    if (pbuf_reserve(b, 1))
        b->p[b->len++] = c;
}

void pbuf_put(struct pbuf *b, const char *s, size_t n);
void pbuf_puts(struct pbuf *b, const char *s);
void pbuf_pad(struct pbuf *b, char c, size_t n);
void pbuf_printf(struct pbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void pbuf_u64(struct pbuf *b, uint64_t v);
/* A value as `tshark -T fields` prints it (trawl_value_format). */
void pbuf_value(struct pbuf *b, const trawl_field *f,
                const struct trawl_value *val);
/* A value for people (trawl_value_describe): "0x0800 (IPv4)". */
void pbuf_describe(struct pbuf *b, const trawl_field *f,
                   const struct trawl_value *val);
/* Length of the valid UTF-8 sequence at p (1..4), or 0 when the bytes are
 * not valid UTF-8 (overlong forms and surrogates included). */
size_t print_utf8_len(const unsigned char *p, size_t n);
/* Text that may hold anything (a packet comment), escaped so that it
 * stays one line of valid UTF-8: ESCAPE_TEXT writes C escapes (\n, \\,
 * \x01, and \xff for a byte that is not UTF-8); ESCAPE_JSON writes the
 * inside of a JSON string (\", \u0001, and \u00ff for such a byte). */
enum pbuf_escape { ESCAPE_TEXT, ESCAPE_JSON };
void pbuf_escaped(struct pbuf *b, const char *s, size_t n,
                  enum pbuf_escape how);
/* Writes the buffer to fd and empties it. Returns 0 or -errno. */
int pbuf_flush_fd(struct pbuf *b, int fd);
void pbuf_free(struct pbuf *b);

/* ---- state shared by the text formats (print_common.c) ------------------ */

enum print_time {
    TIME_RELATIVE, /* seconds since the first packet */
    TIME_ABS,      /* local time of day */
    TIME_ABS_DATE, /* local date and time */
    TIME_DELTA,    /* seconds since the previous packet */
    TIME_EPOCH,    /* seconds since 1970 */
};

/* A signed duration, normalised: nsec in 0..999999999. */
struct print_span {
    int64_t sec;
    uint32_t nsec;
};

struct print_ctx {
    struct pbuf *out;
    /* For interface names in -V; may be NULL. Borrowed. */
    const trawl_reader *reader;
    /* Or, for packets from a live capture, its interfaces. */
    const trawl_capture *capture;
    enum print_time time_format;

    /* Set by print_begin_packet(). */
    bool have_first;
    int64_t first_sec, prev_sec;
    uint32_t first_nsec, prev_nsec;
    struct print_span since_first, since_prev;

    /* Summary columns widen as wider values appear and never narrow, so
     * lines stay aligned without reading the trace twice. */
    int w_num, w_src, w_dst, w_proto, w_len;

    /* Local time formatting is cached per second. */
    int64_t tm_sec;
    int tm_format;
    char tm_text[48];

    struct pbuf scratch; /* one layer's lines in -V */
};

void print_ctx_init(struct print_ctx *pc, struct pbuf *out,
                    const trawl_reader *reader, enum print_time tf);
void print_ctx_free(struct print_ctx *pc);
/* The interface `id` of the packets' reader or capture, or NULL. */
const struct trawl_iface *print_iface(const struct print_ctx *pc, uint32_t id);
/* Advances the clocks (first packet, previous packet) to pkt; call once
 * per packet before any text format. */
void print_begin_packet(struct print_ctx *pc, const struct trawl_pkt *pkt);
/* The packet time in pc->time_format (or `tf` when >= 0). */
void print_time(struct print_ctx *pc, const struct trawl_pkt *pkt, int tf);

/* Values of chosen fields in one layer: print_pick_layer() fills `found`
 * and `val` of each entry whose field occurs in layer `layer` (its first
 * occurrence there). Entries with a NULL field never match. */
#define PRINT_PICK_SEQ 16
struct print_pick {
    const trawl_field *f;
    bool all; /* visit every occurrence (for `seq`), not only the first */
    bool found;
    struct trawl_value val; /* the first occurrence */
    /* With `all`: the unsigned values below 256, in order (TCP option
     * kinds, SCTP chunk types); the first PRINT_PICK_SEQ of them. */
    uint8_t seq[PRINT_PICK_SEQ];
    uint8_t nseq;
};
void print_pick_layer(trawl_view *v, size_t layer, struct print_pick *picks,
                      size_t n);

/* The name trawl_value_describe() gives a value ("UDP" for ip.proto 17,
 * from "17 (UDP)"): true and the name in buf, or false when it has none. */
bool print_value_name(const trawl_field *f, const struct trawl_value *val,
                      char *buf, size_t len);

/* Is this field a repetition of others (ip.addr is ip.src and ip.dst,
 * tcp.port both ports)? -V leaves those out, as Wireshark hides them. */
bool print_field_is_aggregate(const trawl_field *f);

/* ---- formats ------------------------------------------------------------- */

/* One tshark-like line: number, time, source, destination, protocol,
 * length, info. */
void print_summary(struct print_ctx *pc, trawl_view *v);

/* The info column of RPC messages, from layer `first` (an rpc layer) of
 * the n the view has, and the protocol column ("NFS", "Portmap", ...)
 * (print_summary_rpc.c). */
void print_summary_rpc(trawl_view *v, size_t first, size_t n,
                       struct pbuf *info, char *proto, size_t protolen);

/* The decoded layer tree (-V), then a blank line. */
void print_tree(struct print_ctx *pc, trawl_view *v);

/* Hex dump of the captured bytes as tshark -x prints it (offset, 16 bytes);
 * with ascii, the printable characters too. Ends with a blank line. */
void print_hex(struct pbuf *out, const struct trawl_pkt *pkt, bool ascii);

/* -T fields, with tshark's -E options. */
struct print_fields {
    const trawl_field **fields; /* owned by the caller */
    const char **names;         /* as the user spelt them, for the header */
    size_t nfields;
    char separator;  /* between fields */
    char aggregator; /* between occurrences */
    char quote;      /* 0, '"' or '\'' around non-empty values */
    char occurrence; /* 'a' all, 'f' first, 'l' last */
    bool header;     /* field names first */
    bool bom;        /* a UTF-8 byte order mark first */
};
void print_fields_header(struct pbuf *out, const struct print_fields *pf);
void print_fields(struct pbuf *out, trawl_view *v,
                  const struct print_fields *pf);

/* -T json: one object per packet and line (NDJSON). */
void print_json(struct pbuf *out, trawl_view *v);

/* ---- options and dispatch (print_args.c) -------------------------------- */

enum print_output {
    OUT_SUMMARY, /* default: one line per packet */
    OUT_TREE,    /* -V */
    OUT_FIELDS,  /* -T fields */
    OUT_JSON,    /* -T json */
    OUT_NONE,    /* -q, or -w */
};

struct cli_command;

/* The printing options `trawl read` and `trawl capture` share: -V -x -X
 * -T -e -E -t. Parse them with print_opts_take(), settle them with
 * print_opts_check(). */
struct print_opts {
    enum print_output output; /* settled by print_opts_check() */
    bool hex, hex_ascii;
    enum print_time time_format;
    struct print_fields pf; /* arrays owned; names borrowed from argv */
    /* As given, for print_opts_check(). */
    const char *format; /* -T */
    bool tree, field_opts;
    bool verify_checksums; /* --verify-checksums: TCP and UDP */
};

/* getopt code of the long-only printing option (above every command's
 * own and the split options'). */
enum { PRINT_OPT_VERIFY = 3000 };

#define PRINT_SHORT_OPTIONS "VxXT:e:E:t:"
#define PRINT_LONG_OPTIONS                                  \
    {"verbose", no_argument, NULL, 'V'},                    \
        {"hex", no_argument, NULL, 'x'},                    \
        {"hex-ascii", no_argument, NULL, 'X'},              \
        {"format", required_argument, NULL, 'T'},           \
        {"field", required_argument, NULL, 'e'},            \
        {"field-option", required_argument, NULL, 'E'},     \
        {"time", required_argument, NULL, 't'},            \
        {"verify-checksums", no_argument, NULL, PRINT_OPT_VERIFY}
/* Their lines of a command's --help. */
#define PRINT_OPTIONS_HELP \
    "  -V, --verbose         the decoded layer tree of each packet\n" \
    "  -x, --hex             add a hex dump of each packet\n" \
    "  -X, --hex-ascii       add a hex and ASCII dump of each packet\n" \
    "  -T, --format FORMAT   text (default), fields (with -e), or json: one\n" \
    "                        JSON object per packet and line\n" \
    "  -e, --field FIELD     a field to print, by its Wireshark name\n" \
    "                        (ip.src, tcp.dstport, ...); repeatable;\n" \
    "                        implies -T fields\n" \
    "  -E, --field-option OPTION\n" \
    "                        with -T fields, as in tshark:\n" \
    "                          header=y|n         field names first\n" \
    "                          separator=/t|/s|C  between fields (tab)\n" \
    "                          aggregator=,|/s|C  between repeated values\n" \
    "                          quote=d|s|n        quotes around values\n" \
    "                          occurrence=f|l|a   first, last or all values\n" \
    "                          bom=y|n            UTF-8 byte order mark\n" \
    "  -t, --time FORMAT     time column: r seconds since the first packet\n" \
    "                        (default), d since the previous one, a local\n" \
    "                        time of day, ad local date and time, e seconds\n" \
    "                        since 1970\n" \
    "      --verify-checksums  verify TCP and UDP checksums (tcp.bad_checksum,\n" \
    "                        udp.bad_checksum, *.checksum.status); off by\n" \
    "                        default, as in tshark: packets sent by this host\n" \
    "                        or over a veth carry checksums left to offload\n" \

/* Sizes the arrays for argc arguments. Returns 0, or CLI_USAGE after
 * printing what is wrong. */
int print_opts_init(struct print_opts *po, int argc);
void print_opts_free(struct print_opts *po);
/* Takes getopt's option c when it is a printing option: returns 0 when
 * taken, CLI_USAGE after printing what is wrong, 1 when c is not one. */
int print_opts_take(const struct cli_command *cmd, struct print_opts *po,
                    int c, const char *arg);
/* Settles the output format and refuses combinations that mean nothing;
 * `writing` (-w) and `quiet` (-q) turn printing off. */
int print_opts_check(const struct cli_command *cmd, struct print_opts *po,
                     bool writing, bool quiet);
/* Prints the packet the view is set on in the chosen format. */
void print_packet(struct print_ctx *pc, trawl_view *v,
                  const struct print_opts *po);

/* ---- progress line (progress.c) ---------------------------------------- */

struct progress {
    bool on;
    bool shown; /* a line is on the terminal and must be erased */
    uint64_t start_ns, last_ns;
    unsigned tick;
};

/* Decides whether to show progress: a large trace (total > 64 MiB) read
 * while stderr is a terminal and the packets go to a file (-w) or stdout
 * is not a terminal. */
void progress_init(struct progress *p, const trawl_reader *r, bool to_file);
/* Redraws the line when a quarter of a second has passed. */
void progress_redraw(struct progress *p, const trawl_reader *r,
                     uint64_t packets);
/* Cheap to call per packet: a test inline, and every 64th packet the
 * clock (reading it costs a few nanoseconds; every 64th packet is often
 * enough for a 4 Hz display even at tens of Mpkt/s). */
static inline void progress_update(struct progress *p, const trawl_reader *r,
                                   uint64_t packets) {
    if (p->on && !(++p->tick & 63))
        progress_redraw(p, r, packets);
}
/* Erases the line (before a message, and at the end). */
void progress_clear(struct progress *p);

#endif
