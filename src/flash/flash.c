/* Flash areas: bounds-checked, area-relative access to a flash device, and sector lookup over
 * the device's run-length sector map. */
#include "dfukit/flash.h"

#include <stddef.h>

#include "dfukit/err.h"

static bool range_ok(const struct flash_area *fa, uint32_t off, uint32_t len)
{
    return off <= fa->size && len <= fa->size - off;
}

int flash_area_read(const struct flash_area *fa, uint32_t off, void *buf, uint32_t len)
{
    if (!range_ok(fa, off, len)) {
        return DFU_ERANGE;
    }
    if (len == 0) {
        return 0;
    }
    return fa->dev->ops->read(fa->dev->ctx, fa->off + off, buf, len);
}

int flash_area_write(const struct flash_area *fa, uint32_t off, const void *buf, uint32_t len)
{
    if (!range_ok(fa, off, len)) {
        return DFU_ERANGE;
    }
    if (len == 0) {
        return 0;
    }
    return fa->dev->ops->write(fa->dev->ctx, fa->off + off, buf, len);
}

int flash_area_erase(const struct flash_area *fa, uint32_t off, uint32_t len)
{
    if (!range_ok(fa, off, len)) {
        return DFU_ERANGE;
    }
    if (len == 0) {
        return 0;
    }
    return fa->dev->ops->erase(fa->dev->ctx, fa->off + off, len);
}

int flash_dev_sector_at(const struct flash_dev *dev, uint32_t off, struct flash_sector *out)
{
    uint32_t base = 0;
    for (uint32_t r = 0; r < dev->run_count; r++) {
        uint64_t span = (uint64_t)dev->runs[r].count * dev->runs[r].size;
        if (off < base + span) {
            uint32_t idx = (off - base) / dev->runs[r].size;
            out->off = base + idx * dev->runs[r].size;
            out->size = dev->runs[r].size;
            return 0;
        }
        base += (uint32_t)span;
    }
    return DFU_ERANGE;
}

bool flash_area_is_sector_aligned(const struct flash_area *fa)
{
    struct flash_sector s;
    if (fa->size == 0 || flash_dev_sector_at(fa->dev, fa->off, &s) != 0 || s.off != fa->off) {
        return false;
    }
    uint32_t end = fa->off + fa->size;
    if (end == fa->dev->size) {
        return true;
    }
    return flash_dev_sector_at(fa->dev, end, &s) == 0 && s.off == end;
}

/* Walks the sectors of the area in order; stops at the idx-th or at the one holding off. */
static int area_walk(const struct flash_area *fa, uint32_t idx, uint32_t off, bool by_idx,
                     struct flash_sector *out, uint32_t *count)
{
    uint32_t pos = 0, n = 0;
    while (pos < fa->size) {
        struct flash_sector s;
        int err = flash_dev_sector_at(fa->dev, fa->off + pos, &s);
        if (err) {
            return err;
        }
        uint32_t start = s.off - fa->off; /* may be "negative" only for unaligned areas */
        if (s.off < fa->off) {
            start = 0;
        }
        uint32_t size = s.off + s.size - (fa->off + start);
        if (start + size > fa->size) {
            size = fa->size - start;
        }
        if ((by_idx && n == idx) || (!by_idx && off >= start && off < start + size)) {
            if (out) {
                out->off = start;
                out->size = size;
            }
            return 0;
        }
        n++;
        pos = start + size;
    }
    if (count) {
        *count = n;
    }
    return DFU_ERANGE;
}

uint32_t flash_area_sector_count(const struct flash_area *fa)
{
    uint32_t n = 0;
    area_walk(fa, UINT32_MAX, 0, true, NULL, &n);
    return n;
}

int flash_area_sector(const struct flash_area *fa, uint32_t idx, struct flash_sector *out)
{
    return area_walk(fa, idx, 0, true, out, NULL);
}

int flash_area_sector_at(const struct flash_area *fa, uint32_t off, struct flash_sector *out)
{
    if (off >= fa->size) {
        return DFU_ERANGE;
    }
    return area_walk(fa, 0, off, false, out, NULL);
}

int flash_area_is_erased(const struct flash_area *fa, uint32_t off, uint32_t len, uint8_t *buf,
                         uint32_t buf_len)
{
    if (!range_ok(fa, off, len)) {
        return DFU_ERANGE;
    }
    if (buf_len == 0) {
        return DFU_ENOMEM;
    }
    uint8_t ev = fa->dev->erased_val;
    while (len > 0) {
        uint32_t n = len < buf_len ? len : buf_len;
        int err = flash_area_read(fa, off, buf, n);
        if (err) {
            return err;
        }
        for (uint32_t i = 0; i < n; i++) {
            if (buf[i] != ev) {
                return 0;
            }
        }
        off += n;
        len -= n;
    }
    return 1;
}
