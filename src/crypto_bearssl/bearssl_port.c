/* Device backend of the crypto port (include/dfukit/crypto.h) on BearSSL, built from Debian's
 * bearssl source package (never vendored): SHA-256 and ECDSA-P256 verify with the generic
 * i15 prime-curve code (the smallest BearSSL offers), built for P-256 alone (ecdsa_p256_i15.c). One hash runs at a time (the boot core
 * and the server hash sequentially), so its state is a static context, not a heap one. */
#include "dfukit/crypto.h"

#include <string.h>

#include "bearssl_hash.h"
#include "dfukit/err.h"
#include "ecdsa_p256_i15.h"

static br_sha256_context sha256_ctx;
static int sha256_busy;

size_t crypto_hash_size(enum crypto_hash_alg alg)
{
    return alg == CRYPTO_SHA256 ? 32 : alg == CRYPTO_SHA384 ? 48 : 64;
}

int crypto_hash_start(struct crypto_hash *h, enum crypto_hash_alg alg)
{
    h->alg = alg;
    h->impl = NULL;
    if (alg != CRYPTO_SHA256) {
        return DFU_ENOTSUP;
    }
    if (sha256_busy) {
        return DFU_EBUSY;
    }
    sha256_busy = 1;
    br_sha256_init(&sha256_ctx);
    h->impl = &sha256_ctx;
    return 0;
}

int crypto_hash_update(struct crypto_hash *h, const void *data, size_t len)
{
    if (h->impl == NULL) {
        return DFU_EINVAL;
    }
    br_sha256_update(h->impl, data, len);
    return 0;
}

int crypto_hash_finish(struct crypto_hash *h, uint8_t *out)
{
    if (h->impl == NULL) {
        return DFU_EINVAL;
    }
    br_sha256_out(h->impl, out);
    crypto_hash_abort(h);
    return 0;
}

void crypto_hash_abort(struct crypto_hash *h)
{
    if (h->impl != NULL) {
        h->impl = NULL;
        sha256_busy = 0;
    }
}

int crypto_hash(enum crypto_hash_alg alg, const void *data, size_t len, uint8_t *out)
{
    struct crypto_hash h;
    int err = crypto_hash_start(&h, alg);
    if (err == 0) {
        err = crypto_hash_update(&h, data, len);
    }
    return err != 0 ? (crypto_hash_abort(&h), err) : crypto_hash_finish(&h, out);
}

/* SubjectPublicKeyInfo of a P-256 key up to the uncompressed point (04 || X || Y), as
 * MCUboot's imgtool emits it: SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING }. */
static const uint8_t p256_spki_prefix[] = {
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
    0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
};
#define P256_POINT_LEN 65

/* The DER length of an ECDSA signature: imgtool's --pad-sig pads it with zeros. */
static size_t ecdsa_der_len(const uint8_t *sig, size_t sig_len)
{
    if (sig_len < 2 || sig[0] != 0x30 || sig[1] >= 0x80 || (size_t)sig[1] + 2 > sig_len) {
        return 0;
    }
    return (size_t)sig[1] + 2;
}

int crypto_verify_digest(enum crypto_sig_type type, const uint8_t *key, size_t key_len,
                         const uint8_t *digest, size_t digest_len, const uint8_t *sig,
                         size_t sig_len)
{
    if (type != CRYPTO_SIG_ECDSA_P256) {
        return DFU_ENOTSUP;
    }
    if (key_len != sizeof p256_spki_prefix + P256_POINT_LEN ||
        memcmp(key, p256_spki_prefix, sizeof p256_spki_prefix) != 0 ||
        key[sizeof p256_spki_prefix] != 0x04) {
        return DFU_EINVAL;
    }
    size_t der_len = ecdsa_der_len(sig, sig_len);
    if (der_len == 0 || digest_len != 32) {
        return DFU_ESIG;
    }
    return ecdsa_p256_i15_verify(digest, key + sizeof p256_spki_prefix, sig, der_len) == 1
               ? 0
               : DFU_ESIG;
}

int crypto_verify_ed25519_pure(const uint8_t *key, size_t key_len, crypto_read_fn read,
                               void *arg, uint32_t msg_len, const uint8_t sig[64])
{
    return DFU_ENOTSUP;
}
