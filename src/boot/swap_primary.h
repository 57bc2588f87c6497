/* What swap-move and swap-offset share: slots of one sector size, and the record of a swap
 * in progress kept in the primary trailer (the secondary's erased once the swap starts).
 * Inline, so a bootloader built for one strategy (BOOT_FIXED_STRATEGY) carries them folded into
 * that strategy's code, as before they were shared. */
#ifndef DFUKIT_BOOT_SWAP_PRIMARY_H
#define DFUKIT_BOOT_SWAP_PRIMARY_H

#include "boot_priv.h"
#include "dfukit/err.h"

/* Slots of one sector size whose sector counts differ by at most one, the larger the primary
 * (primary_larger) or the secondary; the size and the first trailer sector of each slot.
 * DFU_EINVAL for other slots. */
static inline int swap_uniform_slots(struct boot_state *st, bool primary_larger, uint32_t *sector,
                       uint32_t *tp, uint32_t *ts)
{
    uint32_t np = flash_area_sector_count(st->pri);
    uint32_t ns = flash_area_sector_count(st->sec);
    uint32_t small = primary_larger ? ns : np, large = primary_larger ? np : ns;
    struct flash_sector s0;
    int err = flash_area_sector(st->pri, 0, &s0);
    if (err) {
        return err;
    }
    if ((large != small && large != small + 1) || large > BOOT_MAX_IMG_SECTORS) {
        return DFU_EINVAL;
    }
    /* Every sector of both slots has the same size. */
    const struct flash_area *big = primary_larger ? st->pri : st->sec;
    const struct flash_area *other = primary_larger ? st->sec : st->pri;
    for (uint32_t i = 0; i < large; i++) {
        struct flash_sector a, b;
        err = flash_area_sector(big, i, &a);
        if (!err && i < small) {
            err = flash_area_sector(other, i, &b);
            if (!err && b.size != s0.size) {
                return DFU_EINVAL;
            }
        }
        if (err) {
            return err;
        }
        if (a.size != s0.size) {
            return DFU_EINVAL;
        }
    }
    *sector = s0.size;
    err = boot_first_trailer_sector_off(st->pri, &st->tl_pri, tp);
    return err ? err : boot_first_trailer_sector_off(st->sec, &st->tl_sec, ts);
}

/* bs reset (idx 1, state 0, op MOVE); source PRIMARY with the swap type and size when the
 * primary trailer records a swap in progress. */
static inline int swap_primary_status(struct boot_state *st, struct boot_status *bs)
{
    bs->idx = 1;
    bs->state = 0;
    bs->op = BOOT_OP_MOVE;
    bs->swap_type = BOOT_SWAP_TYPE_NONE;
    bs->swap_size = 0;
    bs->source = BOOT_STATUS_SOURCE_NONE;
    struct boot_swap_state p, s;
    int err = trailer_read_state(st->pri, &st->tl_pri, &p);
    if (!err) {
        err = trailer_read_state(st->sec, &st->tl_sec, &s);
    }
    if (err) {
        return err;
    }
    /* Only a good, unfinished primary trailer, with the secondary's already erased, records a
     * swap in progress. */
    if (!(p.magic == BOOT_MAGIC_GOOD && p.copy_done == BOOT_FLAG_UNSET &&
          s.magic != BOOT_MAGIC_GOOD)) {
        return 0;
    }
    err = trailer_read_swap_size(st->pri, &st->tl_pri, &bs->swap_size);
    if (err == DFU_ENOENT) {
        bs->swap_size = 0;
        return 0;  /* a padded image, not a swap */
    }
    if (err) {
        return err;
    }
    bs->source = BOOT_STATUS_SOURCE_PRIMARY;
    bs->swap_type = p.swap_type;
    return 0;
}

/* Before the first step: the primary trailer written fresh (unless it already records this
 * swap), then the secondary's erased, so only the primary holds status during the swap. */
static inline int swap_primary_init_trailers(struct boot_state *st, struct boot_status *bs)
{
    int err = 0;
    if (bs->source != BOOT_STATUS_SOURCE_PRIMARY) {
        struct boot_swap_state s;
        err = trailer_read_state(st->sec, &st->tl_sec, &s);
        if (!err) {
            err = boot_erase_trailer_sectors(st->pri, &st->tl_pri);
        }
        if (!err) {
            err = boot_status_init(st, st->pri, &st->tl_pri, bs, s.image_ok == BOOT_FLAG_SET);
        }
        if (!err) {
            bs->source = BOOT_STATUS_SOURCE_PRIMARY;
        }
    }
    return err ? err : boot_erase_trailer_sectors(st->sec, &st->tl_sec);
}

#endif
