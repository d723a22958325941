/* expr — the typed tree an expression compiles to, and the flat program
 * the evaluator runs.
 *
 * The parser resolves every name and reads every value in the type of the
 * field it is compared with, so the tree holds only typed tests: "does the
 * packet have a tcp layer", "is any occurrence of ip.addr in 10.0.0.0/16",
 * "does the payload match this regex". Allegro, pktt and Polycube operands
 * are macros: the parser expands them into such tests joined by and/or/not
 * and remembers the text they came from (`origin`) for explain.
 *
 * Everything here lives in the expression's arena and dies with it.
 */
#ifndef TRAWL_EXPR_AST_H
#define TRAWL_EXPR_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trawl/decode.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* How the values of a test compare; one per field type family. */
enum expr_ctype {
    EXPR_C_NONE = 0, /* presence only */
    EXPR_C_UINT,     /* unsigned ranges: UINT and BOOL fields */
    EXPR_C_INT,      /* signed ranges */
    EXPR_C_DOUBLE,
    EXPR_C_ADDR,  /* IPv4 (4), MAC (6), IPv6 (16) bytes under a mask */
    EXPR_C_BYTES, /* byte strings: BYTES and STRING fields */
    EXPR_C_TIME,  /* (seconds, nanoseconds) */
};

/* What is asked of each occurrence of the field. */
enum expr_op {
    EXPR_OP_EXISTS = 0, /* nothing: it is there */
    EXPR_OP_EQ,         /* equal to one of the values (a set when several) */
    EXPR_OP_LT,
    EXPR_OP_LE,
    EXPR_OP_GT,
    EXPR_OP_GE,
    EXPR_OP_NONZERO,  /* FIELD & MASK alone */
    EXPR_OP_CONTAINS, /* the bytes contain the value */
    EXPR_OP_MATCHES,  /* the regex matches (bytes, or the formatted text) */
};

/* One literal, read in the type of its field. Integers are ranges so that
 * `portrange == 100-120` and `tcp.port in {80, 8000..8080}` are one test. */
struct expr_val {
    union {
        struct {
            uint64_t lo, hi;
        } u;
        struct {
            int64_t lo, hi;
        } i;
        double d;
        struct {
            uint8_t a[16]; /* already masked */
            uint8_t m[16];
            uint8_t prefix; /* for explain */
        } addr;
        struct {
            const uint8_t *p; /* in the arena */
            size_t len;
        } b;
        struct {
            int64_t sec;
            uint32_t nsec;
        } t;
    };
};

enum expr_test_kind {
    EXPR_T_PROTO,   /* a layer of protocol `proto` is present */
    EXPR_T_FIELD,   /* a field comparison over one or more fields */
    EXPR_T_PAYLOAD, /* Allegro regexp: the payload matches `re` */
};

/* Fields one test reads at once, in packet order: `port` reads tcp.port,
 * udp.port and sctp.port; `vlan` reads vlan.id and ieee8021ad.id. */
#define EXPR_MAX_FIELDS 6
/* occ_hi for "every occurrence from occ_lo on". */
#define EXPR_OCC_ALL 0xffff

struct expr_test {
    enum expr_test_kind kind;
    uint16_t proto; /* EXPR_T_PROTO: enum decode_proto_id */
    const struct trawl_field *fields[EXPR_MAX_FIELDS];
    uint8_t nfields;
    /* When every field is one only XDR items hold (and none needs the
     * full decode): the OR of their decode_item_bit(), so that a packet
     * decoded to the end with none of those bits has no value at once;
     * 0 otherwise. */
    uint64_t item_bits;
    /* Only occurrences occ_lo..occ_hi (0-based, in packet order) count:
     * outervlan is occurrence 0, innervlan 1 and after. */
    uint16_t occ_lo, occ_hi;
    /* Quantifier: false = some counted occurrence satisfies the predicate
     * (==, <, in), true = there is one and all do (!=, ===). */
    bool all;
    /* The per-occurrence predicate is negated (!=, !==, not in). */
    bool negate;
    enum expr_op op;
    enum expr_ctype ctype;
    uint8_t addr_len; /* EXPR_C_ADDR: 4, 6 or 16 */
    bool has_mask;
    uint64_t mask; /* FIELD & MASK */
    struct expr_val *vals;
    uint32_t nvals;
    /* EXPR_OP_MATCHES and EXPR_T_PAYLOAD: compiled once, with match data
     * sized for it, so matching allocates nothing. Freed with the
     * expression. */
    pcre2_code *re;
    pcre2_match_data *md;
    const char *re_text; /* the pattern, for explain */
    bool caseless;       /* `matches` (Wireshark), not re() */
};

enum expr_node_kind {
    EXPR_N_TEST,
    EXPR_N_AND,
    EXPR_N_OR,
    EXPR_N_NOT,
    EXPR_N_CONST,
};

struct expr_node {
    enum expr_node_kind kind;
    bool value;              /* EXPR_N_CONST */
    uint32_t test;           /* EXPR_N_TEST: index into the test table */
    struct expr_node *a, *b; /* operands (b unused by NOT) */
    uint32_t col;            /* 1-based column it was written at */
    /* The text of the operand comparison it expands (`ip == 10.0/16`),
     * or NULL for nodes written as they are. */
    const char *origin;
};

/* The flat program: an accumulator machine with forward jumps, so that
 * `a and b` skips b when a is false. */
enum expr_opcode {
    EXPR_I_TEST,  /* acc = test[arg] */
    EXPR_I_CONST, /* acc = arg */
    EXPR_I_NOT,   /* acc = !acc */
    EXPR_I_JF,    /* if !acc: pc = arg */
    EXPR_I_JT,    /* if acc: pc = arg */
    EXPR_I_RET,   /* return acc */
};

struct expr_insn {
    uint8_t op; /* enum expr_opcode */
    uint32_t arg;
};

#endif
