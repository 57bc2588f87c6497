/* The hash half of the device crypto port (include/dfukit/crypto.h) on BearSSL's SHA-256, an
 * object of its own in dfu_crypto so that the Ed25519 backend (src/crypto_sodium) links it
 * without the ECDSA one. One hash runs at a time (the boot core and the server hash
 * sequentially), so its state is a static context, not a heap one. */
#include "dfukit/crypto.h"

#include "bearssl_hash.h"
#include "dfukit/err.h"

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
