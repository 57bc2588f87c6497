/* Power-cut tests: for a strategy (argv[1]: overwrite, scratch, move, offset), every scenario and
 * geometry, cut the power at every flash write/erase of the upgrade in turn (the cut one
 * left half done), power on, boot until stable, and check that
 *   - the bootloader starts a valid image, the one the uncut run starts;
 *   - each slot holds byte for byte the image the uncut run left there (nothing lost/mixed);
 *   - the trailers give the same slot state as the uncut run, and a further boot does no
 *     flash work (except after a test swap, whose next boot is the revert).
 * For a sample of cut points a second cut hits the recovery itself. Cuts are clean (the
 * operation not started) or torn (half a write programmed; half an erase done, either half).
 * With argv[2] "enc" the images are encrypted (imgtool -E, ECIES-P256): the primary holds the
 * old image decrypted, the secondary the new one encrypted, and every outcome must also leave
 * no piece of the new image's plaintext payload in the secondary slot. */
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

static enum boot_strategy g_strategy;
static bool g_enc;
#define ENC_PEM DFU_VECTORS_DIR "/imgtool/enckey-ecdsa-p256.pem"
static unsigned long g_cut_points;
static unsigned long g_second_cuts;

struct expect {
    const struct fx_image *pri;   /* image left in the primary */
    const struct fx_image *sec;   /* image left in the secondary; NULL: header erased */
    const struct flash_area *sec_at;  /* where in the secondary (swap-offset: one sector in) */
    uint8_t major;                /* version that boots */
    uint8_t flags[2];
    bool stable;                  /* a further boot does no flash work */
    const struct fx_image *secret;  /* plaintext whose payload must not be in the secondary */
};

/* True when a 32-byte piece of the secret's payload (at one of several places) is anywhere in
 * the secondary slot. */
static bool secondary_leaks(struct fx *f, const struct fx_image *secret)
{
    const uint32_t hdr = 0x200, n = 32;
    uint32_t body = (uint32_t)secret->len - hdr - 512;  /* leave out the TLVs */
    for (uint32_t k = 0; k < 8; k++) {
        const uint8_t *piece = secret->data + hdr + k * (body / 8);
        if (memmem(fx_mem(f, &f->sec), f->sec.size, piece, n) != NULL) {
            return true;
        }
    }
    return false;
}

static void check_outcome(struct fx *f, const struct boot_rsp *rsp, const struct expect *e,
                          const char *what, unsigned long n)
{
    if (rsp->hdr.ver.major != e->major) {
        fail_msg("%s cut %lu: booted %u, want %u", what, n, rsp->hdr.ver.major, e->major);
    }
    if (!fx_holds(f, &f->pri, e->pri)) {
        fail_msg("%s cut %lu: primary does not hold the expected image", what, n);
    }
    if (e->sec != NULL ? !fx_holds(f, e->sec_at, e->sec) : !fx_erased(f, &f->sec, 0, 4096)) {
        fail_msg("%s cut %lu: secondary does not hold the expected content", what, n);
    }
    if (e->secret != NULL && secondary_leaks(f, e->secret)) {
        fail_msg("%s cut %lu: the new image's plaintext is in the secondary", what, n);
    }
    uint8_t flags[2];
    assert_int_equal(boot_slot_flags(&f->pri, &f->sec, flags), 0);
    if (flags[0] != e->flags[0] || flags[1] != e->flags[1]) {
        fail_msg("%s cut %lu: slot flags %x/%x, want %x/%x", what, n, flags[0], flags[1],
                 e->flags[0], e->flags[1]);
    }
    if (e->stable) {
        uint64_t before = powercut_ops(&f->pc);
        struct boot_rsp again;
        assert_int_equal(boot_go(&f->cfg, &again), 0);
        if (powercut_ops(&f->pc) != before || again.hdr.ver.major != e->major) {
            fail_msg("%s cut %lu: not stable after recovery", what, n);
        }
    }
}

static int boot_cb(struct fx *f, void *rsp) { return boot_go(&f->cfg, rsp); }

/* How the cut operation is left: not started, or half done with the upper (or lower) half
 * of a torn erase reading erased. */
enum cut_mode { CUT_CLEAN, CUT_TORN, CUT_TORN_LOW };
static const char *const cut_names[] = {"clean", "torn", "torn-low"};

static void run_case(enum fx_geom g, uint32_t align, uint8_t erased, enum scenario sc,
                     enum cut_mode mode)
{
    enum boot_strategy s = g_strategy;
    if (s == BOOT_STRATEGY_OVERWRITE && sc != SC_TEST) {
        return;  /* overwrite: no revert; permanent is the same copy */
    }
    struct fx f;
    fx_open(&f, s, g, align, erased);
    f.pc.tear = mode != CUT_CLEAN;
    f.pc.erase_low_first = mode == CUT_TORN_LOW;
    uint32_t la, lb;
    fx_body_sizes(s, g, align, &la, &lb);
    struct fx_image a, b, a_up, b_up;  /* as installed in the primary / as uploaded */
    struct fx_enc_key key;
    if (g_enc) {
        /* room for the key TLV and the trailer's key fields; whole AES blocks */
        la = (la - 256) / 16 * 16;
        lb = (lb - 256) / 16 * 16;
        fx_image_make_enc(&a_up, &a, 1, 0, la, 11, ENC_PEM);
        fx_image_make_enc(&b_up, &b, 2, 0, lb, 22, ENC_PEM);
        fx_enc_key_load(&key, ENC_PEM);
        f.cfg.enc_key = &key.xk;
    } else {
        fx_image_make(&a, 1, 0, la, 11, false, 0);
        fx_image_make(&b, 2, 0, lb, 22, false, 0);
        a_up = a;
        b_up = b;
    }
    fx_program(&f, &f.pri, &a);
    fx_erase(&f, &f.sec);
    fx_program(&f, &f.sec_img, &b_up);
    fx_erase(&f, &f.scr);
    assert_int_equal(boot_set_pending(&f.sec_img, sc == SC_PERM), 0);

    struct expect e;
    memset(&e, 0, sizeof(e));
    struct boot_rsp rsp;
    if (sc == SC_REVERT) {
        assert_int_equal(boot_go(&f.cfg, &rsp), 0);  /* test swap, then no confirm */
        assert_int_equal(rsp.hdr.ver.major, 2);
        e.pri = &a;
        e.sec = &b_up;
        e.sec_at = &f.sec_img;  /* back where it was uploaded */
        e.major = 1;
        e.stable = true;
    } else {
        e.pri = &b;
        e.sec = s == BOOT_STRATEGY_OVERWRITE ? NULL : &a_up;
        e.sec_at = &f.sec;
        e.major = 2;
        e.stable = sc != SC_TEST || s == BOOT_STRATEGY_OVERWRITE;
    }
    e.secret = g_enc ? &b : NULL;
    fx_snapshot(&f);

    /* The uncut run: how many operations, and the slot state it leaves. */
    uint64_t start = powercut_ops(&f.pc);
    assert_int_equal(boot_go(&f.cfg, &rsp), 0);
    uint64_t total = powercut_ops(&f.pc) - start;
    assert_true(total > 0);
    assert_int_equal(boot_slot_flags(&f.pri, &f.sec, e.flags), 0);
    char what[96];
    snprintf(what, sizeof(what), "%s%s/%s/%s/align%u/%02x/%s", g_enc ? "enc/" : "",
             fx_strategy_name(s), fx_geom_name(g), scenario_names[sc], align, erased,
             cut_names[mode]);
    check_outcome(&f, &rsp, &e, what, 0);

    unsigned long second_before = g_second_cuts;
    for (unsigned long n = 1; n <= total; n++) {
        fx_restore(&f);
        powercut_arm(&f.pc, n);
        int rc = boot_go(&f.cfg, &rsp);
        if (rc != DFU_EPOWER) {
            fail_msg("%s cut %lu: boot returned %d instead of the power cut", what, n, rc);
        }
        powercut_power_on(&f.pc);
        g_second_cuts += (unsigned long)fx_recover(&f, n, boot_cb, &rsp);
        check_outcome(&f, &rsp, &e, what, n);
        g_cut_points++;
    }
    printf("boot_powercut: %-52s %5lu cut points, %4lu second cuts\n", what, (unsigned long)total,
           g_second_cuts - second_before);
    fx_image_free(&a);
    fx_image_free(&b);
    if (g_enc) {
        fx_image_free(&a_up);
        fx_image_free(&b_up);
        fx_enc_key_free(&key);
    }
    fx_close(&f);
}

static void test_uniform(void **state)
{
    (void)state;
    for (int sc = SC_TEST; sc <= SC_REVERT && g_enc; sc++) {
        /* encrypted: fewer flash variants (each boot also unwraps and decrypts) */
        run_case(FX_UNIFORM_4K, 8, 0xff, sc, CUT_TORN);
        run_case(FX_UNIFORM_4K, 4, 0x00, sc, CUT_TORN_LOW);
        run_case(FX_UNIFORM_4K, 32, 0xff, sc, CUT_CLEAN);
    }
    for (int sc = SC_TEST; sc <= SC_REVERT && !g_enc; sc++) {
        run_case(FX_UNIFORM_4K, 8, 0xff, sc, CUT_TORN);
        run_case(FX_UNIFORM_4K, 4, 0x00, sc, CUT_TORN);
        run_case(FX_UNIFORM_4K, 8, 0xff, sc, CUT_CLEAN);
        run_case(FX_UNIFORM_4K, 8, 0xff, sc, CUT_TORN_LOW);
        run_case(FX_UNIFORM_4K, 1, 0xff, sc, CUT_TORN);
        run_case(FX_UNIFORM_4K, 32, 0x00, sc, CUT_TORN_LOW);
    }
}

static void test_stm32f4(void **state)
{
    (void)state;
    for (int sc = SC_TEST; sc <= SC_REVERT; sc++) {
        run_case(FX_STM32F4, 8, 0xff, sc, CUT_TORN);
        if (!g_enc) {
            run_case(FX_STM32F4, 16, 0x00, sc, CUT_TORN_LOW);
        }
    }
}

static void test_report(void **state)
{
    (void)state;
    printf("boot_powercut: %s: %lu cut points in total, %lu second cuts during recovery\n",
           fx_strategy_name(g_strategy), g_cut_points, g_second_cuts);
    assert_true(g_cut_points > 0);
}

int main(int argc, char **argv)
{
    const char *which = argc > 1 ? argv[1] : "scratch";
    g_strategy = fx_strategy_arg(which);
    g_enc = argc > 2 && strcmp(argv[2], "enc") == 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_stm32f4),
        cmocka_unit_test(test_report),
    };
    return cmocka_run_group_tests_name(which, tests, NULL, NULL);
}
