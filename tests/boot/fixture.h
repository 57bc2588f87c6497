/* Test fixture of the bootloader core: an emulated NOR flash with a power-cut wrapper, the
 * slot layouts of the two test geometries, and image building. */
#ifndef BOOT_FIXTURE_H
#define BOOT_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfukit/boot.h"
#include "dfukit/enc.h"
#include "dfukit/simflash.h"
#include "test_files.h"

enum fx_geom {
    FX_UNIFORM_4K,  /* 12 x 4 KiB slots, a 4 KiB scratch */
    FX_STM32F4,     /* 4x16K, 1x64K, 7x128K: mixed primary, 128K secondary and scratch */
};

struct fx {
    struct nor_flash nf;
    struct powercut pc;
    struct flash_area pri, sec, scr;
    struct flash_area sec_img;  /* where an upload goes in sec (boot_image_area()) */
    struct boot_config cfg;
    uint8_t *snap;
    /* fx_open_multi(): image 1's slots (image 0's are pri/sec), and the pairs cfg.images
     * points at */
    struct flash_area pri1, sec1, sec1_img;
    struct boot_image_pair pairs[2];
};

struct fx_image {
    uint8_t *data;
    size_t len;
};

/* Opens the flash for a strategy/geometry/alignment/erased value and fills cfg. */
void fx_open(struct fx *f, enum boot_strategy s, enum fx_geom g, uint32_t align, uint8_t erased);
/* The same for two images (cfg.images, image_count 2): on a larger flash of the geometry's
 * sectors, image 0's slots laid out as fx_open() does and image 1's the same size after them
 * (scratch last), so fx_body_sizes() suits both. */
void fx_open_multi(struct fx *f, enum boot_strategy s, enum fx_geom g, uint32_t align,
                   uint8_t erased);
void fx_close(struct fx *f);
/* What a programming probe does: erase the area, then put the bytes at its start. */
void fx_program(struct fx *f, const struct flash_area *fa, const struct fx_image *img);
/* Erases an area directly (no counters through the boot path). */
void fx_erase(struct fx *f, const struct flash_area *fa);
void fx_snapshot(struct fx *f);
void fx_restore(struct fx *f);
/* True when the area starts with exactly the image's bytes. */
bool fx_holds(struct fx *f, const struct flash_area *fa, const struct fx_image *img);
/* True when [off, off+len) of the area reads erased. */
bool fx_erased(struct fx *f, const struct flash_area *fa, uint32_t off, uint32_t len);
uint8_t *fx_mem(struct fx *f, const struct flash_area *fa);

/* A hash-only image (built with dfu_imgbuild): header 0x200, body of body_len pseudo-random
 * bytes from seed, SHA256 TLV, an optional SEC_CNT. */
void fx_image_make(struct fx_image *img, uint8_t major, uint8_t minor, uint32_t body_len,
                   uint32_t seed, bool has_sec_cnt, uint32_t sec_cnt);
/* The same with a whole version (revision and build number too). */
void fx_image_make_ver(struct fx_image *img, const struct image_version *ver, uint32_t body_len,
                       uint32_t seed, bool has_sec_cnt, uint32_t sec_cnt);
/* The same with DEPENDENCY TLVs (imgtool sign -d "(id,version)"). */
void fx_image_make_deps(struct fx_image *img, const struct image_version *ver, uint32_t body_len,
                        uint32_t seed, const struct image_dependency *deps, size_t dep_count);
/* The same linked for one slot (imgtool sign --rom-fixed ADDR: flag ROM_FIXED, load_addr). */
void fx_image_make_rom_fixed(struct fx_image *img, uint8_t major, uint32_t body_len, uint32_t seed,
                             uint32_t rom_fixed);
/* The same to be loaded into RAM (imgtool sign --load-addr ADDR: flag RAM_LOAD, load_addr),
 * with a SEC_CNT of sec_cnt unless it is 0. */
void fx_image_make_ram_load(struct fx_image *img, uint8_t major, uint32_t body_len, uint32_t seed,
                            uint32_t load_addr, uint32_t sec_cnt);
void fx_image_free(struct fx_image *img);
/* ram-load's RAM region: 64 KiB of an emulated device of its own (1-byte writes, erased 0x00)
 * as boot_config.ram takes it, whose first byte is at FX_RAM_ADDR on the target. */
#define FX_RAM_ADDR 0x20000000u
void fx_ram_open(struct nor_flash *dev, struct flash_area *ram);
/* The same image encrypted as imgtool sign -E does for the exchange key in enc_pem (its public
 * half): *img as it is uploaded, *plain as the bootloader leaves it in the primary slot (the
 * same bytes with the payload decrypted). body_len must be a multiple of 16. */
void fx_image_make_enc(struct fx_image *img, struct fx_image *plain, uint8_t major, uint8_t minor,
                       uint32_t body_len, uint32_t seed, const char *enc_pem);
/* A key-exchange key from a PEM file, as boot_config.enc_key takes it. */
struct fx_enc_key {
    struct enc_exchange_key xk;
    uint8_t *der;
};
void fx_enc_key_load(struct fx_enc_key *k, const char *pem);
void fx_enc_key_free(struct fx_enc_key *k);
/* Body sizes that suit a strategy/geometry: a (older) and b (newer, larger; on the uniform
 * geometry with swap-scratch it reaches into the trailer sector). */
void fx_body_sizes(enum boot_strategy s, enum fx_geom g, uint32_t align, uint32_t *a, uint32_t *b);

const char *fx_strategy_name(enum boot_strategy s);
/* The strategy a test program's argument names (overwrite, scratch, move, offset; anything
 * else is swap-scratch). */
enum boot_strategy fx_strategy_arg(const char *arg);

/* Power-cut tests: boots after a cut until a boot completes, boot(f, rsp) being one boot (0
 * once it completed). Every fourth recovery (after cut n) is cut once more, at an operation
 * chosen from n; returns 1 when that second cut hit, else 0. Fails the test when a recovery
 * boot fails. */
int fx_recover(struct fx *f, unsigned long n, int (*boot)(struct fx *f, void *rsp), void *rsp);
const char *fx_geom_name(enum fx_geom g);

#endif
