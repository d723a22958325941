/* -x / -X: the captured bytes in tshark -x's layout — a 4-digit hex
 * offset, two spaces, 16 bytes in hex, and with -X three spaces and the
 * printable characters ('.' for the others). */
#include <stdio.h>

#include "cli/print.h"

void print_hex(struct pbuf *out, const struct trawl_pkt *pkt, bool ascii) {
    static const char hex[] = "0123456789abcdef";
    enum { HEX_COLS = 16 * 3 - 1 };
    for (uint32_t off = 0; off < pkt->caplen; off += 16) {
        /* offset (up to 8 digits) + 2 + 47 + 3 + 16 + newline */
        if (!pbuf_reserve(out, 80))
            return;
        char *line = out->p + out->len;
        size_t k = (size_t)snprintf(line, 16, "%04x  ", off);
        uint32_t n = pkt->caplen - off < 16 ? pkt->caplen - off : 16;
        const uint8_t *p = pkt->data + off;
        for (uint32_t i = 0; i < n; i++) {
            if (i)
                line[k++] = ' ';
            line[k++] = hex[p[i] >> 4];
            line[k++] = hex[p[i] & 15];
        }
        if (ascii) {
            size_t pad = HEX_COLS - (n * 3 - 1) + 3;
            for (size_t i = 0; i < pad; i++)
                line[k++] = ' ';
            for (uint32_t i = 0; i < n; i++)
                line[k++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
        }
        line[k++] = '\n';
        out->len += k;
    }
    pbuf_putc(out, '\n');
}
