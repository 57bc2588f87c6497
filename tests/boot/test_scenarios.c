/* Upgrade scenarios for every strategy (swap-offset's images uploaded one sector into the
 * secondary, fx.sec_img) on both geometries: test then revert, test then
 * confirm, permanent, invalid secondary, an image running into the trailer, a non-bootable
 * image, downgrade by version and by security counter, empty secondary, nothing bootable (each
 * refusal with its reason), and slot flags as mcumgr shows them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "fixture.h"

struct env {
    struct fx f;
    struct fx_image a;  /* 1.0, in the primary */
    struct fx_image b;  /* 2.0, uploaded to the secondary */
};

static void env_open(struct env *e, enum boot_strategy s, enum fx_geom g)
{
    fx_open(&e->f, s, g, 8, 0xff);
    uint32_t la, lb;
    fx_body_sizes(s, g, 8, &la, &lb);
    fx_image_make(&e->a, 1, 0, la, 1, false, 0);
    fx_image_make(&e->b, 2, 0, lb, 2, false, 0);
    fx_program(&e->f, &e->f.pri, &e->a);
    fx_erase(&e->f, &e->f.sec);
    fx_erase(&e->f, &e->f.scr);
}

static void env_close(struct env *e)
{
    fx_image_free(&e->a);
    fx_image_free(&e->b);
    fx_close(&e->f);
}

/* Boots and checks the version started and what the boot did. */
static void boot_expect(struct env *e, uint8_t major, enum boot_swap_type done)
{
    struct boot_rsp rsp;
    int rc = boot_go(&e->f.cfg, &rsp);
    if (rc != 0) {
        fail_msg("%s: boot failed: %s", fx_strategy_name(e->f.cfg.strategy), dfu_strerror(rc));
    }
    assert_int_equal(rsp.hdr.ver.major, major);
    assert_int_equal(rsp.swap_type, done);
    assert_int_equal(rsp.slot, 0);
    assert_int_equal(rsp.image_off, e->f.pri.off);
}

/* A boot that refuses the secondary (swap type FAIL) for this reason and starts major. */
static void boot_refuses(struct env *e, uint8_t major, enum boot_reject why)
{
    struct boot_rsp rsp;
    int rc = boot_go(&e->f.cfg, &rsp);
    if (rc != 0) {
        fail_msg("%s: boot failed: %s", fx_strategy_name(e->f.cfg.strategy), dfu_strerror(rc));
    }
    assert_int_equal(rsp.hdr.ver.major, major);
    assert_int_equal(rsp.swap_type, BOOT_SWAP_TYPE_FAIL);
    assert_string_equal(boot_reject_str(rsp.secondary_reject), boot_reject_str(why));
    assert_int_equal(rsp.primary_reject, BOOT_REJECT_NONE);
}

/* A boot that changes nothing on flash. */
static void boot_stable(struct env *e, uint8_t major)
{
    uint64_t before = powercut_ops(&e->f.pc);
    boot_expect(e, major, BOOT_SWAP_TYPE_NONE);
    assert_int_equal(powercut_ops(&e->f.pc), before);
}

static void flags_expect(struct env *e, uint8_t f0, uint8_t f1)
{
    uint8_t fl[2];
    assert_int_equal(boot_slot_flags(&e->f.pri, &e->f.sec, fl), 0);
    assert_int_equal(fl[0], f0);
    assert_int_equal(fl[1], f1);
}

#define ACT BOOT_SLOT_F_ACTIVE
#define CONF BOOT_SLOT_F_CONFIRMED
#define PEND BOOT_SLOT_F_PENDING
#define PERMA BOOT_SLOT_F_PERMANENT

static void scenario_test_revert(enum boot_strategy s, enum fx_geom g)
{
    struct env e;
    env_open(&e, s, g);
    boot_stable(&e, 1);
    flags_expect(&e, ACT | CONF, 0);
    fx_program(&e.f, &e.f.sec_img, &e.b);
    assert_int_equal(boot_set_pending(&e.f.sec_img, false), 0);
    flags_expect(&e, ACT | CONF, PEND);
    boot_expect(&e, 2, BOOT_SWAP_TYPE_TEST);
    assert_true(fx_holds(&e.f, &e.f.pri, &e.b));
    if (s == BOOT_STRATEGY_OVERWRITE) {
        /* no way back: the new image stays, the secondary is gone */
        assert_true(fx_erased(&e.f, &e.f.sec, 0, 4096));
        flags_expect(&e, ACT | CONF, 0);
        boot_stable(&e, 2);
    } else {
        assert_true(fx_holds(&e.f, &e.f.sec, &e.a));
        flags_expect(&e, ACT, CONF);           /* on trial; the old one is the fallback */
        boot_expect(&e, 1, BOOT_SWAP_TYPE_REVERT);  /* not confirmed: reverted */
        assert_true(fx_holds(&e.f, &e.f.pri, &e.a));
        assert_true(fx_holds(&e.f, &e.f.sec_img, &e.b));
        flags_expect(&e, ACT | CONF, 0);
        boot_stable(&e, 1);
    }
    env_close(&e);
}

static void scenario_test_confirm(enum boot_strategy s, enum fx_geom g)
{
    struct env e;
    env_open(&e, s, g);
    fx_program(&e.f, &e.f.sec_img, &e.b);
    assert_int_equal(boot_set_pending(&e.f.sec_img, false), 0);
    boot_expect(&e, 2, BOOT_SWAP_TYPE_TEST);
    assert_int_equal(boot_set_confirmed(&e.f.pri), 0);  /* the new app confirms itself */
    flags_expect(&e, ACT | CONF, 0);
    boot_stable(&e, 2);
    boot_stable(&e, 2);
    env_close(&e);
}

static void scenario_permanent(enum boot_strategy s, enum fx_geom g)
{
    struct env e;
    env_open(&e, s, g);
    fx_program(&e.f, &e.f.sec_img, &e.b);
    assert_int_equal(boot_set_pending(&e.f.sec_img, true), 0);
    flags_expect(&e, ACT | CONF, PEND | PERMA);
    boot_expect(&e, 2, BOOT_SWAP_TYPE_PERM);
    flags_expect(&e, ACT | CONF, 0);
    boot_stable(&e, 2);
    assert_true(fx_holds(&e.f, &e.f.pri, &e.b));
    if (s != BOOT_STRATEGY_OVERWRITE) {
        assert_true(fx_holds(&e.f, &e.f.sec, &e.a));
    }
    env_close(&e);
}

static void scenario_invalid_secondary(enum boot_strategy s, enum fx_geom g)
{
    struct env e;
    env_open(&e, s, g);
    fx_program(&e.f, &e.f.sec_img, &e.b);
    fx_mem(&e.f, &e.f.sec_img)[0x200 + 1000] ^= 0x01;  /* one flipped bit in the body */
    assert_int_equal(boot_set_pending(&e.f.sec_img, false), 0);
    boot_refuses(&e, 1, BOOT_REJECT_HASH);
    assert_true(fx_holds(&e.f, &e.f.pri, &e.a));
    assert_true(fx_erased(&e.f, &e.f.sec, 0, e.f.sec.size));
    boot_stable(&e, 1);
    env_close(&e);
}

/* IMAGE_F_NON_BOOTABLE (header flags, offset 16): never started, and never erased. */
static void scenario_non_bootable(enum boot_strategy s, enum fx_geom g)
{
    struct env e;
    env_open(&e, s, g);
    fx_program(&e.f, &e.f.sec_img, &e.b);
    fx_mem(&e.f, &e.f.sec_img)[16] |= 0x10;
    assert_int_equal(boot_set_pending(&e.f.sec_img, false), 0);
    uint64_t before = powercut_ops(&e.f.pc);
    boot_refuses(&e, 1, BOOT_REJECT_NON_BOOTABLE);
    assert_int_equal(powercut_ops(&e.f.pc), before);  /* left as it is */
    assert_int_equal(fx_mem(&e.f, &e.f.sec_img)[16] & 0x10, 0x10);
    /* a primary marked so is not started, even when it is trusted without validation */
    fx_mem(&e.f, &e.f.pri)[16] |= 0x10;
    e.f.cfg.skip_primary_validation = true;
    struct boot_rsp rsp;
    assert_int_equal(boot_go(&e.f.cfg, &rsp), DFU_ENOENT);
    assert_int_equal(rsp.primary_reject, BOOT_REJECT_NON_BOOTABLE);
    assert_string_equal(boot_reject_str(rsp.primary_reject), "marked non-bootable");
    env_close(&e);
}

static void scenario_empty_secondary(enum boot_strategy s, enum fx_geom g)
{
    struct env e;
    env_open(&e, s, g);
    boot_stable(&e, 1);
    /* an image without a pending trailer is left alone */
    fx_program(&e.f, &e.f.sec_img, &e.b);
    boot_stable(&e, 1);
    assert_true(fx_holds(&e.f, &e.f.sec_img, &e.b));
    env_close(&e);
}

static void scenario_downgrade_version(enum boot_strategy s, enum fx_geom g)
{
    struct env e;
    env_open(&e, s, g);
    e.f.cfg.downgrade = BOOT_DOWNGRADE_VERSION;
    struct fx_image old;
    uint32_t la, lb;
    fx_body_sizes(s, g, 8, &la, &lb);
    fx_image_make(&old, 0, 9, la / 2, 9, false, 0);
    fx_program(&e.f, &e.f.sec_img, &old);
    assert_int_equal(boot_set_pending(&e.f.sec_img, true), 0);
    boot_refuses(&e, 1, BOOT_REJECT_DOWNGRADE);
    assert_true(fx_erased(&e.f, &e.f.sec, 0, e.f.sec.size));
    /* a newer one is fine, and so is the same version */
    fx_program(&e.f, &e.f.sec_img, &e.b);
    assert_int_equal(boot_set_pending(&e.f.sec_img, true), 0);
    boot_expect(&e, 2, BOOT_SWAP_TYPE_PERM);
    /* with downgrades allowed the old image goes in */
    e.f.cfg.downgrade = BOOT_DOWNGRADE_ALLOW;
    fx_program(&e.f, &e.f.sec_img, &old);
    assert_int_equal(boot_set_pending(&e.f.sec_img, true), 0);
    boot_expect(&e, 0, BOOT_SWAP_TYPE_PERM);
    fx_image_free(&old);
    env_close(&e);
}

struct counter {
    uint32_t value;
    int updates;
};
static int cnt_read(void *arg, uint32_t *out)
{
    *out = ((struct counter *)arg)->value;
    return 0;
}
static int cnt_update(void *arg, uint32_t v)
{
    struct counter *c = arg;
    if (v < c->value) {
        return DFU_EPERM;
    }
    c->value = v;
    c->updates++;
    return 0;
}

static void scenario_security_counter(enum boot_strategy s, enum fx_geom g)
{
    struct env e;
    env_open(&e, s, g);
    struct counter c = {5, 0};
    struct boot_sec_cnt_port port = {cnt_read, cnt_update, &c};
    e.f.cfg.downgrade = BOOT_DOWNGRADE_SECURITY_COUNTER;
    e.f.cfg.sec_cnt = &port;
    uint32_t la, lb;
    fx_body_sizes(s, g, 8, &la, &lb);
    struct fx_image low, high, higher;
    fx_image_make(&low, 3, 0, la / 2, 5, true, 3);     /* newer version, lower counter */
    fx_image_make(&high, 4, 0, la / 2, 6, true, 7);
    fx_image_make(&higher, 5, 0, la / 2, 7, true, 9);
    fx_program(&e.f, &e.f.sec_img, &low);
    assert_int_equal(boot_set_pending(&e.f.sec_img, true), 0);
    boot_refuses(&e, 1, BOOT_REJECT_SECURITY_COUNTER);
    assert_int_equal(c.value, 5);
    fx_program(&e.f, &e.f.sec_img, &high);
    assert_int_equal(boot_set_pending(&e.f.sec_img, true), 0);
    boot_expect(&e, 4, BOOT_SWAP_TYPE_PERM);
    assert_int_equal(c.value, 7);  /* permanent: raised at once */
    fx_program(&e.f, &e.f.sec_img, &higher);
    assert_int_equal(boot_set_pending(&e.f.sec_img, false), 0);
    boot_expect(&e, 5, BOOT_SWAP_TYPE_TEST);
    if (s != BOOT_STRATEGY_OVERWRITE) {
        assert_int_equal(c.value, 7);  /* on trial: not yet */
        assert_int_equal(boot_set_confirmed(&e.f.pri), 0);
        boot_stable(&e, 5);
    }
    assert_int_equal(c.value, 9);
    fx_image_free(&low);
    fx_image_free(&high);
    fx_image_free(&higher);
    env_close(&e);
}

static void scenario_nothing_bootable(enum boot_strategy s, enum fx_geom g)
{
    struct env e;
    env_open(&e, s, g);
    struct boot_rsp rsp;
    /* a corrupt primary is not started ... */
    fx_mem(&e.f, &e.f.pri)[0x300] ^= 0x80;
    assert_int_equal(boot_go(&e.f.cfg, &rsp), DFU_ENOENT);
    assert_int_equal(rsp.primary_reject, BOOT_REJECT_HASH);
    assert_int_equal(rsp.secondary_reject, BOOT_REJECT_NONE);
    /* ... unless primary validation is off */
    e.f.cfg.skip_primary_validation = true;
    assert_int_equal(boot_go(&e.f.cfg, &rsp), 0);
    e.f.cfg.skip_primary_validation = false;
    /* a valid secondary refused by policy is kept when the primary is not valid */
    e.f.cfg.downgrade = BOOT_DOWNGRADE_VERSION;
    struct fx_image old;
    fx_image_make(&old, 0, 1, 4000, 12, false, 0);
    fx_program(&e.f, &e.f.sec_img, &old);
    assert_int_equal(boot_set_pending(&e.f.sec_img, false), 0);
    assert_int_equal(boot_go(&e.f.cfg, &rsp), DFU_ENOENT);
    assert_int_equal(rsp.secondary_reject, BOOT_REJECT_DOWNGRADE);
    assert_int_equal(rsp.primary_reject, BOOT_REJECT_HASH);
    assert_true(fx_holds(&e.f, &e.f.sec_img, &old));
    /* an erased board */
    fx_erase(&e.f, &e.f.pri);
    fx_erase(&e.f, &e.f.sec);
    assert_int_equal(boot_go(&e.f.cfg, &rsp), DFU_ENOENT);
    assert_int_equal(rsp.primary_reject, BOOT_REJECT_NO_IMAGE);
    fx_image_free(&old);
    env_close(&e);
}

static void scenario_too_large(enum boot_strategy s, enum fx_geom g)
{
    if (s != BOOT_STRATEGY_SWAP_MOVE || g != FX_UNIFORM_4K) {
        return;
    }
    /* swap-move needs a spare sector: an image reaching it is refused and both slots kept */
    struct env e;
    env_open(&e, s, g);
    struct fx_image big;
    fx_image_make(&big, 3, 0, 44 * 1024, 13, false, 0);
    fx_program(&e.f, &e.f.sec_img, &big);
    assert_int_equal(boot_set_pending(&e.f.sec_img, false), 0);
    boot_refuses(&e, 1, BOOT_REJECT_TOO_LARGE);
    assert_true(fx_holds(&e.f, &e.f.sec_img, &big));
    assert_true(fx_holds(&e.f, &e.f.pri, &e.a));
    fx_image_free(&big);
    env_close(&e);
}

static void scenario_into_the_trailer(enum boot_strategy s, enum fx_geom g)
{
    if (g != FX_UNIFORM_4K) {
        return;
    }
    /* 46 KiB of body in a 48 KiB slot (swap-offset: 42 in the 44 KiB image area): the image
     * runs into the trailer (~3 KiB): invalid, so erased as MCUboot erases an invalid
     * secondary. */
    struct env e;
    env_open(&e, s, g);
    struct fx_image big;
    fx_image_make(&big, 3, 0, e.f.sec_img.size - 2 * 1024, 14, false, 0);
    fx_program(&e.f, &e.f.sec_img, &big);
    assert_int_equal(boot_set_pending(&e.f.sec_img, false), 0);
    boot_refuses(&e, 1, BOOT_REJECT_TOO_LARGE);
    assert_true(fx_erased(&e.f, &e.f.sec, 0, e.f.sec.size));
    assert_true(fx_holds(&e.f, &e.f.pri, &e.a));
    fx_image_free(&big);
    env_close(&e);
}

static void scenario_bad_config(enum boot_strategy s, enum fx_geom g)
{
    struct env e;
    env_open(&e, s, g);
    struct boot_rsp rsp;
    struct boot_config c = e.f.cfg;
    c.secondary = NULL;
    assert_int_equal(boot_go(&c, &rsp), DFU_EINVAL);
    c = e.f.cfg;
    c.downgrade = BOOT_DOWNGRADE_SECURITY_COUNTER;  /* without a counter port */
    assert_int_equal(boot_go(&c, &rsp), DFU_EINVAL);
    c = e.f.cfg;
    struct flash_area odd = e.f.pri;
    odd.off += 512;  /* not on a sector boundary */
    c.primary = &odd;
    assert_int_equal(boot_go(&c, &rsp), DFU_EINVAL);
    assert_int_equal(boot_go(NULL, &rsp), DFU_EINVAL);
    env_close(&e);
}

typedef void (*scenario_fn)(enum boot_strategy, enum fx_geom);

static void run_all(scenario_fn fn)
{
    for (int s = BOOT_STRATEGY_OVERWRITE; s <= BOOT_STRATEGY_SWAP_OFFSET; s++) {
        fn((enum boot_strategy)s, FX_UNIFORM_4K);
        fn((enum boot_strategy)s, FX_STM32F4);
    }
}

#define SCENARIO(name)                       \
    static void test_##name(void **state)    \
    {                                        \
        (void)state;                         \
        run_all(scenario_##name);            \
    }
SCENARIO(test_revert)
SCENARIO(test_confirm)
SCENARIO(permanent)
SCENARIO(invalid_secondary)
SCENARIO(into_the_trailer)
SCENARIO(non_bootable)
SCENARIO(empty_secondary)
SCENARIO(downgrade_version)
SCENARIO(security_counter)
SCENARIO(nothing_bootable)
SCENARIO(too_large)
SCENARIO(bad_config)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_test_revert),
        cmocka_unit_test(test_test_confirm),
        cmocka_unit_test(test_permanent),
        cmocka_unit_test(test_invalid_secondary),
        cmocka_unit_test(test_into_the_trailer),
        cmocka_unit_test(test_non_bootable),
        cmocka_unit_test(test_empty_secondary),
        cmocka_unit_test(test_downgrade_version),
        cmocka_unit_test(test_security_counter),
        cmocka_unit_test(test_nothing_bootable),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
