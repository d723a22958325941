/* Daemon settings: defaults, validation, the catalog behind them. */
#include <stdio.h>
#include <string.h>

#include "server/settings.h"
#include "server/storage.h"
#include "server/util.h"

#define MAX_CONCURRENT 64
#define QUEUE_MIN (1ull << 20)
#define QUEUE_MAX (1ull << 30)

static const struct settings_values defaults = {
    .max_concurrent_captures = 4,
    .queue_size_bytes = 4ull << 20,
    .file_name_template = "trawl-%Y%m%d-%H%M%S",
    .disk_format = TRAWL_FORMAT_PCAPNG,
};

/* Applies one key to v; returns 0 or an error naming the key and value. */
static int apply(struct settings_values *v, const char *key, const json_t *val,
                 char *err, size_t errlen) {
    if (strcmp(key, "file_name_template") == 0) {
        const char *s = json_string_value(val);
        if (!s || !storage_valid_template(s))
            return util_err(err, errlen, TRAWL_EINVAL,
                            "setting file_name_template: a strftime template "
                            "of up to 200 letters, digits, ._-+=,@ and the "
                            "conversions %%Y %%m %%d %%H %%M %%S %%j %%y %%e "
                            "%%u %%w %%V %%G %%g %%I %%b %%B %%a %%A %%p %%s "
                            "%%z");
        snprintf(v->file_name_template, sizeof v->file_name_template, "%s", s);
        return 0;
    }
    if (strcmp(key, "disk_format") == 0) {
        const char *s = json_string_value(val);
        if (s && strcmp(s, "pcapng") == 0)
            v->disk_format = TRAWL_FORMAT_PCAPNG;
        else if (s && strcmp(s, "pcap") == 0)
            v->disk_format = TRAWL_FORMAT_PCAP;
        else
            return util_err(err, errlen, TRAWL_EINVAL,
                            "setting disk_format: \"pcapng\" or \"pcap\"");
        return 0;
    }
    if (!json_is_integer(val) || json_integer_value(val) < 0)
        return util_err(err, errlen, TRAWL_EINVAL,
                        "setting %s: a whole number at least 0", key);
    uint64_t n = (uint64_t)json_integer_value(val);
    if (strcmp(key, "max_concurrent_captures") == 0) {
        if (n < 1 || n > MAX_CONCURRENT)
            return util_err(err, errlen, TRAWL_ERANGE,
                            "setting max_concurrent_captures: %llu is not "
                            "between 1 and %d",
                            (unsigned long long)n, MAX_CONCURRENT);
        v->max_concurrent_captures = (unsigned)n;
    } else if (strcmp(key, "split_size_bytes") == 0) {
        if (n && n < 4096)
            return util_err(err, errlen, TRAWL_ERANGE,
                            "setting split_size_bytes: %llu is below 4096 "
                            "(0 turns splitting off)",
                            (unsigned long long)n);
        v->split_size_bytes = n;
    } else if (strcmp(key, "split_duration_s") == 0) {
        v->split_duration_s = n;
    } else if (strcmp(key, "queue_size_bytes") == 0) {
        if (n < QUEUE_MIN || n > QUEUE_MAX)
            return util_err(err, errlen, TRAWL_ERANGE,
                            "setting queue_size_bytes: %llu is not between "
                            "%llu and %llu",
                            (unsigned long long)n, QUEUE_MIN, QUEUE_MAX);
        v->queue_size_bytes = n;
    } else {
        return util_err(err, errlen, TRAWL_EINVAL, "no setting '%s'", key);
    }
    return 0;
}

void settings_init(struct settings *st, struct catalog *cat) {
    pthread_mutex_init(&st->lock, NULL);
    st->cat = cat;
    st->v = defaults;
    json_t *stored = settings_json(st);
    const char *key;
    json_t *val;
    json_object_foreach(stored, key, val) {
        json_t *v = catalog_setting_get(cat, key);
        if (v) {
            /* A stored value this version does not accept keeps the
             * default rather than stopping the daemon. */
            apply(&st->v, key, v, NULL, 0);
            json_decref(v);
        }
    }
    json_decref(stored);
}

void settings_destroy(struct settings *st) {
    pthread_mutex_destroy(&st->lock);
}

void settings_get(struct settings *st, struct settings_values *out) {
    pthread_mutex_lock(&st->lock);
    *out = st->v;
    pthread_mutex_unlock(&st->lock);
}

json_t *settings_json(struct settings *st) {
    struct settings_values v;
    settings_get(st, &v);
    return json_pack("{sIsIsIsIssss}", "max_concurrent_captures",
                     (json_int_t)v.max_concurrent_captures, "split_size_bytes",
                     (json_int_t)v.split_size_bytes, "split_duration_s",
                     (json_int_t)v.split_duration_s, "queue_size_bytes",
                     (json_int_t)v.queue_size_bytes, "file_name_template",
                     v.file_name_template, "disk_format",
                     v.disk_format == TRAWL_FORMAT_PCAP ? "pcap" : "pcapng");
}

int settings_update(struct settings *st, const json_t *patch, char *err,
                    size_t errlen) {
    if (!json_is_object(patch))
        return util_err(err, errlen, TRAWL_EINVAL,
                        "settings: expected a JSON object");
    pthread_mutex_lock(&st->lock);
    struct settings_values v = st->v;
    const char *key;
    json_t *val;
    int rc = 0;
    json_object_foreach((json_t *)patch, key, val) {
        if ((rc = apply(&v, key, val, err, errlen)) < 0)
            break;
    }
    if (rc == 0) {
        json_object_foreach((json_t *)patch, key, val) {
            if ((rc = catalog_setting_put(st->cat, key, val, err, errlen)) < 0)
                break;
        }
    }
    if (rc == 0)
        st->v = v;
    pthread_mutex_unlock(&st->lock);
    return rc;
}
