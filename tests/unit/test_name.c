/* Unit tests of output names (sink/name.c): strftime expansion in a fixed
 * time zone, the index suffix, and the confinement checks, as tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/core.h"
#include "sink/name.h"

static char err[TRAWL_ERRBUF_SIZE];

/* 2023-11-14 22:13:20 UTC. */
#define T0 1700000000

static int utc_plus_one(void **state) {
    (void)state;
    setenv("TZ", "CET-1", 1); /* one hour east of UTC, no summer time */
    tzset();
    return 0;
}

static void expand(void **state) {
    (void)state;
    static const struct {
        const char *tmpl;
        int64_t sec;
        const char *want;
    } t[] = {
        {"cap.pcap", T0, "cap.pcap"},
        {"cap-%Y%m%d-%H%M%S.pcapng", T0, "cap-20231114-231320.pcapng"},
        {"%Y/%m/%d/cap-%H%M.pcap", T0, "2023/11/14/cap-2313.pcap"},
        {"cap-%s.pcap", T0, "cap-1700000000.pcap"},
        {"100%%.pcap", T0, "100%.pcap"},
        {"cap-%H%M%S.pcap", T0 + 3600 + 61, "cap-001421.pcap"},
    };
    char buf[SINK_NAME_MAX];
    for (size_t i = 0; i < TRAWL_ARRAY_LEN(t); i++) {
        assert_int_equal(
            sink_name_expand(t[i].tmpl, t[i].sec, buf, sizeof buf, err,
                             sizeof err),
            0);
        assert_string_equal(buf, t[i].want);
    }
}

static void expand_refusals(void **state) {
    (void)state;
    char buf[16];
    assert_int_equal(sink_name_expand("", T0, buf, sizeof buf, err,
                                      sizeof err),
                     TRAWL_EINVAL);
    assert_int_equal(sink_name_expand("%p", T0, buf, 1, err, sizeof err),
                     TRAWL_EINVAL);
    assert_int_equal(sink_name_expand("a-much-too-long-name.pcap", T0, buf,
                                      sizeof buf, err, sizeof err),
                     TRAWL_EINVAL);
    assert_string_equal(err, "output name 'a-much-too-long-name.pcap' "
                             "expands to nothing or to more than 15 bytes");
}

static void has_time(void **state) {
    (void)state;
    assert_false(sink_name_has_time("cap.pcap"));
    assert_false(sink_name_has_time("100%%.pcap"));
    assert_false(sink_name_has_time("trailing%"));
    assert_true(sink_name_has_time("cap-%H.pcap"));
    assert_true(sink_name_has_time("%%%Y"));
}

static void with_index(void **state) {
    (void)state;
    static const struct {
        const char *name;
        uint64_t n;
        const char *want;
    } t[] = {
        {"cap.pcap", 1, "cap_1.pcap"},
        {"cap.pcap", 12, "cap_12.pcap"},
        {"cap", 3, "cap_3"},
        {"cap.pcap.gz", 2, "cap.pcap_2.gz"},
        {"a.b/cap", 3, "a.b/cap_3"},
        {"dir/x.pcapng", 7, "dir/x_7.pcapng"},
        {".pcap", 1, ".pcap_1"},
        {"d/.hidden", 1, "d/.hidden_1"},
    };
    char buf[64];
    for (size_t i = 0; i < TRAWL_ARRAY_LEN(t); i++) {
        assert_int_equal(sink_name_with_index(t[i].name, t[i].n, buf,
                                              sizeof buf),
                         0);
        assert_string_equal(buf, t[i].want);
    }
    assert_int_equal(sink_name_with_index("cap.pcap", 1, buf, 10),
                     TRAWL_ERANGE);
}

static void confinement(void **state) {
    (void)state;
    static const struct {
        const char *name;
        int rc;
        const char *why; /* part of the message */
    } t[] = {
        {"cap.pcap", 0, NULL},
        {"a/b/cap.pcap", 0, NULL},
        {"..cap", 0, NULL},
        {"cap..pcap", 0, NULL},
        {"./cap.pcap", 0, NULL},
        {"/etc/passwd", TRAWL_EINVAL, "is an absolute path"},
        {"../cap.pcap", TRAWL_EINVAL, "has a '..' component"},
        {"a/../../cap.pcap", TRAWL_EINVAL, "has a '..' component"},
        {"a/..", TRAWL_EINVAL, "has a '..' component"},
        {"..", TRAWL_EINVAL, "has a '..' component"},
        {"a//b", TRAWL_EINVAL, "has an empty component"},
        {"a/", TRAWL_EINVAL, "has an empty component"},
        {"", TRAWL_EINVAL, "is empty"},
    };
    for (size_t i = 0; i < TRAWL_ARRAY_LEN(t); i++) {
        err[0] = '\0';
        assert_int_equal(sink_name_check_confined(t[i].name, err, sizeof err),
                         t[i].rc);
        if (t[i].why)
            assert_non_null(strstr(err, t[i].why));
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(expand),
        cmocka_unit_test(expand_refusals),
        cmocka_unit_test(has_time),
        cmocka_unit_test(with_index),
        cmocka_unit_test(confinement),
    };
    return cmocka_run_group_tests(tests, utc_plus_one, NULL);
}
