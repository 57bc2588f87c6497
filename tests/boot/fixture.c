/* Bootloader test fixture; see fixture.h. */
#include "fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "dfukit/imgbuild.h"
#include "dfukit/keys.h"

static const struct flash_sector_run uniform_runs[] = {{40, 4096}};
static const struct flash_sector_run stm32f4_runs[] = {{4, 16 * 1024}, {1, 64 * 1024}, {7, 128 * 1024}};

static void area(struct flash_area *fa, const struct flash_dev *dev, uint8_t id, uint32_t off,
                 uint32_t size)
{
    fa->dev = dev;
    fa->id = id;
    fa->off = off;
    fa->size = size;
}

/* Two images: more sectors of the same sizes. */
static const struct flash_sector_run uniform2_runs[] = {{49, 4096}};
static const struct flash_sector_run stm32f4_2_runs[] = {{4, 16 * 1024}, {1, 64 * 1024},
                                                         {15, 128 * 1024}};

static void open_flash(struct fx *f, const struct flash_sector_run *runs, size_t run_count,
                       uint32_t align, uint8_t erased)
{
    memset(f, 0, sizeof(*f));
    struct nor_flash_config c = {
        .path = NULL,
        .write_align = align,
        .erased_val = erased,
        .runs = runs,
        .run_count = run_count,
        .timing = NOR_FLASH_TIMING_NRF52840,
    };
    assert_int_equal(nor_flash_open(&f->nf, &c), 0);
    powercut_init(&f->pc, &f->nf.dev);
}

static void finish_open(struct fx *f, enum boot_strategy s)
{
    assert_int_equal(boot_image_area(&f->sec, s, &f->sec_img), 0);
    f->cfg.strategy = s;
    f->cfg.primary = &f->pri;
    f->cfg.secondary = &f->sec;
    f->cfg.scratch = &f->scr;
    f->snap = malloc(f->nf.dev.size);
    assert_non_null(f->snap);
}

void fx_open_multi(struct fx *f, enum boot_strategy s, enum fx_geom g, uint32_t align,
                   uint8_t erased)
{
    if (g == FX_UNIFORM_4K) {
        open_flash(f, uniform2_runs, 1, align, erased);
    } else {
        open_flash(f, stm32f4_2_runs, 3, align, erased);
    }
    const struct flash_dev *d = &f->pc.dev;
    const uint32_t K = 1024;
    uint32_t pri0, size0, sec0, ssize0, pri1, sec1, scr, scr_size;
    if (g == FX_UNIFORM_4K) {
        pri0 = 0, size0 = 48 * K, sec0 = 48 * K, ssize0 = 48 * K, pri1 = 96 * K, sec1 = 144 * K;
        scr = 192 * K, scr_size = 4 * K;
    } else if (s == BOOT_STRATEGY_SWAP_MOVE) {
        pri0 = 128 * K, size0 = 384 * K, sec0 = 512 * K, ssize0 = 256 * K;
        pri1 = 768 * K, sec1 = 1152 * K, scr = 1408 * K, scr_size = 128 * K;
    } else if (s == BOOT_STRATEGY_SWAP_OFFSET) {
        pri0 = 128 * K, size0 = 256 * K, sec0 = 384 * K, ssize0 = 384 * K;
        pri1 = 768 * K, sec1 = 1024 * K, scr = 1408 * K, scr_size = 128 * K;
    } else {
        /* image 0 on the mixed sectors, image 1 on 128K ones */
        pri0 = 0, size0 = 256 * K, sec0 = 256 * K, ssize0 = 256 * K, pri1 = 512 * K;
        sec1 = 768 * K, scr = 1024 * K, scr_size = 128 * K;
    }
    area(&f->pri, d, 1, pri0, size0);
    area(&f->sec, d, 2, sec0, ssize0);
    area(&f->pri1, d, 4, pri1, size0);
    area(&f->sec1, d, 5, sec1, ssize0);
    area(&f->scr, d, 3, scr, scr_size);
    finish_open(f, s);
    assert_int_equal(boot_image_area(&f->sec1, s, &f->sec1_img), 0);
    f->pairs[0].primary = &f->pri;
    f->pairs[0].secondary = &f->sec;
    f->pairs[1].primary = &f->pri1;
    f->pairs[1].secondary = &f->sec1;
    f->cfg.primary = NULL;
    f->cfg.secondary = NULL;
    f->cfg.images = f->pairs;
    f->cfg.image_count = 2;
}

void fx_open(struct fx *f, enum boot_strategy s, enum fx_geom g, uint32_t align, uint8_t erased)
{
    if (g == FX_UNIFORM_4K) {
        open_flash(f, uniform_runs, 1, align, erased);
    } else {
        open_flash(f, stm32f4_runs, 3, align, erased);
    }
    const struct flash_dev *d = &f->pc.dev;
    const uint32_t K = 1024;
    if (g == FX_UNIFORM_4K) {
        area(&f->pri, d, 1, 0, 48 * K);
        area(&f->sec, d, 2, 48 * K, 48 * K);
        area(&f->scr, d, 3, 96 * K, 4 * K);
    } else if (s == BOOT_STRATEGY_SWAP_MOVE) {
        /* equal sectors only: three 128K sectors for the primary, two for the secondary */
        area(&f->pri, d, 1, 128 * K, 384 * K);
        area(&f->sec, d, 2, 512 * K, 256 * K);
        area(&f->scr, d, 3, 768 * K, 128 * K);
    } else if (s == BOOT_STRATEGY_SWAP_OFFSET) {
        /* equal sectors, the secondary one larger (MCUboot's optimal layout): 2 + 3 x 128K */
        area(&f->pri, d, 1, 128 * K, 256 * K);
        area(&f->sec, d, 2, 384 * K, 384 * K);
        area(&f->scr, d, 3, 768 * K, 128 * K);
    } else {
        area(&f->pri, d, 1, 0, 256 * K);    /* 4x16K + 64K + 128K */
        area(&f->sec, d, 2, 256 * K, 256 * K); /* 2x128K */
        area(&f->scr, d, 3, 512 * K, 128 * K);
    }
    finish_open(f, s);
}

void fx_close(struct fx *f)
{
    free(f->snap);
    f->snap = NULL;
    nor_flash_close(&f->nf);
}

uint8_t *fx_mem(struct fx *f, const struct flash_area *fa) { return nor_flash_mem(&f->nf) + fa->off; }

void fx_erase(struct fx *f, const struct flash_area *fa)
{
    memset(fx_mem(f, fa), f->nf.dev.erased_val, fa->size);
}

void fx_program(struct fx *f, const struct flash_area *fa, const struct fx_image *img)
{
    assert_true(img->len <= fa->size);
    fx_erase(f, fa);
    memcpy(fx_mem(f, fa), img->data, img->len);
}

void fx_snapshot(struct fx *f) { memcpy(f->snap, nor_flash_mem(&f->nf), f->nf.dev.size); }

void fx_restore(struct fx *f)
{
    memcpy(nor_flash_mem(&f->nf), f->snap, f->nf.dev.size);
    powercut_power_on(&f->pc);
}

bool fx_holds(struct fx *f, const struct flash_area *fa, const struct fx_image *img)
{
    return memcmp(fx_mem(f, fa), img->data, img->len) == 0;
}

bool fx_erased(struct fx *f, const struct flash_area *fa, uint32_t off, uint32_t len)
{
    const uint8_t *m = fx_mem(f, fa) + off;
    for (uint32_t i = 0; i < len; i++) {
        if (m[i] != f->nf.dev.erased_val) {
            return false;
        }
    }
    return true;
}

/* fx_image_make_ver with an optional exchange key for -E. */
static void image_make_ver(struct fx_image *img, const struct image_version *ver,
                           uint32_t body_len, uint32_t seed, bool has_sec_cnt, uint32_t sec_cnt,
                           const struct keys_key *enc_key, uint8_t **body_out, uint32_t rom_fixed,
                           uint32_t load_addr, const struct image_dependency *deps,
                           size_t dep_count)
{
    uint8_t *body = malloc(body_len);
    assert_non_null(body);
    uint32_t x = seed * 2654435761u + 1;
    for (uint32_t i = 0; i < body_len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        body[i] = (uint8_t)x;
    }
    struct imgbuild_opts o;
    memset(&o, 0, sizeof(o));
    o.version = *ver;
    o.header_size = 0x200;
    o.pad_header = true;
    o.erased_val = 0xff;
    o.has_sec_cnt = has_sec_cnt;
    o.sec_cnt = sec_cnt;
    o.enc_key = enc_key;
    o.has_rom_fixed = rom_fixed != 0;
    o.rom_fixed = rom_fixed;
    o.load_addr = load_addr;
    o.deps = deps;
    o.dep_count = dep_count;
    struct imgbuild b;
    imgbuild_init(&b);
    int rc = imgbuild_load_mem(&b, body, body_len, &o);
    if (rc == 0) {
        rc = imgbuild_create(&b, &o);
    }
    if (rc != 0) {
        fail_msg("imgbuild: %s", b.err);
    }
    img->data = malloc(b.len);
    assert_non_null(img->data);
    memcpy(img->data, b.data, b.len);
    img->len = b.len;
    imgbuild_free(&b);
    if (body_out != NULL) {
        *body_out = body;
    } else {
        free(body);
    }
}

static void image_make(struct fx_image *img, uint8_t major, uint8_t minor, uint32_t body_len,
                       uint32_t seed, bool has_sec_cnt, uint32_t sec_cnt,
                       const struct keys_key *enc_key, uint8_t **body_out)
{
    struct image_version v = {.major = major, .minor = minor};
    image_make_ver(img, &v, body_len, seed, has_sec_cnt, sec_cnt, enc_key, body_out, 0, 0, NULL,
                   0);
}

void fx_image_make_ver(struct fx_image *img, const struct image_version *ver, uint32_t body_len,
                       uint32_t seed, bool has_sec_cnt, uint32_t sec_cnt)
{
    image_make_ver(img, ver, body_len, seed, has_sec_cnt, sec_cnt, NULL, NULL, 0, 0, NULL, 0);
}

void fx_image_make_deps(struct fx_image *img, const struct image_version *ver, uint32_t body_len,
                        uint32_t seed, const struct image_dependency *deps, size_t dep_count)
{
    image_make_ver(img, ver, body_len, seed, false, 0, NULL, NULL, 0, 0, deps, dep_count);
}

void fx_image_make_rom_fixed(struct fx_image *img, uint8_t major, uint32_t body_len, uint32_t seed,
                             uint32_t rom_fixed)
{
    struct image_version v = {.major = major};
    image_make_ver(img, &v, body_len, seed, false, 0, NULL, NULL, rom_fixed, 0, NULL, 0);
}

void fx_image_make_ram_load(struct fx_image *img, uint8_t major, uint32_t body_len, uint32_t seed,
                            uint32_t load_addr, uint32_t sec_cnt)
{
    struct image_version v = {.major = major};
    image_make_ver(img, &v, body_len, seed, sec_cnt != 0, sec_cnt, NULL, NULL, 0, load_addr, NULL,
                   0);
}

void fx_ram_open(struct nor_flash *dev, struct flash_area *ram)
{
    static const struct flash_sector_run runs[] = {{64, 1024}};
    struct nor_flash_config c = {.write_align = 1, .erased_val = 0x00, .runs = runs, .run_count = 1};
    assert_int_equal(nor_flash_open(dev, &c), 0);
    *ram = (struct flash_area){&dev->dev, 0, 64 * 1024, 9};
}

void fx_image_make(struct fx_image *img, uint8_t major, uint8_t minor, uint32_t body_len,
                   uint32_t seed, bool has_sec_cnt, uint32_t sec_cnt)
{
    image_make(img, major, minor, body_len, seed, has_sec_cnt, sec_cnt, NULL, NULL);
}

void fx_image_make_enc(struct fx_image *img, struct fx_image *plain, uint8_t major, uint8_t minor,
                       uint32_t body_len, uint32_t seed, const char *enc_pem)
{
    assert_int_equal(body_len % 16, 0);
    struct keys_key *key = NULL;
    char err[128];
    if (keys_load_pem(&key, enc_pem, err, sizeof err) != 0) {
        fail_msg("%s: %s", enc_pem, err);
    }
    uint8_t *body;
    image_make(img, major, minor, body_len, seed, false, 0, key, &body);
    keys_free(key);
    struct image_header hdr;
    assert_int_equal(image_header_decode(&hdr, img->data), 0);
    assert_int_equal(hdr.img_size, body_len);
    assert_true(hdr.flags & IMAGE_F_ENCRYPTED_AES128);
    assert_memory_not_equal(img->data + hdr.hdr_size, body, 64);
    plain->len = img->len;
    plain->data = malloc(img->len);
    assert_non_null(plain->data);
    memcpy(plain->data, img->data, img->len);
    memcpy(plain->data + hdr.hdr_size, body, body_len);
    free(body);
}

void fx_enc_key_load(struct fx_enc_key *k, const char *pem)
{
    struct keys_key *key = NULL;
    char err[128];
    size_t len;
    if (keys_load_pem(&key, pem, err, sizeof err) != 0) {
        fail_msg("%s: %s", pem, err);
    }
    assert_int_equal(keys_private_der(key, &k->der, &len), 0);
    k->xk.scheme = (enum enc_scheme)keys_enc_tlv(keys_get_type(key));
    k->xk.der = k->der;
    k->xk.len = len;
    keys_free(key);
}

void fx_enc_key_free(struct fx_enc_key *k)
{
    free(k->der);
    k->der = NULL;
}

void fx_image_free(struct fx_image *img)
{
    free(img->data);
    img->data = NULL;
}

void fx_body_sizes(enum boot_strategy s, enum fx_geom g, uint32_t align, uint32_t *a, uint32_t *b)
{
    if (g == FX_STM32F4) {
        *a = 60000;
        *b = s == BOOT_STRATEGY_SWAP_MOVE || s == BOOT_STRATEGY_SWAP_OFFSET ? 100000 : 150000;
        return;
    }
    /* 48 KiB slots; keep the images below the trailer (3 * 128 entries * align + info). */
    uint32_t trailer = boot_trailer_size(align, BOOT_STATUS_STATE_COUNT * BOOT_MAX_IMG_SECTORS);
    uint32_t first_trailer = (48 * 1024 - trailer) / 4096 * 4096;
    uint32_t room = 48 * 1024 - trailer - 0x200 - 64;
    if (s == BOOT_STRATEGY_SWAP_MOVE || s == BOOT_STRATEGY_SWAP_OFFSET) {
        /* one spare sector above the image (swap-offset: below it, the image starting one
         * sector into the secondary), below the trailer sectors */
        room = first_trailer - 4096 - 0x200 - 64;
    } else if (trailer > 4096) {
        /* a trailer larger than a sector cannot travel through a one-sector scratch: keep
         * the image below the trailer sectors */
        room = first_trailer - 0x200 - 64;
    }
    *b = room;
    *a = room * 3 / 4;
}

const char *fx_strategy_name(enum boot_strategy s)
{
    switch (s) {
    case BOOT_STRATEGY_OVERWRITE: return "overwrite";
    case BOOT_STRATEGY_SWAP_SCRATCH: return "swap-scratch";
    case BOOT_STRATEGY_SWAP_OFFSET: return "swap-offset";
    case BOOT_STRATEGY_DIRECT_XIP: return "direct-xip";
    case BOOT_STRATEGY_DIRECT_XIP_REVERT: return "direct-xip-revert";
    case BOOT_STRATEGY_RAM_LOAD: return "ram-load";
    default: return "swap-move";
    }
}

enum boot_strategy fx_strategy_arg(const char *arg)
{
    if (strcmp(arg, "overwrite") == 0) {
        return BOOT_STRATEGY_OVERWRITE;
    }
    if (strcmp(arg, "move") == 0) {
        return BOOT_STRATEGY_SWAP_MOVE;
    }
    return strcmp(arg, "offset") == 0 ? BOOT_STRATEGY_SWAP_OFFSET : BOOT_STRATEGY_SWAP_SCRATCH;
}

int fx_recover(struct fx *f, unsigned long n, int (*boot)(struct fx *f, void *rsp), void *rsp)
{
    int second = 0;
    if (n % 4 == 0) {
        powercut_arm(&f->pc, 1 + (n * 7919u) % 97u);
        int rc = boot(f, rsp);
        if (rc != DFU_EPOWER) {
            powercut_arm(&f->pc, 0);
            assert_int_equal(rc, 0);
            return 0;
        }
        powercut_power_on(&f->pc);
        second = 1;
    }
    int rc = boot(f, rsp);
    if (rc != 0) {
        fail_msg("cut %lu: recovery boot failed: %s", n, dfu_strerror(rc));
    }
    return second;
}

const char *fx_geom_name(enum fx_geom g) { return g == FX_UNIFORM_4K ? "uniform-4K" : "stm32f4"; }
