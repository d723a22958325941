/* sink/name — output file names: a strftime(3) template expanded at a
 * file's time, an index suffix for a name that is taken, and the checks
 * that keep a name inside the directory it is confined to. Pure string
 * work: nothing here touches the file system. */
#ifndef TRAWL_SINK_NAME_H
#define TRAWL_SINK_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest name an output builds (a path relative to its directory). */
#define SINK_NAME_MAX 4096

/* Whether the template has a conversion (anything but "%%"), i.e. names
 * that change with time. */
bool sink_name_has_time(const char *tmpl);

/* Expands the template at `sec` (seconds since the epoch, local time as
 * strftime sees it) into buf. Returns 0, or a negative code with a message
 * naming the template when the result is empty or does not fit. */
int sink_name_expand(const char *tmpl, int64_t sec, char *buf, size_t len,
                     char *err, size_t errlen);

/* The name with index `n` (n >= 1) before its extension: the suffix goes
 * before the last '.' of the last component that is not its first
 * character ("cap.pcap" -> "cap_3.pcap", "a.b/cap" -> "a.b/cap_3",
 * ".pcap" -> ".pcap_3"). Returns 0, or TRAWL_ERANGE when it does not fit. */
int sink_name_with_index(const char *name, uint64_t n, char *buf, size_t len);

/* Refuses a name that would leave a directory it is confined to: an
 * absolute path, a ".." component, or an empty component ("a//b", a
 * trailing "/"). Returns 0 or TRAWL_EINVAL with a message. */
int sink_name_check_confined(const char *name, char *err, size_t errlen);

#endif
