/* The image trailer at the end of each slot, laid out and encoded exactly as MCUboot does
 * (bootutil_public.c / bootutil_misc.c), so flash states written by MCUboot or by an app using
 * its public API mean the same here. Field order from the end: magic, image_ok, copy_done,
 * swap_info, swap_size, then the swap status entries. */
#include <string.h>

#include "boot_priv.h"
#include "dfukit/bytes.h"
#include "dfukit/err.h"

/* MCUboot's boot_img_magic for BOOT_MAX_ALIGN 8 ... */
static const uint8_t magic_align8[BOOT_MAGIC_SIZE] = {
    0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
    0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80,
};
/* ... and the tail that follows u16le(max_align) for any other BOOT_MAX_ALIGN. */
static const uint8_t magic_tail[BOOT_MAGIC_SIZE - 2] = {
    0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a,
};

static uint32_t align_up(uint32_t v, uint32_t a) { return (v + a - 1) / a * a; }
static uint32_t align_down(uint32_t v, uint32_t a) { return v / a * a; }

uint32_t boot_max_align(const struct flash_area *fa)
{
    uint32_t wa = flash_area_align(fa);
    return wa > BOOT_MAX_ALIGN ? wa : BOOT_MAX_ALIGN;
}

void boot_magic_bytes(uint32_t max_align, uint8_t out[BOOT_MAGIC_SIZE])
{
    if (max_align == 8) {
        memcpy(out, magic_align8, BOOT_MAGIC_SIZE);
    } else {
        store16_le(out, (uint16_t)max_align);
        memcpy(out + 2, magic_tail, sizeof(magic_tail));
    }
}

static uint32_t max_align_of(uint32_t write_align)
{
    return write_align > BOOT_MAX_ALIGN ? write_align : BOOT_MAX_ALIGN;
}

uint32_t boot_trailer_size(uint32_t write_align, uint32_t status_entries)
{
    uint32_t ma = max_align_of(write_align);
    /* swap_info + copy_done + image_ok + swap_size, and the magic rounded up to max_align */
    return status_entries * write_align + 4 * ma + align_up(BOOT_MAGIC_SIZE, ma);
}

int boot_trailer_layout_of(const struct flash_area *fa, uint32_t status_entries,
                           struct boot_trailer_layout *out)
{
    return boot_trailer_layout_ext(fa, status_entries, false, out);
}

int boot_trailer_layout_ext(const struct flash_area *fa, uint32_t status_entries, bool enc_keys,
                            struct boot_trailer_layout *out)
{
    uint32_t wa = flash_area_align(fa);
    uint32_t key_field = BOOT_ENCRYPT && enc_keys ? align_up(BOOT_ENC_KEY_SIZE, max_align_of(wa)) : 0;
    uint32_t size = boot_trailer_size(wa, status_entries) + 2 * key_field;
    if (fa->size < size || status_entries > UINT32_MAX / 32) {
        return DFU_ENOSPC;
    }
    out->write_align = wa;
    out->max_align = max_align_of(wa);
    out->magic_off = fa->size - BOOT_MAGIC_SIZE;
    out->image_ok_off = align_down(out->magic_off - out->max_align, out->max_align);
    out->copy_done_off = out->image_ok_off - out->max_align;
    out->swap_info_off = out->copy_done_off - out->max_align;
    out->swap_size_off = out->swap_info_off - out->max_align;
    out->status_entries = status_entries;
    out->size = size;
    out->status_off = fa->size - size;
#if BOOT_ENCRYPT
    out->enc_key_size = key_field;
    out->enc_key_off[0] = enc_keys ? out->swap_size_off - key_field : 0;
    out->enc_key_off[1] = enc_keys ? out->swap_size_off - 2 * key_field : 0;
#endif
    return 0;
}

int boot_image_room(const struct flash_area *slot, enum boot_strategy strategy, uint32_t *out)
{
    return boot_image_room_ext(slot, strategy, false, out);
}

int boot_image_room_ext(const struct flash_area *slot, enum boot_strategy strategy, bool enc_keys,
                        uint32_t *out)
{
    struct boot_trailer_layout tl;
    int err = boot_trailer_layout_ext(slot, BOOT_MAX_IMG_SECTORS * BOOT_STATUS_STATE_COUNT,
                                      enc_keys, &tl);
    if (err) {
        return err;
    }
    uint32_t room = slot->size - tl.size;
    if (strategy == BOOT_STRATEGY_SWAP_OFFSET) {
        struct flash_sector s;  /* whole sectors below the trailer's first */
        err = flash_area_sector_at(slot, room, &s);
        if (err) {
            return err;
        }
        room = s.off;
    } else if (strategy == BOOT_STRATEGY_SWAP_MOVE) {
        /* the image ends at least one whole sector below the first trailer sector */
        struct flash_sector s;
        err = flash_area_sector_at(slot, room, &s);
        if (err) {
            return err;
        }
        if (s.off < s.size) {
            return DFU_ENOSPC;
        }
        room = s.off - s.size;
    }
    *out = room;
    return 0;
}

/* Writes len (<= 32) bytes at off padded with the erased value to the write alignment. */
static int write_padded(const struct flash_area *fa, uint32_t off, const uint8_t *val, uint32_t len)
{
    uint8_t buf[32];
    uint32_t n = align_up(len, flash_area_align(fa));
    if (n > sizeof(buf)) {
        return DFU_EINVAL;
    }
    memset(buf, flash_area_erased_val(fa), n);
    memcpy(buf, val, len);
    return flash_area_write(fa, off, buf, n);
}

int trailer_write_magic(const struct flash_area *fa, const struct boot_trailer_layout *tl)
{
    /* As boot_write_magic(): one unit of align_up(16, max_align) bytes ending at the area
     * end, the magic at its end and erased padding before it. */
    uint8_t buf[32];
    uint32_t n = align_up(BOOT_MAGIC_SIZE, tl->max_align);
    memset(buf, flash_area_erased_val(fa), n);
    boot_magic_bytes(tl->max_align, buf + n - BOOT_MAGIC_SIZE);
    return flash_area_write(fa, fa->size - n, buf, n);
}

int trailer_write_flag(const struct flash_area *fa, uint32_t off)
{
    const uint8_t one = BOOT_FLAG_SET;
    return write_padded(fa, off, &one, 1);
}

int trailer_write_swap_info(const struct flash_area *fa, const struct boot_trailer_layout *tl,
                            uint8_t swap_type, uint8_t image_num)
{
    uint8_t v = (uint8_t)((image_num << 4) | (swap_type & 0x0f));
    return write_padded(fa, tl->swap_info_off, &v, 1);
}

int trailer_write_swap_size(const struct flash_area *fa, const struct boot_trailer_layout *tl,
                            uint32_t swap_size)
{
    uint8_t v[4];
    store32_le(v, swap_size);
    return write_padded(fa, tl->swap_size_off, v, 4);
}

static bool all_erased(const struct flash_area *fa, const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (p[i] != flash_area_erased_val(fa)) {
            return false;
        }
    }
    return true;
}

int trailer_read_swap_size(const struct flash_area *fa, const struct boot_trailer_layout *tl,
                           uint32_t *out)
{
    uint8_t v[4];
    int err = flash_area_read(fa, tl->swap_size_off, v, 4);
    if (err) {
        return err;
    }
    if (all_erased(fa, v, 4)) {
        return DFU_ENOENT;
    }
    *out = load32_le(v);
    return 0;
}

static int read_flag(const struct flash_area *fa, uint32_t off, uint8_t *out)
{
    uint8_t v;
    int err = flash_area_read(fa, off, &v, 1);
    if (err) {
        return err;
    }
    if (v == flash_area_erased_val(fa)) {
        *out = BOOT_FLAG_UNSET;
    } else {
        *out = v == BOOT_FLAG_SET ? BOOT_FLAG_SET : BOOT_FLAG_BAD;
    }
    return 0;
}

int trailer_read_state(const struct flash_area *fa, const struct boot_trailer_layout *tl,
                       struct boot_swap_state *out)
{
    uint8_t magic[BOOT_MAGIC_SIZE], good[BOOT_MAGIC_SIZE];
    int err = flash_area_read(fa, tl->magic_off, magic, sizeof(magic));
    if (err) {
        return err;
    }
    boot_magic_bytes(tl->max_align, good);
    if (all_erased(fa, magic, sizeof(magic))) {
        out->magic = BOOT_MAGIC_UNSET;
    } else {
        out->magic = memcmp(magic, good, sizeof(good)) == 0 ? BOOT_MAGIC_GOOD : BOOT_MAGIC_BAD;
    }
    uint8_t info;
    err = flash_area_read(fa, tl->swap_info_off, &info, 1);
    if (err) {
        return err;
    }
    out->swap_type = info & 0x0f;
    out->image_num = info >> 4;
    if (info == flash_area_erased_val(fa) || out->swap_type > BOOT_SWAP_TYPE_REVERT) {
        out->swap_type = BOOT_SWAP_TYPE_NONE;
        out->image_num = 0;
    }
    err = read_flag(fa, tl->copy_done_off, &out->copy_done);
    if (err) {
        return err;
    }
    return read_flag(fa, tl->image_ok_off, &out->image_ok);
}

int boot_read_swap_state(const struct flash_area *slot, struct boot_swap_state *out)
{
    /* The fields above the status area do not depend on the entry count. */
    struct boot_trailer_layout tl;
    int err = boot_trailer_layout_of(slot, 0, &tl);
    if (err) {
        return err;
    }
    return trailer_read_state(slot, &tl, out);
}

int status_write(const struct flash_area *fa, const struct boot_trailer_layout *tl, uint32_t i,
                 uint8_t value)
{
    if (i >= tl->status_entries) {
        return DFU_ERANGE;
    }
    return write_padded(fa, tl->status_off + i * tl->write_align, &value, 1);
}

int status_count(const struct flash_area *fa, const struct boot_trailer_layout *tl, uint32_t *out)
{
    /* Entries are written in order, one unit each; the first erased one ends the run. */
    for (uint32_t i = 0; i < tl->status_entries; i++) {
        uint8_t v;
        int err = flash_area_read(fa, tl->status_off + i * tl->write_align, &v, 1);
        if (err) {
            return err;
        }
        if (v == flash_area_erased_val(fa)) {
            *out = i;
            return 0;
        }
    }
    *out = tl->status_entries;
    return 0;
}
