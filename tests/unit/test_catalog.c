/* Unit tests of the capture server's catalog (SQLite): users and the last
 * admin, the finished list pruned to its last 100, orphans, recent filters
 * without duplicates, at most 10 profiles, plans falling due, settings;
 * and, beside it, password hashes and names (auth) and settings
 * validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/auth.h"
#include "server/catalog.h"
#include "server/settings.h"
#include "server/storage.h"

static char err[512];

static int open_db(void **state) {
    char *dir = strdup("/tmp/trawl-test-catalog-XXXXXX");
    if (!dir || !mkdtemp(dir))
        return -1;
    char path[256];
    snprintf(path, sizeof path, "%s/catalog.db", dir);
    struct catalog *c;
    if (catalog_open(&c, path, err, sizeof err) < 0)
        return -1;
    void **pair = calloc(2, sizeof *pair);
    pair[0] = c;
    pair[1] = dir;
    *state = pair;
    return 0;
}

static int close_db(void **state) {
    void **pair = *state;
    catalog_close(pair[0]);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", (char *)pair[1]);
    int rc = system(cmd);
    free(pair[1]);
    free(pair);
    return rc == 0 ? 0 : -1;
}

static struct catalog *cat_of(void **state) {
    return ((void **)*state)[0];
}

static void users_and_the_last_admin(void **state) {
    struct catalog *c = cat_of(state);
    assert_int_equal(catalog_user_count(c), 0);
    assert_int_equal(
        catalog_user_add(c, "root", "admin", "$y$x", err, sizeof err), 0);
    assert_int_equal(
        catalog_user_add(c, "root", "user", "$y$y", err, sizeof err),
        TRAWL_EBUSY);
    assert_non_null(strstr(err, "already exists"));
    assert_int_equal(
        catalog_user_add(c, "ann", "user", "$y$z", err, sizeof err), 0);
    struct cat_user u;
    assert_int_equal(catalog_user_get(c, "ann", &u, err, sizeof err), 1);
    assert_string_equal(u.role, "user");
    assert_string_equal(u.hash, "$y$z");
    assert_int_equal(catalog_user_get(c, "bob", &u, err, sizeof err), 0);
    /* The only admin can be neither demoted nor deleted. */
    assert_int_equal(
        catalog_user_update(c, "root", "user", NULL, err, sizeof err),
        TRAWL_EBUSY);
    assert_int_equal(catalog_user_del(c, "root", err, sizeof err), TRAWL_EBUSY);
    assert_non_null(strstr(err, "last admin"));
    assert_int_equal(
        catalog_user_update(c, "ann", "admin", NULL, err, sizeof err), 0);
    assert_int_equal(catalog_user_del(c, "root", err, sizeof err), 0);
    assert_int_equal(catalog_user_del(c, "root", err, sizeof err),
                     TRAWL_ENOENT);
    assert_int_equal(
        catalog_user_update(c, "ann", NULL, "$y$new", err, sizeof err), 0);
    assert_int_equal(catalog_user_get(c, "ann", &u, err, sizeof err), 1);
    assert_string_equal(u.hash, "$y$new");
    assert_string_equal(u.role, "admin");
    json_t *list = catalog_user_list(c, err, sizeof err);
    assert_int_equal(json_array_size(list), 1);
    json_decref(list);
}

static int64_t record(struct catalog *c, const char *user, const char *filter,
                      const char *reason) {
    struct cat_capture cap = {.user = user,
                              .type = "download",
                              .mode = "replay",
                              .filter = filter,
                              .start_us = 1};
    assert_int_equal(catalog_capture_begin(c, &cap, err, sizeof err), 0);
    cap.captured = 5;
    cap.end_reason = reason;
    cap.end_us = 2;
    if (reason)
        assert_int_equal(catalog_capture_update(c, &cap, err, sizeof err), 0);
    return cap.id;
}

static void finished_list_keeps_the_last_100(void **state) {
    struct catalog *c = cat_of(state);
    for (int i = 0; i < 105; i++) {
        char f[16];
        snprintf(f, sizeof f, "f%d", i);
        record(c, i % 2 ? "a" : "b", f, "end time reached");
    }
    json_t *all = catalog_finished_list(c, NULL, err, sizeof err);
    assert_int_equal(json_array_size(all), CATALOG_FINISHED_MAX);
    /* Newest first; the five oldest went. */
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(all, 0), "filter")),
        "f104");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(all, 99), "filter")),
        "f5");
    json_decref(all);
    json_t *mine = catalog_finished_list(c, "a", err, sizeof err);
    assert_int_equal(json_array_size(mine), 50);
    json_decref(mine);
    assert_int_equal(catalog_finished_clear(c, "a", err, sizeof err), 50);
    assert_int_equal(catalog_finished_clear(c, NULL, err, sizeof err), 50);
    /* A running capture is not on the finished list until it ends; the
     * next start finishes the orphans. */
    int64_t id = record(c, "a", "running", NULL);
    all = catalog_finished_list(c, NULL, err, sizeof err);
    assert_int_equal(json_array_size(all), 0);
    json_decref(all);
    assert_int_equal(catalog_capture_orphans(c, "killed", 9, err, sizeof err),
                     1);
    json_t *one = catalog_capture_get(c, id, err, sizeof err);
    assert_string_equal(json_string_value(json_object_get(one, "state")),
                        "finished");
    assert_string_equal(json_string_value(json_object_get(one, "end_reason")),
                        "killed");
    assert_int_equal(json_integer_value(json_object_get(one, "captured")), 0);
    json_decref(one);
    assert_null(catalog_capture_get(c, 999999, err, sizeof err));
}

static void recent_filters_most_recent_first(void **state) {
    struct catalog *c = cat_of(state);
    const char *uses[] = {"udp", "tcp", "udp", "icmp", "udp"};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(catalog_recent_use(c, "a", uses[i], err, sizeof err),
                         0);
        usleep(1000);
    }
    catalog_recent_use(c, "b", "arp", err, sizeof err);
    json_t *r = catalog_recent_list(c, "a", err, sizeof err);
    assert_int_equal(json_array_size(r), 3);
    const char *want[] = {"udp", "icmp", "tcp"};
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(r, i), "filter")),
            want[i]);
    json_decref(r);
    for (int i = 0; i < CATALOG_RECENT_MAX + 10; i++) {
        char f[16];
        snprintf(f, sizeof f, "port %d", i);
        catalog_recent_use(c, "a", f, err, sizeof err);
    }
    r = catalog_recent_list(c, "a", err, sizeof err);
    assert_int_equal(json_array_size(r), CATALOG_RECENT_MAX);
    json_decref(r);
    assert_int_equal(catalog_recent_clear(c, "a", err, sizeof err),
                     CATALOG_RECENT_MAX);
    r = catalog_recent_list(c, "b", err, sizeof err);
    assert_int_equal(json_array_size(r), 1);
    json_decref(r);
}

static void at_most_ten_profiles(void **state) {
    struct catalog *c = cat_of(state);
    const char *rules = "[{\"expression\": \"tcp\", \"snaplen\": 64}]";
    for (int i = 0; i < CATALOG_PROFILES_MAX; i++) {
        char name[16];
        snprintf(name, sizeof name, "p%d", i);
        assert_true(catalog_profile_add(c, name, rules, err, sizeof err) > 0);
    }
    assert_int_equal(catalog_profile_add(c, "p10", rules, err, sizeof err),
                     TRAWL_ERANGE);
    json_t *p = catalog_profile_get(c, 0, "p3", err, sizeof err);
    assert_non_null(p);
    json_t *r = json_object_get(p, "rules");
    assert_true(json_is_array(r)); /* stored as JSON, read back parsed */
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(r, 0), "snaplen")),
        64);
    int64_t id = json_integer_value(json_object_get(p, "id"));
    json_decref(p);
    assert_int_equal(catalog_profile_update(c, id, "p4", NULL, err, sizeof err),
                     TRAWL_EBUSY);
    assert_int_equal(catalog_profile_del(c, id, err, sizeof err), 0);
    assert_int_equal(catalog_profile_del(c, id, err, sizeof err), TRAWL_ENOENT);
    assert_true(catalog_profile_add(c, "p10", rules, err, sizeof err) > 0);
}

static void plans_fall_due(void **state) {
    struct catalog *c = cat_of(state);
    struct cat_plan p = {.user = "a",
                         .name = "n",
                         .filter = "",
                         .directory = "",
                         .start_us = 1000,
                         .next_us = 1000,
                         .duration_s = 5,
                         .repeat_s = 60,
                         .enabled = true};
    int64_t id = catalog_plan_add(c, &p, err, sizeof err);
    assert_true(id > 0);
    p.next_us = 5000;
    p.start_us = 5000;
    int64_t later = catalog_plan_add(c, &p, err, sizeof err);
    json_t *due = catalog_plan_due(c, 2000, err, sizeof err);
    assert_int_equal(json_array_size(due), 1);
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(due, 0), "id")), id);
    json_decref(due);
    assert_int_equal(
        catalog_plan_run(c, id, 1000, "missed", 0, "down", err, sizeof err), 0);
    /* next 0: the plan is done and no longer falls due. */
    assert_int_equal(catalog_plan_set_next(c, id, 0, err, sizeof err), 0);
    due = catalog_plan_due(c, 1u << 30, err, sizeof err);
    assert_int_equal(json_array_size(due), 1);
    json_decref(due);
    json_t *plan = catalog_plan_get(c, id, "a", err, sizeof err);
    assert_int_equal(json_integer_value(json_object_get(plan, "missed")), 1);
    assert_int_equal(json_integer_value(json_object_get(plan, "enabled")), 0);
    json_decref(plan);
    assert_null(catalog_plan_get(c, later, "someone else", err, sizeof err));
    assert_int_equal(
        catalog_plan_del(c, later, "someone else", err, sizeof err),
        TRAWL_ENOENT);
    assert_int_equal(catalog_plan_del(c, later, NULL, err, sizeof err), 0);
}

static void settings_validate_and_persist(void **state) {
    struct catalog *c = cat_of(state);
    struct settings st;
    settings_init(&st, c);
    struct settings_values v;
    settings_get(&st, &v);
    assert_int_equal(v.max_concurrent_captures, 4);
    json_t *bad[] = {
        json_pack("{si}", "max_concurrent_captures", 0),
        json_pack("{si}", "max_concurrent_captures", 65),
        json_pack("{ss}", "file_name_template", "../x"),
        json_pack("{si}", "split_size_bytes", 100),
        json_pack("{si}", "nonsense", 1),
        json_pack("{ss}", "disk_format", "zip"),
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_true(settings_update(&st, bad[i], err, sizeof err) < 0);
        json_decref(bad[i]);
    }
    /* One bad key among good ones changes nothing. */
    json_t *mixed = json_pack("{sisi}", "max_concurrent_captures", 9,
                              "queue_size_bytes", 5);
    assert_true(settings_update(&st, mixed, err, sizeof err) < 0);
    json_decref(mixed);
    settings_get(&st, &v);
    assert_int_equal(v.max_concurrent_captures, 4);
    json_t *good = json_pack("{sisiss}", "max_concurrent_captures", 64,
                             "split_duration_s", 30, "disk_format", "pcap");
    assert_int_equal(settings_update(&st, good, err, sizeof err), 0);
    json_decref(good);
    settings_destroy(&st);
    struct settings again;
    settings_init(&again, c);
    settings_get(&again, &v);
    assert_int_equal(v.max_concurrent_captures, 64);
    assert_int_equal(v.split_duration_s, 30);
    assert_int_equal(v.disk_format, TRAWL_FORMAT_PCAP);
    settings_destroy(&again);
}

static void password_hashes(void **state) {
    (void)state;
    char a[256], b[256];
    assert_int_equal(auth_hash("correct horse", a, sizeof a, err, sizeof err),
                     0);
    assert_int_equal(auth_hash("correct horse", b, sizeof b, err, sizeof err),
                     0);
    assert_memory_equal(a, "$y$", 3);
    assert_string_not_equal(a, b); /* salted */
    assert_true(auth_check_hash("correct horse", a));
    assert_false(auth_check_hash("correct horsf", a));
    assert_false(auth_check_hash("x", ""));
    assert_false(auth_check_hash("x", "!locked"));
    char pw[21];
    assert_true(auth_random_password(pw, sizeof pw));
    assert_int_equal(strlen(pw), 20);
}

static void names_and_paths(void **state) {
    (void)state;
    static const struct {
        const char *name;
        bool ok;
    } names[] = {
        {"admin", true},
        {"a.b-c_d", true},
        {"", false},
        {"-x", false},
        {".x", false},
        {"a b", false},
        {"a/b", false},
        {"0123456789012345678901234567890123456789012345678901234567890123",
         false}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_int_equal(auth_valid_name(names[i].name), names[i].ok);
    static const struct {
        const char *path;
        bool ok;
    } paths[] = {{"a.pcapng", true},     {"dir/sub/f.pcap", true},
                 {"x+y=z,w@v", true},    {"", false},
                 {"..", false},          {"a/../b", false},
                 {"/etc/passwd", false}, {".hidden", false},
                 {"a//b", false},        {"a/", false},
                 {"a b", false},         {"a\\b", false},
                 {"dir/.x", false}};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        assert_int_equal(storage_valid_path(paths[i].path, false), paths[i].ok);
    assert_true(storage_valid_path("", true));
    static const struct {
        const char *tmpl;
        bool ok;
    } tmpls[] = {{"trawl-%Y%m%d-%H%M%S", true}, {"cap", true},
                 {"%s_%z", true},               {"%c", false},
                 {"a b%Y", false},              {"x/%Y", false},
                 {".%Y", false},                {"%", false},
                 {"%%", false},                 {"", false}};
    for (size_t i = 0; i < sizeof tmpls / sizeof tmpls[0]; i++)
        assert_int_equal(storage_valid_template(tmpls[i].tmpl), tmpls[i].ok);
}

int main(void) {
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, open_db, close_db)
        T(users_and_the_last_admin),
        T(finished_list_keeps_the_last_100),
        T(recent_filters_most_recent_first),
        T(at_most_ten_profiles),
        T(plans_fall_due),
        T(settings_validate_and_persist),
#undef T
        cmocka_unit_test(password_hashes),
        cmocka_unit_test(names_and_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
