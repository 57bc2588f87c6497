/* Emulated NOR flash for the simulator, tests and benchmarks (host only).
 *
 * nor_flash: a flash_dev kept in a file (mmap, so a board keeps its state between runs) or in
 * memory. It behaves like NOR flash: erase sets whole sectors to the erased value; a write may
 * only program erased bytes at aligned offsets; anything else is DFU_EINVAL and changes
 * nothing. It counts reads, writes, bytes and erases per sector, and turns operations into
 * "board time" with a timing model.
 *
 * powercut: a flash_dev stacked over another one that cuts the power at the N-th write or
 * erase. The cut operation is left half done (the first half of a write programmed; for an
 * erase, the upper half of the range erased and the lower half keeping its old bytes, or
 * the other way round with erase_low_first), then
 * every operation fails with DFU_EPOWER until the test powers the board on again. */
#ifndef DFUKIT_SIMFLASH_H
#define DFUKIT_SIMFLASH_H

#include <stdbool.h>
#include <stdint.h>

#include "dfukit/flash.h"

#define NOR_FLASH_MAX_RUNS 8

/* Board time of flash operations. An erase of a sector costs erase_us * size / erase_unit
 * (85000 us per 4096 bytes on an nRF52840); a write costs word_us per started word_size
 * bytes (41 us per 4-byte word). */
struct nor_flash_timing {
    uint32_t erase_us;
    uint32_t erase_unit;
    uint32_t word_us;
    uint32_t word_size;
};

/* nRF52840 datasheet figures. */
#define NOR_FLASH_TIMING_NRF52840 ((struct nor_flash_timing){85000, 4096, 41, 4})

struct nor_flash_config {
    const char *path;             /* backing file; NULL keeps the flash in memory */
    uint32_t write_align;         /* 1..32, a power of two */
    uint8_t erased_val;           /* 0xff or 0x00 */
    const struct flash_sector_run *runs;  /* sector map, copied */
    uint32_t run_count;           /* 1..NOR_FLASH_MAX_RUNS */
    struct nor_flash_timing timing;  /* all zero: no board time */
};

/* Counters of one sector, or of the whole device. */
struct nor_flash_stats {
    uint64_t reads;
    uint64_t bytes_read;
    uint64_t writes;
    uint64_t bytes_written;
    uint64_t erases;
};

struct nor_flash {
    struct flash_dev dev;         /* hand &dev to flash areas */
    struct flash_sector_run runs[NOR_FLASH_MAX_RUNS];
    uint8_t *mem;
    int fd;                       /* -1 when in memory */
    uint32_t sector_count;
    struct nor_flash_stats total;
    struct nor_flash_stats *per_sector;
    struct nor_flash_timing timing;
    uint64_t time_us;             /* accumulated board time */
    uint64_t erase_time_us;       /* the part of it spent erasing */
};

/* Creates the flash. With a path, an existing file of the right size keeps its contents and
 * a new or differently sized one starts erased. DFU_EINVAL for a bad geometry, DFU_EIO when
 * the file cannot be used, DFU_ENOMEM when memory runs out. */
int nor_flash_open(struct nor_flash *nf, const struct nor_flash_config *cfg);
/* Flushes the file and releases everything. Safe on a zeroed or closed struct. */
void nor_flash_close(struct nor_flash *nf);

/* Direct access for tests and the programming probe (no counters, no NOR rules). */
uint8_t *nor_flash_mem(struct nor_flash *nf);
uint32_t nor_flash_sector_count(const struct nor_flash *nf);
/* The idx-th sector of the device (device offsets). DFU_ERANGE past the end. */
int nor_flash_sector(const struct nor_flash *nf, uint32_t idx, struct flash_sector *out);

const struct nor_flash_stats *nor_flash_total(const struct nor_flash *nf);
/* Counters of the idx-th sector; NULL past the end. */
const struct nor_flash_stats *nor_flash_sector_stats(const struct nor_flash *nf, uint32_t idx);
uint64_t nor_flash_time_us(const struct nor_flash *nf);
/* The part of nor_flash_time_us spent erasing (a CPU executing from flash halts for it). */
uint64_t nor_flash_erase_time_us(const struct nor_flash *nf);
/* The largest erase count of any sector. */
uint64_t nor_flash_max_erases(const struct nor_flash *nf);
void nor_flash_reset_stats(struct nor_flash *nf);

struct powercut {
    struct flash_dev dev;         /* same geometry as the lower device */
    const struct flash_dev *lower;
    uint64_t ops;                 /* writes and erases passed down since init */
    uint64_t cut_at;              /* ops value at which power fails; 0 = never */
    bool dead;
    bool tear;                    /* leave the cut operation half done (default true) */
    bool erase_low_first;         /* a torn erase has erased the lower half, not the upper */
    uint32_t cuts;                /* how many times the power failed */
};

/* Stacks a power-cut wrapper over lower. Power stays on until armed. */
void powercut_init(struct powercut *pc, const struct flash_dev *lower);
/* Cuts the power at the n-th write or erase from now (n >= 1); n = 0 disarms. */
void powercut_arm(struct powercut *pc, uint64_t n);
/* Powers the board on again: operations work, nothing armed. */
void powercut_power_on(struct powercut *pc);
bool powercut_is_dead(const struct powercut *pc);
/* Writes and erases passed to the lower device since init (the cut one included). */
uint64_t powercut_ops(const struct powercut *pc);

#endif
