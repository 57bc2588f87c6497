/* `imgtool sign`: header, protected TLVs, hash, key TLV, signature and unprotected TLVs, in the
 * order and with the bytes upstream imgtool writes. Host only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_priv.h"
#include "dfukit/bytes.h"
#include "dfukit/crypto.h"
#include "dfukit/enc.h"
#include "dfukit/err.h"
#include "dfukit/imgbuild.h"

/* A TLV area being assembled. */
struct tlv_buf {
    uint8_t *p;
    size_t len, cap;
};

static int tlv_add(struct tlv_buf *t, uint16_t type, const uint8_t *val, size_t len)
{
    if (len > 0xffff) {
        return DFU_ERANGE;
    }
    if (t->len + 4 + len > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + 4 + len) {
            cap *= 2;
        }
        uint8_t *p = realloc(t->p, cap);
        if (!p) {
            return DFU_ENOMEM;
        }
        t->p = p;
        t->cap = cap;
    }
    store16_le(t->p + t->len, type);
    store16_le(t->p + t->len + 2, (uint16_t)len);
    if (len) {
        memcpy(t->p + t->len + 4, val, len);
    }
    t->len += 4 + len;
    return 0;
}

static const char *hash_tlv_name(enum crypto_hash_alg alg)
{
    return alg == CRYPTO_SHA512 ? "SHA512" : alg == CRYPTO_SHA384 ? "SHA384" : "SHA256";
}

static uint16_t hash_tlv(enum crypto_hash_alg alg)
{
    return alg == CRYPTO_SHA512 ? IMAGE_TLV_SHA512
           : alg == CRYPTO_SHA384 ? IMAGE_TLV_SHA384
                                  : IMAGE_TLV_SHA256;
}

static enum crypto_hash_alg alg_of(unsigned sha)
{
    return sha == 512 ? CRYPTO_SHA512 : sha == 384 ? CRYPTO_SHA384 : CRYPTO_SHA256;
}

/* Upstream's key_and_user_sha_to_alg_and_tlv: the key type decides which hashes are allowed
 * (first one is the default); --pure forces SHA-512 with Ed25519. */
static int pick_hash(struct imgbuild *b, const struct keys_key *key, const struct imgbuild_opts *o,
                     enum crypto_hash_alg *alg)
{
    unsigned sha = o->sha;
    if (sha != 0 && sha != 256 && sha != 384 && sha != 512) {
        snprintf(b->err, sizeof(b->err), "invalid --sha %u (256, 384 or 512)", sha);
        return DFU_EINVAL;
    }
    if (!key) {
        *alg = alg_of(sha);
        return 0;
    }
    enum keys_type t = keys_get_type(key);
    if (o->pure) {
        if (t != KEYS_ED25519) {
            snprintf(b->err, sizeof(b->err), "--pure is supported with ed25519 keys only (got %s)",
                     keys_type_name(t));
            return DFU_EINVAL;
        }
        *alg = CRYPTO_SHA512;
        return 0;
    }
    const unsigned *allowed;
    static const unsigned only256[] = {256, 0}, only384[] = {384, 0}, ed[] = {256, 512, 0};
    switch (t) {
    case KEYS_ECDSA_P384:
        allowed = only384;
        break;
    case KEYS_ED25519:
    case KEYS_X25519:
        allowed = ed;
        break;
    default:
        allowed = only256;
        break;
    }
    if (sha == 0) {
        *alg = alg_of(allowed[0]);
        return 0;
    }
    for (size_t i = 0; allowed[i]; i++) {
        if (allowed[i] == sha) {
            *alg = alg_of(sha);
            return 0;
        }
    }
    snprintf(b->err, sizeof(b->err), "Key %s can not be used with --sha %u", keys_type_name(t),
             sha);
    return DFU_EINVAL;
}

/* The CBOR measured-boot record upstream writes (boot_record.py): a map of five entries,
 * the measurement value (zeros, filled in by the bootloader) last. */
static int boot_record(uint8_t *out, size_t cap, const char *sw_type,
                       const struct image_version *v, enum crypto_hash_alg alg,
                       const uint8_t *signer, size_t signer_len)
{
    char ver[40];
    snprintf(ver, sizeof(ver), "%u.%u.%u", v->major, v->minor, v->revision);
    const char *desc = hash_tlv_name(alg);
    size_t hlen = crypto_hash_size(alg);
    size_t n = 0;
#define PUT(byte)              \
    do {                       \
        if (n >= cap) {        \
            return DFU_ENOMEM; \
        }                      \
        out[n++] = (byte);     \
    } while (0)
    /* Major type 2/3 with a length below 256 (all ours are). */
#define PUT_HDR(major, len)                   \
    do {                                      \
        if ((len) < 24) {                     \
            PUT((uint8_t)((major) << 5 | (len))); \
        } else {                              \
            PUT((uint8_t)((major) << 5 | 24)); \
            PUT((uint8_t)(len));              \
        }                                     \
    } while (0)
#define PUT_BYTES(p, len)               \
    do {                                \
        if (n + (len) > cap) {          \
            return DFU_ENOMEM;          \
        }                               \
        memcpy(out + n, (p), (len));    \
        n += (len);                     \
    } while (0)
    PUT(0xa5);  /* map(5) */
    PUT(0x01);  /* TYPE */
    PUT_HDR(3, strlen(sw_type));
    PUT_BYTES(sw_type, strlen(sw_type));
    PUT(0x04);  /* VERSION */
    PUT_HDR(3, strlen(ver));
    PUT_BYTES(ver, strlen(ver));
    PUT(0x05);  /* SIGNER_ID */
    PUT_HDR(2, signer_len);
    PUT_BYTES(signer, signer_len);
    PUT(0x06);  /* MEASUREMENT_DESCRIPTION */
    PUT_HDR(3, strlen(desc));
    PUT_BYTES(desc, strlen(desc));
    PUT(0x02);  /* MEASUREMENT_VALUE */
    PUT_HDR(2, hlen);
    for (size_t i = 0; i < hlen; i++) {
        PUT(0);
    }
#undef PUT
#undef PUT_HDR
#undef PUT_BYTES
    return (int)n;
}

int imgbuild_append(struct imgbuild *b, const uint8_t *p, size_t len)
{
    if (b->len + len > b->cap) {
        size_t cap = b->len + len + 4096;
        uint8_t *d = realloc(b->data, cap);
        if (!d) {
            return DFU_ENOMEM;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, len);
    b->len += len;
    return 0;
}

static int fail(struct imgbuild *b, int rc, const char *msg)
{
    snprintf(b->err, sizeof(b->err), "%s", msg);
    return rc;
}

/* Validates the options that do not depend on the input. */
static int check_opts(struct imgbuild *b, const struct imgbuild_opts *o)
{
    uint32_t a = o->align ? o->align : 1;
    if (a > 32 || (a & (a - 1))) {
        return fail(b, DFU_EINVAL, "invalid --align (1, 2, 4, 8, 16 or 32)");
    }
    if (o->max_align && o->max_align != 8 && o->max_align != 16 && o->max_align != 32) {
        return fail(b, DFU_EINVAL, "invalid --max-align (8, 16 or 32)");
    }
    if (o->header_size < IMAGE_HEADER_SIZE || o->header_size > 0xffff) {
        return fail(b, DFU_EINVAL, "Minimum value for -H/--header-size is 32 (maximum 0xffff)");
    }
    if (o->load_addr && o->has_rom_fixed) {
        return fail(b, DFU_EINVAL, "Can not set rom_fixed and load_addr at the same time");
    }
    if (o->erased_val != 0xff && o->erased_val != 0x00) {
        return fail(b, DFU_EINVAL, "invalid --erased-val (0 or 0xff)");
    }
    if (o->boot_record && strlen(o->boot_record) > IMGBUILD_MAX_SW_TYPE) {
        snprintf(b->err, sizeof(b->err),
                 "'%s' is too long (%zu characters) for sw_type. Its maximum allowed length is "
                 "12 characters.",
                 o->boot_record, strlen(o->boot_record));
        return DFU_EINVAL;
    }
    for (size_t i = 0; i < o->custom_count; i++) {
        uint16_t tag = o->custom[i].tag;
        if (tag < 0xa0 || tag == 0xffff) {
            snprintf(b->err, sizeof(b->err),
                     "Invalid custom TLV type value '0x%04x', allowed value should be between "
                     "0x00a0 and 0xfffe",
                     tag);
            return DFU_EINVAL;
        }
        for (size_t j = 0; j < i; j++) {
            if (o->custom[j].tag == tag) {
                snprintf(b->err, sizeof(b->err), "Custom TLV 0x%x already exists.", tag);
                return DFU_EINVAL;
            }
        }
    }
    if (o->key && o->fix_sig) {
        return fail(b, DFU_EINVAL,
                    "Can not sign using key and provide fixed-signature at the same time");
    }
    if (o->fix_sig && !o->fix_sig_pubkey) {
        return fail(b, DFU_EINVAL, "public key of the fixed signature is not specified");
    }
    if (o->key && !keys_is_private(o->key)) {
        return fail(b, DFU_EINVAL, "the signing key (-k) is a public key; a private key is needed");
    }
    if (o->key && keys_sig_tlv(keys_get_type(o->key)) == 0) {
        snprintf(b->err, sizeof(b->err), "%s keys cannot sign images",
                 keys_type_name(keys_get_type(o->key)));
        return DFU_EINVAL;
    }
    return imgbuild_enc_check(b, o);
}

int imgbuild_create(struct imgbuild *b, const struct imgbuild_opts *o)
{
    int rc = check_opts(b, o);
    if (rc) {
        return rc;
    }
    const struct keys_key *check_key = o->key ? o->key : o->fix_sig_pubkey;
    enum crypto_hash_alg alg;
    rc = pick_hash(b, check_key, o, &alg);
    if (rc) {
        return rc;
    }
    size_t hlen = crypto_hash_size(alg);

    /* Public key bytes and their hash (same algorithm as the image). */
    uint8_t pub[KEYS_PUB_MAX], pubhash[CRYPTO_HASH_MAX] = {0};
    int pub_len = 0;
    size_t pubhash_len = 32;  /* without a key the boot record's signer id is 32 zeros */
    if (check_key) {
        pub_len = keys_public_bytes(check_key, pub, sizeof(pub));
        if (pub_len < 0 || crypto_hash(alg, pub, (size_t)pub_len, pubhash) != 0) {
            return fail(b, DFU_EIO, "cannot encode the public key");
        }
        pubhash_len = hlen;
    }

    /* Protected TLVs: security counter, boot record, dependencies, custom (upstream order). */
    struct tlv_buf prot = {0}, unprot = {0};
    uint8_t tmp[256];
    if (o->has_sec_cnt || o->sec_cnt_auto) {
        uint32_t cnt = o->sec_cnt_auto ? ((uint32_t)o->version.major << 24) +
                                             ((uint32_t)o->version.minor << 16) +
                                             o->version.revision
                                       : o->sec_cnt;
        store32_le(tmp, cnt);
        rc = tlv_add(&prot, IMAGE_TLV_SEC_CNT, tmp, 4);
    }
    if (rc == 0 && o->boot_record) {
        int n = boot_record(tmp, sizeof(tmp), o->boot_record, &o->version, alg, pubhash,
                            pubhash_len);
        rc = n < 0 ? n : tlv_add(&prot, IMAGE_TLV_BOOT_RECORD, tmp, (size_t)n);
    }
    for (size_t i = 0; rc == 0 && i < o->dep_count; i++) {
        const struct image_dependency *d = &o->deps[i];
        memset(tmp, 0, 12);
        tmp[0] = d->image_id;
        tmp[4] = d->ver.major;
        tmp[5] = d->ver.minor;
        store16_le(tmp + 6, d->ver.revision);
        store32_le(tmp + 8, d->ver.build);
        rc = tlv_add(&prot, IMAGE_TLV_DEPENDENCY, tmp, 12);
    }
    for (size_t i = 0; rc == 0 && i < o->custom_count; i++) {
        rc = tlv_add(&prot, o->custom[i].tag, o->custom[i].value, o->custom[i].len);
    }
    size_t prot_size = prot.len ? prot.len + IMAGE_TLV_INFO_SIZE : 0;
    if (rc == 0 && prot_size > 0xffff) {
        rc = DFU_ERANGE;
    }
    if (rc) {
        free(prot.p);
        return fail(b, rc, rc == DFU_ERANGE ? "protected TLV area larger than 64 KiB"
                                            : "out of memory");
    }

    /* Header over the first 32 bytes of the payload (an encrypted body padded to the AES
     * block first: the header counts the padding). */
    if (b->len < o->header_size || b->len - o->header_size > UINT32_MAX) {
        free(prot.p);
        return fail(b, DFU_EINVAL, "input smaller than the header");
    }
    if (imgbuild_enc_pad(b, o) != 0) {
        free(prot.p);
        return fail(b, DFU_ENOMEM, "out of memory");
    }
    uint32_t flags = imgbuild_enc_flag(o);
    if (o->load_addr) {
        flags |= IMAGE_F_RAM_LOAD;
    }
    if (o->has_rom_fixed && o->rom_fixed) {
        flags |= IMAGE_F_ROM_FIXED;
    }
    if (o->non_bootable) {
        flags |= IMAGE_F_NON_BOOTABLE;
    }
    struct image_header hdr = {
        .magic = IMAGE_MAGIC,
        .load_addr = (o->has_rom_fixed && o->rom_fixed) ? o->rom_fixed : o->load_addr,
        .hdr_size = (uint16_t)o->header_size,
        .protect_tlv_size = (uint16_t)prot_size,
        .img_size = (uint32_t)(b->len - o->header_size),
        .flags = flags,
        .ver = o->version,
    };
    image_header_encode(b->data, &hdr);
    if (prot_size) {
        uint8_t info[4];
        store16_le(info, IMAGE_TLV_PROT_INFO_MAGIC);
        store16_le(info + 2, (uint16_t)prot_size);
        rc = imgbuild_append(b, info, 4);
        rc = rc ? rc : imgbuild_append(b, prot.p, prot.len);
    }
    free(prot.p);
    if (rc) {
        return fail(b, rc, "out of memory");
    }

    /* Hash over header, body and protected TLVs. */
    uint8_t digest[CRYPTO_HASH_MAX];
    if (crypto_hash(alg, b->data, b->len, digest) != 0) {
        return fail(b, DFU_EIO, "hashing failed");
    }
    if (o->vector == IMGBUILD_VECTOR_PAYLOAD) {
        b->is_vector = true;
        return 0;
    }
    if (o->vector == IMGBUILD_VECTOR_DIGEST) {
        if (b->len < hlen && imgbuild_append(b, digest, hlen - b->len) != 0) {
            return fail(b, DFU_ENOMEM, "out of memory");
        }
        memcpy(b->data, digest, hlen);
        b->len = hlen;
        b->is_vector = true;
        return 0;
    }
    rc = tlv_add(&unprot, hash_tlv(alg), digest, hlen);
    if (rc == 0 && o->pure) {
        uint8_t one = 1;
        rc = tlv_add(&unprot, IMAGE_TLV_SIG_PURE, &one, 1);
    }
    if (rc == 0 && check_key) {
        rc = o->public_key_full ? tlv_add(&unprot, IMAGE_TLV_PUBKEY, pub, (size_t)pub_len)
                                : tlv_add(&unprot, IMAGE_TLV_KEYHASH, pubhash, hlen);
    }
    if (rc == 0 && o->key) {
        int n = o->pure ? keys_sign_message(o->key, b->data, b->len, b->sig, sizeof(b->sig))
                        : keys_sign_digest(o->key, digest, hlen, b->sig, sizeof(b->sig));
        if (n < 0) {
            free(unprot.p);
            return fail(b, n, "signing failed");
        }
        b->sig_len = (size_t)n;
        enum keys_type t = keys_get_type(o->key);
        if (o->pad_sig && (t == KEYS_ECDSA_P256 || t == KEYS_ECDSA_P384)) {
            /* Upstream's fixed-size ECDSA signature: DER then zeros. */
            size_t fixed = t == KEYS_ECDSA_P256 ? 72 : 103;
            if (b->sig_len < fixed) {
                memset(b->sig + b->sig_len, 0, fixed - b->sig_len);
                b->sig_len = fixed;
            }
        }
        rc = tlv_add(&unprot, keys_sig_tlv(t), b->sig, b->sig_len);
    } else if (rc == 0 && o->fix_sig) {
        if (o->fix_sig_len > sizeof(b->sig)) {
            free(unprot.p);
            return fail(b, DFU_EINVAL, "fixed signature too long");
        }
        memcpy(b->sig, o->fix_sig, o->fix_sig_len);
        b->sig_len = o->fix_sig_len;
        rc = tlv_add(&unprot, keys_sig_tlv(keys_get_type(o->fix_sig_pubkey)), b->sig,
                     b->sig_len);
    }
    /* -E: the wrapped AES key last (upstream's order), then the body is encrypted. */
    if (rc == 0 && imgbuild_encrypting(o)) {
        uint8_t val[ENC_TLV_MAX];
        rc = imgbuild_enc_seal(b, o, val);
        if (rc) {
            free(unprot.p);
            return rc;
        }
        rc = tlv_add(&unprot, imgbuild_enc_tlv(o), val, imgbuild_enc_tlv_len(o));
    }
    if (rc == 0 && unprot.len + IMAGE_TLV_INFO_SIZE > 0xffff) {
        rc = DFU_ERANGE;
    }
    if (rc == 0) {
        uint8_t info[4];
        store16_le(info, IMAGE_TLV_INFO_MAGIC);
        store16_le(info + 2, (uint16_t)(unprot.len + IMAGE_TLV_INFO_SIZE));
        rc = imgbuild_append(b, info, 4);
        rc = rc ? rc : imgbuild_append(b, unprot.p, unprot.len);
    }
    free(unprot.p);
    if (rc) {
        return fail(b, rc, rc == DFU_ERANGE ? "TLV area larger than 64 KiB" : "out of memory");
    }

    /* The image and the trailer must fit the slot (checked even without --pad). */
    return imgbuild_check_trailer(b, o);
}
