/* Encrypted images in the bootloader (MCUboot's MCUBOOT_ENC_IMAGES, our code over src/enc).
 * The secondary's payload is decrypted while it is validated and while it is copied into the
 * primary (or scratch); the image coming out of the primary is encrypted with its own key on
 * its way into the secondary, so the secondary never holds a plaintext that was encrypted.
 * The two AES keys go into the status trailer's key fields (MCUboot's layout: slot 0's image,
 * then slot 1's, below swap_size) before its magic, so a resumed swap uses the same keys even
 * where the key TLVs have already moved. Without BOOT_ENCRYPT this file is empty: encrypted
 * images are refused (image_validate's DFU_ENOTSUP) and the hooks (boot_priv.h) cost no code. */
#include <string.h>

#include "boot_priv.h"
#include "dfukit/err.h"

#if BOOT_ENCRYPT

static int decrypt_chunk(void *arg, uint32_t off, uint8_t *buf, uint32_t len)
{
    const struct boot_enc_image *e = arg;
    return enc_payload_xor(&e->key, &e->hdr, off, buf, len);
}

static bool is_flash_error(int err)
{
    return err == DFU_EIO || err == DFU_EPOWER;
}

/* True when fa lies in the secondary slot: the slot itself, or swap-offset's image one sector
 * into it (boot_image_area()). */
static bool in_secondary(const struct boot_state *st, const struct flash_area *fa)
{
    return fa->dev == st->sec->dev && fa->off >= st->sec->off &&
           fa->off - st->sec->off < st->sec->size;
}

/* Unwraps the key of the image whose header is hdr (key TLV in fa) into *e. 0 when the image
 * is not encrypted (e->on false), DFU_ENOTSUP when this bootloader cannot decrypt it, DFU_EPERM
 * when it was wrapped for another key (no TLV of our scheme, or it does not unwrap),
 * DFU_EBADMSG when the TLV area is malformed; flash errors as they are. */
static int load_key(struct boot_state *st, const struct flash_area *fa,
                    const struct image_header *hdr, struct boot_enc_image *e)
{
    memset(e, 0, sizeof *e);
    int key_len = enc_image_key_len(hdr);
    if (key_len <= 0) {
        return key_len;
    }
    if (st->cfg->enc_key == NULL || key_len > BOOT_ENC_KEY_SIZE) {
        return DFU_ENOTSUP;
    }
    int err = enc_image_key(fa, hdr, st->cfg->enc_key, &e->key);
    if (is_flash_error(err)) {
        return err;
    }
    if (err == DFU_ESIG || err == DFU_EINVAL || err == DFU_ENOENT) {
        return DFU_EPERM;
    }
    if (err) {
        return DFU_EBADMSG;
    }
    e->on = true;
    e->hdr = *hdr;
    return 0;
}

int boot_image_validate(struct boot_state *st, const struct flash_area *fa,
                        const struct image_key *keys, size_t key_count, struct image_info *info)
{
    struct image_xform xf = {NULL, NULL};  /* the primary holds plaintext */
    struct image_header hdr;
    if (in_secondary(st, fa) && image_header_read(fa, &hdr) == 0 && enc_image_key_len(&hdr) != 0) {
        struct boot_enc_image *e = &st->enc[BOOT_IMG_SECONDARY];
        st->enc_why = BOOT_REJECT_NONE;
        int err = load_key(st, fa, &hdr, e);
        if (err == DFU_EPERM) {
            st->enc_why = BOOT_REJECT_ENC_KEY;
            return DFU_ENOTSUP;
        }
        if (err == DFU_ENOTSUP || err == DFU_EBADMSG) {
            /* refused as before: not decryptable here, or malformed */
            return image_validate(fa, keys, key_count, st->buf, sizeof st->buf, info);
        }
        if (err) {
            return err;
        }
        xf.fn = decrypt_chunk;
        xf.arg = e;
    }
    return image_validate_xform(fa, keys, key_count, &xf, st->buf, sizeof st->buf, info);
}

enum boot_reject boot_enc_reject(struct boot_state *st, const struct flash_area *fa, int err)
{
    if (!in_secondary(st, fa)) {
        return BOOT_REJECT_NONE;
    }
    if (err == DFU_ENOTSUP && st->enc_why != BOOT_REJECT_NONE) {
        return st->enc_why;
    }
    return err == DFU_ESIG && st->enc[BOOT_IMG_SECONDARY].on ? BOOT_REJECT_ENC_HASH
                                                            : BOOT_REJECT_NONE;
}

int boot_enc_start(struct boot_state *st, uint8_t type)
{
    /* swap-offset: a new image one sector into the secondary; what a revert takes, at 0 */
    struct flash_area win = *st->sec;
    if (BOOT_STRATEGY_OF(st->cfg) == BOOT_STRATEGY_SWAP_OFFSET && type != BOOT_SWAP_TYPE_REVERT &&
        boot_image_area(st->sec, BOOT_STRATEGY_SWAP_OFFSET, &win) != 0) {
        return DFU_EINVAL;
    }
    const struct flash_area *areas[2] = {st->pri, &win};
    /* Overwrite sends nothing to the secondary: only its image's key is needed. */
    int first = BOOT_STRATEGY_OF(st->cfg) == BOOT_STRATEGY_OVERWRITE;
    memset(st->enc, 0, sizeof st->enc);
    for (int i = first; i < 2; i++) {
        struct image_header hdr;
        if (st->cfg->enc_key == NULL || image_header_read(areas[i], &hdr) != 0) {
            continue;
        }
        int err = load_key(st, areas[i], &hdr, &st->enc[i]);
        if (err == DFU_EBADMSG) {
            continue;  /* a damaged image (its TLVs unreadable): it goes as it is */
        }
        if (err == DFU_EPERM || err == DFU_ENOTSUP) {
            /* Sending it on unencrypted would leak it; refuse the swap instead. */
            st->enc_why = BOOT_REJECT_ENC_KEY;
            return DFU_EPERM;
        }
        if (err) {
            return err;
        }
    }
    return 0;
}

/* swap-offset (swap_offset.c): upgrade step 0 takes the old header to the secondary's start
 * (first half) and the new one from a sector in to the primary (second half); a revert runs
 * backwards, so its last step (of n) does the same from the other side, the tested image's
 * header going back a sector in. */
static int offset_header_places(struct boot_state *st, const struct boot_status *bs,
                                const struct flash_area *fa[2], uint32_t off[2])
{
    struct flash_sector s0;
    int err = flash_area_sector(st->pri, 0, &s0);
    if (err) {
        return err;
    }
    if (bs->swap_type != BOOT_SWAP_TYPE_REVERT) {
        bool pri_stays = bs->idx == 1 && bs->state == 0;
        fa[BOOT_IMG_PRIMARY] = pri_stays ? st->pri : st->sec;
        fa[BOOT_IMG_SECONDARY] = bs->idx == 1 ? st->sec : st->pri;
        off[BOOT_IMG_SECONDARY] = bs->idx == 1 ? s0.size : 0;
        return 0;
    }
    uint32_t n = (bs->swap_size + s0.size - 1) / s0.size;
    bool pri_stays = bs->idx < n || (bs->idx == n && bs->state == 0);
    fa[BOOT_IMG_PRIMARY] = pri_stays ? st->pri : st->sec;
    off[BOOT_IMG_PRIMARY] = pri_stays ? 0 : s0.size;
    fa[BOOT_IMG_SECONDARY] = bs->idx <= n ? st->sec : st->pri;
    return 0;
}

/* Where each image's header is while the swap in bs is under way: the primary's moves to the
 * secondary (via sector 1 for swap-move), the secondary's to the primary (via scratch). */
static int header_places(struct boot_state *st, const struct boot_status *bs,
                         const struct flash_area *fa[2], uint32_t off[2])
{
    off[0] = off[1] = 0;
    if (BOOT_STRATEGY_OF(st->cfg) == BOOT_STRATEGY_SWAP_OFFSET) {
        return offset_header_places(st, bs, fa, off);
    }
    if (BOOT_STRATEGY_OF(st->cfg) == BOOT_STRATEGY_SWAP_MOVE) {
        struct flash_sector s0;
        int err = flash_area_sector(st->pri, 0, &s0);
        if (err) {
            return err;
        }
        /* Once sector 0 has moved up (all moves recorded) the swap of sector 0 may have
         * begun unrecorded: the primary's header is read from sector 1 then. */
        bool swapping = bs->op == BOOT_OP_SWAP;
        bool moved = swapping || bs->idx > (bs->swap_size + s0.size - 1) / s0.size;
        bool first = !swapping || bs->idx == 1;
        fa[BOOT_IMG_PRIMARY] = first ? st->pri : st->sec;
        off[BOOT_IMG_PRIMARY] = first && moved ? s0.size : 0;
        fa[BOOT_IMG_SECONDARY] = !swapping || (bs->idx == 1 && bs->state == 0) ? st->sec : st->pri;
        return 0;
    }
    uint32_t last;
    int err = swap_scratch_group_count(st, bs->swap_size, &last);
    if (err) {
        return err;
    }
    bool in_last = bs->idx == last, past = bs->idx > last;
    fa[BOOT_IMG_PRIMARY] = past || (in_last && bs->state == 2) ? st->sec : st->pri;
    fa[BOOT_IMG_SECONDARY] = past ? st->pri : in_last && bs->state >= 1 ? st->scr : st->sec;
    return 0;
}

static int read_key_field(const struct flash_area *fa, const struct boot_trailer_layout *tl,
                          int img, struct enc_key *key, bool *present)
{
    uint8_t v[BOOT_ENC_KEY_SIZE];
    int err = flash_area_read(fa, tl->enc_key_off[img], v, sizeof v);
    if (err) {
        return err;
    }
    *present = false;
    for (size_t i = 0; i < sizeof v; i++) {
        *present |= v[i] != flash_area_erased_val(fa);
    }
    memcpy(key->bytes, v, sizeof v);
    memset(v, 0, sizeof v);
    return 0;
}

int boot_enc_resume(struct boot_state *st, const struct boot_status *bs)
{
    memset(st->enc, 0, sizeof st->enc);
    if (st->cfg->enc_key == NULL || BOOT_STRATEGY_OF(st->cfg) == BOOT_STRATEGY_OVERWRITE) {
        return 0;
    }
    bool scratch = bs->source == BOOT_STATUS_SOURCE_SCRATCH;
    const struct flash_area *status = scratch ? st->scr : st->pri;
    const struct boot_trailer_layout *tl = scratch ? &st->tl_scr : &st->tl_pri;
    const struct flash_area *fa[2];
    uint32_t off[2];
    int err = header_places(st, bs, fa, off);
    for (int i = 0; i < 2 && !err; i++) {
        struct boot_enc_image *e = &st->enc[i];
        bool present;
        err = read_key_field(status, tl, i, &e->key, &present);
        if (err || !present) {
            continue;
        }
        uint8_t raw[IMAGE_HEADER_SIZE];
        err = flash_area_read(fa[i], off[i], raw, sizeof raw);
        if (err) {
            break;
        }
        int key_len = image_header_decode(&e->hdr, raw) == 0 ? enc_image_key_len(&e->hdr) : 0;
        if (key_len <= 0 || key_len > BOOT_ENC_KEY_SIZE) {
            return DFU_EINVAL;  /* a key without its encrypted image: not our record */
        }
        e->key.len = (uint8_t)key_len;
        e->on = true;
    }
    return err;
}

int boot_enc_write_keys(struct boot_state *st, const struct flash_area *fa,
                        const struct boot_trailer_layout *tl)
{
    if (tl->enc_key_size == 0) {
        return 0;
    }
    uint8_t v[64];
    if (tl->enc_key_size > sizeof v) {
        return DFU_EINVAL;
    }
    int err = 0;
    for (int i = 0; i < 2 && !err; i++) {
        if (!st->enc[i].on) {
            continue;
        }
        memset(v, flash_area_erased_val(fa), tl->enc_key_size);
        memcpy(v, st->enc[i].key.bytes, st->enc[i].key.len);
        err = flash_area_write(fa, tl->enc_key_off[i], v, tl->enc_key_size);
    }
    memset(v, 0, sizeof v);
    return err;
}

#endif
