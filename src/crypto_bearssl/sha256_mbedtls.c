/* SHA-256 of the device crypto port (include/dfukit/crypto.h) from Debian's mbedTLS source
 * (never vendored): its sha256.c with MBEDTLS_SHA256_SMALLER (mbedtls_sha256_config.h), about
 * 500 bytes less than BearSSL's unrolled SHA-256. Compiled with the port's hash calls as one
 * unit with -fwhole-program (CMakeLists.txt): only the crypto_hash_* functions are visible, and
 * SHA-224's half of mbedTLS's code drops out. One hash runs at a time (the boot core and the
 * server hash sequentially), so its state is a static context, not a heap one. */
#include "library/sha256.c"
#include "library/platform_util.c"

#include "dfukit/crypto.h"
#include "dfukit/err.h"

#define PORT_API __attribute__((externally_visible))

static mbedtls_sha256_context sha256_ctx;
static int sha256_busy;

PORT_API size_t crypto_hash_size(enum crypto_hash_alg alg)
{
    return alg == CRYPTO_SHA256 ? 32 : alg == CRYPTO_SHA384 ? 48 : 64;
}

PORT_API int crypto_hash_start(struct crypto_hash *h, enum crypto_hash_alg alg)
{
    h->alg = alg;
    h->impl = NULL;
    if (alg != CRYPTO_SHA256) {
        return DFU_ENOTSUP;
    }
    if (sha256_busy) {
        return DFU_EBUSY;
    }
    mbedtls_sha256_init(&sha256_ctx);
    if (mbedtls_sha256_starts_ret(&sha256_ctx, 0) != 0) {
        return DFU_EIO;
    }
    sha256_busy = 1;
    h->impl = &sha256_ctx;
    return 0;
}

PORT_API int crypto_hash_update(struct crypto_hash *h, const void *data, size_t len)
{
    if (h->impl == NULL) {
        return DFU_EINVAL;
    }
    return mbedtls_sha256_update_ret(h->impl, data, len) == 0 ? 0 : DFU_EIO;
}

PORT_API void crypto_hash_abort(struct crypto_hash *h)
{
    if (h->impl != NULL) {
        /* No mbedtls_sha256_free (a zeroize): what is hashed here is public (images). */
        h->impl = NULL;
        sha256_busy = 0;
    }
}

PORT_API int crypto_hash_finish(struct crypto_hash *h, uint8_t *out)
{
    if (h->impl == NULL) {
        return DFU_EINVAL;
    }
    int err = mbedtls_sha256_finish_ret(h->impl, out) == 0 ? 0 : DFU_EIO;
    crypto_hash_abort(h);
    return err;
}

PORT_API int crypto_hash(enum crypto_hash_alg alg, const void *data, size_t len, uint8_t *out)
{
    struct crypto_hash h;
    int err = crypto_hash_start(&h, alg);
    if (err == 0) {
        err = crypto_hash_update(&h, data, len);
    }
    return err != 0 ? (crypto_hash_abort(&h), err) : crypto_hash_finish(&h, out);
}
