/* Board profiles: flash geometry, partition map, chip timings and transport buffers of the boards
 * devsim emulates. Maps follow Zephyr's devicetree for each board (MCUboot partitions). */
#include <stdio.h>
#include <string.h>

#include "dfukit/err.h"
#include "dfukit/serial_frame.h"
#include "dfukit/sim.h"

#define KIB 1024u

/* nRF52840 DK: Zephyr's default fixed partitions; nRF52840 datasheet: tERASEPAGE 85 ms,
 * tWRITE 41 us per 32-bit word. SMP buffers as Zephyr's defaults (384 x 4), UART line buffers
 * as UART_MCUMGR_RX_BUF_SIZE/COUNT (128 x 2). */
static const struct sim_board board_nrf52840dk = {
    .name = "nrf52840dk",
    .mem_base = 0,
    .flash_size = 1024 * KIB,
    .runs = { { 256, 4 * KIB } },
    .run_count = 1,
    .write_align = 4,
    .erased_val = 0xff,
    .boot = { 0x0, 0xC000 },
    .slot0 = { 0xC000, 0x67000 },
    .slot1 = { 0x73000, 0x67000 },
    .scratch = { 0xDA000, 0x1E000 },
    .storage = { 0xF8000, 0x8000 },
    .strategy = BOOT_STRATEGY_SWAP_SCRATCH,
    .flash_timing = { .erase_us = 85000, .erase_unit = 4096, .word_us = 41, .word_size = 4 },
    .baud = 115200,
    .timing_default = true,
    .smp_buf_size = 384,
    .smp_buf_count = 4,
    .line_size = 128,
    .line_count = 2,
    .partial_erase_ms = 0,   /* CONFIG_SOC_FLASH_NRF_PARTIAL_ERASE is off by default */
    .watchdog_ms = 1000,
};

/* nRF5340 DK updating both cores through MCUboot, as NCS's multi-image DFU: image 0 is the
 * application core's firmware, image 1 the network core's (256 KiB slots: the size of that
 * core's flash); the bootloader swaps with swap-move, MCUboot's default. Simplified: one flash
 * device (the application core's 1 MiB of 4 KiB pages) holds all four slots, and image 1
 * swaps and reverts like image 0, where NCS keeps the secondaries on the DK's external flash
 * and MCUboot hands the network core image to that core (PCD) without revert; so the app lets
 * a client confirm image 1 too. Flash timing as the nRF52840 DK's (not measured here). */
static const struct sim_board board_nrf5340dk = {
    .name = "nrf5340dk",
    .mem_base = 0,
    .flash_size = 1024 * KIB,
    .runs = { { 256, 4 * KIB } },
    .run_count = 1,
    .write_align = 4,
    .erased_val = 0xff,
    .boot = { 0x0, 0xC000 },
    .slot0 = { 0xC000, 0x36000 },
    .slot1 = { 0x42000, 0x36000 },
    .image_count = 2,
    .slot2 = { 0x78000, 0x40000 },
    .slot3 = { 0xB8000, 0x40000 },
    .img_confirm_any = true,
    .storage = { 0xF8000, 0x8000 },
    .strategy = BOOT_STRATEGY_SWAP_MOVE,
    .flash_timing = { .erase_us = 85000, .erase_unit = 4096, .word_us = 41, .word_size = 4 },
    .baud = 115200,
    .timing_default = false,
    .smp_buf_size = 512,   /* Zephyr: two images need MCUMGR_TRANSPORT_NETBUF_SIZE >= 512 */
    .smp_buf_count = 4,
    .line_size = 128,
    .line_count = 2,
    .watchdog_ms = 1000,
};

/* STM32F407 (1 MiB, sectors 4 x 16 KiB, 1 x 64 KiB, 7 x 128 KiB, byte programming): bootloader
 * in two 16 KiB sectors, storage in the other two (the settings store needs two sectors), the
 * 64 KiB sector left free, three 128 KiB sectors per slot, one for scratch.
 * RM0090 (x8 programming): sector erase ~ 1 s per 128 KiB, byte program 16 us. */
static const struct sim_board board_stm32f4 = {
    .name = "stm32f4",
    .mem_base = 0x08000000,
    .flash_size = 1024 * KIB,
    .runs = { { 4, 16 * KIB }, { 1, 64 * KIB }, { 7, 128 * KIB } },
    .run_count = 3,
    .write_align = 1,
    .erased_val = 0xff,
    .boot = { 0x0, 0x8000 },
    .storage = { 0x8000, 0x8000 },
    .slot0 = { 0x20000, 0x60000 },
    .slot1 = { 0x80000, 0x60000 },
    .scratch = { 0xE0000, 0x20000 },
    .strategy = BOOT_STRATEGY_SWAP_SCRATCH,
    .flash_timing = { .erase_us = 8000, .erase_unit = 1024, .word_us = 16, .word_size = 1 },
    .baud = 115200,
    .timing_default = false,
    .smp_buf_size = 384,
    .smp_buf_count = 4,
    .line_size = 128,
    .line_count = 2,
    .watchdog_ms = 1000,
};

/* Generic NOR board; every field can be set from flags and sim_board_layout_generic() lays the
 * partitions out one after the other. */
static const struct sim_board board_generic = {
    .name = "generic",
    .mem_base = 0,
    .flash_size = 0,
    .runs = { { 0, 4 * KIB } },
    .run_count = 1,
    .write_align = 8,
    .erased_val = 0xff,
    .boot = { 0, 0x10000 },
    .slot0 = { 0, 0x20000 },
    .slot1 = { 0, 0x20000 },
    .scratch = { 0, 0x8000 },
    .storage = { 0, 0 },
    .strategy = BOOT_STRATEGY_SWAP_SCRATCH,
    .flash_timing = { .erase_us = 45000, .erase_unit = 4096, .word_us = 20, .word_size = 8 },
    .baud = 115200,
    .timing_default = false,
    .smp_buf_size = 384,
    .smp_buf_count = 4,
    .line_size = 128,
    .line_count = 2,
    .watchdog_ms = 1000,
};

/* The QEMU mps2-an386 board of the Cortex-M build (src/board_mps2/mps2.h): its 16 MiB PSRAM
 * file is the flash, the map in its first MiB (dfuboot runs from the code SSRAM; its boot
 * partition here only keeps the layout whole). Same file, same layout: a flash file written by
 * either board boots on the other. No chip timing (it is RAM). */
static const struct sim_board board_mps2 = {
    .name = "mps2-an386",
    .mem_base = 0x21000000,
    .flash_size = 16384 * KIB,
    .runs = { { 4096, 4 * KIB } },
    .run_count = 1,
    .write_align = 4,
    .erased_val = 0xff,
    .slot0 = { 0x0, 0x60000 },
    .slot1 = { 0x60000, 0x60000 },
    .scratch = { 0xC0000, 0x20000 },
    .storage = { 0xE0000, 0x20000 },
    .boot = { 0x100000, 0x10000 },
    .strategy = BOOT_STRATEGY_SWAP_MOVE,
    .baud = 115200,
    .timing_default = false,
    .smp_buf_size = 384,
    .smp_buf_count = 4,
    .line_size = 128,
    .line_count = 2,
    .watchdog_ms = 1000,
};

static const struct sim_board *const boards[] = {
    &board_nrf52840dk,
    &board_nrf5340dk,
    &board_stm32f4,
    &board_generic,
    &board_mps2,
};

int sim_board_find(const char *name, struct sim_board *out)
{
    for (size_t i = 0; i < sizeof boards / sizeof boards[0]; i++) {
        if (strcmp(boards[i]->name, name) == 0) {
            *out = *boards[i];
            return boards[i] == &board_generic ? sim_board_layout_generic(out) : 0;
        }
    }
    return DFU_ENOENT;
}

const char *sim_board_name(size_t i)
{
    return i < sizeof boards / sizeof boards[0] ? boards[i]->name : NULL;
}

static uint32_t round_up(uint32_t v, uint32_t unit)
{
    return (v + unit - 1) / unit * unit;
}

int sim_board_layout_generic(struct sim_board *b)
{
    uint32_t sec = b->runs[0].size;
    if (sec == 0 || (sec & (sec - 1)) != 0 || b->slot0.size == 0) {
        return DFU_EINVAL;
    }
    uint64_t pos = 0;
    struct sim_part *order[] = { &b->boot,  &b->slot0,   &b->slot1,  &b->slot2,
                                 &b->slot3, &b->scratch, &b->storage };
    b->slot1.size = b->slot0.size;
    b->slot2.size = b->slot3.size = b->image_count > 1 ? b->slot0.size : 0;
    if (b->strategy != BOOT_STRATEGY_SWAP_SCRATCH) {
        b->scratch.size = 0;
    }
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (order[i]->size > UINT32_MAX - sec) {
            return DFU_EINVAL;
        }
        order[i]->size = round_up(order[i]->size, sec);
        order[i]->off = order[i]->size ? (uint32_t)pos : 0;
        pos += order[i]->size;
        if (pos > UINT32_MAX) {
            return DFU_EINVAL;
        }
    }
    if (b->flash_size < pos) {
        b->flash_size = (uint32_t)pos;
    }
    b->flash_size = round_up(b->flash_size, sec);
    b->runs[0].count = b->flash_size / sec;
    b->run_count = 1;
    return 0;
}

static int fail(char *why, size_t why_len, const char *msg)
{
    if (why != NULL && why_len > 0) {
        snprintf(why, why_len, "%s", msg);
    }
    return DFU_EINVAL;
}

/* True when off is a sector boundary of the device (or its end). */
static bool on_boundary(const struct sim_board *b, uint64_t off)
{
    uint64_t pos = 0;
    for (uint32_t r = 0; r < b->run_count; r++) {
        for (uint32_t i = 0; i < b->runs[r].count; i++) {
            if (pos == off) {
                return true;
            }
            pos += b->runs[r].size;
        }
    }
    return pos == off;
}

int sim_board_check(const struct sim_board *b, char *why, size_t why_len)
{
    if (b->run_count == 0 || b->run_count > SIM_BOARD_MAX_RUNS) {
        return fail(why, why_len, "no sector map");
    }
    uint64_t total = 0;
    for (uint32_t r = 0; r < b->run_count; r++) {
        if (b->runs[r].size == 0 || b->runs[r].count == 0) {
            return fail(why, why_len, "empty sector run");
        }
        total += (uint64_t)b->runs[r].count * b->runs[r].size;
    }
    if (total != b->flash_size || total == 0) {
        return fail(why, why_len, "sectors do not cover the flash size");
    }
    uint32_t a = b->write_align;
    if (a == 0 || a > 32 || (a & (a - 1)) != 0) {
        return fail(why, why_len, "write alignment must be 1, 2, 4, 8, 16 or 32");
    }
    if (b->erased_val != 0xff && b->erased_val != 0x00) {
        return fail(why, why_len, "erased value must be 0xff or 0x00");
    }
    if (b->slot0.size == 0 || b->slot1.size == 0) {
        return fail(why, why_len, "both slots are needed");
    }
    if (b->slot0.size != b->slot1.size) {
        return fail(why, why_len, "slot 0 and slot 1 differ in size");
    }
    if (b->image_count > 2 || (b->image_count == 2 && (b->slot2.size == 0 ||
                                                       b->slot2.size != b->slot3.size))) {
        return fail(why, why_len, "image 1 needs slot 2 and slot 3 of one size");
    }
    if (b->image_count == 2 && b->strategy != BOOT_STRATEGY_SWAP_MOVE &&
        b->strategy != BOOT_STRATEGY_SWAP_SCRATCH && b->strategy != BOOT_STRATEGY_OVERWRITE) {
        return fail(why, why_len, "two images need swap-move, swap-scratch or overwrite-only");
    }
    if (b->image_count == 2 && b->downgrade == BOOT_DOWNGRADE_SECURITY_COUNTER) {
        return fail(why, why_len, "two images cannot share the one security counter");
    }
    if (b->strategy == BOOT_STRATEGY_SWAP_SCRATCH && b->scratch.size == 0) {
        return fail(why, why_len, "swap-scratch needs a scratch partition");
    }
    if (b->downgrade == BOOT_DOWNGRADE_SECURITY_COUNTER && b->boot.size == 0) {
        return fail(why, why_len, "the security counter needs a bootloader partition");
    }
    const struct sim_part *parts[] = { &b->boot,    &b->slot0,   &b->slot1, &b->scratch,
                                       &b->storage, &b->slot2, &b->slot3 };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        const struct sim_part *p = parts[i];
        if (p->size == 0 || (i >= 5 && b->image_count < 2)) {
            continue;
        }
        uint64_t end = (uint64_t)p->off + p->size;
        if (end > b->flash_size) {
            return fail(why, why_len, "a partition lies outside the flash");
        }
        if (!on_boundary(b, p->off) || !on_boundary(b, end)) {
            return fail(why, why_len, "a partition is not on sector boundaries");
        }
        for (size_t j = 0; j < i; j++) {
            const struct sim_part *q = parts[j];
            if (q->size != 0 && (j < 5 || b->image_count == 2) &&
                p->off < (uint64_t)q->off + q->size && q->off < end) {
                return fail(why, why_len, "partitions overlap");
            }
        }
    }
    if (b->baud == 0) {
        return fail(why, why_len, "baud rate must not be 0");
    }
    if (b->smp_buf_size < 64 || b->smp_buf_count == 0 || b->line_size < 16 || b->line_count == 0) {
        return fail(why, why_len, "buffer sizes too small");
    }
    if (b->line_count > SERIAL_LINEBUF_MAX_COUNT || b->smp_buf_size > 65535) {
        return fail(why, why_len, "too many line buffers or SMP buffer too large");
    }
    /* Zephyr's bounds for CONFIG_SOC_FLASH_NRF_PARTIAL_ERASE_MS: at least 2 ms, at most half
     * a page erase */
    if (b->partial_erase_ms != 0 &&
        (b->partial_erase_ms < 2 || (uint64_t)b->partial_erase_ms * 2000u > b->flash_timing.erase_us)) {
        return fail(why, why_len, "partial erase step must be 0 or from 2 ms to half a page erase");
    }
    return 0;
}

static const char *const strategy_names[] = {
    [BOOT_STRATEGY_SWAP_SCRATCH] = "swap-scratch",
    [BOOT_STRATEGY_SWAP_MOVE] = "swap-move",
    [BOOT_STRATEGY_OVERWRITE] = "overwrite-only",
    [BOOT_STRATEGY_SWAP_OFFSET] = "swap-offset",
    [BOOT_STRATEGY_DIRECT_XIP] = "direct-xip",
    [BOOT_STRATEGY_DIRECT_XIP_REVERT] = "direct-xip-revert",
    [BOOT_STRATEGY_RAM_LOAD] = "ram-load",
};

int sim_strategy_parse(const char *s, enum boot_strategy *out)
{
    for (size_t i = 0; i < sizeof strategy_names / sizeof strategy_names[0]; i++) {
        if (strcmp(s, strategy_names[i]) == 0) {
            *out = (enum boot_strategy)i;
            return 0;
        }
    }
    return DFU_EINVAL;
}

const char *sim_strategy_name(enum boot_strategy s)
{
    return (unsigned)s < sizeof strategy_names / sizeof strategy_names[0] ? strategy_names[s] : "?";
}

/* The sector that starts at off (start) or ends at off (!start). */
static int sector_by_edge(const struct sim_board *b, uint64_t off, bool start, struct sim_part *out)
{
    uint64_t pos = 0;
    for (uint32_t r = 0; r < b->run_count; r++) {
        for (uint32_t i = 0; i < b->runs[r].count; i++, pos += b->runs[r].size) {
            if ((start ? pos : pos + b->runs[r].size) == off) {
                *out = (struct sim_part){ (uint32_t)pos, b->runs[r].size };
                return 0;
            }
        }
    }
    return DFU_ENOENT;
}

int sim_board_sec_cnt_part(const struct sim_board *b, struct sim_part *out)
{
    if (b->boot.size == 0) {
        return DFU_ENOENT;
    }
    return sector_by_edge(b, (uint64_t)b->boot.off + b->boot.size, false, out);
}

int sim_board_image_part(const struct sim_board *b, int slot, struct sim_part *out)
{
    if (slot >= 2 && b->image_count < 2) {
        return DFU_ENOENT;
    }
    *out = slot == 1 ? b->slot1 : slot == 2 ? b->slot2 : slot == 3 ? b->slot3 : b->slot0;
    struct sim_part s0;
    if (slot != 1 || b->strategy != BOOT_STRATEGY_SWAP_OFFSET) {
        return 0;
    }
    int err = sector_by_edge(b, b->slot1.off, true, &s0);
    if (err || s0.size >= b->slot1.size) {
        return err ? err : DFU_ENOSPC;
    }
    *out = (struct sim_part){ b->slot1.off + s0.size, b->slot1.size - s0.size };
    return 0;
}

static const struct {
    const char *name;
    enum boot_downgrade mode;
    bool use_build;
} downgrade_names[] = {
    { "off", BOOT_DOWNGRADE_ALLOW, false },
    { "version", BOOT_DOWNGRADE_VERSION, false },
    { "version+build", BOOT_DOWNGRADE_VERSION, true },
    { "security-counter", BOOT_DOWNGRADE_SECURITY_COUNTER, false },
};

int sim_downgrade_parse(const char *s, struct sim_board *b)
{
    for (size_t i = 0; i < sizeof downgrade_names / sizeof downgrade_names[0]; i++) {
        if (strcmp(s, downgrade_names[i].name) == 0) {
            b->downgrade = downgrade_names[i].mode;
            b->downgrade_use_build = downgrade_names[i].use_build;
            return 0;
        }
    }
    return DFU_EINVAL;
}

const char *sim_downgrade_name(const struct sim_board *b)
{
    for (size_t i = 0; i < sizeof downgrade_names / sizeof downgrade_names[0]; i++) {
        if (downgrade_names[i].mode == b->downgrade &&
            downgrade_names[i].use_build == (b->downgrade_use_build &&
                                             b->downgrade == BOOT_DOWNGRADE_VERSION)) {
            return downgrade_names[i].name;
        }
    }
    return "?";
}
