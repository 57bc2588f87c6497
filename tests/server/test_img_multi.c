/* The image group with two image pairs (Zephyr's CONFIG_MCUMGR_GRP_IMG_UPDATABLE_IMAGE_NUMBER 2):
 * image list lists every slot under its image, uploads go to their image's secondary (an image
 * the port has not: NO_FREE_SLOT), each with its own room and "upgrade" check, test/confirm by
 * hash find the image, confirm without a hash and the confirm refusal for another image's
 * running slot, erase by Zephyr's slot number, slot info for every image. Slots 0, 1: image 0;
 * 2, 3: image 1 (fixture.h). */
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

static uint8_t app[8192], net[8192], net_new[8192], up[FX_SLOT];
static size_t app_len, net_len, net_new_len, up_len;
static uint8_t app_hash[32], net_hash[32], net_new_hash[32];
static uint8_t snapshot[FX_FLASH];

/* Image 0 runs 1.2.3; image 1 runs 2.0.0 and holds 2.1.0 in its secondary (slot 3). */
static void setup_with(const struct server_config *cfg)
{
    fx_setup_multi(8, cfg);
    app_len = fx_make_image(app, sizeof(app), 1, 2, 3, 0, 3000, 1, false);
    net_len = fx_make_image(net, sizeof(net), 2, 0, 0, 0, 4000, 2, false);
    net_new_len = fx_make_image(net_new, sizeof(net_new), 2, 1, 0, 0, 4500, 3, false);
    fx_image_hash(app, app_hash);
    fx_image_hash(net, net_hash);
    fx_image_hash(net_new, net_new_hash);
    fx_put(0, 0, app, app_len);
    fx_put(2, 0, net, net_len);
    fx_put(3, 0, net_new, net_new_len);
}

static int setup(void **state)
{
    (void)state;
    setup_with(NULL);
    return 0;
}

static void take_snapshot(void) { memcpy(snapshot, fx.mem, FX_FLASH); }
static void assert_unchanged(void) { assert_memory_equal(snapshot, fx.mem, FX_FLASH); }

/* One entry of "images", its flags as "pcam" letters (pending confirmed active permanent). */
struct entry {
    uint64_t image, slot;
    char version[32];
    uint8_t hash[32];
    char flags[5];
};

static unsigned read_list(struct entry *out, unsigned cap)
{
    struct smp_cbor_dec d;
    if (!fx_find("images", &d)) {
        fail_msg("no images in the response (rc %d)", fx_rc());
    }
    struct smp_cbor_container c;
    assert_int_equal(smp_cbor_enter_array(&d, &c), 0);
    unsigned n = 0;
    while (smp_cbor_more(&d, &c) == 1) {
        assert_true(n < cap);
        struct entry *e = &out[n++];
        memset(e, 0, sizeof(*e));
        struct smp_cbor_str ver, hash;
        bool f[5];
        struct smp_cbor_map_entry k[] = {
            {"image", smp_cbor_dec_uint64, &e->image, false},
            {"slot", smp_cbor_dec_uint64, &e->slot, false},
            {"version", smp_cbor_dec_tstr, &ver, false},
            {"hash", smp_cbor_dec_bstr, &hash, false},
            {"bootable", smp_cbor_dec_bool, &f[4], false},
            {"pending", smp_cbor_dec_bool, &f[0], false},
            {"confirmed", smp_cbor_dec_bool, &f[1], false},
            {"active", smp_cbor_dec_bool, &f[2], false},
            {"permanent", smp_cbor_dec_bool, &f[3], false},
        };
        assert_int_equal(smp_cbor_decode_map(&d, k, 9), 0);
        for (int j = 0; j < 9; j++) {
            assert_true(k[j].found);
        }
        assert_true(ver.len < sizeof(e->version) && hash.len == 32);
        memcpy(e->version, ver.ptr, ver.len);
        memcpy(e->hash, hash.ptr, 32);
        for (int j = 0; j < 4; j++) {
            e->flags[j] = f[j] ? "pcam"[j] : '-';
        }
    }
    return n;
}

static unsigned state_read(struct entry *out, unsigned cap)
{
    fx_send_bytes(SMP_V2, SMP_OP_READ, SMP_GROUP_IMAGE, IMG_ID_STATE, (const uint8_t *)"\xa0", 1);
    return read_list(out, cap);
}

static void state_write(const uint8_t *hash, int confirm)
{
    struct smp_cbor_enc *e = fx_payload();
    smp_cbor_put_map_open(e);
    if (hash != NULL) {
        smp_cbor_put_kv_bstr(e, "hash", hash, 32);
    }
    if (confirm >= 0) {
        smp_cbor_put_kv_bool(e, "confirm", confirm != 0);
    }
    smp_cbor_put_end(e);
    fx_send(SMP_V2, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ID_STATE);
}

static enum boot_swap_type swap_type(const struct flash_area *pri, const struct flash_area *sec)
{
    struct boot_swap_state p, s;
    assert_int_equal(boot_read_swap_state(pri, &p), 0);
    assert_int_equal(boot_read_swap_state(sec, &s), 0);
    return boot_swap_type_of(&p, &s);
}

/* What the next boot does with image 0 and with image 1. */
static void expect_swaps(enum boot_swap_type image0, enum boot_swap_type image1)
{
    assert_int_equal(swap_type(&fx.pri, &fx.sec), image0);
    assert_int_equal(swap_type(&fx.pri1, &fx.sec1), image1);
}

static void test_list_every_image(void **state)
{
    (void)state;
    struct entry l[4];
    assert_int_equal(state_read(l, 4), 3);  /* slot 1 holds nothing: left out */
    assert_int_equal(l[0].image, 0);
    assert_int_equal(l[0].slot, 0);
    assert_string_equal(l[0].version, "1.2.3");
    assert_memory_equal(l[0].hash, app_hash, 32);
    assert_string_equal(l[0].flags, "-ca-");
    assert_int_equal(l[1].image, 1);
    assert_int_equal(l[1].slot, 0);
    assert_string_equal(l[1].version, "2.0.0");
    assert_memory_equal(l[1].hash, net_hash, 32);
    assert_string_equal(l[1].flags, "-ca-");  /* each image's running slot, as Zephyr lists it */
    assert_int_equal(l[2].image, 1);
    assert_int_equal(l[2].slot, 1);
    assert_string_equal(l[2].version, "2.1.0");
    assert_memory_equal(l[2].hash, net_new_hash, 32);
    assert_string_equal(l[2].flags, "----");
    assert_int_equal(fx_uint("splitStatus"), 0);
}

/* Test by hash finds image 1's secondary and marks that pair only; image 0 stays as it was
 * and may still be tested on its own. */
static void test_test_image1_by_hash(void **state)
{
    (void)state;
    state_write(net_new_hash, 0);
    assert_int_equal(fx_rc(), 0);
    struct entry l[4];
    assert_int_equal(read_list(l, 4), 3);
    assert_int_equal(l[2].image, 1);
    assert_int_equal(l[2].slot, 1);
    assert_string_equal(l[2].flags, "p---");
    expect_swaps(BOOT_SWAP_TYPE_NONE, BOOT_SWAP_TYPE_TEST);
    assert_true(fx_slot_blank(1));
    /* testing it again is a no-op; testing the running slot of image 1 is refused */
    state_write(net_new_hash, 0);
    assert_int_equal(fx_rc(), 0);
    take_snapshot();
    state_write(net_hash, 0);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED);
    assert_unchanged();
}

/* Confirm with a hash of image 1's secondary: a permanent upgrade of that image (Zephyr's
 * default allows the secondary of another image). */
static void test_confirm_image1_secondary(void **state)
{
    (void)state;
    state_write(net_new_hash, 1);
    assert_int_equal(fx_rc(), 0);
    expect_swaps(BOOT_SWAP_TYPE_NONE, BOOT_SWAP_TYPE_PERM);
    struct entry l[4];
    assert_int_equal(read_list(l, 4), 3);
    assert_string_equal(l[2].flags, "p--m");
}

/* After image 1's test swap (both primaries unconfirmed: revert pending), a confirm without a
 * hash confirms image 0 only, as Zephyr; image 1's running slot is refused
 * (IMAGE_CONFIRMATION_DENIED) unless the server allows confirming any image. */
static void swapped_unconfirmed(void)
{
    fx_trailer_magic(0);
    fx_trailer_flag(0, false, true);
    fx_trailer_magic(2);
    fx_trailer_flag(2, false, true);
    expect_swaps(BOOT_SWAP_TYPE_REVERT, BOOT_SWAP_TYPE_REVERT);
}

static void test_confirm_without_hash_is_image0(void **state)
{
    (void)state;
    swapped_unconfirmed();
    state_write(NULL, 1);
    assert_int_equal(fx_rc(), 0);
    expect_swaps(BOOT_SWAP_TYPE_NONE, BOOT_SWAP_TYPE_REVERT);
    take_snapshot();
    state_write(net_hash, 1);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_IMAGE_CONFIRMATION_DENIED);
    assert_unchanged();
}

static void test_confirm_any_image(void **state)
{
    (void)state;
    struct server_config cfg = {.image_confirm_any = true};
    setup_with(&cfg);
    swapped_unconfirmed();
    state_write(net_hash, 1);
    assert_int_equal(fx_rc(), 0);
    expect_swaps(BOOT_SWAP_TYPE_REVERT, BOOT_SWAP_TYPE_NONE);
    struct entry l[4];
    assert_int_equal(read_list(l, 4), 3);
    assert_string_equal(l[0].flags, "--a-");  /* image 0 still to be confirmed */
    assert_string_equal(l[1].flags, "-ca-");
}

static void upload_request(uint32_t image, uint64_t len, uint64_t off, const uint8_t *data,
                           size_t n, int upgrade)
{
    fx_upload(SMP_V2, image, len, off, data, n, off == 0, NULL, 0, upgrade);
}

static void make_upload(uint8_t major, uint8_t minor, uint32_t body_len)
{
    up_len = fx_make_image(up, sizeof(up), major, minor, 0, 0, body_len, 7, false);
}

/* An upload with "image": 1 lands in slot 3 (the continuation chunks too, which carry the
 * image as well); slot 1 is not touched. */
static void test_upload_image1(void **state)
{
    (void)state;
    memset(fx.mem + 3 * FX_SLOT, 0xff, FX_SLOT);
    make_upload(2, 2, 9000);
    for (uint32_t off = 0; off < up_len;) {
        size_t n = up_len - off < 300 ? up_len - off : 300;
        upload_request(1, up_len, off, up + off, n, -1);
        assert_int_equal(fx_rc(), 0);
        off += (uint32_t)n;
        assert_int_equal(fx_uint("off"), off);
    }
    assert_memory_equal(fx.mem + 3 * FX_SLOT, up, up_len);
    assert_true(fx_slot_blank(1));
    struct entry l[4];
    assert_int_equal(state_read(l, 4), 3);
    assert_int_equal(l[2].image, 1);
    assert_int_equal(l[2].slot, 1);
    assert_string_equal(l[2].version, "2.2.0");
}

/* "image": 2 with two pairs: NO_FREE_SLOT (9), as Zephyr's upload to an image it has not;
 * nothing written. */
static void test_upload_image2_refused(void **state)
{
    (void)state;
    make_upload(3, 0, 1000);
    take_snapshot();
    upload_request(2, up_len, 0, up, 200, -1);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_NO_FREE_SLOT);
    upload_request(UINT32_MAX, up_len, 0, up, 200, -1);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_NO_FREE_SLOT);
    assert_unchanged();
}

/* Each image's upload room is its own secondary's: a half-size slot 3 refuses an image that
 * image 0's slot takes; slot info reports each room. */
static void test_upload_room_per_image(void **state)
{
    (void)state;
    fx.sec1 = ramflash_area(&fx.rf, 3 * FX_SLOT, FX_SLOT / 2, 4);
    make_upload(2, 2, 40000);
    upload_request(1, up_len, 0, up, 200, -1);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_INVALID_IMAGE_TOO_LARGE);
    upload_request(0, up_len, 0, up, 200, -1);
    assert_int_equal(fx_rc(), 0);
    assert_int_equal(fx_uint("off"), 200);
}

/* "upgrade": true compares with the primary of the image uploaded to: 1.9.0 is newer than
 * image 0's 1.2.3 but not than image 1's 2.0.0. */
static void test_upgrade_compares_that_image(void **state)
{
    (void)state;
    make_upload(1, 9, 1000);
    upload_request(1, up_len, 0, up, 200, 1);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_CURRENT_VERSION_IS_NEWER);
    upload_request(0, up_len, 0, up, 200, 1);
    assert_int_equal(fx_rc(), 0);
    make_upload(2, 0, 1000);  /* equal to image 1's: not newer */
    upload_request(1, up_len, 0, up, 200, 1);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_CURRENT_VERSION_IS_NEWER);
    make_upload(2, 3, 1000);
    upload_request(1, up_len, 0, up, 200, 1);
    assert_int_equal(fx_rc(), 0);
}

static void erase(uint32_t slot)
{
    struct smp_cbor_enc *e = fx_payload();
    smp_cbor_put_map(e, 1);
    smp_cbor_put_kv_uint(e, "slot", slot);
    fx_send(SMP_V2, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ID_ERASE);
}

/* Erase by Zephyr's slot numbers: 3 is image 1's secondary; 2 (its running slot) is refused;
 * 4 does not exist (INVALID_SLOT). */
static void test_erase_image1(void **state)
{
    (void)state;
    fx_put(1, 0, app, app_len);
    erase(3);
    assert_int_equal(fx_rc(), 0);
    assert_true(fx_slot_blank(3));
    assert_memory_equal(fx.mem + FX_SLOT, app, app_len);
    take_snapshot();
    erase(2);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_NO_FREE_SLOT);
    erase(4);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_INVALID_SLOT);
    assert_unchanged();
}

/* A tested image 1 secondary is in use: its erase is refused, image 0's is not. */
static void test_erase_pending_image1_refused(void **state)
{
    (void)state;
    state_write(net_new_hash, 0);
    take_snapshot();
    erase(3);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_NO_FREE_SLOT);
    assert_unchanged();
    fx_put(1, 0, app, app_len);
    erase(1);
    assert_int_equal(fx_rc(), 0);
    assert_true(fx_slot_blank(1));
}

/* Slot info lists both images, each with its slots and room (slot less its 3120-byte
 * trailer: 62416). */
static void test_slot_info_every_image(void **state)
{
    (void)state;
    fx_send_bytes(SMP_V2, SMP_OP_READ, SMP_GROUP_IMAGE, IMG_ID_SLOT_INFO, (const uint8_t *)"\xa0",
                  1);
#define SLOTS_OF(n)                                                                              \
    0xa3, 0x65, 'i', 'm', 'a', 'g', 'e', (n), 0x65, 's', 'l', 'o', 't', 's', 0x82, 0xa2, 0x64,   \
        's', 'l', 'o', 't', 0x00, 0x64, 's', 'i', 'z', 'e', 0x1a, 0x00, 0x01, 0x00, 0x00, 0xa2,  \
        0x64, 's', 'l', 'o', 't', 0x01, 0x64, 's', 'i', 'z', 'e', 0x1a, 0x00, 0x01, 0x00, 0x00,  \
        0x6e, 'm', 'a', 'x', '_', 'i', 'm', 'a', 'g', 'e', '_', 's', 'i', 'z', 'e', 0x19, 0xf3,  \
        0xd0
    const uint8_t want[] = {0xa1, 0x66, 'i', 'm', 'a', 'g', 'e', 's', 0x82, SLOTS_OF(0x00),
                            SLOTS_OF(0x01)};
#undef SLOTS_OF
    fx_expect_payload(want, sizeof(want));
}

/* A pair the port leaves out makes the image commands unsupported, as a missing slot does for
 * a single image. */
static void test_missing_pair(void **state)
{
    (void)state;
    fx.pairs[1].secondary = NULL;
    fx_send_bytes(SMP_V2, SMP_OP_READ, SMP_GROUP_IMAGE, IMG_ID_STATE, (const uint8_t *)"\xa0", 1);
    fx_expect_rc_only(SMP_ERR_ENOTSUP);
    fx_send_bytes(SMP_V2, SMP_OP_READ, SMP_GROUP_IMAGE, IMG_ID_SLOT_INFO, (const uint8_t *)"\xa0",
                  1);
    fx_expect_rc_only(SMP_ERR_ENOTSUP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_list_every_image, setup),
        cmocka_unit_test_setup(test_test_image1_by_hash, setup),
        cmocka_unit_test_setup(test_confirm_image1_secondary, setup),
        cmocka_unit_test_setup(test_confirm_without_hash_is_image0, setup),
        cmocka_unit_test_setup(test_confirm_any_image, setup),
        cmocka_unit_test_setup(test_upload_image1, setup),
        cmocka_unit_test_setup(test_upload_image2_refused, setup),
        cmocka_unit_test_setup(test_upload_room_per_image, setup),
        cmocka_unit_test_setup(test_upgrade_compares_that_image, setup),
        cmocka_unit_test_setup(test_erase_image1, setup),
        cmocka_unit_test_setup(test_erase_pending_image1_refused, setup),
        cmocka_unit_test_setup(test_slot_info_every_image, setup),
        cmocka_unit_test_setup(test_missing_pair, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
