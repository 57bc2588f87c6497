/* Emulated NOR flash and power-cut wrapper: NOR rules, counters, timing, file backing, and
 * what a cut leaves behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "dfukit/simflash.h"

static const struct flash_sector_run mixed[] = {{4, 16384}, {1, 65536}, {7, 131072}};
static const struct flash_sector_run small[] = {{4, 4096}};

static void open_small(struct nor_flash *nf, uint32_t align, uint8_t erased)
{
    struct nor_flash_config c = {NULL, align, erased, small, 1, NOR_FLASH_TIMING_NRF52840};
    assert_int_equal(nor_flash_open(nf, &c), 0);
}

static void test_geometry(void **state)
{
    (void)state;
    struct nor_flash nf;
    struct nor_flash_config c = {NULL, 8, 0xff, mixed, 3, {0, 0, 0, 0}};
    assert_int_equal(nor_flash_open(&nf, &c), 0);
    assert_int_equal(nf.dev.size, 1024 * 1024);
    assert_int_equal(nor_flash_sector_count(&nf), 12);
    struct flash_sector s;
    assert_int_equal(nor_flash_sector(&nf, 4, &s), 0);
    assert_int_equal(s.off, 65536);
    assert_int_equal(s.size, 65536);
    assert_int_equal(nor_flash_sector(&nf, 5, &s), 0);
    assert_int_equal(s.off, 131072);
    assert_int_equal(s.size, 131072);
    assert_int_equal(nor_flash_sector(&nf, 12, &s), DFU_ERANGE);
    assert_int_equal(nor_flash_mem(&nf)[12345], 0xff);
    /* erases must cover whole sectors */
    assert_int_equal(nf.dev.ops->erase(nf.dev.ctx, 0, 4096), DFU_EINVAL);
    assert_int_equal(nf.dev.ops->erase(nf.dev.ctx, 65536, 65536), 0);
    assert_int_equal(nf.dev.ops->erase(nf.dev.ctx, 0, 65536 + 131072), DFU_EINVAL);
    assert_int_equal(nf.dev.ops->erase(nf.dev.ctx, 0, 65536 + 65536), 0);
    assert_int_equal(nor_flash_sector_stats(&nf, 4)->erases, 2);
    assert_int_equal(nor_flash_sector_stats(&nf, 0)->erases, 1);
    assert_int_equal(nor_flash_total(&nf)->erases, 6);
    nor_flash_close(&nf);

    /* bad geometries */
    struct nor_flash_config bad = {NULL, 3, 0xff, small, 1, {0, 0, 0, 0}};
    assert_int_equal(nor_flash_open(&nf, &bad), DFU_EINVAL);
    bad.write_align = 64;
    assert_int_equal(nor_flash_open(&nf, &bad), DFU_EINVAL);
    bad.write_align = 4;
    bad.erased_val = 0x55;
    assert_int_equal(nor_flash_open(&nf, &bad), DFU_EINVAL);
    nor_flash_close(&nf);
}

static void test_nor_rules(void **state)
{
    (void)state;
    for (int e = 0; e < 2; e++) {
        uint8_t ev = e ? 0x00 : 0xff;
        struct nor_flash nf;
        open_small(&nf, 4, ev);
        const struct flash_dev *d = &nf.dev;
        uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
        assert_int_equal(d->ops->write(d->ctx, 2, data, 4), DFU_EINVAL);   /* misaligned */
        assert_int_equal(d->ops->write(d->ctx, 4, data, 6), DFU_EINVAL);   /* odd length */
        assert_int_equal(d->ops->write(d->ctx, 4, data, 8), 0);
        assert_int_equal(d->ops->write(d->ctx, 8, data, 4), DFU_EINVAL);   /* not erased */
        assert_memory_equal(nor_flash_mem(&nf) + 4, data, 8);                /* unchanged */
        assert_int_equal(d->ops->write(d->ctx, 16384 - 4, data, 8), DFU_EINVAL); /* past end */
        uint8_t back[8];
        assert_int_equal(d->ops->read(d->ctx, 4, back, 8), 0);
        assert_memory_equal(back, data, 8);
        assert_int_equal(d->ops->erase(d->ctx, 0, 4096), 0);
        assert_int_equal(nor_flash_mem(&nf)[5], ev);
        assert_int_equal(d->ops->write(d->ctx, 8, data, 4), 0);  /* erased again: fine */
        const struct nor_flash_stats *t = nor_flash_total(&nf);
        assert_int_equal(t->writes, 2);
        assert_int_equal(t->bytes_written, 12);
        assert_int_equal(t->erases, 1);
        assert_int_equal(t->reads, 1);
        assert_int_equal(t->bytes_read, 8);
        /* 85 ms per 4 KiB erase, 41 us per started 32-bit word: 2 + 1 words */
        assert_int_equal(nor_flash_time_us(&nf), 85000 + 3 * 41);
        assert_int_equal(nor_flash_max_erases(&nf), 1);
        nor_flash_reset_stats(&nf);
        assert_int_equal(nor_flash_total(&nf)->writes, 0);
        assert_int_equal(nor_flash_time_us(&nf), 0);
        nor_flash_close(&nf);
    }
}

static void test_file_backed(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof(path), "%s/boot_simflash_%d.bin", DFU_TEST_TMP, (int)getpid());
    (void)mkdir(DFU_TEST_TMP, 0755);
    unlink(path);
    struct nor_flash nf;
    struct nor_flash_config c = {path, 1, 0xff, small, 1, {0, 0, 0, 0}};
    assert_int_equal(nor_flash_open(&nf, &c), 0);
    assert_int_equal(nor_flash_mem(&nf)[100], 0xff);
    const uint8_t v[3] = {0xaa, 0xbb, 0xcc};
    assert_int_equal(nf.dev.ops->write(nf.dev.ctx, 100, v, 3), 0);
    nor_flash_close(&nf);
    /* the board keeps its state between runs */
    assert_int_equal(nor_flash_open(&nf, &c), 0);
    assert_memory_equal(nor_flash_mem(&nf) + 100, v, 3);
    nor_flash_close(&nf);
    unlink(path);
    c.path = "/nonexistent-dir/x/flash.bin";
    assert_int_equal(nor_flash_open(&nf, &c), DFU_EIO);
    nor_flash_close(&nf);
}

static void test_powercut_write(void **state)
{
    (void)state;
    struct nor_flash nf;
    open_small(&nf, 4, 0xff);
    struct powercut pc;
    powercut_init(&pc, &nf.dev);
    const struct flash_dev *d = &pc.dev;
    uint8_t data[16];
    memset(data, 0x11, sizeof(data));
    powercut_arm(&pc, 2);
    assert_int_equal(d->ops->write(d->ctx, 0, data, 16), 0);
    assert_false(powercut_is_dead(&pc));
    assert_int_equal(d->ops->write(d->ctx, 16, data, 16), DFU_EPOWER);
    assert_true(powercut_is_dead(&pc));
    /* half of the cut write got programmed */
    assert_int_equal(nor_flash_mem(&nf)[16 + 7], 0x11);
    assert_int_equal(nor_flash_mem(&nf)[16 + 8], 0xff);
    /* dead until powered on: reads fail too */
    uint8_t b;
    assert_int_equal(d->ops->read(d->ctx, 0, &b, 1), DFU_EPOWER);
    assert_int_equal(d->ops->erase(d->ctx, 0, 4096), DFU_EPOWER);
    assert_int_equal(powercut_ops(&pc), 2);
    powercut_power_on(&pc);
    assert_int_equal(d->ops->read(d->ctx, 0, &b, 1), 0);
    assert_int_equal(b, 0x11);
    /* a one-word write is atomic in this model: nothing programmed */
    powercut_arm(&pc, 1);
    assert_int_equal(d->ops->write(d->ctx, 64, data, 4), DFU_EPOWER);
    assert_int_equal(nor_flash_mem(&nf)[64], 0xff);
    powercut_power_on(&pc);
    /* without tearing the cut operation does nothing */
    pc.tear = false;
    powercut_arm(&pc, 1);
    assert_int_equal(d->ops->write(d->ctx, 128, data, 16), DFU_EPOWER);
    assert_int_equal(nor_flash_mem(&nf)[128], 0xff);
    nor_flash_close(&nf);
}

static void test_powercut_erase(void **state)
{
    (void)state;
    struct nor_flash nf;
    open_small(&nf, 8, 0x00);
    memset(nor_flash_mem(&nf), 0x5a, 8192);
    struct powercut pc;
    powercut_init(&pc, &nf.dev);
    powercut_arm(&pc, 1);
    assert_int_equal(pc.dev.ops->erase(pc.dev.ctx, 4096, 4096), DFU_EPOWER);
    /* lower half old, upper half erased */
    const uint8_t *m = nor_flash_mem(&nf);
    assert_int_equal(m[4096], 0x5a);
    assert_int_equal(m[4096 + 2047], 0x5a);
    assert_int_equal(m[4096 + 2048], 0x00);
    assert_int_equal(m[8191], 0x00);
    assert_int_equal(m[4095], 0x5a);  /* the neighbour is untouched */
    assert_int_equal(pc.cuts, 1);
    /* the other way round: lower half erased, upper half old */
    powercut_power_on(&pc);
    memset(nor_flash_mem(&nf), 0x5a, 8192);
    pc.erase_low_first = true;
    powercut_arm(&pc, 1);
    assert_int_equal(pc.dev.ops->erase(pc.dev.ctx, 4096, 4096), DFU_EPOWER);
    assert_int_equal(m[4096], 0x00);
    assert_int_equal(m[4096 + 2047], 0x00);
    assert_int_equal(m[4096 + 2048], 0x5a);
    assert_int_equal(m[8191], 0x5a);
    assert_int_equal(pc.cuts, 2);
    nor_flash_close(&nf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geometry),
        cmocka_unit_test(test_nor_rules),
        cmocka_unit_test(test_file_backed),
        cmocka_unit_test(test_powercut_write),
        cmocka_unit_test(test_powercut_erase),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
