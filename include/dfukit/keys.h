/* Host-side key handling for imgtool: generate, load and save keys as the PEM files upstream
 * imgtool writes (unencrypted PKCS#8 "PRIVATE KEY"), MCUboot's public-key bytes, the getpub /
 * getpubhash / getpriv output formats, and signing. Backed by OpenSSL 3; host only. */
#ifndef DFUKIT_KEYS_H
#define DFUKIT_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dfukit/crypto.h"

enum keys_type {
    KEYS_RSA2048,
    KEYS_RSA3072,
    KEYS_ECDSA_P256,
    KEYS_ECDSA_P384,
    KEYS_ED25519,
    KEYS_X25519,   /* encryption only: cannot sign */
};

/* Upper bounds for MCUboot public-key bytes (RSA-3072 PKCS#1 DER is 398) and signatures
 * (RSA-3072: 384; ECDSA P-384 DER: at most 104). */
#define KEYS_PUB_MAX 512
#define KEYS_SIG_MAX 512

/* A loaded key: private (can sign) or public only. Opaque. */
struct keys_key;

/* "rsa-2048", "rsa-3072", "ecdsa-p256", "ecdsa-p384", "ed25519", "x25519". */
int keys_type_parse(enum keys_type *out, const char *name);
const char *keys_type_name(enum keys_type type);

int keys_generate(struct keys_key **out, enum keys_type type);
/* Loads a private or public key from a PEM file (PKCS#8, SubjectPublicKeyInfo, or the
 * traditional RSA/EC forms). On failure err receives one line naming the problem. */
int keys_load_pem(struct keys_key **out, const char *path, char *err, size_t err_len);
/* The private key as unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), the form
 * upstream imgtool writes; *pem is malloc'ed and NUL-terminated. */
int keys_private_pem(const struct keys_key *key, char **pem, size_t *len);
void keys_free(struct keys_key *key);

enum keys_type keys_get_type(const struct keys_key *key);
bool keys_is_private(const struct keys_key *key);

/* MCUboot's public-key bytes: RSA PKCS#1 RSAPublicKey DER, others SubjectPublicKeyInfo DER.
 * Returns the length, or DFU_ENOMEM when cap is too small. */
int keys_public_bytes(const struct keys_key *key, uint8_t *out, size_t cap);

/* getpub encodings. */
enum keys_encoding {
    KEYS_ENC_LANG_C,
    KEYS_ENC_LANG_RUST,
    KEYS_ENC_PEM,
    KEYS_ENC_RAW,
};
int keys_emit_public(FILE *out, const struct keys_key *key, enum keys_encoding enc);
/* getpubhash: SHA-256 of the public-key bytes, as a C array (lang-c) or raw bytes. */
int keys_emit_public_hash(FILE *out, const struct keys_key *key, bool raw);
/* getpriv: the private key DER as a C array. format: NULL (the type's default), "pkcs8" or
 * "openssl"; minimal drops what MCUboot does not need. err names a refused combination. */
int keys_emit_private(FILE *out, const struct keys_key *key, bool minimal, const char *format,
                      char *err, size_t err_len);

/* The private key as unencrypted PKCS#8 DER (what getpriv prints as a C array, and what the
 * device's struct enc_exchange_key takes). *der is malloc'ed; DFU_EINVAL for a public key. */
int keys_private_der(const struct keys_key *key, uint8_t **der, size_t *len);

/* Signing as imgtool does it. */
/* The TLV that carries this key's signature (IMAGE_TLV_*), 0 for x25519. */
uint16_t keys_sig_tlv(enum keys_type type);
/* The MCUboot verifier kind for a key (DFU_EINVAL for x25519). */
int keys_crypto_sig_type(enum keys_type type, enum crypto_sig_type *out);
/* Signs an image digest: RSA-PSS (SHA-256, MGF1-SHA-256, salt 32) and ECDSA over the
 * prehashed digest, Ed25519 with the digest as the message. Returns the signature length. */
int keys_sign_digest(const struct keys_key *key, const uint8_t *digest, size_t digest_len,
                     uint8_t *sig, size_t cap);
/* Pure Ed25519: signs the message itself. Returns 64. */
int keys_sign_message(const struct keys_key *key, const uint8_t *msg, size_t len, uint8_t *sig,
                      size_t cap);

/* Image encryption, the sender's half (imgtool sign -E): the image's random AES key wrapped
 * for the device's key-exchange key, as the value of MCUboot's key TLV. */
/* The key TLV (IMAGE_TLV_ENC_*, the enc_scheme of dfukit/enc.h) an exchange key produces:
 * ENC_EC256 for P-256, ENC_X25519, ENC_RSA2048 for RSA-2048; 0 for a key that cannot. */
uint16_t keys_enc_tlv(enum keys_type type);
/* Wraps aes_key (16 or 32 bytes) for the exchange key pub (its public half is used):
 * ECIES-P256 / ECIES-X25519 (ephemeral key, ECDH, MCUboot's KDF, AES-CTR, HMAC-SHA256 tag:
 * value = ephemeral public key | tag | wrapped key) or RSA-OAEP (SHA-256, MGF1-SHA-256).
 * Returns the value length written to out (enc_tlv_len() bytes). */
int keys_enc_wrap(const struct keys_key *pub, const uint8_t *aes_key, size_t key_len,
                  uint8_t *out, size_t cap);
/* ENC_KW: RFC 3394 AES key wrap of aes_key (16 or 32 bytes) under kek (16 or 32 bytes, the
 * key the device holds). Returns key_len + 8. */
int keys_kw_wrap(const uint8_t *kek, size_t kek_len, const uint8_t *aes_key, size_t key_len,
                 uint8_t *out, size_t cap);
/* len random bytes from the system's generator (the image's AES key). */
int keys_random(uint8_t *out, size_t len);

#endif
