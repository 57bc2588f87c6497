/* Power-cut tests of the multi-image boot: for a strategy (argv[1]: overwrite, scratch, move,
 * offset) and a layout (argv[2]: uniform, the default; stm32f4, the mixed sectors; or all), two
 * images that need each other (image 0's new image needs image 1 >= 2.0 and the other way
 * round) are tested together, installed for good together, or reverted together; the power
 * is cut at every flash write/erase of that boot in turn (the cut one left half done: clean,
 * torn, torn with the low half of an erase erased), power on, boot until one completes, and
 * check for each image that
 *   - it starts the version the uncut run starts;
 *   - its slots hold byte for byte what the uncut run left there;
 *   - its trailers give the slot state the uncut run leaves; for a permanent install or a
 *     revert a further boot does no flash work.
 * A cut during image 1's part of a test lands after image 0's swap is complete: the recovery
 * boot then sees image 0 as tested once and unconfirmed, and MCUboot would revert it; its
 * revert is held back because image 1 (finished by that boot) needs image 0's new version,
 * so the pair stays together. Every fourth recovery is cut once more. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "fixture.h"

enum scenario { SC_TEST, SC_PERM, SC_REVERT };
static const char *const scenario_names[] = {"test", "permanent", "revert"};
enum cut_mode { CUT_CLEAN, CUT_TORN, CUT_TORN_LOW };
static const char *const cut_names[] = {"clean", "torn", "torn-low"};

static enum boot_strategy g_strategy;
static unsigned long g_cut_points;
static unsigned long g_second_cuts;

struct expect {
    const struct fx_image *pri[2];      /* image left in each primary */
    const struct fx_image *sec[2];      /* ... and in each secondary (NULL: header erased) */
    const struct flash_area *sec_at[2]; /* where in the secondary */
    uint8_t major;                      /* version both start */
    uint8_t flags[2][2];
    bool stable;
};

static const struct flash_area *pri_of(struct fx *f, int i) { return i ? &f->pri1 : &f->pri; }
static const struct flash_area *sec_of(struct fx *f, int i) { return i ? &f->sec1 : &f->sec; }
static const struct flash_area *up_of(struct fx *f, int i) { return i ? &f->sec1_img : &f->sec_img; }

static int boot(struct fx *f, struct boot_rsp rsp[2]) { return boot_go_multi(&f->cfg, rsp, 2); }

static void check_outcome(struct fx *f, const struct boot_rsp rsp[2], const struct expect *e,
                          const char *what, unsigned long n)
{
    for (int i = 0; i < 2; i++) {
        if (rsp[i].hdr.ver.major != e->major) {
            fail_msg("%s cut %lu: image %d booted %u, want %u", what, n, i, rsp[i].hdr.ver.major,
                     e->major);
        }
        if (!fx_holds(f, pri_of(f, i), e->pri[i])) {
            fail_msg("%s cut %lu: primary %d does not hold the expected image", what, n, i);
        }
        if (e->sec[i] != NULL ? !fx_holds(f, e->sec_at[i], e->sec[i])
                              : !fx_erased(f, sec_of(f, i), 0, 4096)) {
            fail_msg("%s cut %lu: secondary %d does not hold the expected image", what, n, i);
        }
        uint8_t flags[2];
        assert_int_equal(boot_slot_flags(pri_of(f, i), sec_of(f, i), flags), 0);
        if (flags[0] != e->flags[i][0] || flags[1] != e->flags[i][1]) {
            fail_msg("%s cut %lu: image %d slot flags %x/%x, want %x/%x", what, n, i, flags[0],
                     flags[1], e->flags[i][0], e->flags[i][1]);
        }
    }
    if (e->stable) {
        uint64_t before = powercut_ops(&f->pc);
        struct boot_rsp again[2];
        assert_int_equal(boot(f, again), 0);
        if (powercut_ops(&f->pc) != before || again[0].hdr.ver.major != e->major ||
            again[1].hdr.ver.major != e->major) {
            fail_msg("%s cut %lu: not stable after recovery", what, n);
        }
    }
}

static int boot_cb(struct fx *f, void *rsp) { return boot(f, rsp); }

static void run_case(enum fx_geom g, uint32_t align, uint8_t erased, enum scenario sc,
                     enum cut_mode mode)
{
    enum boot_strategy s = g_strategy;
    bool overwrite = s == BOOT_STRATEGY_OVERWRITE;
    if (overwrite && sc == SC_REVERT) {
        return;  /* overwrite: no revert; permanent is the same copy */
    }
    struct fx f;
    fx_open_multi(&f, s, g, align, erased);
    f.pc.tear = mode != CUT_CLEAN;
    f.pc.erase_low_first = mode == CUT_TORN_LOW;
    uint32_t la, lb;
    fx_body_sizes(s, g, align, &la, &lb);
    if (lb > 100000) {
        lb = 100000;  /* within the mixed sectors; the single-image suite goes further */
    }
    struct fx_image a[2], b[2];
    const struct image_version v1 = {1, 0, 0, 0}, v2 = {2, 0, 0, 0};
    for (int i = 0; i < 2; i++) {
        const struct image_dependency other = {(uint8_t)(1 - i), {2, 0, 0, 0}};
        fx_image_make_ver(&a[i], &v1, la, 11 + (uint32_t)i, false, 0);
        fx_image_make_deps(&b[i], &v2, lb, 22 + (uint32_t)i, &other, 1);
        fx_program(&f, pri_of(&f, i), &a[i]);
        fx_erase(&f, sec_of(&f, i));
        fx_program(&f, up_of(&f, i), &b[i]);
        assert_int_equal(boot_set_pending(up_of(&f, i), sc == SC_PERM), 0);
    }
    fx_erase(&f, &f.scr);

    struct expect e;
    memset(&e, 0, sizeof(e));
    struct boot_rsp rsp[2];
    if (sc == SC_REVERT) {
        assert_int_equal(boot(&f, rsp), 0);  /* the test swap, then no confirm */
        assert_int_equal(rsp[0].hdr.ver.major, 2);
        assert_int_equal(rsp[1].hdr.ver.major, 2);
    }
    for (int i = 0; i < 2; i++) {
        e.pri[i] = sc == SC_REVERT ? &a[i] : &b[i];
        e.sec[i] = sc == SC_REVERT ? &b[i] : overwrite ? NULL : &a[i];
        e.sec_at[i] = sc == SC_REVERT ? up_of(&f, i) : sec_of(&f, i);
    }
    e.major = sc == SC_REVERT ? 1 : 2;
    e.stable = sc != SC_TEST || overwrite;
    fx_snapshot(&f);

    /* The uncut run: how many operations, and the slot state it leaves. */
    uint64_t start = powercut_ops(&f.pc);
    assert_int_equal(boot(&f, rsp), 0);
    uint64_t total = powercut_ops(&f.pc) - start;
    assert_true(total > 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(boot_slot_flags(pri_of(&f, i), sec_of(&f, i), e.flags[i]), 0);
    }
    char what[96];
    snprintf(what, sizeof(what), "two images/%s/%s/%s/align%u/%02x/%s", fx_strategy_name(s),
             fx_geom_name(g), scenario_names[sc], align, erased, cut_names[mode]);
    check_outcome(&f, rsp, &e, what, 0);

    unsigned long second_before = g_second_cuts;
    for (unsigned long n = 1; n <= total; n++) {
        fx_restore(&f);
        powercut_arm(&f.pc, n);
        int rc = boot(&f, rsp);
        if (rc != DFU_EPOWER) {
            fail_msg("%s cut %lu: boot returned %d instead of the power cut", what, n, rc);
        }
        powercut_power_on(&f.pc);
        g_second_cuts += (unsigned long)fx_recover(&f, n, boot_cb, rsp);
        check_outcome(&f, rsp, &e, what, n);
        g_cut_points++;
    }
    printf("boot_powercut_multi: %-58s %5lu cut points, %4lu second cuts\n", what,
           (unsigned long)total, g_second_cuts - second_before);
    for (int i = 0; i < 2; i++) {
        fx_image_free(&a[i]);
        fx_image_free(&b[i]);
    }
    fx_close(&f);
}

static bool g_uniform, g_stm32f4;  /* the layouts argv[2] asks for */

static void test_uniform(void **state)
{
    (void)state;
    for (int sc = SC_TEST; sc <= SC_REVERT && g_uniform; sc++) {
        run_case(FX_UNIFORM_4K, 8, 0xff, sc, CUT_TORN);
        run_case(FX_UNIFORM_4K, 4, 0x00, sc, CUT_TORN_LOW);
        run_case(FX_UNIFORM_4K, 32, 0xff, sc, CUT_CLEAN);
    }
}

static void test_stm32f4(void **state)
{
    (void)state;
    for (int sc = SC_TEST; sc <= SC_REVERT && g_stm32f4; sc++) {
        run_case(FX_STM32F4, 8, 0xff, sc, CUT_TORN);
    }
}

static void test_report(void **state)
{
    (void)state;
    printf("boot_powercut_multi: %s: %lu cut points in total, %lu second cuts during recovery\n",
           fx_strategy_name(g_strategy), g_cut_points, g_second_cuts);
    assert_true(g_cut_points > 0);
}

int main(int argc, char **argv)
{
    const char *which = argc > 1 ? argv[1] : "scratch";
    g_strategy = fx_strategy_arg(which);
    const char *geom = argc > 2 ? argv[2] : "uniform";
    g_uniform = strcmp(geom, "stm32f4") != 0;
    g_stm32f4 = strcmp(geom, "uniform") != 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_stm32f4),
        cmocka_unit_test(test_report),
    };
    return cmocka_run_group_tests_name(which, tests, NULL, NULL);
}
