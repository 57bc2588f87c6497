/* CBOR encoder: exact bytes (canonical heads from libcbor), counted and indefinite
 * containers, overflow is sticky and reported, misuse is caught. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "dfukit/smp_cbor.h"

static uint8_t buf[4096];
static struct smp_cbor_enc e;

static int setup(void **state)
{
    (void)state;
    memset(buf, 0xee, sizeof(buf));
    smp_cbor_enc_init(&e, buf, sizeof(buf));
    return 0;
}

#define EXPECT(...)                                                   \
    do {                                                              \
        const uint8_t want_[] = {__VA_ARGS__};                        \
        assert_int_equal(smp_cbor_enc_error(&e), 0);                  \
        assert_int_equal(e.len, sizeof(want_));                       \
        assert_memory_equal(buf, want_, sizeof(want_));               \
    } while (0)

/* The echo response of the captured vectors: {"r": "hello"}. */
static void test_echo_response(void **state)
{
    (void)state;
    assert_true(smp_cbor_put_map(&e, 1) && smp_cbor_put_kv_tstr(&e, "r", "hello"));
    EXPECT(0xa1, 0x61, 0x72, 0x65, 'h', 'e', 'l', 'l', 'o');
}

static void test_integers(void **state)
{
    (void)state;
    assert_true(smp_cbor_put_array(&e, 8) && smp_cbor_put_uint(&e, 0) &&
                smp_cbor_put_uint(&e, 23) && smp_cbor_put_uint(&e, 24) &&
                smp_cbor_put_uint(&e, 1024) && smp_cbor_put_uint(&e, 0x10000) &&
                smp_cbor_put_int(&e, -1) && smp_cbor_put_int(&e, -25) &&
                smp_cbor_put_uint(&e, UINT64_MAX));
    EXPECT(0x88, 0x00, 0x17, 0x18, 0x18, 0x19, 0x04, 0x00, 0x1a, 0x00, 0x01, 0x00, 0x00, 0x20,
           0x38, 0x18, 0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    assert_int_equal(e.depth, 0);
}

static void test_bool_null_bstr(void **state)
{
    (void)state;
    const uint8_t data[] = {1, 2, 3};
    assert_true(smp_cbor_put_array(&e, 4) && smp_cbor_put_bool(&e, true) &&
                smp_cbor_put_bool(&e, false) && smp_cbor_put_null(&e) &&
                smp_cbor_put_bstr(&e, data, sizeof(data)));
    EXPECT(0x84, 0xf5, 0xf4, 0xf6, 0x43, 1, 2, 3);
}

/* A counted map closes with the count of what was written. */
static void test_counted_map(void **state)
{
    (void)state;
    assert_true(smp_cbor_put_map_open(&e) && smp_cbor_put_kv_uint(&e, "a", 1) &&
                smp_cbor_put_tstr(&e, "b") && smp_cbor_put_array_open(&e) &&
                smp_cbor_put_uint(&e, 7) && smp_cbor_put_map(&e, 1) &&
                smp_cbor_put_kv_bool(&e, "c", true) && smp_cbor_put_end(&e) &&
                smp_cbor_put_end(&e));
    EXPECT(0xa2, 0x61, 'a', 0x01, 0x61, 'b', 0x82, 0x07, 0xa1, 0x61, 'c', 0xf5);
}

/* 30 pairs need a two-byte head: the contents move up by one byte. */
static void test_counted_map_grows(void **state)
{
    (void)state;
    assert_true(smp_cbor_put_map_open(&e));
    for (unsigned i = 0; i < 30; i++) {
        assert_true(smp_cbor_put_uint(&e, i) && smp_cbor_put_bool(&e, true));
    }
    assert_true(smp_cbor_put_end(&e));
    assert_int_equal(smp_cbor_enc_error(&e), 0);
    assert_int_equal(buf[0], 0xb8);
    assert_int_equal(buf[1], 30);
    assert_int_equal(buf[2], 0x00);
    assert_int_equal(buf[3], 0xf5);
    assert_int_equal(e.len, 2 + 30 * 2 + 6);  /* values 24..29 take two bytes */
    /* 300 array items: three-byte head. */
    smp_cbor_enc_reset(&e);
    assert_true(smp_cbor_put_array_open(&e));
    for (unsigned i = 0; i < 300; i++) {
        assert_true(smp_cbor_put_null(&e));
    }
    assert_true(smp_cbor_put_end(&e));
    assert_int_equal(e.len, 303);
    assert_int_equal(buf[0], 0x99);
    assert_int_equal(buf[1], 0x01);
    assert_int_equal(buf[2], 0x2c);
    assert_int_equal(buf[3], 0xf6);
    assert_int_equal(buf[302], 0xf6);
}

static void test_indefinite(void **state)
{
    (void)state;
    assert_true(smp_cbor_put_map_indef(&e) && smp_cbor_put_tstr(&e, "x") &&
                smp_cbor_put_array_indef(&e) && smp_cbor_put_uint(&e, 1) && smp_cbor_put_end(&e) &&
                smp_cbor_put_end(&e));
    EXPECT(0xbf, 0x61, 'x', 0x9f, 0x01, 0xff, 0xff);
}

/* Empty definite containers are complete at once and do not swallow later items. */
static void test_empty_definite(void **state)
{
    (void)state;
    assert_true(smp_cbor_put_map(&e, 2) && smp_cbor_put_tstr(&e, "a") && smp_cbor_put_map(&e, 0) &&
                smp_cbor_put_tstr(&e, "b") && smp_cbor_put_array(&e, 0));
    EXPECT(0xa2, 0x61, 'a', 0xa0, 0x61, 'b', 0x80);
}

/* Every capacity from 0 to the full size: either the whole thing fits or DFU_ENOSPC, and
 * nothing is ever written past the capacity. */
static void test_overflow_every_size(void **state)
{
    (void)state;
    const uint8_t blob[40] = {0};
    for (size_t cap = 0; cap <= 80; cap++) {
        memset(buf, 0xee, sizeof(buf));
        smp_cbor_enc_init(&e, buf, cap);
        bool ok = smp_cbor_put_map_open(&e) && smp_cbor_put_kv_tstr(&e, "version", "1.2.3") &&
                  smp_cbor_put_kv_bstr(&e, "hash", blob, sizeof(blob)) &&
                  smp_cbor_put_kv_uint(&e, "off", 123456) && smp_cbor_put_end(&e);
        size_t need = 1 + 8 + 6 + 5 + 2 + 40 + 4 + 5;
        if (cap >= need) {
            assert_true(ok);
            assert_int_equal(smp_cbor_enc_error(&e), 0);
            assert_int_equal(e.len, need);
        } else {
            assert_false(ok);
            assert_int_equal(smp_cbor_enc_error(&e), DFU_ENOSPC);
            /* sticky: even a one-byte item now fails */
            assert_false(smp_cbor_put_null(&e));
        }
        assert_true(e.len <= cap);
        for (size_t i = cap; i < 100; i++) {
            assert_int_equal(buf[i], 0xee);
        }
    }
}

static void test_misuse(void **state)
{
    (void)state;
    /* a map with a key and no value */
    assert_true(smp_cbor_put_map_open(&e) && smp_cbor_put_tstr(&e, "k"));
    assert_false(smp_cbor_put_end(&e));
    assert_int_equal(smp_cbor_enc_error(&e), DFU_EINVAL);
    /* end without an open container */
    smp_cbor_enc_reset(&e);
    assert_false(smp_cbor_put_end(&e));
    assert_int_equal(smp_cbor_enc_error(&e), DFU_EINVAL);
    /* a definite container cannot be ended early */
    smp_cbor_enc_reset(&e);
    assert_true(smp_cbor_put_array(&e, 2) && smp_cbor_put_uint(&e, 1));
    assert_false(smp_cbor_put_end(&e));
    /* unfinished containers are reported */
    smp_cbor_enc_reset(&e);
    assert_true(smp_cbor_put_array(&e, 2) && smp_cbor_put_uint(&e, 1));
    assert_int_equal(smp_cbor_enc_error(&e), DFU_EINVAL);
    /* nesting deeper than SMP_CBOR_MAX_DEPTH */
    smp_cbor_enc_reset(&e);
    bool ok = true;
    for (int i = 0; i < SMP_CBOR_MAX_DEPTH + 1 && ok; i++) {
        ok = smp_cbor_put_array_indef(&e);
    }
    assert_false(ok);
    assert_int_equal(smp_cbor_enc_error(&e), DFU_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_echo_response, setup),
        cmocka_unit_test_setup(test_integers, setup),
        cmocka_unit_test_setup(test_bool_null_bstr, setup),
        cmocka_unit_test_setup(test_counted_map, setup),
        cmocka_unit_test_setup(test_counted_map_grows, setup),
        cmocka_unit_test_setup(test_indefinite, setup),
        cmocka_unit_test_setup(test_empty_definite, setup),
        cmocka_unit_test_setup(test_overflow_every_size, setup),
        cmocka_unit_test_setup(test_misuse, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
