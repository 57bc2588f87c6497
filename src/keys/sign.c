/* Image signatures as imgtool makes them: RSA-PSS and ECDSA over the prehashed image digest,
 * Ed25519 over the digest (default) or over the image itself (pure). */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "dfukit/err.h"
#include "dfukit/image.h"
#include "dfukit/keys.h"
#include "keys_priv.h"

uint16_t keys_sig_tlv(enum keys_type type)
{
    switch (type) {
    case KEYS_RSA2048:
        return IMAGE_TLV_RSA2048_PSS;
    case KEYS_RSA3072:
        return IMAGE_TLV_RSA3072_PSS;
    case KEYS_ECDSA_P256:
    case KEYS_ECDSA_P384:
        return IMAGE_TLV_ECDSA_SIG;
    case KEYS_ED25519:
        return IMAGE_TLV_ED25519;
    case KEYS_X25519:
        break;
    }
    return 0;
}

int keys_crypto_sig_type(enum keys_type type, enum crypto_sig_type *out)
{
    switch (type) {
    case KEYS_RSA2048:
        *out = CRYPTO_SIG_RSA2048_PSS;
        return 0;
    case KEYS_RSA3072:
        *out = CRYPTO_SIG_RSA3072_PSS;
        return 0;
    case KEYS_ECDSA_P256:
        *out = CRYPTO_SIG_ECDSA_P256;
        return 0;
    case KEYS_ECDSA_P384:
        *out = CRYPTO_SIG_ECDSA_P384;
        return 0;
    case KEYS_ED25519:
        *out = CRYPTO_SIG_ED25519;
        return 0;
    case KEYS_X25519:
        break;
    }
    return DFU_EINVAL;
}

/* Ed25519 takes the whole message in one call (no prehash). */
static int ed25519_sign(EVP_PKEY *pkey, const uint8_t *msg, size_t len, uint8_t *sig, size_t cap)
{
    if (cap < 64) {
        return DFU_ENOMEM;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t siglen = cap;
    int ok = md && EVP_DigestSignInit(md, NULL, NULL, NULL, pkey) == 1 &&
             EVP_DigestSign(md, sig, &siglen, msg, len) == 1;
    EVP_MD_CTX_free(md);
    return ok ? (int)siglen : DFU_EIO;
}

int keys_sign_digest(const struct keys_key *key, const uint8_t *digest, size_t digest_len,
                     uint8_t *sig, size_t cap)
{
    if (!key->priv) {
        return DFU_EPERM;
    }
    const EVP_MD *md;
    switch (key->type) {
    case KEYS_ED25519:
        return ed25519_sign(key->pkey, digest, digest_len, sig, cap);
    case KEYS_RSA2048:
    case KEYS_RSA3072:
    case KEYS_ECDSA_P256:
        md = EVP_sha256();
        break;
    case KEYS_ECDSA_P384:
        md = EVP_sha384();
        break;
    default:
        return DFU_EINVAL;
    }
    if (digest_len != (size_t)EVP_MD_get_size(md)) {
        return DFU_EINVAL;
    }
    bool rsa = key->type == KEYS_RSA2048 || key->type == KEYS_RSA3072;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key->pkey, NULL);
    size_t siglen = cap;
    int ok = ctx && EVP_PKEY_sign_init(ctx) == 1 && EVP_PKEY_CTX_set_signature_md(ctx, md) == 1;
    if (ok && rsa) {
        /* MCUboot accepts PSS with MGF1-SHA-256 and a 32-byte salt only. */
        ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, 32) == 1;
    }
    if (ok) {
        size_t need = 0;
        ok = EVP_PKEY_sign(ctx, NULL, &need, digest, digest_len) == 1;
        if (ok && need > cap) {
            EVP_PKEY_CTX_free(ctx);
            return DFU_ENOMEM;
        }
        ok = ok && EVP_PKEY_sign(ctx, sig, &siglen, digest, digest_len) == 1;
    }
    EVP_PKEY_CTX_free(ctx);
    return ok ? (int)siglen : DFU_EIO;
}

int keys_sign_message(const struct keys_key *key, const uint8_t *msg, size_t len, uint8_t *sig,
                      size_t cap)
{
    if (!key->priv) {
        return DFU_EPERM;
    }
    if (key->type != KEYS_ED25519) {
        return DFU_ENOTSUP;
    }
    return ed25519_sign(key->pkey, msg, len, sig, cap);
}
