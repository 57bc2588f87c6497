/* Enumeration group (10): how many groups the device has, their ids, their details. */
#include <limits.h>

#include "cmd.h"
#include "dfukit/err.h"

static int query(struct client_session *s, uint8_t id, struct client_rsp *r,
                 struct client_deverr *err)
{
    return client_call(s, SMP_OP_READ, SMP_GROUP_ENUM, id, SMP_EMPTY_MAP, SMP_EMPTY_MAP_LEN, r,
                       err);
}

int client_enum_count(struct client_session *s, uint32_t *count, struct client_rsp *rsp,
                      struct client_deverr *err)
{
    struct client_rsp local;
    struct client_rsp *r = client_cmd_rsp(rsp, &local);
    int rc = query(s, ENUM_ID_COUNT, r, err);
    uint64_t v;
    if (!rc && (!client_get_uint(r->root, "count", &v) || v > UINT32_MAX)) {
        rc = DFU_EBADMSG;
    }
    if (!rc) {
        *count = (uint32_t)v;
    }
    return client_cmd_done(rc, r, rsp);
}

int client_enum_list(struct client_session *s, uint16_t *groups, size_t cap,
                     struct client_rsp *rsp, struct client_deverr *err)
{
    struct client_rsp local;
    struct client_rsp *r = client_cmd_rsp(rsp, &local);
    int rc = query(s, ENUM_ID_LIST, r, err);
    const cbor_item_t *g = rc ? NULL : client_map_get(r->root, "groups");
    if (!rc && (!g || !cbor_isa_array(g))) {
        rc = DFU_EBADMSG;
    }
    size_t n = 0;
    for (size_t i = 0; !rc && i < cbor_array_size(g); i++) {
        uint64_t v;
        if (!client_item_uint(cbor_array_handle(g)[i], &v) || v > 0xffff) {
            rc = DFU_EBADMSG;
        } else {
            if (n < cap) {
                groups[n] = (uint16_t)v;
            }
            n++;
        }
    }
    rc = client_cmd_done(rc, r, rsp);
    return rc ? rc : n > INT_MAX ? INT_MAX : (int)n;
}

int client_enum_details(struct client_session *s, struct client_rsp *rsp,
                        struct client_deverr *err)
{
    if (!rsp) {
        return DFU_EINVAL;
    }
    int rc = query(s, ENUM_ID_DETAILS, rsp, err);
    const cbor_item_t *g = rc ? NULL : client_map_get(rsp->root, "groups");
    if (!rc && (!g || !cbor_isa_array(g))) {
        rc = DFU_EBADMSG;
    }
    return client_cmd_done(rc, rsp, rsp);
}
