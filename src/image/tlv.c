/* TLV areas: where they are (checked against the flash area) and an iterator that walks the
 * protected area, then the unprotected one, bounds-checking every TLV before returning it. */
#include "dfukit/bytes.h"
#include "dfukit/err.h"
#include "dfukit/image.h"

/* Reads a TLV info {u16 magic, u16 total} at off and checks magic and minimum size. */
static int read_info(const struct flash_area *fa, uint32_t off, uint16_t magic, uint16_t *total)
{
    uint8_t raw[IMAGE_TLV_INFO_SIZE];
    if (off > fa->size || fa->size - off < IMAGE_TLV_INFO_SIZE) {
        return DFU_ERANGE;
    }
    int err = flash_area_read(fa, off, raw, sizeof(raw));
    if (err) {
        return err;
    }
    if (load16_le(raw) != magic || load16_le(raw + 2) < IMAGE_TLV_INFO_SIZE) {
        return DFU_EBADMSG;
    }
    *total = load16_le(raw + 2);
    return 0;
}

int image_layout_read(const struct flash_area *fa, const struct image_header *hdr,
                      struct image_layout *out)
{
    uint64_t prot_off = (uint64_t)hdr->hdr_size + hdr->img_size;
    if (hdr->hdr_size < IMAGE_HEADER_SIZE) {
        return DFU_EBADMSG;
    }
    if (prot_off + hdr->protect_tlv_size > fa->size) {
        return DFU_ERANGE;
    }
    struct image_layout l = {.prot_off = (uint32_t)prot_off, .prot_size = 0};
    if (hdr->protect_tlv_size != 0) {
        uint16_t total;
        int err = read_info(fa, l.prot_off, IMAGE_TLV_PROT_INFO_MAGIC, &total);
        if (err) {
            return err;
        }
        /* The header's size and the area's own info must agree (MCUboot checks the same). */
        if (total != hdr->protect_tlv_size) {
            return DFU_EBADMSG;
        }
        l.prot_size = total;
    }
    l.unprot_off = l.prot_off + l.prot_size;
    uint16_t total;
    int err = read_info(fa, l.unprot_off, IMAGE_TLV_INFO_MAGIC, &total);
    if (err) {
        return err;
    }
    if ((uint64_t)l.unprot_off + total > fa->size) {
        return DFU_ERANGE;
    }
    l.unprot_size = total;
    l.total_size = l.unprot_off + l.unprot_size;
    *out = l;
    return 0;
}

int image_tlv_iter_begin(struct image_tlv_iter *it, const struct flash_area *fa,
                         const struct image_header *hdr, uint16_t type, bool prot_only)
{
    int err = image_layout_read(fa, hdr, &it->layout);
    if (err) {
        return err;
    }
    it->fa = fa;
    it->type = type;
    it->prot_only = prot_only;
    it->off = it->layout.prot_size ? it->layout.prot_off + IMAGE_TLV_INFO_SIZE
                                   : it->layout.unprot_off + IMAGE_TLV_INFO_SIZE;
    return 0;
}

int image_tlv_iter_next(struct image_tlv_iter *it, struct image_tlv *out)
{
    const struct image_layout *l = &it->layout;
    uint32_t prot_start = l->prot_off + IMAGE_TLV_INFO_SIZE;
    uint32_t prot_end = l->prot_off + l->prot_size; /* == unprot_off */
    uint32_t unprot_end = l->unprot_off + l->unprot_size;
    for (;;) {
        bool in_prot = l->prot_size != 0 && it->off >= prot_start && it->off <= prot_end;
        uint32_t end = in_prot ? prot_end : unprot_end;
        if (in_prot && it->off == prot_end) {
            if (it->prot_only) {
                return 1;
            }
            it->off = l->unprot_off + IMAGE_TLV_INFO_SIZE; /* on to the unprotected area */
            continue;
        }
        if (!in_prot && (it->prot_only || it->off == end)) {
            return 1;
        }
        if (!in_prot && it->off < l->unprot_off + IMAGE_TLV_INFO_SIZE) {
            return DFU_EINVAL; /* the iterator was not started by image_tlv_iter_begin */
        }
        if (it->off > end || end - it->off < IMAGE_TLV_HDR_SIZE) {
            return DFU_EBADMSG; /* a TLV header would cross the end of its area */
        }
        uint8_t raw[IMAGE_TLV_HDR_SIZE];
        int err = flash_area_read(it->fa, it->off, raw, sizeof(raw));
        if (err) {
            return err;
        }
        uint16_t type = load16_le(raw);
        uint16_t len = load16_le(raw + 2);
        uint32_t val = it->off + IMAGE_TLV_HDR_SIZE;
        if (len > end - val) {
            return DFU_EBADMSG; /* the value runs past its area */
        }
        it->off = val + len;
        if (it->type == IMAGE_TLV_ANY || it->type == type) {
            out->type = type;
            out->len = len;
            out->off = val;
            out->is_protected = in_prot;
            return 0;
        }
    }
}
