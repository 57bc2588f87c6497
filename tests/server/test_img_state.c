/* Image state read and write (Zephyr's smp_group_1.rst): the listed flags for every swap type and
 * every refusal of state write, with the trailers left untouched when refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

#include "dfukit/boot.h"
#include "dfukit/err.h"

static uint8_t img0[8192], img1[8192];
static size_t len0, len1;
static uint8_t hash0[32], hash1[32];
static uint8_t snapshot[FX_FLASH];

/* Slot 0 runs 1.2.3, slot 1 holds 1.3.0.7; no trailer written. */
static int setup(void **state)
{
    (void)state;
    fx_setup(8, NULL);
    len0 = fx_make_image(img0, sizeof(img0), 1, 2, 3, 0, 3000, 1, false);
    len1 = fx_make_image(img1, sizeof(img1), 1, 3, 0, 7, 5000, 2, false);
    fx_image_hash(img0, hash0);
    fx_image_hash(img1, hash1);
    fx_put(0, 0, img0, len0);
    fx_put(1, 0, img1, len1);
    return 0;
}

struct listed {
    unsigned count;
    uint64_t slot[2];
    char version[2][32];
    uint8_t hash[2][32];
    bool bootable[2], pending[2], confirmed[2], active[2], permanent[2];
    bool has_split;
};

static void read_state(struct listed *l)
{
    memset(l, 0, sizeof(*l));
    struct smp_cbor_dec d;
    if (!fx_find("images", &d)) {
        fail_msg("no images in the response (rc %d)", fx_rc());
    }
    struct smp_cbor_container c;
    assert_int_equal(smp_cbor_enter_array(&d, &c), 0);
    while (smp_cbor_more(&d, &c) == 1) {
        assert_true(l->count < 2);
        unsigned i = l->count++;
        uint64_t image = 99;
        struct smp_cbor_str ver, hash;
        struct smp_cbor_map_entry k[] = {
            {"image", smp_cbor_dec_uint64, &image, false},
            {"slot", smp_cbor_dec_uint64, &l->slot[i], false},
            {"version", smp_cbor_dec_tstr, &ver, false},
            {"hash", smp_cbor_dec_bstr, &hash, false},
            {"bootable", smp_cbor_dec_bool, &l->bootable[i], false},
            {"pending", smp_cbor_dec_bool, &l->pending[i], false},
            {"confirmed", smp_cbor_dec_bool, &l->confirmed[i], false},
            {"active", smp_cbor_dec_bool, &l->active[i], false},
            {"permanent", smp_cbor_dec_bool, &l->permanent[i], false},
        };
        assert_int_equal(smp_cbor_decode_map(&d, k, 9), 0);
        for (int j = 0; j < 9; j++) {
            assert_true(k[j].found);
        }
        assert_int_equal(image, 0);
        assert_true(ver.len < 32);
        memcpy(l->version[i], ver.ptr, ver.len);
        assert_int_equal(hash.len, 32);
        memcpy(l->hash[i], hash.ptr, 32);
    }
    struct smp_cbor_dec s;
    l->has_split = fx_find("splitStatus", &s);
}

static void state_read(struct listed *l)
{
    fx_send_bytes(SMP_V2, SMP_OP_READ, SMP_GROUP_IMAGE, IMG_ID_STATE, (const uint8_t *)"\xa0", 1);
    read_state(l);
}

/* flags as a string "p c a m" (pending confirmed active permanent) for compact checks */
static const char *flags_of(const struct listed *l, unsigned i)
{
    static char s[2][5];
    s[i][0] = l->pending[i] ? 'p' : '-';
    s[i][1] = l->confirmed[i] ? 'c' : '-';
    s[i][2] = l->active[i] ? 'a' : '-';
    s[i][3] = l->permanent[i] ? 'm' : '-';
    s[i][4] = 0;
    return s[i];
}

static void state_write(uint8_t ver, const uint8_t *hash, size_t hash_len, int confirm)
{
    struct smp_cbor_enc *e = fx_payload();
    smp_cbor_put_map_open(e);
    if (hash != NULL) {
        smp_cbor_put_kv_bstr(e, "hash", hash, hash_len);
    }
    if (confirm >= 0) {
        smp_cbor_put_kv_bool(e, "confirm", confirm != 0);
    }
    smp_cbor_put_end(e);
    fx_send(ver, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ID_STATE);
}

static void take_snapshot(void) { memcpy(snapshot, fx.mem, FX_FLASH); }
static void assert_unchanged(void) { assert_memory_equal(snapshot, fx.mem, FX_FLASH); }

static enum boot_swap_type swap_type(void)
{
    struct boot_swap_state p, s;
    assert_int_equal(boot_read_swap_state(&fx.pri, &p), 0);
    assert_int_equal(boot_read_swap_state(&fx.sec, &s), 0);
    return boot_swap_type_of(&p, &s);
}

static void test_empty_flash(void **state)
{
    (void)state;
    fx_setup(8, NULL);
    fx_send_bytes(SMP_V1, SMP_OP_READ, SMP_GROUP_IMAGE, IMG_ID_STATE, (const uint8_t *)"\xa0", 1);
    const uint8_t want[] = {0xa2, 0x66, 'i', 'm', 'a', 'g', 'e', 's', 0x80, 0x6b, 's', 'p', 'l',
                            'i', 't', 'S', 't', 'a', 't', 'u', 's', 0x00};
    fx_expect_payload(want, sizeof(want));
}

static void test_list_none(void **state)
{
    (void)state;
    struct listed l;
    state_read(&l);
    assert_int_equal(l.count, 2);
    assert_int_equal(l.slot[0], 0);
    assert_int_equal(l.slot[1], 1);
    assert_string_equal(l.version[0], "1.2.3");
    assert_string_equal(l.version[1], "1.3.0.7");
    assert_memory_equal(l.hash[0], hash0, 32);
    assert_memory_equal(l.hash[1], hash1, 32);
    assert_true(l.bootable[0] && l.bootable[1]);
    assert_string_equal(flags_of(&l, 0), "-ca-");
    assert_string_equal(flags_of(&l, 1), "----");
    assert_true(l.has_split);
}

/* Slots without a listable image are skipped: bad magic, no TLV area, non-bootable shown. */
static void test_list_skips_and_flags(void **state)
{
    (void)state;
    /* break the TLV info magic of slot 1 */
    struct image_header h;
    assert_int_equal(image_header_decode(&h, img1), 0);
    fx.mem[FX_SLOT + h.hdr_size + h.img_size] ^= 0xff;
    struct listed l;
    state_read(&l);
    assert_int_equal(l.count, 1);
    assert_int_equal(l.slot[0], 0);
    /* bad header magic in slot 1 */
    fx_put(1, 0, img1, len1);
    fx.mem[FX_SLOT] ^= 1;
    state_read(&l);
    assert_int_equal(l.count, 1);
    /* a non-bootable image */
    len1 = fx_make_image(img1, sizeof(img1), 2, 0, 0, 0, 100, 3, true);
    memset(fx.mem + FX_SLOT, 0xff, FX_SLOT);
    fx_put(1, 0, img1, len1);
    state_read(&l);
    assert_int_equal(l.count, 2);
    assert_false(l.bootable[1]);
    assert_string_equal(l.version[1], "2.0.0");
}

static void test_frugal_list(void **state)
{
    (void)state;
    struct server_config cfg = {.image_frugal_list = true};
    fx_setup(8, &cfg);
    fx_put(0, 0, img0, len0);
    fx_send_bytes(SMP_V2, SMP_OP_READ, SMP_GROUP_IMAGE, IMG_ID_STATE, (const uint8_t *)"\xa0", 1);
    struct smp_cbor_dec d;
    assert_false(fx_find("splitStatus", &d));
    assert_true(fx_find("images", &d));
    struct smp_cbor_container c;
    assert_int_equal(smp_cbor_enter_array(&d, &c), 0);
    assert_int_equal(smp_cbor_more(&d, &c), 1);
    bool b = false;
    struct smp_cbor_map_entry k[] = {{"pending", smp_cbor_dec_bool, &b, false},
                                     {"permanent", smp_cbor_dec_bool, &b, false},
                                     {"active", smp_cbor_dec_bool, &b, false}};
    assert_int_equal(smp_cbor_decode_map(&d, k, 3), 0);
    assert_false(k[0].found);
    assert_false(k[1].found);
    assert_true(k[2].found && b);
}

/* test: no hash, a short hash, an unknown hash, the active image's hash. */
static void test_test_refusals(void **state)
{
    (void)state;
    take_snapshot();
    state_write(SMP_V2, NULL, 0, 0);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_INVALID_HASH);
    state_write(SMP_V2, NULL, 0, -1);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_INVALID_HASH);
    state_write(SMP_V2, hash1, 31, 0);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_INVALID_HASH);
    state_write(SMP_V2, hash1, 31, 1);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_INVALID_HASH);
    uint8_t other[32];
    memset(other, 0x5a, sizeof(other));
    state_write(SMP_V2, other, 32, 0);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_HASH_NOT_FOUND);
    state_write(SMP_V2, hash0, 32, 0);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED);
    state_write(SMP_V1, hash0, 32, 0);
    fx_expect_rc_only(SMP_ERR_EUNKNOWN);
    state_write(SMP_V1, other, 32, 0);
    fx_expect_rc_only(SMP_ERR_EUNKNOWN);
    state_write(SMP_V1, NULL, 0, 0);
    fx_expect_rc_only(SMP_ERR_EINVAL);
    /* wrong types */
    struct smp_cbor_enc *e = fx_payload();
    smp_cbor_put_map(e, 1);
    smp_cbor_put_kv_tstr(e, "hash", "00112233");
    fx_send(SMP_V2, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ID_STATE);
    fx_expect_rc_only(SMP_ERR_EINVAL);
    e = fx_payload();
    smp_cbor_put_map(e, 1);
    smp_cbor_put_kv_uint(e, "confirm", 1);
    fx_send(SMP_V2, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ID_STATE);
    fx_expect_rc_only(SMP_ERR_EINVAL);
    assert_unchanged();
    assert_int_equal(fx.rf.writes, 0);
    assert_int_equal(fx.rf.erases, 0);
}

/* test secondary -> TEST, listed pending; a repeat is a no-op; every other change refused. */
static void test_test_then_refusals(void **state)
{
    (void)state;
    state_write(SMP_V2, hash1, 32, 0);
    assert_int_equal(fx_rc(), 0);
    struct listed l;
    read_state(&l);
    assert_int_equal(l.count, 2);
    assert_string_equal(flags_of(&l, 0), "-ca-");
    assert_string_equal(flags_of(&l, 1), "p---");
    assert_int_equal(swap_type(), BOOT_SWAP_TYPE_TEST);

    take_snapshot();
    uint32_t writes = fx.rf.writes;
    state_write(SMP_V2, hash1, 32, 0);  /* same slot again: OK, nothing written */
    assert_int_equal(fx_rc(), 0);
    read_state(&l);
    assert_string_equal(flags_of(&l, 1), "p---");
    assert_int_equal(fx.rf.writes, writes);
    state_write(SMP_V2, NULL, 0, 1);     /* confirm while a test is pending */
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_IMAGE_ALREADY_PENDING);
    state_write(SMP_V2, hash1, 32, 1);   /* make the test permanent */
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_IMAGE_ALREADY_PENDING);
    state_write(SMP_V2, hash0, 32, 1);   /* confirm the active slot by hash */
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_IMAGE_ALREADY_PENDING);
    state_write(SMP_V1, NULL, 0, 1);
    fx_expect_rc_only(SMP_ERR_EBADSTATE);
    assert_unchanged();
}

/* confirm with the secondary's hash -> PERM (pending + permanent). */
static void test_permanent(void **state)
{
    (void)state;
    state_write(SMP_V2, hash1, 32, 1);
    assert_int_equal(fx_rc(), 0);
    struct listed l;
    read_state(&l);
    assert_string_equal(flags_of(&l, 0), "-ca-");
    assert_string_equal(flags_of(&l, 1), "p--m");
    assert_int_equal(swap_type(), BOOT_SWAP_TYPE_PERM);
    take_snapshot();
    state_write(SMP_V2, hash1, 32, 1);   /* again: nothing to do */
    assert_int_equal(fx_rc(), 0);
    state_write(SMP_V2, hash1, 32, 0);   /* test the slot already scheduled permanently */
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_IMAGE_ALREADY_PENDING);
    state_write(SMP_V2, NULL, 0, 1);     /* confirm the running image */
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_IMAGE_ALREADY_PENDING);
    assert_unchanged();
}

/* Running a test image (REVERT): the old image is the confirmed one; a test is refused; a
 * confirm without hash makes the running image permanent. */
static void test_revert_and_confirm(void **state)
{
    (void)state;
    fx_trailer_magic(0);
    fx_trailer_flag(0, false, true);
    assert_int_equal(swap_type(), BOOT_SWAP_TYPE_REVERT);
    struct listed l;
    state_read(&l);
    assert_string_equal(flags_of(&l, 0), "--a-");
    assert_string_equal(flags_of(&l, 1), "-c--");
    take_snapshot();
    state_write(SMP_V2, hash1, 32, 0);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_IMAGE_ALREADY_PENDING);
    assert_unchanged();
    state_write(SMP_V2, NULL, 0, 1);
    assert_int_equal(fx_rc(), 0);
    read_state(&l);
    assert_string_equal(flags_of(&l, 0), "-ca-");
    assert_string_equal(flags_of(&l, 1), "----");
    assert_int_equal(swap_type(), BOOT_SWAP_TYPE_NONE);
    struct boot_swap_state p;
    assert_int_equal(boot_read_swap_state(&fx.pri, &p), 0);
    assert_int_equal(p.image_ok, BOOT_FLAG_SET);
}

/* Direct-XIP-revert with the application running from slot 1 (server_port.active_slot):
 * slot 1 is listed active under its own number, after slot 0; confirming writes slot 1's
 * image_ok; `image test` of the older slot 0 writes its trailer (Zephyr's boot_set_next())
 * but it is not listed pending: the bootloader starts the higher version. */
static void test_direct_xip_active_slot_1(void **state)
{
    (void)state;
    fx.port.boot.mode = SERVER_BOOT_MODE_DIRECT_XIP_REVERT;
    fx.port.slot_primary = &fx.sec;
    fx.port.slot_secondary = &fx.pri;
    fx.port.active_slot = 1;
    fx_trailer_magic(1);  /* slot 1 ran once on test: magic, copy_done, image_ok unset */
    fx_trailer_flag(1, false, true);
    struct listed l;
    state_read(&l);
    assert_int_equal(l.count, 2);
    assert_int_equal(l.slot[0], 0);
    assert_string_equal(l.version[0], "1.2.3");
    assert_string_equal(flags_of(&l, 0), "-c--");  /* what runs again unless slot 1 confirms */
    assert_int_equal(l.slot[1], 1);
    assert_string_equal(l.version[1], "1.3.0.7");
    assert_string_equal(flags_of(&l, 1), "--a-");
    state_write(SMP_V2, NULL, 0, 1);  /* confirm what runs: slot 1 */
    assert_int_equal(fx_rc(), 0);
    struct boot_swap_state t;
    assert_int_equal(boot_read_swap_state(&fx.sec, &t), 0);
    assert_int_equal(t.image_ok, BOOT_FLAG_SET);
    state_write(SMP_V2, hash0, 32, 0);  /* test slot 0's image */
    assert_int_equal(fx_rc(), 0);
    read_state(&l);
    assert_int_equal(l.slot[0], 0);
    assert_string_equal(flags_of(&l, 0), "----");
    assert_string_equal(flags_of(&l, 1), "-ca-");
    assert_int_equal(boot_read_swap_state(&fx.pri, &t), 0);
    assert_int_equal(t.magic, BOOT_MAGIC_GOOD);
    assert_int_equal(t.swap_type, BOOT_SWAP_TYPE_TEST);
}

/* The flags listed for slots 0 and 1 (NULL: not checked), from a state read sent now (send)
 * or from the response already there (a state write's). */
static void expect_flags(bool send, const char *f0, const char *f1)
{
    struct listed l;
    if (send) {
        state_read(&l);
    } else {
        read_state(&l);
    }
    assert_int_equal(l.count, 2);
    if (f0 != NULL) {
        assert_string_equal(flags_of(&l, 0), f0);
    }
    assert_string_equal(flags_of(&l, 1), f1);
}

/* Plain direct-xip (Zephyr's img_mgmt under CONFIG_MCUBOOT_BOOTLOADER_MODE_DIRECT_XIP), slot 0
 * running 1.2.3, slot 1 holding the higher 1.3.0.7: the bootloader starts slot 1 next whatever
 * the trailers say, so it is listed pending and permanent and the running one confirmed;
 * `test` of slot 1 and `confirm` of the running image are refused, confirming slot 1 is a
 * no-op, and nothing is written. */
static void test_xip_higher_other(void **state)
{
    (void)state;
    fx.port.boot.mode = SERVER_BOOT_MODE_DIRECT_XIP;
    expect_flags(true, "-ca-", "p--m");
    take_snapshot();
    uint32_t writes = fx.rf.writes, erases = fx.rf.erases;
    state_write(SMP_V2, hash1, 32, 0);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_IMAGE_ALREADY_PENDING);
    state_write(SMP_V2, NULL, 0, 1);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_IMAGE_ALREADY_PENDING);
    state_write(SMP_V2, hash0, 32, 0);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED);
    state_write(SMP_V2, hash1, 32, 1);
    assert_int_equal(fx_rc(), 0);
    expect_flags(false, NULL, "p--m");
    assert_unchanged();
    assert_int_equal(fx.rf.writes, writes);
    assert_int_equal(fx.rf.erases, erases);
}

/* Plain direct-xip with an older image in slot 1: nothing pending, the running image
 * confirmed (a confirm writes nothing); `test` of slot 1 writes its trailer as Zephyr's
 * boot_set_next() does (magic, swap_info), which this bootloader ignores: still not pending. */
static void test_xip_older_other(void **state)
{
    (void)state;
    fx.port.boot.mode = SERVER_BOOT_MODE_DIRECT_XIP;
    uint8_t old[8192], hold[32];
    size_t olen = fx_make_image(old, sizeof(old), 1, 1, 0, 0, 4000, 3, false);
    fx_image_hash(old, hold);
    memset(fx.mem + FX_SLOT, 0xff, FX_SLOT);
    fx_put(1, 0, old, olen);
    expect_flags(true, "-ca-", "----");
    take_snapshot();
    state_write(SMP_V2, NULL, 0, 1);
    assert_int_equal(fx_rc(), 0);
    assert_unchanged();
    state_write(SMP_V2, hold, 32, 0);
    assert_int_equal(fx_rc(), 0);
    struct boot_swap_state t;
    assert_int_equal(boot_read_swap_state(&fx.sec, &t), 0);
    assert_int_equal(t.magic, BOOT_MAGIC_GOOD);
    assert_int_equal(t.swap_type, BOOT_SWAP_TYPE_TEST);
    expect_flags(false, "-ca-", "----");
    assert_memory_equal(fx.mem, snapshot, FX_SLOT);  /* the running slot untouched */
}

/* Direct-xip-revert, slot 0 confirmed and slot 1 higher: marked once (test) it is pending,
 * marked for good (confirm) pending and permanent; the running image tried and not
 * confirmed is listed active only, with the other confirmed: what a reset goes back to. */
static void test_xip_revert_next(void **state)
{
    (void)state;
    fx.port.boot.mode = SERVER_BOOT_MODE_DIRECT_XIP_REVERT;
    fx_trailer_magic(0);
    fx_trailer_flag(0, true, true);
    expect_flags(true, "-ca-", "----");  /* not marked: Zephyr lists it idle */
    take_snapshot();
    state_write(SMP_V2, hash1, 32, 0);
    assert_int_equal(fx_rc(), 0);
    expect_flags(false, "-ca-", "p---");
    assert_memory_equal(fx.mem, snapshot, FX_SLOT);
    memcpy(fx.mem, snapshot, FX_FLASH);
    state_write(SMP_V2, hash1, 32, 1);
    assert_int_equal(fx_rc(), 0);
    expect_flags(false, NULL, "p--m");
    struct boot_swap_state t;
    assert_int_equal(boot_read_swap_state(&fx.sec, &t), 0);
    assert_int_equal(t.image_ok, BOOT_FLAG_SET);
    /* slot 0 tried (copy_done) and not confirmed: the next boot reverts to slot 1 */
    memset(fx.mem, 0xff, FX_FLASH);
    fx_put(0, 0, img0, len0);
    fx_put(1, 0, img1, len1);
    fx_trailer_magic(0);
    fx_trailer_flag(0, false, true);
    fx_trailer_magic(1);
    fx_trailer_flag(1, true, true);
    expect_flags(true, "--a-", "-c--");
    state_write(SMP_V2, NULL, 0, 1);
    assert_int_equal(fx_rc(), 0);
    assert_int_equal(boot_read_swap_state(&fx.pri, &t), 0);
    assert_int_equal(t.image_ok, BOOT_FLAG_SET);
    expect_flags(false, "-ca-", "p--m");  /* higher and confirmed: it runs next */
}

/* Confirming what already runs confirmed is a no-op that writes nothing. */
static void test_confirm_noop(void **state)
{
    (void)state;
    take_snapshot();
    state_write(SMP_V2, NULL, 0, 1);
    assert_int_equal(fx_rc(), 0);
    state_write(SMP_V2, hash0, 32, 1);
    assert_int_equal(fx_rc(), 0);
    assert_unchanged();
    assert_int_equal(fx.rf.writes, 0);
}

/* Errors of the bootloader core come back as image-group codes. */
static const struct flash_ops *real_ops;
static int f_read(void *c, uint32_t o, void *b, uint32_t l) { return real_ops->read(c, o, b, l); }
static int f_write(void *c, uint32_t o, const void *b, uint32_t l) { return DFU_EIO; }
static int f_erase(void *c, uint32_t o, uint32_t l) { return real_ops->erase(c, o, l); }
static const struct flash_ops no_writes = {f_read, f_write, f_erase};

static void test_boot_errors(void **state)
{
    (void)state;
    real_ops = fx.rf.dev.ops;
    fx.rf.dev.ops = &no_writes;
    state_write(SMP_V2, hash1, 32, 0);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_FLASH_WRITE_FAILED);
    fx.rf.dev.ops = real_ops;
    /* a corrupt magic in the secondary trailer */
    struct boot_trailer_layout l;
    assert_int_equal(boot_trailer_layout_of(&fx.sec, BOOT_STATUS_STATE_COUNT * BOOT_MAX_IMG_SECTORS, &l), 0);
    const uint8_t junk[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    fx_put(1, l.magic_off, junk, sizeof(junk));
    state_write(SMP_V2, hash1, 32, 0);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_INVALID_IMAGE_HEADER_MAGIC);
    assert_int_not_equal(swap_type(), BOOT_SWAP_TYPE_TEST);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_empty_flash, setup),
        cmocka_unit_test_setup(test_list_none, setup),
        cmocka_unit_test_setup(test_list_skips_and_flags, setup),
        cmocka_unit_test_setup(test_frugal_list, setup),
        cmocka_unit_test_setup(test_test_refusals, setup),
        cmocka_unit_test_setup(test_test_then_refusals, setup),
        cmocka_unit_test_setup(test_permanent, setup),
        cmocka_unit_test_setup(test_revert_and_confirm, setup),
        cmocka_unit_test_setup(test_confirm_noop, setup),
        cmocka_unit_test_setup(test_direct_xip_active_slot_1, setup),
        cmocka_unit_test_setup(test_xip_higher_other, setup),
        cmocka_unit_test_setup(test_xip_older_other, setup),
        cmocka_unit_test_setup(test_xip_revert_next, setup),
        cmocka_unit_test_setup(test_boot_errors, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
