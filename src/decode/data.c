/* Bytes trawl does not decode: the rest of the packet as one layer. */
#include "decode/decode.h"

static void decode_data(struct trawl_view *v) {
    decode_push(v, PROTO_DATA, v->next_off, v->next_end - v->next_off,
                v->next_end);
}

static bool get_data(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    (void)f;
    if (k || l->len == 0)
        return false;
    out->bytes.p = v->data + l->off;
    out->bytes.len = l->len;
    return true;
}

static bool get_data_len(const struct trawl_view *v,
                         const struct trawl_field *f,
                         const struct decode_layer *l, unsigned k,
                         struct trawl_value *out) {
    (void)v;
    (void)f;
    if (k || l->len == 0)
        return false;
    out->u = l->len;
    return true;
}

static const struct trawl_field data_fields[] = {
    {.name = "data.data", .label = "Data", .type = TRAWL_FT_BYTES,
     .proto = PROTO_DATA, .get = get_data},
    {.name = "data.len", .bits = 32, .label = "Length", .type = TRAWL_FT_UINT,
     .proto = PROTO_DATA, .get = get_data_len},
};

const struct decode_proto decode_proto_data = {
    .id = PROTO_DATA,
    .name = "data",
    .title = "Data",
    .decode = decode_data,
    .fields = data_fields,
    .nfields = TRAWL_ARRAY_LEN(data_fields),
};
