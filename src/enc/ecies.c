/* ECIES as MCUboot wraps image keys: HKDF-SHA256 (RFC 5869) of the ECDH shared secret into a
 * key-encryption key and a MAC key; the AES key is AES-CTR'd with nonce 0 and tagged with
 * HMAC-SHA256 over the ciphertext. One derivation for the device's unwrap and the host's wrap. */
#include <string.h>

#include "dfukit/crypto.h"
#include "dfukit/enc.h"
#include "dfukit/err.h"

#define SHA256_LEN 32

/* HKDF with no salt, which RFC 5869 defines as a hash-length string of zeros. */
static int hkdf_sha256(const uint8_t *ikm, size_t ikm_len, const char *info, uint8_t *okm,
                       size_t okm_len)
{
    uint8_t prk[SHA256_LEN];
    uint8_t t[SHA256_LEN + 32 + 1];  /* T(i-1) || info || i */
    size_t info_len = strlen(info);
    if (ikm_len == 0 || okm_len > 255 * SHA256_LEN || info_len > 32) {
        return DFU_EINVAL;
    }
    static const uint8_t salt[SHA256_LEN];
    int err = crypto_hmac_sha256(salt, sizeof salt, ikm, ikm_len, prk);
    size_t prev = 0;
    for (uint8_t i = 1; !err && okm_len > 0; i++) {
        memcpy(t + prev, info, info_len);
        t[prev + info_len] = i;
        uint8_t block[SHA256_LEN];
        err = crypto_hmac_sha256(prk, sizeof prk, t, prev + info_len + 1, block);
        size_t n = okm_len < SHA256_LEN ? okm_len : SHA256_LEN;
        memcpy(okm, block, n);
        memcpy(t, block, SHA256_LEN);
        prev = SHA256_LEN;
        okm += n;
        okm_len -= n;
    }
    memset(prk, 0, sizeof prk);
    memset(t, 0, sizeof t);
    return err;
}

int enc_ecies_kdf(const uint8_t *shared, size_t shared_len, size_t key_len, uint8_t *kek,
                  uint8_t mac_key[ENC_ECIES_MAC_LEN])
{
    uint8_t okm[ENC_KEY_MAX + ENC_ECIES_MAC_LEN];
    if (key_len != 16 && key_len != 32) {
        return DFU_EINVAL;
    }
    int err = hkdf_sha256(shared, shared_len, ENC_ECIES_INFO, okm, key_len + ENC_ECIES_MAC_LEN);
    if (!err) {
        memcpy(kek, okm, key_len);
        memcpy(mac_key, okm + key_len, ENC_ECIES_MAC_LEN);
    }
    memset(okm, 0, sizeof okm);
    return err;
}

static const uint8_t zero_iv[12];

int enc_ecies_seal(const uint8_t *shared, size_t shared_len, const uint8_t *key, size_t key_len,
                   uint8_t tag[ENC_ECIES_MAC_LEN], uint8_t *cipher)
{
    uint8_t kek[ENC_KEY_MAX], mac[ENC_ECIES_MAC_LEN];
    int err = enc_ecies_kdf(shared, shared_len, key_len, kek, mac);
    if (!err) {
        memmove(cipher, key, key_len);
        err = crypto_aes_ctr(kek, key_len, zero_iv, 0, cipher, key_len);
    }
    if (!err) {
        err = crypto_hmac_sha256(mac, sizeof mac, cipher, key_len, tag);
    }
    memset(kek, 0, sizeof kek);
    memset(mac, 0, sizeof mac);
    return err;
}

int enc_ecies_open(const uint8_t *shared, size_t shared_len, const uint8_t tag[ENC_ECIES_MAC_LEN],
                   const uint8_t *cipher, size_t key_len, uint8_t *key)
{
    uint8_t kek[ENC_KEY_MAX], mac[ENC_ECIES_MAC_LEN], want[ENC_ECIES_MAC_LEN];
    int err = enc_ecies_kdf(shared, shared_len, key_len, kek, mac);
    if (!err) {
        err = crypto_hmac_sha256(mac, sizeof mac, cipher, key_len, want);
    }
    if (!err) {
        /* No early exit: timing must not tell how much of the tag matched. */
        uint8_t diff = 0;
        for (size_t i = 0; i < ENC_ECIES_MAC_LEN; i++) {
            diff |= (uint8_t)(want[i] ^ tag[i]);
        }
        err = diff ? DFU_ESIG : 0;
    }
    if (!err) {
        memmove(key, cipher, key_len);
        err = crypto_aes_ctr(kek, key_len, zero_iv, 0, key, key_len);
    }
    memset(kek, 0, sizeof kek);
    memset(mac, 0, sizeof mac);
    return err;
}
