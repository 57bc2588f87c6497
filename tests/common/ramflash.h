/* A flash device over a caller's RAM buffer for unit tests: reads anything in range, writes
 * only erased bytes at aligned offsets, erases whole sectors. Counts operations. */
#ifndef DFUKIT_TESTS_RAMFLASH_H
#define DFUKIT_TESTS_RAMFLASH_H

#include <stdint.h>

#include "dfukit/flash.h"

struct ramflash {
    struct flash_dev dev;
    struct flash_sector_run run;   /* one run: size / sector_size equal sectors */
    uint8_t *mem;
    uint32_t reads, writes, erases;
    uint32_t max_read;             /* largest single read, to check bounded-chunk readers */
};

/* Sets up rf over mem[size] with equal sectors (sector_size must divide size). The memory is
 * left as it is: tests may put bytes there directly, as a programming probe would. */
void ramflash_init(struct ramflash *rf, uint8_t *mem, uint32_t size, uint32_t sector_size,
                   uint32_t write_align, uint8_t erased_val);

/* An area [off, off+size) of the device. */
struct flash_area ramflash_area(const struct ramflash *rf, uint32_t off, uint32_t size, uint8_t id);

#endif
