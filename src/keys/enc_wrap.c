/* The sender's half of MCUboot's key exchange (imgtool sign -E), over OpenSSL 3: wrap the
 * image's random AES key for the device's exchange key: the ephemeral key, ECDH, RSA-OAEP and
 * AES-KW here; the ECIES derivation, AES-CTR and tag are the device library's
 * (enc_ecies_seal in dfukit/enc.h), so what we wrap is what the bootloader unwraps. Host only. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "dfukit/enc.h"
#include "dfukit/err.h"
#include "dfukit/image.h"
#include "dfukit/keys.h"
#include "keys_priv.h"

uint16_t keys_enc_tlv(enum keys_type type)
{
    switch (type) {
    case KEYS_ECDSA_P256:
        return IMAGE_TLV_ENC_EC256;
    case KEYS_X25519:
        return IMAGE_TLV_ENC_X25519;
    case KEYS_RSA2048:
        return IMAGE_TLV_ENC_RSA2048;
    default:
        return 0;
    }
}

/* Length of the ephemeral public key an ECIES TLV starts with (0: not ECIES). */
static size_t ephemeral_len(enum keys_type type)
{
    return type == KEYS_ECDSA_P256 ? ENC_EC256_POINT_LEN
           : type == KEYS_X25519   ? ENC_X25519_POINT_LEN
                                   : 0;
}

int keys_random(uint8_t *out, size_t len)
{
    return len <= 0x7fffffff && RAND_bytes(out, (int)len) == 1 ? 0 : DFU_EIO;
}

static int rsa_oaep(EVP_PKEY *pkey, const uint8_t *key, size_t key_len, uint8_t *out,
                    size_t cap)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    size_t n = cap;
    int ok = ctx && EVP_PKEY_encrypt_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) == 1 &&
             EVP_PKEY_encrypt(ctx, out, &n, key, key_len) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok && n == ENC_RSA2048_LEN ? (int)n : DFU_EIO;
}

/* A fresh key pair on the exchange key's curve and its public bytes as the TLV carries them
 * (P-256: uncompressed X9.62 point, 65 bytes; X25519: raw, 32 bytes). */
static EVP_PKEY *ephemeral(enum keys_type type, uint8_t *pub, size_t len)
{
    EVP_PKEY *eph = type == KEYS_ECDSA_P256 ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")
                                            : EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
    size_t n = 0;
    int ok = eph != NULL;
    if (ok && type == KEYS_ECDSA_P256) {
        ok = EVP_PKEY_get_octet_string_param(eph, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pub, len,
                                             &n) == 1;
    } else if (ok) {
        n = len;
        ok = EVP_PKEY_get_raw_public_key(eph, pub, &n) == 1;
    }
    if (!ok || n != len || (type == KEYS_ECDSA_P256 && pub[0] != 0x04)) {
        EVP_PKEY_free(eph);
        return NULL;
    }
    return eph;
}

static int ecdh(EVP_PKEY *mine, EVP_PKEY *peer, uint8_t *secret, size_t cap, size_t *len)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL);
    *len = cap;
    int ok = ctx && EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, peer) == 1 &&
             EVP_PKEY_derive(ctx, secret, len) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok ? 0 : DFU_EIO;
}

int keys_enc_wrap(const struct keys_key *pub, const uint8_t *aes_key, size_t key_len,
                  uint8_t *out, size_t cap)
{
    if (key_len != 16 && key_len != 32) {
        return DFU_EINVAL;
    }
    uint16_t scheme = keys_enc_tlv(pub->type);
    int need = scheme ? enc_tlv_len((enum enc_scheme)scheme, key_len) : DFU_EINVAL;
    if (need < 0) {
        return need;
    }
    if (cap < (size_t)need) {
        return DFU_ENOMEM;
    }
    if (pub->type == KEYS_RSA2048) {
        return rsa_oaep(pub->pkey, aes_key, key_len, out, cap);
    }
    size_t eph_len = ephemeral_len(pub->type);
    EVP_PKEY *eph = ephemeral(pub->type, out, eph_len);
    if (!eph) {
        return DFU_EIO;
    }
    uint8_t secret[32];
    size_t secret_len;
    int rc = ecdh(eph, pub->pkey, secret, sizeof(secret), &secret_len);
    EVP_PKEY_free(eph);
    if (rc == 0) {
        rc = enc_ecies_seal(secret, secret_len, aes_key, key_len, out + eph_len,
                             out + eph_len + ENC_ECIES_MAC_LEN);
    }
    OPENSSL_cleanse(secret, sizeof(secret));
    return rc ? rc : need;
}

int keys_kw_wrap(const uint8_t *kek, size_t kek_len, const uint8_t *aes_key, size_t key_len,
                 uint8_t *out, size_t cap)
{
    if ((kek_len != 16 && kek_len != 32) || (key_len != 16 && key_len != 32)) {
        return DFU_EINVAL;
    }
    if (cap < key_len + 8) {
        return DFU_ENOMEM;
    }
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, fin = 0;
    int ok = ctx != NULL;
    if (ok) {
        /* OpenSSL refuses the wrap modes unless asked to allow them. */
        EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
        ok = EVP_EncryptInit_ex(ctx, kek_len == 16 ? EVP_aes_128_wrap() : EVP_aes_256_wrap(),
                                NULL, kek, NULL) == 1 &&
             EVP_EncryptUpdate(ctx, out, &n, aes_key, (int)key_len) == 1 &&
             EVP_EncryptFinal_ex(ctx, out + n, &fin) == 1;
    }
    EVP_CIPHER_CTX_free(ctx);
    return ok && (size_t)(n + fin) == key_len + 8 ? n + fin : DFU_EIO;
}
