/* The crypto port (include/dfukit/crypto.h) on OpenSSL 3 EVP: streaming SHA-2 and signature
 * verification over MCUboot's key encodings. Host backend: OpenSSL allocates, and the pure
 * Ed25519 path buffers the whole message (EVP has no streaming Ed25519). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "dfukit/crypto.h"
#include "dfukit/err.h"

static const EVP_MD *md_of(enum crypto_hash_alg alg)
{
    switch (alg) {
    case CRYPTO_SHA256:
        return EVP_sha256();
    case CRYPTO_SHA384:
        return EVP_sha384();
    case CRYPTO_SHA512:
        return EVP_sha512();
    default:
        return NULL;
    }
}

size_t crypto_hash_size(enum crypto_hash_alg alg)
{
    switch (alg) {
    case CRYPTO_SHA256:
        return 32;
    case CRYPTO_SHA384:
        return 48;
    case CRYPTO_SHA512:
        return 64;
    default:
        return 0;
    }
}

int crypto_hash_start(struct crypto_hash *h, enum crypto_hash_alg alg)
{
    const EVP_MD *md = md_of(alg);
    h->alg = alg;
    h->impl = NULL;
    if (md == NULL) {
        return DFU_EINVAL;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) {
        return DFU_ENOMEM;
    }
    if (EVP_DigestInit_ex(ctx, md, NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        return DFU_EIO;
    }
    h->impl = ctx;
    return 0;
}

int crypto_hash_update(struct crypto_hash *h, const void *data, size_t len)
{
    if (h->impl == NULL) {
        return DFU_EINVAL;
    }
    return EVP_DigestUpdate(h->impl, data, len) == 1 ? 0 : DFU_EIO;
}

int crypto_hash_finish(struct crypto_hash *h, uint8_t *out)
{
    if (h->impl == NULL) {
        return DFU_EINVAL;
    }
    int ok = EVP_DigestFinal_ex(h->impl, out, NULL);
    crypto_hash_abort(h);
    return ok == 1 ? 0 : DFU_EIO;
}

void crypto_hash_abort(struct crypto_hash *h)
{
    EVP_MD_CTX_free(h->impl);
    h->impl = NULL;
}

int crypto_hash(enum crypto_hash_alg alg, const void *data, size_t len, uint8_t *out)
{
    struct crypto_hash h;
    int err = crypto_hash_start(&h, alg);
    if (!err) {
        err = crypto_hash_update(&h, data, len);
    }
    if (err) {
        crypto_hash_abort(&h);
        return err;
    }
    return crypto_hash_finish(&h, out);
}

/* Decodes a key and checks it is of the expected kind; NULL (with *err) otherwise. RSA keys
 * are PKCS#1 RSAPublicKey, the others SubjectPublicKeyInfo; trailing bytes are refused. */
static EVP_PKEY *load_key(enum crypto_sig_type type, const uint8_t *key, size_t key_len)
{
    const unsigned char *p = key;
    EVP_PKEY *pkey = NULL;
    const char *group = NULL;
    if (key == NULL || key_len == 0 || key_len > 0x7fffffff) {
        return NULL;
    }
    switch (type) {
    case CRYPTO_SIG_RSA2048_PSS:
    case CRYPTO_SIG_RSA3072_PSS:
        pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)key_len);
        break;
    case CRYPTO_SIG_ECDSA_P256:
    case CRYPTO_SIG_ECDSA_P384:
    case CRYPTO_SIG_ED25519:
        pkey = d2i_PUBKEY(NULL, &p, (long)key_len);
        break;
    }
    if (pkey == NULL || p != key + key_len) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    bool ok = false;
    char name[32];
    switch (type) {
    case CRYPTO_SIG_RSA2048_PSS:
        ok = EVP_PKEY_is_a(pkey, "RSA") && EVP_PKEY_get_bits(pkey) == 2048;
        break;
    case CRYPTO_SIG_RSA3072_PSS:
        ok = EVP_PKEY_is_a(pkey, "RSA") && EVP_PKEY_get_bits(pkey) == 3072;
        break;
    case CRYPTO_SIG_ECDSA_P256:
        group = "prime256v1";
        break;
    case CRYPTO_SIG_ECDSA_P384:
        group = "secp384r1";
        break;
    case CRYPTO_SIG_ED25519:
        ok = EVP_PKEY_is_a(pkey, "ED25519");
        break;
    }
    if (group != NULL) {
        ok = EVP_PKEY_is_a(pkey, "EC") &&
             EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name),
                                            NULL) == 1 &&
             strcmp(name, group) == 0;
    }
    if (!ok) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    return pkey;
}

/* Length of the DER SEQUENCE at the start of an ECDSA signature. Older imgtool padded the
 * TLV with zeros after it; anything else after the DER is refused. 0 when malformed. */
static size_t ecdsa_der_len(const uint8_t *sig, size_t sig_len)
{
    size_t len, hdr;
    if (sig_len < 2 || sig[0] != 0x30) {
        return 0;
    }
    if (sig[1] < 0x80) {
        hdr = 2;
        len = sig[1];
    } else if (sig[1] == 0x81 && sig_len >= 3) {
        hdr = 3;
        len = sig[2];
    } else {
        return 0;
    }
    if (len > sig_len - hdr) {
        return 0;
    }
    for (size_t i = hdr + len; i < sig_len; i++) {
        if (sig[i] != 0) {
            return 0;
        }
    }
    return hdr + len;
}

static int verify_pkey(enum crypto_sig_type type, EVP_PKEY *pkey, const uint8_t *digest,
                       size_t digest_len, const uint8_t *sig, size_t sig_len)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    int ok = 0;
    if (ctx == NULL) {
        return DFU_ENOMEM;
    }
    if (type == CRYPTO_SIG_RSA2048_PSS || type == CRYPTO_SIG_RSA3072_PSS) {
        ok = digest_len == 32 && sig_len == (size_t)EVP_PKEY_get_size(pkey) &&
             EVP_PKEY_verify_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, 32) == 1 &&
             EVP_PKEY_verify(ctx, sig, sig_len, digest, digest_len) == 1;
    } else {
        const EVP_MD *md = type == CRYPTO_SIG_ECDSA_P256 ? EVP_sha256() : EVP_sha384();
        size_t der_len = ecdsa_der_len(sig, sig_len);
        ok = der_len != 0 && digest_len == (size_t)EVP_MD_get_size(md) &&
             EVP_PKEY_verify_init(ctx) == 1 && EVP_PKEY_CTX_set_signature_md(ctx, md) == 1 &&
             EVP_PKEY_verify(ctx, sig, der_len, digest, digest_len) == 1;
    }
    EVP_PKEY_CTX_free(ctx);
    return ok ? 0 : DFU_ESIG;
}

static int verify_ed25519(EVP_PKEY *pkey, const uint8_t *msg, size_t msg_len, const uint8_t *sig,
                          size_t sig_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) {
        return DFU_ENOMEM;
    }
    int ok = sig_len == 64 && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
             EVP_DigestVerify(ctx, sig, sig_len, msg, msg_len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok ? 0 : DFU_ESIG;
}

int crypto_verify_digest(enum crypto_sig_type type, const uint8_t *key, size_t key_len,
                         const uint8_t *digest, size_t digest_len, const uint8_t *sig,
                         size_t sig_len)
{
    EVP_PKEY *pkey = load_key(type, key, key_len);
    if (pkey == NULL) {
        return DFU_EINVAL;
    }
    int err;
    if (type == CRYPTO_SIG_ED25519) {
        err = verify_ed25519(pkey, digest, digest_len, sig, sig_len);
    } else {
        err = verify_pkey(type, pkey, digest, digest_len, sig, sig_len);
    }
    EVP_PKEY_free(pkey);
    return err;
}

/* Read chunk for the pure path: bounded so a slow port is not asked for megabytes at once. */
#define PURE_CHUNK 4096u

int crypto_verify_ed25519_pure(const uint8_t *key, size_t key_len, crypto_read_fn read,
                               void *arg, uint32_t msg_len, const uint8_t sig[64])
{
    EVP_PKEY *pkey = load_key(CRYPTO_SIG_ED25519, key, key_len);
    if (pkey == NULL) {
        return DFU_EINVAL;
    }
    uint8_t *msg = malloc(msg_len > 0 ? msg_len : 1);
    if (msg == NULL) {
        EVP_PKEY_free(pkey);
        return DFU_ENOMEM;
    }
    int err = 0;
    for (uint32_t off = 0; off < msg_len && !err; off += PURE_CHUNK) {
        uint32_t n = msg_len - off < PURE_CHUNK ? msg_len - off : PURE_CHUNK;
        err = read(arg, off, msg + off, n);
    }
    if (!err) {
        err = verify_ed25519(pkey, msg, msg_len, sig, 64);
    }
    free(msg);
    EVP_PKEY_free(pkey);
    return err;
}
