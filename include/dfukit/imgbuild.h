/* Host-side image building for imgtool: load a raw or Intel HEX input, make a signed MCUboot
 * image with upstream imgtool's exact layout, save it (atomically), verify and dump images.
 * Host only (heap, stdio); the device-safe parsing lives in image.h. */
#ifndef DFUKIT_IMGBUILD_H
#define DFUKIT_IMGBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dfukit/image.h"
#include "dfukit/keys.h"

#define IMGBUILD_ERR_LEN 256
#define IMGBUILD_DEFAULT_MAX_SECTORS 128
#define IMGBUILD_DEFAULT_MAX_ALIGN 8
#define IMGBUILD_MAX_SW_TYPE 12

/* Intel HEX ------------------------------------------------------------------------------ */

/* Parses Intel HEX text (records 00, 01, 02, 03, 04, 05) into one contiguous buffer from the
 * lowest to the highest address, holes filled with 0xff. *out is malloc'ed. */
int ihex_parse(const char *text, size_t len, uint8_t **out, size_t *out_len, uint32_t *base,
               char *err, size_t err_len);

/* A run of bytes at an address, for the writer. Later segments win where they overlap. */
struct ihex_segment {
    uint32_t addr;
    const uint8_t *data;
    size_t len;
};
/* Formats segments as Intel HEX exactly as Python's intelhex writes them (16-byte records,
 * extended linear address records, split at holes and 64 KiB boundaries). *out is malloc'ed
 * NUL-terminated text of *out_len bytes. */
int ihex_format(const struct ihex_segment *segs, size_t count, char **out, size_t *out_len);

/* Building ------------------------------------------------------------------------------- */

struct imgbuild_tlv {
    uint16_t tag;
    const uint8_t *value;
    size_t len;
};

enum imgbuild_vector {
    IMGBUILD_VECTOR_NONE,
    IMGBUILD_VECTOR_PAYLOAD,  /* write header + body + protected TLVs: what gets signed */
    IMGBUILD_VECTOR_DIGEST,   /* write the image digest */
};

/* The options of `imgtool sign`; zero means upstream's default where one exists. */
struct imgbuild_opts {
    struct image_version version;
    uint32_t header_size;
    bool pad_header;
    uint32_t slot_size;
    bool pad;
    bool confirm;              /* implies pad */
    uint32_t align;            /* 1, 2, 4, 8, 16, 32; 0 means 1 */
    uint32_t max_align;        /* 8, 16, 32; 0 means max(8, align) */
    uint32_t max_sectors;      /* 0 means 128 */
    bool overwrite_only;
    bool has_sec_cnt;
    bool sec_cnt_auto;         /* derive from the version */
    uint32_t sec_cnt;
    const struct image_dependency *deps;
    size_t dep_count;
    bool public_key_full;      /* PUBKEY TLV instead of KEYHASH */
    uint32_t load_addr;        /* != 0 sets RAM_LOAD */
    bool has_rom_fixed;
    uint32_t rom_fixed;
    uint8_t erased_val;        /* 0xff or 0x00 */
    const struct imgbuild_tlv *custom;
    size_t custom_count;
    bool pure;
    bool pad_sig;              /* pad ECDSA signatures with zeros to 72/103 bytes (MCUboot < 1.5) */
    const char *boot_record;   /* sw_type, NULL for none */
    bool non_bootable;
    unsigned sha;              /* 0 (auto), 256, 384, 512 */
    enum imgbuild_vector vector;
    const struct keys_key *key;
    /* External signing: a signature made elsewhere and its public key. */
    const uint8_t *fix_sig;
    size_t fix_sig_len;
    const struct keys_key *fix_sig_pubkey;
    /* Encryption (-E): enc_key (an exchange key: P-256, X25519 or RSA-2048; its public half
     * is used) or enc_kek (a raw AES key for ENC_KW), not both. The body is padded to 16
     * bytes, the header gets ENCRYPTED_AES128/256, the hash covers the plaintext, a random
     * AES key wrapped for the device follows the signature, then the body is AES-CTR
     * encrypted. */
    const struct keys_key *enc_key;
    const uint8_t *enc_kek;
    size_t enc_kek_len;        /* 16 or 32 */
    unsigned enc_keylen;       /* --encrypt-keylen: 128 (also 0) or 256 */
    bool enc_clear;            /* --clear: flag and key TLV as above, body left in the clear */
    bool save_enctlv;          /* the trailer keeps the whole key TLV, not the AES key */
};

/* An image under construction. */
struct imgbuild {
    uint8_t *data;        /* payload, then the finished image (or the vector to sign) */
    size_t len;
    size_t cap;           /* bytes allocated at data */
    bool has_base;        /* Intel HEX input: where it lives */
    uint32_t base;
    bool is_vector;       /* data holds a --vector-to-sign output */
    uint8_t sig[KEYS_SIG_MAX];
    size_t sig_len;       /* 0 when unsigned */
    char err[IMGBUILD_ERR_LEN];
};

void imgbuild_init(struct imgbuild *b);
void imgbuild_free(struct imgbuild *b);
/* Reads the input (Intel HEX when the name ends in .hex, raw otherwise), adds the header
 * padding (--pad-header) and checks the header area. */
int imgbuild_load(struct imgbuild *b, const char *path, const struct imgbuild_opts *o);
/* Same from memory (raw binary). */
int imgbuild_load_mem(struct imgbuild *b, const uint8_t *data, size_t len,
                      const struct imgbuild_opts *o);
/* Header, protected TLVs, hash, key TLV, signature, unprotected TLVs; checks the trailer fits. */
int imgbuild_create(struct imgbuild *b, const struct imgbuild_opts *o);
/* Writes the image (Intel HEX when the name ends in .hex) through a temporary file renamed
 * into place, padded to the slot with the trailer magic when o->pad. */
int imgbuild_save(struct imgbuild *b, const char *path, const struct imgbuild_opts *o,
                  bool has_hex_addr, uint32_t hex_addr);

/* Encryption ---------------------------------------------------------------------------- */

bool imgbuild_encrypting(const struct imgbuild_opts *o);
/* The key TLV -E adds (IMAGE_TLV_ENC_*) and its value length, 0 without -E. */
uint16_t imgbuild_enc_tlv(const struct imgbuild_opts *o);
size_t imgbuild_enc_tlv_len(const struct imgbuild_opts *o);

/* The trailer size imgtool reserves at the slot's end. */
uint32_t imgbuild_trailer_size(const struct imgbuild_opts *o);
/* Upstream's check_trailer: with a slot size, the image built so far and the trailer must fit
 * the slot, else DFU_ENOSPC and "Image size (0x..) + trailer (0x..) exceeds requested size
 * 0x.." in b->err. No slot size: nothing to check. */
int imgbuild_check_trailer(struct imgbuild *b, const struct imgbuild_opts *o);

/* Files -------------------------------------------------------------------------------------- */

/* Reads a whole file (Intel HEX decoded when the name ends in .hex). *out is malloc'ed. */
int imgbuild_read_file(const char *path, bool decode_hex, uint8_t **out, size_t *len,
                       uint32_t *base, bool *has_base, char *err, size_t err_len);
/* Output files are written with hostfile_write_atomic() (dfukit/hostfile.h). */
bool imgbuild_is_hex_name(const char *path);

/* Checking ------------------------------------------------------------------------------- */

/* Validates an image held in memory with image_validate (RAM flash area). key NULL: hash
 * only. On failure err gets one line naming the problem. */
int imgbuild_verify(const uint8_t *img, size_t len, const struct keys_key *key,
                    struct image_info *info, char *err, size_t err_len);

/* Same for a file (Intel HEX when the name ends in .hex). A raw file is read in chunks, never
 * loaded whole, unless it is refused and the cause has to be named. */
int imgbuild_verify_file(const char *path, const struct keys_key *key, struct image_info *info,
                         char *err, size_t err_len);

/* imgbuild_verify for an encrypted image: unwraps its AES key with the device's exchange key
 * xk (dfukit/enc.h), decrypts a copy and checks the hash (and with key the signature) over
 * the plaintext. An image that is not encrypted is verified as it is. err names a key of the
 * wrong kind, a key that does not unwrap, or a plaintext that does not verify. */
struct enc_exchange_key;
int imgbuild_verify_enc(const uint8_t *img, size_t len, const struct keys_key *key,
                        const struct enc_exchange_key *xk, struct image_info *info, char *err,
                        size_t err_len);

/* Prints upstream imgtool's `dumpinfo` report for an image (name: what the header line shows). */
int imgbuild_dumpinfo(FILE *out, const char *name, const uint8_t *img, size_t len, char *err,
                      size_t err_len);

#endif
