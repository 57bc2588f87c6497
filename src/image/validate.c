/* Image validation as MCUboot does it: structure and TLV policy, hash over the hashed region,
 * then a signature by a trusted key found through KEYHASH or PUBKEY. Reads through the flash
 * area in bounded chunks; the only buffers are the caller's tmp and small fixed stack arrays. */
#include <string.h>

#include "dfukit/err.h"
#include "dfukit/image.h"

/* Largest signature TLV accepted (RSA-3072: 384 bytes; ECDSA P-384 DER: <= 104). */
#ifndef IMAGE_SIG_MAX
#define IMAGE_SIG_MAX 512
#endif

#define IMAGE_TLV_ENC_X25519_SHA512 0x34 /* newer imgtool; listed so such images parse */

/* MCUboot's allow-list for the unprotected area: an attacker can append unprotected TLVs, so
 * only those that are checked against something signed (or only select a key) are allowed. */
static bool unprot_type_allowed(uint16_t type)
{
    switch (type) {
    case IMAGE_TLV_KEYHASH:
    case IMAGE_TLV_PUBKEY:
    case IMAGE_TLV_SHA256:
    case IMAGE_TLV_SHA384:
    case IMAGE_TLV_SHA512:
    case IMAGE_TLV_RSA2048_PSS:
    case IMAGE_TLV_ECDSA_SIG:
    case IMAGE_TLV_RSA3072_PSS:
    case IMAGE_TLV_ED25519:
    case IMAGE_TLV_SIG_PURE:
    case IMAGE_TLV_ENC_RSA2048:
    case IMAGE_TLV_ENC_KW:
    case IMAGE_TLV_ENC_EC256:
    case IMAGE_TLV_ENC_X25519:
    case IMAGE_TLV_ENC_X25519_SHA512:
        return true;
    default:
        return false;
    }
}

/* Compares without an early exit, so timing does not reveal how much of a hash matched. */
static bool same_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint8_t diff = 0;
    for (size_t i = 0; i < n; i++) {
        diff |= (uint8_t)(a[i] ^ b[i]);
    }
    return diff == 0;
}

/* What the first pass over the TLVs found. */
struct tlv_scan {
    uint8_t hash[CRYPTO_HASH_MAX];
    enum crypto_hash_alg alg;
    int hash_count;
    bool pure;
};

static int scan_tlvs(const struct flash_area *fa, const struct image_header *hdr,
                     struct tlv_scan *s)
{
    struct image_tlv_iter it;
    struct image_tlv tlv;
    int err = image_tlv_iter_begin(&it, fa, hdr, IMAGE_TLV_ANY, false);
    if (err) {
        return err;
    }
    while ((err = image_tlv_iter_next(&it, &tlv)) == 0) {
        enum crypto_hash_alg alg;
        if (tlv.is_protected && !image_tlv_protected_allowed(tlv.type)) {
            return DFU_EBADMSG;
        }
        if (!tlv.is_protected && !unprot_type_allowed(tlv.type)) {
            return DFU_EBADMSG;
        }
        if (tlv.type == IMAGE_TLV_SIG_PURE) {
            /* As upstream MCUboot: a one-byte value that must be 1. */
            uint8_t v = 0;
            if (tlv.len != 1 || s->pure) {
                return DFU_EBADMSG;
            }
            err = flash_area_read(fa, tlv.off, &v, 1);
            if (err) {
                return err;
            }
            if (v != 1) {
                return DFU_EBADMSG;
            }
            s->pure = true;
        } else if (tlv.type == IMAGE_TLV_DEPENDENCY && tlv.len != IMAGE_DEPENDENCY_LEN) {
            return DFU_EBADMSG;
        } else if (image_hash_tlv_alg(tlv.type, &alg) == 0) {
            if (++s->hash_count > 1 || tlv.len != crypto_hash_size(alg)) {
                return DFU_EBADMSG;
            }
            s->alg = alg;
            err = flash_area_read(fa, tlv.off, s->hash, tlv.len);
            if (err) {
                return err;
            }
        }
    }
    if (err < 0) {
        return err;
    }
    return s->hash_count == 1 ? 0 : DFU_EBADMSG;
}

/* Index of the trusted key whose hash (image hash algorithm) equals the KEYHASH TLV, or -1. */
static int find_key_by_hash(const struct flash_area *fa, const struct image_tlv *tlv,
                            enum crypto_hash_alg alg, const struct image_key *keys,
                            size_t key_count, int *index)
{
    uint8_t want[CRYPTO_HASH_MAX], have[CRYPTO_HASH_MAX];
    *index = -1;
    if (tlv->len != crypto_hash_size(alg)) {
        return 0; /* cannot match any key: the signature after it is not checked */
    }
    int err = flash_area_read(fa, tlv->off, want, tlv->len);
    if (err) {
        return err;
    }
    for (size_t k = 0; k < key_count; k++) {
        err = crypto_hash(alg, keys[k].der, keys[k].len, have);
        if (err) {
            return err;
        }
        if (same_bytes(want, have, tlv->len)) {
            *index = (int)k;
            return 0;
        }
    }
    return 0;
}

/* Index of the trusted key equal to the PUBKEY TLV, compared in chunks of tmp, or -1. */
static int find_key_by_value(const struct flash_area *fa, const struct image_tlv *tlv,
                             const struct image_key *keys, size_t key_count, uint8_t *tmp,
                             uint32_t tmp_len, int *index)
{
    *index = -1;
    for (size_t k = 0; k < key_count; k++) {
        if (keys[k].len != tlv->len) {
            continue;
        }
        bool same = true;
        for (uint32_t off = 0; off < tlv->len && same;) {
            uint32_t n = tlv->len - off < tmp_len ? tlv->len - off : tmp_len;
            int err = flash_area_read(fa, tlv->off + off, tmp, n);
            if (err) {
                return err;
            }
            same = memcmp(tmp, keys[k].der + off, n) == 0;
            off += n;
        }
        if (same) {
            *index = (int)k;
            return 0;
        }
    }
    return 0;
}

int image_find_trusted_key(const struct flash_area *fa, const struct image_tlv *tlv,
                           enum crypto_hash_alg alg, const struct image_key *keys,
                           size_t key_count, uint8_t *tmp, uint32_t tmp_len, int *index)
{
    if (tlv->type == IMAGE_TLV_KEYHASH) {
        return find_key_by_hash(fa, tlv, alg, keys, key_count, index);
    }
    if (tlv->type == IMAGE_TLV_PUBKEY && IMAGE_PUBKEY_TLV) {
        return find_key_by_value(fa, tlv, keys, key_count, tmp, tmp_len, index);
    }
    if (tlv->type == IMAGE_TLV_PUBKEY) {
        *index = -1; /* PUBKEY lookup compiled out: it names no key */
        return 0;
    }
    *index = -1;
    return DFU_EINVAL;
}

/* The crypto port's signature kind for a signature TLV under the image's hash algorithm. */
static int sig_kind(uint16_t type, enum crypto_hash_alg alg, enum crypto_sig_type *out)
{
    switch (type) {
    case IMAGE_TLV_RSA2048_PSS:
        *out = CRYPTO_SIG_RSA2048_PSS;
        return 0;
    case IMAGE_TLV_RSA3072_PSS:
        *out = CRYPTO_SIG_RSA3072_PSS;
        return 0;
    case IMAGE_TLV_ED25519:
        *out = CRYPTO_SIG_ED25519;
        return 0;
    case IMAGE_TLV_ECDSA_SIG:
        /* The curve follows the hash: P-256 with SHA-256, P-384 with SHA-384. */
        if (alg == CRYPTO_SHA256) {
            *out = CRYPTO_SIG_ECDSA_P256;
            return 0;
        }
        if (alg == CRYPTO_SHA384) {
            *out = CRYPTO_SIG_ECDSA_P384;
            return 0;
        }
        return DFU_ENOTSUP;
    default:
        return DFU_ENOENT; /* not a signature TLV */
    }
}

static int read_area(void *arg, uint32_t off, void *buf, uint32_t len)
{
    return flash_area_read(arg, off, buf, len);
}

/* Checks one signature TLV with the key at `key`. 0 valid, DFU_ESIG not, other errors fatal. */
static int check_signature(const struct flash_area *fa, const struct image_header *hdr,
                           const struct image_tlv *tlv, enum crypto_sig_type kind,
                           const struct tlv_scan *s, const struct image_key *key)
{
    uint8_t sig[IMAGE_SIG_MAX];
    if (tlv->len > sizeof(sig) || tlv->len == 0) {
        return DFU_ESIG;
    }
    if (IMAGE_ECDSA_ONLY && kind != CRYPTO_SIG_ECDSA_P256 && kind != CRYPTO_SIG_ECDSA_P384) {
        return DFU_ESIG; /* a kind this build does not check: it does not verify */
    }
    int err = flash_area_read(fa, tlv->off, sig, tlv->len);
    if (err) {
        return err;
    }
    if (s->pure) {
        /* Pure Ed25519 signs the hashed bytes themselves; MCUboot pairs it with SHA-512. */
        if (kind != CRYPTO_SIG_ED25519 || s->alg != CRYPTO_SHA512 || tlv->len != 64) {
            return DFU_ESIG;
        }
        uint32_t msg_len = (uint32_t)hdr->hdr_size + hdr->img_size + hdr->protect_tlv_size;
        err = crypto_verify_ed25519_pure(key->der, key->len, read_area, (void *)fa, msg_len, sig);
    } else {
        err = crypto_verify_digest(kind, key->der, key->len, s->hash, crypto_hash_size(s->alg),
                                   sig, tlv->len);
    }
    /* A key of the wrong kind for this TLV is just a signature that does not verify. */
    return err == DFU_EINVAL ? DFU_ESIG : err;
}

/* Walks the unprotected TLVs: a KEYHASH/PUBKEY selects a trusted key, a following signature
 * TLV is checked with it. 0 with *index set when one verifies, DFU_ESIG when none does. */
static int check_signatures(const struct flash_area *fa, const struct image_header *hdr,
                            const struct tlv_scan *s, const struct image_key *keys,
                            size_t key_count, uint8_t *tmp, uint32_t tmp_len, int *index)
{
    struct image_tlv_iter it;
    struct image_tlv tlv;
    int key = -1;
    int err = image_tlv_iter_begin(&it, fa, hdr, IMAGE_TLV_ANY, false);
    if (err) {
        return err;
    }
    while ((err = image_tlv_iter_next(&it, &tlv)) == 0) {
        enum crypto_sig_type kind;
        if (tlv.is_protected) {
            continue;
        }
        if (tlv.type == IMAGE_TLV_KEYHASH || tlv.type == IMAGE_TLV_PUBKEY) {
            err = image_find_trusted_key(fa, &tlv, s->alg, keys, key_count, tmp, tmp_len, &key);
        } else if (sig_kind(tlv.type, s->alg, &kind) == 0) {
            if (key >= 0) {
                err = check_signature(fa, hdr, &tlv, kind, s, &keys[key]);
                if (err == 0) {
                    *index = key;
                    return 0;
                }
                if (err == DFU_ESIG) {
                    err = 0;
                }
            }
            key = -1; /* a key selects only the signature right after it (as MCUboot) */
        }
        if (err) {
            return err;
        }
    }
    return err < 0 ? err : DFU_ESIG;
}

static int validate(const struct flash_area *fa, const struct image_key *keys, size_t key_count,
                    const struct image_xform *xf, uint8_t *tmp, uint32_t tmp_len,
                    struct image_info *out)
{
    struct image_info local;
    struct image_info *info = out ? out : &local;
    struct tlv_scan scan = {.hash_count = 0};
    if (tmp == NULL || tmp_len < IMAGE_TMP_MIN) {
        return DFU_ENOMEM;
    }
    if (key_count > 0 && keys == NULL) {
        return DFU_EINVAL;
    }
    memset(info, 0, sizeof(*info));
    info->key_index = -1;
    int err = image_header_read(fa, &info->hdr);
    if (!err) {
        err = image_layout_read(fa, &info->hdr, &info->layout);
    }
    if (!err) {
        err = scan_tlvs(fa, &info->hdr, &scan);
    }
    if (err) {
        return err;
    }
    info->hash_alg = scan.alg;
    info->hash_len = crypto_hash_size(scan.alg);
    memcpy(info->hash, scan.hash, info->hash_len);
    err = image_read_security_counter(fa, &info->hdr, &info->sec_cnt);
    if (err && err != DFU_ENOENT) {
        return err;
    }
    info->has_sec_cnt = err == 0;
    bool encrypted = info->hdr.flags & (IMAGE_F_ENCRYPTED_AES128 | IMAGE_F_ENCRYPTED_AES256);
    if (encrypted && xf == NULL) {
        /* The hash TLV covers the plaintext; checking it needs the caller's decryption. */
        return DFU_ENOTSUP;
    }
    uint8_t computed[CRYPTO_HASH_MAX];
#if IMAGE_XFORM
    err = image_compute_hash_xform(fa, &info->hdr, scan.alg, encrypted ? xf : NULL, tmp, tmp_len,
                                   computed);
#else
    err = image_compute_hash(fa, &info->hdr, scan.alg, tmp, tmp_len, computed);
#endif
    if (err) {
        return err;
    }
    if (!same_bytes(computed, scan.hash, info->hash_len)) {
        return DFU_ESIG;
    }
    if (key_count == 0) {
        return 0;
    }
    return check_signatures(fa, &info->hdr, &scan, keys, key_count, tmp, tmp_len,
                            &info->key_index);
}

int image_validate(const struct flash_area *fa, const struct image_key *keys, size_t key_count,
                   uint8_t *tmp, uint32_t tmp_len, struct image_info *out)
{
    return validate(fa, keys, key_count, NULL, tmp, tmp_len, out);
}

#if IMAGE_XFORM
int image_validate_decrypted(const struct flash_area *fa, const struct image_key *keys,
                             size_t key_count, uint8_t *tmp, uint32_t tmp_len,
                             struct image_info *out)
{
    static const struct image_xform as_read = {NULL, NULL};
    return validate(fa, keys, key_count, &as_read, tmp, tmp_len, out);
}

int image_validate_xform(const struct flash_area *fa, const struct image_key *keys,
                         size_t key_count, const struct image_xform *xf, uint8_t *tmp,
                         uint32_t tmp_len, struct image_info *out)
{
    return validate(fa, keys, key_count, xf, tmp, tmp_len, out);
}
#endif
