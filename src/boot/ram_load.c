/* ram-load (MCUboot's MCUBOOT_RAM_LOAD): the image direct_xip.c chose is copied from its slot
 * into the RAM region at the load address its header names (flag IMAGE_F_RAM_LOAD, imgtool
 * sign --load-addr) and validated again there, so what runs is what was checked. An image
 * without the flag, or one that does not fit the region at that address, is refused; a copy
 * that does not validate (or is below the security counter) is cleared from RAM. Flash is only
 * read. */
#include "boot_priv.h"
#include "dfukit/err.h"

int ram_load_image(struct boot_state *st, const struct flash_area *slot,
                   const struct image_header *hdr, uint32_t total, enum boot_reject *why,
                   uint32_t *addr, uint32_t *sec_cnt)
{
    const struct flash_area *ram = st->cfg->ram;
    uint32_t base = st->cfg->ram_addr;
    *why = BOOT_REJECT_NONE;
    if (!(hdr->flags & IMAGE_F_RAM_LOAD) || hdr->load_addr < base ||
        hdr->load_addr - base > ram->size || total > ram->size - (hdr->load_addr - base)) {
        *why = BOOT_REJECT_LOAD_ADDR;
        return 0;
    }
    uint32_t off = hdr->load_addr - base;
    int err = flash_area_erase(ram, 0, ram->size);  /* clear: no part of an older load stays */
    if (!err) {
        err = boot_copy_region(st, slot, 0, ram, off, total);
    }
    if (err) {
        return err;
    }
    struct flash_area copy = {ram->dev, ram->off + off, total, ram->id};
    struct image_info info;
    err = boot_image_validate(st, &copy, st->cfg->keys, st->cfg->key_count, &info);
    if (!err) {
        err = boot_sec_cnt_check(st, &info);  /* on what runs, not on what flash held */
        if (err != 0 && err != DFU_EPERM) {
            return err;
        }
    }
    if (err == DFU_EPOWER || err == DFU_EIO) {
        return err;
    }
    if (err) {
        *why = boot_reject_of(st, &copy, err);
        return flash_area_erase(ram, 0, ram->size);
    }
    *addr = hdr->load_addr;
    *sec_cnt = info.has_sec_cnt ? info.sec_cnt : 0;
    return 0;
}
