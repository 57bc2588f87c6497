/* Overwrite-only upgrade (MCUboot's boot_copy_image()): erase the primary where the new image
 * and the trailer go, copy the secondary over it, then drop the secondary's trailer and
 * header. Until the copy is complete the secondary keeps its good trailer and image, so a
 * cut anywhere before that simply starts the copy again; no revert is possible afterwards. */
#include "boot_priv.h"
#include "dfukit/err.h"

int overwrite_run(struct boot_state *st, uint32_t copy_size)
{
    if (copy_size > st->pri->size - st->tl_pri.size) {
        return DFU_ENOSPC;
    }
    struct flash_sector last;
    uint32_t tail;
    int err = flash_area_sector_at(st->pri, copy_size > 0 ? copy_size - 1 : 0, &last);
    if (!err) {
        err = boot_first_trailer_sector_off(st->pri, &st->tl_pri, &tail);
    }
    uint32_t img_end = last.off + last.size;
    if (!err) {
        err = boot_erase_region(st->pri, tail > img_end ? tail : img_end,
                                st->pri->size - (tail > img_end ? tail : img_end));
    }
    if (!err) {
        err = boot_erase_region(st->pri, 0, img_end);
    }
    if (!err) {
        err = boot_copy_image_region(st, st->sec, 0, st->pri, 0, copy_size, BOOT_IMG_SECONDARY,
                                     0);
    }
    /* The header first, as MCUboot: a cut after it leaves an invalid secondary with a
     * pending trailer, which the next boot erases; the copy is already complete. */
    struct flash_sector first;
    if (!err) {
        err = flash_area_sector(st->sec, 0, &first);
    }
    if (!err) {
        err = boot_erase_region(st->sec, 0, first.size);
    }
    if (!err) {
        err = boot_erase_trailer_sectors(st->sec, &st->tl_sec);
    }
    return err;
}
