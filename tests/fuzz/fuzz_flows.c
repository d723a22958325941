/* libFuzzer target: a sequence of TCP and UDP segments of a few
 * connections fed to RPC flows (the reassembler and the call table),
 * every packet's view then decoded and every field formatted.
 *
 * Input layout, repeated: a 6-byte header, then the payload.
 *   byte 0  bit 0: direction (0 client to server, 1 back)
 *           bit 1: UDP instead of TCP
 *           bits 2-4: SYN, FIN, RST
 *           bits 5-6: which of four client ports (four connections)
 *           bit 7: the capture cut the packet (16 bytes short)
 *   bytes 1-2  sequence number relative to the next one expected in that
 *              direction (signed: retransmissions, holes, reordering)
 *   byte 3     acknowledgment relative to the peer's next (signed)
 *   bytes 4-5  payload length (what is left when the input is shorter)
 * The server side is port 2049, so every stream is taken for RPC.
 *
 * Limits are small (two connections, 64 KiB records, 256 KiB in all, 64
 * calls) so that eviction and refusal are reached. Half way through, the
 * flows are copied; the copy and the original are then fed the same
 * packets and must give the same views. Layers must lie inside the packet
 * or inside their reassembled record, and the flows must not hold more
 * than their limit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/trawl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { HDR = 6, MAX_PAYLOAD = 65000, MAX_PACKETS = 256 };

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static bool visit(void *ctx, const trawl_field *f,
                  const struct trawl_value *val) {
    uint64_t *h = ctx;
    char buf[1024];
    size_t n = trawl_value_format(f, val, buf, sizeof buf);
    *h = fnv(*h, trawl_field_name(f), strlen(trawl_field_name(f)));
    *h = fnv(*h, buf, n < sizeof buf ? n : sizeof buf - 1);
    n = trawl_value_describe(f, val, buf, sizeof buf);
    (void)n;
    return true;
}

static bool visit_tree(void *ctx, const trawl_field *f,
                       const struct trawl_value *val, unsigned depth) {
    (void)depth;
    return visit(ctx, f, val);
}

/* Every layer and every field of the view: a hash of what it shows. */
static uint64_t walk(trawl_view *v, uint32_t caplen) {
    uint64_t h = 0xcbf29ce484222325ull;
    size_t layers = trawl_view_layer_count(v);
    for (size_t i = 0; i < layers; i++) {
        struct trawl_layer_info li;
        if (!trawl_view_layer(v, i, &li))
            __builtin_trap();
        if (!li.reassembled &&
            (li.offset > caplen || li.length > caplen - li.offset))
            __builtin_trap();
        h = fnv(h, li.name, strlen(li.name));
        trawl_view_layer_fields(v, i, visit, &h);
        trawl_view_layer_tree(v, i, visit_tree, &h);
    }
    /* The fields the flows change, through the registry's walk too;
     * which they are is found once (asking on every packet of every input
     * was most of the target's time). */
    static const trawl_field **matter;
    static size_t nmatter;
    if (!matter) {
        size_t n = trawl_field_count();
        matter = calloc(n ? n : 1, sizeof *matter);
        if (!matter)
            abort();
        for (size_t i = 0; i < n; i++)
            if (trawl_flows_field_matters(trawl_field_at(i)))
                matter[nmatter++] = trawl_field_at(i);
    }
    for (size_t i = 0; i < nmatter; i++)
        trawl_view_field_each(v, matter[i], visit, &h);
    const char *names[64];
    size_t na = trawl_view_anomalies(v, names, 64);
    for (size_t i = 0; i < na && i < 64; i++)
        h = fnv(h, names[i], strlen(names[i]));
    return h;
}

struct builder {
    uint32_t next[4][2]; /* per connection and direction */
    uint8_t frame[14 + 20 + 20 + MAX_PAYLOAD];
};

/* Builds the packet of one input record into b->frame; returns its
 * length on the wire and sets *caplen. */
static uint32_t build(struct builder *b, uint8_t kind, int16_t dseq,
                      int8_t dack, const uint8_t *payload, uint32_t n,
                      uint32_t *caplen) {
    int dir = kind & 1, udp = kind >> 1 & 1, conn = kind >> 5 & 3;
    uint8_t *p = b->frame;
    static const uint8_t mac[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
    memcpy(p, mac, 12);
    p[12] = 0x08;
    p[13] = 0x00;
    uint8_t *ip = p + 14;
    uint32_t l4len = (udp ? 8 : 20) + n;
    uint32_t total = 20 + l4len;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    ip[2] = (uint8_t)(total >> 8);
    ip[3] = (uint8_t)total;
    ip[8] = 64;
    ip[9] = udp ? 17 : 6;
    uint8_t client[4] = {10, 0, 0, 2}, server[4] = {10, 0, 0, 1};
    memcpy(ip + 12, dir ? server : client, 4);
    memcpy(ip + 16, dir ? client : server, 4);
    uint8_t *l4 = ip + 20;
    uint16_t cport = (uint16_t)(700 + conn), sport = 2049;
    uint16_t src = dir ? sport : cport, dst = dir ? cport : sport;
    l4[0] = (uint8_t)(src >> 8);
    l4[1] = (uint8_t)src;
    l4[2] = (uint8_t)(dst >> 8);
    l4[3] = (uint8_t)dst;
    if (udp) {
        l4[4] = (uint8_t)(l4len >> 8);
        l4[5] = (uint8_t)l4len;
        l4[6] = l4[7] = 0;
        memcpy(l4 + 8, payload, n);
    } else {
        uint32_t seq = b->next[conn][dir] + (uint32_t)(int32_t)dseq;
        uint32_t ack = b->next[conn][!dir] + (uint32_t)(int32_t)dack;
        uint8_t flags = 0x10; /* ACK */
        if (kind & 0x04)
            flags |= 0x02;
        if (kind & 0x08)
            flags |= 0x01;
        if (kind & 0x10)
            flags |= 0x04;
        for (int i = 0; i < 4; i++) {
            l4[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
            l4[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
        }
        l4[12] = 0x50;
        l4[13] = flags;
        l4[14] = 0xff;
        l4[15] = 0xff;
        memset(l4 + 16, 0, 4);
        memcpy(l4 + 20, payload, n);
        uint32_t end = seq + n + ((flags & 0x03) ? 1 : 0);
        if ((int32_t)(end - b->next[conn][dir]) > 0)
            b->next[conn][dir] = end;
    }
    uint32_t wire = 14 + total;
    *caplen = (kind & 0x80) && wire > 14 + 40 + 16 ? wire - 16 : wire;
    return wire;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static trawl_flows *a, *b;
    static trawl_view *va, *vb;
    static struct builder *bld;
    if (!a) {
        struct trawl_flows_options o = {.max_connections = 2,
                                        .max_record = 64 << 10,
                                        .max_bytes = 256 << 10,
                                        .max_calls = 64};
        if (trawl_flows_new(&a, &o, NULL, 0) < 0 ||
            trawl_flows_new(&b, &o, NULL, 0) < 0)
            abort();
        va = trawl_view_new();
        vb = trawl_view_new();
        bld = malloc(sizeof *bld);
        if (!va || !vb || !bld)
            abort();
    }
    trawl_flows_reset(a);
    trawl_flows_reset(b);
    for (int c = 0; c < 4; c++) {
        bld->next[c][0] = 1000u + (uint32_t)c * 100000u;
        bld->next[c][1] = 0xfffff000u + (uint32_t)c; /* wraps soon */
    }
    size_t npackets = 0;
    for (size_t at = 0; at + HDR <= size && npackets < MAX_PACKETS;) {
        npackets++;
        at += HDR + ((size_t)data[at + 4] << 8 | data[at + 5]);
    }
    size_t half = npackets / 2, k = 0;
    bool copied = false;
    const size_t max_bytes = 256u << 10;
    for (size_t at = 0; at + HDR <= size && k < MAX_PACKETS; k++) {
        uint8_t kind = data[at];
        int16_t dseq = (int16_t)(data[at + 1] << 8 | data[at + 2]);
        int8_t dack = (int8_t)data[at + 3];
        uint32_t n = (uint32_t)(data[at + 4] << 8 | data[at + 5]);
        at += HDR;
        if (n > size - at)
            n = (uint32_t)(size - at);
        if (n > MAX_PAYLOAD)
            n = MAX_PAYLOAD;
        uint32_t caplen;
        uint32_t wire = build(bld, kind, dseq, dack, data + at, n, &caplen);
        at += n;
        /* A copy of exactly the captured bytes, so that ASan sees any
         * read past them. */
        uint8_t *bytes = malloc(caplen);
        if (!bytes)
            abort();
        memcpy(bytes, bld->frame, caplen);
        struct trawl_pkt p = {.index = k, .ts_sec = 1700000000 + (int64_t)k,
                              .caplen = caplen, .len = wire, .linktype = 1,
                              .data = bytes};
        if (k == half) {
            if (trawl_flows_copy(b, a, NULL, 0) < 0)
                abort();
            copied = true;
        }
        trawl_view_set(va, &p);
        trawl_flows_feed(a, va);
        uint64_t ha = walk(va, caplen);
        if (copied) {
            trawl_view_set(vb, &p);
            trawl_flows_feed(b, vb);
            if (walk(vb, caplen) != ha)
                __builtin_trap();
        }
        struct trawl_flows_stats st;
        trawl_flows_stats(a, &st);
        if (st.bytes_held > max_bytes || st.connections > 2 ||
            st.calls > 64)
            __builtin_trap();
        free(bytes);
    }
    return 0;
}
