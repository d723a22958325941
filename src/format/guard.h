/* format/guard — a small process that outlives a writer killed with
 * SIGKILL and cuts the writer's file back to its last whole record.
 *
 * No ordering of write(), O_DIRECT pwrite() and ftruncate() keeps a pcap
 * file whole across a kill at any instant: an O_DIRECT write that extends a
 * file sets its size to the end of the last page written, which is rarely
 * the end of a record, and a buffered write is cut between two pages. What
 * the kernel does promise is that a killed process's writes are over (an
 * O_DIRECT write is waited for uninterruptibly; a buffered one stops
 * between folios) before its descriptors are closed. So a guard, started
 * when the file is opened, reads from a pipe whose write end only the
 * writer holds. The writer sends it, after each write, the offset up to
 * which the file is whole records; when the pipe ends (a normal close, or
 * the death of the writer's process) the guard walks the records from the
 * last such offset to the end of the file and truncates the file after the
 * last whole one. Walking makes the guard exact: a write that completed
 * but was not yet reported loses nothing.
 *
 * The guard is the writer's own program executed again (/proc/self/exe)
 * with TRAWL_GUARD in its environment: libtrawl's constructor sees the
 * variable and runs the guard instead of the program. A fresh program
 * shares no memory with the writer, so a guard costs a few hundred
 * kilobytes whatever the size of the process it watches (a fork would keep
 * every page the writer later changes). It runs in its own process group
 * and ignores terminal signals, so Ctrl-C and `kill -9 -PGID` leave it
 * alone; only a SIGKILL to the guard itself defeats it. A program that
 * loads libtrawl only after it starts (an interpreter importing it as a
 * module) cannot become a guard: executed again it runs as itself, with
 * standard input and output on /dev/null, and its files go unguarded.
 *
 * The writer holds flock(LOCK_EX) on the file, through the open file
 * description it shares with its guard, so the lock is released only when
 * both are done: `flock -s FILE true` waits until the file is final, after
 * a kill -9 too. */
#ifndef TRAWL_FORMAT_GUARD_H
#define TRAWL_FORMAT_GUARD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum guard_format {
    GUARD_PCAP,   /* a 24-byte file header, then 16-byte headers + data */
    GUARD_PCAPNG, /* blocks that carry their total length at offset 4 */
};

struct format_guard {
    pid_t pid;  /* 0 = no guard */
    int pipe_w; /* closing it ends the guard */
};

/* Starts the guard of `fd`, a regular file written from offset 0 in
 * little-endian records of format `fmt`. Returns 0, or a negative code
 * with the reason in err (g is then left without a guard). */
int guard_start(struct format_guard *g, int fd, enum guard_format fmt,
                char *err, size_t errlen);

/* Tells the guard that the first `off` bytes of the file are whole
 * records. Never blocks: when the pipe is full the guard walks from an
 * earlier offset. */
void guard_publish(struct format_guard *g, uint64_t off);

/* Ends the guard once the file ends in whole records, and reaps it. */
void guard_stop(struct format_guard *g);

/* The end of the last whole record of fd, whose first `from` bytes are
 * known to be whole records, within its first `size` bytes: the offset
 * to truncate to. Exposed for the unit tests. */
uint64_t guard_whole_end(int fd, enum guard_format fmt, uint64_t from,
                         uint64_t size);

#endif
