/* libFuzzer target: arbitrary bytes as one packet.
 *
 * Input layout: byte 0 says how the packet was captured: its low four
 * bits pick the link type among those trawl decodes (modulo the table
 * below), bit 4 says the capture was cut by a snap length (the wire
 * length exceeds the captured one), bit 5 that a 4-byte FCS ends the
 * packet. The rest is the packet.
 *
 * The packet is decoded twice, and the two must agree:
 *   - lazily: every field of the registry asked for in turn on a fresh
 *     view, each decoding only as deep as it needs;
 *   - fully: all layers first, then every field again, and every layer's
 *     own fields.
 * Every value is formatted for -T fields and for -V, into a roomy buffer
 * and into a tiny one (which must hold a NUL-terminated prefix and report
 * the length it wanted). Layers must lie inside the captured bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/trawl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int linktypes[] = {
    1,   /* Ethernet */
    0,   /* BSD null */
    101, /* raw IP */
    108, /* OpenBSD loop */
    113, /* Linux cooked v1 */
    228, /* raw IPv4 */
    229, /* raw IPv6 */
    276, /* Linux cooked v2 */
    12,  /* raw IP as some BSDs number it */
    147, /* a link type trawl does not decode: all data */
};

struct walk {
    uint64_t hash; /* of every value formatted, in order */
    size_t count;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static bool visit(void *ctx, const trawl_field *f,
                  const struct trawl_value *val) {
    struct walk *w = ctx;
    /* Bytes fields of a jumbo packet format to 3 characters a byte. */
    static char big[3 * 262144 + 64];
    char tiny[4];
    size_t n = trawl_value_format(f, val, big, sizeof big);
    if (n >= sizeof big || strlen(big) != n)
        __builtin_trap();
    size_t m = trawl_value_format(f, val, tiny, sizeof tiny);
    if (m != n || tiny[sizeof tiny - 1 < n ? sizeof tiny - 1 : n] != '\0' ||
        strncmp(tiny, big, sizeof tiny - 1) != 0)
        __builtin_trap();
    w->hash = fnv(w->hash, trawl_field_name(f), strlen(trawl_field_name(f)));
    w->hash = fnv(w->hash, big, n + 1);
    n = trawl_value_describe(f, val, big, sizeof big);
    if (n >= sizeof big || strlen(big) != n)
        __builtin_trap();
    (void)trawl_value_describe(f, val, tiny, sizeof tiny);
    w->count++;
    return true;
}

/* Every field of the registry, in registry order. */
static void all_fields(trawl_view *v, struct walk *w) {
    for (size_t i = 0; i < trawl_field_count(); i++) {
        const trawl_field *f = trawl_field_at(i);
        size_t before = w->count;
        size_t n = trawl_view_field_each(v, f, visit, w);
        if (n != w->count - before)
            __builtin_trap();
        /* The first occurrence is what trawl_view_field() returns. */
        struct trawl_value first;
        if (trawl_view_field(v, f, &first) != (n > 0))
            __builtin_trap();
    }
}

static void check_registry(void) {
    static bool done;
    if (done)
        return;
    done = true;
    for (size_t i = 0; i < trawl_field_count(); i++) {
        const trawl_field *f = trawl_field_at(i);
        if (!f || trawl_field_lookup(trawl_field_name(f)) != f ||
            !trawl_field_label(f) || !trawl_field_proto(f))
            __builtin_trap();
    }
    if (trawl_field_at(trawl_field_count()) != NULL)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size - 1 > TRAWL_MAX_CAPLEN)
        return 0;
    check_registry();
    static trawl_view *lazy, *full;
    if (!lazy) {
        lazy = trawl_view_new();
        full = trawl_view_new();
        if (!lazy || !full)
            abort();
    }
    /* A copy of exactly the packet's bytes, so that ASan catches a read
     * past the captured length. */
    size_t caplen = size - 1;
    uint8_t *bytes = malloc(caplen ? caplen : 1);
    if (!bytes)
        abort();
    memcpy(bytes, data + 1, caplen);

    struct trawl_pkt p = {0};
    size_t nlinktypes = sizeof linktypes / sizeof linktypes[0];
    p.linktype = linktypes[(data[0] & 0x0f) % nlinktypes];
    p.data = bytes;
    p.caplen = (uint32_t)caplen;
    p.len = (uint32_t)caplen + ((data[0] & 0x10) ? 100 : 0);
    p.fcs_len = (data[0] & 0x20) ? 4 : 0;
    p.ts_sec = 1700000000;

    struct walk a = {0xcbf29ce484222325ull, 0};
    trawl_view_set(lazy, &p);
    all_fields(lazy, &a);

    struct walk b = {0xcbf29ce484222325ull, 0};
    trawl_view_set(full, &p);
    size_t layers = trawl_view_layer_count(full);
    if (layers < 1)
        __builtin_trap();
    all_fields(full, &b);
    if (a.hash != b.hash || a.count != b.count)
        __builtin_trap();

    struct walk c = {0xcbf29ce484222325ull, 0};
    for (size_t i = 0; i < layers; i++) {
        struct trawl_layer_info li;
        if (!trawl_view_layer(full, i, &li) || !li.name || !li.title ||
            li.offset > p.caplen || li.length > p.caplen - li.offset)
            __builtin_trap();
        trawl_view_layer_fields(full, i, visit, &c);
    }
    /* Layer by layer, values are visited at most once each: fewer than
     * over the registry, which also has fields a layer of another
     * protocol answers (ip.version of an IPv6 header, as in tshark). */
    if (c.count > b.count)
        __builtin_trap();
    struct trawl_layer_info li;
    if (trawl_view_layer(full, layers, &li))
        __builtin_trap();
    if (trawl_view_payload_offset(full) > p.caplen)
        __builtin_trap();
    const char *names[64];
    size_t na = trawl_view_anomalies(full, names, 64);
    for (size_t i = 0; i < na && i < 64; i++)
        if (!names[i] || !trawl_field_lookup(names[i]))
            __builtin_trap();
    free(bytes);
    return 0;
}
