/* Why an image was refused: the cause behind image_validate()'s error, found after the refusal
 * (a hash-only pass tells a hash mismatch from a signature problem; the key TLVs tell an
 * unknown key from a bad signature). The verdict stays image_validate()'s. */
#include <string.h>

#include "boot_priv.h"
#include "dfukit/err.h"

const char *boot_reject_str(enum boot_reject r)
{
    switch (r) {
    case BOOT_REJECT_NONE: return "not refused";
    case BOOT_REJECT_NO_IMAGE: return "no image";
    case BOOT_REJECT_BAD_HEADER: return "bad image header";
    case BOOT_REJECT_BAD_TLV: return "bad TLV area";
    case BOOT_REJECT_TOO_LARGE: return "image too large for the slot";
    case BOOT_REJECT_HASH: return "hash mismatch";
    case BOOT_REJECT_UNKNOWN_KEY: return "signed with an unknown key";
    case BOOT_REJECT_BAD_SIGNATURE: return "bad signature";
    case BOOT_REJECT_DOWNGRADE: return "downgrade refused: older than the running image";
    case BOOT_REJECT_ENCRYPTED: return "encrypted image (not supported)";
    case BOOT_REJECT_NON_BOOTABLE: return "marked non-bootable";
    case BOOT_REJECT_SECURITY_COUNTER:
        return "downgrade refused: security counter below the board's";
    case BOOT_REJECT_WRONG_SLOT: return "built for the other slot (ROM_FIXED address)";
    case BOOT_REJECT_NOT_CONFIRMED: return "tested and not confirmed";
    case BOOT_REJECT_NOT_MARKED: return "neither marked for test nor confirmed";
    case BOOT_REJECT_LOAD_ADDR: return "load address outside the RAM region";
    case BOOT_REJECT_REFUSED: break;
#if BOOT_IMAGE_NUMBER > 1  /* only a multi-image bootloader gives this */
    case BOOT_REJECT_DEPENDENCY: return "dependency not met (image version it needs)";
#else
    case BOOT_REJECT_DEPENDENCY: break;
#endif
#if BOOT_ENCRYPT  /* only a bootloader with encryption gives these */
    case BOOT_REJECT_ENC_KEY: return "encrypted image: key does not unwrap (other device key)";
    case BOOT_REJECT_ENC_HASH: return "encrypted image: hash mismatch after decryption";
#else
    case BOOT_REJECT_ENC_KEY:
    case BOOT_REJECT_ENC_HASH:
        break;
#endif
    }
    return "refused";
}

#if BOOT_REJECT_REASONS

/* The image's signature problem: the hash verifies, no trusted signature does. */
static enum boot_reject signature_reject(struct boot_state *st, const struct flash_area *fa)
{
    struct image_header hdr;
    enum crypto_hash_alg alg;
    struct image_tlv_iter it;
    struct image_tlv tlv;
    int key;
    if (image_header_read(fa, &hdr) != 0 || image_hash_alg(fa, &hdr, &alg) != 0 ||
        image_tlv_iter_begin(&it, fa, &hdr, IMAGE_TLV_ANY, false) != 0) {
        return BOOT_REJECT_BAD_SIGNATURE;
    }
    while (image_tlv_iter_next(&it, &tlv) == 0) {
        if (!tlv.is_protected &&
            (tlv.type == IMAGE_TLV_KEYHASH || tlv.type == IMAGE_TLV_PUBKEY) &&
            image_find_trusted_key(fa, &tlv, alg, st->cfg->keys, st->cfg->key_count, st->buf,
                                   sizeof st->buf, &key) == 0 && key >= 0) {
            return BOOT_REJECT_BAD_SIGNATURE;
        }
    }
    return BOOT_REJECT_UNKNOWN_KEY;
}

enum boot_reject boot_reject_of(struct boot_state *st, const struct flash_area *fa, int err)
{
    struct image_header hdr;
    enum boot_reject enc = err == DFU_ENOTSUP ? boot_enc_reject(st, fa, err) : BOOT_REJECT_NONE;
    if (enc != BOOT_REJECT_NONE) {
        return enc;
    }
    switch (err) {
    case 0:
        return BOOT_REJECT_NONE;
    case DFU_ENOENT:
        return BOOT_REJECT_NO_IMAGE;
    case DFU_ERANGE:
    case DFU_ENOSPC:
        return BOOT_REJECT_TOO_LARGE;
    case DFU_EBADMSG:
        return image_header_read(fa, &hdr) == DFU_EBADMSG ? BOOT_REJECT_BAD_HEADER
                                                          : BOOT_REJECT_BAD_TLV;
    case DFU_ENOTSUP:
        return BOOT_REJECT_ENCRYPTED;
    case DFU_EPERM:  /* only the downgrade policy refuses so: the configured one says which */
        return st->cfg->downgrade == BOOT_DOWNGRADE_SECURITY_COUNTER ? BOOT_REJECT_SECURITY_COUNTER
                                                                     : BOOT_REJECT_DOWNGRADE;
    case DFU_ESIG:
        if (st->cfg->key_count == 0 ||
            boot_image_validate(st, fa, NULL, 0, NULL) == DFU_ESIG) {
            if (boot_enc_reject(st, fa, DFU_ESIG) != BOOT_REJECT_NONE) {
                return BOOT_REJECT_ENC_HASH;
            }
            return BOOT_REJECT_HASH;
        }
        return signature_reject(st, fa);
    default:
        return BOOT_REJECT_BAD_HEADER;
    }
}
#else
enum boot_reject boot_reject_of(struct boot_state *st, const struct flash_area *fa, int err)
{
    return err == 0 ? BOOT_REJECT_NONE : BOOT_REJECT_REFUSED;
}
#endif
