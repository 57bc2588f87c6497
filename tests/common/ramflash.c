/* RAM flash for tests; see ramflash.h. */
#include "ramflash.h"

#include <string.h>

#include "dfukit/err.h"

static bool in_range(const struct ramflash *rf, uint32_t off, uint32_t len)
{
    return off <= rf->dev.size && len <= rf->dev.size - off;
}

static int rf_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    struct ramflash *rf = ctx;
    if (!in_range(rf, off, len)) {
        return DFU_ERANGE;
    }
    rf->reads++;
    if (len > rf->max_read) {
        rf->max_read = len;
    }
    memcpy(buf, rf->mem + off, len);
    return 0;
}

static int rf_write(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    struct ramflash *rf = ctx;
    if (!in_range(rf, off, len) || off % rf->dev.write_align || len % rf->dev.write_align) {
        return DFU_EINVAL;
    }
    for (uint32_t i = 0; i < len; i++) {
        if (rf->mem[off + i] != rf->dev.erased_val) {
            return DFU_EINVAL; /* NOR flash cannot program a byte that is not erased */
        }
    }
    rf->writes++;
    memcpy(rf->mem + off, buf, len);
    return 0;
}

static int rf_erase(void *ctx, uint32_t off, uint32_t len)
{
    struct ramflash *rf = ctx;
    if (!in_range(rf, off, len) || off % rf->run.size || len % rf->run.size) {
        return DFU_EINVAL;
    }
    rf->erases++;
    memset(rf->mem + off, rf->dev.erased_val, len);
    return 0;
}

static const struct flash_ops ramflash_ops = {.read = rf_read, .write = rf_write, .erase = rf_erase};

void ramflash_init(struct ramflash *rf, uint8_t *mem, uint32_t size, uint32_t sector_size,
                   uint32_t write_align, uint8_t erased_val)
{
    memset(rf, 0, sizeof(*rf));
    rf->mem = mem;
    rf->run.size = sector_size;
    rf->run.count = size / sector_size;
    rf->dev.ops = &ramflash_ops;
    rf->dev.ctx = rf;
    rf->dev.size = size;
    rf->dev.write_align = write_align;
    rf->dev.erased_val = erased_val;
    rf->dev.runs = &rf->run;
    rf->dev.run_count = 1;
}

struct flash_area ramflash_area(const struct ramflash *rf, uint32_t off, uint32_t size, uint8_t id)
{
    struct flash_area fa = {.dev = &rf->dev, .off = off, .size = size, .id = id};
    return fa;
}
