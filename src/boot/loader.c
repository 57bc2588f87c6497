/* boot_go(): the bootloader's decision loop.
 *   1. Read the status of an interrupted swap; if one is under way, finish it.
 *   2. Otherwise decide the swap from the two trailers (swap_table.c). For TEST/PERM/REVERT
 *      validate the secondary completely (and apply the downgrade policy) before touching
 *      anything; an invalid secondary is erased (one marked non-bootable is left alone, as
 *      MCUboot's boot_validate_slot() does) and the primary boots (FAIL).
 *   3. Validate the primary (unless configured not to; never start a non-bootable one) and
 *      report what to start, or why nothing can start.
 * Each step is a function of one image pair (boot_state_init() picks the pair), which
 * boot_go_multi() (multi_image.c) runs for every image between its own steps. */
#include <string.h>

#include "boot_priv.h"
#include "dfukit/err.h"

/* The phases boot_go_multi() (multi_image.c) calls per image; static where there is one
 * image, so boot_go() compiles as one function as before. */
#if BOOT_IMAGE_NUMBER > 1
#define BOOT_PHASE
#else
#define BOOT_PHASE static
#endif

BOOT_PHASE int boot_state_init(struct boot_state *st, const struct boot_config *cfg,
                               uint8_t image)
{
    if (cfg == NULL) {
        return DFU_EINVAL;
    }
    st->cfg = cfg;
    st->pri = cfg->primary;
    st->sec = cfg->secondary;
#if BOOT_IMAGE_NUMBER > 1
    st->image = image;
    if (cfg->images != NULL) {
        st->pri = cfg->images[image].primary;
        st->sec = cfg->images[image].secondary;
    }
#else
    (void)image;
#endif
    if (st->pri == NULL || st->sec == NULL) {
        return DFU_EINVAL;
    }
    st->scr = BOOT_STRATEGY_OF(cfg) == BOOT_STRATEGY_SWAP_SCRATCH ? cfg->scratch : NULL;
    if (cfg->strategy > BOOT_STRATEGY_RAM_LOAD || cfg->strategy != BOOT_STRATEGY_OF(cfg) ||
        (BOOT_STRATEGY_OF(cfg) == BOOT_STRATEGY_SWAP_SCRATCH && st->scr == NULL) ||
        (cfg->downgrade == BOOT_DOWNGRADE_SECURITY_COUNTER && cfg->sec_cnt == NULL) ||
        (!BOOT_DOWNGRADE_POLICY && (cfg->downgrade != BOOT_DOWNGRADE_ALLOW || cfg->sec_cnt))) {
        return DFU_EINVAL;
    }
    if (!flash_area_is_sector_aligned(st->pri) || !flash_area_is_sector_aligned(st->sec) ||
        flash_area_align(st->pri) != flash_area_align(st->sec) ||
        flash_area_erased_val(st->pri) != flash_area_erased_val(st->sec)) {
        return DFU_EINVAL;
    }
    uint32_t entries = BOOT_MAX_IMG_SECTORS * BOOT_STATUS_STATE_COUNT;
    /* A bootloader with encryption has the trailer key fields (MCUboot's layout). */
    bool enc = BOOT_ENCRYPT && cfg->enc_key != NULL;
#if BOOT_ENCRYPT
    memset(st->enc, 0, sizeof st->enc);
    st->enc_why = BOOT_REJECT_NONE;
#endif
    int err = boot_trailer_layout_ext(st->pri, entries, enc, &st->tl_pri);
    if (!err) {
        err = boot_trailer_layout_ext(st->sec, entries, enc, &st->tl_sec);
    }
    if (!err && st->scr != NULL) {
        if (!flash_area_is_sector_aligned(st->scr) ||
            flash_area_align(st->scr) != flash_area_align(st->pri) ||
            flash_area_erased_val(st->scr) != flash_area_erased_val(st->pri)) {
            return DFU_EINVAL;
        }
        err = boot_trailer_layout_ext(st->scr, BOOT_STATUS_STATE_COUNT, enc, &st->tl_scr);
    }
    return err == DFU_ENOSPC ? DFU_EINVAL : err;
}

static bool status_is_reset(const struct boot_state *st, const struct boot_status *bs)
{
    if (bs->idx != 1 || bs->state != 0) {
        return false;
    }
    return BOOT_STRATEGY_OF(st->cfg) != BOOT_STRATEGY_SWAP_MOVE || bs->op == BOOT_OP_MOVE;
}

static int read_status(struct boot_state *st, struct boot_status *bs)
{
    switch (BOOT_STRATEGY_OF(st->cfg)) {
    case BOOT_STRATEGY_SWAP_SCRATCH:
        return swap_scratch_read_status(st, bs);
    case BOOT_STRATEGY_SWAP_MOVE:
        return swap_move_read_status(st, bs);
    case BOOT_STRATEGY_SWAP_OFFSET:
        return swap_offset_read_status(st, bs);
    default:
        memset(bs, 0, sizeof(*bs));
        bs->idx = 1;
        bs->swap_type = BOOT_SWAP_TYPE_NONE;
        return 0;
    }
}

static int run_swap(struct boot_state *st, struct boot_status *bs)
{
    if (BOOT_STRATEGY_OF(st->cfg) == BOOT_STRATEGY_SWAP_SCRATCH) {
        return swap_scratch_run(st, bs);
    }
    if (BOOT_STRATEGY_OF(st->cfg) == BOOT_STRATEGY_SWAP_OFFSET) {
        return swap_offset_run(st, bs);
    }
    return swap_move_run(st, bs);
}

/* After a swap: image_ok first for PERM/REVERT (a cut before copy_done then resumes, rather
 * than looking like an unconfirmed test), then copy_done. */
BOOT_PHASE int boot_finish_swap(struct boot_state *st, uint8_t swap_type)
{
    struct boot_swap_state p;
    int err = trailer_read_state(st->pri, &st->tl_pri, &p);
    if (err) {
        return err;
    }
    if ((swap_type == BOOT_SWAP_TYPE_PERM || swap_type == BOOT_SWAP_TYPE_REVERT) &&
        p.image_ok == BOOT_FLAG_UNSET) {
        err = trailer_write_flag(st->pri, st->tl_pri.image_ok_off);
    }
    if (!err && p.copy_done == BOOT_FLAG_UNSET) {
        err = trailer_write_flag(st->pri, st->tl_pri.copy_done_off);
    }
    return err;
}

/* Bytes an image occupies in a slot, 0 when the slot holds no readable image. */
static uint32_t image_size(const struct flash_area *fa)
{
    struct image_header hdr;
    struct image_layout lay;
    if (image_header_read(fa, &hdr) != 0 || image_layout_read(fa, &hdr, &lay) != 0) {
        return 0;
    }
    return lay.total_size;
}

static int validate(struct boot_state *st, const struct flash_area *fa, struct image_info *info)
{
    int err = boot_image_validate(st, fa, st->cfg->keys, st->cfg->key_count, info);
    if (err) {
        return err;
    }
    if (info->layout.total_size > fa->size - st->tl_pri.size) {
        return DFU_ENOSPC;  /* would run into the trailer */
    }
    return 0;
}

/* True when the secondary trailer carries a swap_size: only swap-move's revert fixup writes
 * one there, so the image is the previous, confirmed one and no downgrade check applies. */
static bool is_revert_fixup(struct boot_state *st)
{
    uint32_t v;
    return trailer_read_swap_size(st->sec, &st->tl_sec, &v) == 0;
}

/* Downgrade policy for the secondary: DFU_EPERM when refused. */
static int check_downgrade(struct boot_state *st, const struct image_info *sec)
{
    const struct boot_config *cfg = st->cfg;
    if (cfg->downgrade == BOOT_DOWNGRADE_VERSION) {
        struct image_header hp;
        if (image_header_read(st->pri, &hp) == 0 &&
            image_version_cmp(&sec->hdr.ver, &hp.ver, cfg->downgrade_use_build) < 0) {
            return DFU_EPERM;
        }
    }
    return boot_sec_cnt_check(st, sec);
}

BOOT_PHASE int boot_secondary_image(struct boot_state *st, uint8_t type, struct flash_area *win,
                                    const struct flash_area **img)
{
    *img = st->sec;
    /* swap-offset: a new image one sector in; what a revert takes back, at the start */
    if (BOOT_STRATEGY_OF(st->cfg) == BOOT_STRATEGY_SWAP_OFFSET && type != BOOT_SWAP_TYPE_REVERT) {
        *img = win;
        return boot_image_area(st->sec, BOOT_STRATEGY_SWAP_OFFSET, win) == 0 ? 0 : DFU_EINVAL;
    }
    return 0;
}

/* Validates the secondary for a swap of this type. 0: go ahead. Otherwise the secondary is
 * refused (*why says why); it is erased unless that could lose the last valid image, as
 * MCUboot's boot_validate_slot() erases an invalid secondary. Flash errors pass up as such
 * (*why stays BOOT_REJECT_NONE). */
BOOT_PHASE int boot_check_secondary(struct boot_state *st, uint8_t type, struct image_info *info,
                                    enum boot_reject *why)
{
    *why = BOOT_REJECT_NONE;
    struct flash_area win;
    const struct flash_area *img;
    if (boot_secondary_image(st, type, &win, &img) != 0) {
        return DFU_EINVAL;
    }
    struct image_header hdr;
    int err = image_header_read(img, &hdr);
    if (err == DFU_EPOWER || err == DFU_EIO) {
        return err;
    }
    if (err == 0 && (hdr.flags & IMAGE_F_NON_BOOTABLE)) {
        /* As MCUboot: no image to boot there, and nothing to erase. */
        *why = BOOT_REJECT_NON_BOOTABLE;
        return 0;
    }
    err = validate(st, img, info);
    bool valid = err == 0;
    if (err == DFU_EPOWER || err == DFU_EIO) {
        return err;
    }
    if (BOOT_DOWNGRADE_POLICY && valid && type != BOOT_SWAP_TYPE_REVERT && !is_revert_fixup(st)) {
        err = check_downgrade(st, info);
        if (err == DFU_EPOWER || err == DFU_EIO) {
            return err;
        }
    }
    if (err == 0) {
        return 0;
    }
    *why = boot_reject_of(st, img, err);
    if (valid) {
        /* A valid image refused by policy: keep it unless the primary is valid. */
        struct image_info pi;
        int perr = validate(st, st->pri, &pi);
        if (perr == DFU_EPOWER || perr == DFU_EIO) {
            return perr;
        }
        if (perr != 0) {
            return 0;
        }
    }
    /* Skip the erase when there is nothing left to erase (a stale record asking again). */
    int erased = flash_area_is_erased(st->sec, 0, st->sec->size, st->buf, sizeof(st->buf));
    if (erased < 0) {
        return erased;
    }
    return erased ? 0 : boot_erase_region(st->sec, 0, st->sec->size);
}

static int strategy_check(struct boot_state *st, uint32_t swap_size)
{
    switch (BOOT_STRATEGY_OF(st->cfg)) {
    case BOOT_STRATEGY_SWAP_SCRATCH:
        return swap_scratch_check(st, swap_size);
    case BOOT_STRATEGY_SWAP_MOVE:
        return swap_move_check(st, swap_size);
    case BOOT_STRATEGY_SWAP_OFFSET:
        return swap_offset_check(st, swap_size);
    default: {
        uint32_t room;
        int err = boot_image_room(st->pri, BOOT_STRATEGY_OF(st->cfg), &room);
        return err ? err : swap_size <= room ? 0 : DFU_ENOSPC;
    }
    }
}

BOOT_PHASE int boot_swap_size(struct boot_state *st, uint32_t *size)
{
    if (BOOT_STRATEGY_OF(st->cfg) != BOOT_STRATEGY_OVERWRITE) {
        uint32_t psize = image_size(st->pri);
        if (psize > *size && psize <= st->pri->size - st->tl_pri.size) {
            *size = psize;
        }
    }
    return strategy_check(st, *size) != 0 ? DFU_ENOSPC : 0;
}

/* Starts a new upgrade (or revert) of the given type for a secondary checked valid; *done
 * gets what happened, *why why it could not. */
BOOT_PHASE int boot_perform_swap(struct boot_state *st, struct boot_status *bs, uint8_t type,
                                 uint32_t size, bool finish, uint8_t *done, enum boot_reject *why)
{
    if (boot_swap_size(st, &size) != 0) {
        *done = BOOT_SWAP_TYPE_FAIL;  /* slots cannot hold this swap; leave both alone */
        *why = BOOT_REJECT_TOO_LARGE;
        return 0;
    }
    int err = boot_enc_start(st, type);
    if (err == DFU_EPERM) {
        *done = BOOT_SWAP_TYPE_FAIL;  /* the primary's key does not unwrap: it cannot leave */
        *why = BOOT_REJECT_ENC_KEY;
        return 0;
    }
    if (err) {
        return err;
    }
    if (BOOT_STRATEGY_OF(st->cfg) == BOOT_STRATEGY_OVERWRITE) {
        err = overwrite_run(st, size);
    } else {
        bs->swap_type = type;
        bs->swap_size = size;
        err = run_swap(st, bs);
        if (!err && finish) {
            err = boot_finish_swap(st, type);
        }
    }
    if (!err) {
        *done = type;
    }
    return err;
}

/* Raises the hardware security counter to a confirmed primary's SEC_CNT. */
static int update_sec_cnt(struct boot_state *st, const struct image_header *hdr)
{
    const struct boot_sec_cnt_port *port = st->cfg->sec_cnt;
    if (!BOOT_DOWNGRADE_POLICY || port == NULL || port->update == NULL) {
        return 0;
    }
    struct boot_swap_state p;
    int err = trailer_read_state(st->pri, &st->tl_pri, &p);
    if (err) {
        return err;
    }
    bool confirmed = p.magic == BOOT_MAGIC_UNSET || p.image_ok == BOOT_FLAG_SET;
    uint32_t img;
    if (!confirmed || image_read_security_counter(st->pri, hdr, &img) != 0) {
        return 0;
    }
    return boot_sec_cnt_raise(st, img);
}

BOOT_PHASE int boot_prepare(struct boot_state *st, struct boot_status *bs, bool finish,
                            uint8_t *type, uint8_t *done)
{
    int err = read_status(st, bs);
    if (err) {
        return err;
    }
    *type = BOOT_SWAP_TYPE_NONE;
    *done = BOOT_SWAP_TYPE_NONE;
    if (bs->source != BOOT_STATUS_SOURCE_NONE && !status_is_reset(st, bs)) {
        /* Interrupted swap: finish it; its images cannot be validated until it is done. */
        err = boot_enc_resume(st, bs);
        if (!err) {
            err = run_swap(st, bs);
        }
        if (!err && finish) {
            err = boot_finish_swap(st, bs->swap_type);
        }
        *done = bs->swap_type;
        if (err == DFU_EINVAL) {
            /* The record asks for a swap these slots cannot do (a foreign or corrupt
             * trailer): touch nothing and let the primary's validation decide. */
            err = 0;
            *done = BOOT_SWAP_TYPE_PANIC;
        }
        return err;
    }
    if (bs->source != BOOT_STATUS_SOURCE_NONE && bs->swap_type != BOOT_SWAP_TYPE_NONE) {
        *type = bs->swap_type;  /* a swap recorded but not begun: start it again */
    } else {
        struct boot_swap_state p, s;
        err = trailer_read_state(st->pri, &st->tl_pri, &p);
        if (!err) {
            err = trailer_read_state(st->sec, &st->tl_sec, &s);
        }
        if (err) {
            return err;
        }
        *type = boot_swap_type_of(&p, &s);
        if (*type == BOOT_SWAP_TYPE_NONE && BOOT_STRATEGY_OF(st->cfg) == BOOT_STRATEGY_SWAP_MOVE &&
            swap_move_revert_pending(&p, &s)) {
            *type = BOOT_SWAP_TYPE_REVERT;
        }
        if (BOOT_STRATEGY_OF(st->cfg) == BOOT_STRATEGY_SWAP_OFFSET) {
            *type = swap_offset_type(st, &p, &s, *type);
        }
    }
    if (BOOT_STRATEGY_OF(st->cfg) == BOOT_STRATEGY_OVERWRITE && *type == BOOT_SWAP_TYPE_REVERT) {
        *type = BOOT_SWAP_TYPE_NONE;  /* nothing to revert to */
    }
    return 0;
}

BOOT_PHASE int boot_validate_primary(struct boot_state *st, struct boot_rsp *rsp, uint8_t done,
                                     enum boot_reject sec_why)
{
    struct image_header hdr;
    int err;
    if (st->cfg->skip_primary_validation) {
        err = image_header_read(st->pri, &hdr);
    } else {
        struct image_info info;
        err = validate(st, st->pri, &info);
        hdr = info.hdr;
    }
    if (err == DFU_EPOWER || err == DFU_EIO) {
        return err;
    }
    if (rsp != NULL) {
        rsp->secondary_reject = sec_why;
    }
    if (err || (hdr.flags & IMAGE_F_NON_BOOTABLE)) {
        if (rsp != NULL) {
            rsp->primary_reject = err ? boot_reject_of(st, st->pri, err)
                                      : BOOT_REJECT_NON_BOOTABLE;
        }
        return DFU_ENOENT;  /* nothing bootable */
    }
    err = update_sec_cnt(st, &hdr);
    if (err) {
        return err;
    }
    if (rsp != NULL) {
        rsp->slot = 0;
        rsp->area = st->pri;
        rsp->image_off = st->pri->off;
        rsp->hdr = hdr;
        rsp->swap_type = (enum boot_swap_type)done;
    }
    return 0;
}

int boot_go(const struct boot_config *cfg, struct boot_rsp *rsp)
{
    struct boot_state st;
    if (rsp != NULL) {
        memset(rsp, 0, sizeof(*rsp));
    }
#if BOOT_IMAGE_NUMBER > 1
    if (cfg != NULL && cfg->images != NULL) {
        return DFU_EINVAL;  /* a multi-image config: boot_go_multi() */
    }
#endif
    int err = boot_state_init(&st, cfg, 0);
    if (err) {
        return err;
    }
    if (BOOT_STRATEGY_OF(cfg) >= BOOT_STRATEGY_DIRECT_XIP) {
        return direct_xip_go(&st, rsp);  /* nothing to swap: pick a slot (and load it) */
    }
    struct boot_status bs;
    uint8_t type, done;
    enum boot_reject sec_why = BOOT_REJECT_NONE;
    err = boot_prepare(&st, &bs, true, &type, &done);
    if (!err && boot_is_upgrade(type)) {
        struct image_info info;
        err = boot_check_secondary(&st, type, &info, &sec_why);
        if (err) {
            return err;
        }
        if (sec_why != BOOT_REJECT_NONE) {
            done = BOOT_SWAP_TYPE_FAIL;
        } else {
            err = boot_perform_swap(&st, &bs, type, info.layout.total_size, true, &done,
                                    &sec_why);
        }
    }
    if (err) {
        return err;
    }
    return boot_validate_primary(&st, rsp, done, sec_why);
}
