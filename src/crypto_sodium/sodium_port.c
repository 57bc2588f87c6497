/* Device backend of the crypto port's signature check (include/dfukit/crypto.h) for Ed25519,
 * on libsodium's ref10 Ed25519 and SHA-512, built from Debian's libsodium source package
 * (never vendored; see CMakeLists.txt). As MCUboot, the signed message is the image digest
 * itself. The hashes are dfu_crypto's (src/crypto_bearssl/sha256.c).
 *
 * Pure Ed25519 (imgtool --pure, the image itself as the message) is not offered:
 * libsodium 1.0.18 verifies only a message held in memory (its multi-part API is Ed25519ph,
 * another scheme), and an image in flash is up to a slot long. */
#include "dfukit/crypto.h"

#include <string.h>

#include "dfukit/err.h"
#include "sodium/crypto_sign_ed25519.h"

/* SubjectPublicKeyInfo of an Ed25519 key, as imgtool emits it: SEQUENCE { SEQUENCE { id-Ed25519 },
 * BIT STRING { 32-byte key } } (RFC 8410). */
static const uint8_t ed25519_spki_prefix[] = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
};
#define ED25519_KEY_LEN 32
#define ED25519_SIG_LEN 64

int crypto_verify_digest(enum crypto_sig_type type, const uint8_t *key, size_t key_len,
                         const uint8_t *digest, size_t digest_len, const uint8_t *sig,
                         size_t sig_len)
{
    if (type != CRYPTO_SIG_ED25519) {
        return DFU_ENOTSUP;
    }
    if (key_len != sizeof ed25519_spki_prefix + ED25519_KEY_LEN ||
        memcmp(key, ed25519_spki_prefix, sizeof ed25519_spki_prefix) != 0) {
        return DFU_EINVAL;
    }
    if (sig_len != ED25519_SIG_LEN) {
        return DFU_ESIG;
    }
    return crypto_sign_ed25519_verify_detached(sig, digest, digest_len,
                                               key + sizeof ed25519_spki_prefix) == 0
               ? 0
               : DFU_ESIG;
}

int crypto_verify_ed25519_pure(const uint8_t *key, size_t key_len, crypto_read_fn read,
                               void *arg, uint32_t msg_len, const uint8_t sig[64])
{
    return DFU_ENOTSUP;
}
