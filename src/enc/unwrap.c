/* The image key: the key TLV of the device key's scheme, unwrapped (ECIES-P256, ECIES-X25519,
 * RSA-OAEP, AES-KW). TLV layouts as MCUboot's: ECIES is ephemeral public key || tag || cipher. */
#include <string.h>

#include "dfukit/crypto.h"
#include "dfukit/enc.h"
#include "dfukit/err.h"

int enc_image_key_len(const struct image_header *hdr)
{
    uint32_t f = hdr->flags & (IMAGE_F_ENCRYPTED_AES128 | IMAGE_F_ENCRYPTED_AES256);
    if (f == (IMAGE_F_ENCRYPTED_AES128 | IMAGE_F_ENCRYPTED_AES256)) {
        return DFU_EBADMSG;
    }
    return f == IMAGE_F_ENCRYPTED_AES128 ? 16 : f == IMAGE_F_ENCRYPTED_AES256 ? 32 : 0;
}

int enc_tlv_len(enum enc_scheme scheme, size_t key_len)
{
    if (key_len != 16 && key_len != 32) {
        return DFU_EINVAL;
    }
    switch (scheme) {
    case ENC_SCHEME_EC256:
        return (int)(ENC_EC256_POINT_LEN + ENC_ECIES_MAC_LEN + key_len);
    case ENC_SCHEME_X25519:
        return (int)(ENC_X25519_POINT_LEN + ENC_ECIES_MAC_LEN + key_len);
    case ENC_SCHEME_RSA_OAEP:
        return ENC_RSA2048_LEN;
    case ENC_SCHEME_KW:
        return (int)(key_len + ENC_KW_OVERHEAD);
    }
    return DFU_EINVAL;
}

/* ECDH of the device key with the TLV's ephemeral public key, then the ECIES open. */
static int ecies_unwrap(const struct enc_exchange_key *xk, const uint8_t *tlv, size_t key_len,
                        uint8_t *out)
{
    uint8_t priv[32], shared[32];
    size_t point = xk->scheme == ENC_SCHEME_EC256 ? ENC_EC256_POINT_LEN : ENC_X25519_POINT_LEN;
    int err = enc_private_scalar(xk->scheme, xk->der, xk->len, priv);
    if (!err) {
        /* each call behind its constant, so a build without the scheme does not link it */
        if (xk->scheme == ENC_SCHEME_EC256) {
            err = ENC_HAS_SCHEME(ENC_SCHEME_EC256) ? crypto_ecdh_p256(priv, tlv, shared)
                                                   : DFU_ENOTSUP;
        } else {
            err = ENC_HAS_SCHEME(ENC_SCHEME_X25519) ? crypto_x25519(priv, tlv, shared)
                                                    : DFU_ENOTSUP;
        }
    }
    if (!err) {
        err = enc_ecies_open(shared, sizeof shared, tlv + point, tlv + point + ENC_ECIES_MAC_LEN,
                             key_len, out);
    }
    memset(priv, 0, sizeof priv);
    memset(shared, 0, sizeof shared);
    return err;
}

int enc_unwrap(const struct enc_exchange_key *xk, uint16_t tlv_type, const uint8_t *tlv,
               size_t tlv_len, size_t key_len, struct enc_key *out)
{
    if (xk == NULL || tlv_type != (uint16_t)xk->scheme) {
        return DFU_EINVAL;
    }
    int want = enc_tlv_len(xk->scheme, key_len);
    if (want < 0) {
        return want;
    }
    if (tlv_len != (size_t)want) {
        return DFU_EBADMSG;
    }
    int err;
    size_t n = 0;
    /* A scheme left out of ENC_SCHEMES is a constant false here: its code is not linked. */
    switch (xk->scheme) {
    case ENC_SCHEME_EC256:
    case ENC_SCHEME_X25519:
        err = ecies_unwrap(xk, tlv, key_len, out->bytes);
        break;
    case ENC_SCHEME_RSA_OAEP:
        if (!ENC_HAS_SCHEME(ENC_SCHEME_RSA_OAEP)) {
            err = DFU_ENOTSUP;
            break;
        }
        err = crypto_rsa_oaep_decrypt(xk->der, xk->len, tlv, tlv_len, out->bytes,
                                      sizeof out->bytes, &n);
        if (!err && n != key_len) {
            err = DFU_ESIG;
        }
        break;
    case ENC_SCHEME_KW:
        if (!ENC_HAS_SCHEME(ENC_SCHEME_KW)) {
            err = DFU_ENOTSUP;
            break;
        }
        err = crypto_aes_kw_unwrap(xk->der, xk->len, tlv, tlv_len, out->bytes);
        break;
    default:
        err = DFU_EINVAL;
    }
    out->len = err ? 0 : (uint8_t)key_len;
    if (err) {
        memset(out->bytes, 0, sizeof out->bytes);
    }
    return err;
}

int enc_image_key(const struct flash_area *fa, const struct image_header *hdr,
                  const struct enc_exchange_key *xk, struct enc_key *out)
{
    int key_len = enc_image_key_len(hdr);
    if (key_len <= 0) {
        return key_len == 0 ? DFU_ENOENT : key_len;
    }
    if (xk == NULL) {
        return DFU_EINVAL;
    }
    struct image_tlv_iter it;
    struct image_tlv tlv;
    int err = image_tlv_iter_begin(&it, fa, hdr, (uint16_t)xk->scheme, false);
    while (!err && (err = image_tlv_iter_next(&it, &tlv)) == 0 && tlv.is_protected) {
    }
    if (err) {
        return err == 1 ? DFU_ENOENT : err;
    }
    uint8_t buf[ENC_TLV_MAX];
    if (tlv.len > sizeof buf) {
        return DFU_EBADMSG;
    }
    err = flash_area_read(fa, tlv.off, buf, tlv.len);
    if (!err) {
        err = enc_unwrap(xk, tlv.type, buf, tlv.len, (size_t)key_len, out);
    }
    return err;
}
