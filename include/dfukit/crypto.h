/* The crypto port used by device-side code (image validation in the bootloader and the SMP
 * server): streaming hashes and signature verification over MCUboot's public-key encodings.
 * Bound at link time; the host backend (src/crypto/) uses OpenSSL libcrypto. A port may keep
 * its state where it likes (OpenSSL allocates); device code itself never allocates. */
#ifndef DFUKIT_CRYPTO_H
#define DFUKIT_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

enum crypto_hash_alg {
    CRYPTO_SHA256 = 0,
    CRYPTO_SHA384 = 1,
    CRYPTO_SHA512 = 2,
};

#define CRYPTO_HASH_MAX 64

/* Hash context; `impl` belongs to the backend. */
struct crypto_hash {
    enum crypto_hash_alg alg;
    void *impl;
};

/* Digest size in bytes (32, 48, 64). */
size_t crypto_hash_size(enum crypto_hash_alg alg);
int crypto_hash_start(struct crypto_hash *h, enum crypto_hash_alg alg);
int crypto_hash_update(struct crypto_hash *h, const void *data, size_t len);
/* Writes crypto_hash_size() bytes to out and releases the context. */
int crypto_hash_finish(struct crypto_hash *h, uint8_t *out);
/* Releases a context without a result (error paths). Safe on a finished context. */
void crypto_hash_abort(struct crypto_hash *h);
/* One-shot convenience. */
int crypto_hash(enum crypto_hash_alg alg, const void *data, size_t len, uint8_t *out);

/* Signature kinds, by the MCUboot TLV that carries them. */
enum crypto_sig_type {
    CRYPTO_SIG_RSA2048_PSS,   /* TLV 0x20; key: PKCS#1 RSAPublicKey DER */
    CRYPTO_SIG_RSA3072_PSS,   /* TLV 0x23 */
    CRYPTO_SIG_ECDSA_P256,    /* TLV 0x22; key: SubjectPublicKeyInfo DER; sig: DER */
    CRYPTO_SIG_ECDSA_P384,    /* TLV 0x22 */
    CRYPTO_SIG_ED25519,       /* TLV 0x24; key: SubjectPublicKeyInfo DER; sig: 64 bytes */
};

/* Verifies sig over a message digest as MCUboot does: RSA-PSS (SHA-256, MGF1-SHA-256, salt 32)
 * and ECDSA over the prehashed digest; Ed25519 with the digest itself as the message.
 * Returns 0 when valid, DFU_ESIG when not, DFU_EINVAL for an unusable key. */
int crypto_verify_digest(enum crypto_sig_type type, const uint8_t *key, size_t key_len,
                         const uint8_t *digest, size_t digest_len, const uint8_t *sig,
                         size_t sig_len);

/* Pure Ed25519 (--pure): the signature covers the message itself, which the port pulls
 * through `read` in chunks (so the image can stay in flash). */
typedef int (*crypto_read_fn)(void *arg, uint32_t off, void *buf, uint32_t len);
int crypto_verify_ed25519_pure(const uint8_t *key, size_t key_len, crypto_read_fn read,
                               void *arg, uint32_t msg_len, const uint8_t sig[64]);

/* Encrypted images (MCUboot's docs/encrypted_images.md): the primitives that the key-TLV unwrap
 * and the payload transform of src/enc need. AES keys are raw bytes, 16 or 32 long. Each
 * returns 0, DFU_EINVAL for an unusable key or length, DFU_ENOTSUP when the backend lacks the
 * scheme. */
#define CRYPTO_AES_BLOCK 16

/* AES-CTR in place: XORs buf with the keystream of the counter blocks iv || be32(block),
 * iv || be32(block + 1), ... (callers keep block + len / 16 below 2^32). */
int crypto_aes_ctr(const uint8_t *key, size_t key_len, const uint8_t iv[12], uint32_t block,
                   uint8_t *buf, size_t len);

/* HMAC-SHA256 of data under key. */
int crypto_hmac_sha256(const uint8_t *key, size_t key_len, const void *data, size_t len,
                       uint8_t out[32]);

/* ECDH on P-256: the x coordinate of priv * peer. priv is the 32-byte big-endian scalar, peer
 * an uncompressed point (04 || X || Y). DFU_ESIG for a point not on the curve. */
int crypto_ecdh_p256(const uint8_t priv[32], const uint8_t peer[65], uint8_t shared[32]);

/* X25519 (RFC 7748): priv and peer are 32-byte strings. DFU_ESIG for an all-zero result. */
int crypto_x25519(const uint8_t priv[32], const uint8_t peer[32], uint8_t shared[32]);

/* RSA-OAEP decryption with SHA-256 and MGF1-SHA-256, no label, as imgtool wraps ENC_RSA2048.
 * priv: RSAPrivateKey (PKCS#1) or PKCS#8 DER. *out_len gets the plaintext length; DFU_ESIG when
 * the padding does not check. */
int crypto_rsa_oaep_decrypt(const uint8_t *priv, size_t priv_len, const uint8_t *in,
                            size_t in_len, uint8_t *out, size_t cap, size_t *out_len);

/* AES key unwrap (RFC 3394, default IV): in_len - 8 bytes to out. DFU_ESIG when the integrity
 * check fails. */
int crypto_aes_kw_unwrap(const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len,
                         uint8_t *out);

#endif
