/* Downgrade prevention with a hardware security counter kept in flash (boot_sec_cnt.h): the
 * counter's log on flash (bytes, never lowered, full, a cut in the middle of an update), and
 * through boot_go() (a lower counter refused with its reason, equal and higher accepted, the
 * counter raised when the image is confirmed and kept across power cuts at every operation of
 * that boot), in direct-xip (with and without revert) and ram-load too, plus the version rule
 * with and without the build number. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/boot_sec_cnt.h"
#include "dfukit/err.h"
#include "fixture.h"

/* The counter's area: a free 4 KiB sector past the uniform geometry's scratch. */
static struct flash_area counter_area(struct fx *f)
{
    return (struct flash_area){ .dev = &f->pc.dev, .off = 128 * 1024, .size = 4096, .id = 9 };
}

static uint32_t counter(struct flash_area *fa)
{
    uint32_t v = 0xdeadbeef;
    assert_int_equal(boot_sec_cnt_flash_read(fa, &v), 0);
    return v;
}

static void log_bytes(uint32_t align, uint8_t erased)
{
    struct fx f;
    fx_open(&f, BOOT_STRATEGY_SWAP_MOVE, FX_UNIFORM_4K, align, erased);
    struct flash_area ca = counter_area(&f);
    fx_erase(&f, &ca);
    assert_int_equal(counter(&ca), 0);
    assert_int_equal(boot_sec_cnt_flash_update(&ca, 5), 0);
    assert_int_equal(counter(&ca), 5);
    uint8_t *m = fx_mem(&f, &ca);
    const uint8_t entry[8] = { 0x05, 0, 0, 0, 0xfa, 0xff, 0xff, 0xff };
    assert_memory_equal(m, entry, 8);
    uint32_t esize = BOOT_SEC_CNT_ENTRY_SIZE(align);
    assert_true(fx_erased(&f, &ca, 8, 4096 - 8));  /* padding and the rest untouched */
    /* a lower or equal value writes nothing */
    uint64_t ops = powercut_ops(&f.pc);
    assert_int_equal(boot_sec_cnt_flash_update(&ca, 3), 0);
    assert_int_equal(boot_sec_cnt_flash_update(&ca, 5), 0);
    assert_int_equal(powercut_ops(&f.pc), ops);
    assert_int_equal(counter(&ca), 5);
    assert_int_equal(boot_sec_cnt_flash_update(&ca, 0x01020003), 0);
    assert_int_equal(counter(&ca), 0x01020003);
    assert_int_equal(m[esize], 0x03);
    assert_int_equal(m[esize + 3], 0x01);
    fx_close(&f);
}

static void test_log_bytes(void **state)
{
    (void)state;
    log_bytes(8, 0xff);
    log_bytes(4, 0xff);
    log_bytes(32, 0x00);
}

/* 4096 / 8 entries: the 513th rise is refused and the counter stays. */
static void test_log_full(void **state)
{
    (void)state;
    struct fx f;
    fx_open(&f, BOOT_STRATEGY_SWAP_MOVE, FX_UNIFORM_4K, 8, 0xff);
    struct flash_area ca = counter_area(&f);
    fx_erase(&f, &ca);
    for (uint32_t v = 1; v <= 512; v++) {
        assert_int_equal(boot_sec_cnt_flash_update(&ca, v), 0);
    }
    assert_int_equal(boot_sec_cnt_flash_update(&ca, 600), DFU_ENOSPC);
    assert_int_equal(counter(&ca), 512);
    fx_close(&f);
}

/* A cut in the middle of the entry's write leaves the old value; the next update goes after
 * the torn entry. A foreign (corrupt) entry is skipped the same way. */
static void test_log_power_cut(void **state)
{
    (void)state;
    struct fx f;
    fx_open(&f, BOOT_STRATEGY_SWAP_MOVE, FX_UNIFORM_4K, 8, 0xff);
    struct flash_area ca = counter_area(&f);
    fx_erase(&f, &ca);
    assert_int_equal(boot_sec_cnt_flash_update(&ca, 5), 0);
    powercut_arm(&f.pc, 1);
    assert_int_equal(boot_sec_cnt_flash_update(&ca, 7), DFU_EPOWER);
    powercut_power_on(&f.pc);
    uint32_t v = counter(&ca);
    assert_true(v == 5 || v == 7);
    assert_int_equal(boot_sec_cnt_flash_update(&ca, 7), 0);
    assert_int_equal(counter(&ca), 7);
    /* garbage where an entry was: skipped, the counter is the highest good entry */
    fx_mem(&f, &ca)[0] ^= 0x40;
    assert_int_equal(counter(&ca), 7);
    assert_int_equal(boot_sec_cnt_flash_update(&ca, 8), 0);
    assert_int_equal(counter(&ca), 8);
    fx_close(&f);
}

struct env {
    struct fx f;
    struct flash_area ca;
    struct boot_sec_cnt_port port;
};

static void env_open(struct env *e, enum boot_strategy s)
{
    fx_open(&e->f, s, FX_UNIFORM_4K, 8, 0xff);
    e->ca = counter_area(&e->f);
    fx_erase(&e->f, &e->ca);
    fx_erase(&e->f, &e->f.sec);
    fx_erase(&e->f, &e->f.scr);
    e->port = boot_sec_cnt_flash_port(&e->ca);
    e->f.cfg.downgrade = BOOT_DOWNGRADE_SECURITY_COUNTER;
    e->f.cfg.sec_cnt = &e->port;
}

static void put_image(struct env *e, const struct flash_area *fa, uint8_t major, uint32_t seed,
                      uint32_t sec_cnt)
{
    struct fx_image img;
    fx_image_make(&img, major, 0, 9000, seed, true, sec_cnt);
    fx_program(&e->f, fa, &img);
    fx_image_free(&img);
}

/* From the same flash state, cuts the power at the n-th operation of the boot for every n
 * (the counter reads low or high then), boots again to the end (it reads high, major runs);
 * returns the response of the boot that no cut reached. */
static struct boot_rsp boot_through_cuts(struct env *e, uint32_t low, uint32_t high,
                                         uint8_t major)
{
    struct boot_rsp rsp;
    fx_snapshot(&e->f);
    for (uint64_t n = 1;; n++) {
        fx_restore(&e->f);
        powercut_arm(&e->f.pc, n);
        int rc = boot_go(&e->f.cfg, &rsp);
        powercut_power_on(&e->f.pc);
        uint32_t v = counter(&e->ca);
        assert_true(v == low || v == high);
        if (rc == 0) {
            assert_int_equal(v, high);
            return rsp;
        }
        assert_int_equal(rc, DFU_EPOWER);
        assert_int_equal(boot_go(&e->f.cfg, &rsp), 0);
        assert_int_equal(rsp.hdr.ver.major, major);
        assert_int_equal(counter(&e->ca), high);
    }
}

static void counter_flow(enum boot_strategy s)
{
    struct env e;
    env_open(&e, s);
    put_image(&e, &e.f.pri, 1, 1, 3);
    struct boot_rsp rsp;
    assert_int_equal(boot_go(&e.f.cfg, &rsp), 0);
    assert_int_equal(counter(&e.ca), 3);  /* a confirmed image raises it at boot */
    /* equal counter: accepted */
    put_image(&e, &e.f.sec, 2, 2, 3);
    assert_int_equal(boot_set_pending(&e.f.sec, true), 0);
    assert_int_equal(boot_go(&e.f.cfg, &rsp), 0);
    assert_int_equal(rsp.hdr.ver.major, 2);
    /* higher counter on test: kept at 3 until confirmed, then raised; a cut at any operation
     * leaves 3 or 9, never anything else */
    put_image(&e, &e.f.sec, 3, 3, 9);
    assert_int_equal(boot_set_pending(&e.f.sec, false), 0);
    bool ow = s == BOOT_STRATEGY_OVERWRITE;  /* no revert: the new image is confirmed at once */
    rsp = boot_through_cuts(&e, 3, ow ? 9 : 3, 3);
    assert_int_equal(rsp.hdr.ver.major, 3);
    if (s != BOOT_STRATEGY_OVERWRITE) {
        assert_int_equal(counter(&e.ca), 3);
        assert_int_equal(boot_set_confirmed(&e.f.pri), 0);
        rsp = boot_through_cuts(&e, 3, 9, 3);
        assert_int_equal(rsp.swap_type, BOOT_SWAP_TYPE_NONE);
    }
    assert_int_equal(counter(&e.ca), 9);
    /* a newer version with a lower counter: refused, with its reason; the counter stays */
    put_image(&e, &e.f.sec, 4, 4, 8);
    assert_int_equal(boot_set_pending(&e.f.sec, true), 0);
    assert_int_equal(boot_go(&e.f.cfg, &rsp), 0);
    assert_int_equal(rsp.hdr.ver.major, 3);
    assert_int_equal(rsp.swap_type, BOOT_SWAP_TYPE_FAIL);
    assert_int_equal(rsp.secondary_reject, BOOT_REJECT_SECURITY_COUNTER);
    assert_string_equal(boot_reject_str(rsp.secondary_reject),
                        "downgrade refused: security counter below the board's");
    assert_int_equal(counter(&e.ca), 9);
    /* and an image without a SEC_CNT counts as 0 */
    struct fx_image none;
    fx_image_make(&none, 5, 0, 9000, 5, false, 0);
    fx_program(&e.f, &e.f.sec, &none);
    fx_image_free(&none);
    assert_int_equal(boot_set_pending(&e.f.sec, true), 0);
    assert_int_equal(boot_go(&e.f.cfg, &rsp), 0);
    assert_int_equal(rsp.secondary_reject, BOOT_REJECT_SECURITY_COUNTER);
    fx_close(&e.f);
}

static void test_counter_overwrite(void **state)
{
    (void)state;
    counter_flow(BOOT_STRATEGY_OVERWRITE);
}
static void test_counter_swap_scratch(void **state)
{
    (void)state;
    counter_flow(BOOT_STRATEGY_SWAP_SCRATCH);
}
static void test_counter_swap_move(void **state)
{
    (void)state;
    counter_flow(BOOT_STRATEGY_SWAP_MOVE);
}

/* Boots once and checks which slot started, with which version. */
static struct boot_rsp boot_runs(struct env *e, uint8_t slot, uint8_t major)
{
    struct boot_rsp rsp;
    assert_int_equal(boot_go(&e->f.cfg, &rsp), 0);
    assert_int_equal(rsp.slot, slot);
    assert_int_equal(rsp.hdr.ver.major, major);
    return rsp;
}

/* A slot below the counter is never started: refused with its reason and erased as an
 * invalid image (MCUboot's validation fails on it), the other one runs. */
static void assert_refused_low(struct env *e, const struct boot_rsp *rsp, const struct flash_area *fa)
{
    enum boot_reject why = fa == &e->f.pri ? rsp->primary_reject : rsp->secondary_reject;
    assert_int_equal(why, BOOT_REJECT_SECURITY_COUNTER);
    assert_int_equal(rsp->swap_type, BOOT_SWAP_TYPE_FAIL);
    assert_true(fx_erased(&e->f, fa, 0, fa->size));
}

/* Plain direct-xip (MCUboot's MCUBOOT_HW_ROLLBACK_PROT there): the counter rises to the
 * started image's SEC_CNT at every boot (a cut leaves the old or the new value); from then
 * on a slot below it, even of a higher version, is never chosen; an equal one is. */
static void test_counter_direct_xip(void **state)
{
    (void)state;
    struct env e;
    env_open(&e, BOOT_STRATEGY_DIRECT_XIP);
    put_image(&e, &e.f.pri, 1, 1, 3);
    boot_runs(&e, 0, 1);
    assert_int_equal(counter(&e.ca), 3);
    put_image(&e, &e.f.sec, 2, 2, 7);
    struct boot_rsp rsp = boot_through_cuts(&e, 3, 7, 2);
    assert_int_equal(rsp.slot, 1);
    rsp = boot_runs(&e, 1, 2);
    assert_refused_low(&e, &rsp, &e.f.pri);  /* 1.0.0 with SEC_CNT 3 */
    put_image(&e, &e.f.pri, 3, 3, 6);        /* newer, lower counter */
    rsp = boot_runs(&e, 1, 2);
    assert_refused_low(&e, &rsp, &e.f.pri);
    assert_int_equal(counter(&e.ca), 7);
    put_image(&e, &e.f.pri, 4, 4, 7);
    rsp = boot_runs(&e, 0, 4);
    assert_int_equal(rsp.swap_type, BOOT_SWAP_TYPE_NONE);
    assert_int_equal(counter(&e.ca), 7);
    fx_close(&e.f);
}

/* direct-xip-revert: the counter rises only when the started image is confirmed (image_ok),
 * so the try of a higher counter leaves it and a revert still goes back to the old image;
 * once confirmed, the boot after raises it and the old slot is refused from then on. */
static void test_counter_direct_xip_revert(void **state)
{
    (void)state;
    struct env e;
    env_open(&e, BOOT_STRATEGY_DIRECT_XIP_REVERT);
    put_image(&e, &e.f.pri, 1, 1, 3);
    assert_int_equal(boot_set_pending(&e.f.pri, true), 0);  /* installed confirmed */
    boot_runs(&e, 0, 1);
    assert_int_equal(counter(&e.ca), 3);
    for (int confirm = 0; confirm < 2; confirm++) {
        put_image(&e, &e.f.sec, 2, 2, 7);
        assert_int_equal(boot_set_pending(&e.f.sec, false), 0);
        struct boot_rsp rsp = boot_runs(&e, 1, 2);
        assert_int_equal(rsp.swap_type, BOOT_SWAP_TYPE_TEST);
        assert_int_equal(counter(&e.ca), 3);  /* not on the try */
        if (!confirm) {
            rsp = boot_runs(&e, 0, 1);
            assert_int_equal(rsp.swap_type, BOOT_SWAP_TYPE_REVERT);
            assert_int_equal(counter(&e.ca), 3);
            continue;
        }
        assert_int_equal(boot_set_confirmed(&e.f.sec), 0);
        rsp = boot_through_cuts(&e, 3, 7, 2);
        assert_int_equal(rsp.slot, 1);
        rsp = boot_runs(&e, 1, 2);
        assert_refused_low(&e, &rsp, &e.f.pri);
    }
    fx_close(&e.f);
}

/* ram-load: the same rule as plain direct-xip, on the image loaded into RAM. */
static void test_counter_ram_load(void **state)
{
    (void)state;
    const uint32_t ram_addr = FX_RAM_ADDR;
    struct nor_flash ramdev;
    struct flash_area ram;
    fx_ram_open(&ramdev, &ram);
    struct env e;
    env_open(&e, BOOT_STRATEGY_RAM_LOAD);
    e.f.cfg.ram = &ram;
    e.f.cfg.ram_addr = ram_addr;
    struct fx_image a, low, high;
    fx_image_make_ram_load(&a, 1, 9000, 1, ram_addr + 0x100, 3);
    fx_image_make_ram_load(&low, 2, 9000, 2, ram_addr + 0x100, 2);
    fx_image_make_ram_load(&high, 2, 9000, 3, ram_addr + 0x100, 5);
    fx_program(&e.f, &e.f.pri, &a);
    boot_runs(&e, 0, 1);
    assert_int_equal(counter(&e.ca), 3);
    fx_program(&e.f, &e.f.sec, &low);
    struct boot_rsp rsp = boot_runs(&e, 0, 1);
    assert_refused_low(&e, &rsp, &e.f.sec);
    assert_memory_equal(nor_flash_mem(&ramdev) + 0x100, a.data, a.len);
    fx_program(&e.f, &e.f.sec, &high);
    rsp = boot_runs(&e, 1, 2);
    assert_int_equal(rsp.image_off, ram_addr + 0x100);
    assert_memory_equal(nor_flash_mem(&ramdev) + 0x100, high.data, high.len);
    assert_int_equal(counter(&e.ca), 5);
    fx_image_free(&a);
    fx_image_free(&low);
    fx_image_free(&high);
    fx_close(&e.f);
    nor_flash_close(&ramdev);
}

/* MCUboot's version rule: major, minor, revision, then the build number only when
 * configured (MCUBOOT_VERSION_CMP_USE_BUILD_NUMBER). */
static void version_case(const struct image_version *run, const struct image_version *new_,
                         bool use_build, bool accepted)
{
    struct fx f;
    fx_open(&f, BOOT_STRATEGY_SWAP_MOVE, FX_UNIFORM_4K, 8, 0xff);
    f.cfg.downgrade = BOOT_DOWNGRADE_VERSION;
    f.cfg.downgrade_use_build = use_build;
    struct fx_image a, b;
    fx_image_make_ver(&a, run, 9000, 1, false, 0);
    fx_image_make_ver(&b, new_, 9000, 2, false, 0);
    fx_program(&f, &f.pri, &a);
    fx_program(&f, &f.sec, &b);
    assert_int_equal(boot_set_pending(&f.sec, true), 0);
    struct boot_rsp rsp;
    assert_int_equal(boot_go(&f.cfg, &rsp), 0);
    if (accepted) {
        assert_int_equal(rsp.swap_type, BOOT_SWAP_TYPE_PERM);
        assert_int_equal(rsp.hdr.ver.build, new_->build);
    } else {
        assert_int_equal(rsp.swap_type, BOOT_SWAP_TYPE_FAIL);
        assert_int_equal(rsp.secondary_reject, BOOT_REJECT_DOWNGRADE);
        assert_string_equal(boot_reject_str(rsp.secondary_reject),
                            "downgrade refused: older than the running image");
        assert_true(fx_erased(&f, &f.sec, 0, f.sec.size));
    }
    fx_image_free(&a);
    fx_image_free(&b);
    fx_close(&f);
}

static void test_version_rule(void **state)
{
    (void)state;
    const struct image_version run = { 1, 2, 3, 5 };
    const struct image_version same = { 1, 2, 3, 5 }, lower_build = { 1, 2, 3, 4 },
                               higher_build = { 1, 2, 3, 6 }, rev = { 1, 2, 2, 9 },
                               minor = { 1, 1, 9, 9 }, major = { 0, 9, 9, 9 },
                               newer = { 1, 2, 4, 0 };
    version_case(&run, &same, false, true);
    version_case(&run, &same, true, true);
    version_case(&run, &lower_build, false, true);   /* build ignored: equal */
    version_case(&run, &lower_build, true, false);
    version_case(&run, &higher_build, true, true);
    version_case(&run, &rev, false, false);
    version_case(&run, &minor, true, false);
    version_case(&run, &major, false, false);
    version_case(&run, &newer, true, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_bytes),
        cmocka_unit_test(test_log_full),
        cmocka_unit_test(test_log_power_cut),
        cmocka_unit_test(test_counter_overwrite),
        cmocka_unit_test(test_counter_swap_scratch),
        cmocka_unit_test(test_counter_swap_move),
        cmocka_unit_test(test_counter_direct_xip),
        cmocka_unit_test(test_counter_direct_xip_revert),
        cmocka_unit_test(test_counter_ram_load),
        cmocka_unit_test(test_version_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
