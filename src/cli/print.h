/* cli/print — the per-packet output formats of `trawl read` (and, later,
 * of `trawl capture`): summary lines, the layer tree, hex dumps, fields
 * and JSON. Each prints one packet from a view to a stdio stream. */
#ifndef TRAWL_CLI_PRINT_H
#define TRAWL_CLI_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "trawl/decode.h"

enum print_time { TIME_RELATIVE, TIME_ABS, TIME_ABS_DATE, TIME_DELTA,
                  TIME_EPOCH };

struct print_state {
    enum print_time time_format;
    bool have_first;
    int64_t first_sec, prev_sec;
    uint32_t first_nsec, prev_nsec;
};

void print_summary(FILE *out, trawl_view *v, struct print_state *st);
void print_tree(FILE *out, trawl_view *v);
/* Hex dump of the frame; with ascii, the printable characters too. */
void print_hex(FILE *out, const struct trawl_pkt *pkt, bool ascii);

/* -T fields */
struct print_fields {
    const trawl_field **fields;
    size_t nfields;
    char separator;
    char aggregator;
    char quote;       /* 0, '"' or '\'' */
    char occurrence;  /* 'a' all, 'f' first, 'l' last */
    bool header;
};
void print_fields_header(FILE *out, const struct print_fields *pf);
void print_fields(FILE *out, trawl_view *v, const struct print_fields *pf);

/* -T json: one object per line. */
void print_json(FILE *out, trawl_view *v);

#endif
