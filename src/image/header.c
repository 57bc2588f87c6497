/* The 32-byte MCUboot image header: decode, encode, and read from a flash area with the
 * header, body and protected TLV area checked to fit inside the area. */
#include "dfukit/bytes.h"
#include "dfukit/err.h"
#include "dfukit/image.h"

int image_header_decode(struct image_header *out, const uint8_t raw[IMAGE_HEADER_SIZE])
{
    struct image_header h;
    h.magic = load32_le(raw + 0);
    h.load_addr = load32_le(raw + 4);
    h.hdr_size = load16_le(raw + 8);
    h.protect_tlv_size = load16_le(raw + 10);
    h.img_size = load32_le(raw + 12);
    h.flags = load32_le(raw + 16);
    h.ver.major = raw[20];
    h.ver.minor = raw[21];
    h.ver.revision = load16_le(raw + 22);
    h.ver.build = load32_le(raw + 24);
    h.pad = load32_le(raw + 28);
    if (h.magic != IMAGE_MAGIC || h.hdr_size < IMAGE_HEADER_SIZE) {
        return DFU_EBADMSG;
    }
    *out = h;
    return 0;
}

void image_header_encode(uint8_t raw[IMAGE_HEADER_SIZE], const struct image_header *hdr)
{
    store32_le(raw + 0, hdr->magic);
    store32_le(raw + 4, hdr->load_addr);
    store16_le(raw + 8, hdr->hdr_size);
    store16_le(raw + 10, hdr->protect_tlv_size);
    store32_le(raw + 12, hdr->img_size);
    store32_le(raw + 16, hdr->flags);
    raw[20] = hdr->ver.major;
    raw[21] = hdr->ver.minor;
    store16_le(raw + 22, hdr->ver.revision);
    store32_le(raw + 24, hdr->ver.build);
    store32_le(raw + 28, hdr->pad);
}

int image_header_read(const struct flash_area *fa, struct image_header *out)
{
    uint8_t raw[IMAGE_HEADER_SIZE];
    if (fa->size < IMAGE_HEADER_SIZE) {
        return DFU_ERANGE;
    }
    int err = flash_area_read(fa, 0, raw, sizeof(raw));
    if (err) {
        return err;
    }
    if (load32_le(raw) != IMAGE_MAGIC) {
        return DFU_ENOENT; /* erased slot or foreign data: there is no image here */
    }
    struct image_header h;
    err = image_header_decode(&h, raw);
    if (err) {
        return err;
    }
    if (h.protect_tlv_size != 0 && h.protect_tlv_size < IMAGE_TLV_INFO_SIZE) {
        return DFU_EBADMSG;
    }
    /* 64-bit sum: hdr_size + img_size + protect_tlv_size cannot wrap. */
    uint64_t end = (uint64_t)h.hdr_size + h.img_size + h.protect_tlv_size;
    if (end > fa->size) {
        return DFU_ERANGE;
    }
    *out = h;
    return 0;
}
