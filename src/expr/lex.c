/* The lexer: cuts an expression into tokens.
 *
 * Values are not typed here. An unquoted value is one word of the
 * characters names and values are made of (letters, digits, `_ . : / + -`),
 * so `10.0/16`, `ff02::1:3`, `12:34:56:78:90:ab`, `100-120` and `syn+ack`
 * are single words that the parser reads in the type of the field they
 * are compared with. Keywords and operator symbols come from one table.
 */
#include <ctype.h>
#include <strings.h>

#include "expr/expr.h"

/* Longer symbols first within a family is not needed: the lexer takes the
 * longest symbol that matches. */
const struct expr_keyword expr_keywords[] = {
    {"and", TOK_AND, true},         {"&&", TOK_AND, false},
    {"or", TOK_OR, true},           {"||", TOK_OR, false},
    {"not", TOK_NOT, true},         {"!", TOK_NOT, false},
    {"==", TOK_EQ, false},          {"=", TOK_EQ, false},
    {"eq", TOK_EQ, true},           {"any_eq", TOK_EQ, true},
    {"!=", TOK_NE, false},          {"ne", TOK_NE, true},
    {"all_ne", TOK_NE, true},       {"===", TOK_ALL_EQ, false},
    {"all_eq", TOK_ALL_EQ, true},   {"!==", TOK_ANY_NE, false},
    {"~=", TOK_ANY_NE, false},      {"any_ne", TOK_ANY_NE, true},
    {"<", TOK_LT, false},           {"lt", TOK_LT, true},
    {"<=", TOK_LE, false},          {"le", TOK_LE, true},
    {">", TOK_GT, false},           {"gt", TOK_GT, true},
    {">=", TOK_GE, false},          {"ge", TOK_GE, true},
    {"&", TOK_BITAND, false},       {"bitand", TOK_BITAND, true},
    {"in", TOK_IN, true},           {"contains", TOK_CONTAINS, true},
    {"matches", TOK_MATCHES, true}, {"~", TOK_MATCHES, false},
    {"any", TOK_ANY, true},         {"all", TOK_ALL, true},
    {"re", TOK_RE, true},           {"(", TOK_LPAREN, false},
    {")", TOK_RPAREN, false},       {"[", TOK_LBRACK, false},
    {"]", TOK_RBRACK, false},       {"{", TOK_LBRACE, false},
    {"}", TOK_RBRACE, false},       {",", TOK_COMMA, false},
};
const size_t expr_nkeywords = TRAWL_ARRAY_LEN(expr_keywords);

const char *expr_tok_name(enum expr_tok t) {
    switch (t) {
    case TOK_END: return "the end of the expression";
    case TOK_WORD: return "a name or a value";
    case TOK_STRING: return "a string";
    default: break;
    }
    for (size_t i = 0; i < expr_nkeywords; i++)
        if (expr_keywords[i].tok == t)
            return expr_keywords[i].text;
    return "?";
}

static bool is_word_char(unsigned char c) {
    return isalnum(c) || c == '_' || c == '.' || c == ':' || c == '/' ||
           c == '+' || c == '-';
}

/* Typographic quotes users paste from the Allegro manual: U+201C/U+201D
 * (and U+201E) for double, U+2018/U+2019 for single. Returns the byte
 * length of the quote at s (3) and its family ('"' or '\''), or 0. */
static size_t typo_quote(const char *s, size_t left, char *family) {
    if (left < 3 || (unsigned char)s[0] != 0xe2 || (unsigned char)s[1] != 0x80)
        return 0;
    switch ((unsigned char)s[2]) {
    case 0x9c:
    case 0x9d:
    case 0x9e: *family = '"'; return 3;
    case 0x98:
    case 0x99: *family = '\''; return 3;
    default: return 0;
    }
}

/* Length of the quote character at s closing a string of `family`, or 0.
 * A typographic string closes with either typographic quote of its family,
 * since people and word processors mix them. */
static size_t closing_quote(const char *s, size_t left, char family,
                            bool typographic) {
    if (!typographic)
        return left && *s == family ? 1 : 0;
    char fam;
    size_t q = typo_quote(s, left, &fam);
    return q && fam == family ? q : 0;
}

/* Resolves one escape at s[i] == '\\' into *out; returns the bytes used.
 * Escapes other than these keep their backslash, so that a regular
 * expression written in a plain string (re('\d+')) reaches PCRE2 intact. */
static size_t unescape(const char *s, size_t i, size_t end, char *out,
                       size_t *olen) {
    if (i + 1 >= end) {
        out[(*olen)++] = '\\';
        return 1;
    }
    char c = s[i + 1];
    static const char from[] = "abfnrtv\\\"'";
    static const char to[] = "\a\b\f\n\r\t\v\\\"'";
    const char *k = strchr(from, c);
    if (k && c) {
        out[(*olen)++] = to[k - from];
        return 2;
    }
    if (c == 'x' && i + 2 < end && core_hexval((unsigned char)s[i + 2]) >= 0) {
        int v = core_hexval((unsigned char)s[i + 2]);
        size_t used = 3;
        if (i + 3 < end && core_hexval((unsigned char)s[i + 3]) >= 0) {
            v = v * 16 + core_hexval((unsigned char)s[i + 3]);
            used = 4;
        }
        out[(*olen)++] = (char)v;
        return used;
    }
    if (c >= '0' && c <= '7') {
        int v = 0;
        size_t used = 1;
        while (used <= 3 && i + used < end && s[i + used] >= '0' &&
               s[i + used] <= '7') {
            v = v * 8 + (s[i + used] - '0');
            used++;
        }
        out[(*olen)++] = (char)(v & 0xff);
        return used;
    }
    out[(*olen)++] = '\\';
    out[(*olen)++] = c;
    return 2;
}

struct lexer {
    struct expr_arena *a;
    const char *s;
    size_t n;
    struct expr_token *toks;
    size_t ntoks, cap;
    char *err;
    size_t errlen;
};

static struct expr_token *push(struct lexer *lx, enum expr_tok kind, size_t off,
                               size_t len) {
    struct expr_token *toks =
        expr_grow(lx->a, lx->toks, lx->ntoks, &lx->cap, sizeof *toks);
    if (!toks)
        return NULL;
    lx->toks = toks;
    struct expr_token *t = &toks[lx->ntoks++];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    t->off = (uint32_t)off;
    t->len = (uint32_t)len;
    t->text = lx->s + off;
    t->tlen = (uint32_t)len;
    return t;
}

/* A string starting at `off` (the opening quote is `qlen` bytes). */
static bool lex_string(struct lexer *lx, size_t *pos, size_t qlen, char family,
                       bool typographic, bool raw) {
    size_t start = *pos, i = start + qlen;
    size_t body = i;
    bool escapes = false;
    size_t close = 0;
    while (i < lx->n) {
        if (lx->s[i] == '\\' && i + 1 < lx->n) {
            escapes = true;
            i += 2;
            continue;
        }
        close = closing_quote(lx->s + i, lx->n - i, family, typographic);
        if (close)
            break;
        i++;
    }
    if (!close) {
        core_err(lx->err, lx->errlen, TRAWL_EEXPR,
                 "unterminated string starting at column %u: expected a "
                 "closing %s",
                 (unsigned)expr_column(lx->s, start),
                 typographic ? (family == '"' ? "\u201d" : "\u2019")
                             : (family == '"' ? "\"" : "'"));
        return false;
    }
    struct expr_token *t = push(lx, TOK_STRING, start, i + close - start);
    if (!t)
        return false;
    t->text = lx->s + body;
    t->tlen = (uint32_t)(i - body);
    if (escapes) {
        char *out = expr_alloc(lx->a, i - body + 1);
        if (!out)
            return false;
        size_t olen = 0;
        for (size_t j = body; j < i;) {
            if (lx->s[j] != '\\') {
                out[olen++] = lx->s[j++];
                continue;
            }
            if (raw) {
                /* Raw strings keep every backslash; \" only stops the
                 * quote from closing the string. */
                out[olen++] = lx->s[j++];
                if (j < i)
                    out[olen++] = lx->s[j++];
                continue;
            }
            j += unescape(lx->s, j, i, out, &olen);
        }
        t->text = out;
        t->tlen = (uint32_t)olen;
    }
    *pos = i + close;
    return true;
}

/* The Allegro manual renders its MAC example as `12:34: :56:78:90:ab`;
 * people paste it, so a colon, blanks and another colon inside a word
 * read as one colon. Returns the offset after the blanks and the second
 * colon, or 0 when the text at `i` is not such a gap. */
static size_t colon_gap(const char *s, size_t i, size_t n) {
    if (i == 0 || s[i - 1] != ':' || (s[i] != ' ' && s[i] != '\t'))
        return 0;
    size_t j = i;
    while (j < n && (s[j] == ' ' || s[j] == '\t'))
        j++;
    if (j + 1 < n && s[j] == ':' && isxdigit((unsigned char)s[j + 1]))
        return j + 1;
    return 0;
}

static bool lex_word(struct lexer *lx, size_t *pos) {
    size_t start = *pos, i = start;
    bool gap = false;
    for (;;) {
        while (i < lx->n && is_word_char((unsigned char)lx->s[i]))
            i++;
        size_t g = i < lx->n ? colon_gap(lx->s, i, lx->n) : 0;
        if (!g)
            break;
        gap = true;
        i = g;
    }
    /* r"..." and r'...' are raw strings, as in Wireshark. */
    if (i == start + 1 && (lx->s[start] == 'r' || lx->s[start] == 'R') &&
        i < lx->n && (lx->s[i] == '"' || lx->s[i] == '\'')) {
        *pos = start;
        return lex_string(lx, pos, 2, lx->s[i], false, true);
    }
    struct expr_token *t = push(lx, TOK_WORD, start, i - start);
    if (!t)
        return false;
    if (gap) {
        char *w = expr_alloc(lx->a, i - start + 1);
        if (!w)
            return false;
        size_t wl = 0;
        for (size_t j = start; j < i;) {
            size_t g = colon_gap(lx->s, j, i);
            if (g) {
                j = g;
                continue;
            }
            w[wl++] = lx->s[j++];
        }
        t->text = w;
        t->tlen = (uint32_t)wl;
    }
    for (size_t k = 0; k < expr_nkeywords; k++) {
        const struct expr_keyword *kw = &expr_keywords[k];
        if (kw->word && strlen(kw->text) == t->tlen &&
            strncasecmp(kw->text, t->text, t->tlen) == 0) {
            t->kind = kw->tok;
            t->keyword = true;
            break;
        }
    }
    *pos = i;
    return true;
}

static void stray(struct lexer *lx, size_t i) {
    unsigned char c = (unsigned char)lx->s[i];
    unsigned col = expr_column(lx->s, i);
    if (c >= 0x20 && c < 0x7f) {
        const char *hint = c == '|'   ? " (did you mean '||'?)"
                           : c == '#' ? " (layer selectors are not supported)"
                                      : "";
        core_err(lx->err, lx->errlen, TRAWL_EEXPR,
                 "unexpected character '%c' at column %u%s", c, col, hint);
        return;
    }
    size_t clen = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    bool valid = clen > 1 && i + clen <= lx->n;
    for (size_t k = 1; valid && k < clen; k++)
        valid = ((unsigned char)lx->s[i + k] & 0xc0) == 0x80;
    if (valid)
        core_err(lx->err, lx->errlen, TRAWL_EEXPR,
                 "unexpected character '%.*s' at column %u", (int)clen,
                 lx->s + i, col);
    else
        core_err(lx->err, lx->errlen, TRAWL_EEXPR,
                 "unexpected byte 0x%02x at column %u", c, col);
}

size_t expr_lex(struct expr_arena *a, const char *text, size_t len,
                struct expr_token **out, char *err, size_t errlen) {
    struct lexer lx = {
        .a = a, .s = text, .n = len, .err = err, .errlen = errlen};
    if (err && errlen)
        err[0] = '\0';
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)text[i];
        if (isspace(c)) {
            i++;
            continue;
        }
        char family;
        size_t q = typo_quote(text + i, len - i, &family);
        bool ok;
        if (q)
            ok = lex_string(&lx, &i, q, family, true, false);
        else if (c == '"' || c == '\'')
            ok = lex_string(&lx, &i, 1, (char)c, false, false);
        else if (is_word_char(c))
            ok = lex_word(&lx, &i);
        else {
            size_t best = 0, bestk = 0;
            for (size_t k = 0; k < expr_nkeywords; k++) {
                const struct expr_keyword *kw = &expr_keywords[k];
                size_t kl = strlen(kw->text);
                if (!kw->word && kl > best && kl <= len - i &&
                    memcmp(kw->text, text + i, kl) == 0) {
                    best = kl;
                    bestk = k;
                }
            }
            if (!best) {
                stray(&lx, i);
                return 0;
            }
            ok = push(&lx, expr_keywords[bestk].tok, i, best) != NULL;
            i += best;
        }
        if (!ok) {
            if (!err || !*err)
                core_err(err, errlen, TRAWL_ENOMEM,
                         "expression too large to compile");
            return 0;
        }
    }
    if (!push(&lx, TOK_END, len, 0)) {
        core_err(err, errlen, TRAWL_ENOMEM, "expression too large to compile");
        return 0;
    }
    /* Columns in one pass: counting from the start for every token would
     * be quadratic in the length of the text. */
    uint32_t col = 1;
    size_t at = 0;
    for (size_t k = 0; k < lx.ntoks; k++) {
        for (; at < lx.toks[k].off; at++)
            if (((unsigned char)text[at] & 0xc0) != 0x80)
                col++;
        lx.toks[k].col = col;
    }
    *out = lx.toks;
    return lx.ntoks;
}
