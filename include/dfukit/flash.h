/* The flash interface: a small table of operations plus geometry, so the same boot core and
 * SMP server run on emulated NOR flash, on wrappers stacked over it (power cut, trace) and on a
 * real driver. Offsets given to the operations are device offsets. */
#ifndef DFUKIT_FLASH_H
#define DFUKIT_FLASH_H

#include <stdbool.h>
#include <stdint.h>

/* A run of `count` equal sectors; a device's sector map is a list of runs, so non-uniform
 * layouts (STM32F4: 4x16 KiB, 1x64 KiB, 7x128 KiB) cost three entries. */
struct flash_sector_run {
    uint32_t count;
    uint32_t size;
};

struct flash_ops {
    /* Read len bytes at off. */
    int (*read)(void *ctx, uint32_t off, void *buf, uint32_t len);
    /* Program len bytes at off. off and len are multiples of write_align and every byte
     * written must be erased; anything else is an error (DFU_EINVAL), never silently done. */
    int (*write)(void *ctx, uint32_t off, const void *buf, uint32_t len);
    /* Erase [off, off+len); both ends on sector boundaries. */
    int (*erase)(void *ctx, uint32_t off, uint32_t len);
};

struct flash_dev {
    const struct flash_ops *ops;
    void *ctx;
    uint32_t size;                        /* bytes */
    uint32_t write_align;                 /* 1, 2, 4, 8, 16 or 32 */
    uint8_t erased_val;                   /* 0xff or 0x00 */
    const struct flash_sector_run *runs;  /* sector map, in address order, covers size */
    uint32_t run_count;
};

/* A sector: offset relative to whatever it was asked of (device or area) and its size. */
struct flash_sector {
    uint32_t off;
    uint32_t size;
};

/* A partition (slot, scratch, storage): a window [off, off+size) on a device. Operations on
 * an area take area-relative offsets and are bounds-checked against size. */
struct flash_area {
    const struct flash_dev *dev;
    uint32_t off;
    uint32_t size;
    uint8_t id;
};

int flash_area_read(const struct flash_area *fa, uint32_t off, void *buf, uint32_t len);
int flash_area_write(const struct flash_area *fa, uint32_t off, const void *buf, uint32_t len);
/* off and len must lie on the area's sector boundaries. */
int flash_area_erase(const struct flash_area *fa, uint32_t off, uint32_t len);

static inline uint32_t flash_area_align(const struct flash_area *fa) { return fa->dev->write_align; }
static inline uint8_t flash_area_erased_val(const struct flash_area *fa) { return fa->dev->erased_val; }

/* Number of sectors in the area (the area must start and end on sector boundaries). */
uint32_t flash_area_sector_count(const struct flash_area *fa);
/* The idx-th sector of the area, offsets area-relative. DFU_ERANGE past the end. */
int flash_area_sector(const struct flash_area *fa, uint32_t idx, struct flash_sector *out);
/* The sector containing area offset off. */
int flash_area_sector_at(const struct flash_area *fa, uint32_t off, struct flash_sector *out);
/* True when the area starts and ends on sector boundaries of its device. */
bool flash_area_is_sector_aligned(const struct flash_area *fa);
/* The sector of the device containing device offset off. */
int flash_dev_sector_at(const struct flash_dev *dev, uint32_t off, struct flash_sector *out);

/* 1 when [off, off+len) of the area reads as erased, 0 when not, negative on error.
 * buf/buf_len: the caller's scratch buffer. */
int flash_area_is_erased(const struct flash_area *fa, uint32_t off, uint32_t len, uint8_t *buf,
                         uint32_t buf_len);

#endif
