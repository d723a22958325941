/* libFuzzer target: arbitrary bytes as a trace file. Reads every packet,
 * seeks back to a few of them and reads again, checking that a re-read
 * packet is the same. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "trawl/trawl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    int fd = memfd_create("fuzz", 0);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    const char *paths[] = {path};
    char err[TRAWL_ERRBUF_SIZE];
    trawl_reader *r;
    if (trawl_reader_open(&r, paths, 1, NULL, err, sizeof err) == 0) {
        struct trawl_pkt p;
        uint64_t n = 0, len3 = 0;
        int rc;
        while ((rc = trawl_reader_next(r, &p, err, sizeof err)) > 0) {
            if (n == 3)
                len3 = p.caplen;
            n++;
        }
        if (n > 3 && trawl_reader_seek(r, 3, err, sizeof err) == 0 &&
            trawl_reader_next(r, &p, err, sizeof err) == 1) {
            if (p.caplen != len3 || p.index != 3)
                __builtin_trap();
        }
        for (size_t i = 0; i < trawl_reader_iface_count(r); i++)
            (void)trawl_reader_iface(r, (uint32_t)i);
        trawl_reader_close(r);
    }
    close(fd);
    return 0;
}
