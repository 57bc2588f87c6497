/* Direct-XIP (MCUboot's MCUBOOT_DIRECT_XIP and MCUBOOT_DIRECT_XIP_REVERT), and ram-load's
 * choice of image (MCUBOOT_RAM_LOAD: the same, then ram_load.c copies it): each slot holds an
 * image linked for the place it sits; the bootloader starts the valid image with the highest
 * version where it is and never copies. Its only flash work:
 *   - an invalid image (in either slot: the slots are equivalent, as MCUboot's
 *     ARE_SLOTS_EQUIVALENT() erase) is erased, its header sector first, so a cut part-way
 *     leaves no image that still validates;
 *   - with revert, the slot chosen gets copy_done (its one try) unless it has it already; a
 *     slot chosen before whose image is still not confirmed (magic good, copy_done written,
 *     image_ok not set) is erased the same way and the other slot runs. As MCUboot's
 *     boot_select_or_erase(), so is a slot whose trailer has no good magic (an upload never
 *     marked for test nor confirmed), with one exception MCUboot does not make: when the
 *     other slot holds no valid image it starts as it is, nothing written (a factory image
 *     flashed without --confirm), so the last valid image is never erased.
 * Each step is one write or erase whose effect the next boot reads and goes on from, so a
 * power cut anywhere ends where the uncut boot would have.
 * Security counter (BOOT_DOWNGRADE_SECURITY_COUNTER), as MCUboot's MCUBOOT_HW_ROLLBACK_PROT in
 * these modes: an image below the counter does not validate (so it is erased like any invalid
 * one); the counter is raised to the started image's SEC_CNT at every boot, with revert only
 * once that image is confirmed (image_ok), so a test image can still be reverted from. */
#include "boot_priv.h"

#include "dfukit/err.h"

struct xip_slot {
    const struct flash_area *fa;
    const struct boot_trailer_layout *tl;
    bool ok;
    struct image_header hdr;
    uint32_t total;  /* bytes of the valid image */
    uint32_t sec_cnt;  /* its SEC_CNT (0 without) */
    bool confirmed;    /* revert: image_ok set when it was chosen */
    enum boot_reject why;
};

static bool is_flash_error(int err) { return err == DFU_EPOWER || err == DFU_EIO; }

/* Erases the slot unless it reads erased: the header's sector, then the rest from the end. */
static int erase_slot(struct boot_state *st, const struct flash_area *fa)
{
    int erased = flash_area_is_erased(fa, 0, fa->size, st->buf, sizeof st->buf);
    if (erased != 0) {
        return erased < 0 ? erased : 0;
    }
    struct flash_sector first;
    int err = flash_area_sector(fa, 0, &first);
    if (!err) {
        err = flash_area_erase(fa, 0, first.size);
    }
    if (!err && first.size < fa->size) {
        err = boot_erase_region(fa, first.size, fa->size - first.size);
    }
    return err;
}

/* Validates one slot's image; an invalid one is erased (not one built for the other slot, or
 * marked non-bootable: those are valid images that just do not start here). */
static int check_slot(struct boot_state *st, struct xip_slot *s)
{
    s->ok = false;
    s->why = BOOT_REJECT_NONE;
    int err = image_header_read(s->fa, &s->hdr);
    if (is_flash_error(err)) {
        return err;
    }
    if (err == 0 && (s->hdr.flags & IMAGE_F_ROM_FIXED) && s->hdr.load_addr != s->fa->off) {
        s->why = BOOT_REJECT_WRONG_SLOT;  /* as MCUboot's boot_rom_address_check() */
        return 0;
    }
    if (err == 0 && (s->hdr.flags & IMAGE_F_NON_BOOTABLE)) {
        s->why = BOOT_REJECT_NON_BOOTABLE;
        return 0;
    }
    struct image_info info;
    err = boot_image_validate(st, s->fa, st->cfg->keys, st->cfg->key_count, &info);
    if (!err && info.layout.total_size > s->fa->size - s->tl->size) {
        err = DFU_ENOSPC;  /* runs into the trailer */
    }
    if (is_flash_error(err)) {
        return err;
    }
    if (err == 0) {
        err = boot_sec_cnt_check(st, &info);
        if (err != 0 && err != DFU_EPERM) {
            return err;  /* the counter unreadable: touch nothing */
        }
    }
    if (err == 0) {
        s->ok = true;
        s->total = info.layout.total_size;
        s->sec_cnt = info.has_sec_cnt ? info.sec_cnt : 0;
        return 0;
    }
    s->why = boot_reject_of(st, s->fa, err);
    return erase_slot(st, s->fa);
}

/* Revert: *why set when the slot may not run (then it is erased): chosen by an earlier boot
 * and not confirmed since, or never marked while the other slot holds a valid image (other_ok);
 * otherwise its copy_done is written if it is not yet (not for an unmarked last image). */
static int try_once(struct boot_state *st, struct xip_slot *s, bool other_ok,
                    enum boot_reject *why, bool *first)
{
    struct boot_swap_state t;
    int err = trailer_read_state(s->fa, s->tl, &t);
    if (err) {
        return err;
    }
    bool marked = t.magic == BOOT_MAGIC_GOOD;
    *why = marked && t.copy_done != BOOT_FLAG_UNSET && t.image_ok != BOOT_FLAG_SET
               ? BOOT_REJECT_NOT_CONFIRMED
           : !marked && other_ok ? BOOT_REJECT_NOT_MARKED
                                 : BOOT_REJECT_NONE;
    *first = false;
    s->confirmed = t.image_ok == BOOT_FLAG_SET || !marked;
    if (*why != BOOT_REJECT_NONE) {
        return erase_slot(st, s->fa);
    }
    if (!marked) {
        return 0;  /* the only valid image, never marked: it runs, nothing is written */
    }
    if (t.copy_done == BOOT_FLAG_UNSET) {
        *first = t.magic == BOOT_MAGIC_GOOD && t.image_ok != BOOT_FLAG_SET;
        return trailer_write_flag(s->fa, s->tl->copy_done_off);
    }
    return 0;
}

/* The valid slot with the highest version; the primary on a tie (MCUboot's
 * find_slot_with_highest_version() keeps the first). -1 when neither is valid. */
static int pick(const struct boot_state *st, const struct xip_slot s[2])
{
    if (s[0].ok && s[1].ok) {
        return image_version_cmp(&s[1].hdr.ver, &s[0].hdr.ver, st->cfg->downgrade_use_build) > 0;
    }
    return s[0].ok ? 0 : s[1].ok ? 1 : -1;
}

int direct_xip_go(struct boot_state *st, struct boot_rsp *rsp)
{
    bool ram_load = BOOT_STRATEGY_OF(st->cfg) == BOOT_STRATEGY_RAM_LOAD;
    if (ram_load && st->cfg->ram == NULL) {
        return DFU_EINVAL;  /* nowhere to load to */
    }
    struct xip_slot s[2] = {{.fa = st->pri, .tl = &st->tl_pri}, {.fa = st->sec, .tl = &st->tl_sec}};
    uint8_t did = BOOT_SWAP_TYPE_NONE;
    for (int i = 0; i < 2; i++) {
        int err = check_slot(st, &s[i]);
        if (err) {
            return err;
        }
        if (s[i].why != BOOT_REJECT_NONE && s[i].why != BOOT_REJECT_NO_IMAGE) {
            did = BOOT_SWAP_TYPE_FAIL;
        }
    }
    int n = pick(st, s);
    while (n >= 0 && BOOT_STRATEGY_OF(st->cfg) == BOOT_STRATEGY_DIRECT_XIP_REVERT) {
        enum boot_reject why;
        bool first;
        int err = try_once(st, &s[n], s[n ^ 1].ok, &why, &first);
        if (err) {
            return err;
        }
        if (why == BOOT_REJECT_NONE) {
            did = first ? BOOT_SWAP_TYPE_TEST : did;
            break;
        }
        s[n].ok = false;
        s[n].why = why;
        did = why == BOOT_REJECT_NOT_CONFIRMED ? BOOT_SWAP_TYPE_REVERT : BOOT_SWAP_TYPE_FAIL;
        n = pick(st, s);
    }
    uint32_t image_off = n >= 0 ? s[n].fa->off : 0;
    while (n >= 0 && ram_load) {
        enum boot_reject why;
        int err = ram_load_image(st, s[n].fa, &s[n].hdr, s[n].total, &why, &image_off,
                                 &s[n].sec_cnt);
        if (err) {
            return err;
        }
        if (why == BOOT_REJECT_NONE) {
            break;
        }
        s[n].ok = false;  /* kept in flash: it may suit another RAM layout */
        s[n].why = why;
        did = BOOT_SWAP_TYPE_FAIL;
        n = pick(st, s);
        image_off = n >= 0 ? s[n].fa->off : 0;
    }
    if (n >= 0 && (BOOT_STRATEGY_OF(st->cfg) != BOOT_STRATEGY_DIRECT_XIP_REVERT || s[n].confirmed)) {
        int err = boot_sec_cnt_raise(st, s[n].sec_cnt);
        if (err) {
            return err;
        }
    }
    if (n < 0) {
        if (rsp != NULL) {
            rsp->primary_reject = s[0].why;
            rsp->secondary_reject = s[1].why;
        }
        return DFU_ENOENT;
    }
    if (rsp != NULL) {
        /* an empty slot is not a refusal when the other runs */
        rsp->primary_reject = s[0].why == BOOT_REJECT_NO_IMAGE ? BOOT_REJECT_NONE : s[0].why;
        rsp->secondary_reject = s[1].why == BOOT_REJECT_NO_IMAGE ? BOOT_REJECT_NONE : s[1].why;
        rsp->slot = (uint8_t)n;
        rsp->area = s[n].fa;
        rsp->image_off = image_off;  /* ram-load: the RAM address */
        rsp->hdr = s[n].hdr;
        rsp->swap_type = (enum boot_swap_type)did;
    }
    return 0;
}
