/* libFuzzer target: arbitrary bytes as one packet. The first byte picks a
 * link type; the packet is decoded fully, every layer walked and every
 * field of the registry extracted and formatted. */
#include <stdint.h>
#include <string.h>

#include "trawl/trawl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int linktypes[] = {1, 0, 101, 108, 113, 228, 229, 276};

static bool visit(void *ctx, const trawl_field *f,
                  const struct trawl_value *val) {
    char buf[256];
    trawl_value_format(f, val, buf, sizeof buf);
    trawl_value_describe(f, val, buf, sizeof buf);
    (*(size_t *)ctx)++;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    static trawl_view *v;
    if (!v)
        v = trawl_view_new();
    struct trawl_pkt p = {0};
    p.linktype = linktypes[data[0] % (sizeof linktypes / sizeof linktypes[0])];
    p.data = data + 1;
    p.caplen = p.len = (uint32_t)(size - 1);
    trawl_view_set(v, &p);
    size_t n = 0;
    size_t layers = trawl_view_layer_count(v);
    for (size_t i = 0; i < layers; i++) {
        struct trawl_layer_info li;
        if (!trawl_view_layer(v, i, &li) || li.offset + li.length > p.caplen)
            __builtin_trap();
        trawl_view_layer_fields(v, i, visit, &n);
    }
    for (size_t i = 0; i < trawl_field_count(); i++)
        trawl_view_field_each(v, trawl_field_at(i), visit, &n);
    const char *names[8];
    trawl_view_anomalies(v, names, 8);
    return 0;
}
