/* direct-xip and direct-xip-revert: which slot boots, what the bootloader writes (only
 * copy_done, and erases of refused images), and a power cut at every flash
 * operation of each boot (clean and torn, both geometries), recovered by the next boot.
 * ram-load: the chosen image copied into a RAM region (another emulated device here), and
 * validated there (a byte changed on the way in, or a flash read differently for the copy);
 * its one flash work, erasing an invalid image, cut at every operation as well. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "fixture.h"

#define XIP BOOT_STRATEGY_DIRECT_XIP
#define XIP_REVERT BOOT_STRATEGY_DIRECT_XIP_REVERT

/* Boots once; returns the flash operations it did. */
static uint64_t boot_ops(struct fx *f, struct boot_rsp *rsp, int want)
{
    uint64_t before = powercut_ops(&f->pc);
    assert_int_equal(boot_go(&f->cfg, rsp), want);
    return powercut_ops(&f->pc) - before;
}

/* pri holds version pa, sec version sb (0: erased). */
static void setup(struct fx *f, enum boot_strategy s, enum fx_geom g, uint8_t pa, uint8_t sb,
                  struct fx_image *a, struct fx_image *b)
{
    fx_open(f, s, g, 8, 0xff);
    fx_image_make(a, pa, 0, 30000, 11, false, 0);
    fx_image_make(b, sb ? sb : 1, 0, 40000, 22, false, 0);
    fx_program(f, &f->pri, a);
    if (sb) {
        fx_program(f, &f->sec, b);
    } else {
        fx_erase(f, &f->sec);
    }
}

static void done(struct fx *f, struct fx_image *a, struct fx_image *b)
{
    fx_image_free(a);
    fx_image_free(b);
    fx_close(f);
}

/* The higher version runs where it is, the primary on a tie; no flash work at all. */
static void test_highest_version_in_place(void **state)
{
    (void)state;
    static const struct { uint8_t pa, sb, slot; } cases[] = {{1, 2, 1}, {3, 2, 0}, {2, 2, 0}, {1, 0, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fx f;
        struct fx_image a, b;
        setup(&f, XIP, FX_STM32F4, cases[i].pa, cases[i].sb, &a, &b);
        struct boot_rsp rsp;
        assert_int_equal(boot_ops(&f, &rsp, 0), 0);
        assert_int_equal(rsp.slot, cases[i].slot);
        assert_ptr_equal(rsp.area, cases[i].slot ? &f.sec : &f.pri);
        assert_int_equal(rsp.image_off, cases[i].slot ? f.sec.off : f.pri.off);
        assert_int_equal(rsp.hdr.ver.major, cases[i].slot ? cases[i].sb : cases[i].pa);
        assert_int_equal(rsp.swap_type, BOOT_SWAP_TYPE_NONE);
        assert_true(fx_holds(&f, &f.pri, &a));
        done(&f, &a, &b);
    }
}

/* An invalid image is erased (either slot) and the other runs; the next boot does nothing. */
static void test_invalid_erased(void **state)
{
    (void)state;
    for (int slot = 0; slot < 2; slot++) {
        struct fx f;
        struct fx_image a, b;
        setup(&f, XIP, FX_STM32F4, 1, 2, &a, &b);
        const struct flash_area *bad = slot ? &f.sec : &f.pri;
        fx_mem(&f, bad)[0x300] ^= 0x55;
        struct boot_rsp rsp;
        assert_true(boot_ops(&f, &rsp, 0) > 0);
        assert_int_equal(rsp.slot, !slot);
        assert_int_equal(rsp.swap_type, BOOT_SWAP_TYPE_FAIL);
        assert_int_equal(slot ? rsp.secondary_reject : rsp.primary_reject, BOOT_REJECT_HASH);
        assert_true(fx_erased(&f, bad, 0, bad->size));
        assert_int_equal(boot_ops(&f, &rsp, 0), 0);
        assert_int_equal(rsp.slot, !slot);
        done(&f, &a, &b);
    }
    struct fx f;
    struct fx_image a, b;
    setup(&f, XIP, FX_UNIFORM_4K, 1, 0, &a, &b);
    fx_mem(&f, &f.pri)[0x300] ^= 0x55;
    struct boot_rsp rsp;
    assert_int_equal(boot_go(&f.cfg, &rsp), DFU_ENOENT);
    assert_int_equal(rsp.primary_reject, BOOT_REJECT_HASH);
    assert_int_equal(rsp.secondary_reject, BOOT_REJECT_NO_IMAGE);
    done(&f, &a, &b);
}

/* imgtool sign --rom-fixed: an image built for the other slot's address is skipped, kept. */
static void test_rom_fixed(void **state)
{
    (void)state;
    struct fx f;
    struct fx_image a, b, wrong;
    setup(&f, XIP, FX_STM32F4, 1, 0, &a, &b);
    fx_image_free(&b);
    fx_image_make_rom_fixed(&b, 2, 40000, 22, f.sec.off);
    fx_image_make_rom_fixed(&wrong, 3, 40000, 33, f.sec.off + f.sec.size);  /* somewhere else */
    fx_program(&f, &f.sec, &b);
    struct boot_rsp rsp;
    assert_int_equal(boot_ops(&f, &rsp, 0), 0);
    assert_int_equal(rsp.slot, 1);  /* built for the secondary: runs there */
    assert_true(rsp.hdr.flags & IMAGE_F_ROM_FIXED);
    assert_int_equal(rsp.hdr.load_addr, f.sec.off);
    fx_program(&f, &f.sec, &wrong);
    assert_int_equal(boot_ops(&f, &rsp, 0), 0);
    assert_int_equal(rsp.slot, 0);
    assert_int_equal(rsp.secondary_reject, BOOT_REJECT_WRONG_SLOT);
    assert_true(fx_holds(&f, &f.sec, &wrong));
    fx_image_free(&wrong);
    done(&f, &a, &b);
}

/* Revert: a test image runs once (copy_done written), and is erased at the next boot unless
 * the application confirmed it; a permanent one stays. */
static void test_revert_flow(void **state)
{
    (void)state;
    for (int outcome = 0; outcome < 3; outcome++) {  /* 0: not confirmed, 1: confirmed, 2: perm */
        struct fx f;
        struct fx_image a, b;
        setup(&f, XIP_REVERT, FX_STM32F4, 1, 2, &a, &b);
        assert_int_equal(boot_set_pending(&f.sec, outcome == 2), 0);
        struct boot_rsp rsp;
        assert_int_equal(boot_ops(&f, &rsp, 0), 1);  /* copy_done into the secondary trailer */
        assert_int_equal(rsp.slot, 1);
        assert_int_equal(rsp.swap_type, outcome == 2 ? BOOT_SWAP_TYPE_NONE : BOOT_SWAP_TYPE_TEST);
        struct boot_swap_state t;
        assert_int_equal(boot_read_swap_state(&f.sec, &t), 0);
        assert_int_equal(t.copy_done, BOOT_FLAG_SET);
        if (outcome == 1) {
            assert_int_equal(boot_set_confirmed(&f.sec), 0);
        }
        uint64_t ops = boot_ops(&f, &rsp, 0);
        if (outcome == 0) {
            assert_true(ops > 0);
            assert_int_equal(rsp.slot, 0);
            assert_int_equal(rsp.swap_type, BOOT_SWAP_TYPE_REVERT);
            assert_int_equal(rsp.secondary_reject, BOOT_REJECT_NOT_CONFIRMED);
            assert_true(fx_erased(&f, &f.sec, 0, f.sec.size));
        } else {
            assert_int_equal(ops, 0);
            assert_int_equal(rsp.slot, 1);
        }
        assert_true(fx_holds(&f, &f.pri, &a));
        assert_int_equal(boot_ops(&f, &rsp, 0), 0);  /* stable */
        done(&f, &a, &b);
    }
}

/* Revert, as MCUboot's boot_select_or_erase(): a higher image never marked for test nor
 * confirmed (uploaded, no image test) is erased and the other slot runs; an unmarked image that
 * is the only valid one (a factory image flashed without --confirm) runs, nothing written. */
static void test_revert_unmarked(void **state)
{
    (void)state;
    struct fx f;
    struct fx_image a, b;
    setup(&f, XIP_REVERT, FX_STM32F4, 1, 2, &a, &b);
    struct boot_rsp rsp;
    assert_true(boot_ops(&f, &rsp, 0) > 0);
    assert_int_equal(rsp.slot, 0);
    assert_int_equal(rsp.secondary_reject, BOOT_REJECT_NOT_MARKED);
    assert_int_equal(rsp.swap_type, BOOT_SWAP_TYPE_FAIL);
    assert_true(fx_erased(&f, &f.sec, 0, f.sec.size));
    assert_true(fx_holds(&f, &f.pri, &a));  /* the unmarked primary: nothing written */
    assert_int_equal(boot_ops(&f, &rsp, 0), 0);
    assert_int_equal(rsp.slot, 0);
    assert_int_equal(rsp.swap_type, BOOT_SWAP_TYPE_NONE);
    assert_string_equal(boot_reject_str(BOOT_REJECT_NOT_MARKED),
                        "neither marked for test nor confirmed");
    done(&f, &a, &b);
    /* the same in slot 1 alone: it runs, and stays */
    setup(&f, XIP_REVERT, FX_UNIFORM_4K, 1, 2, &a, &b);
    fx_erase(&f, &f.pri);
    assert_int_equal(boot_ops(&f, &rsp, 0), 0);
    assert_int_equal(rsp.slot, 1);
    assert_int_equal(boot_ops(&f, &rsp, 0), 0);
    assert_int_equal(rsp.slot, 1);
    assert_true(fx_holds(&f, &f.sec, &b));
    done(&f, &a, &b);
}

/* What a boot sequence leaves: the slot that runs and the bytes of both slots. */
struct outcome {
    uint8_t slot;
    uint8_t major;
    uint8_t *mem;
};

static void capture(struct fx *f, const struct boot_rsp *rsp, struct outcome *o)
{
    o->slot = rsp->slot;
    o->major = rsp->hdr.ver.major;
    o->mem = malloc(f->nf.dev.size);
    assert_non_null(o->mem);
    memcpy(o->mem, f->nf.mem, f->nf.dev.size);
}

static unsigned long g_cuts;

/* Fails unless the area still holds img byte for byte (the last valid image is never lost). */
static void check_kept(struct fx *f, const struct flash_area *fa, const struct fx_image *img,
                       const char *what, unsigned long n, const char *when)
{
    if (fa != NULL && !fx_holds(f, fa, img)) {
        fail_msg("%s cut %lu: the last valid image was lost %s", what, n, when);
    }
}

/* For the boot from the snapshot: every cut point, then boots until one completes (every
 * fourth recovery cut once more); it must end as the uncut boot did, the image in keep (when
 * set) must be intact after the cut and after recovery, and when stable a further boot does
 * no flash work (after a try, the next boot is the revert). */
static void cut_every_op(struct fx *f, const char *what, bool stable, const struct flash_area *keep,
                         const struct fx_image *kept)
{
    struct boot_rsp rsp;
    fx_snapshot(f);
    uint64_t total = boot_ops(f, &rsp, 0);
    assert_true(total > 0);
    struct outcome want;
    capture(f, &rsp, &want);
    for (uint64_t n = 1; n <= total; n++) {
        fx_restore(f);
        powercut_arm(&f->pc, n);
        assert_int_equal(boot_go(&f->cfg, &rsp), DFU_EPOWER);
        powercut_power_on(&f->pc);
        check_kept(f, keep, kept, what, (unsigned long)n, "by the cut");
        if (n % 4 == 0) {
            powercut_arm(&f->pc, 1 + n % 7);
            if (boot_go(&f->cfg, &rsp) == DFU_EPOWER) {
                powercut_power_on(&f->pc);
                check_kept(f, keep, kept, what, (unsigned long)n, "by the second cut");
            }
            powercut_arm(&f->pc, 0);
        }
        int rc = boot_go(&f->cfg, &rsp);
        if (rc != 0 || rsp.slot != want.slot || rsp.hdr.ver.major != want.major ||
            memcmp(f->nf.mem, want.mem, f->nf.dev.size) != 0) {
            fail_msg("%s cut %lu: rc %d slot %u v%u, want slot %u v%u and the uncut flash", what,
                     (unsigned long)n, rc, rsp.slot, rsp.hdr.ver.major, want.slot, want.major);
        }
        check_kept(f, keep, kept, what, (unsigned long)n, "by the recovery");
        if (stable && boot_ops(f, &rsp, 0) != 0) {
            fail_msg("%s cut %lu: a further boot still works the flash", what, (unsigned long)n);
        }
        g_cuts++;
    }
    free(want.mem);
    printf("boot_direct_xip: %-48s %4lu cut points\n", what, (unsigned long)total);
}

/* The boots that write, each cut at every operation on both geometries (STM32F4: a primary of
 * 16K, 64K and 128K sectors, so the header sector erased first is not the size of the
 * rest). pa/sb: versions in the primary/secondary; bad: the slot whose image is corrupted
 * (-1: none); test: the slot marked for test (-1: none), the other one installed permanent. */
struct xip_cut_case {
    const char *name;
    enum boot_strategy s;
    uint8_t pa, sb;
    int bad, test;
};

static const struct xip_cut_case xip_cut_cases[] = {
    {"xip/invalid-primary", XIP, 1, 2, 0, -1},
    {"xip/invalid-secondary", XIP, 2, 1, 1, -1},
    {"revert/invalid-secondary", XIP_REVERT, 1, 2, 1, 1},
    {"revert/invalid-primary", XIP_REVERT, 3, 2, 0, 0},
    {"revert/secondary-tried", XIP_REVERT, 1, 2, -1, 1},
    {"revert/primary-tried", XIP_REVERT, 3, 2, -1, 0},
    /* ram-load writes the flash only to erase an invalid image (RAM is not flash: no cut) */
    {"ram-load/invalid-primary", BOOT_STRATEGY_RAM_LOAD, 1, 2, 0, -1},
    {"ram-load/invalid-secondary", BOOT_STRATEGY_RAM_LOAD, 2, 1, 1, -1},
};

static void run_cut_case(const struct xip_cut_case *c, enum fx_geom g, int m)
{
    static const char *const modes[] = {"clean", "torn", "torn-low"};
    struct fx f;
    struct fx_image a, b;
    setup(&f, c->s, g, c->pa, c->sb, &a, &b);
    struct nor_flash ramdev;
    struct flash_area ram;
    if (c->s == BOOT_STRATEGY_RAM_LOAD) {  /* the same versions, built to load into RAM */
        fx_image_free(&a);
        fx_image_free(&b);
        fx_image_make_ram_load(&a, c->pa, 30000, 11, FX_RAM_ADDR + 0x1000, 0);
        fx_image_make_ram_load(&b, c->sb, 40000, 22, FX_RAM_ADDR + 0x100, 0);
        fx_program(&f, &f.pri, &a);
        fx_program(&f, &f.sec, &b);
        fx_ram_open(&ramdev, &ram);
        f.cfg.ram = &ram;
        f.cfg.ram_addr = FX_RAM_ADDR;
    }
    f.pc.tear = m != 0;
    f.pc.erase_low_first = m == 2;
    const struct flash_area *slot[2] = {&f.pri, &f.sec};
    const struct fx_image *img[2] = {&a, &b};
    if (c->test >= 0) {
        assert_int_equal(boot_set_pending(slot[c->test], false), 0);
        assert_int_equal(boot_set_pending(slot[!c->test], true), 0);
    }
    /* the one that must never be lost: the valid one not on trial */
    int keep = c->bad >= 0 ? !c->bad : c->test >= 0 ? !c->test : -1;
    if (c->bad >= 0) {
        fx_mem(&f, slot[c->bad])[0x300] ^= 0x55;  /* the upload went wrong: erased */
    }
    char what[96];
    snprintf(what, sizeof what, "%s/%s/%s", fx_geom_name(g), c->name, modes[m]);
    const struct flash_area *kfa = keep >= 0 ? slot[keep] : NULL;
    const struct fx_image *kimg = keep >= 0 ? img[keep] : NULL;
    if (c->bad < 0) {
        char step[112];
        snprintf(step, sizeof step, "%s/try", what);
        cut_every_op(&f, step, false, kfa, kimg);  /* the try: copy_done */
        snprintf(step, sizeof step, "%s/revert", what);
        cut_every_op(&f, step, true, kfa, kimg);  /* not confirmed: erased, the other runs */
    } else {
        cut_every_op(&f, what, true, kfa, kimg);
    }
    done(&f, &a, &b);
    if (c->s == BOOT_STRATEGY_RAM_LOAD) {
        nor_flash_close(&ramdev);
    }
}

static void test_xip_powercut(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof xip_cut_cases / sizeof xip_cut_cases[0]; i++) {
        for (int g = FX_UNIFORM_4K; g <= FX_STM32F4; g++) {
            for (int m = 0; m < 3; m++) {
                run_cut_case(&xip_cut_cases[i], (enum fx_geom)g, m);
            }
        }
    }
    printf("boot_direct_xip: %lu cut points in total\n", g_cuts);
    assert_true(g_cuts > 100);
}

/* ram-load: the highest valid version is copied into the RAM region at its load address and
 * validated there; the flash is not written. One without RAM_LOAD, or not fitting the region,
 * is refused (kept) and the other loads. */
#define RAM_ADDR FX_RAM_ADDR

/* ram-load on the STM32F4 layout: 1.0.0 for RAM_ADDR + 0x1000 in the primary, 2.0.0 for
 * RAM_ADDR + 0x100 in the secondary; no RAM region configured yet. */
static void setup_ram_load(struct fx *f, struct fx_image *a, struct fx_image *b)
{
    fx_open(f, BOOT_STRATEGY_RAM_LOAD, FX_STM32F4, 8, 0xff);
    fx_image_make_ram_load(a, 1, 20000, 11, RAM_ADDR + 0x1000, 0);
    fx_image_make_ram_load(b, 2, 30000, 22, RAM_ADDR + 0x100, 0);
    fx_program(f, &f->pri, a);
    fx_program(f, &f->sec, b);
}

static void test_ram_load(void **state)
{
    (void)state;
    struct nor_flash ramdev;
    struct flash_area ram;
    fx_ram_open(&ramdev, &ram);
    struct fx f;
    struct fx_image a, b;
    setup_ram_load(&f, &a, &b);
    struct boot_rsp rsp;
    assert_int_equal(boot_go(&f.cfg, &rsp), DFU_EINVAL);  /* no RAM region */
    f.cfg.ram = &ram;
    f.cfg.ram_addr = RAM_ADDR;
    assert_int_equal(boot_ops(&f, &rsp, 0), 0);  /* the chip's flash is only read */
    assert_int_equal(rsp.slot, 1);
    assert_int_equal(rsp.hdr.ver.major, 2);
    assert_int_equal(rsp.image_off, RAM_ADDR + 0x100);
    uint8_t *m = nor_flash_mem(&ramdev);
    assert_memory_equal(m + 0x100, b.data, b.len);
    for (uint32_t i = 0; i < 0x100; i++) {
        assert_int_equal(m[i], 0);
    }
    /* 2.0.0 with the load address past the region: refused, kept; 1.0.0 loads */
    struct fx_image far;
    fx_image_make_ram_load(&far, 2, 30000, 22, RAM_ADDR + 60 * 1024, 0);
    fx_program(&f, &f.sec, &far);
    assert_int_equal(boot_ops(&f, &rsp, 0), 0);
    assert_int_equal(rsp.slot, 0);
    assert_int_equal(rsp.secondary_reject, BOOT_REJECT_LOAD_ADDR);
    assert_int_equal(rsp.image_off, RAM_ADDR + 0x1000);
    assert_memory_equal(m + 0x1000, a.data, a.len);
    assert_true(fx_holds(&f, &f.sec, &far));
    fx_image_free(&far);
    /* an image without RAM_LOAD is not loaded */
    fx_image_make(&far, 3, 0, 30000, 33, false, 0);
    fx_program(&f, &f.sec, &far);
    assert_int_equal(boot_go(&f.cfg, &rsp), 0);
    assert_int_equal(rsp.slot, 0);
    assert_int_equal(rsp.secondary_reject, BOOT_REJECT_LOAD_ADDR);
    fx_image_free(&far);
    done(&f, &a, &b);
    nor_flash_close(&ramdev);
}

/* A device in front of another that changes one byte at `at` as it passes: in what is
 * written (a RAM port that corrupts on the way in), or in the nth read covering it (a flash
 * that changes between the bootloader's two reads). */
struct tamper {
    struct flash_dev dev;
    const struct flash_dev *inner;
    uint32_t at;
    bool on_write;
    unsigned nth, reads;
};

static int t_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    struct tamper *t = ctx;
    int err = t->inner->ops->read(t->inner->ctx, off, buf, len);
    if (!err && !t->on_write && off <= t->at && t->at - off < len && ++t->reads == t->nth) {
        ((uint8_t *)buf)[t->at - off] ^= 0x01;
    }
    return err;
}

static int t_write(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    struct tamper *t = ctx;
    if (!t->on_write || off > t->at || t->at - off >= len) {
        return t->inner->ops->write(t->inner->ctx, off, buf, len);
    }
    uint8_t chunk[1024];
    assert_true(len <= sizeof chunk);
    memcpy(chunk, buf, len);
    chunk[t->at - off] ^= 0x01;
    return t->inner->ops->write(t->inner->ctx, off, chunk, len);
}

static int t_erase(void *ctx, uint32_t off, uint32_t len)
{
    struct tamper *t = ctx;
    return t->inner->ops->erase(t->inner->ctx, off, len);
}

static const struct flash_ops tamper_ops = {t_read, t_write, t_erase};

static void tamper_init(struct tamper *t, const struct flash_dev *inner, uint32_t at, bool on_write,
                        unsigned nth)
{
    *t = (struct tamper){.dev = *inner, .inner = inner, .at = at, .on_write = on_write, .nth = nth};
    t->dev.ops = &tamper_ops;
    t->dev.ctx = t;
}

/* ram-load validates what is in RAM, not what was in flash: a byte changed on its way into
 * RAM, or a flash that reads differently for the copy than for the first check, gets the
 * copy refused (hash), the RAM region cleared, and the other slot loaded; flash is kept. */
static void test_ram_load_checks_the_copy(void **state)
{
    (void)state;
    struct nor_flash ramdev;
    struct flash_area ram0;
    fx_ram_open(&ramdev, &ram0);
    for (int on_write = 0; on_write < 2; on_write++) {
        struct fx f;
        struct fx_image a, b;
        setup_ram_load(&f, &a, &b);
        struct tamper t;
        struct flash_area ram = ram0;
        if (on_write) {
            tamper_init(&t, &ramdev.dev, 0x7000, true, 0);  /* in b's body in RAM, past a */
            ram.dev = &t.dev;
        } else {
            tamper_init(&t, &f.pc.dev, f.sec.off + 0x4000, false, 2);  /* the copy's read */
            f.pri.dev = &t.dev;
            f.sec.dev = &t.dev;
        }
        f.cfg.ram = &ram;
        f.cfg.ram_addr = RAM_ADDR;
        struct boot_rsp rsp;
        assert_int_equal(boot_ops(&f, &rsp, 0), 0);
        assert_int_equal(rsp.slot, 0);
        assert_int_equal(rsp.secondary_reject, BOOT_REJECT_HASH);
        assert_int_equal(rsp.swap_type, BOOT_SWAP_TYPE_FAIL);
        assert_int_equal(rsp.image_off, RAM_ADDR + 0x1000);
        uint8_t *m = nor_flash_mem(&ramdev);
        assert_memory_equal(m + 0x1000, a.data, a.len);
        for (uint32_t i = 0; i < 0x1000; i++) {
            assert_int_equal(m[i], 0);  /* nothing of the refused copy stays */
        }
        assert_true(fx_holds(&f, &f.sec, &b));
        if (!on_write) {
            assert_int_equal(t.reads, 2);  /* it did read the byte twice: check, then copy */
        }
        done(&f, &a, &b);
    }
    nor_flash_close(&ramdev);
}

static void test_config_refused(void **state)
{
    (void)state;
    struct fx f;
    struct fx_image a, b;
    setup(&f, XIP, FX_UNIFORM_4K, 1, 0, &a, &b);
    struct boot_rsp rsp;
    f.cfg.downgrade = BOOT_DOWNGRADE_SECURITY_COUNTER;  /* without its port */
    assert_int_equal(boot_go(&f.cfg, &rsp), DFU_EINVAL);
    f.cfg.downgrade = BOOT_DOWNGRADE_ALLOW;
    f.cfg.strategy = (enum boot_strategy)7;
    assert_int_equal(boot_go(&f.cfg, &rsp), DFU_EINVAL);
    done(&f, &a, &b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_highest_version_in_place),
        cmocka_unit_test(test_invalid_erased),
        cmocka_unit_test(test_rom_fixed),
        cmocka_unit_test(test_revert_flow),
        cmocka_unit_test(test_revert_unmarked),
        cmocka_unit_test(test_xip_powercut),
        cmocka_unit_test(test_ram_load),
        cmocka_unit_test(test_ram_load_checks_the_copy),
        cmocka_unit_test(test_config_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
