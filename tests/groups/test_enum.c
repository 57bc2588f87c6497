/* Enum group (10) through the dispatcher, over the groups the bench registers:
 * fs (8), shell (9), stat (2), settings (3), enum (10), in that order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "groups_util.h"

static struct bench b;
static const uint16_t ids[] = {8, 9, 2, 3, 10};
static const uint16_t handlers[] = {5, 1, 2, 4, 4};
static const char *const names[] = {"fs mgmt", "shell mgmt", "stat mgmt", "settings mgmt",
                                    "enum mgmt"};

static int setup(void **state)
{
    bench_init(&b, "enum", 0xff, 4);
    return 0;
}

static int teardown(void **state)
{
    bench_fini(&b);
    return 0;
}

static void test_count_and_list(void **state)
{
    cbor_item_t *rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_ENUM, ENUM_ID_COUNT, NULL, 0);
    assert_int_equal(map_uint(rsp, "count"), 5);
    cbor_decref(&rsp);
    rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_ENUM, ENUM_ID_LIST, (const uint8_t *)"\xa0", 1);
    cbor_item_t *list = map_get(rsp, "groups");
    assert_true(cbor_isa_array(list));
    assert_int_equal(cbor_array_size(list), 5);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(cbor_get_int(cbor_array_handle(list)[i]), ids[i]);
    }
    cbor_decref(&rsp);
}

static cbor_item_t *single(bool with_index, uint64_t index)
{
    struct req r;
    req_init(&r);
    smp_cbor_put_map(&r.enc, with_index ? 1 : 0);
    if (with_index) {
        smp_cbor_put_kv_uint(&r.enc, "index", index);
    }
    return bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_ENUM, ENUM_ID_SINGLE, r.buf, req_len(&r));
}

static void test_single(void **state)
{
    for (uint64_t i = 0; i < 5; i++) {
        cbor_item_t *rsp = single(true, i);
        assert_int_equal(map_uint(rsp, "group"), ids[i]);
        cbor_item_t *end = map_get(rsp, "end");
        if (i == 4) {
            assert_non_null(end);
            assert_true(cbor_get_bool(end));
        } else {
            assert_null(end);
        }
        cbor_decref(&rsp);
    }
    cbor_item_t *rsp = single(false, 0);
    assert_int_equal(map_uint(rsp, "group"), 8);
    cbor_decref(&rsp);
    rsp = single(true, 5);
    expect_group_err(rsp, SMP_GROUP_ENUM, ENUM_ERR_INDEX_TOO_LARGE);
    cbor_decref(&rsp);
    rsp = single(true, 1ull << 40);  /* beyond uint32: malformed for this key */
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    static const uint8_t neg[] = {0xa1, 0x65, 'i', 'n', 'd', 'e', 'x', 0x20};
    rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_ENUM, ENUM_ID_SINGLE, neg, sizeof(neg));
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
}

static void check_entry(cbor_item_t *e, size_t k)
{
    assert_int_equal(map_uint(e, "group"), ids[k]);
    assert_int_equal(map_uint(e, "handlers"), handlers[k]);
    char name[32] = {0};
    map_bytes(e, "name", name, sizeof(name) - 1);
    assert_string_equal(name, names[k]);
}

static void test_details(void **state)
{
    cbor_item_t *rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_ENUM, ENUM_ID_DETAILS, NULL, 0);
    cbor_item_t *list = map_get(rsp, "groups");
    assert_int_equal(cbor_array_size(list), 5);
    for (size_t i = 0; i < 5; i++) {
        check_entry(cbor_array_handle(list)[i], i);
    }
    cbor_decref(&rsp);

    /* Filtered: unknown ids are ignored; the answer keeps the registration order. */
    struct req r;
    req_init(&r);
    smp_cbor_put_map(&r.enc, 1);
    smp_cbor_put_tstr(&r.enc, "groups");
    smp_cbor_put_array(&r.enc, 3);
    smp_cbor_put_uint(&r.enc, 10);
    smp_cbor_put_uint(&r.enc, 99);
    smp_cbor_put_uint(&r.enc, 9);
    rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_ENUM, ENUM_ID_DETAILS, r.buf, req_len(&r));
    list = map_get(rsp, "groups");
    assert_int_equal(cbor_array_size(list), 2);
    check_entry(cbor_array_handle(list)[0], 1);
    check_entry(cbor_array_handle(list)[1], 4);
    cbor_decref(&rsp);
}

static void test_details_errors(void **state)
{
    struct req r;
    req_init(&r);
    smp_cbor_put_map(&r.enc, 1);
    smp_cbor_put_tstr(&r.enc, "groups");
    smp_cbor_put_array(&r.enc, SERVER_MAX_GROUPS + 1);
    for (int i = 0; i <= SERVER_MAX_GROUPS; i++) {
        smp_cbor_put_uint(&r.enc, (uint64_t)i);
    }
    cbor_item_t *rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_ENUM, ENUM_ID_DETAILS, r.buf, req_len(&r));
    expect_group_err(rsp, SMP_GROUP_ENUM, ENUM_ERR_TOO_MANY_GROUP_ENTRIES);
    cbor_decref(&rsp);
    static const uint8_t not_array[] = {0xa1, 0x66, 'g', 'r', 'o', 'u', 'p', 's', 0x08};
    rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_ENUM, ENUM_ID_DETAILS, not_array, sizeof(not_array));
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    static const uint8_t str_item[] = {0xa1, 0x66, 'g', 'r', 'o', 'u', 'p', 's', 0x81, 0x61, 'x'};
    rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_ENUM, ENUM_ID_DETAILS, str_item, sizeof(str_item));
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    rsp = bench_req(&b, SMP_V2, SMP_OP_WRITE, SMP_GROUP_ENUM, ENUM_ID_COUNT, NULL, 0);
    expect_rc(rsp, SMP_ERR_ENOTSUP);
    cbor_decref(&rsp);
    rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_ENUM, 4, NULL, 0);
    expect_rc(rsp, SMP_ERR_ENOTSUP);
    cbor_decref(&rsp);
    /* v1 client, index out of range. */
    req_init(&r);
    smp_cbor_put_map(&r.enc, 1);
    smp_cbor_put_kv_uint(&r.enc, "index", 7);
    rsp = bench_req(&b, SMP_V1, SMP_OP_READ, SMP_GROUP_ENUM, ENUM_ID_SINGLE, r.buf, req_len(&r));
    expect_rc(rsp, smp_translate_group_err(SMP_GROUP_ENUM, ENUM_ERR_INDEX_TOO_LARGE));
    cbor_decref(&rsp);
}

/* Exact bytes, worked out by hand from Zephyr's smp_protocol.rst and RFC 8949. */
static const uint8_t count_req[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x42, 0x00};
/* v1 read-rsp {"count": 5} */
static const uint8_t count_rsp[] = {0x01, 0x00, 0x00, 0x08, 0x00, 0x0a, 0x42, 0x00,
                                    0xa1, 0x65, 'c', 'o', 'u', 'n', 't', 0x05};
/* v2 read 10/2 {"index": 4} -> {"group": 10, "end": true} */
static const uint8_t single_req[] = {0x08, 0x00, 0x00, 0x08, 0x00, 0x0a, 0x07, 0x02,
                                     0xa1, 0x65, 'i', 'n', 'd', 'e', 'x', 0x04};
static const uint8_t single_rsp[] = {0x09, 0x00, 0x00, 0x0d, 0x00, 0x0a, 0x07, 0x02,
                                     0xa2, 0x65, 'g', 'r', 'o', 'u', 'p', 0x0a,
                                     0x63, 'e', 'n', 'd', 0xf5};
/* v2 read 10/2 {"index": 9} -> {"err": {"group": 10, "rc": 4}} */
static const uint8_t big_req[] = {0x08, 0x00, 0x00, 0x08, 0x00, 0x0a, 0x08, 0x02,
                                  0xa1, 0x65, 'i', 'n', 'd', 'e', 'x', 0x09};
static const uint8_t big_rsp[] = {0x09, 0x00, 0x00, 0x11, 0x00, 0x0a, 0x08, 0x02,
                                  0xa1, 0x63, 'e', 'r', 'r', 0xa2, 0x65, 'g', 'r', 'o', 'u',
                                  'p', 0x0a, 0x62, 'r', 'c', 0x04};

static void test_golden_bytes(void **state)
{
    /* The vectors' own length fields agree with their sizes. */
    assert_int_equal(count_rsp[3], sizeof(count_rsp) - 8);
    assert_int_equal(single_req[3], sizeof(single_req) - 8);
    assert_int_equal(single_rsp[3], sizeof(single_rsp) - 8);
    assert_int_equal(big_req[3], sizeof(big_req) - 8);
    assert_int_equal(big_rsp[3], sizeof(big_rsp) - 8);

    assert_int_equal(bench_raw(&b, count_req, sizeof(count_req)), sizeof(count_rsp));
    assert_memory_equal(b.rsp, count_rsp, sizeof(count_rsp));
    assert_int_equal(bench_raw(&b, single_req, sizeof(single_req)), sizeof(single_rsp));
    assert_memory_equal(b.rsp, single_rsp, sizeof(single_rsp));
    assert_int_equal(bench_raw(&b, big_req, sizeof(big_req)), sizeof(big_rsp));
    assert_memory_equal(b.rsp, big_rsp, sizeof(big_rsp));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_count_and_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_single, setup, teardown),
        cmocka_unit_test_setup_teardown(test_details, setup, teardown),
        cmocka_unit_test_setup_teardown(test_details_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_golden_bytes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
