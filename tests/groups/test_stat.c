/* Stat group (2) through the dispatcher, and the stat registry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "groups_util.h"

static struct bench b;

static int setup(void **state)
{
    bench_init(&b, "stat", 0xff, 4);
    return 0;
}

static int teardown(void **state)
{
    bench_fini(&b);
    return 0;
}

static cbor_item_t *stat_read(const char *name)
{
    struct req r;
    req_init(&r);
    smp_cbor_put_map(&r.enc, 1);
    smp_cbor_put_kv_tstr(&r.enc, "name", name);
    return bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_STAT, STAT_ID_READ, r.buf, req_len(&r));
}

static void test_list(void **state)
{
    cbor_item_t *rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_STAT, STAT_ID_LIST, NULL, 0);
    cbor_item_t *list = map_get(rsp, "stat_list");
    assert_non_null(list);
    assert_true(cbor_isa_array(list));
    assert_int_equal(cbor_array_size(list), 2);
    cbor_item_t **items = cbor_array_handle(list);
    assert_int_equal(cbor_string_length(items[0]), 3);
    assert_memory_equal(cbor_string_handle(items[0]), "smp", 3);
    assert_int_equal(cbor_string_length(items[1]), 5);
    assert_memory_equal(cbor_string_handle(items[1]), "flash", 5);
    cbor_decref(&rsp);
}

static void test_smp_counters_count_frames(void **state)
{
    for (int i = 0; i < 3; i++) {
        cbor_item_t *rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_STAT, STAT_ID_LIST, NULL, 0);
        cbor_decref(&rsp);
    }
    cbor_item_t *rsp = stat_read("smp");
    char name[8] = {0};
    map_bytes(rsp, "name", name, sizeof(name) - 1);
    assert_string_equal(name, "smp");
    cbor_item_t *f = map_get(rsp, "fields");
    assert_non_null(f);
    assert_int_equal(map_size(f), 8);
    /* This request is the 4th in, 3 responses went out before it was handled. */
    assert_int_equal(map_uint(f, "rx_packets"), 4);
    assert_int_equal(map_uint(f, "rx_requests"), 4);
    assert_int_equal(map_uint(f, "tx_responses"), 3);
    assert_int_equal(map_uint(f, "errors"), 0);
    assert_int_equal(map_uint(f, "rx_bytes"), b.srv.counters.rx_bytes);
    assert_int_equal(map_uint(f, "img_bytes_written"), 0);
    cbor_decref(&rsp);
}

static void test_flash_counters(void **state)
{
    uint32_t writes_before = b.rf.writes;
    assert_int_equal(settings_store_set(&b.settings, "k", 1, "v", 1), 0);
    assert_int_equal(settings_store_save(&b.settings), 0);
    assert_int_equal(b.rf.writes, writes_before + 1);
    cbor_item_t *rsp = stat_read("flash");
    cbor_item_t *f = map_get(rsp, "fields");
    assert_int_equal(map_uint(f, "writes"), b.rf.writes);
    assert_int_equal(map_uint(f, "erases"), b.rf.erases);
    assert_int_equal(map_uint(f, "reads"), b.rf.reads);
    cbor_decref(&rsp);
}

static void test_read_errors(void **state)
{
    cbor_item_t *rsp = stat_read("nosuch");
    expect_group_err(rsp, SMP_GROUP_STAT, STAT_ERR_INVALID_GROUP);
    cbor_decref(&rsp);
    rsp = stat_read("sm");  /* a prefix is not a name */
    expect_group_err(rsp, SMP_GROUP_STAT, STAT_ERR_INVALID_GROUP);
    cbor_decref(&rsp);
    rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_STAT, STAT_ID_READ, (const uint8_t *)"\xa0", 1);
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    static const uint8_t int_name[] = {0xa1, 0x64, 'n', 'a', 'm', 'e', 0x05};
    rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_STAT, STAT_ID_READ, int_name, sizeof(int_name));
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    rsp = bench_req(&b, SMP_V2, SMP_OP_WRITE, SMP_GROUP_STAT, STAT_ID_READ, (const uint8_t *)"\xa0", 1);
    expect_rc(rsp, SMP_ERR_ENOTSUP);
    cbor_decref(&rsp);
    /* v1: translated rc. */
    struct req r;
    req_init(&r);
    smp_cbor_put_map(&r.enc, 1);
    smp_cbor_put_kv_tstr(&r.enc, "name", "nosuch");
    rsp = bench_req(&b, SMP_V1, SMP_OP_READ, SMP_GROUP_STAT, STAT_ID_READ, r.buf, req_len(&r));
    expect_rc(rsp, smp_translate_group_err(SMP_GROUP_STAT, STAT_ERR_INVALID_GROUP));
    cbor_decref(&rsp);
}

static void test_registry(void **state)
{
    static struct stat_registry reg;
    static const char *const names[] = {"a", "b"};
    static const volatile uint32_t values[] = {7, 9};
    static struct stat_group groups[STAT_REGISTRY_MAX + 1];
    static char gnames[STAT_REGISTRY_MAX + 1][8];
    stat_registry_init(&reg);
    for (int i = 0; i <= STAT_REGISTRY_MAX; i++) {
        gnames[i][0] = 'g';
        gnames[i][1] = (char)('0' + i);
        groups[i] = (struct stat_group){.name = gnames[i], .field_names = names,
                                        .field_count = 2, .values = values};
    }
    for (int i = 0; i < STAT_REGISTRY_MAX; i++) {
        assert_int_equal(stat_group_register(&reg, &groups[i]), 0);
    }
    assert_int_equal(stat_group_register(&reg, &groups[STAT_REGISTRY_MAX]), DFU_ENOSPC);
    stat_registry_init(&reg);
    assert_int_equal(stat_group_register(&reg, &groups[0]), 0);
    struct stat_group dup = groups[0];
    assert_int_equal(stat_group_register(&reg, &dup), DFU_EEXIST);
    struct stat_group noname = groups[1];
    noname.name = "";
    assert_int_equal(stat_group_register(&reg, &noname), DFU_EINVAL);
    struct stat_group novalues = groups[1];
    novalues.values = NULL;
    assert_int_equal(stat_group_register(&reg, &novalues), DFU_EINVAL);
    assert_ptr_equal(stat_group_find(&reg, "g0", 2), &groups[0]);
    assert_null(stat_group_find(&reg, "g", 1));
    assert_int_equal(stat_group_value(&groups[0], 1), 9);
    assert_int_equal(stat_group_value(&groups[0], 2), 0);  /* out of range reads 0 */

    /* Served by the group: values from the array. */
    b.port.stats = &reg;
    cbor_item_t *rsp = stat_read("g0");
    cbor_item_t *f = map_get(rsp, "fields");
    assert_int_equal(map_uint(f, "a"), 7);
    assert_int_equal(map_uint(f, "b"), 9);
    cbor_decref(&rsp);
    b.port.stats = NULL;  /* no registry: an empty list, every name unknown */
    rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_STAT, STAT_ID_LIST, NULL, 0);
    assert_int_equal(cbor_array_size(map_get(rsp, "stat_list")), 0);
    cbor_decref(&rsp);
    rsp = stat_read("g0");
    expect_group_err(rsp, SMP_GROUP_STAT, STAT_ERR_INVALID_GROUP);
    cbor_decref(&rsp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_smp_counters_count_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flash_counters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
