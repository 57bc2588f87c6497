/* Encrypted MCUboot images, device side (MCUboot's docs/encrypted_images.md): the AES key of an
 * image is wrapped in one key TLV (0x30-0x33) for the device's key-exchange key; the payload
 * (the bytes after the header, never the header or the TLVs) is AES-CTR with nonce 0 and the
 * counter = payload offset / 16. This library unwraps the key TLV for all four schemes, holds
 * the ECIES key derivation that the host's wrap (imgtool sign -E) uses too, and transforms
 * payload bytes by image offset. No heap, no OS; crypto through crypto.h. */
#ifndef DFUKIT_ENC_H
#define DFUKIT_ENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfukit/flash.h"
#include "dfukit/image.h"

#define ENC_KEY_MAX 32           /* AES-256 */
#define ENC_ECIES_MAC_LEN 32     /* HMAC-SHA256 tag */
#define ENC_EC256_POINT_LEN 65   /* uncompressed P-256 point */
#define ENC_X25519_POINT_LEN 32
#define ENC_RSA2048_LEN 256
#define ENC_KW_OVERHEAD 8        /* RFC 3394 integrity block */
#define ENC_ECIES_INFO "MCUBoot_ECIES_v1"
/* Largest key TLV value (ENC_RSA2048). */
#define ENC_TLV_MAX ENC_RSA2048_LEN

/* Key-exchange schemes, numbered as the TLV that carries the wrapped key. */
enum enc_scheme {
    ENC_SCHEME_RSA_OAEP = IMAGE_TLV_ENC_RSA2048,  /* RSA-2048 OAEP (SHA-256) */
    ENC_SCHEME_KW = IMAGE_TLV_ENC_KW,             /* AES key wrap with a shared AES key */
    ENC_SCHEME_EC256 = IMAGE_TLV_ENC_EC256,       /* ECIES-P256 */
    ENC_SCHEME_X25519 = IMAGE_TLV_ENC_X25519,     /* ECIES-X25519 */
};

/* Size setting: the schemes a build unwraps, a bit each (ENC_SCHEME_BIT), as an MCUboot build
 * has one of MCUBOOT_ENCRYPT_RSA/KW/EC256/X25519; a device key of a scheme left out is
 * DFU_ENOTSUP and its crypto is not linked. Host builds have all four. */
#define ENC_SCHEME_BIT(s) (1u << ((unsigned)(s) - (unsigned)IMAGE_TLV_ENC_RSA2048))
#ifndef ENC_SCHEMES
#define ENC_SCHEMES 0xfu
#endif
#define ENC_HAS_SCHEME(s) ((ENC_SCHEMES & ENC_SCHEME_BIT(s)) != 0)

/* The device's key-exchange (private) key, as imgtool getpriv emits it: PKCS#8 DER for
 * ECIES-P256 (SEC1 ECPrivateKey DER is taken too) and ECIES-X25519, PKCS#1 or PKCS#8 DER for
 * RSA, the raw 16- or 32-byte AES key for AES-KW. */
struct enc_exchange_key {
    enum enc_scheme scheme;
    const uint8_t *der;
    size_t len;
};

/* An image's AES key. */
struct enc_key {
    uint8_t bytes[ENC_KEY_MAX];
    uint8_t len;  /* 16 or 32 */
};

/* AES key length an image's header flags ask for: 16 (0x04), 32 (0x08), 0 when the image is
 * not encrypted, DFU_EBADMSG with both flags. */
int enc_image_key_len(const struct image_header *hdr);

/* Length of a key TLV value for a scheme and AES key length: EC256 65 + 32 + key, X25519
 * 32 + 32 + key, RSA 256, KW key + 8. DFU_EINVAL for another scheme or key length. */
int enc_tlv_len(enum enc_scheme scheme, size_t key_len);

/* ECIES key derivation: HKDF-SHA256 (no salt, info "MCUBoot_ECIES_v1") of the ECDH shared
 * secret, key_len bytes of key-encryption key then the 32-byte MAC key. */
int enc_ecies_kdf(const uint8_t *shared, size_t shared_len, size_t key_len, uint8_t *kek,
                  uint8_t mac_key[ENC_ECIES_MAC_LEN]);
/* ECIES wrap of an AES key from a shared secret (the host's half, after its ephemeral ECDH):
 * cipher = AES-CTR(kek, nonce 0) of key, tag = HMAC-SHA256(mac_key, cipher). */
int enc_ecies_seal(const uint8_t *shared, size_t shared_len, const uint8_t *key, size_t key_len,
                   uint8_t tag[ENC_ECIES_MAC_LEN], uint8_t *cipher);
/* The reverse: checks the tag (DFU_ESIG when it differs: another device key) and decrypts. */
int enc_ecies_open(const uint8_t *shared, size_t shared_len, const uint8_t tag[ENC_ECIES_MAC_LEN],
                   const uint8_t *cipher, size_t key_len, uint8_t *key);

/* Unwraps a key TLV value of tlv_len bytes with the device key into out (key_len bytes).
 * DFU_EINVAL: the TLV's scheme is not the key's, or the key is unusable; DFU_EBADMSG: wrong
 * length; DFU_ESIG: the unwrap fails (the image was wrapped for another key). */
int enc_unwrap(const struct enc_exchange_key *xk, uint16_t tlv_type, const uint8_t *tlv,
               size_t tlv_len, size_t key_len, struct enc_key *out);

/* An encrypted image's AES key: finds the key TLV of the device key's scheme in the image's
 * unprotected area and unwraps it. DFU_ENOENT when the image is not encrypted or has no TLV of
 * that scheme; otherwise as enc_unwrap. */
int enc_image_key(const struct flash_area *fa, const struct image_header *hdr,
                  const struct enc_exchange_key *xk, struct enc_key *out);

/* AES-CTR over the payload part of buf, which holds the image's bytes from image offset
 * image_off on: bytes in [hdr_size, hdr_size + img_size) are XORed with the keystream (so the
 * same call encrypts and decrypts), header and TLV bytes are left alone. */
int enc_payload_xor(const struct enc_key *key, const struct image_header *hdr, uint32_t image_off,
                    uint8_t *buf, uint32_t len);

/* Parses a PKCS#8 DER private key of ECIES-P256 / ECIES-X25519 to its 32-byte scalar.
 * DFU_EINVAL when it is not a key of that kind. */
int enc_private_scalar(enum enc_scheme scheme, const uint8_t *der, size_t len, uint8_t out[32]);

#endif
