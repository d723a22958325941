/* server/settings — the daemon-wide settings the API can change: how many
 * captures may run at once, how disk captures split their files and name
 * them, how much each capture may queue. Kept in the catalog; read with
 * settings_get(), which copies them. */
#ifndef TRAWL_SERVER_SETTINGS_H
#define TRAWL_SERVER_SETTINGS_H

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

#include "server/catalog.h"
#include "trawl/writer.h"

struct settings_values {
    unsigned max_concurrent_captures; /* 1..64, default 4 */
    uint64_t split_size_bytes;        /* 0 = no splitting by size */
    uint64_t split_duration_s;        /* 0 = no splitting by time */
    uint64_t queue_size_bytes;        /* per capture */
    char file_name_template[256];     /* strftime(3), no '/' */
    enum trawl_format disk_format;
};

struct settings {
    pthread_mutex_t lock;
    struct settings_values v;
    struct catalog *cat;
};

/* Loads the stored settings over the defaults. */
void settings_init(struct settings *st, struct catalog *cat);
void settings_destroy(struct settings *st);
void settings_get(struct settings *st, struct settings_values *out);
json_t *settings_json(struct settings *st);
/* Applies the keys present in `patch` (unknown keys and bad values are
 * refused with a message naming them, and nothing changes), then stores
 * them. */
int settings_update(struct settings *st, const json_t *patch, char *err,
                    size_t errlen);

#endif
