/* What the client knows about an upload before and after sending it: the room the device
 * leaves for the image (`image slot-info`, 2/1/6) and the hash the device will list for the
 * file (its SHA-256 TLV), so success is claimed only when the slot holds that hash. */
#include <string.h>

#include "dfukit/client.h"
#include "dfukit/err.h"
#include "dfukit/imgbuild.h"

/* The slot uploads of this image go to: slot 1 when listed, else the only one (a single-slot
 * device such as a serial recovery). */
static void pick_slot(const cbor_item_t *img, struct client_upload_room *out)
{
    const cbor_item_t *slots = client_map_get(img, "slots");
    size_t n = slots && cbor_isa_array(slots) ? cbor_array_size(slots) : 0;
    for (size_t k = 0; k < n; k++) {
        const cbor_item_t *sl = cbor_array_handle(slots)[k];
        uint64_t slot = 0, size;
        client_get_uint(sl, "slot", &slot);
        if ((slot == 1 || n == 1) && client_get_uint(sl, "size", &size) && size <= UINT32_MAX) {
            out->slot = (uint32_t)slot;
            out->slot_size = (uint32_t)size;
            out->has_slot_size = true;
        }
    }
}

int client_upload_room_read(struct client_session *s, uint32_t image,
                            struct client_upload_room *out)
{
    memset(out, 0, sizeof(*out));
    out->slot = 1;
    struct client_rsp rsp;
    int rc = client_image_slot_info(s, &rsp, NULL);
    if (rc == CLIENT_EDEVICE || rc == DFU_EBADMSG) {
        return DFU_ENOTSUP; /* an older device: it will judge the size itself */
    }
    if (rc) {
        return rc;
    }
    const cbor_item_t *imgs = client_map_get(rsp.root, "images");
    size_t n = imgs && cbor_isa_array(imgs) ? cbor_array_size(imgs) : 0;
    for (size_t i = 0; i < n; i++) {
        const cbor_item_t *img = cbor_array_handle(imgs)[i];
        uint64_t num = 0, max;
        client_get_uint(img, "image", &num);
        if (num != image) {
            continue;
        }
        pick_slot(img, out);
        if (client_get_uint(img, "max_image_size", &max) && max <= UINT32_MAX) {
            out->max_image_size = (uint32_t)max;
            out->has_max_image_size = true;
        }
    }
    client_rsp_free(&rsp);
    return 0;
}

int client_image_file_hash(const uint8_t *data, size_t len, uint8_t *hash, size_t cap,
                           size_t *hash_len)
{
    struct image_info info;
    char why[IMGBUILD_ERR_LEN];
    /* hash-only validation: the TLV counts only when it is the hash of the file's bytes */
    if (imgbuild_verify(data, len, NULL, &info, why, sizeof(why)) != 0 || info.hash_len == 0 ||
        info.hash_len > cap) {
        return DFU_ENOENT;
    }
    memcpy(hash, info.hash, info.hash_len);
    *hash_len = info.hash_len;
    return 0;
}
