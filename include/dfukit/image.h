/* MCUboot image format: header, TLV areas, hashing, validation, versions. Device-safe: no
 * heap; the image is read through a flash area in bounded chunks of a caller-owned buffer.
 * Layout facts: MCUboot's docs/design.md (image format and trailer). */
#ifndef DFUKIT_IMAGE_H
#define DFUKIT_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfukit/crypto.h"
#include "dfukit/flash.h"

#define IMAGE_MAGIC 0x96f3b83du
#define IMAGE_HEADER_SIZE 32
#define IMAGE_TLV_INFO_MAGIC 0x6907       /* unprotected area */
#define IMAGE_TLV_PROT_INFO_MAGIC 0x6908  /* protected area */
#define IMAGE_TLV_INFO_SIZE 4
#define IMAGE_TLV_HDR_SIZE 4
#define IMAGE_SEC_CNT_LEN 4       /* SEC_CNT value: u32 */
#define IMAGE_DEPENDENCY_LEN 12   /* DEPENDENCY value: u8 id, u8 pad, u16 pad, version */

/* Header flags */
#define IMAGE_F_ENCRYPTED_AES128 0x04u
#define IMAGE_F_ENCRYPTED_AES256 0x08u
#define IMAGE_F_NON_BOOTABLE 0x10u
#define IMAGE_F_RAM_LOAD 0x20u
#define IMAGE_F_ROM_FIXED 0x100u

/* TLV types */
enum image_tlv_type {
    IMAGE_TLV_KEYHASH = 0x01,
    IMAGE_TLV_PUBKEY = 0x02,
    IMAGE_TLV_SHA256 = 0x10,
    IMAGE_TLV_SHA384 = 0x11,
    IMAGE_TLV_SHA512 = 0x12,
    IMAGE_TLV_RSA2048_PSS = 0x20,
    IMAGE_TLV_ECDSA_SIG = 0x22,
    IMAGE_TLV_RSA3072_PSS = 0x23,
    IMAGE_TLV_ED25519 = 0x24,
    IMAGE_TLV_SIG_PURE = 0x25,
    IMAGE_TLV_ENC_RSA2048 = 0x30,
    IMAGE_TLV_ENC_KW = 0x31,
    IMAGE_TLV_ENC_EC256 = 0x32,
    IMAGE_TLV_ENC_X25519 = 0x33,
    IMAGE_TLV_DEPENDENCY = 0x40,
    IMAGE_TLV_SEC_CNT = 0x50,
    IMAGE_TLV_BOOT_RECORD = 0x60,
    IMAGE_TLV_ANY = 0xffff,  /* iterator filter: every type */
};

struct image_version {
    uint8_t major;
    uint8_t minor;
    uint16_t revision;
    uint32_t build;
};

/* The 32-byte header, decoded (all fields little-endian on flash). */
struct image_header {
    uint32_t magic;
    uint32_t load_addr;
    uint16_t hdr_size;          /* header + padding before the body */
    uint16_t protect_tlv_size;  /* protected TLV area incl. its info; 0 when absent */
    uint32_t img_size;          /* body only */
    uint32_t flags;
    struct image_version ver;
    uint32_t pad;
};

/* Decodes 32 raw bytes. DFU_EBADMSG on bad magic or hdr_size < 32. */
int image_header_decode(struct image_header *out, const uint8_t raw[IMAGE_HEADER_SIZE]);
void image_header_encode(uint8_t raw[IMAGE_HEADER_SIZE], const struct image_header *hdr);

/* Reads and decodes the header at offset 0 of the area, and checks that header, body and the
 * protected TLV area fit inside the area. DFU_ENOENT when the magic is absent (erased slot or
 * foreign data), DFU_EBADMSG for a bad hdr_size/protect_tlv_size, DFU_ERANGE when the parts
 * do not fit in the area (sizes are summed in 64 bits, so they cannot wrap). */
int image_header_read(const struct flash_area *fa, struct image_header *out);

/* Layout of the TLV areas, checked against the area size. */
struct image_layout {
    uint32_t prot_off;     /* offset of the protected info (== hdr_size + img_size) */
    uint32_t prot_size;    /* 0 when absent */
    uint32_t unprot_off;   /* offset of the unprotected info */
    uint32_t unprot_size;  /* incl. info */
    uint32_t total_size;   /* header + body + both TLV areas: the bytes the image occupies */
};
/* DFU_EBADMSG on a wrong info magic or a protected info whose size differs from the header's
 * protect_tlv_size; DFU_ERANGE when an area does not fit in the flash area. */
int image_layout_read(const struct flash_area *fa, const struct image_header *hdr,
                      struct image_layout *out);

/* TLV iterator over both areas (protected first). Every TLV is bounds-checked against its
 * area before it is returned. */
struct image_tlv_iter {
    const struct flash_area *fa;
    struct image_layout layout;
    uint16_t type;        /* filter, IMAGE_TLV_ANY for all */
    bool prot_only;
    uint32_t off;         /* next TLV header */
};
struct image_tlv {
    uint16_t type;
    uint16_t len;
    uint32_t off;         /* value offset in the area */
    bool is_protected;
};
int image_tlv_iter_begin(struct image_tlv_iter *it, const struct flash_area *fa,
                         const struct image_header *hdr, uint16_t type, bool prot_only);
/* 0 and *out filled; 1 at the end; negative on a malformed area. */
int image_tlv_iter_next(struct image_tlv_iter *it, struct image_tlv *out);

/* The hash algorithm of a hash TLV type (0x10/0x11/0x12); DFU_ENOENT for other types. */
int image_hash_tlv_alg(uint16_t type, enum crypto_hash_alg *alg);
/* The hash algorithm MCUboot uses for an image: from its hash TLV (SHA256/384/512).
 * DFU_ENOENT without a hash TLV, DFU_EBADMSG for two of them or a wrong length. */
int image_hash_alg(const struct flash_area *fa, const struct image_header *hdr,
                   enum crypto_hash_alg *alg);
/* Hashes bytes [0, hdr_size + img_size + protect_tlv_size) in chunks of tmp. */
int image_compute_hash(const struct flash_area *fa, const struct image_header *hdr,
                       enum crypto_hash_alg alg, uint8_t *tmp, uint32_t tmp_len, uint8_t *out);

/* Hashing through a payload transform (encrypted images): builds that set IMAGE_XFORM=1 (the
 * host build, with src/enc) have the two _xform functions below; a bootloader without
 * encryption leaves them out. */
#ifndef IMAGE_XFORM
#define IMAGE_XFORM 0
#endif
/* How the hashed bytes of an encrypted image (IMAGE_F_ENCRYPTED_*) are to be read: through fn,
 * which turns each chunk (image offset off) into plaintext in place before it is hashed (the
 * secondary slot: src/enc decrypts the payload), or with fn NULL as they are (a primary slot,
 * which the bootloader decrypted while installing). Images without the flags ignore it. */
struct image_xform {
    int (*fn)(void *arg, uint32_t off, uint8_t *buf, uint32_t len);
    void *arg;
};
/* image_compute_hash with each chunk passed through xf (NULL: none). */
int image_compute_hash_xform(const struct flash_area *fa, const struct image_header *hdr,
                             enum crypto_hash_alg alg, const struct image_xform *xf, uint8_t *tmp,
                             uint32_t tmp_len, uint8_t *out);

/* A trusted public key, in MCUboot's encoding (see crypto.h). */
struct image_key {
    const uint8_t *der;
    size_t len;
};

/* What validation found. */
struct image_info {
    struct image_header hdr;
    struct image_layout layout;
    enum crypto_hash_alg hash_alg;
    uint8_t hash[CRYPTO_HASH_MAX];  /* the image hash (== the hash TLV) */
    size_t hash_len;
    int key_index;                  /* which trusted key signed it; -1 for hash-only */
    bool has_sec_cnt;
    uint32_t sec_cnt;
};

/* Validates an image in place: header and TLV bounds, unknown protected TLVs refused, hash TLV
 * equals the computed hash, and (when keys != NULL / key_count > 0) a signature by one of the
 * trusted keys (found by KEYHASH or PUBKEY). With key_count == 0 a hash-only check is done.
 * Returns 0 valid, DFU_ESIG bad hash/signature/unknown key, DFU_EBADMSG malformed,
 * DFU_ENOENT no image (erased/bad magic), DFU_ERANGE sizes past the area, DFU_ENOMEM tmp
 * smaller than 64 bytes. tmp is scratch (>= 64 bytes, larger is faster).
 * TLV policy (as MCUboot): protected TLVs must pass image_tlv_protected_allowed (below);
 * unprotected TLVs must be KEYHASH, PUBKEY, a hash, a
 * signature, SIG_PURE or an encryption-key TLV; anything else is DFU_EBADMSG. Exactly one hash
 * TLV. A KEYHASH (hash of the key bytes with the image's algorithm) or PUBKEY selects the key
 * for the signature TLV right after it; ECDSA means P-256 with SHA-256 and P-384 with SHA-384.
 * Any one verifying signature is enough. With a SIG_PURE TLV (one byte, value 1; upstream
 * imgtool puts it in the unprotected area) only an Ed25519 signature over the hashed bytes
 * with SHA-512 counts.
 * Encrypted images (IMAGE_F_ENCRYPTED_*): header and TLV structure are checked and *out is
 * filled (hash = the hash TLV), then DFU_ENOTSUP: the hash covers the plaintext, which
 * image_validate_xform reads through the caller's decryption (or see
 * image_validate_decrypted). */
#define IMAGE_TMP_MIN 64
/* Size settings for a bootloader that checks one kind of signature, as an MCUboot build with
 * one MCUBOOT_SIGN_* does (the defaults keep everything; no check is left out by either):
 * IMAGE_ECDSA_ONLY 1: only ECDSA signature TLVs are verified; RSA and Ed25519 ones (still
 *   allowed in the unprotected area) do not verify (DFU_ESIG), so neither does a SIG_PURE
 *   image.
 * IMAGE_PUBKEY_TLV 0: only a KEYHASH TLV names a trusted key; a PUBKEY TLV names none (as
 *   MCUboot without MCUBOOT_HW_KEY). */
#ifndef IMAGE_ECDSA_ONLY
#define IMAGE_ECDSA_ONLY 0
#endif
#ifndef IMAGE_PUBKEY_TLV
#define IMAGE_PUBKEY_TLV 1
#endif
int image_validate(const struct flash_area *fa, const struct image_key *keys, size_t key_count,
                   uint8_t *tmp, uint32_t tmp_len, struct image_info *out);
/* image_validate, and an encrypted image is checked too: its hash over the bytes as xf gives
 * them (xf NULL: DFU_ENOTSUP for an encrypted image, as image_validate). */
int image_validate_xform(const struct flash_area *fa, const struct image_key *keys,
                         size_t key_count, const struct image_xform *xf, uint8_t *tmp,
                         uint32_t tmp_len, struct image_info *out);
/* The same for an encrypted image that fa serves already decrypted (a decrypted copy, or a
 * view that decrypts on read): hash and signatures are checked over what fa returns, as
 * image_validate does for a plain image; the ENCRYPTED flags stay (the hash covers them).
 * image_validate_xform with a transform whose fn is NULL (IMAGE_XFORM builds, as it). */
int image_validate_decrypted(const struct flash_area *fa, const struct image_key *keys,
                             size_t key_count, uint8_t *tmp, uint32_t tmp_len,
                             struct image_info *out);

/* The trusted key a KEYHASH (hash of the key under alg) or PUBKEY (the key itself) TLV names:
 * *index = its position in keys, or -1 when none; tmp is scratch for the comparison. 0, a
 * flash error, or DFU_EINVAL for another TLV type. */
int image_find_trusted_key(const struct flash_area *fa, const struct image_tlv *tlv,
                           enum crypto_hash_alg alg, const struct image_key *keys,
                           size_t key_count, uint8_t *tmp, uint32_t tmp_len, int *index);

/* The protected-TLV policy (as MCUboot): SEC_CNT, DEPENDENCY, BOOT_RECORD, SIG_PURE and the
 * vendor range (low byte 0xa0..0xff, what --custom-tlv uses) may be signed; any other type in
 * the protected area is refused, because a signed field we cannot interpret may carry a
 * constraint we would silently ignore. The one list image_validate and imgtool's verify use. */
bool image_tlv_protected_allowed(uint16_t type);

/* The protected SEC_CNT TLV: 0 and *out set, DFU_ENOENT when absent, DFU_EBADMSG when its
 * length is not 4 or there are two. */
int image_read_security_counter(const struct flash_area *fa, const struct image_header *hdr,
                                uint32_t *out);

/* Dependencies (protected DEPENDENCY TLVs), up to max; returns how many were found.
 * DFU_ENOSPC when there are more than max (ignoring one would be unsafe), DFU_EBADMSG when a
 * TLV is not 12 bytes. */
struct image_dependency {
    uint8_t image_id;
    struct image_version ver;
};
int image_read_dependencies(const struct flash_area *fa, const struct image_header *hdr,
                            struct image_dependency *out, size_t max);

/* <0, 0, >0 as a is older, equal, newer than b (major.minor.revision, then build when
 * use_build). */
int image_version_cmp(const struct image_version *a, const struct image_version *b, bool use_build);
/* "1.2.3" or "1.2.3.4" (build shown when non-zero), as mcumgr reports versions.
 * Both formatters return the string length, or DFU_ENOSPC (buf set to "") when it does not
 * fit with its NUL. */
int image_version_format(char *buf, size_t len, const struct image_version *v, bool with_build);
/* "1.2.3+4", as imgtool prints. */
int image_version_format_plus(char *buf, size_t len, const struct image_version *v);
/* Parses "MAJ[.MIN[.REV[+BUILD]]]" (imgtool's -v). DFU_EINVAL on junk or overflow. Like
 * imgtool, fields have no leading zeros ("0" itself is fine) and missing ones are 0. */
int image_version_parse(struct image_version *out, const char *s);

#endif
