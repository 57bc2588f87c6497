/* The crypto port's encryption primitives (include/dfukit/crypto.h) on OpenSSL 3 EVP: AES-CTR,
 * HMAC-SHA256, ECDH P-256, X25519, RSA-OAEP and AES key unwrap, for encrypted images. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "dfukit/crypto.h"
#include "dfukit/err.h"

static const EVP_CIPHER *aes_ctr_of(size_t key_len)
{
    return key_len == 16 ? EVP_aes_128_ctr() : key_len == 32 ? EVP_aes_256_ctr() : NULL;
}

int crypto_aes_ctr(const uint8_t *key, size_t key_len, const uint8_t iv[12], uint32_t block,
                   uint8_t *buf, size_t len)
{
    const EVP_CIPHER *c = aes_ctr_of(key_len);
    if (c == NULL || len > 0x7fffffff) {
        return DFU_EINVAL;
    }
    uint8_t ctr[CRYPTO_AES_BLOCK];
    memcpy(ctr, iv, 12);
    ctr[12] = (uint8_t)(block >> 24);
    ctr[13] = (uint8_t)(block >> 16);
    ctr[14] = (uint8_t)(block >> 8);
    ctr[15] = (uint8_t)block;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        return DFU_ENOMEM;
    }
    int out = 0;
    int ok = EVP_EncryptInit_ex(ctx, c, NULL, key, ctr) == 1 &&
             EVP_EncryptUpdate(ctx, buf, &out, buf, (int)len) == 1 && (size_t)out == len;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? 0 : DFU_EIO;
}

int crypto_hmac_sha256(const uint8_t *key, size_t key_len, const void *data, size_t len,
                       uint8_t out[32])
{
    size_t n = 0;
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_end(),
    };
    int ok = ctx != NULL && key != NULL && EVP_MAC_init(ctx, key, key_len, params) == 1 &&
             EVP_MAC_update(ctx, data, len) == 1 && EVP_MAC_final(ctx, out, &n, 32) == 1 &&
             n == 32;
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return ok ? 0 : DFU_EIO;
}

/* Derives the shared secret of two keys of the same kind into shared (exactly 32 bytes). */
static int derive(EVP_PKEY *mine, EVP_PKEY *peer, uint8_t shared[32])
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL);
    size_t n = 32;
    int ok = ctx != NULL && EVP_PKEY_derive_init(ctx) == 1 &&
             EVP_PKEY_derive_set_peer(ctx, peer) == 1 && EVP_PKEY_derive(ctx, shared, &n) == 1 &&
             n == 32;
    EVP_PKEY_CTX_free(ctx);
    return ok ? 0 : DFU_ESIG;
}

/* A P-256 key from a private scalar or a public point (the other NULL). */
static EVP_PKEY *p256_key(const uint8_t priv[32], const uint8_t pub[65])
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *d = priv ? BN_bin2bn(priv, 32, NULL) : NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    int ok = bld != NULL && ctx != NULL && (priv == NULL || d != NULL) &&
             OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
             (priv == NULL || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d)) &&
             (pub == NULL || OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, 65));
    if (ok) {
        params = OSSL_PARAM_BLD_to_param(bld);
    }
    if (params != NULL && EVP_PKEY_fromdata_init(ctx) == 1) {
        EVP_PKEY_fromdata(ctx, &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params);
    }
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(d);
    EVP_PKEY_CTX_free(ctx);
    return pkey;
}

int crypto_ecdh_p256(const uint8_t priv[32], const uint8_t peer[65], uint8_t shared[32])
{
    if (peer[0] != 0x04) {
        return DFU_ESIG;
    }
    EVP_PKEY *mine = p256_key(priv, NULL);
    EVP_PKEY *theirs = p256_key(NULL, peer);
    int err = mine == NULL ? DFU_EINVAL : theirs == NULL ? DFU_ESIG : derive(mine, theirs, shared);
    EVP_PKEY_free(mine);
    EVP_PKEY_free(theirs);
    return err;
}

int crypto_x25519(const uint8_t priv[32], const uint8_t peer[32], uint8_t shared[32])
{
    EVP_PKEY *mine = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, 32);
    EVP_PKEY *theirs = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, 32);
    int err = mine == NULL || theirs == NULL ? DFU_EINVAL : derive(mine, theirs, shared);
    EVP_PKEY_free(mine);
    EVP_PKEY_free(theirs);
    return err;
}

int crypto_rsa_oaep_decrypt(const uint8_t *priv, size_t priv_len, const uint8_t *in,
                            size_t in_len, uint8_t *out, size_t cap, size_t *out_len)
{
    const unsigned char *p = priv;
    if (priv == NULL || priv_len == 0 || priv_len > 0x7fffffff) {
        return DFU_EINVAL;
    }
    EVP_PKEY *pkey = d2i_AutoPrivateKey(NULL, &p, (long)priv_len);
    if (pkey == NULL || !EVP_PKEY_is_a(pkey, "RSA")) {
        EVP_PKEY_free(pkey);
        return DFU_EINVAL;
    }
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    uint8_t tmp[512];
    size_t n = sizeof tmp;
    int ok = ctx != NULL && in_len == (size_t)EVP_PKEY_get_size(pkey) && in_len <= sizeof tmp &&
             EVP_PKEY_decrypt_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) == 1 &&
             EVP_PKEY_decrypt(ctx, tmp, &n, in, in_len) == 1 && n <= cap;
    if (ok) {
        memcpy(out, tmp, n);
        *out_len = n;
    }
    OPENSSL_cleanse(tmp, sizeof tmp);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return ok ? 0 : DFU_ESIG;
}

int crypto_aes_kw_unwrap(const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len,
                         uint8_t *out)
{
    const EVP_CIPHER *c = kek_len == 16 ? EVP_aes_128_wrap() : kek_len == 32 ? EVP_aes_256_wrap()
                                                                          : NULL;
    if (c == NULL || in_len < 24 || in_len % 8 != 0 || in_len > 1024) {
        return DFU_EINVAL;
    }
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        return DFU_ENOMEM;
    }
    EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
    int n = 0, fin = 0;
    uint8_t tmp[1024];
    int ok = EVP_DecryptInit_ex(ctx, c, NULL, kek, NULL) == 1 &&
             EVP_DecryptUpdate(ctx, tmp, &n, in, (int)in_len) == 1 &&
             EVP_DecryptFinal_ex(ctx, tmp + n, &fin) == 1 && (size_t)(n + fin) == in_len - 8;
    if (ok) {
        memcpy(out, tmp, in_len - 8);
    }
    OPENSSL_cleanse(tmp, sizeof tmp);
    EVP_CIPHER_CTX_free(ctx);
    return ok ? 0 : DFU_ESIG;
}
