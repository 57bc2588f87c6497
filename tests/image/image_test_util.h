/* Test-only helpers for the image tests: vector files, PEM keys converted to MCUboot's key
 * bytes, small images built and signed in memory, and the reference dumpinfo text. */
#ifndef IMAGE_TEST_UTIL_H
#define IMAGE_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "dfukit/image.h"
#include "ramflash.h"
#include "test_files.h"

#define VEC_DIR DFU_VECTORS_DIR "/imgtool/"

/* MCUboot key bytes of a PEM public (or private) key: PKCS#1 RSAPublicKey for RSA,
 * SubjectPublicKeyInfo otherwise. malloc'd. */
uint8_t *util_pem_key_bytes(const char *path, size_t *len);

/* The bytes of the C array in an imgtool `getpub -l c` file. malloc'd. */
uint8_t *util_c_array_bytes(const char *path, size_t *len);

/* A RAM flash holding a copy of data in an area of exactly len bytes (device rounded up to
 * sectors and padded with 0xff). */
struct util_flash {
    struct ramflash rf;
    uint8_t *mem;
    struct flash_area fa;
};
void util_flash_load(struct util_flash *f, const uint8_t *data, size_t len);
void util_flash_free(struct util_flash *f);

/* One TLV for util_build_image. */
struct util_tlv {
    uint16_t type;
    uint16_t len;
    const uint8_t *val;
};

enum util_sig {
    UTIL_SIG_NONE,       /* hash only */
    UTIL_SIG_KEYHASH,    /* KEYHASH + signature */
    UTIL_SIG_PUBKEY,     /* PUBKEY + signature */
};

/* Builds an image: header (hdr_size), body_len pattern bytes, the protected TLVs, then the
 * hash TLV (SHA-256, or SHA-512 when pure), and with a key the KEYHASH/PUBKEY and signature TLV
 * (Ed25519 or ECDSA by the key type; pure adds SIG_PURE in the unprotected area as imgtool
 * does). Returns the malloc'd image and its length. */
struct util_image_opts {
    uint16_t hdr_size;
    uint32_t body_len;
    uint32_t flags;
    struct image_version ver;
    const struct util_tlv *prot;
    size_t prot_count;
    const char *key_pem;  /* private key PEM or NULL */
    enum util_sig sig;
    int pure;
};
uint8_t *util_build_image(const struct util_image_opts *o, size_t *len);

/* Hash TLV value from a dumpinfo text; returns its length (0 when absent). */
size_t util_dumpinfo_hash(const char *path, uint8_t out[64]);
/* The TLV (type, len) list of a dumpinfo text in order; returns the count. */
size_t util_dumpinfo_tlvs(const char *path, uint16_t *types, uint16_t *lens, size_t max);

#endif
