/* gen/tx — handing frames to the kernel: an AF_PACKET socket bound to one
 * interface, bypassing the queueing discipline, with a TX ring
 * (PACKET_TX_RING, TPACKET_V2) or batches of sendmmsg(2). The generator
 * writes each frame straight into a slot the backend owns, so nothing is
 * copied or allocated per frame in user space. Internal to libtrawl.
 */
#ifndef TRAWL_GEN_TX_H
#define TRAWL_GEN_TX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gen_tx_method {
    GEN_TX_RING = 1,
    GEN_TX_SENDMMSG,
};

struct gen_tx_stats {
    uint64_t sent;   /* frames the kernel has taken */
    uint64_t bytes;  /* their bytes */
    uint64_t errors; /* frames it refused */
};

struct gen_tx;

/* Opens the socket on interface `ifindex` (named `ifname` in messages)
 * for frames of up to max_len bytes. */
int gen_tx_open(struct gen_tx **out, int ifindex, const char *ifname,
                enum gen_tx_method method, uint32_t max_len, char *errbuf,
                size_t errlen);

/* A slot for the next frame (max_len bytes), or NULL when every slot is
 * waiting for the kernel. *holds_static says the slot still holds the
 * frame last committed to it with is_static set. */
uint8_t *gen_tx_slot(struct gen_tx *t, bool *holds_static);

/* Queues the frame just written into the slot gen_tx_slot() returned. */
void gen_tx_commit(struct gen_tx *t, uint32_t len, bool is_static);

/* Hands every queued frame to the kernel. Returns 0 when it took them
 * all, 1 when it pushed back (wait for gen_tx_fd() to be writable, or a
 * little, and flush again), or a negative code when sending failed for
 * good (the interface went down or away). */
int gen_tx_flush(struct gen_tx *t, char *errbuf, size_t errlen);

/* Collects the frames the kernel has finished with into the statistics
 * and frees their slots. */
void gen_tx_reap(struct gen_tx *t);

/* A slot is free (after gen_tx_reap()). */
bool gen_tx_has_room(const struct gen_tx *t);

/* Nothing queued or in the kernel's hands. */
bool gen_tx_idle(const struct gen_tx *t);

int gen_tx_fd(const struct gen_tx *t);
const struct gen_tx_stats *gen_tx_stats(const struct gen_tx *t);
const char *gen_tx_method_name(enum gen_tx_method m);

void gen_tx_close(struct gen_tx *t);

#endif
