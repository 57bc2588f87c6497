/* CBOR pull decoder: definite and indefinite maps, key tables skipping unknown (nested)
 * values, wrong types, truncation, absurd lengths and nesting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "dfukit/smp_cbor.h"

struct upload_fields {
    uint64_t off;
    uint32_t image;
    struct smp_cbor_str data;
    struct smp_cbor_str name;
    bool upgrade;
    int64_t delta;
};

static struct upload_fields f;

static int decode(const uint8_t *p, size_t n, struct smp_cbor_map_entry *keys)
{
    memset(&f, 0, sizeof(f));
    keys[0] = (struct smp_cbor_map_entry){"off", smp_cbor_dec_uint64, &f.off, false};
    keys[1] = (struct smp_cbor_map_entry){"image", smp_cbor_dec_uint32, &f.image, false};
    keys[2] = (struct smp_cbor_map_entry){"data", smp_cbor_dec_bstr, &f.data, false};
    keys[3] = (struct smp_cbor_map_entry){"name", smp_cbor_dec_tstr, &f.name, false};
    keys[4] = (struct smp_cbor_map_entry){"upgrade", smp_cbor_dec_bool, &f.upgrade, false};
    keys[5] = (struct smp_cbor_map_entry){"delta", smp_cbor_dec_int64, &f.delta, false};
    struct smp_cbor_dec d;
    smp_cbor_dec_init(&d, p, n);
    return smp_cbor_decode_map(&d, keys, 6);
}

static void test_definite_map(void **state)
{
    (void)state;
    /* {"off": 1000, "data": h'0102', "name": "ab", "upgrade": true, "delta": -5} */
    const uint8_t p[] = {0xa5, 0x63, 'o', 'f', 'f', 0x19, 0x03, 0xe8, 0x64, 'd', 'a', 't', 'a',
                         0x42, 0x01, 0x02, 0x64, 'n', 'a', 'm', 'e', 0x62, 'a', 'b', 0x67, 'u',
                         'p', 'g', 'r', 'a', 'd', 'e', 0xf5, 0x65, 'd', 'e', 'l', 't', 'a', 0x24};
    struct smp_cbor_map_entry k[6];
    assert_int_equal(decode(p, sizeof(p), k), 0);
    assert_true(k[0].found && !k[1].found && k[2].found && k[3].found && k[4].found && k[5].found);
    assert_int_equal(f.off, 1000);
    assert_int_equal(f.data.len, 2);
    assert_int_equal(f.data.ptr[1], 0x02);
    assert_true(smp_cbor_str_eq(&f.name, "ab"));
    assert_true(f.upgrade);
    assert_int_equal(f.delta, -5);
}

/* Indefinite map with unknown keys whose values nest (array in map in indefinite array), an
 * integer key and an indefinite text key: all skipped. */
static void test_indefinite_and_unknown(void **state)
{
    (void)state;
    const uint8_t p[] = {
        0xbf,
        0x61, 'x', 0x9f, 0xa1, 0x61, 'k', 0x82, 0x01, 0x5f, 0x41, 0x00, 0xff, 0xff,  /* "x": [_ {k: [1, (_ h'00')]}] */
        0x05, 0x66, 's', 't', 'r', 'i', 'n', 'g',                                      /* 5: "string" */
        0x7f, 0x61, 'o', 0x62, 'f', 'f', 0xff, 0x07,                                   /* (_ "o" "ff"): 7 */
        0x63, 'o', 'f', 'f', 0x02,                                                     /* "off": 2 */
        0x61, 't', 0xc1, 0x1a, 0, 0, 0, 1,                                             /* "t": 1(1) */
        0x61, 'f', 0xfb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0,                                 /* "f": 1.0 */
        0xff};
    struct smp_cbor_map_entry k[6];
    assert_int_equal(decode(p, sizeof(p), k), 0);
    assert_true(k[0].found);
    assert_int_equal(f.off, 2);
    assert_false(k[2].found);
}

static void test_wrong_types(void **state)
{
    (void)state;
    struct smp_cbor_map_entry k[6];
    const uint8_t off_str[] = {0xa1, 0x63, 'o', 'f', 'f', 0x61, '1'};
    assert_int_equal(decode(off_str, sizeof(off_str), k), DFU_EINVAL);
    const uint8_t off_neg[] = {0xa1, 0x63, 'o', 'f', 'f', 0x20};
    assert_int_equal(decode(off_neg, sizeof(off_neg), k), DFU_EINVAL);
    const uint8_t data_tstr[] = {0xa1, 0x64, 'd', 'a', 't', 'a', 0x61, 'x'};
    assert_int_equal(decode(data_tstr, sizeof(data_tstr), k), DFU_EINVAL);
    const uint8_t upgrade_int[] = {0xa1, 0x67, 'u', 'p', 'g', 'r', 'a', 'd', 'e', 0x01};
    assert_int_equal(decode(upgrade_int, sizeof(upgrade_int), k), DFU_EINVAL);
    const uint8_t image_big[] = {0xa1, 0x65, 'i', 'm', 'a', 'g', 'e', 0x1b, 0, 0, 0, 1, 0, 0, 0, 0};
    assert_int_equal(decode(image_big, sizeof(image_big), k), DFU_EINVAL);
    /* indefinite byte string where a plain view is needed */
    const uint8_t data_indef[] = {0xa1, 0x64, 'd', 'a', 't', 'a', 0x5f, 0x41, 0x00, 0xff};
    assert_int_equal(decode(data_indef, sizeof(data_indef), k), DFU_EINVAL);
    /* not a map at all */
    const uint8_t array[] = {0x80};
    assert_int_equal(decode(array, sizeof(array), k), DFU_EINVAL);
}

static void test_malformed(void **state)
{
    (void)state;
    struct smp_cbor_map_entry k[6];
    /* truncated in a key, in a value, in a nested unknown value */
    const uint8_t t1[] = {0xa1, 0x63, 'o', 'f'};
    assert_int_equal(decode(t1, sizeof(t1), k), DFU_EBADMSG);
    const uint8_t t2[] = {0xa1, 0x63, 'o', 'f', 'f', 0x19, 0x03};
    assert_int_equal(decode(t2, sizeof(t2), k), DFU_EBADMSG);
    const uint8_t t3[] = {0xa1, 0x61, 'z', 0x82, 0x01};
    assert_int_equal(decode(t3, sizeof(t3), k), DFU_EBADMSG);
    /* map claims two pairs, holds one */
    const uint8_t t4[] = {0xa2, 0x63, 'o', 'f', 'f', 0x01};
    assert_int_equal(decode(t4, sizeof(t4), k), DFU_EBADMSG);
    /* indefinite map without its break */
    const uint8_t t5[] = {0xbf, 0x63, 'o', 'f', 'f', 0x01};
    assert_int_equal(decode(t5, sizeof(t5), k), DFU_EBADMSG);
    /* a break in a definite map, a reserved additional info */
    const uint8_t t6[] = {0xa1, 0xff};
    assert_int_equal(decode(t6, sizeof(t6), k), DFU_EBADMSG);
    const uint8_t t7[] = {0xa1, 0x61, 'z', 0x1c};
    assert_int_equal(decode(t7, sizeof(t7), k), DFU_EBADMSG);
    /* duplicate key */
    const uint8_t t8[] = {0xa2, 0x63, 'o', 'f', 'f', 0x01, 0x63, 'o', 'f', 'f', 0x02};
    assert_int_equal(decode(t8, sizeof(t8), k), DFU_EBADMSG);
    /* empty input */
    assert_int_equal(decode(t8, 0, k), DFU_EBADMSG);
}

/* Lengths far beyond the data (up to 2^64-1) and absurd container counts fail cleanly. */
static void test_huge_lengths(void **state)
{
    (void)state;
    struct smp_cbor_map_entry k[6];
    const uint8_t b64[] = {0xa1, 0x64, 'd', 'a', 't', 'a', 0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                           0xff, 0xff, 0x00};
    assert_int_equal(decode(b64, sizeof(b64), k), DFU_EBADMSG);
    const uint8_t b32[] = {0xa1, 0x64, 'd', 'a', 't', 'a', 0x5a, 0xff, 0xff, 0xff, 0xf0, 0x00};
    assert_int_equal(decode(b32, sizeof(b32), k), DFU_EBADMSG);
    const uint8_t key_huge[] = {0xa1, 0x7b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 'a'};
    assert_int_equal(decode(key_huge, sizeof(key_huge), k), DFU_EBADMSG);
    const uint8_t map_huge[] = {0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x61, 'a', 0x01};
    assert_int_equal(decode(map_huge, sizeof(map_huge), k), DFU_EBADMSG);
    const uint8_t skip_huge[] = {0xa1, 0x61, 'z', 0x9b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                 0xff, 0x01};
    assert_int_equal(decode(skip_huge, sizeof(skip_huge), k), DFU_EBADMSG);
}

/* Nesting deeper than SMP_CBOR_MAX_DEPTH in a skipped value is refused, not recursed into. */
static void test_deep_nesting(void **state)
{
    (void)state;
    uint8_t p[3 + 200 + 1];
    size_t n = 0;
    p[n++] = 0xa1;
    p[n++] = 0x61;
    p[n++] = 'z';
    for (int i = 0; i < 200; i++) {
        p[n++] = 0x81;  /* [[[[...]]]] */
    }
    p[n++] = 0x01;
    struct smp_cbor_map_entry k[6];
    assert_int_equal(decode(p, n, k), DFU_EBADMSG);
    /* within the limit it is fine */
    n = 3;
    for (int i = 0; i < SMP_CBOR_MAX_DEPTH - 2; i++) {
        p[n++] = 0x81;
    }
    p[n++] = 0x01;
    p[0] = 0xa1;
    assert_int_equal(decode(p, n, k), 0);
}

static void test_pull_api(void **state)
{
    (void)state;
    /* [_ 1, -2, "hi", (_ "a" "b")] */
    const uint8_t p[] = {0x9f, 0x01, 0x21, 0x62, 'h', 'i', 0x7f, 0x61, 'a', 0x61, 'b', 0xff, 0xff};
    struct smp_cbor_dec d;
    smp_cbor_dec_init(&d, p, sizeof(p));
    struct smp_cbor_container c;
    assert_int_equal(smp_cbor_enter_array(&d, &c), 0);
    assert_true(c.indef);
    assert_int_equal(smp_cbor_more(&d, &c), 1);
    int64_t v;
    assert_int_equal(smp_cbor_get_int(&d, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(smp_cbor_more(&d, &c), 1);
    uint64_t u;
    assert_int_equal(smp_cbor_get_uint(&d, &u), DFU_EINVAL);  /* not moved on a mismatch */
    assert_int_equal(smp_cbor_get_int(&d, &v), 0);
    assert_int_equal(v, -2);
    assert_int_equal(smp_cbor_more(&d, &c), 1);
    char s[8];
    assert_int_equal(smp_cbor_copy_tstr(&d, s, sizeof(s)), 2);
    assert_string_equal(s, "hi");
    assert_int_equal(smp_cbor_more(&d, &c), 1);
    char small[1];
    assert_int_equal(smp_cbor_copy_tstr(&d, small, sizeof(small)), DFU_ENOSPC);
    assert_int_equal(smp_cbor_copy_tstr(&d, s, sizeof(s)), 2);
    assert_string_equal(s, "ab");
    assert_int_equal(smp_cbor_more(&d, &c), 0);
    assert_int_equal(d.off, sizeof(p));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_definite_map),
        cmocka_unit_test(test_indefinite_and_unknown),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_huge_lengths),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_pull_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
