/* Image erase (2/1/5) and slot info (0/1/6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

#include "dfukit/boot.h"
#include "dfukit/err.h"

static uint8_t img0[4096], img1[4096];
static size_t len0, len1;

static int setup(void **state)
{
    (void)state;
    fx_setup(8, NULL);
    len0 = fx_make_image(img0, sizeof(img0), 1, 0, 0, 0, 1000, 1, false);
    len1 = fx_make_image(img1, sizeof(img1), 1, 1, 0, 0, 1000, 2, false);
    fx_put(0, 0, img0, len0);
    fx_put(1, 0, img1, len1);
    return 0;
}

static void erase(uint8_t ver, int slot)
{
    struct smp_cbor_enc *e = fx_payload();
    smp_cbor_put_map(e, slot >= 0 ? 1 : 0);
    if (slot >= 0) {
        smp_cbor_put_kv_uint(e, "slot", (uint64_t)slot);
    }
    fx_send(ver, SMP_OP_WRITE, SMP_GROUP_IMAGE, 5);
}

static void test_erase_default_slot(void **state)
{
    (void)state;
    erase(SMP_V2, -1);
    fx_expect_payload((const uint8_t *)"\xa0", 1);
    assert_true(fx_slot_blank(1));
    assert_memory_equal(fx.mem, img0, len0);
    uint32_t erases = fx.rf.erases;
    erase(SMP_V2, 1);  /* already blank: no erase */
    assert_int_equal(fx_rc(), 0);
    assert_int_equal(fx.rf.erases, erases);
}

/* Garbage that is no image is erased even when the trailer says pending. */
static void test_erase_garbage(void **state)
{
    (void)state;
    memset(fx.mem + FX_SLOT, 0x12, 200);
    fx_trailer_magic(1);
    erase(SMP_V2, 1);
    assert_int_equal(fx_rc(), 0);
    assert_true(fx_slot_blank(1));
}

static void test_erase_refused(void **state)
{
    (void)state;
    erase(SMP_V2, 0);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_NO_FREE_SLOT);
    erase(SMP_V1, 0);
    fx_expect_rc_only(SMP_ERR_EBADSTATE);
    assert_int_equal(boot_set_pending(&fx.sec, false), 0);
    uint32_t erases = fx.rf.erases;
    erase(SMP_V2, 1);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_NO_FREE_SLOT);
    erase(SMP_V2, 2);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_INVALID_SLOT);
    erase(SMP_V1, 7);
    fx_expect_rc_only(SMP_ERR_EINVAL);
    struct smp_cbor_enc *e = fx_payload();
    smp_cbor_put_map(e, 1);
    smp_cbor_put_kv_tstr(e, "slot", "1");
    fx_send(SMP_V2, SMP_OP_WRITE, SMP_GROUP_IMAGE, 5);
    fx_expect_rc_only(SMP_ERR_EINVAL);
    assert_int_equal(fx.rf.erases, erases);
    assert_memory_equal(fx.mem + FX_SLOT, img1, len1);
}

/* Plain direct-xip, as Zephyr: only the running slot is in use, so the other one is erased
 * even while listed pending (a higher version) and marked in its trailer; slot 0 never. */
static void test_erase_direct_xip(void **state)
{
    (void)state;
    fx.port.boot.mode = SERVER_BOOT_MODE_DIRECT_XIP;
    assert_int_equal(boot_set_pending(&fx.sec, false), 0);
    erase(SMP_V2, 0);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_NO_FREE_SLOT);
    erase(SMP_V2, 1);
    assert_int_equal(fx_rc(), 0);
    assert_true(fx_slot_blank(1));
    assert_memory_equal(fx.mem, img0, len0);
}

/* Erase forgets a half-done upload. */
static void test_erase_resets_upload(void **state)
{
    (void)state;
    memset(fx.mem + FX_SLOT, 0xff, FX_SLOT);
    struct smp_cbor_enc *e = fx_payload();
    smp_cbor_put_map(e, 3);
    smp_cbor_put_kv_uint(e, "len", len1);
    smp_cbor_put_kv_uint(e, "off", 0);
    smp_cbor_put_kv_bstr(e, "data", img1, 500);
    fx_send(SMP_V2, SMP_OP_WRITE, SMP_GROUP_IMAGE, 1);
    assert_int_equal(fx_uint("off"), 500);
    erase(SMP_V2, 1);
    assert_int_equal(fx_rc(), 0);
    assert_true(fx_slot_blank(1));
    e = fx_payload();
    smp_cbor_put_map(e, 2);
    smp_cbor_put_kv_uint(e, "off", 500);
    smp_cbor_put_kv_bstr(e, "data", img1 + 500, 100);
    fx_send(SMP_V2, SMP_OP_WRITE, SMP_GROUP_IMAGE, 1);
    assert_int_equal(fx_uint("off"), 0);
}

static void test_slot_info(void **state)
{
    (void)state;
    fx_send_bytes(SMP_V2, SMP_OP_READ, SMP_GROUP_IMAGE, IMG_ID_SLOT_INFO, (const uint8_t *)"\xa0", 1);
    /* {"images":[{"image":0,"slots":[{"slot":0,"size":65536},{"slot":1,"size":65536}],
     *   "max_image_size":62416}]}: the slot less its 3120-byte trailer (write alignment 8,
     * 3 x 128 status entries + 4 fields + magic) */
    uint8_t want[] = {
        0xa1, 0x66, 'i', 'm', 'a', 'g', 'e', 's', 0x81, 0xa3, 0x65, 'i', 'm', 'a', 'g', 'e', 0x00,
        0x65, 's', 'l', 'o', 't', 's', 0x82,
        0xa2, 0x64, 's', 'l', 'o', 't', 0x00, 0x64, 's', 'i', 'z', 'e', 0x1a, 0x00, 0x01, 0x00, 0x00,
        0xa2, 0x64, 's', 'l', 'o', 't', 0x01, 0x64, 's', 'i', 'z', 'e', 0x1a, 0x00, 0x01, 0x00, 0x00,
        0x6e, 'm', 'a', 'x', '_', 'i', 'm', 'a', 'g', 'e', '_', 's', 'i', 'z', 'e',
        0x19, 0xf3, 0xd0};
    fx_expect_payload(want, sizeof(want));
    /* swap-move also keeps the sector below the trailer's free: 15 x 4096 - 4096 = 57344 */
    fx.port.boot.mode = SERVER_BOOT_MODE_SWAP_MOVE;
    fx_send_bytes(SMP_V2, SMP_OP_READ, SMP_GROUP_IMAGE, IMG_ID_SLOT_INFO, (const uint8_t *)"\xa0", 1);
    want[sizeof(want) - 2] = 0xe0;
    want[sizeof(want) - 1] = 0x00;
    fx_expect_payload(want, sizeof(want));
    fx.port.boot.mode = SERVER_BOOT_MODE_SWAP_SCRATCH;
    fx_send_bytes(SMP_V2, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ID_SLOT_INFO, (const uint8_t *)"\xa0", 1);
    fx_expect_rc_only(SMP_ERR_ENOTSUP);
}

/* A single-slot device (serial recovery: both port slots are slot 0) lists only slot 0, which
 * its uploads go to. */
static void test_slot_info_single_slot(void **state)
{
    (void)state;
    fx.port.slot_secondary = fx.port.slot_primary;
    fx_send_bytes(SMP_V2, SMP_OP_READ, SMP_GROUP_IMAGE, IMG_ID_SLOT_INFO, (const uint8_t *)"\xa0", 1);
    const uint8_t want[] = {
        0xa1, 0x66, 'i', 'm', 'a', 'g', 'e', 's', 0x81, 0xa3, 0x65, 'i', 'm', 'a', 'g', 'e', 0x00,
        0x65, 's', 'l', 'o', 't', 's', 0x81,
        0xa2, 0x64, 's', 'l', 'o', 't', 0x00, 0x64, 's', 'i', 'z', 'e', 0x1a, 0x00, 0x01, 0x00, 0x00,
        0x6e, 'm', 'a', 'x', '_', 'i', 'm', 'a', 'g', 'e', '_', 's', 'i', 'z', 'e',
        0x19, 0xf3, 0xd0};
    fx_expect_payload(want, sizeof(want));
}

/* Without slots in the port, the image commands are not supported. */
static void test_no_slots(void **state)
{
    (void)state;
    fx.port.slot_secondary = NULL;
    fx_send_bytes(SMP_V2, SMP_OP_READ, SMP_GROUP_IMAGE, 0, (const uint8_t *)"\xa0", 1);
    fx_expect_rc_only(SMP_ERR_ENOTSUP);
    fx_send_bytes(SMP_V2, SMP_OP_READ, SMP_GROUP_IMAGE, IMG_ID_SLOT_INFO, (const uint8_t *)"\xa0", 1);
    fx_expect_rc_only(SMP_ERR_ENOTSUP);
    erase(SMP_V2, 1);
    fx_expect_rc_only(SMP_ERR_ENOTSUP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_erase_default_slot, setup),
        cmocka_unit_test_setup(test_erase_garbage, setup),
        cmocka_unit_test_setup(test_erase_refused, setup),
        cmocka_unit_test_setup(test_erase_resets_upload, setup),
        cmocka_unit_test_setup(test_erase_direct_xip, setup),
        cmocka_unit_test_setup(test_slot_info, setup),
        cmocka_unit_test_setup(test_slot_info_single_slot, setup),
        cmocka_unit_test_setup(test_no_slots, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
