/* The flash port of the mps2 board: NOR rules over the PSRAM window that QEMU backs with the
 * flash file. Checked here as a real driver would, so the boot core meets the same errors it
 * would on a chip: unaligned or non-erased writes and partial-sector erases are refused. */
#include <string.h>

#include "dfukit/err.h"
#include "mps2.h"

/* Size setting: MPS2_FLASH_STATS 0 leaves the counters at zero (a bootloader reports none). */
#ifndef MPS2_FLASH_STATS
#define MPS2_FLASH_STATS 1
#endif

struct mps2_flash_stats mps2_flash_stats;

static uint8_t *mem(uint32_t off)
{
    return (uint8_t *)(MPS2_PSRAM_BASE + off);
}

static bool in_range(uint32_t off, uint32_t len)
{
    return off <= MPS2_FLASH_SIZE && len <= MPS2_FLASH_SIZE - off;
}

static int psram_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    if (!in_range(off, len)) {
        return DFU_ERANGE;
    }
    mps2_flash_stats.reads += MPS2_FLASH_STATS;
    memcpy(buf, mem(off), len);
    return 0;
}

static int psram_write(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    if (!in_range(off, len) || off % MPS2_WRITE_ALIGN != 0 || len % MPS2_WRITE_ALIGN != 0) {
        return DFU_EINVAL;
    }
    const uint8_t *p = mem(off);
    for (uint32_t i = 0; i < len; i++) {
        if (p[i] != 0xff) {
            return DFU_EINVAL;
        }
    }
    mps2_flash_stats.writes += MPS2_FLASH_STATS;
    memcpy(mem(off), buf, len);
    return 0;
}

static int psram_erase(void *ctx, uint32_t off, uint32_t len)
{
    if (!in_range(off, len) || off % MPS2_SECTOR_SIZE != 0 || len % MPS2_SECTOR_SIZE != 0) {
        return DFU_EINVAL;
    }
    mps2_flash_stats.erases += MPS2_FLASH_STATS * (len / MPS2_SECTOR_SIZE);
    memset(mem(off), 0xff, len);
    return 0;
}

static const struct flash_ops psram_ops = { psram_read, psram_write, psram_erase };
static const struct flash_sector_run psram_runs[] = {
    { MPS2_FLASH_SIZE / MPS2_SECTOR_SIZE, MPS2_SECTOR_SIZE },
};

const struct flash_dev mps2_flash = {
    .ops = &psram_ops,
    .size = MPS2_FLASH_SIZE,
    .write_align = MPS2_WRITE_ALIGN,
    .erased_val = 0xff,
    .runs = psram_runs,
    .run_count = 1,
};

const struct flash_area mps2_slot0 = { &mps2_flash, MPS2_SLOT0_OFF, MPS2_SLOT_SIZE, 0 };
const struct flash_area mps2_slot1 = { &mps2_flash, MPS2_SLOT1_OFF, MPS2_SLOT_SIZE, 1 };
const struct flash_area mps2_scratch = { &mps2_flash, MPS2_SCRATCH_OFF, MPS2_SCRATCH_SIZE, 2 };
const struct flash_area mps2_storage = { &mps2_flash, MPS2_STORAGE_OFF, MPS2_STORAGE_SIZE, 3 };
