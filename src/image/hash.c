/* The image hash as MCUboot computes it: header (with padding), body and protected TLV area,
 * streamed from flash in chunks of the caller's buffer. */
#include "dfukit/err.h"
#include "dfukit/image.h"

int image_hash_tlv_alg(uint16_t type, enum crypto_hash_alg *alg)
{
    switch (type) {
    case IMAGE_TLV_SHA256:
        *alg = CRYPTO_SHA256;
        return 0;
    case IMAGE_TLV_SHA384:
        *alg = CRYPTO_SHA384;
        return 0;
    case IMAGE_TLV_SHA512:
        *alg = CRYPTO_SHA512;
        return 0;
    default:
        return DFU_ENOENT;
    }
}

int image_hash_alg(const struct flash_area *fa, const struct image_header *hdr,
                   enum crypto_hash_alg *alg)
{
    struct image_tlv_iter it;
    struct image_tlv tlv;
    int found = 0;
    int err = image_tlv_iter_begin(&it, fa, hdr, IMAGE_TLV_ANY, false);
    if (err) {
        return err;
    }
    while ((err = image_tlv_iter_next(&it, &tlv)) == 0) {
        enum crypto_hash_alg a;
        if (image_hash_tlv_alg(tlv.type, &a) != 0) {
            continue;
        }
        if (found++ || tlv.is_protected || tlv.len != crypto_hash_size(a)) {
            return DFU_EBADMSG; /* a second hash, one in the hashed area, or a bad length */
        }
        *alg = a;
    }
    if (err < 0) {
        return err;
    }
    return found ? 0 : DFU_ENOENT;
}

static int compute_hash(const struct flash_area *fa, const struct image_header *hdr,
                        enum crypto_hash_alg alg, const struct image_xform *xf, uint8_t *tmp,
                        uint32_t tmp_len, uint8_t *out)
{
    uint64_t total = (uint64_t)hdr->hdr_size + hdr->img_size + hdr->protect_tlv_size;
    if (tmp == NULL || tmp_len == 0) {
        return DFU_ENOMEM;
    }
    if (total > fa->size) {
        return DFU_ERANGE;
    }
    struct crypto_hash h;
    int err = crypto_hash_start(&h, alg);
    if (err) {
        return err;
    }
    for (uint32_t off = 0; off < total;) {
        uint32_t n = (uint32_t)total - off < tmp_len ? (uint32_t)total - off : tmp_len;
        err = flash_area_read(fa, off, tmp, n);
#if IMAGE_XFORM
        if (!err && xf != NULL && xf->fn != NULL) {
            err = xf->fn(xf->arg, off, tmp, n);
        }
#endif
        if (!err) {
            err = crypto_hash_update(&h, tmp, n);
        }
        if (err) {
            crypto_hash_abort(&h);
            return err;
        }
        off += n;
    }
    return crypto_hash_finish(&h, out);
}

int image_compute_hash(const struct flash_area *fa, const struct image_header *hdr,
                       enum crypto_hash_alg alg, uint8_t *tmp, uint32_t tmp_len, uint8_t *out)
{
    return compute_hash(fa, hdr, alg, NULL, tmp, tmp_len, out);
}

#if IMAGE_XFORM
int image_compute_hash_xform(const struct flash_area *fa, const struct image_header *hdr,
                             enum crypto_hash_alg alg, const struct image_xform *xf, uint8_t *tmp,
                             uint32_t tmp_len, uint8_t *out)
{
    return compute_hash(fa, hdr, alg, xf, tmp, tmp_len, out);
}
#endif
