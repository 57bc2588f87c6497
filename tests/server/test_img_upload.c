/* Image upload (2/1/1): a real image in chunks of every shape, the erase at the first chunk
 * and the progressive erase, resume by sha, offset mismatch, each error of the first-chunk
 * checks and of continuation, the room the bootloader leaves, the upgrade version check,
 * match, flash failures, malformed requests that must leave the flash alone, and the upload
 * belonging to its peer (busy, idle takeover, a stale peer's chunk). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

#include "dfukit/boot.h"
#include "dfukit/crypto.h"
#include "dfukit/err.h"

static uint8_t img[FX_SLOT];
static size_t img_len;
static uint8_t sha[32];      /* SHA-256 of the whole file, as clients send */
static uint8_t primary[8192];

static void make_upload_image(uint8_t major, uint8_t minor, uint16_t rev, uint32_t build)
{
    img_len = fx_make_image(img, sizeof(img), major, minor, rev, build, 30000, 9, false);
    assert_int_equal(crypto_hash(CRYPTO_SHA256, img, img_len, sha), 0);
}

static void setup_align(uint32_t align)
{
    fx_setup(align, NULL);
    size_t n = fx_make_image(primary, sizeof(primary), 1, 2, 3, 4, 1000, 1, false);
    fx_put(0, 0, primary, n);
    make_upload_image(1, 3, 0, 0);
}

static int setup(void **state)
{
    (void)state;
    setup_align(8);
    return 0;
}

/* One upload request; first-packet fields only when asked. */
static void chunk(uint8_t ver, uint64_t off, const uint8_t *data, size_t n, bool first,
                  const uint8_t *sha_p, size_t sha_len, int upgrade)
{
    fx_upload(ver, 0, img_len, off, data, n, first, sha_p, sha_len, upgrade);
}

/* Uploads [from, img_len) in chunks of `size`, checking every acknowledged offset. */
static void upload_rest(uint32_t from, size_t size)
{
    for (uint32_t off = from; off < img_len;) {
        size_t n = img_len - off < size ? img_len - off : size;
        chunk(SMP_V2, off, img + off, n, off == 0, sha, 32, -1);
        assert_int_equal(fx_rc(), 0);
        off += (uint32_t)n;
        assert_int_equal(fx_uint("off"), off);
    }
}

static void assert_uploaded(void)
{
    assert_memory_equal(fx.mem + FX_SLOT, img, img_len);
    assert_true(fx_bool("match"));
    assert_false(fx.srv.upload.active);
    /* listed with the image's hash, not pending */
    fx_send_bytes(SMP_V2, SMP_OP_READ, SMP_GROUP_IMAGE, IMG_ID_STATE, (const uint8_t *)"\xa0", 1);
    struct smp_cbor_dec d;
    assert_true(fx_find("images", &d));
    uint8_t h[32];
    fx_image_hash(img, h);
    const uint8_t *found = NULL;
    for (size_t i = 0; i + 32 <= fx.rh.len; i++) {
        if (memcmp(fx.rsp + SMP_HDR_SIZE + i, h, 32) == 0) {
            found = fx.rsp + SMP_HDR_SIZE + i;
        }
    }
    assert_non_null(found);
}

static void test_full_upload_chunk_sizes(void **state)
{
    (void)state;
    static const uint32_t aligns[] = {1, 4, 8, 32};
    static const size_t sizes[] = {354, 512, 97, 1000, 33};
    for (size_t a = 0; a < 4; a++) {
        for (size_t s = 0; s < 5; s++) {
            setup_align(aligns[a]);
            /* the secondary holds old data everywhere, as after a previous image */
            memset(fx.mem + FX_SLOT, 0x00, FX_SLOT);
            upload_rest(0, sizes[s]);
            assert_uploaded();
            /* trailer sectors end up blank: no stale magic */
            struct boot_swap_state st;
            assert_int_equal(boot_read_swap_state(&fx.sec, &st), 0);
            assert_int_equal(st.magic, BOOT_MAGIC_UNSET);
        }
    }
}

/* Zephyr's default: the first chunk erases every sector the image will take, and the
 * trailer's, before it is answered; later chunks erase nothing. */
static void test_erase_at_first_chunk(void **state)
{
    (void)state;
    memset(fx.mem + FX_SLOT, 0x00, FX_SLOT);
    uint32_t sectors = (uint32_t)(img_len + FX_SECTOR - 1) / FX_SECTOR;
    chunk(SMP_V2, 0, img, 500, true, sha, 32, -1);
    assert_int_equal(fx_uint("off"), 500);
    assert_int_equal(fx.rf.erases, sectors + 1);
    assert_int_equal(fx.srv.counters.img_sectors_erased, sectors + 1);
    assert_int_equal(fx.mem[FX_SLOT + sectors * FX_SECTOR - 1], 0xff);   /* last image sector */
    assert_int_equal(fx.mem[FX_SLOT + sectors * FX_SECTOR], 0x00);       /* beyond: untouched */
    assert_int_equal(fx.mem[FX_SLOT + FX_SLOT - 1], 0xff);               /* trailer sector */
    upload_rest(500, 4000);
    assert_uploaded();
    assert_int_equal(fx.rf.erases, sectors + 1);
}

/* Progressive erase: the first chunk erases only what it writes (one sector) plus the
 * trailer sectors. */
static void test_progressive_erase(void **state)
{
    (void)state;
    struct server_config cfg = {.erase_progressively = true};
    fx_setup(8, &cfg);
    fx_put(0, 0, primary, 100);
    memset(fx.mem + FX_SLOT, 0x00, FX_SLOT);
    chunk(SMP_V2, 0, img, 500, true, sha, 32, -1);
    assert_int_equal(fx_uint("off"), 500);
    assert_int_equal(fx.rf.erases, 2);  /* sector 0 and the last sector */
    assert_int_equal(fx.mem[FX_SLOT + FX_SECTOR], 0x00);            /* sector 1 untouched */
    assert_int_equal(fx.mem[FX_SLOT + FX_SLOT - 1], 0xff);          /* trailer sector erased */
    assert_int_equal(fx.mem[FX_SLOT + FX_SLOT - FX_SECTOR - 1], 0x00);
    chunk(SMP_V2, 500, img + 500, 3800, false, NULL, 0, -1);
    assert_int_equal(fx.rf.erases, 3);
    assert_int_equal(fx.mem[FX_SLOT + 2 * FX_SECTOR], 0x00);
    /* a blank trailer is not erased again */
    fx_setup(8, &cfg);
    fx_put(0, 0, primary, 100);
    chunk(SMP_V2, 0, img, 500, true, sha, 32, -1);
    assert_int_equal(fx.rf.erases, 1);
}

static void test_offset_mismatch(void **state)
{
    (void)state;
    chunk(SMP_V2, 0, img, 1000, true, sha, 32, -1);
    uint32_t writes = fx.rf.writes;
    chunk(SMP_V2, 2000, img + 2000, 500, false, NULL, 0, -1);   /* ahead */
    assert_int_equal(fx_rc(), 0);
    assert_int_equal(fx_uint("off"), 1000);
    chunk(SMP_V2, 500, img + 500, 500, false, NULL, 0, -1);     /* repeated */
    assert_int_equal(fx_uint("off"), 1000);
    chunk(SMP_V2, (uint64_t)1 << 40, img, 10, false, NULL, 0, -1);  /* absurd */
    assert_int_equal(fx_uint("off"), 1000);
    assert_int_equal(fx.rf.writes, writes);
    assert_int_equal(fx.mem[FX_SLOT + 1000], 0xff);
    upload_rest(1000, 512);
    assert_uploaded();
    /* no upload in progress: a continuation is told to start at 0 */
    chunk(SMP_V2, 512, img + 512, 512, false, NULL, 0, -1);
    assert_int_equal(fx_uint("off"), 0);
}

/* Resume by sha: the same sha at offset 0 answers the current offset and writes nothing; a
 * truncated sha works too; another sha (or none) starts again. */
static void test_resume(void **state)
{
    (void)state;
    chunk(SMP_V2, 0, img, 1500, true, sha, 32, -1);
    chunk(SMP_V2, 1500, img + 1500, 1500, false, NULL, 0, -1);
    uint32_t writes = fx.rf.writes, erases = fx.rf.erases;
    chunk(SMP_V2, 0, img, 1500, true, sha, 32, -1);
    assert_int_equal(fx_uint("off"), 3000);
    assert_int_equal(fx.rf.writes, writes);
    assert_int_equal(fx.rf.erases, erases);
    upload_rest(3000, 700);
    assert_uploaded();

    /* truncated sha */
    setup_align(8);
    chunk(SMP_V2, 0, img, 1000, true, sha, 8, -1);
    chunk(SMP_V2, 0, img, 1000, true, sha, 8, -1);
    assert_int_equal(fx_uint("off"), 1000);
    /* a different sha restarts */
    uint8_t other[32];
    memset(other, 1, sizeof(other));
    chunk(SMP_V2, 0, img, 200, true, other, 32, -1);
    assert_int_equal(fx_uint("off"), 200);
    /* no sha: restarts too */
    chunk(SMP_V2, 0, img, 300, true, NULL, 0, -1);
    assert_int_equal(fx_uint("off"), 300);
    chunk(SMP_V2, 0, img, 300, true, NULL, 0, -1);
    assert_int_equal(fx_uint("off"), 300);
}

static void expect_upload_err(uint16_t rc)
{
    fx_expect_err(SMP_GROUP_IMAGE, rc);
    assert_false(fx.srv.upload.active);
}

/* First-chunk checks, in Zephyr's order, each with its code; nothing written. */
static void test_first_chunk_errors(void **state)
{
    (void)state;
    struct smp_cbor_enc *e;
    /* no off */
    e = fx_payload();
    smp_cbor_put_map(e, 2);
    smp_cbor_put_kv_uint(e, "len", img_len);
    smp_cbor_put_kv_bstr(e, "data", img, 100);
    fx_send(SMP_V2, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ID_UPLOAD);
    expect_upload_err(IMG_ERR_INVALID_OFFSET);
    /* data shorter than a header */
    chunk(SMP_V2, 0, img, 31, true, sha, 32, -1);
    expect_upload_err(IMG_ERR_INVALID_IMAGE_HEADER);
    /* no len */
    chunk(SMP_V2, 0, img, 100, false, NULL, 0, -1);
    expect_upload_err(IMG_ERR_INVALID_LENGTH);
    /* bad magic */
    uint8_t bad[100];
    memcpy(bad, img, sizeof(bad));
    bad[0] ^= 0xff;
    chunk(SMP_V2, 0, bad, sizeof(bad), true, sha, 32, -1);
    expect_upload_err(IMG_ERR_INVALID_IMAGE_HEADER_MAGIC);
    /* sha longer than 32 */
    uint8_t long_sha[33] = {0};
    chunk(SMP_V2, 0, img, 100, true, long_sha, 33, -1);
    expect_upload_err(IMG_ERR_INVALID_HASH);
    /* image too large for the slot, up to an absurd length */
    size_t real = img_len;
    img_len = FX_SLOT + 1;
    chunk(SMP_V2, 0, img, 100, true, sha, 32, -1);
    expect_upload_err(IMG_ERR_INVALID_IMAGE_TOO_LARGE);
    img_len = UINT64_MAX > SIZE_MAX ? SIZE_MAX : (size_t)UINT64_MAX;
    chunk(SMP_V2, 0, img, 100, true, sha, 32, -1);
    expect_upload_err(IMG_ERR_INVALID_IMAGE_TOO_LARGE);
    /* more data than len */
    img_len = 50;
    chunk(SMP_V2, 0, img, 100, true, sha, 32, -1);
    expect_upload_err(IMG_ERR_INVALID_IMAGE_DATA_OVERRUN);
    img_len = real;
    /* another image number */
    e = fx_payload();
    smp_cbor_put_map(e, 4);
    smp_cbor_put_kv_uint(e, "image", 1);
    smp_cbor_put_kv_uint(e, "len", img_len);
    smp_cbor_put_kv_uint(e, "off", 0);
    smp_cbor_put_kv_bstr(e, "data", img, 100);
    fx_send(SMP_V2, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ID_UPLOAD);
    expect_upload_err(IMG_ERR_NO_FREE_SLOT);
    /* v1 clients get the translated codes */
    chunk(SMP_V1, 0, img, 31, true, sha, 32, -1);
    fx_expect_rc_only(SMP_ERR_EINVAL);
    chunk(SMP_V1, 0, bad, sizeof(bad), true, sha, 32, -1);
    fx_expect_rc_only(SMP_ERR_EUNKNOWN);
    assert_int_equal(fx.rf.writes, 0);
    assert_int_equal(fx.rf.erases, 0);
}

/* A pending (or reverting) secondary is in use: no free slot. */
static void test_no_free_slot(void **state)
{
    (void)state;
    fx_put(1, 0, img, img_len);
    assert_int_equal(boot_set_pending(&fx.sec, false), 0);
    uint32_t writes = fx.rf.writes;
    chunk(SMP_V2, 0, img, 500, true, sha, 32, -1);
    expect_upload_err(IMG_ERR_NO_FREE_SLOT);
    chunk(SMP_V1, 0, img, 500, true, sha, 32, -1);
    fx_expect_rc_only(SMP_ERR_EBADSTATE);
    assert_int_equal(fx.rf.writes, writes);
    /* REVERT: the secondary holds the fallback image */
    setup_align(8);
    fx_trailer_magic(0);
    fx_trailer_flag(0, false, true);
    chunk(SMP_V2, 0, img, 500, true, sha, 32, -1);
    expect_upload_err(IMG_ERR_NO_FREE_SLOT);
}

static void test_continuation_overrun(void **state)
{
    (void)state;
    uint32_t off = 0;
    while (off + 100 + 2000 <= img_len) {
        chunk(SMP_V2, off, img + off, 2000, off == 0, sha, 32, -1);
        off += 2000;
    }
    assert_int_equal(fx_uint("off"), off);
    uint32_t writes = fx.rf.writes;
    size_t n = img_len - off + 1;
    chunk(SMP_V2, off, img + off, n, false, NULL, 0, -1);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_INVALID_IMAGE_DATA_OVERRUN);
    assert_int_equal(fx.rf.writes, writes);
    /* the upload is forgotten: the next continuation is sent back to 0 */
    chunk(SMP_V2, off, img + off, 100, false, NULL, 0, -1);
    assert_int_equal(fx_uint("off"), 0);
}

static void upgrade_case(uint8_t major, uint8_t minor, uint16_t rev, uint32_t build,
                         int want_err)
{
    make_upload_image(major, minor, rev, build);
    chunk(SMP_V2, 0, img, 200, true, sha, 32, 1);
    if (want_err) {
        expect_upload_err((uint16_t)want_err);
    } else {
        assert_int_equal(fx_rc(), 0);
        assert_int_equal(fx_uint("off"), 200);
    }
}

/* upgrade: the new version must be newer than the running 1.2.3(+4). */
static void test_upgrade_check(void **state)
{
    (void)state;
    upgrade_case(1, 2, 3, 0, IMG_ERR_CURRENT_VERSION_IS_NEWER);
    upgrade_case(1, 2, 3, 9, IMG_ERR_CURRENT_VERSION_IS_NEWER);   /* build ignored */
    upgrade_case(1, 2, 2, 0, IMG_ERR_CURRENT_VERSION_IS_NEWER);
    upgrade_case(0, 9, 9, 0, IMG_ERR_CURRENT_VERSION_IS_NEWER);
    upgrade_case(1, 2, 4, 0, 0);
    upgrade_case(2, 0, 0, 0, 0);
    /* with the build number compared */
    fx.port.version_cmp_use_build = true;
    upgrade_case(1, 2, 3, 5, 0);
    upgrade_case(1, 2, 3, 4, IMG_ERR_CURRENT_VERSION_IS_NEWER);
    fx.port.version_cmp_use_build = false;
    /* without upgrade a downgrade is fine */
    make_upload_image(0, 1, 0, 0);
    chunk(SMP_V2, 0, img, 200, true, sha, 32, 0);
    assert_int_equal(fx_uint("off"), 200);
    /* nothing running: the version cannot be read */
    memset(fx.mem, 0xff, FX_SLOT);
    upgrade_case(3, 0, 0, 0, IMG_ERR_VERSION_GET_FAILED);
    chunk(SMP_V1, 0, img, 200, true, sha, 32, 1);
    fx_expect_rc_only(SMP_ERR_EUNKNOWN);
}

/* The same image already in the slot: answered at once with match, nothing written. */
static void test_match_at_start(void **state)
{
    (void)state;
    fx_put(1, 0, img, img_len);
    chunk(SMP_V2, 0, img, 500, true, sha, 32, -1);
    assert_int_equal(fx_uint("off"), img_len);
    assert_true(fx_bool("match"));
    assert_int_equal(fx.rf.writes, 0);
    assert_int_equal(fx.rf.erases, 0);
    assert_false(fx.srv.upload.active);
}

/* A sha that is not the file's, or none: the upload completes with match false. */
static void test_match_false(void **state)
{
    (void)state;
    uint8_t wrong[32];
    memcpy(wrong, sha, 32);
    wrong[31] ^= 1;
    for (uint32_t off = 0; off < img_len; off += 4000) {
        size_t n = img_len - off < 4000 ? img_len - off : 4000;
        chunk(SMP_V2, off, img + off, n, off == 0, wrong, 32, -1);
    }
    assert_int_equal(fx_uint("off"), img_len);
    assert_false(fx_bool("match"));
    setup_align(8);
    for (uint32_t off = 0; off < img_len; off += 4000) {
        size_t n = img_len - off < 4000 ? img_len - off : 4000;
        chunk(SMP_V2, off, img + off, n, off == 0, NULL, 0, -1);
    }
    assert_false(fx_bool("match"));
    assert_memory_equal(fx.mem + FX_SLOT, img, img_len);
    /* image check off: no match key */
    struct server_config cfg = {.no_image_check = true};
    fx_setup(8, &cfg);
    for (uint32_t off = 0; off < img_len; off += 4000) {
        size_t n = img_len - off < 4000 ? img_len - off : 4000;
        chunk(SMP_V2, off, img + off, n, off == 0, sha, 32, -1);
    }
    struct smp_cbor_dec d;
    assert_false(fx_find("match", &d));
    assert_int_equal(fx_uint("off"), img_len);
}

/* Flash failures: a failed write or erase ends the upload with its code. */
static const struct flash_ops *real_ops;
static int fail_writes, fail_erases;
static int f_read(void *c, uint32_t o, void *b, uint32_t l) { return real_ops->read(c, o, b, l); }
static int f_write(void *c, uint32_t o, const void *b, uint32_t l)
{
    return fail_writes ? DFU_EIO : real_ops->write(c, o, b, l);
}
static int f_erase(void *c, uint32_t o, uint32_t l)
{
    return fail_erases ? DFU_EIO : real_ops->erase(c, o, l);
}
static const struct flash_ops failing_ops = {f_read, f_write, f_erase};

static void test_flash_failures(void **state)
{
    (void)state;
    real_ops = fx.rf.dev.ops;
    fx.rf.dev.ops = &failing_ops;
    fail_erases = 1;
    memset(fx.mem + FX_SLOT + FX_SLOT - 16, 0, 16);  /* the trailer needs erasing */
    chunk(SMP_V2, 0, img, 500, true, sha, 32, -1);
    expect_upload_err(IMG_ERR_FLASH_ERASE_FAILED);
    fail_erases = 0;
    fail_writes = 1;
    chunk(SMP_V2, 0, img, 500, true, sha, 32, -1);
    expect_upload_err(IMG_ERR_FLASH_WRITE_FAILED);
    chunk(SMP_V2, 500, img + 500, 500, false, NULL, 0, -1);
    assert_int_equal(fx_uint("off"), 0);
    fail_writes = 0;
    fx.rf.dev.ops = real_ops;
}

/* Malformed requests: decode errors, no flash operation, upload state kept. */
static void test_malformed_no_write(void **state)
{
    (void)state;
    chunk(SMP_V2, 0, img, 1000, true, sha, 32, -1);
    uint32_t writes = fx.rf.writes, erases = fx.rf.erases;
    struct smp_cbor_enc *e = fx_payload();
    smp_cbor_put_map(e, 2);
    smp_cbor_put_kv_uint(e, "off", 1000);
    smp_cbor_put_kv_tstr(e, "data", "text, not bytes");
    fx_send(SMP_V2, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ID_UPLOAD);
    fx_expect_rc_only(SMP_ERR_EINVAL);
    e = fx_payload();
    smp_cbor_put_map(e, 2);
    smp_cbor_put_kv_int(e, "off", -1);
    smp_cbor_put_kv_bstr(e, "data", img, 10);
    fx_send(SMP_V2, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ID_UPLOAD);
    fx_expect_rc_only(SMP_ERR_EINVAL);
    const uint8_t trunc[] = {0xa2, 0x63, 'o', 'f', 'f', 0x19, 0x03, 0xe8, 0x64, 'd', 'a', 't',
                             'a', 0x59, 0x10, 0x00, 0x01, 0x02};
    fx_send_bytes(SMP_V2, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ID_UPLOAD, trunc, sizeof(trunc));
    fx_expect_rc_only(SMP_ERR_EINVAL);
    assert_int_equal(fx.rf.writes, writes);
    assert_int_equal(fx.rf.erases, erases);
    assert_true(fx.srv.upload.active);
    assert_int_equal(fx.srv.upload.off, 1000);
    upload_rest(1000, 2048);
    assert_uploaded();
}

/* An image of exactly the room the bootloader leaves (slot less the 3120-byte trailer),
 * reaching into the trailer sector: erased once, at the start, and the image data written there
 * survives. */
static void test_image_fills_slot(void **state)
{
    (void)state;
    const uint32_t room = FX_SLOT - 3120;
    size_t overhead = fx_make_image(img, sizeof(img), 1, 4, 0, 0, 100, 5, false) - 100;
    img_len = fx_make_image(img, sizeof(img), 1, 4, 0, 0, room - (uint32_t)overhead, 5, false);
    assert_int_equal(img_len, room);
    assert_int_equal(crypto_hash(CRYPTO_SHA256, img, img_len, sha), 0);
    memset(fx.mem + FX_SLOT, 0x00, FX_SLOT);
    upload_rest(0, 1000);
    assert_uploaded();
    assert_int_equal(fx.rf.erases, FX_SLOT / FX_SECTOR);
}

/* One byte more than the room is refused at offset 0 with INVALID_IMAGE_TOO_LARGE (v1: the
 * translated code), nothing erased or written; swap-move leaves one sector less, swap-offset
 * the whole sectors below the trailer, encryption's trailer key fields 32 bytes less. */
static void test_too_large_for_room(void **state)
{
    (void)state;
    memset(fx.mem + FX_SLOT, 0x00, FX_SLOT);
    size_t real = img_len;
    img_len = FX_SLOT - 3120 + 1;
    chunk(SMP_V2, 0, img, 500, true, sha, 32, -1);
    expect_upload_err(IMG_ERR_INVALID_IMAGE_TOO_LARGE);
    chunk(SMP_V1, 0, img, 500, true, sha, 32, -1);
    fx_expect_rc_only(smp_translate_group_err(SMP_GROUP_IMAGE, IMG_ERR_INVALID_IMAGE_TOO_LARGE));
    /* a bootloader with encryption: its trailers' two key fields (16 bytes each) are no room */
    fx.port.boot.enc_trailer = true;
    img_len = FX_SLOT - 3120 - 32 + 1;
    chunk(SMP_V2, 0, img, 500, true, sha, 32, -1);
    expect_upload_err(IMG_ERR_INVALID_IMAGE_TOO_LARGE);
    fx.port.boot.enc_trailer = false;
    fx.port.boot.mode = SERVER_BOOT_MODE_SWAP_MOVE;
    img_len = 14 * FX_SECTOR + 1;
    chunk(SMP_V2, 0, img, 500, true, sha, 32, -1);
    expect_upload_err(IMG_ERR_INVALID_IMAGE_TOO_LARGE);
    img_len = 14 * FX_SECTOR;
    chunk(SMP_V2, 0, img, 500, true, sha, 32, -1);
    assert_int_equal(fx_uint("off"), 500);
    /* swap-offset: the area is the image area; whole sectors below the trailer's (a fresh
     * server: the upload just accepted would be resumed) */
    fx_setup(8, NULL);
    fx.port.boot.mode = SERVER_BOOT_MODE_SWAP_OFFSET;
    img_len = 15 * FX_SECTOR + 1;
    chunk(SMP_V2, 0, img, 500, true, sha, 32, -1);
    expect_upload_err(IMG_ERR_INVALID_IMAGE_TOO_LARGE);
    img_len = 15 * FX_SECTOR;
    chunk(SMP_V2, 0, img, 500, true, sha, 32, -1);
    assert_int_equal(fx_uint("off"), 500);
    fx.port.boot.mode = SERVER_BOOT_MODE_SWAP_SCRATCH;
    img_len = real;
    /* verbose v1 errors name the reason */
    struct server_config cfg = {.verbose_err = true};
    fx_setup(8, &cfg);
    img_len = FX_SLOT;
    chunk(SMP_V1, 0, img, 500, true, sha, 32, -1);
    struct smp_cbor_dec d;
    struct smp_cbor_str rsn;
    assert_true(fx_find("rsn", &d));
    assert_int_equal(smp_cbor_dec_tstr(&d, &rsn), 0);
    assert_int_equal(rsn.len, strlen("image larger than the slot's room"));
    assert_memory_equal(rsn.ptr, "image larger than the slot's room", rsn.len);
    img_len = real;
    assert_int_equal(fx.rf.writes, 0);
}

/* ---- the upload belongs to its peer ---- */

static const uint8_t busy_rsp[] = {0xa1, 0x62, 'r', 'c', 0x0a};   /* {"rc": 10} */

static void expect_busy(void)
{
    fx_expect_payload(busy_rsp, sizeof(busy_rsp));
}

/* Another peer's offset 0 (new upload, truncated or other sha) and its chunk at the expected
 * offset are refused with EBUSY, on v1 and v2, leaving slot and upload as they were; the owner
 * goes on and completes. */
static void test_busy_for_another_peer(void **state)
{
    (void)state;
    struct smp_peer a = fx_peer(SMP_PEER_SERIAL, 0), b = fx_peer(SMP_PEER_UDP, 7);
    fx.peer = a;
    chunk(SMP_V2, 0, img, 1000, true, sha, 32, -1);
    assert_int_equal(fx_uint("off"), 1000);
    uint8_t before[FX_SLOT];
    memcpy(before, fx.mem + FX_SLOT, FX_SLOT);
    uint32_t writes = fx.rf.writes, erases = fx.rf.erases;

    fx.peer = b;
    fx.now_ms = SERVER_IMG_UPLOAD_IDLE_MS - 1;
    chunk(SMP_V2, 0, img, 1000, true, NULL, 0, -1);
    expect_busy();
    chunk(SMP_V1, 0, img, 1000, true, sha, 8, -1);      /* a truncated sha is no proof */
    expect_busy();
    uint8_t other_sha[32];
    memcpy(other_sha, sha, 32);
    other_sha[5] ^= 1;
    chunk(SMP_V2, 0, img, 1000, true, other_sha, 32, -1);
    expect_busy();
    chunk(SMP_V2, 1000, img + 1000, 1000, false, NULL, 0, -1);  /* the expected offset */
    expect_busy();
    fx.peer = fx_peer(SMP_PEER_SERIAL, 1);                /* same link, another address */
    chunk(SMP_V2, 1000, img + 1000, 1000, false, NULL, 0, -1);
    expect_busy();
    fx.peer = (struct smp_peer){0};                       /* the default peer */
    chunk(SMP_V2, 1000, img + 1000, 1000, false, NULL, 0, -1);
    expect_busy();
    assert_memory_equal(fx.mem + FX_SLOT, before, FX_SLOT);
    assert_int_equal(fx.rf.writes, writes);
    assert_int_equal(fx.rf.erases, erases);
    assert_true(fx.srv.upload.active);
    assert_int_equal(fx.srv.upload.off, 1000);

    /* verbose v1 errors name the reason */
    fx.srv.cfg.verbose_err = true;
    chunk(SMP_V1, 1000, img + 1000, 1000, false, NULL, 0, -1);
    struct smp_cbor_dec d;
    struct smp_cbor_str rsn;
    assert_int_equal(fx_rc(), SMP_ERR_EBUSY);
    assert_true(fx_find("rsn", &d));
    assert_int_equal(smp_cbor_dec_tstr(&d, &rsn), 0);
    assert_int_equal(rsn.len, strlen("another peer's upload is in progress"));
    assert_memory_equal(rsn.ptr, "another peer's upload is in progress", rsn.len);
    fx.srv.cfg.verbose_err = false;

    fx.peer = a;
    upload_rest(1000, 3000);
    assert_uploaded();
    /* done: the owner's claim lasts the idle time (test_finished_upload_keeps_claim), then
     * anyone may start the next one */
    fx.peer = b;
    chunk(SMP_V2, 0, img, 700, true, NULL, 0, -1);
    expect_busy();
    fx.now_ms += SERVER_IMG_UPLOAD_IDLE_MS;
    chunk(SMP_V2, 0, img, 700, true, NULL, 0, -1);
    assert_int_equal(fx_uint("off"), 700);
}

/* After SERVER_IMG_UPLOAD_IDLE_MS without a request from its owner, another peer may start
 * its own upload (one ms earlier it may not); the old owner's chunk at exactly the new expected offset is then refused
 * and the slot keeps the new upload's bytes only. */
static void test_takeover_after_idle(void **state)
{
    (void)state;
    struct smp_peer a = fx_peer(SMP_PEER_UDP, 1), b = fx_peer(SMP_PEER_UDP, 2);
    fx.now_ms = 5000;
    fx.peer = a;
    chunk(SMP_V2, 0, img, 1000, true, sha, 32, -1);
    fx.now_ms += 10000;
    chunk(SMP_V2, 1000, img + 1000, 1000, false, NULL, 0, -1);   /* refreshes the owner */
    assert_int_equal(fx_uint("off"), 2000);

    /* B's image: another file of the same length */
    uint8_t other[FX_SLOT];
    size_t other_len = fx_make_image(other, sizeof(other), 1, 3, 0, 0, 30000, 77, false);
    assert_int_equal(other_len, img_len);
    uint8_t other_sha[32];
    assert_int_equal(crypto_hash(CRYPTO_SHA256, other, other_len, other_sha), 0);

    fx.peer = b;
    fx.now_ms += SERVER_IMG_UPLOAD_IDLE_MS - 1;
    chunk(SMP_V2, 0, other, 2000, true, other_sha, 32, -1);
    expect_busy();
    fx.now_ms += 1;
    chunk(SMP_V2, 0, other, 2000, true, other_sha, 32, -1);
    assert_int_equal(fx_rc(), 0);
    assert_int_equal(fx_uint("off"), 2000);
    assert_memory_equal(fx.mem + FX_SLOT, other, 2000);

    /* A's next chunk lands exactly at the offset B's upload expects: still refused */
    static uint8_t before[FX_SLOT];
    memcpy(before, fx.mem + FX_SLOT, FX_SLOT);
    fx.peer = a;
    chunk(SMP_V2, 2000, img + 2000, 1000, false, NULL, 0, -1);
    expect_busy();
    assert_int_equal(fx.srv.upload.off, 2000);
    assert_memory_equal(fx.mem + FX_SLOT, before, FX_SLOT);
    /* and so is its resume by sha, or a new start, while B is active */
    chunk(SMP_V2, 0, img, 1000, true, sha, 32, -1);
    expect_busy();

    fx.peer = b;
    for (uint32_t off = 2000; off < other_len;) {
        size_t n = other_len - off < 3000 ? other_len - off : 3000;
        struct smp_cbor_enc *e = fx_payload();
        smp_cbor_put_map(e, 2);
        smp_cbor_put_kv_uint(e, "off", off);
        smp_cbor_put_kv_bstr(e, "data", other + off, n);
        fx_send(SMP_V2, SMP_OP_WRITE, SMP_GROUP_IMAGE, 1);
        off += (uint32_t)n;
        assert_int_equal(fx_uint("off"), off);
    }
    assert_true(fx_bool("match"));
    assert_memory_equal(fx.mem + FX_SLOT, other, other_len);
}

/* Resume by sha from the owner still works, even once idle; another peer may resume it by
 * the full SHA-256 of the same file at once (a client restarted on a new UDP port), and the
 * old owner is then refused. */
static void test_resume_by_owner_and_by_full_sha(void **state)
{
    (void)state;
    struct smp_peer a = fx_peer(SMP_PEER_UDP, 1), b = fx_peer(SMP_PEER_UDP, 2);
    fx.peer = a;
    chunk(SMP_V2, 0, img, 1500, true, sha, 32, -1);
    fx.now_ms = SERVER_IMG_UPLOAD_IDLE_MS + 10;
    chunk(SMP_V2, 0, img, 1500, true, sha, 32, -1);       /* owner: resumes, even when idle */
    assert_int_equal(fx_uint("off"), 1500);
    chunk(SMP_V2, 1500, img + 1500, 1500, false, NULL, 0, -1);
    assert_int_equal(fx_uint("off"), 3000);
    fx.peer = b;
    fx.now_ms += 1;
    uint32_t writes = fx.rf.writes, erases = fx.rf.erases;
    chunk(SMP_V2, 0, img, 1500, true, sha, 32, -1);
    assert_int_equal(fx_rc(), 0);
    assert_int_equal(fx_uint("off"), 3000);
    assert_int_equal(fx.rf.writes, writes);
    assert_int_equal(fx.rf.erases, erases);
    fx.peer = a;
    chunk(SMP_V2, 3000, img + 3000, 1500, false, NULL, 0, -1);
    expect_busy();
    fx.peer = b;
    upload_rest(3000, 2500);
    assert_uploaded();
}

/* A finished upload keeps its owner's claim for the idle time: another peer's new upload
 * is refused (its client was told nothing yet; the owner was told "match"), the same image by
 * its full SHA-256 is "already there", and after the idle time another image may come. */
static void test_finished_upload_keeps_claim(void **state)
{
    (void)state;
    struct smp_peer a = fx_peer(SMP_PEER_UDP, 1), b = fx_peer(SMP_PEER_SERIAL, 0);
    fx.now_ms = 1000;
    fx.peer = a;
    upload_rest(0, 3000);
    assert_uploaded();

    uint8_t other[FX_SLOT];
    size_t other_len = fx_make_image(other, sizeof(other), 1, 3, 0, 0, 30000, 77, false);
    uint8_t other_sha[32];
    assert_int_equal(crypto_hash(CRYPTO_SHA256, other, other_len, other_sha), 0);
    static uint8_t before[FX_SLOT];
    memcpy(before, fx.mem + FX_SLOT, FX_SLOT);

    fx.peer = b;
    fx.now_ms += SERVER_IMG_UPLOAD_IDLE_MS - 1;
    chunk(SMP_V2, 0, other, 2000, true, other_sha, 32, -1);
    expect_busy();
    assert_memory_equal(fx.mem + FX_SLOT, before, FX_SLOT);
    /* the same file from the other peer: nothing to send, match */
    chunk(SMP_V2, 0, img, 2000, true, sha, 32, -1);
    assert_int_equal(fx_uint("off"), img_len);
    assert_true(fx_bool("match"));
    /* once idle, another image may replace it */
    fx.now_ms += SERVER_IMG_UPLOAD_IDLE_MS;
    chunk(SMP_V2, 0, other, 2000, true, other_sha, 32, -1);
    assert_int_equal(fx_rc(), 0);
    assert_int_equal(fx_uint("off"), 2000);
}

/* A port without a clock keeps no claim once the upload is done (it could never expire). */
static void test_finished_upload_no_clock(void **state)
{
    (void)state;
    fx.port.uptime_ms = NULL;
    fx.peer = fx_peer(SMP_PEER_UDP, 1);
    upload_rest(0, 3000);
    assert_uploaded();
    fx.peer = fx_peer(SMP_PEER_UDP, 2);
    chunk(SMP_V2, 0, img, 1000, true, NULL, 0, -1);
    assert_int_equal(fx_rc(), 0);
    assert_int_equal(fx_uint("off"), 1000);
}

/* A port without a clock: the upload never goes idle, so no other peer takes it over. */
static void test_no_clock_never_idle(void **state)
{
    (void)state;
    fx.port.uptime_ms = NULL;
    fx.peer = fx_peer(SMP_PEER_SERIAL, 0);
    chunk(SMP_V2, 0, img, 1000, true, sha, 32, -1);
    fx.now_ms = UINT32_MAX;
    fx.peer = fx_peer(SMP_PEER_UDP, 9);
    chunk(SMP_V2, 0, img, 1000, true, NULL, 0, -1);
    expect_busy();
    /* an image erase ends it, as it ends any upload */
    struct smp_cbor_enc *e = fx_payload();
    smp_cbor_put_map(e, 0);
    fx_send(SMP_V2, SMP_OP_WRITE, SMP_GROUP_IMAGE, 5);
    assert_int_equal(fx_rc(), 0);
    chunk(SMP_V2, 0, img, 1000, true, NULL, 0, -1);
    assert_int_equal(fx_uint("off"), 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_full_upload_chunk_sizes, setup),
        cmocka_unit_test_setup(test_erase_at_first_chunk, setup),
        cmocka_unit_test_setup(test_progressive_erase, setup),
        cmocka_unit_test_setup(test_offset_mismatch, setup),
        cmocka_unit_test_setup(test_resume, setup),
        cmocka_unit_test_setup(test_first_chunk_errors, setup),
        cmocka_unit_test_setup(test_no_free_slot, setup),
        cmocka_unit_test_setup(test_continuation_overrun, setup),
        cmocka_unit_test_setup(test_upgrade_check, setup),
        cmocka_unit_test_setup(test_match_at_start, setup),
        cmocka_unit_test_setup(test_match_false, setup),
        cmocka_unit_test_setup(test_flash_failures, setup),
        cmocka_unit_test_setup(test_malformed_no_write, setup),
        cmocka_unit_test_setup(test_image_fills_slot, setup),
        cmocka_unit_test_setup(test_too_large_for_room, setup),
        cmocka_unit_test_setup(test_busy_for_another_peer, setup),
        cmocka_unit_test_setup(test_takeover_after_idle, setup),
        cmocka_unit_test_setup(test_resume_by_owner_and_by_full_sha, setup),
        cmocka_unit_test_setup(test_no_clock_never_idle, setup),
        cmocka_unit_test_setup(test_finished_upload_keeps_claim, setup),
        cmocka_unit_test_setup(test_finished_upload_no_clock, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
