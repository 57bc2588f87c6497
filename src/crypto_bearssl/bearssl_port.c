/* Device backend of the crypto port (include/dfukit/crypto.h) on BearSSL, built from Debian's
 * bearssl source package (never vendored): ECDSA-P256 verify with the generic i15 prime-curve
 * code (the smallest BearSSL offers), built for P-256 alone (ecdsa_p256_i15.c). The hash is
 * sha256_mbedtls.c's. */
#include "dfukit/crypto.h"

#include <string.h>

#include "dfukit/err.h"
#include "ecdsa_p256_i15.h"

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
