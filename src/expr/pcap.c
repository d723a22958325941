/* The pcap-filter reading: text that is not trawl syntax but that libpcap
 * accepts (`tcp port 80`, `src host 10.0.0.1 and not arp`) is compiled by
 * pcap_compile() and matched with pcap_offline_filter() on the raw frame.
 *
 * A BPF program depends on the link type, so one is compiled per link type
 * the expression meets: at compile time when the caller knows it, else
 * when the first packet of that link type is matched. The few programs are
 * cached in the expression; matching itself allocates nothing. */
#include <ctype.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr.h"

enum {
    SNAPLEN = 262144,
    LINKTYPE_ETHERNET = 1,
    LINKTYPE_ATM_RFC1483 = 100,
    LINKTYPE_RAW = 101,
    SLOTS = 8, /* link types cached; a trace rarely mixes more than two */
    PLACE_MAX_WORDS = 64, /* words tried to place a syntax error */
};

struct slot {
    int linktype;
    bool ok;
    struct bpf_program prog;
};

struct expr_pcap {
    char *text;
    struct slot slots[SLOTS];
    unsigned nslots, evict;
    /* Why a link type met at match time has no program, or "". */
    char err[TRAWL_ERRBUF_SIZE];
};

/* pcap_open_dead() takes a DLT_ value; the few LINKTYPE_ values that differ
 * from their DLT_ are mapped here (libpcap does not export its table). */
static int dlt_of(int linktype) {
    switch (linktype) {
    case LINKTYPE_RAW: return DLT_RAW;
    case LINKTYPE_ATM_RFC1483: return DLT_ATM_RFC1483;
    default: return linktype;
    }
}

const char *trawl_linktype_name(int linktype, const char **description) {
    const char *name = pcap_datalink_val_to_name(dlt_of(linktype));
    if (description)
        *description =
            name ? pcap_datalink_val_to_description(dlt_of(linktype)) : NULL;
    return name;
}

static int compile_for(const char *text, int linktype, struct bpf_program *prog,
                       char *err, size_t errlen) {
    pcap_t *pd = pcap_open_dead(dlt_of(linktype), SNAPLEN);
    if (!pd)
        return core_err(err, errlen, TRAWL_ENOMEM,
                        "cannot open a pcap handle for link type %d", linktype);
    int rc = 0;
    if (pcap_compile(pd, prog, text, 1, PCAP_NETMASK_UNKNOWN) < 0)
        rc = core_err(err, errlen, TRAWL_EEXPR, "%s", pcap_geterr(pd));
    pcap_close(pd);
    return rc;
}

void expr_pcap_free(struct expr_pcap *pc) {
    if (!pc)
        return;
    for (unsigned i = 0; i < pc->nslots; i++)
        if (pc->slots[i].ok)
            pcap_freecode(&pc->slots[i].prog);
    free(pc->text);
    free(pc);
}

int expr_pcap_new(struct expr_pcap **out, const char *text,
                  const struct trawl_expr_options *opt, char *err,
                  size_t errlen) {
    *out = NULL;
    struct expr_pcap *pc = core_calloc(1, sizeof *pc);
    if (!pc || !(pc->text = core_strdup(text))) {
        free(pc);
        return core_err(err, errlen, TRAWL_ENOMEM, "out of memory");
    }
    /* Without a link type, Ethernet checks the syntax, and its program
     * serves the Ethernet packets to come. */
    int lt = opt->has_linktype ? opt->linktype : LINKTYPE_ETHERNET;
    struct slot *s = &pc->slots[0];
    int rc = compile_for(text, lt, &s->prog, err, errlen);
    if (rc < 0) {
        expr_pcap_free(pc);
        return rc;
    }
    s->linktype = lt;
    s->ok = true;
    pc->nslots = 1;
    *out = pc;
    return 0;
}

static struct slot *slot_for(struct expr_pcap *pc, int linktype) {
    for (unsigned i = 0; i < pc->nslots; i++)
        if (pc->slots[i].linktype == linktype)
            return &pc->slots[i];
    struct slot *s;
    if (pc->nslots < SLOTS) {
        s = &pc->slots[pc->nslots++];
    } else {
        s = &pc->slots[pc->evict];
        pc->evict = (pc->evict + 1) % SLOTS;
        if (s->ok)
            pcap_freecode(&s->prog);
    }
    char msg[TRAWL_ERRBUF_SIZE];
    s->linktype = linktype;
    s->ok = compile_for(pc->text, linktype, &s->prog, msg, sizeof msg) == 0;
    if (!s->ok)
        core_err(pc->err, sizeof pc->err, TRAWL_EEXPR,
                 "the pcap-filter expression does not apply to link type "
                 "%d, so its packets do not match: %s",
                 linktype, msg);
    return s;
}

bool expr_pcap_match(struct expr_pcap *pc, const struct trawl_pkt *pkt) {
    struct slot *s = slot_for(pc, pkt->linktype);
    if (!s->ok)
        return false;
    struct pcap_pkthdr h = {
        .ts = {.tv_sec = (time_t)pkt->ts_sec,
               .tv_usec = (suseconds_t)(pkt->ts_nsec / 1000)},
        .caplen = pkt->caplen,
        .len = pkt->len,
    };
    return pcap_offline_filter(&s->prog, &h, pkt->data) != 0;
}

const char *expr_pcap_error(const struct expr_pcap *pc) {
    return pc->err[0] ? pc->err : NULL;
}

bool expr_pcap_valid(const char *text, const struct trawl_expr_options *opt,
                     char *err, size_t errlen) {
    struct bpf_program prog;
    int lt = opt->has_linktype ? opt->linktype : LINKTYPE_ETHERNET;
    if (compile_for(text, lt, &prog, err, errlen) < 0)
        return false;
    pcap_freecode(&prog);
    return true;
}

void expr_pcap_error_place(const char *text,
                           const struct trawl_expr_options *opt, char *err,
                           size_t errlen) {
    if (!strstr(err, "syntax error"))
        return;
    size_t start[PLACE_MAX_WORDS], end[PLACE_MAX_WORDS];
    unsigned n = 0;
    const char *p = text;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        if (n == PLACE_MAX_WORDS)
            return;
        start[n] = (size_t)(p - text);
        while (*p && !isspace((unsigned char)*p))
            p++;
        end[n++] = (size_t)(p - text);
    }
    char part[1024], perr[PCAP_ERRBUF_SIZE];
    for (unsigned k = n; k-- > 1;) {
        /* The first k words, as written. */
        if (end[k - 1] >= sizeof part)
            continue;
        memcpy(part, text, end[k - 1]);
        part[end[k - 1]] = '\0';
        if (!expr_pcap_valid(part, opt, perr, sizeof perr))
            continue;
        size_t len = strlen(err);
        if (len < errlen)
            snprintf(err + len, errlen - len,
                     ": '%s' (columns %zu-%zu) is valid, what follows "
                     "from column %zu is not",
                     part + start[0], start[0] + 1, end[k - 1], start[k] + 1);
        return;
    }
}

void expr_pcap_explain(struct expr_pcap *pc, struct expr_out *o) {
    for (unsigned i = 0; i < pc->nslots; i++) {
        const struct slot *s = &pc->slots[i];
        const char *name = trawl_linktype_name(s->linktype, NULL);
        expr_printf(o, "BPF program for link type %d (%s):\n", s->linktype,
                    name ? name : "unknown");
        if (!s->ok) {
            expr_printf(o, "  (does not apply to this link type)\n");
            continue;
        }
        for (unsigned k = 0; k < s->prog.bf_len; k++)
            expr_printf(o, "  %s\n", bpf_image(&s->prog.bf_insns[k], (int)k));
    }
}
