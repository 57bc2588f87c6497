/* Signed (protected) TLVs: which types may be there, and readers of the security counter and
 * the dependencies. Only the protected area is searched: an unprotected copy could be added
 * by anyone. */
#include "dfukit/bytes.h"
#include "dfukit/err.h"
#include "dfukit/image.h"

bool image_tlv_protected_allowed(uint16_t type)
{
    switch (type) {
    case IMAGE_TLV_SEC_CNT:
    case IMAGE_TLV_DEPENDENCY:
    case IMAGE_TLV_BOOT_RECORD:
    case IMAGE_TLV_SIG_PURE:
        return true;
    default:
        return (type & 0xffu) >= 0xa0u;
    }
}

int image_read_security_counter(const struct flash_area *fa, const struct image_header *hdr,
                                uint32_t *out)
{
    struct image_tlv_iter it;
    struct image_tlv tlv;
    int found = 0;
    int err = image_tlv_iter_begin(&it, fa, hdr, IMAGE_TLV_SEC_CNT, true);
    if (err) {
        return err;
    }
    while ((err = image_tlv_iter_next(&it, &tlv)) == 0) {
        uint8_t raw[IMAGE_SEC_CNT_LEN];
        if (tlv.len != sizeof(raw) || found++) {
            return DFU_EBADMSG;
        }
        err = flash_area_read(fa, tlv.off, raw, sizeof(raw));
        if (err) {
            return err;
        }
        *out = load32_le(raw);
    }
    if (err < 0) {
        return err;
    }
    return found ? 0 : DFU_ENOENT;
}

int image_read_dependencies(const struct flash_area *fa, const struct image_header *hdr,
                            struct image_dependency *out, size_t max)
{
    struct image_tlv_iter it;
    struct image_tlv tlv;
    size_t n = 0;
    int err = image_tlv_iter_begin(&it, fa, hdr, IMAGE_TLV_DEPENDENCY, true);
    if (err) {
        return err;
    }
    while ((err = image_tlv_iter_next(&it, &tlv)) == 0) {
        uint8_t raw[IMAGE_DEPENDENCY_LEN]; /* u8 image_id, u8 pad, u16 pad, version (8) */
        if (tlv.len != sizeof(raw)) {
            return DFU_EBADMSG;
        }
        if (n == max) {
            return DFU_ENOSPC; /* ignoring a dependency would be unsafe */
        }
        err = flash_area_read(fa, tlv.off, raw, sizeof(raw));
        if (err) {
            return err;
        }
        out[n].image_id = raw[0];
        out[n].ver.major = raw[4];
        out[n].ver.minor = raw[5];
        out[n].ver.revision = load16_le(raw + 6);
        out[n].ver.build = load32_le(raw + 8);
        n++;
    }
    if (err < 0) {
        return err;
    }
    return (int)n;
}
