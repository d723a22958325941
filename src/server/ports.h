/* server/ports — Xena's port capturer over the daemon's live interfaces:
 * per port, a start and stop trigger, a keep rule with a byte count,
 * numbered filters the trigger and keep rule refer to, an on/off state,
 * statistics, and the packets of a capture buffer read by index.
 *
 * A port's capturer is a trawl_capture of its own on that interface
 * (capture.h), separate from the hub's source, with Xena's buffer
 * semantics: with an explicit stop criterion the buffer keeps the latest
 * packets, otherwise the capture stops when it is full. Its parameters can
 * be changed only while it is off; each capture runs on a driver thread,
 * which also answers reads of the buffer while it runs. */
#ifndef TRAWL_SERVER_PORTS_H
#define TRAWL_SERVER_PORTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define PORTS_MAX_FILTERS 16
/* The capture buffer when none is asked for. */
#define PORTS_BUFFER_BYTES (16u << 20)

struct ports;
struct port;

/* One port per named interface. */
int ports_new(struct ports **out, const char *const *names, size_t n,
              char *err, size_t errlen);
/* Stops every capturer and frees. */
void ports_free(struct ports *ps);
struct port *ports_find(struct ports *ps, const char *name);
json_t *ports_list(struct ports *ps);

/* Each returns 0 or a negative code with the message: TRAWL_EBUSY (409)
 * when the capturer is on and the change would alter it, TRAWL_EINVAL
 * (400) for a bad value, TRAWL_ENOENT (404) for an unknown filter or
 * packet. */
json_t *port_trigger(struct port *p);
int port_set_trigger(struct port *p, const json_t *v, char *err, size_t errlen);
json_t *port_keep(struct port *p);
int port_set_keep(struct port *p, const json_t *v, char *err, size_t errlen);

json_t *port_filters(struct port *p);
json_t *port_filter(struct port *p, unsigned n, char *err, size_t errlen);
int port_set_filter(struct port *p, unsigned n, const char *expression,
                    char *err, size_t errlen);
int port_del_filter(struct port *p, unsigned n, char *err, size_t errlen);

json_t *port_state(struct port *p);
/* {"on_off": "START" | "STOP", "buffer_bytes": N (optional)} */
int port_set_state(struct port *p, const json_t *v, char *err, size_t errlen);
json_t *port_stats(struct port *p);

/* Packets [from, from + count) of the buffer, without their bytes. */
json_t *port_packets(struct port *p, uint64_t from, uint64_t count, char *err,
                     size_t errlen);
/* Packet i with its bytes in hex. */
json_t *port_packet(struct port *p, uint64_t i, char *err, size_t errlen);

#endif
