/* `imgtool sign -E`: the encryption steps of an image build, as upstream imgtool takes them.
 * The body is padded to the AES block, the header flagged, hashed and signed in the clear;
 * then a random AES key is wrapped for the device (key TLV after the signature) and the body
 * is AES-CTR encrypted from image offset 0 (the header's end). Host only. */
#include <stdio.h>
#include <string.h>

#include "build_priv.h"
#include "dfukit/enc.h"
#include "dfukit/err.h"
#include "dfukit/image.h"
#include "dfukit/keys.h"

#define AES_BLOCK 16

bool imgbuild_encrypting(const struct imgbuild_opts *o)
{
    return o->enc_key != NULL || o->enc_kek != NULL;
}

static size_t aes_key_len(const struct imgbuild_opts *o)
{
    return o->enc_keylen == 256 ? 32 : 16;
}

uint16_t imgbuild_enc_tlv(const struct imgbuild_opts *o)
{
    if (o->enc_kek) {
        return IMAGE_TLV_ENC_KW;
    }
    return o->enc_key ? keys_enc_tlv(keys_get_type(o->enc_key)) : 0;
}

size_t imgbuild_enc_tlv_len(const struct imgbuild_opts *o)
{
    uint16_t tlv = imgbuild_enc_tlv(o);
    int n = tlv ? enc_tlv_len((enum enc_scheme)tlv, aes_key_len(o)) : 0;
    return n > 0 ? (size_t)n : 0;
}

uint32_t imgbuild_enc_flag(const struct imgbuild_opts *o)
{
    if (!imgbuild_encrypting(o)) {
        return 0;
    }
    return o->enc_keylen == 256 ? IMAGE_F_ENCRYPTED_AES256 : IMAGE_F_ENCRYPTED_AES128;
}

/* Upstream's rule: an ECDSA P-256 signer encrypts for a P-256 key, an RSA signer for an RSA
 * key (Ed25519 pairs with X25519, but upstream does not insist). */
static bool same_family(enum keys_type sig, enum keys_type enc)
{
    switch (sig) {
    case KEYS_ECDSA_P256:
    case KEYS_ECDSA_P384:
        return enc == KEYS_ECDSA_P256 && sig == KEYS_ECDSA_P256;
    case KEYS_RSA2048:
    case KEYS_RSA3072:
        return enc == KEYS_RSA2048;
    default:
        return true;
    }
}

int imgbuild_enc_check(struct imgbuild *b, const struct imgbuild_opts *o)
{
    if (!imgbuild_encrypting(o)) {
        return 0;
    }
    if (o->enc_key && o->enc_kek) {
        snprintf(b->err, sizeof(b->err), "-E takes one key: an exchange key or an AES key");
        return DFU_EINVAL;
    }
    if (o->enc_keylen != 0 && o->enc_keylen != 128 && o->enc_keylen != 256) {
        snprintf(b->err, sizeof(b->err), "invalid --encrypt-keylen %u (128 or 256)",
                 o->enc_keylen);
        return DFU_EINVAL;
    }
    if (o->enc_kek && o->enc_kek_len != 16 && o->enc_kek_len != 32) {
        snprintf(b->err, sizeof(b->err),
                 "the AES key-wrap key must be 16 or 32 bytes (got %zu)", o->enc_kek_len);
        return DFU_EINVAL;
    }
    if (o->enc_key && keys_enc_tlv(keys_get_type(o->enc_key)) == 0) {
        snprintf(b->err, sizeof(b->err),
                 "%s keys cannot encrypt images (-E takes an ecdsa-p256, x25519 or rsa-2048 "
                 "key, or a raw 16- or 32-byte AES key)",
                 keys_type_name(keys_get_type(o->enc_key)));
        return DFU_EINVAL;
    }
    const struct keys_key *signer = o->key ? o->key : o->fix_sig_pubkey;
    if (o->enc_key && signer &&
        !same_family(keys_get_type(signer), keys_get_type(o->enc_key))) {
        snprintf(b->err, sizeof(b->err), "Signing and encryption must use the same type of key");
        return DFU_EINVAL;
    }
    if (o->vector != IMGBUILD_VECTOR_NONE) {
        snprintf(b->err, sizeof(b->err), "--vector-to-sign cannot be combined with -E");
        return DFU_EINVAL;
    }
    return 0;
}

int imgbuild_enc_pad(struct imgbuild *b, const struct imgbuild_opts *o)
{
    if (!imgbuild_encrypting(o) || b->len < o->header_size) {
        return 0;
    }
    uint8_t pad[AES_BLOCK];
    size_t n = (AES_BLOCK - (b->len - o->header_size) % AES_BLOCK) % AES_BLOCK;
    memset(pad, o->erased_val, sizeof(pad));
    return n ? imgbuild_append(b, pad, n) : 0;
}

int imgbuild_enc_seal(struct imgbuild *b, const struct imgbuild_opts *o, uint8_t *val)
{
    struct enc_key key = {.len = (uint8_t)aes_key_len(o)};
    int n = keys_random(key.bytes, key.len);
    if (n == 0) {
        n = o->enc_kek ? keys_kw_wrap(o->enc_kek, o->enc_kek_len, key.bytes, key.len, val,
                                      ENC_TLV_MAX)
                       : keys_enc_wrap(o->enc_key, key.bytes, key.len, val, ENC_TLV_MAX);
    }
    if (n < 0) {
        memset(&key, 0, sizeof(key));
        snprintf(b->err, sizeof(b->err), "cannot wrap the image's AES key (%s)",
                 dfu_strerror(n));
        return n;
    }
    int rc = 0;
    struct image_header hdr;
    if (!o->enc_clear) {
        /* The header is final here; the payload transform skips it by image offset. */
        rc = image_header_decode(&hdr, b->data);
        rc = rc ? rc : enc_payload_xor(&key, &hdr, 0, b->data, hdr.hdr_size + hdr.img_size);
        if (rc) {
            snprintf(b->err, sizeof(b->err), "cannot encrypt the image (%s)", dfu_strerror(rc));
        }
    }
    memset(&key, 0, sizeof(key));
    return rc;
}
