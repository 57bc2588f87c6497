/* Swap using offset (MCUboot's swap_offset.c algorithm, our code). The new image is stored one
 * sector into the secondary slot, so the primary needs no "move up" pass:
 *
 *   upgrade, step k = 0 .. n-1:  secondary[k] <- primary[k]      (status entry 2k)
 *                                primary[k] <- secondary[k+1]    (status entry 2k+1)
 *   revert,  step k, m = n-1-k:  secondary[m+1] <- primary[m]
 *                                primary[m] <- secondary[m]
 *
 * where n is the number of sectors the larger image covers. After an upgrade the old image
 * sits at the start of the secondary slot (no offset), which is where the revert takes it
 * from; the revert puts the new one back one sector in and erases the first sector so no old
 * header is left there. Each step erases only a sector whose content exists elsewhere, so it
 * can be redone after a cut. Status: in the primary trailer, two entries per sector from the
 * first entry (MCUboot's layout for this mode); trailers initialised as swap-move does, and a
 * revert first made permanent in the secondary trailer (swap_move_fixup_revert()). Encrypted
 * images as in the other swaps: decrypted out of the secondary, encrypted into it. */
#include "boot_priv.h"
#include "dfukit/err.h"
#include "swap_primary.h"

struct offset_plan {
    uint32_t sector_size;
    uint32_t count;  /* sectors covered by the images */
};

static int make_plan(struct boot_state *st, uint32_t swap_size, struct offset_plan *p)
{
    /* MCUboot's layouts: equal slots, or a secondary one sector larger (the optimal one) */
    uint32_t tp, ts;
    int err = swap_uniform_slots(st, false, &p->sector_size, &tp, &ts);
    if (err) {
        return err;
    }
    uint32_t sz = p->sector_size;
    p->count = (swap_size + sz - 1) / sz;
    /* The primary's image sectors below its trailer; the secondary's, one sector up, below
     * its own. */
    if (p->count == 0 || p->count * sz > tp || (p->count + 1) * sz > ts) {
        return DFU_EINVAL;
    }
    return 0;
}

int swap_offset_check(struct boot_state *st, uint32_t swap_size)
{
    struct offset_plan p;
    return make_plan(st, swap_size, &p);
}

int swap_offset_read_status(struct boot_state *st, struct boot_status *bs)
{
    /* op MOVE while nothing is done: "not begun", as swap_move_fixup_revert() reads it */
    int err = swap_primary_status(st, bs);
    if (err || bs->source != BOOT_STATUS_SOURCE_PRIMARY) {
        return err;
    }
    uint32_t done;
    err = status_count(st->pri, &st->tl_pri, &done);
    if (err || done == 0) {
        return err;
    }
    bs->op = BOOT_OP_SWAP;
    bs->idx = done / 2 + 1;
    bs->state = (uint8_t)(done % 2);
    return 0;
}

/* One half-step: dst sector <- src sector (dst erased first), then its status entry. The
 * sector is sector m of image img (BOOT_IMG_*), which is decrypted out of the secondary or
 * encrypted into it when that image is encrypted (enc_swap.c). */
static int copy_sector(struct boot_state *st, const struct flash_area *src, uint32_t si,
                       const struct flash_area *dst, uint32_t di, uint32_t sz, uint32_t entry,
                       int img, uint32_t m)
{
    int err = boot_erase_region(dst, di * sz, sz);
    if (!err) {
        err = boot_copy_image_region(st, src, si * sz, dst, di * sz, sz, img, m * sz);
    }
    return err ? err : status_write(st->pri, &st->tl_pri, entry, (uint8_t)(entry % 2 + 1));
}

int swap_offset_run(struct boot_state *st, struct boot_status *bs)
{
    struct offset_plan p;
    int err = make_plan(st, bs->swap_size, &p);
    if (!err) {
        err = swap_move_fixup_revert(st, bs);
    }
    if (!err && bs->idx == 1 && bs->state == 0) {
        err = swap_primary_init_trailers(st, bs);
    }
    bool revert = bs->swap_type == BOOT_SWAP_TYPE_REVERT;
    uint32_t sz = p.sector_size;
    while (!err && bs->idx <= p.count) {
        uint32_t k = bs->idx - 1;
        uint32_t m = revert ? p.count - 1 - k : k;
        if (bs->state == 0) {
            err = copy_sector(st, st->pri, m, st->sec, revert ? m + 1 : m, sz, 2 * k,
                              BOOT_IMG_PRIMARY, m);
            bs->state = err ? 0 : 1;
        }
        if (!err) {
            err = copy_sector(st, st->sec, revert ? m : m + 1, st->pri, m, sz, 2 * k + 1,
                              BOOT_IMG_SECONDARY, m);
        }
        if (!err) {
            bs->idx++;
            bs->state = 0;
        }
    }
    if (!err && revert) {
        /* the old image's first sector, now in the primary: no header left at offset 0 */
        int erased = flash_area_is_erased(st->sec, 0, sz, st->buf, sizeof st->buf);
        err = erased < 0 ? erased : erased ? 0 : boot_erase_region(st->sec, 0, sz);
    }
    return err;
}

int boot_image_area(const struct flash_area *slot, enum boot_strategy strategy,
                    struct flash_area *out)
{
    *out = *slot;
    if (strategy != BOOT_STRATEGY_SWAP_OFFSET) {
        return 0;
    }
    struct flash_sector s0;
    int err = flash_area_sector(slot, 0, &s0);
    if (err) {
        return err;
    }
    if (s0.size >= slot->size) {
        return DFU_ENOSPC;
    }
    *out = (struct flash_area){ slot->dev, slot->off + s0.size, slot->size - s0.size, slot->id };
    return 0;
}

uint8_t swap_offset_type(struct boot_state *st, const struct boot_swap_state *p,
                         const struct boot_swap_state *s, uint8_t type)
{
    uint32_t v;
    if (type == BOOT_SWAP_TYPE_NONE && swap_move_revert_pending(p, s)) {
        return BOOT_SWAP_TYPE_REVERT;  /* the fixup was cut while writing the magic */
    }
    if (type == BOOT_SWAP_TYPE_PERM && trailer_read_swap_size(st->sec, &st->tl_sec, &v) == 0) {
        /* the fixup's permanent request: still a revert, which this mode runs backwards and
         * takes from the start of the secondary */
        return BOOT_SWAP_TYPE_REVERT;
    }
    return type;
}
