/* Unit tests of the writer's guard: where it cuts (a table of files), and
 * the guard process itself, after a normal end and after the death of the
 * process that started it. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/core.h"
#include "format/guard.h"
#include "trawl/packet.h"

static char err[TRAWL_ERRBUF_SIZE];

/* A file under construction: bytes appended in order. */
struct image {
    uint8_t b[8192];
    size_t len;
};

static void put_pcap_header(struct image *im) {
    memset(im->b, 0, 24);
    core_put_le32(im->b, 0xa1b2c3d4u);
    im->len = 24;
}

static void put_pcap_record(struct image *im, uint32_t caplen) {
    uint8_t *p = im->b + im->len;
    memset(p, 0, 16 + caplen);
    core_put_le32(p + 8, caplen);
    core_put_le32(p + 12, caplen);
    memset(p + 16, 0xab, caplen);
    im->len += 16 + caplen;
}

static void put_block(struct image *im, uint32_t type, uint32_t total) {
    uint8_t *p = im->b + im->len;
    memset(p, 0, total);
    core_put_le32(p, type);
    core_put_le32(p + 4, total);
    core_put_le32(p + total - 4, total);
    im->len += total;
}

static int temp_file(const struct image *im, char *path) {
    strcpy(path, "/tmp/trawl-test-guard-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, im->b, im->len), (ssize_t)im->len);
    return fd;
}

/* Where guard_whole_end cuts `im` cut to `size` bytes, walking from
 * `from`. */
static uint64_t cut(const struct image *im, enum guard_format fmt,
                    uint64_t from, size_t size) {
    char path[64];
    int fd = temp_file(im, path);
    uint64_t end = guard_whole_end(fd, fmt, from, size);
    close(fd);
    unlink(path);
    return end;
}

static void pcap_cuts(void **state) {
    (void)state;
    struct image im;
    put_pcap_header(&im);
    put_pcap_record(&im, 60);  /* 24 .. 100 */
    put_pcap_record(&im, 0);   /* 100 .. 116 */
    put_pcap_record(&im, 300); /* 116 .. 432 */
    static const struct {
        size_t size;
        uint64_t from, want;
    } t[] = {
        {0, 0, 0},     {10, 0, 0},     {24, 0, 24},    {30, 0, 24},
        {99, 0, 24},   {100, 0, 100},  {115, 0, 100},  {116, 0, 116},
        {431, 0, 116}, {432, 0, 432},  {432, 100, 432}, {300, 116, 116},
        {432, 116, 432},
    };
    for (size_t i = 0; i < TRAWL_ARRAY_LEN(t); i++)
        assert_int_equal(cut(&im, GUARD_PCAP, t[i].from, t[i].size),
                         t[i].want);
    /* The filler an O_DIRECT write leaves before its truncation: a header
     * claiming more than the file holds. */
    uint8_t *f = im.b + im.len;
    memset(f, 0, 100);
    core_put_le32(f + 8, TRAWL_MAX_CAPLEN);
    im.len += 100;
    assert_int_equal(cut(&im, GUARD_PCAP, 100, im.len), 432);
    /* A captured length no reader accepts ends the walk too. */
    core_put_le32(f + 8, TRAWL_MAX_CAPLEN + 1);
    assert_int_equal(cut(&im, GUARD_PCAP, 0, im.len), 432);
}

static void pcapng_cuts(void **state) {
    (void)state;
    struct image im = {.len = 0};
    put_block(&im, 0x0a0d0d0au, 28); /* 0 .. 28 */
    put_block(&im, 1, 20);           /* 28 .. 48 */
    put_block(&im, 6, 100);          /* 48 .. 148 */
    put_block(&im, 0x80007a70u, 12); /* padding, 148 .. 160 */
    static const struct {
        size_t size;
        uint64_t from, want;
    } t[] = {
        {0, 0, 0},     {27, 0, 0},    {28, 0, 28},  {47, 0, 28},
        {48, 0, 48},   {147, 28, 48}, {148, 0, 148}, {159, 48, 148},
        {160, 0, 160},
    };
    for (size_t i = 0; i < TRAWL_ARRAY_LEN(t); i++)
        assert_int_equal(cut(&im, GUARD_PCAPNG, t[i].from, t[i].size),
                         t[i].want);
    /* Lengths no block can have end the walk. */
    core_put_le32(im.b + 48 + 4, 102);
    assert_int_equal(cut(&im, GUARD_PCAPNG, 0, im.len), 48);
    core_put_le32(im.b + 48 + 4, 8);
    assert_int_equal(cut(&im, GUARD_PCAPNG, 0, im.len), 48);
}

static off_t size_of(int fd) {
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    return st.st_size;
}

/* A file of whole records and a torn one: the pcap image of pcap_cuts
 * with its last record cut short. */
static int torn_pcap(char *path) {
    struct image im;
    put_pcap_header(&im);
    put_pcap_record(&im, 60);
    put_pcap_record(&im, 300);
    im.len -= 50;
    return temp_file(&im, path);
}

/* A normal end: the guard finds the tail and cuts it. */
static void guard_cuts_at_stop(void **state) {
    (void)state;
    char path[64];
    int fd = torn_pcap(path);
    struct format_guard g;
    assert_int_equal(guard_start(&g, fd, GUARD_PCAP, err, sizeof err), 0);
    assert_true(g.pid > 0);
    guard_publish(&g, 24);
    guard_stop(&g);
    assert_int_equal(g.pid, 0);
    assert_int_equal(size_of(fd), 100);
    close(fd);
    unlink(path);
}

/* The writer's process dies without a word: the guard outlives it, cuts
 * the file, and only then lets the lock go. */
static void guard_outlives_its_writer(void **state) {
    (void)state;
    char path[64];
    int fd = torn_pcap(path);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        struct format_guard g;
        flock(fd, LOCK_EX);
        if (guard_start(&g, fd, GUARD_PCAP, NULL, 0) < 0)
            _exit(3);
        guard_publish(&g, 100);
        raise(SIGKILL);
        _exit(4);
    }
    /* The lock belongs to the open file description, which this process
     * shares until it lets go of its own descriptor. */
    close(fd);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    int rfd = open(path, O_RDONLY);
    assert_true(rfd >= 0);
    assert_int_equal(flock(rfd, LOCK_SH), 0);
    assert_int_equal(size_of(rfd), 100);
    close(rfd);
    unlink(path);
}

/* A program started with TRAWL_GUARD but without a file and a pipe to
 * guard exits at once instead of running its main(). */
static void stray_guard_variable(void **state) {
    (void)state;
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        for (int fd = 3; fd < 5; fd++)
            close(fd);
        char *argv[] = {"test_guard", NULL};
        char *envp[] = {"TRAWL_GUARD=pcap", NULL};
        execve("/proc/self/exe", argv, envp);
        _exit(5);
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pcap_cuts),
        cmocka_unit_test(pcapng_cuts),
        cmocka_unit_test(guard_cuts_at_stop),
        cmocka_unit_test(guard_outlives_its_writer),
        cmocka_unit_test(stray_guard_variable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
