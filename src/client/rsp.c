/* Response decoding: header + CBOR map (libcbor's allocating decoder, host only), the error
 * fields of both SMP versions (v1 "rc", v2 "err {group, rc}"), and typed field getters. */
#include <string.h>

#include "dfukit/client.h"
#include "dfukit/err.h"
#include "dfukit/smp_cbor.h"

const cbor_item_t *client_map_get(const cbor_item_t *map, const char *key)
{
    if (!map || !cbor_isa_map(map)) {
        return NULL;
    }
    size_t klen = strlen(key);
    size_t n = cbor_map_size(map);
    struct cbor_pair *pairs = cbor_map_handle(map);
    for (size_t i = 0; i < n; i++) {
        const cbor_item_t *k = pairs[i].key;
        if (cbor_isa_string(k) && cbor_string_is_definite(k) && cbor_string_length(k) == klen &&
            memcmp(cbor_string_handle(k), key, klen) == 0) {
            return pairs[i].value;
        }
    }
    return NULL;
}

bool client_item_uint(const cbor_item_t *item, uint64_t *out)
{
    if (!item || !cbor_isa_uint(item)) {
        return false;
    }
    *out = cbor_get_int(item);
    return true;
}

bool client_get_uint(const cbor_item_t *map, const char *key, uint64_t *out)
{
    return client_item_uint(client_map_get(map, key), out);
}

bool client_get_int(const cbor_item_t *map, const char *key, int64_t *out)
{
    const cbor_item_t *v = client_map_get(map, key);
    if (!v || !cbor_is_int(v)) {
        return false;
    }
    uint64_t u = cbor_get_int(v);
    if (u > (uint64_t)INT64_MAX) {
        return false;
    }
    *out = cbor_isa_uint(v) ? (int64_t)u : -1 - (int64_t)u;
    return true;
}

bool client_get_bool(const cbor_item_t *map, const char *key, bool *out)
{
    const cbor_item_t *v = client_map_get(map, key);
    /* cbor_is_bool() asserts on floats in libcbor 0.8: check for a simple value first */
    if (!v || !cbor_isa_float_ctrl(v) || !cbor_float_ctrl_is_ctrl(v) || !cbor_is_bool(v)) {
        return false;
    }
    *out = cbor_get_bool(v);
    return true;
}

bool client_get_text(const cbor_item_t *map, const char *key, char *out, size_t cap)
{
    const cbor_item_t *v = client_map_get(map, key);
    if (!v || !cbor_isa_string(v) || !cbor_string_is_definite(v) || cap == 0) {
        return false;
    }
    size_t n = cbor_string_length(v);
    if (n >= cap) {
        n = cap - 1;
    }
    memcpy(out, cbor_string_handle(v), n);
    out[n] = '\0';
    return true;
}

bool client_get_bytes(const cbor_item_t *map, const char *key, const uint8_t **data, size_t *len)
{
    const cbor_item_t *v = client_map_get(map, key);
    if (!v || !cbor_isa_bytestring(v) || !cbor_bytestring_is_definite(v)) {
        return false;
    }
    *data = cbor_bytestring_handle(v);
    *len = cbor_bytestring_length(v);
    if (!*data) {
        *data = (const uint8_t *)"";
    }
    return true;
}

static void read_errors(struct client_rsp *rsp)
{
    memset(&rsp->err, 0, sizeof(rsp->err));
    uint64_t v;
    if (client_get_uint(rsp->root, "rc", &v)) {
        rsp->err.rc = v > 0x7fffffff ? 0x7fffffff : (int)v;
    }
    const cbor_item_t *e = client_map_get(rsp->root, "err");
    uint64_t g, rc;
    if (e && client_get_uint(e, "group", &g) && client_get_uint(e, "rc", &rc) && g <= 0xffff) {
        rsp->err.has_group_err = true;
        rsp->err.group = (uint16_t)g;
        rsp->err.group_rc = rc > 0x7fffffff ? 0x7fffffff : (int)rc;
    }
}

int client_rsp_decode(struct client_rsp *rsp, const uint8_t *pkt, size_t len)
{
    memset(rsp, 0, sizeof(*rsp));
    if (smp_hdr_decode(&rsp->hdr, pkt, len) != 0) {
        return DFU_EBADMSG;
    }
    if (rsp->hdr.op != SMP_OP_READ_RSP && rsp->hdr.op != SMP_OP_WRITE_RSP) {
        return DFU_EBADMSG;
    }
    if ((size_t)rsp->hdr.len > len - SMP_HDR_SIZE) {
        return DFU_EBADMSG;
    }
    if (rsp->hdr.len == 0) {
        rsp->root = cbor_new_definite_map(0);
        return rsp->root ? 0 : DFU_ENOMEM;
    }
    /* Walk the item with the bounded, heap-free decoder first: libcbor allocates a definite
     * container by its declared count, which a hostile reply could set to 2^60. After this
     * walk every count is backed by bytes and the nesting is shallow. */
    struct smp_cbor_dec dec;
    smp_cbor_dec_init(&dec, pkt + SMP_HDR_SIZE, rsp->hdr.len);
    if (smp_cbor_skip(&dec) != 0 || dec.off != rsp->hdr.len) {
        return DFU_EBADMSG;
    }
    struct cbor_load_result res;
    cbor_item_t *item = cbor_load(pkt + SMP_HDR_SIZE, rsp->hdr.len, &res);
    if (!item) {
        return res.error.code == CBOR_ERR_MEMERROR ? DFU_ENOMEM : DFU_EBADMSG;
    }
    if (!cbor_isa_map(item) || res.read != rsp->hdr.len) {
        cbor_decref(&item);
        return DFU_EBADMSG;
    }
    rsp->root = item;
    read_errors(rsp);
    return 0;
}

void client_rsp_free(struct client_rsp *rsp)
{
    if (rsp->root) {
        cbor_decref(&rsp->root);
    }
    rsp->root = NULL;
}

bool client_rsp_failed(const struct client_rsp *rsp)
{
    return rsp->err.rc != 0 || (rsp->err.has_group_err && rsp->err.group_rc != 0);
}
