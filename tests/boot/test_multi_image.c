/* Multi-image boot (boot_go_multi) with two image pairs, for overwrite-only, swap-scratch,
 * swap-move and swap-offset on a uniform and a mixed-sector layout: image 1 alone tested,
 * reverted, confirmed (image 0's slots untouched); both tested together; one confirmed and
 * the other reverted; dependencies met (both swap), not met (nothing moves, every slot byte
 * for byte as before, reason DEPENDENCY; tried again on the next boot), met by a later
 * upload, a running image's dependency that an upload would break, a revert held back by a
 * confirmed image's dependency, a dependency on an image that does not exist, versions equal
 * / higher / with a build number; the downgrade policy and validation per image; encrypted
 * images; three pairs; and the configurations boot_go_multi() refuses. */
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
    uint32_t la, lb;        /* body sizes: running images, uploads */
    struct fx_image a[2];   /* 1.0.0 in each primary */
    uint8_t *before;        /* the whole flash before a boot */
};

static const struct flash_area *pri_of(struct env *e, int i) { return i ? &e->f.pri1 : &e->f.pri; }
static const struct flash_area *sec_of(struct env *e, int i) { return i ? &e->f.sec1 : &e->f.sec; }
/* where an upload goes (swap-offset: one sector in) */
static const struct flash_area *up_of(struct env *e, int i)
{
    return i ? &e->f.sec1_img : &e->f.sec_img;
}

static struct image_version ver(uint8_t major, uint8_t minor, uint16_t rev, uint32_t build)
{
    struct image_version v = {.major = major, .minor = minor, .revision = rev, .build = build};
    return v;
}

static void env_open(struct env *e, enum boot_strategy s, enum fx_geom g)
{
    memset(e, 0, sizeof *e);
    fx_open_multi(&e->f, s, g, 8, 0xff);
    fx_body_sizes(s, g, 8, &e->la, &e->lb);
    for (int i = 0; i < 2; i++) {
        struct image_version v = ver(1, 0, 0, 0);
        fx_image_make_ver(&e->a[i], &v, e->la, 10 + (uint32_t)i, false, 0);
        fx_program(&e->f, pri_of(e, i), &e->a[i]);
        fx_erase(&e->f, sec_of(e, i));
    }
    fx_erase(&e->f, &e->f.scr);
    e->before = malloc(e->f.nf.dev.size);
    assert_non_null(e->before);
}

static void env_close(struct env *e)
{
    fx_image_free(&e->a[0]);
    fx_image_free(&e->a[1]);
    free(e->before);
    fx_close(&e->f);
}

/* Uploads img as image i's new image and marks it pending (a test unless permanent). */
static void upload(struct env *e, int i, const struct fx_image *img, bool permanent)
{
    fx_erase(&e->f, sec_of(e, i));
    fx_program(&e->f, up_of(e, i), img);
    assert_int_equal(boot_set_pending(up_of(e, i), permanent), 0);
}

static void make(struct env *e, struct fx_image *img, struct image_version v, uint32_t seed,
                 const struct image_dependency *deps, size_t n)
{
    fx_image_make_deps(img, &v, e->lb, seed, deps, n);
}

static bool is_overwrite(struct env *e) { return e->f.cfg.strategy == BOOT_STRATEGY_OVERWRITE; }

static void boot(struct env *e, struct boot_rsp rsp[2])
{
    memcpy(e->before, nor_flash_mem(&e->f.nf), e->f.nf.dev.size);
    int rc = boot_go_multi(&e->f.cfg, rsp, 2);
    if (rc != 0) {
        fail_msg("%s: boot failed: %s", fx_strategy_name(e->f.cfg.strategy), dfu_strerror(rc));
    }
    for (int i = 0; i < 2; i++) {
        assert_ptr_equal(rsp[i].area, pri_of(e, i));
        assert_int_equal(rsp[i].image_off, pri_of(e, i)->off);
    }
}

/* True when image i's two slots read as they did before the last boot(). */
static bool slots_unchanged(struct env *e, int i)
{
    const uint8_t *mem = nor_flash_mem(&e->f.nf);
    const struct flash_area *fa[2] = {pri_of(e, i), sec_of(e, i)};
    for (int k = 0; k < 2; k++) {
        if (memcmp(mem + fa[k]->off, e->before + fa[k]->off, fa[k]->size) != 0) {
            return false;
        }
    }
    return true;
}

/* A boot that moves nothing: both images' slots as they were. */
static void boot_unchanged(struct env *e, struct boot_rsp rsp[2])
{
    boot(e, rsp);
    assert_true(slots_unchanged(e, 0));
    assert_true(slots_unchanged(e, 1));
}

static void expect(const struct boot_rsp *r, uint8_t major, uint8_t minor,
                   enum boot_swap_type done, enum boot_reject why)
{
    assert_int_equal(r->hdr.ver.major, major);
    assert_int_equal(r->hdr.ver.minor, minor);
    assert_int_equal(r->swap_type, done);
    assert_int_equal(r->secondary_reject, why);
}

typedef void (*scenario_fn)(struct env *e);

static void each_layout(scenario_fn fn, bool with_overwrite)
{
    static const enum boot_strategy strategies[] = {
        BOOT_STRATEGY_OVERWRITE, BOOT_STRATEGY_SWAP_SCRATCH, BOOT_STRATEGY_SWAP_MOVE,
        BOOT_STRATEGY_SWAP_OFFSET};
    for (size_t k = 0; k < sizeof strategies / sizeof strategies[0]; k++) {
        if (strategies[k] == BOOT_STRATEGY_OVERWRITE && !with_overwrite) {
            continue;
        }
        for (int g = FX_UNIFORM_4K; g <= FX_STM32F4; g++) {
            struct env e;
            env_open(&e, strategies[k], (enum fx_geom)g);
            fn(&e);
            env_close(&e);
        }
    }
}

/* Image 1 alone: test swap (image 0 untouched, image 1's trailer says image 1), then the
 * revert; again with a confirm. */
static void image1_alone(struct env *e)
{
    struct fx_image b;
    make(e, &b, ver(2, 0, 0, 0), 21, NULL, 0);
    struct boot_rsp rsp[2];
    for (int confirm = 0; confirm < 2; confirm++) {
        upload(e, 1, &b, false);
        boot(e, rsp);
        expect(&rsp[0], 1, 0, BOOT_SWAP_TYPE_NONE, BOOT_REJECT_NONE);
        expect(&rsp[1], 2, 0, BOOT_SWAP_TYPE_TEST, BOOT_REJECT_NONE);
        assert_true(slots_unchanged(e, 0));
        assert_true(fx_holds(&e->f, &e->f.pri1, &b));
        if (is_overwrite(e)) {
            break;  /* nothing to revert to */
        }
        assert_true(fx_holds(&e->f, &e->f.sec1, &e->a[1]));
        struct boot_swap_state st;
        assert_int_equal(boot_read_swap_state(&e->f.pri1, &st), 0);
        assert_int_equal(st.image_num, 1);  /* swap_info's image number nibble */
        assert_int_equal(st.swap_type, BOOT_SWAP_TYPE_TEST);
        if (confirm) {
            assert_int_equal(boot_set_confirmed(&e->f.pri1), 0);
            boot_unchanged(e, rsp);
            expect(&rsp[1], 2, 0, BOOT_SWAP_TYPE_NONE, BOOT_REJECT_NONE);
        } else {
            boot(e, rsp);
            expect(&rsp[0], 1, 0, BOOT_SWAP_TYPE_NONE, BOOT_REJECT_NONE);
            expect(&rsp[1], 1, 0, BOOT_SWAP_TYPE_REVERT, BOOT_REJECT_NONE);
            assert_true(slots_unchanged(e, 0));
            assert_true(fx_holds(&e->f, &e->f.pri1, &e->a[1]));
            assert_true(fx_holds(&e->f, &e->f.sec1_img, &b));
        }
    }
    fx_image_free(&b);
}

static void test_image1_alone(void **state)
{
    (void)state;
    each_layout(image1_alone, true);
}

/* Both tested together; then image 0 confirmed and image 1 not: image 1 reverts alone. */
static void both_tested(struct env *e)
{
    struct fx_image b[2];
    struct boot_rsp rsp[2];
    for (int i = 0; i < 2; i++) {
        make(e, &b[i], ver(2, 0, 0, 0), 20 + (uint32_t)i, NULL, 0);
        upload(e, i, &b[i], false);
    }
    boot(e, rsp);
    for (int i = 0; i < 2; i++) {
        expect(&rsp[i], 2, 0, BOOT_SWAP_TYPE_TEST, BOOT_REJECT_NONE);
        assert_true(fx_holds(&e->f, pri_of(e, i), &b[i]));
    }
    if (!is_overwrite(e)) {
        assert_int_equal(boot_set_confirmed(&e->f.pri), 0);
        boot(e, rsp);
        expect(&rsp[0], 2, 0, BOOT_SWAP_TYPE_NONE, BOOT_REJECT_NONE);
        expect(&rsp[1], 1, 0, BOOT_SWAP_TYPE_REVERT, BOOT_REJECT_NONE);
        assert_true(slots_unchanged(e, 0));
        assert_true(fx_holds(&e->f, &e->f.pri1, &e->a[1]));
    }
    fx_image_free(&b[0]);
    fx_image_free(&b[1]);
}

static void test_both_tested(void **state)
{
    (void)state;
    each_layout(both_tested, true);
}

/* Image 0 needs image 1 >= 1.2.0: met by 1.2.0 and by 1.3.0 (both swap), not by 1.1.0
 * (nothing moves, both pending, again on the next boot), then met by a new upload. */
static void dependency(struct env *e)
{
    const struct image_dependency dep = {1, {1, 2, 0, 0}};
    struct fx_image b0, b1;
    make(e, &b0, ver(2, 0, 0, 0), 20, &dep, 1);
    struct boot_rsp rsp[2];

    make(e, &b1, ver(1, 1, 0, 0), 21, NULL, 0);
    upload(e, 0, &b0, false);
    upload(e, 1, &b1, false);
    for (int again = 0; again < 2; again++) {
        boot_unchanged(e, rsp);
        expect(&rsp[0], 1, 0, BOOT_SWAP_TYPE_NONE, BOOT_REJECT_DEPENDENCY);
        expect(&rsp[1], 1, 0, BOOT_SWAP_TYPE_NONE, BOOT_REJECT_DEPENDENCY);
    }
    fx_image_free(&b1);

    uint8_t minors[2] = {2, 3};  /* equal, higher */
    for (int k = 0; k < 2; k++) {
        make(e, &b1, ver(1, minors[k], 0, 0), 22, NULL, 0);
        upload(e, 1, &b1, true);  /* the new image 1 goes in for good */
        if (k == 1) {
            upload(e, 0, &b0, false);
        }
        boot(e, rsp);
        expect(&rsp[0], 2, 0, BOOT_SWAP_TYPE_TEST, BOOT_REJECT_NONE);
        expect(&rsp[1], 1, minors[k], BOOT_SWAP_TYPE_PERM, BOOT_REJECT_NONE);
        assert_true(fx_holds(&e->f, &e->f.pri, &b0));
        assert_true(fx_holds(&e->f, &e->f.pri1, &b1));
        fx_image_free(&b1);
        if (is_overwrite(e)) {
            break;  /* image 0's test cannot be reverted for the second round */
        }
        assert_int_equal(boot_set_confirmed(&e->f.pri), 0);
    }
    fx_image_free(&b0);
}

static void test_dependency(void **state)
{
    (void)state;
    each_layout(dependency, true);
}

/* A dependency on a build number: 1.2.0+5 is met by 1.2.0+3 unless the build counts. */
static void dependency_build(struct env *e)
{
    const struct image_dependency dep = {1, {1, 2, 0, 5}};
    struct fx_image b0, b1;
    make(e, &b0, ver(2, 0, 0, 0), 20, &dep, 1);
    make(e, &b1, ver(1, 2, 0, 3), 21, NULL, 0);
    struct boot_rsp rsp[2];
    e->f.cfg.downgrade_use_build = true;
    upload(e, 0, &b0, false);
    upload(e, 1, &b1, false);
    boot_unchanged(e, rsp);
    expect(&rsp[0], 1, 0, BOOT_SWAP_TYPE_NONE, BOOT_REJECT_DEPENDENCY);
    e->f.cfg.downgrade_use_build = false;
    boot(e, rsp);
    expect(&rsp[0], 2, 0, BOOT_SWAP_TYPE_TEST, BOOT_REJECT_NONE);
    expect(&rsp[1], 1, 2, BOOT_SWAP_TYPE_TEST, BOOT_REJECT_NONE);
    fx_image_free(&b0);
    fx_image_free(&b1);
}

static void test_dependency_build(void **state)
{
    (void)state;
    each_layout(dependency_build, false);
}

/* Image 1's upload alone would break what the running image 0 needs: it stays out. */
static void dependency_of_primary(struct env *e)
{
    const struct image_dependency dep = {1, {1, 0, 0, 0}};
    struct fx_image a0, b1;
    struct image_version v = ver(1, 0, 0, 0);
    fx_image_make_deps(&a0, &v, e->la, 30, &dep, 1);
    fx_program(&e->f, &e->f.pri, &a0);
    make(e, &b1, ver(0, 9, 0, 0), 21, NULL, 0);
    upload(e, 1, &b1, false);
    struct boot_rsp rsp[2];
    boot_unchanged(e, rsp);
    expect(&rsp[0], 1, 0, BOOT_SWAP_TYPE_NONE, BOOT_REJECT_NONE);
    expect(&rsp[1], 1, 0, BOOT_SWAP_TYPE_NONE, BOOT_REJECT_DEPENDENCY);
    fx_image_free(&a0);
    fx_image_free(&b1);
}

static void test_dependency_of_primary(void **state)
{
    (void)state;
    each_layout(dependency_of_primary, true);
}

/* A chain: image 1's new image needs image 0 >= 3.0, image 0's (2.0) needs image 1 >= 2.0;
 * image 1's not being met cancels image 0's too. Then a pair that needs each other is tested,
 * image 0 confirmed, image 1 not: its revert would break image 0's dependency, so it is held
 * (as MCUboot) until image 1 is confirmed too. */
static void chain_and_held_revert(struct env *e)
{
    const struct image_dependency need1 = {1, {2, 0, 0, 0}};
    const struct image_dependency need0_3 = {0, {3, 0, 0, 0}};
    const struct image_dependency need0_2 = {0, {2, 0, 0, 0}};
    struct fx_image b0, b1;
    make(e, &b0, ver(2, 0, 0, 0), 20, &need1, 1);
    make(e, &b1, ver(2, 0, 0, 0), 21, &need0_3, 1);
    struct boot_rsp rsp[2];
    upload(e, 0, &b0, false);
    upload(e, 1, &b1, false);
    boot_unchanged(e, rsp);
    expect(&rsp[0], 1, 0, BOOT_SWAP_TYPE_NONE, BOOT_REJECT_DEPENDENCY);
    expect(&rsp[1], 1, 0, BOOT_SWAP_TYPE_NONE, BOOT_REJECT_DEPENDENCY);
    fx_image_free(&b1);

    make(e, &b1, ver(2, 0, 0, 0), 22, &need0_2, 1);
    upload(e, 1, &b1, false);
    boot(e, rsp);
    expect(&rsp[0], 2, 0, BOOT_SWAP_TYPE_TEST, BOOT_REJECT_NONE);
    expect(&rsp[1], 2, 0, BOOT_SWAP_TYPE_TEST, BOOT_REJECT_NONE);
    if (!is_overwrite(e)) {
        assert_int_equal(boot_set_confirmed(&e->f.pri), 0);
        boot_unchanged(e, rsp);
        expect(&rsp[0], 2, 0, BOOT_SWAP_TYPE_NONE, BOOT_REJECT_NONE);
        expect(&rsp[1], 2, 0, BOOT_SWAP_TYPE_NONE, BOOT_REJECT_DEPENDENCY);
        assert_int_equal(boot_set_confirmed(&e->f.pri1), 0);
        boot(e, rsp);
        expect(&rsp[1], 2, 0, BOOT_SWAP_TYPE_NONE, BOOT_REJECT_NONE);
        assert_true(slots_unchanged(e, 1));
    }
    fx_image_free(&b0);
    fx_image_free(&b1);
}

static void test_chain_and_held_revert(void **state)
{
    (void)state;
    each_layout(chain_and_held_revert, true);
}

/* A dependency on image 2 (or 9) with two images: refused, nothing moves. */
static void dependency_unknown_image(struct env *e)
{
    for (uint8_t id = 2; id <= 9; id += 7) {
        const struct image_dependency dep = {id, {0, 0, 0, 0}};
        struct fx_image b1;
        make(e, &b1, ver(2, 0, 0, 0), 21, &dep, 1);
        upload(e, 1, &b1, false);
        struct boot_rsp rsp[2];
        boot_unchanged(e, rsp);
        expect(&rsp[1], 1, 0, BOOT_SWAP_TYPE_NONE, BOOT_REJECT_DEPENDENCY);
        fx_image_free(&b1);
    }
}

static void test_dependency_unknown_image(void **state)
{
    (void)state;
    each_layout(dependency_unknown_image, false);
}

/* Per image as boot_go(): image 1's older upload is refused by the version policy (erased,
 * DOWNGRADE) while image 0's newer one goes in; then a corrupt one (HASH), erased too. */
static void per_image_policy(struct env *e)
{
    e->f.cfg.downgrade = BOOT_DOWNGRADE_VERSION;
    struct fx_image b0, b1;
    make(e, &b0, ver(2, 0, 0, 0), 20, NULL, 0);
    make(e, &b1, ver(0, 9, 0, 0), 21, NULL, 0);
    upload(e, 0, &b0, true);
    upload(e, 1, &b1, true);
    struct boot_rsp rsp[2];
    boot(e, rsp);
    expect(&rsp[0], 2, 0, BOOT_SWAP_TYPE_PERM, BOOT_REJECT_NONE);
    expect(&rsp[1], 1, 0, BOOT_SWAP_TYPE_FAIL, BOOT_REJECT_DOWNGRADE);
    assert_true(fx_erased(&e->f, &e->f.sec1, 0, e->f.sec1.size));
    assert_true(fx_holds(&e->f, &e->f.pri1, &e->a[1]));
    fx_image_free(&b1);
    make(e, &b1, ver(3, 0, 0, 0), 22, NULL, 0);
    upload(e, 1, &b1, false);
    fx_mem(&e->f, up_of(e, 1))[0x400] ^= 0x01;
    boot(e, rsp);
    expect(&rsp[0], 2, 0, BOOT_SWAP_TYPE_NONE, BOOT_REJECT_NONE);
    expect(&rsp[1], 1, 0, BOOT_SWAP_TYPE_FAIL, BOOT_REJECT_HASH);
    assert_true(fx_erased(&e->f, &e->f.sec1, 0, e->f.sec1.size));
    assert_true(slots_unchanged(e, 0));
    fx_image_free(&b0);
    fx_image_free(&b1);
}

static void test_per_image_policy(void **state)
{
    (void)state;
    each_layout(per_image_policy, true);
}

/* Both images encrypted (imgtool -E): each is decrypted into its primary with its own key,
 * and both revert (the new ones going back encrypted). swap-offset does not decrypt. */
#define ENC_PEM DFU_VECTORS_DIR "/imgtool/enckey-ecdsa-p256.pem"
static void encrypted(struct env *e)
{
    if (e->f.cfg.strategy == BOOT_STRATEGY_SWAP_OFFSET) {
        return;
    }
    struct fx_enc_key key;
    fx_enc_key_load(&key, ENC_PEM);
    e->f.cfg.enc_key = &key.xk;
    struct fx_image up[2], plain[2];
    struct boot_rsp rsp[2];
    for (int i = 0; i < 2; i++) {
        fx_image_make_enc(&up[i], &plain[i], 2, 0, (e->lb - 256) / 16 * 16, 40 + (uint32_t)i,
                          ENC_PEM);
        upload(e, i, &up[i], false);
    }
    boot(e, rsp);
    for (int i = 0; i < 2; i++) {
        expect(&rsp[i], 2, 0, BOOT_SWAP_TYPE_TEST, BOOT_REJECT_NONE);
        assert_true(fx_holds(&e->f, pri_of(e, i), &plain[i]));
    }
    boot(e, rsp);
    for (int i = 0; i < 2; i++) {
        expect(&rsp[i], 1, 0, BOOT_SWAP_TYPE_REVERT, BOOT_REJECT_NONE);
        assert_true(fx_holds(&e->f, pri_of(e, i), &e->a[i]));
        assert_true(fx_holds(&e->f, up_of(e, i), &up[i]));
        fx_image_free(&up[i]);
        fx_image_free(&plain[i]);
    }
    fx_enc_key_free(&key);
}

static void test_encrypted(void **state)
{
    (void)state;
    each_layout(encrypted, false);
}

/* swap-move: image 1's upload reaches into the sector the move needs free, so it cannot swap
 * (TOO_LARGE, found before the dependency check); image 0's, which needs it, stays out too. */
static void test_too_large_before_dependency(void **state)
{
    (void)state;
    struct env e;
    env_open(&e, BOOT_STRATEGY_SWAP_MOVE, FX_UNIFORM_4K);
    const struct image_dependency dep = {1, {2, 0, 0, 0}};
    struct fx_image b0, b1;
    make(&e, &b0, ver(2, 0, 0, 0), 20, &dep, 1);
    struct image_version v2 = ver(2, 0, 0, 0);
    fx_image_make_deps(&b1, &v2, e.lb + 4096, 21, NULL, 0);
    upload(&e, 0, &b0, false);
    upload(&e, 1, &b1, false);
    struct boot_rsp rsp[2];
    boot_unchanged(&e, rsp);
    expect(&rsp[0], 1, 0, BOOT_SWAP_TYPE_NONE, BOOT_REJECT_DEPENDENCY);
    expect(&rsp[1], 1, 0, BOOT_SWAP_TYPE_FAIL, BOOT_REJECT_TOO_LARGE);
    fx_image_free(&b0);
    fx_image_free(&b1);
    env_close(&e);
}

/* Three pairs of 16 KiB slots (swap-scratch, one shared scratch): images 0 and 2 swap together
 * (image 2 needs image 0 >= 2.0), image 1 untouched; image 2's trailer records image number
 * 2; an upload of image 2 needing image 1 >= 5.0 moves nothing. */
static void test_three_images(void **state)
{
    (void)state;
    struct env e;
    env_open(&e, BOOT_STRATEGY_SWAP_SCRATCH, FX_UNIFORM_4K);
    const uint32_t K = 1024;
    struct flash_area slot[6];
    struct boot_image_pair pairs[3];
    struct fx_image a[3];
    const struct image_version v1 = ver(1, 0, 0, 0);
    for (int i = 0; i < 6; i++) {
        slot[i] = e.f.pri;
        slot[i].id = (uint8_t)(10 + i);
        slot[i].off = (uint32_t)i * 16 * K;
        slot[i].size = 16 * K;
    }
    for (int i = 0; i < 3; i++) {
        pairs[i].primary = &slot[2 * i];
        pairs[i].secondary = &slot[2 * i + 1];
        fx_image_make_ver(&a[i], &v1, 6000, 50 + (uint32_t)i, false, 0);
        fx_program(&e.f, pairs[i].primary, &a[i]);
        fx_erase(&e.f, pairs[i].secondary);
    }
    e.f.cfg.images = pairs;
    e.f.cfg.image_count = 3;
    const struct image_dependency need0 = {0, {2, 0, 0, 0}}, need1 = {1, {5, 0, 0, 0}};
    struct fx_image b0, b2;
    struct image_version v2 = ver(2, 0, 0, 0);
    fx_image_make_deps(&b0, &v2, 7000, 60, NULL, 0);
    fx_image_make_deps(&b2, &v2, 7000, 62, &need0, 1);
    const struct flash_area *up[2] = {pairs[0].secondary, pairs[2].secondary};
    const struct fx_image *img[2] = {&b0, &b2};
    for (int k = 0; k < 2; k++) {
        fx_program(&e.f, up[k], img[k]);
        assert_int_equal(boot_set_pending(up[k], false), 0);
    }
    struct boot_rsp rsp[3];
    uint8_t *before = malloc(slot[3].off + slot[3].size);
    assert_non_null(before);
    memcpy(before, nor_flash_mem(&e.f.nf), slot[3].off + slot[3].size);
    assert_int_equal(boot_go_multi(&e.f.cfg, rsp, 3), 0);
    expect(&rsp[0], 2, 0, BOOT_SWAP_TYPE_TEST, BOOT_REJECT_NONE);
    expect(&rsp[1], 1, 0, BOOT_SWAP_TYPE_NONE, BOOT_REJECT_NONE);
    expect(&rsp[2], 2, 0, BOOT_SWAP_TYPE_TEST, BOOT_REJECT_NONE);
    assert_memory_equal(nor_flash_mem(&e.f.nf) + slot[2].off, before + slot[2].off, 32 * K);
    assert_true(fx_holds(&e.f, pairs[2].primary, &b2));
    struct boot_swap_state st;
    assert_int_equal(boot_read_swap_state(pairs[2].primary, &st), 0);
    assert_int_equal(st.image_num, 2);
    assert_int_equal(boot_set_confirmed(pairs[0].primary), 0);
    assert_int_equal(boot_set_confirmed(pairs[2].primary), 0);
    fx_image_free(&b2);
    fx_image_make_deps(&b2, &v2, 7000, 63, &need1, 1);
    fx_erase(&e.f, pairs[2].secondary);
    fx_program(&e.f, pairs[2].secondary, &b2);
    assert_int_equal(boot_set_pending(pairs[2].secondary, false), 0);
    memcpy(e.before, nor_flash_mem(&e.f.nf), e.f.nf.dev.size);
    assert_int_equal(boot_go_multi(&e.f.cfg, rsp, 3), 0);
    expect(&rsp[2], 2, 0, BOOT_SWAP_TYPE_NONE, BOOT_REJECT_DEPENDENCY);
    assert_memory_equal(nor_flash_mem(&e.f.nf), e.before, e.f.nf.dev.size);
    free(before);
    fx_image_free(&b0);
    fx_image_free(&b2);
    for (int i = 0; i < 3; i++) {
        fx_image_free(&a[i]);
    }
    env_close(&e);
}

static void test_config(void **state)
{
    (void)state;
    struct env e;
    env_open(&e, BOOT_STRATEGY_SWAP_SCRATCH, FX_UNIFORM_4K);
    struct boot_rsp rsp[3];
    struct boot_config c = e.f.cfg;
    memcpy(e.before, nor_flash_mem(&e.f.nf), e.f.nf.dev.size);
    assert_int_equal(boot_go(&c, rsp), DFU_EINVAL);          /* multi-image: boot_go_multi */
    assert_int_equal(boot_go_multi(&c, rsp, 1), DFU_EINVAL);  /* count is not image_count */
    assert_int_equal(boot_go_multi(&c, rsp, 3), DFU_EINVAL);
    assert_int_equal(boot_go_multi(NULL, rsp, 2), DFU_EINVAL);
    assert_int_equal(boot_go_multi(&c, NULL, 2), DFU_EINVAL);
    c.image_count = BOOT_IMAGE_NUMBER + 1;
    assert_int_equal(boot_go_multi(&c, rsp, c.image_count), DFU_EINVAL);
    c = e.f.cfg;
    c.image_count = 1;
    assert_int_equal(boot_go_multi(&c, rsp, 1), DFU_EINVAL);
    c = e.f.cfg;
    c.primary = &e.f.pri;
    assert_int_equal(boot_go_multi(&c, rsp, 2), DFU_EINVAL);
    c = e.f.cfg;
    c.strategy = BOOT_STRATEGY_DIRECT_XIP;
    assert_int_equal(boot_go_multi(&c, rsp, 2), DFU_EINVAL);
    struct boot_sec_cnt_port port = {NULL, NULL, NULL};
    c = e.f.cfg;
    c.downgrade = BOOT_DOWNGRADE_SECURITY_COUNTER;
    c.sec_cnt = &port;
    assert_int_equal(boot_go_multi(&c, rsp, 2), DFU_EINVAL);
    c = e.f.cfg;
    struct boot_image_pair pairs[2] = {{&e.f.pri, &e.f.sec}, {&e.f.pri1, NULL}};
    c.images = pairs;
    assert_int_equal(boot_go_multi(&c, rsp, 2), DFU_EINVAL);
    assert_true(slots_unchanged(&e, 0));  /* nothing written by any of these */
    assert_true(slots_unchanged(&e, 1));
    /* A single-image config is boot_go() with one rsp. */
    c = e.f.cfg;
    c.images = NULL;
    c.image_count = 0;
    c.primary = &e.f.pri1;
    c.secondary = &e.f.sec1;
    assert_int_equal(boot_go_multi(&c, rsp, 1), 0);
    assert_ptr_equal(rsp[0].area, &e.f.pri1);
    assert_int_equal(boot_go_multi(&c, rsp, 2), DFU_EINVAL);
    /* Nothing bootable in image 1: DFU_ENOENT, image 0's rsp filled, image 1's says why. */
    fx_erase(&e.f, &e.f.pri1);
    assert_int_equal(boot_go_multi(&e.f.cfg, rsp, 2), DFU_ENOENT);
    assert_int_equal(rsp[0].hdr.ver.major, 1);
    assert_ptr_equal(rsp[0].area, &e.f.pri);
    assert_int_equal(rsp[1].primary_reject, BOOT_REJECT_NO_IMAGE);
    assert_string_equal(boot_reject_str(BOOT_REJECT_DEPENDENCY),
                        "dependency not met (image version it needs)");
    env_close(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image1_alone),
        cmocka_unit_test(test_both_tested),
        cmocka_unit_test(test_dependency),
        cmocka_unit_test(test_dependency_build),
        cmocka_unit_test(test_dependency_of_primary),
        cmocka_unit_test(test_chain_and_held_revert),
        cmocka_unit_test(test_dependency_unknown_image),
        cmocka_unit_test(test_per_image_policy),
        cmocka_unit_test(test_encrypted),
        cmocka_unit_test(test_too_large_before_dependency),
        cmocka_unit_test(test_three_images),
        cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
