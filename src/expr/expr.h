/* expr — internal contracts between the lexer, the parser and its operand
 * macros, the code generator, the evaluator, the pcap-filter reading and
 * explain.
 *
 * The path of a text: expr_lex() cuts it into tokens; expr_parse() builds
 * the typed tree (src/expr/ast.h), resolving names against the operand
 * table (operand.c), the field registry and the protocol list, and reading
 * values with value.c; expr_codegen() flattens the tree into a program;
 * trawl_expr_match() runs it (eval.c). When the text is not valid trawl
 * syntax, pcap.c tries libpcap.
 */
#ifndef TRAWL_EXPR_INTERNAL_H
#define TRAWL_EXPR_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "expr/ast.h"
#include "trawl/expr.h"

/* Limits that keep a hostile expression from exhausting memory or the
 * stack: the text, the arena behind it, the nesting of parentheses and
 * `not`, and the number of tests. */
#define EXPR_MAX_TEXT 16384
#define EXPR_MAX_ARENA (4u << 20)
#define EXPR_MAX_DEPTH 200
#define EXPR_MAX_TESTS 4096

/* ---- arena (arena.c) ---------------------------------------------------- */

struct expr_chunk;
struct expr_arena {
    struct expr_chunk *head;
    size_t total;
};

/* Zeroed, 16-byte aligned memory that lives until expr_arena_free; NULL
 * when the arena would pass EXPR_MAX_ARENA or malloc fails. */
void *expr_alloc(struct expr_arena *a, size_t n);
char *expr_strndup(struct expr_arena *a, const char *s, size_t n);
/* Room for element n of an arena array of `size`-byte elements: returns
 * `old` while n < *cap, else a copy twice as large (updating *cap; the old
 * one stays in the arena); NULL when the arena is full. */
void *expr_grow(struct expr_arena *a, void *old, size_t n, size_t *cap,
                size_t size);
void expr_arena_free(struct expr_arena *a);

/* ---- text helpers (arena.c) --------------------------------------------- */

/* 1-based column of byte `off` of `text`, counting UTF-8 characters, so
 * a typographic quote counts as one column. */
uint32_t expr_column(const char *text, size_t off);
/* Optimal string alignment distance (Levenshtein with transpositions),
 * ignoring ASCII case; stops counting past `cap`. */
unsigned expr_distance(const char *a, size_t alen, const char *b, size_t blen,
                       unsigned cap);
/* Largest distance at which a name of length n is worth suggesting. */
unsigned expr_suggest_cap(size_t n);

/* ---- tokens (lex.c) ----------------------------------------------------- */

enum expr_tok {
    TOK_END = 0,
    TOK_WORD,   /* a name or an unquoted value: tcp.port, 10.0/16, syn+ack */
    TOK_STRING, /* "..." '...' "..." (typographic) r"..." */
    TOK_LPAREN,
    TOK_RPAREN,
    TOK_LBRACK,
    TOK_RBRACK,
    TOK_LBRACE,
    TOK_RBRACE,
    TOK_COMMA,
    TOK_AND,
    TOK_OR,
    TOK_NOT,
    TOK_EQ,     /* == = eq any_eq */
    TOK_NE,     /* != ne all_ne */
    TOK_ALL_EQ, /* === all_eq */
    TOK_ANY_NE, /* !== any_ne ~= */
    TOK_LT,
    TOK_LE,
    TOK_GT,
    TOK_GE,
    TOK_BITAND,   /* & */
    TOK_IN,       /* in */
    TOK_CONTAINS, /* contains */
    TOK_MATCHES,  /* matches ~ */
    TOK_ANY,      /* any (quantifier before a field; also a value) */
    TOK_ALL,      /* all */
    TOK_RE,       /* re('...') */
};

struct expr_token {
    enum expr_tok kind;
    uint32_t off, len; /* where it is written in the text */
    uint32_t col;      /* 1-based column of its first character */
    /* The word, or the string's content with escapes resolved; in the
     * source text or the arena; not NUL-terminated. */
    const char *text;
    uint32_t tlen;
    bool keyword; /* a word the keyword table gave a meaning to */
};

/* The one keyword table: every reserved word and every operator symbol,
 * with its token and the text explain and docs show for it. */
struct expr_keyword {
    const char *text;
    enum expr_tok tok;
    bool word; /* spelt with letters (matched ignoring case) */
};
extern const struct expr_keyword expr_keywords[];
extern const size_t expr_nkeywords;

/* Cuts `text` into tokens, ending with TOK_END. Returns the count, or 0
 * with a message in err (unterminated string, stray character). */
size_t expr_lex(struct expr_arena *a, const char *text, size_t len,
                struct expr_token **out, char *err, size_t errlen);

/* A printable name for a token kind ("'=='", "a value", "the end of the
 * expression"). */
const char *expr_tok_name(enum expr_tok t);

/* ---- values (value.c) --------------------------------------------------- */

/* One value as written: a word, a string, re('...') or [v6]:port. */
struct expr_item {
    const char *text; /* what to interpret (string content for strings) */
    uint32_t len;
    const char *src; /* as written, for messages */
    uint32_t srclen;
    uint32_t col;
    bool quoted;
    bool regex; /* re('...') */
};

/* Parsed address: family 4, 6 or 0 (not an address); prefix in bits. */
struct expr_addr {
    int family;
    uint8_t a[16];
    unsigned prefix;
    bool has_port;
    uint16_t port;
};

struct expr_parser;

/* Flags of expr_read_value. */
enum {
    EXPR_V_DASH_RANGE = 1, /* 100-120, -10, 65000- (Allegro lists) */
    EXPR_V_SHORT_V4 = 2,   /* 10.0/16 */
};

/* Reads `it` as a value of field type `ft` into *out; on failure reports
 * (bad value, type mismatch naming both types) and returns false. `what`
 * names the field or operand for messages. `max` bounds integers (0 = no
 * bound beyond the type): an unsigned value or either end of a range
 * past it, or below 0, is "out of range" naming the range; a signed one
 * lies within -max - 1 .. max. */
bool expr_read_value(struct expr_parser *p, const struct expr_item *it,
                     enum trawl_ftype ft, const char *what, uint64_t max,
                     unsigned flags, struct expr_val *out);
/* Reports "value '70000' at column 9 is out of range for 'port' (0 to
 * 65535)"; returns false. */
bool expr_out_of_range(struct expr_parser *p, const struct expr_item *it,
                       const char *what, uint64_t max);
/* Integers: decimal, 0x hex, 0b binary, 0 octal, with pktt's L suffix. */
bool expr_parse_uint(const char *s, size_t n, uint64_t *out);
/* Reads an Allegro `ip` value: 10.0.0.1, 10.0/16, 10.0.0.1:1234,
 * ff02::1:3, [2a02::1]:123. Returns false (no message) when it is not one. */
bool expr_parse_ip_item(const char *s, size_t n, bool allow_port,
                        struct expr_addr *out, const char **why);
/* Mask of `prefix` bits over `len` bytes. */
void expr_prefix_mask(uint8_t *m, size_t len, unsigned prefix);
/* "an unsigned integer", "an IPv4 address", ... */
const char *expr_ftype_desc(enum trawl_ftype t);
enum expr_ctype expr_ctype_of(enum trawl_ftype t);

/* ---- parser (parse.c) ---------------------------------------------------- */

enum expr_relop {
    EXPR_R_NONE = 0, /* bare operand */
    EXPR_R_EQ,       /* == (also a comma list, or `in`) */
    EXPR_R_NE,       /* != (also `not in`) */
    EXPR_R_ALL_EQ,   /* === */
    EXPR_R_ANY_NE,   /* !== */
    EXPR_R_LT,
    EXPR_R_LE,
    EXPR_R_GT,
    EXPR_R_GE,
    EXPR_R_CONTAINS,
    EXPR_R_MATCHES, /* matches, ~ : case-insensitive, as Wireshark */
};

/* One comparison as written: OPERAND [& MASK] OP VALUE[, VALUE...]. */
struct expr_rel {
    enum expr_relop op;
    const struct expr_item *items;
    size_t nitems;
    bool has_mask;
    uint64_t mask;
    int quant;         /* 0, or TOK_ANY / TOK_ALL written before the operand */
    const char *name;  /* the operand as written, NUL-terminated */
    uint32_t col;      /* its column */
    uint32_t op_col;   /* column of the operator */
    uint32_t mask_col; /* column of '&' */
    const struct expr_token *mask_tok; /* the mask as written */
};

struct expr_parser {
    const char *text;
    struct expr_token *toks;
    size_t ntoks, pos;
    struct expr_arena *arena;
    struct trawl_expr *e;
    char *err;
    size_t errlen;
    bool failed;
    /* An operand that needs state trawl does not have: reported only
     * when the rest of the expression parses, so a syntax error further
     * on is not hidden behind it. */
    char *deferred;
    unsigned depth;
};

/* Records the first error (later ones are consequences); returns NULL so
 * that `return expr_fail(...)` reads naturally. */
void *expr_fail(struct expr_parser *p, const char *fmt, ...) TRAWL_PRINTF(2, 3);

/* Parses the text into e->root and e->tests. Returns 0, TRAWL_EEXPR or
 * TRAWL_ENOMEM with the message in err. */
int expr_parse(struct trawl_expr *e, const char *text, char *err,
               size_t errlen);

/* Node and test constructors for the parser and the operand macros. */
struct expr_node *expr_node_new(struct expr_parser *p, enum expr_node_kind kind,
                                struct expr_node *a, struct expr_node *b,
                                uint32_t col);
struct expr_test *expr_test_new(struct expr_parser *p, uint32_t *index);
/* A new EXPR_T_FIELD test over `n` fields of one type family. */
struct expr_test *expr_field_test_new(struct expr_parser *p,
                                      const struct trawl_field *const *fs,
                                      size_t n, uint32_t *index);
struct expr_node *expr_node_test(struct expr_parser *p, uint32_t index,
                                 uint32_t col);
struct expr_node *expr_node_proto(struct expr_parser *p, uint16_t proto,
                                  uint32_t col);
/* A field test over `n` fields named in `names` (all of one type family)
 * that checks rel->op against rel->items, counting occurrences
 * occ_lo..occ_hi. The workhorse of Wireshark fields and most operands. */
struct expr_node *expr_field_test(struct expr_parser *p,
                                  const struct trawl_field *const *fields,
                                  size_t n, const struct expr_rel *rel,
                                  uint64_t max, unsigned vflags,
                                  uint16_t occ_lo, uint16_t occ_hi);
/* Looks up registry fields by name for an operand macro; reports a field
 * this build's decoders do not provide. */
bool expr_fields(struct expr_parser *p, const char *operand,
                 const char *const *names, const struct trawl_field **out,
                 size_t *n);
/* Compiles a PCRE2 pattern into t->re / t->md (JIT when available). */
bool expr_regex(struct expr_parser *p, struct expr_test *t,
                const struct expr_item *it, bool caseless);

/* ---- operands (operand.c) ----------------------------------------------- */

enum {
    EXPR_OPF_BARE_VALUE = 1, /* `src 10.0.0.0/24`: a value with no operator */
    EXPR_OPF_ORDERED = 2,    /* < <= > >= allowed */
    EXPR_OPF_TRUTH = 4,      /* bare use means `== 1` (badCRC) */
};

/* Which occurrences of an operand's fields count: all of them, only the
 * outermost (outervlan, qosVlanPcp), or all but the outermost (innervlan). */
enum expr_occ { EXPR_OCC_EVERY = 0, EXPR_OCC_OUTER, EXPR_OCC_INNER };

struct expr_operand;
typedef struct expr_node *(*expr_expand_fn)(struct expr_parser *p,
                                            const struct expr_operand *op,
                                            const struct expr_rel *rel);
typedef struct expr_node *(*expr_item_fn)(struct expr_parser *p,
                                          const struct expr_operand *op,
                                          const struct expr_item *it);

/* One Allegro / Polycube operand: a macro over registry fields. */
struct expr_operand {
    const char *name;
    const char *syntax;  /* the values it takes, for messages and docs */
    const char *example; /* a whole expression using it */
    unsigned flags;
    /* Used bare, it tests for this protocol (`ip`, `vlan`, `mpls`). */
    const char *bare_proto;
    /* Non-NULL: trawl cannot evaluate it yet, and this says what it needs
     * ("layer-7 protocol detection"). */
    const char *needs;
    /* Either builds the tests of a whole relation, or of one value (the
     * values of a list are then OR'ed). */
    expr_expand_fn expand;
    expr_item_fn item;
    /* Data for the generic expanders: fields read (in packet order), the
     * occurrences that count, the largest value, whether none/any apply,
     * and a small parameter (which side `src`/`dst` test). */
    const char *fields[EXPR_MAX_FIELDS + 1];
    enum expr_occ occ;
    uint64_t max;
    bool none_any;
    int arg;
};

extern const struct expr_operand expr_operands[];
extern const size_t expr_noperands;

const struct expr_operand *expr_operand_lookup(const char *name, size_t n);
/* The tests of `op` (== or an ordering operator) against rel's values. */
struct expr_node *expr_operand_expand(struct expr_parser *p,
                                      const struct expr_operand *op,
                                      const struct expr_rel *rel);

/* ---- the compiled expression (compile.c) -------------------------------- */

struct expr_pcap;

struct trawl_expr {
    enum trawl_expr_reading reading;
    char *text;
    struct trawl_expr_options opt;
    struct expr_arena arena;

    /* trawl reading */
    struct expr_node *root;
    struct expr_test **tests; /* in the arena */
    uint32_t ntests;
    size_t captests;
    struct expr_insn *prog;
    uint32_t nprog;

    /* pcap-filter reading, and why the trawl reading was refused */
    struct expr_pcap *pcap;
    char *trawl_err;

    /* The offline pre-filter (prefilter.c), made at the first whole
     * Ethernet packet (pre_tried); NULL when there is none. Owned by the
     * expression. */
    struct expr_pre *pre;
    bool pre_tried;
};

/* Flattens e->root into e->prog. */
int expr_codegen(struct trawl_expr *e, char *err, size_t errlen);

/* Whether e is false on every packet whose layers are all of the
 * protocols in `present` (a bit per enum decode_proto_id): what the trace
 * need not decode (compile.c). */
bool expr_false_on_layers(const trawl_expr *e, uint64_t present);

/* ---- evaluation (eval.c) ------------------------------------------------ */

bool expr_eval_test(const struct expr_test *t, trawl_view *v);

/* ---- pcap-filter reading (pcap.c) --------------------------------------- */

/* Compiles `text` with libpcap for the options' link type (Ethernet when
 * unknown, to check the syntax); fills *out. Returns 0 or TRAWL_EEXPR with
 * libpcap's message. */
int expr_pcap_new(struct expr_pcap **out, const char *text,
                  const struct trawl_expr_options *opt, char *err,
                  size_t errlen);
void expr_pcap_free(struct expr_pcap *pc);
bool expr_pcap_match(struct expr_pcap *pc, const struct trawl_pkt *pkt);
const char *expr_pcap_error(const struct expr_pcap *pc);
/* Whether libpcap accepts `text` (for explain's "also valid pcap-filter"). */
bool expr_pcap_valid(const char *text, const struct trawl_expr_options *opt,
                     char *err, size_t errlen);
/* libpcap says "syntax error", never where. When err (its message for
 * `text`) says that, appends the longest run of the text's first words
 * libpcap accepts and the column where the rest begins. Each word tried
 * is one compilation, so texts of more than 64 words are left as they
 * are. */
void expr_pcap_error_place(const char *text,
                           const struct trawl_expr_options *opt, char *err,
                           size_t errlen);

/* ---- the kernel part (kernel.c) ------------------------------------------ */

/* A field with a pcap-filter translation, and where a plain Ethernet frame
 * holds it: `n` places of `size` bytes at `off` from the frame's start, or
 * from the transport header's when l4 (the IP protocol, 6, 17 or 132) is
 * set; l3 is 4 or 6 for fields of an IPv4 or IPv6 frame, 0 for any. */
struct expr_kfield {
    const char *field, *words;
    uint8_t l3, l4, size, n;
    uint8_t off[2];
};

/* The translated field named `name`, or NULL. */
const struct expr_kfield *expr_kernel_field(const char *name);
/* Whether test `t` has a translation in the kernel part. */
bool expr_kernel_translates(const struct expr_test *t);

/* ---- evaluation (eval.c) ------------------------------------------------- */

/* Whether x is in one of the ranges of test t (EXPR_C_UINT); whether the
 * address x (t->addr_len bytes) satisfies t's comparison (EXPR_C_ADDR).
 * Both before t->negate. */
bool expr_in_range_u(const struct expr_test *t, uint64_t x);
bool expr_pred_addr(const struct expr_test *t, const uint8_t *x);

/* ---- the offline pre-filter (prefilter.c) ------------------------------- */

struct expr_pre;

enum expr_pre_verdict {
    EXPR_PRE_UNDECIDED, /* evaluate the expression */
    EXPR_PRE_REJECT,    /* cannot match: need not be decoded */
    EXPR_PRE_ACCEPT,    /* matches, decided over the bytes alone */
};

/* What the kernel part of trawl-reading expression `e` says of the
 * packet: REJECT when it rejects it; ACCEPT when every test is translated
 * and the frame is plain with whole headers, so that the kernel part is
 * exact and passes it; UNDECIDED otherwise, or where it does not apply
 * (not Ethernet, cut by the snapshot length, no kernel part,
 * TRAWL_NO_PREFILTER set, resting). */
enum expr_pre_verdict expr_prefilter(trawl_expr *e,
                                     const struct trawl_pkt *pkt);
void expr_prefilter_free(struct expr_pre *pre);

/* ---- explain (explain.c) ------------------------------------------------ */

/* A sink for explain: a FILE, or a buffer that counts what it wanted. */
struct expr_out {
    FILE *f;
    char *buf;
    size_t len, pos;
};
void expr_printf(struct expr_out *o, const char *fmt, ...) TRAWL_PRINTF(2, 3);
/* Describes test `t` as an expression ("tcp.port in {80, 443}"). */
void expr_describe_test(struct expr_out *o, const struct expr_test *t);
void expr_pcap_explain(struct expr_pcap *pc, struct expr_out *o);

#endif
