/* Trailers with arbitrary contents (as a foreign tool or a broken app might leave them):
 * boot_go() must always come back, with an image to start or DFU_ENOENT, never crash or loop,
 * and a second boot must agree with the first. Seeds are fixed, so the run is the same
 * every time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "fixture.h"

static uint32_t rnd(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* Fills one trailer: magic good/bad/erased, flags 1/junk/erased, some status entries. */
static void scramble(struct fx *f, const struct flash_area *fa, uint32_t entries, uint32_t *x)
{
    struct boot_trailer_layout tl;
    assert_int_equal(boot_trailer_layout_of(fa, entries, &tl), 0);
    uint8_t *m = fx_mem(f, fa);
    uint8_t ev = f->nf.dev.erased_val;
    memset(m + tl.status_off, ev, tl.size);
    uint8_t magic[16];
    boot_magic_bytes(tl.max_align, magic);
    switch (rnd(x) % 3) {
    case 0: memcpy(m + tl.magic_off, magic, 16); break;
    case 1: memcpy(m + tl.magic_off, magic, 16); m[tl.magic_off + rnd(x) % 16] ^= 0x10; break;
    default: break;
    }
    const uint32_t fields[3] = {tl.image_ok_off, tl.copy_done_off, tl.swap_info_off};
    for (int i = 0; i < 3; i++) {
        uint32_t r = rnd(x) % 4;
        m[fields[i]] = r == 0 ? 0x01 : r == 1 ? (uint8_t)rnd(x) : r == 2 ? (uint8_t)(rnd(x) % 5) : ev;
    }
    if (rnd(x) % 2) {
        uint32_t v = rnd(x) % (fa->size + 4096);
        memcpy(m + tl.swap_size_off, &v, 4);
    }
    uint32_t n = rnd(x) % (entries + 1);
    for (uint32_t i = 0; i < n; i++) {
        m[tl.status_off + i * tl.write_align] = (uint8_t)(1 + rnd(x) % 3);
    }
}

static void test_garbage(void **state)
{
    (void)state;
    unsigned long booted = 0, none = 0;
    for (int s = BOOT_STRATEGY_OVERWRITE; s <= BOOT_STRATEGY_SWAP_MOVE; s++) {
        struct fx f;
        fx_open(&f, (enum boot_strategy)s, FX_UNIFORM_4K, 8, 0xff);
        uint32_t la, lb;
        fx_body_sizes((enum boot_strategy)s, FX_UNIFORM_4K, 8, &la, &lb);
        struct fx_image a, b;
        fx_image_make(&a, 1, 0, la, 31, false, 0);
        fx_image_make(&b, 2, 0, lb, 32, false, 0);
        for (uint32_t seed = 1; seed <= 150; seed++) {
            uint32_t x = seed * 0x9e3779b9u;
            fx_program(&f, &f.pri, &a);
            fx_program(&f, &f.sec, &b);
            fx_erase(&f, &f.scr);
            scramble(&f, &f.pri, 384, &x);
            scramble(&f, &f.sec, 384, &x);
            if (rnd(&x) % 2) {
                scramble(&f, &f.scr, 3, &x);
            }
            struct boot_rsp r1, r2;
            int rc1 = boot_go(&f.cfg, &r1);
            if (rc1 != 0 && rc1 != DFU_ENOENT) {
                fail_msg("%s seed %u: boot returned %s", fx_strategy_name(s), seed, dfu_strerror(rc1));
            }
            if (rc1 == 0) {
                booted++;
                /* what it starts is one of the two images, whole */
                assert_true(fx_holds(&f, &f.pri, r1.hdr.ver.major == 1 ? &a : &b));
            } else {
                none++;
            }
            /* the next boot finds a settled state or finishes what the first started */
            int rc2 = boot_go(&f.cfg, &r2);
            assert_true(rc2 == 0 || rc2 == DFU_ENOENT);
        }
        fx_image_free(&a);
        fx_image_free(&b);
        fx_close(&f);
    }
    printf("boot_garbage: %lu boots started an image, %lu found nothing bootable\n", booted, none);
    assert_true(booted > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
