/* The payload transform: AES-CTR with nonce 0 and the counter = payload offset / 16, so any
 * block can be processed on its own (what a resumed swap needs). */
#include <string.h>

#include "dfukit/crypto.h"
#include "dfukit/enc.h"
#include "dfukit/err.h"

static const uint8_t zero_iv[12];

int enc_payload_xor(const struct enc_key *key, const struct image_header *hdr, uint32_t image_off,
                    uint8_t *buf, uint32_t len)
{
    uint64_t start = hdr->hdr_size, end = start + hdr->img_size;
    uint64_t lo = image_off, hi = (uint64_t)image_off + len;
    if (lo < start) {
        lo = start;
    }
    if (hi > end) {
        hi = end;
    }
    if (lo >= hi) {
        return 0;  /* no payload byte in buf */
    }
    uint8_t *p = buf + (lo - image_off);
    uint32_t poff = (uint32_t)(lo - start), n = (uint32_t)(hi - lo);
    uint32_t skip = poff % CRYPTO_AES_BLOCK;
    if (skip != 0) {
        /* A block entered in the middle: run the whole block through a copy. */
        uint8_t blk[CRYPTO_AES_BLOCK] = {0};
        uint32_t k = CRYPTO_AES_BLOCK - skip < n ? CRYPTO_AES_BLOCK - skip : n;
        memcpy(blk + skip, p, k);
        int err = crypto_aes_ctr(key->bytes, key->len, zero_iv, poff / CRYPTO_AES_BLOCK, blk,
                                 sizeof blk);
        if (err) {
            return err;
        }
        memcpy(p, blk + skip, k);
        p += k;
        poff += k;
        n -= k;
    }
    return n == 0 ? 0 : crypto_aes_ctr(key->bytes, key->len, zero_iv, poff / CRYPTO_AES_BLOCK, p, n);
}
