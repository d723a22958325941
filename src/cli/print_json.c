/* -T json: one JSON object per packet and line, layers as objects keyed by
 * protocol name (an array when a protocol repeats, as with QinQ tags or
 * tunnels), fields by their name without the protocol prefix. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/print.h"

struct json_ctx {
    json_t *layer;
};

static json_t *value_json(const trawl_field *f, const struct trawl_value *val) {
    char buf[1024];
    switch (val->type) {
    case TRAWL_FT_BOOL:
        return json_boolean(val->u != 0);
    case TRAWL_FT_UINT:
        /* Hex-displayed values keep their tshark spelling as strings. */
        if (val->u > (uint64_t)INT64_MAX) {
            trawl_value_format(NULL, val, buf, sizeof buf);
            return json_string(buf);
        }
        return json_integer((json_int_t)val->u);
    case TRAWL_FT_INT:
        return json_integer((json_int_t)val->i);
    case TRAWL_FT_DOUBLE:
        return json_real(val->d);
    case TRAWL_FT_STRING: {
        json_t *s = json_stringn((const char *)val->bytes.p, val->bytes.len);
        if (s)
            return s;
        /* Not UTF-8: fall back to the hex spelling. */
        struct trawl_value hexv = *val;
        hexv.type = TRAWL_FT_BYTES;
        trawl_value_format(f, &hexv, buf, sizeof buf);
        return json_string(buf);
    }
    default:
        trawl_value_format(f, val, buf, sizeof buf);
        return json_string(buf);
    }
}

static bool json_field(void *ctx, const trawl_field *f,
                       const struct trawl_value *val) {
    struct json_ctx *c = ctx;
    const char *name = trawl_field_name(f);
    const char *proto = trawl_field_proto(f);
    size_t pl = strlen(proto);
    const char *key = strncmp(name, proto, pl) == 0 && name[pl] == '.'
                          ? name + pl + 1
                          : name;
    json_t *v = value_json(f, val);
    if (!v)
        return true;
    json_t *old = json_object_get(c->layer, key);
    if (!old) {
        json_object_set_new(c->layer, key, v);
    } else if (json_is_array(old)) {
        json_array_append_new(old, v);
    } else {
        json_t *arr = json_array();
        json_array_append(arr, old);
        json_array_append_new(arr, v);
        json_object_set_new(c->layer, key, arr);
    }
    return true;
}

void print_json(FILE *out, trawl_view *v) {
    json_t *root = json_object();
    size_t n = trawl_view_layer_count(v);
    for (size_t i = 0; i < n; i++) {
        struct trawl_layer_info li;
        trawl_view_layer(v, i, &li);
        struct json_ctx c = {json_object()};
        trawl_view_layer_fields(v, i, json_field, &c);
        json_t *old = json_object_get(root, li.name);
        if (!old) {
            json_object_set_new(root, li.name, c.layer);
        } else if (json_is_array(old)) {
            json_array_append_new(old, c.layer);
        } else {
            json_t *arr = json_array();
            json_array_append(arr, old);
            json_array_append_new(arr, c.layer);
            json_object_set_new(root, li.name, arr);
        }
    }
    const char *anom[64];
    size_t na = trawl_view_anomalies(v, anom, 64);
    if (na) {
        json_t *arr = json_array();
        for (size_t i = 0; i < na && i < 64; i++)
            json_array_append_new(arr, json_string(anom[i]));
        json_object_set_new(root, "anomalies", arr);
    }
    json_dumpf(root, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fputc('\n', out);
    json_decref(root);
}
