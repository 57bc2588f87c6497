/* Swap using move (MCUboot's swap_move.c algorithm, our code). No scratch area; the slots
 * have equal sectors and the primary one spare sector above the image.
 *
 *   move phase, for i = n .. 1:  primary[i] <- primary[i-1]       (status: move entry)
 *   swap phase, for i = 0 .. n-1: primary[i] <- secondary[i]      (status: swap entry, step 0)
 *                                 secondary[i] <- primary[i+1]    (status: swap entry, step 1)
 * where n is the number of sectors the larger image covers. Each step erases only a sector
 * whose content exists elsewhere, so it can be redone after a cut. Status lives in the
 * primary trailer: BOOT_MAX_IMG_SECTORS move entries, then two swap entries per sector
 * (MCUboot's layout). The primary trailer is written fresh before the first move, and the
 * secondary trailer erased right after, so only the primary holds status during the swap. */
#include "boot_priv.h"
#include "dfukit/err.h"
#include "swap_primary.h"

#define MOVE_ENTRIES BOOT_MAX_IMG_SECTORS

struct move_plan {
    uint32_t sector_size;
    uint32_t last_idx;  /* sectors covered by the images */
};

static int make_plan(struct boot_state *st, uint32_t swap_size, struct move_plan *p)
{
    uint32_t tp, ts;
    int err = swap_uniform_slots(st, true, &p->sector_size, &tp, &ts);
    if (err) {
        return err;
    }
    p->last_idx = (swap_size + p->sector_size - 1) / p->sector_size;
    /* The spare sector (last_idx) must lie below the primary trailer, and the secondary's
     * image sectors below its trailer. */
    if (p->last_idx == 0 || (p->last_idx + 1) * p->sector_size > tp ||
        p->last_idx * p->sector_size > ts) {
        return DFU_EINVAL;
    }
    return 0;
}

int swap_move_check(struct boot_state *st, uint32_t swap_size)
{
    struct move_plan p;
    return make_plan(st, swap_size, &p);
}

int swap_move_read_status(struct boot_state *st, struct boot_status *bs)
{
    int err = swap_primary_status(st, bs);
    if (err || bs->source != BOOT_STATUS_SOURCE_PRIMARY) {
        return err;
    }
    /* The move and swap entries are apart, so find the last written one. */
    uint32_t found = 0;
    for (uint32_t i = st->tl_pri.status_entries; i > 0; i--) {
        uint8_t v;
        err = flash_area_read(st->pri, st->tl_pri.status_off + (i - 1) * st->tl_pri.write_align,
                              &v, 1);
        if (err) {
            return err;
        }
        if (v != flash_area_erased_val(st->pri)) {
            found = i;
            break;
        }
    }
    if (found == 0) {
        return 0;
    }
    if (found <= MOVE_ENTRIES) {
        bs->op = BOOT_OP_MOVE;
        bs->idx = found + 1;
    } else {
        uint32_t k = found - MOVE_ENTRIES;
        bs->op = BOOT_OP_SWAP;
        bs->idx = k / 2 + 1;
        bs->state = (uint8_t)(k % 2);
    }
    return 0;
}

/* A revert starts with the primary trailer erased and rebuilt; a cut in that window would
 * leave no record of the revert. So first make the secondary trailer ask for a permanent
 * swap (image_ok, swap_size, magic), as MCUboot's fixup_revert(). The swap_size field marks
 * it as a revert for the downgrade check. A magic torn by a cut reads bad, not unset, so the
 * fixup is redone for any secondary magic that is not good (see swap_move_revert_pending). */
int swap_move_fixup_revert(struct boot_state *st, struct boot_status *bs)
{
    if (bs->swap_type != BOOT_SWAP_TYPE_REVERT || bs->op != BOOT_OP_MOVE || bs->idx != 1) {
        return 0;
    }
    struct boot_swap_state s;
    int err = trailer_read_state(st->sec, &st->tl_sec, &s);
    if (err || s.magic == BOOT_MAGIC_GOOD) {
        return err;
    }
    err = boot_erase_trailer_sectors(st->sec, &st->tl_sec);
    if (!err) {
        err = trailer_write_flag(st->sec, st->tl_sec.image_ok_off);
    }
    if (!err) {
        err = trailer_write_swap_size(st->sec, &st->tl_sec, bs->swap_size);
    }
    if (!err) {
        err = trailer_write_magic(st->sec, &st->tl_sec);
    }
    return err;
}

static int move_up(struct boot_state *st, struct boot_status *bs, const struct move_plan *p,
                   uint32_t i)
{
    int err = bs->idx == 1 ? swap_primary_init_trailers(st, bs) : 0;
    uint32_t sz = p->sector_size;
    if (!err) {
        err = boot_erase_region(st->pri, i * sz, sz);
    }
    if (!err) {
        err = boot_copy_region(st, st->pri, (i - 1) * sz, st->pri, i * sz, sz);
    }
    if (!err) {
        err = status_write(st->pri, &st->tl_pri, bs->idx - 1, 1);
    }
    if (!err) {
        bs->idx++;
    }
    return err;
}

static int swap_sector(struct boot_state *st, struct boot_status *bs, const struct move_plan *p,
                       uint32_t i)
{
    uint32_t sz = p->sector_size;
    uint32_t entry = MOVE_ENTRIES + (bs->idx - 1) * 2;
    int err = 0;
    if (bs->state == 0) {
        err = boot_erase_region(st->pri, i * sz, sz);
        if (!err) {
            err = boot_copy_image_region(st, st->sec, i * sz, st->pri, i * sz, sz,
                                         BOOT_IMG_SECONDARY, i * sz);
        }
        if (!err) {
            err = status_write(st->pri, &st->tl_pri, entry, 1);
        }
        if (err) {
            return err;
        }
        bs->state = 1;
    }
    err = boot_erase_region(st->sec, i * sz, sz);
    if (!err) {
        err = boot_copy_image_region(st, st->pri, (i + 1) * sz, st->sec, i * sz, sz,
                                     BOOT_IMG_PRIMARY, i * sz);
    }
    if (!err) {
        err = status_write(st->pri, &st->tl_pri, entry + 1, 2);
    }
    if (err) {
        return err;
    }
    bs->idx++;
    bs->state = 0;
    return 0;
}

int swap_move_run(struct boot_state *st, struct boot_status *bs)
{
    struct move_plan p;
    int err = make_plan(st, bs->swap_size, &p);
    if (err) {
        return err;
    }
    err = swap_move_fixup_revert(st, bs);
    if (err) {
        return err;
    }
    if (bs->op == BOOT_OP_MOVE) {
        /* Move number idx shifts sector last_idx - idx up by one. */
        while (bs->idx <= p.last_idx) {
            err = move_up(st, bs, &p, p.last_idx - bs->idx + 1);
            if (err) {
                return err;
            }
        }
        bs->op = BOOT_OP_SWAP;
        bs->idx = 1;
        bs->state = 0;
    }
    while (bs->idx <= p.last_idx) {
        err = swap_sector(st, bs, &p, bs->idx - 1);
        if (err) {
            return err;
        }
    }
    return 0;
}

bool swap_move_revert_pending(const struct boot_swap_state *p, const struct boot_swap_state *s)
{
    /* The revert row of the swap table with the secondary's magic bad instead of unset: the
     * fixup above was cut while writing the magic. */
    return p->magic == BOOT_MAGIC_GOOD && p->image_ok == BOOT_FLAG_UNSET &&
           p->copy_done == BOOT_FLAG_SET && s->magic == BOOT_MAGIC_BAD;
}
