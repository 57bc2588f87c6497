/* Statistics group (2): the list of stat groups and one group's counters. */
#include "cmd.h"
#include "dfukit/err.h"

/* The reply must carry key as a CBOR item of the given check. */
static int expect(int rc, struct client_rsp *rsp, const char *key, bool (*isa)(const cbor_item_t *))
{
    if (rc) {
        return rc;
    }
    const cbor_item_t *v = client_map_get(rsp->root, key);
    if (!v || !isa(v)) {
        client_rsp_free(rsp);
        return DFU_EBADMSG;
    }
    return 0;
}

int client_stat_list(struct client_session *s, struct client_rsp *rsp, struct client_deverr *err)
{
    if (!rsp) {
        return DFU_EINVAL;
    }
    int rc = client_call(s, SMP_OP_READ, SMP_GROUP_STAT, STAT_ID_LIST, SMP_EMPTY_MAP,
                         SMP_EMPTY_MAP_LEN, rsp, err);
    return expect(rc, rsp, "stat_list", cbor_isa_array);
}

int client_stat_read(struct client_session *s, const char *group, struct client_rsp *rsp,
                     struct client_deverr *err)
{
    if (!rsp) {
        return DFU_EINVAL;
    }
    int rc = client_cmd_kv(s, SMP_OP_READ, SMP_GROUP_STAT, STAT_ID_READ, "name", group, rsp, err);
    return expect(rc, rsp, "fields", cbor_isa_map);
}
