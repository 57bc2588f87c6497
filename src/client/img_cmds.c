/* Image group (1) commands besides state and upload: erase and slot-info. */
#include "cmd.h"
#include "dfukit/err.h"
#include "dfukit/smp_cbor.h"

int client_image_erase(struct client_session *s, int slot, struct client_deverr *err)
{
    uint8_t buf[16];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, buf, sizeof(buf));
    if (slot > 255) {
        return DFU_EINVAL;
    }
    if (!(slot >= 0 ? smp_cbor_put_map(&e, 1) && smp_cbor_put_kv_uint(&e, "slot", (uint64_t)slot)
                    : smp_cbor_put_map(&e, 0))) {
        return DFU_EINVAL;
    }
    struct client_rsp r;
    int rc = client_call(s, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ID_ERASE, buf, e.len, &r, err);
    return client_cmd_done(rc, &r, NULL);
}

int client_image_slot_info(struct client_session *s, struct client_rsp *rsp,
                           struct client_deverr *err)
{
    if (!rsp) {
        return DFU_EINVAL;
    }
    int rc = client_call(s, SMP_OP_READ, SMP_GROUP_IMAGE, IMG_ID_SLOT_INFO, SMP_EMPTY_MAP,
                         SMP_EMPTY_MAP_LEN, rsp, err);
    const cbor_item_t *imgs = rc ? NULL : client_map_get(rsp->root, "images");
    if (!rc && (!imgs || !cbor_isa_array(imgs))) {
        rc = DFU_EBADMSG;
    }
    return client_cmd_done(rc, rsp, rsp);
}
