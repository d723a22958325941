/* -T fields: one line per packet, the values of the -e fields in order,
 * exactly as `tshark -T fields` prints them, formatted straight into the
 * output buffer. */
#include "cli/print.h"

void print_fields_header(struct pbuf *out, const struct print_fields *pf) {
    if (pf->bom)
        pbuf_puts(out, "\xef\xbb\xbf");
    for (size_t i = 0; i < pf->nfields; i++) {
        if (i)
            pbuf_putc(out, pf->separator);
        pbuf_puts(out, pf->names[i]);
    }
    pbuf_putc(out, '\n');
}

struct fields_ctx {
    struct pbuf *b;
    const struct print_fields *pf;
    size_t start; /* where this field's first value starts */
    unsigned count;
};

static bool add_value(void *ctx, const trawl_field *f,
                      const struct trawl_value *val) {
    struct fields_ctx *c = ctx;
    const struct print_fields *pf = c->pf;
    if (c->count == 0) {
        if (pf->quote)
            pbuf_putc(c->b, pf->quote);
        c->start = c->b->len;
    } else if (pf->occurrence == 'a') {
        pbuf_putc(c->b, pf->aggregator);
    } else {
        c->b->len = c->start; /* 'l': the later value replaces */
    }
    pbuf_value(c->b, f, val);
    c->count++;
    return pf->occurrence != 'f';
}

void print_fields(struct pbuf *out, trawl_view *v,
                  const struct print_fields *pf) {
    for (size_t i = 0; i < pf->nfields; i++) {
        if (i)
            pbuf_putc(out, pf->separator);
        struct fields_ctx c = {out, pf, out->len, 0};
        trawl_view_field_each(v, pf->fields[i], add_value, &c);
        /* tshark quotes values, not the emptiness of an absent field. */
        if (c.count && pf->quote)
            pbuf_putc(out, pf->quote);
    }
    pbuf_putc(out, '\n');
}
