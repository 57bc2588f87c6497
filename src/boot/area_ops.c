/* Copy and erase helpers of the bootloader core, and trailer initialisation for a swap. */
#include "boot_priv.h"
#include "dfukit/err.h"

int boot_erase_region(const struct flash_area *fa, uint32_t off, uint32_t len)
{
    if (off > fa->size || len > fa->size - off) {
        return DFU_ERANGE;
    }
    uint32_t end = off + len;
    while (end > off) {
        struct flash_sector s;
        int err = flash_area_sector_at(fa, end - 1, &s);
        if (err) {
            return err;
        }
        if (s.off < off) {
            return DFU_EINVAL;  /* not on a sector boundary */
        }
        err = flash_area_erase(fa, s.off, s.size);
        if (err) {
            return err;
        }
        end = s.off;
    }
    return 0;
}

int boot_first_trailer_sector_off(const struct flash_area *fa,
                                  const struct boot_trailer_layout *tl, uint32_t *out)
{
    struct flash_sector s;
    int err = flash_area_sector_at(fa, fa->size - tl->size, &s);
    if (err) {
        return err;
    }
    *out = s.off;
    return 0;
}

int boot_erase_trailer_sectors(const struct flash_area *fa, const struct boot_trailer_layout *tl)
{
    uint32_t first;
    int err = boot_first_trailer_sector_off(fa, tl, &first);
    if (err) {
        return err;
    }
    return boot_erase_region(fa, first, fa->size - first);
}

#if BOOT_ENCRYPT
int boot_copy_region(struct boot_state *st, const struct flash_area *src, uint32_t soff,
                     const struct flash_area *dst, uint32_t doff, uint32_t len)
{
    return boot_copy_image_region(st, src, soff, dst, doff, len, BOOT_IMG_NONE, 0);
}

int boot_copy_image_region(struct boot_state *st, const struct flash_area *src, uint32_t soff,
                           const struct flash_area *dst, uint32_t doff, uint32_t len, int img,
                           uint32_t img_off)
#else
int boot_copy_region(struct boot_state *st, const struct flash_area *src, uint32_t soff,
                     const struct flash_area *dst, uint32_t doff, uint32_t len)
#endif
{
    uint32_t align = flash_area_align(dst);
    while (len > 0) {
        uint32_t n = len < sizeof(st->buf) ? len : (uint32_t)sizeof(st->buf);
        int err = flash_area_read(src, soff, st->buf, n);
#if BOOT_ENCRYPT
        if (!err && img != BOOT_IMG_NONE && st->enc[img].on) {
            err = enc_payload_xor(&st->enc[img].key, &st->enc[img].hdr, img_off, st->buf, n);
        }
#endif
        if (err) {
            return err;
        }
        /* A tail shorter than the write unit is padded with the erased value. */
        uint32_t wn = (n + align - 1) / align * align;
        for (uint32_t i = n; i < wn; i++) {
            st->buf[i] = flash_area_erased_val(dst);
        }
        err = flash_area_write(dst, doff, st->buf, wn);
        if (err) {
            return err;
        }
        soff += n;
        doff += n;
#if BOOT_ENCRYPT
        img_off += n;
#endif
        len -= n;
    }
    return 0;
}

int boot_status_init(struct boot_state *st, const struct flash_area *fa,
                     const struct boot_trailer_layout *tl, const struct boot_status *bs,
                     bool image_ok)
{
    int err = 0;
    if (bs->swap_type != BOOT_SWAP_TYPE_NONE) {
        err = trailer_write_swap_info(fa, tl, bs->swap_type, BOOT_CURR_IMG(st));
    }
    if (!err && image_ok) {
        err = trailer_write_flag(fa, tl->image_ok_off);
    }
    if (!err) {
        err = trailer_write_swap_size(fa, tl, bs->swap_size);
    }
    if (!err) {
        err = boot_enc_write_keys(st, fa, tl);
    }
    if (!err) {
        err = trailer_write_magic(fa, tl);
    }
    return err;
}
