/* Slot 0 as MCUboot's serial recovery sees it: images only, never trailers (recovery.h). */
#include "dfukit/recovery.h"

#include <string.h>

#include "dfukit/boot.h"

static int view_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    struct recovery_slot_view *v = ctx;
    int rc = v->lower->ops->read(v->lower->ctx, off, buf, len);
    if (rc != 0) {
        return rc;
    }
    uint64_t end = (uint64_t)off + len, hide_end = (uint64_t)v->hide_off + v->hide_len;
    if (off < hide_end && v->hide_off < end) {
        uint32_t from = off > v->hide_off ? off : v->hide_off;
        uint32_t to = (uint32_t)(end < hide_end ? end : hide_end);
        memset((uint8_t *)buf + (from - off), v->lower->erased_val, to - from);
    }
    return 0;
}

static int view_write(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    struct recovery_slot_view *v = ctx;
    return v->lower->ops->write(v->lower->ctx, off, buf, len);
}

static int view_erase(void *ctx, uint32_t off, uint32_t len)
{
    struct recovery_slot_view *v = ctx;
    return v->lower->ops->erase(v->lower->ctx, off, len);
}

static const struct flash_ops view_ops = {
    .read = view_read,
    .write = view_write,
    .erase = view_erase,
};

int recovery_slot_view_init(struct recovery_slot_view *v, const struct flash_area *slot)
{
    struct boot_trailer_layout t;
    int rc = boot_trailer_layout_of(slot, BOOT_STATUS_STATE_COUNT * BOOT_MAX_IMG_SECTORS, &t);
    if (rc != 0) {
        return rc;
    }
    /* Hide whole sectors: from the one holding the trailer's first byte to the slot's end. */
    struct flash_sector s;
    rc = flash_area_sector_at(slot, slot->size - t.size, &s);
    if (rc != 0) {
        return rc;
    }
    v->lower = slot->dev;
    v->dev = *slot->dev;
    v->dev.ops = &view_ops;
    v->dev.ctx = v;
    v->hide_off = slot->off + s.off;
    v->hide_len = slot->size - s.off;
    v->area = *slot;
    v->area.dev = &v->dev;
    return 0;
}
