/* The public API of the running application (MCUboot's bootutil_public.c behaviour): mark
 * the secondary pending, confirm the primary, and report slot state to the SMP server. */
#include "boot_priv.h"
#include "dfukit/err.h"

int boot_set_pending(const struct flash_area *secondary, bool permanent)
{
    struct image_header hdr;
    int err = image_header_read(secondary, &hdr);
    if (err == DFU_ENOENT || err == DFU_EBADMSG || err == DFU_ERANGE) {
        return DFU_ENOENT;
    }
    if (err) {
        return err;
    }
    struct boot_trailer_layout tl;
    err = boot_trailer_layout_of(secondary, 0, &tl);
    if (err) {
        return err;
    }
    struct boot_swap_state st;
    err = trailer_read_state(secondary, &tl, &st);
    if (err) {
        return err;
    }
    switch (st.magic) {
    case BOOT_MAGIC_GOOD:
        return 0;  /* a swap is already scheduled */
    case BOOT_MAGIC_UNSET:
        err = trailer_write_magic(secondary, &tl);
        if (!err && permanent) {
            err = trailer_write_flag(secondary, tl.image_ok_off);
        }
        if (!err) {
            err = trailer_write_swap_info(secondary, &tl,
                                          permanent ? BOOT_SWAP_TYPE_PERM : BOOT_SWAP_TYPE_TEST, 0);
        }
        return err;
    default:
        /* A corrupt trailer cannot be repaired in place: erase the slot so a new upload can
         * go in (MCUboot does the same). */
        err = flash_area_erase(secondary, 0, secondary->size);
        return err ? err : DFU_EBADMSG;
    }
}

int boot_set_confirmed(const struct flash_area *primary)
{
    struct boot_trailer_layout tl;
    int err = boot_trailer_layout_of(primary, 0, &tl);
    if (err) {
        return err;
    }
    struct boot_swap_state st;
    err = trailer_read_state(primary, &tl, &st);
    if (err) {
        return err;
    }
    if (st.magic == BOOT_MAGIC_UNSET) {
        return 0;  /* never swapped in: already confirmed */
    }
    if (st.magic == BOOT_MAGIC_BAD) {
        return DFU_EBADMSG;
    }
    if (st.image_ok != BOOT_FLAG_UNSET) {
        return 0;
    }
    return trailer_write_flag(primary, tl.image_ok_off);
}

int boot_slot_flags(const struct flash_area *primary, const struct flash_area *secondary,
                    uint8_t flags[2])
{
    struct boot_swap_state p, s;
    int err = boot_read_swap_state(primary, &p);
    if (!err) {
        err = boot_read_swap_state(secondary, &s);
    }
    if (err) {
        return err;
    }
    flags[0] = BOOT_SLOT_F_ACTIVE;
    flags[1] = 0;
    switch (boot_swap_type_of(&p, &s)) {
    case BOOT_SWAP_TYPE_TEST:
        flags[0] |= BOOT_SLOT_F_CONFIRMED;
        flags[1] |= BOOT_SLOT_F_PENDING;
        break;
    case BOOT_SWAP_TYPE_PERM:
        flags[0] |= BOOT_SLOT_F_CONFIRMED;
        flags[1] |= BOOT_SLOT_F_PENDING | BOOT_SLOT_F_PERMANENT;
        break;
    case BOOT_SWAP_TYPE_REVERT:
        /* The running image is on trial; the other one is the confirmed fallback. */
        flags[1] |= BOOT_SLOT_F_CONFIRMED;
        break;
    default:
        flags[0] |= BOOT_SLOT_F_CONFIRMED;
        break;
    }
    return 0;
}
