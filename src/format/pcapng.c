/* pcapng blocks: section headers in either byte order, interface
 * descriptions, packets (EPB, SPB, OPB), statistics (ISB), and the blocks
 * trawl counts and steps over (NRB, DSB, custom, unknown).
 *
 * Every length comes from the file, so each is checked against the block
 * before use; a block is read whole (at most FORMAT_MAX_BLOCK bytes) and
 * parsed through a bounds-checked cursor. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "format/reader_int.h"

/* Option codes (pcapng specification). */
enum {
    OPT_ENDOFOPT = 0,
    OPT_COMMENT = 1,
    IF_NAME = 2,
    IF_DESCRIPTION = 3,
    IF_TSRESOL = 9,
    IF_FILTER = 11,
    IF_OS = 12,
    IF_FCSLEN = 13,
    IF_TSOFFSET = 14,
    EPB_FLAGS = 2,
    ISB_STARTTIME = 2,
    ISB_ENDTIME = 3,
    ISB_IFRECV = 4,
    ISB_IFDROP = 5,
    ISB_FILTERACCEPT = 6,
    ISB_OSDROP = 7,
    ISB_USRDELIV = 8,
};

/* Where the block being parsed is, for messages. */
struct blk {
    trawl_reader *r;
    uint64_t offset;
    uint64_t number; /* 1-based within the file */
    uint32_t type;
    bool big_endian;
};

static int blk_err(const struct blk *b, char *err, size_t errlen, int code,
                   const char *fmt, ...) TRAWL_PRINTF(5, 6);

static int blk_err(const struct blk *b, char *err, size_t errlen, int code,
                   const char *fmt, ...) {
    char what[TRAWL_ERRBUF_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return core_err(err, errlen, code,
                    "%s: block %" PRIu64 " at offset %" PRIu64 ": %s",
                    reader_path(b->r), b->number, b->offset, what);
}

/* Walks the options in [c.pos, end); calls fn for each. Malformed option
 * lists (an option running past the block) are an error. */
typedef int (*opt_fn)(void *ctx, uint16_t code, const uint8_t *v,
                      uint16_t len, bool big_endian);

static int each_option(const struct blk *b, struct core_cursor *c,
                       opt_fn fn, void *ctx, char *err, size_t errlen) {
    while (core_cursor_left(c) >= 4) {
        size_t at = c->pos;
        uint16_t code = core_cursor_u16(c);
        uint16_t len = core_cursor_u16(c);
        if (code == OPT_ENDOFOPT)
            return 0;
        size_t padded = ((size_t)len + 3) & ~(size_t)3;
        if (padded > core_cursor_left(c))
            return blk_err(b, err, errlen, TRAWL_EFORMAT,
                           "option %u at byte %zu has length %u, past the "
                           "end of the block",
                           code, at, len);
        const uint8_t *v = core_cursor_ptr(c, padded);
        int rc = fn(ctx, code, v, len, b->big_endian);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static uint32_t rd32(const uint8_t *p, bool be) {
    return be ? core_be32(p) : core_le32(p);
}
static uint64_t rd64(const uint8_t *p, bool be) {
    return be ? core_be64(p) : core_le64(p);
}

static char *dup_text(const uint8_t *v, uint16_t len) {
    return core_strndup((const char *)v, len);
}

/* ---- timestamps ---------------------------------------------------------- */

/* Units per second of an if_tsresol byte: 10^n, or 2^n with the top bit
 * set. 0 when the resolution cannot be represented. */
static uint64_t tsresol_units(uint8_t resol) {
    unsigned n = resol & 0x7f;
    if (resol & 0x80)
        return n <= 63 ? (uint64_t)1 << n : 0;
    if (n > 19)
        return 0;
    uint64_t u = 1;
    while (n--)
        u *= 10;
    return u;
}

static void ts_convert(uint64_t ts, uint64_t units, int64_t offset,
                       int64_t *sec, uint32_t *nsec) {
    uint64_t s = ts / units, rem = ts % units;
    *sec = (int64_t)s + offset;
    *nsec = (uint32_t)(((unsigned __int128)rem * 1000000000u) / units);
}

/* ---- block parsers ------------------------------------------------------- */

struct shb_ctx {
    char *comment;
};

static int shb_opt(void *ctx, uint16_t code, const uint8_t *v, uint16_t len,
                   bool be) {
    (void)be;
    struct shb_ctx *s = ctx;
    if (code == OPT_COMMENT && !s->comment)
        s->comment = dup_text(v, len);
    return 0;
}

static int parse_shb(const struct blk *b, const uint8_t *body, size_t n,
                     char *err, size_t errlen) {
    trawl_reader *r = b->r;
    struct core_cursor c;
    core_cursor_init(&c, body, n, !b->big_endian);
    core_cursor_skip(&c, 4); /* byte-order magic, checked by the caller */
    uint16_t major = core_cursor_u16(&c);
    uint16_t minor = core_cursor_u16(&c);
    core_cursor_skip(&c, 8); /* section length: not trusted */
    if (major != 1)
        return blk_err(b, err, errlen, TRAWL_EUNSUPPORTED,
                       "pcapng version %u.%u is not supported", major, minor);
    /* A section already known (we are re-reading after a seek) is reused
     * with the interfaces it already declared. */
    for (size_t i = 0; i < r->nsections; i++) {
        if (r->sections[i].file_no == r->cur_file &&
            r->sections[i].offset == b->offset) {
            r->cur_section = i;
            return 0;
        }
    }
    struct shb_ctx sc = {0};
    int rc = each_option(b, &c, shb_opt, &sc, err, errlen);
    if (rc < 0) {
        free(sc.comment);
        return rc;
    }
    if (r->nsections == r->cap_sections) {
        size_t ncap = r->cap_sections ? r->cap_sections * 2 : 4;
        struct reader_section *ns =
            core_reallocarray(r->sections, ncap, sizeof *ns);
        if (!ns) {
            free(sc.comment);
            return core_err(err, errlen, TRAWL_ENOMEM, "reader: out of memory");
        }
        r->sections = ns;
        r->cap_sections = ncap;
    }
    struct reader_section *s = &r->sections[r->nsections];
    memset(s, 0, sizeof *s);
    s->file_no = r->cur_file;
    s->offset = b->offset;
    s->big_endian = b->big_endian;
    s->comment = sc.comment;
    r->cur_section = r->nsections++;
    return 0;
}

struct idb_ctx {
    struct trawl_iface ifc;
    const struct blk *b;
    char *err;
    size_t errlen;
};

static int idb_opt(void *ctx, uint16_t code, const uint8_t *v, uint16_t len,
                   bool be) {
    struct idb_ctx *x = ctx;
    char **slot = NULL;
    switch (code) {
    case IF_NAME:
        slot = (char **)&x->ifc.name;
        break;
    case IF_DESCRIPTION:
        slot = (char **)&x->ifc.description;
        break;
    case IF_OS:
        slot = (char **)&x->ifc.os;
        break;
    case IF_FILTER:
        /* The first byte says how the filter is expressed; 0 is text. */
        if (len >= 1 && v[0] == 0 && !x->ifc.filter)
            x->ifc.filter = dup_text(v + 1, (uint16_t)(len - 1));
        return 0;
    case IF_TSRESOL:
        if (len >= 1)
            x->ifc.tsresol = v[0];
        return 0;
    case IF_FCSLEN:
        if (len >= 1)
            x->ifc.fcslen = v[0];
        return 0;
    case IF_TSOFFSET:
        if (len >= 8)
            x->ifc.tsoffset = (int64_t)rd64(v, be);
        return 0;
    default:
        return 0;
    }
    if (!*slot)
        *slot = dup_text(v, len);
    return 0;
}

static int parse_idb(const struct blk *b, const uint8_t *body, size_t n,
                     char *err, size_t errlen) {
    trawl_reader *r = b->r;
    struct reader_section *s = &r->sections[r->cur_section];
    if (s->last_idb_offset && b->offset <= s->last_idb_offset)
        return 0; /* known already: we are re-reading after a seek */
    struct core_cursor c;
    core_cursor_init(&c, body, n, !b->big_endian);
    struct idb_ctx x = {.b = b, .err = err, .errlen = errlen};
    x.ifc.linktype = core_cursor_u16(&c);
    core_cursor_skip(&c, 2);
    x.ifc.snaplen = core_cursor_u32(&c);
    x.ifc.tsresol = 6;
    x.ifc.fcslen = -1;
    x.ifc.file_no = r->cur_file;
    int rc = each_option(b, &c, idb_opt, &x, err, errlen);
    if (rc == 0 && !tsresol_units(x.ifc.tsresol))
        rc = blk_err(b, err, errlen, TRAWL_EUNSUPPORTED,
                     "if_tsresol 0x%02x cannot be represented",
                     x.ifc.tsresol);
    uint32_t id = 0;
    if (rc == 0 && s->nif >= READER_MAX_IFACES)
        rc = blk_err(b, err, errlen, TRAWL_ERANGE,
                     "more than %u interfaces in one section",
                     READER_MAX_IFACES);
    if (rc == 0 && s->nif == s->cap_if) {
        size_t ncap = s->cap_if ? s->cap_if * 2 : 4;
        uint32_t *m = core_reallocarray(s->ifmap, ncap, sizeof *m);
        if (!m)
            rc = core_err(err, errlen, TRAWL_ENOMEM, "reader: out of memory");
        else {
            s->ifmap = m;
            s->cap_if = ncap;
        }
    }
    if (rc == 0 && reader_add_iface(r, &x.ifc, &id) < 0)
        rc = blk_err(b, err, errlen, TRAWL_ERANGE, "too many interfaces");
    if (rc < 0) {
        free((char *)x.ifc.name);
        free((char *)x.ifc.description);
        free((char *)x.ifc.filter);
        free((char *)x.ifc.os);
        return rc;
    }
    s->ifmap[s->nif++] = id;
    s->last_idb_offset = b->offset;
    return 0;
}

struct pkt_ctx {
    trawl_reader *r;
    struct trawl_pkt *pkt;
    uint16_t flags_code;
};

static int pkt_opt(void *ctx, uint16_t code, const uint8_t *v, uint16_t len,
                   bool be) {
    struct pkt_ctx *x = ctx;
    if (code == x->flags_code && len >= 4) {
        x->pkt->flags = rd32(v, be);
        x->pkt->has_flags = true;
    } else if (code == OPT_COMMENT && !x->pkt->comment) {
        trawl_reader *r = x->r;
        if ((size_t)len + 1 > r->cap_comment) {
            char *nc = realloc(r->comment, (size_t)len + 1);
            if (!nc)
                return 0; /* a comment is not worth failing the read */
            r->comment = nc;
            r->cap_comment = (size_t)len + 1;
        }
        memcpy(r->comment, v, len);
        r->comment[len] = '\0';
        x->pkt->comment = r->comment;
    }
    return 0;
}

/* Looks up a section-local interface number. */
static int local_iface(const struct blk *b, uint32_t local, uint32_t *id,
                       char *err, size_t errlen) {
    const struct reader_section *s = &b->r->sections[b->r->cur_section];
    if (local >= s->nif)
        return blk_err(b, err, errlen, TRAWL_EFORMAT,
                       "interface %" PRIu32
                       " is not defined (the section has %zu)",
                       local, s->nif);
    *id = s->ifmap[local];
    return 0;
}

static int fill_packet(const struct blk *b, struct trawl_pkt *pkt,
                       uint32_t id, uint64_t ts, uint32_t caplen,
                       uint32_t len, const uint8_t *data) {
    const struct trawl_iface *ifc = &b->r->ifaces[id];
    ts_convert(ts, tsresol_units(ifc->tsresol), ifc->tsoffset, &pkt->ts_sec,
               &pkt->ts_nsec);
    pkt->caplen = caplen;
    pkt->len = len;
    pkt->linktype = ifc->linktype;
    pkt->iface = id;
    pkt->fcs_len = ifc->fcslen > 0 ? (uint8_t)ifc->fcslen : 0;
    pkt->offset = b->offset;
    pkt->data = data;
    return 1;
}

static int check_caplen(const struct blk *b, uint32_t caplen, size_t room,
                        char *err, size_t errlen) {
    if (caplen > TRAWL_MAX_CAPLEN)
        return blk_err(b, err, errlen, TRAWL_EFORMAT,
                       "captured length %" PRIu32
                       " is larger than the maximum of %u",
                       caplen, TRAWL_MAX_CAPLEN);
    if (caplen > room)
        return blk_err(b, err, errlen, TRAWL_EFORMAT,
                       "captured length %" PRIu32
                       " runs past the end of the block (%zu bytes left)",
                       caplen, room);
    return 0;
}

/* Enhanced and obsolete packet blocks differ only in their first word:
 * a 32-bit interface id, or a 16-bit one followed by a drop count. Both
 * carry epb_flags/opb_flags as option 2. */
static int parse_packet_block(const struct blk *b, const uint8_t *body,
                              size_t n, struct trawl_pkt *pkt, char *err,
                              size_t errlen) {
    struct core_cursor c;
    core_cursor_init(&c, body, n, !b->big_endian);
    bool obsolete = b->type == PCAPNG_OPB;
    uint32_t local = obsolete ? core_cursor_u16(&c) : core_cursor_u32(&c);
    if (obsolete)
        core_cursor_skip(&c, 2); /* drops count */
    uint64_t hi = core_cursor_u32(&c);
    uint64_t lo = core_cursor_u32(&c);
    uint32_t caplen = core_cursor_u32(&c);
    uint32_t len = core_cursor_u32(&c);
    uint32_t id = 0;
    int rc = local_iface(b, local, &id, err, errlen);
    if (rc < 0)
        return rc;
    if ((rc = check_caplen(b, caplen, core_cursor_left(&c), err, errlen)) < 0)
        return rc;
    const uint8_t *data = core_cursor_ptr(&c, caplen);
    core_cursor_skip(&c, ((caplen + 3u) & ~3u) - caplen);
    pkt->block = obsolete ? TRAWL_BLOCK_OPB : TRAWL_BLOCK_EPB;
    pkt->flags = 0;
    pkt->has_flags = false;
    pkt->comment = NULL;
    struct pkt_ctx x = {b->r, pkt, EPB_FLAGS};
    if (!c.bad && (rc = each_option(b, &c, pkt_opt, &x, err, errlen)) < 0)
        return rc;
    return fill_packet(b, pkt, id, hi << 32 | lo, caplen, len, data);
}

static int parse_spb(const struct blk *b, const uint8_t *body, size_t n,
                     struct trawl_pkt *pkt, char *err, size_t errlen) {
    uint32_t id = 0;
    int rc = local_iface(b, 0, &id, err, errlen);
    if (rc < 0)
        return rc;
    uint32_t len = rd32(body, b->big_endian);
    /* The captured length is implied: the packet, cut to the snap length
     * and to what the block holds. */
    uint32_t caplen = len;
    uint32_t snap = b->r->ifaces[id].snaplen;
    if (snap && caplen > snap)
        caplen = snap;
    if (caplen > n - 4)
        caplen = (uint32_t)(n - 4);
    if ((rc = check_caplen(b, caplen, n - 4, err, errlen)) < 0)
        return rc;
    pkt->block = TRAWL_BLOCK_SPB;
    pkt->flags = 0;
    pkt->has_flags = false;
    pkt->comment = NULL;
    fill_packet(b, pkt, id, 0, caplen, len, body + 4);
    /* An SPB carries no time stamp. */
    pkt->ts_sec = 0;
    pkt->ts_nsec = 0;
    return 1;
}

struct isb_ctx {
    struct trawl_iface *ifc;
};

static int isb_opt(void *ctx, uint16_t code, const uint8_t *v, uint16_t len,
                   bool be) {
    struct trawl_iface *ifc = ((struct isb_ctx *)ctx)->ifc;
    if (len < 8)
        return 0;
    uint64_t x = rd64(v, be);
    switch (code) {
    case ISB_IFRECV: ifc->isb_ifrecv = x; break;
    case ISB_IFDROP: ifc->isb_ifdrop = x; break;
    case ISB_FILTERACCEPT: ifc->isb_filteraccept = x; break;
    case ISB_OSDROP: ifc->isb_osdrop = x; break;
    case ISB_USRDELIV: ifc->isb_usrdeliv = x; break;
    default: return 0;
    }
    ifc->has_stats = true;
    return 0;
}

static int parse_isb(const struct blk *b, const uint8_t *body, size_t n,
                     char *err, size_t errlen) {
    struct core_cursor c;
    core_cursor_init(&c, body, n, !b->big_endian);
    uint32_t local = core_cursor_u32(&c);
    core_cursor_skip(&c, 8);
    uint32_t id = 0;
    int rc = local_iface(b, local, &id, err, errlen);
    if (rc < 0)
        return rc;
    struct isb_ctx x = {&b->r->ifaces[id]};
    return each_option(b, &c, isb_opt, &x, err, errlen);
}

/* Smallest total length of each block type: 12 bytes of framing plus its
 * fixed fields. */
static uint32_t min_total(uint32_t type) {
    switch (type) {
    case PCAPNG_SHB: return 28;
    case PCAPNG_IDB: return 20;
    case PCAPNG_EPB: return 32;
    case PCAPNG_OPB: return 32;
    case PCAPNG_SPB: return 16;
    case PCAPNG_ISB: return 24;
    default: return 12;
    }
}

int pcapng_read_block(trawl_reader *r, struct trawl_pkt *pkt, char *err,
                      size_t errlen) {
    const uint8_t *p;
    struct blk b = {.r = r, .offset = fsrc_tell(&r->src),
                    .number = r->block_no + 1};
    int rc = reader_need(r, 8, &p, err, errlen);
    if (rc != 1)
        return rc;
    bool shb = core_be32(p) == PCAPNG_SHB;
    if (shb) {
        rc = reader_need(r, 12, &p, err, errlen);
        if (rc != 1)
            return rc;
        if (core_le32(p + 8) == PCAPNG_BOM)
            b.big_endian = false;
        else if (core_be32(p + 8) == PCAPNG_BOM)
            b.big_endian = true;
        else
            return blk_err(&b, err, errlen, TRAWL_EFORMAT,
                           "section header has byte-order magic 0x%08" PRIx32
                           " (expected 0x1a2b3c4d in either byte order)",
                           core_be32(p + 8));
    } else if (!r->nsections ||
               r->sections[r->cur_section].file_no != r->cur_file) {
        return blk_err(&b, err, errlen, TRAWL_EFORMAT,
                       "block type 0x%08" PRIx32
                       " comes before any section header",
                       core_be32(p));
    } else {
        b.big_endian = r->sections[r->cur_section].big_endian;
    }
    b.type = rd32(p, b.big_endian);
    uint32_t total = rd32(p + 4, b.big_endian);
    if (total < min_total(b.type))
        return blk_err(&b, err, errlen, TRAWL_EFORMAT,
                       "total length %" PRIu32 " is smaller than %" PRIu32,
                       total, min_total(b.type));
    if (total % 4)
        return blk_err(&b, err, errlen, TRAWL_EFORMAT,
                       "total length %" PRIu32 " is not a multiple of 4",
                       total);
    if (total > FORMAT_MAX_BLOCK)
        return blk_err(&b, err, errlen, TRAWL_EFORMAT,
                       "total length %" PRIu32 " is larger than the maximum "
                       "of %u",
                       total, FORMAT_MAX_BLOCK);
    rc = reader_need(r, total, &p, err, errlen);
    if (rc != 1)
        return rc;
    uint32_t trailer = rd32(p + total - 4, b.big_endian);
    if (trailer != total)
        return blk_err(&b, err, errlen, TRAWL_EFORMAT,
                       "trailing length %" PRIu32
                       " disagrees with total length %" PRIu32,
                       trailer, total);
    fsrc_consume(&r->src, total);
    r->block_no++;
    const uint8_t *body = p + 8;
    size_t n = total - 12;
    switch (b.type) {
    case PCAPNG_SHB:
        rc = parse_shb(&b, body, n, err, errlen);
        return rc < 0 ? rc : 2;
    case PCAPNG_IDB:
        rc = parse_idb(&b, body, n, err, errlen);
        return rc < 0 ? rc : 2;
    case PCAPNG_EPB:
    case PCAPNG_OPB:
        return parse_packet_block(&b, body, n, pkt, err, errlen);
    case PCAPNG_SPB:
        return parse_spb(&b, body, n, pkt, err, errlen);
    case PCAPNG_ISB:
        r->stats.isb_blocks++;
        rc = parse_isb(&b, body, n, err, errlen);
        return rc < 0 ? rc : 2;
    case PCAPNG_NRB:
        r->stats.nrb_blocks++;
        return 2;
    case PCAPNG_DSB:
        r->stats.dsb_blocks++;
        return 2;
    case PCAPNG_TRAWL_PAD:
        /* While a file is followed, a padding block marks where the writer
         * will put its next records: wait there rather than step over it. */
        if (r->opt.follow && r->src.kind == FSRC_PLAIN) {
            r->src.pos -= total;
            r->block_no--;
            fsrc_reread(&r->src);
            return reader_wait_more(r, err, errlen);
        }
        r->stats.padding_blocks++;
        return 2;
    case PCAPNG_CB_COPY:
    case PCAPNG_CB_NOCOPY:
        r->stats.custom_blocks++;
        return 2;
    default:
        if (r->stats.unknown_blocks++ == 0)
            reader_warn(r,
                              "%s: block %" PRIu64 " at offset %" PRIu64
                              ": unknown block type 0x%08" PRIx32
                              " skipped (further unknown blocks are "
                              "skipped silently)",
                              reader_path(r), b.number, b.offset, b.type);
        return 2;
    }
}
