/* CRC-16/XMODEM and base64 against published check values (RFC 4648 §10). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "dfukit/serial_frame.h"
#include "transport_test_util.h"

static void crc_check_value(void **state)
{
    (void)state;
    assert_int_equal(crc16_xmodem(0, (const uint8_t *)"123456789", 9), 0x31C3);
    assert_int_equal(crc16_xmodem(0, NULL, 0), 0);
    /* Chained in pieces gives the same result. */
    uint16_t c = crc16_xmodem(0, (const uint8_t *)"1234", 4);
    assert_int_equal(crc16_xmodem(c, (const uint8_t *)"56789", 5), 0x31C3);
}

static void crc_of_data_and_crc_is_zero(void **state)
{
    (void)state;
    /* serial example of Zephyr's smp_transport.rst: CRC 0x7061. */
    uint8_t pkt[16] = {0x02, 0x00, 0x00, 0x06, 0x00, 0x00, 0x42, 0x00,
                       0xa1, 0x61, 0x64, 0x62, 0x68, 0x69};
    assert_int_equal(crc16_xmodem(0, pkt, 14), 0x7061);
    pkt[14] = 0x70;
    pkt[15] = 0x61;
    assert_int_equal(crc16_xmodem(0, pkt, 16), 0);
}

struct b64_vec {
    const char *plain;
    const char *enc;
};

static const struct b64_vec rfc4648[] = {
    {"", ""},           {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
};

static void base64_rfc_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
        const struct b64_vec *v = &rfc4648[i];
        char enc[16];
        uint8_t dec[16];
        size_t n = strlen(v->plain);
        assert_int_equal(base64_encoded_len(n), strlen(v->enc));
        assert_int_equal(base64_encode(enc, (const uint8_t *)v->plain, n), strlen(v->enc));
        assert_memory_equal(enc, v->enc, strlen(v->enc));
        assert_int_equal(base64_decode(dec, sizeof(dec), v->enc, strlen(v->enc)), (int)n);
        assert_memory_equal(dec, v->plain, n);
    }
}

static void base64_all_byte_values_round_trip(void **state)
{
    (void)state;
    uint8_t in[256], dec[256];
    char enc[344];
    for (int i = 0; i < 256; i++) {
        in[i] = (uint8_t)(255 - i);
    }
    for (size_t n = 0; n <= 256; n += 1) {
        size_t e = base64_encode(enc, in, n);
        assert_int_equal(e, base64_encoded_len(n));
        assert_int_equal(base64_decode(dec, sizeof(dec), enc, e), (int)n);
        assert_memory_equal(dec, in, n);
    }
    /* "+" and "/" appear: 0xfb 0xff -> "+/8=" */
    assert_int_equal(base64_encode(enc, (const uint8_t *)"\xfb\xff", 2), 4);
    assert_memory_equal(enc, "+/8=", 4);
}

static void base64_rejects_junk(void **state)
{
    (void)state;
    uint8_t out[16];
    const char *bad[] = {"Zg=",  "Zg",    "Z===", "====",   "Zg=a", "Zm9v!A==", "Zm 9",
                         "Zg==Zm9v", "=Zm9", "Zm9\n", "Zm-_"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(base64_decode(out, sizeof(out), bad[i], strlen(bad[i])), DFU_EBADMSG);
    }
    /* Too small an output buffer is not a format error. */
    assert_int_equal(base64_decode(out, 5, "Zm9vYmFy", 8), DFU_ENOMEM);
    assert_int_equal(base64_decode(out, 6, "Zm9vYmFy", 8), 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crc_check_value),
        cmocka_unit_test(crc_of_data_and_crc_is_zero),
        cmocka_unit_test(base64_rfc_vectors),
        cmocka_unit_test(base64_all_byte_values_round_trip),
        cmocka_unit_test(base64_rejects_junk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
