/* Settings group (3) through the dispatcher, and the settings store's flash log: values
 * survive a re-init on the same flash, rotation, torn records and power cuts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "dfukit/simflash.h"
#include "groups_util.h"

static struct bench b;

static int setup(void **state)
{
    bench_init(&b, "settings", 0xff, 4);
    return 0;
}

/* Erased value 0x00 and 8-byte writes: the other flash flavour. */
static int setup_zero8(void **state)
{
    bench_init(&b, "settings0", 0x00, 8);
    return 0;
}

/* 32-byte writes: every record and header padded to 32. */
static int setup_align32(void **state)
{
    bench_init(&b, "settings32", 0xff, 32);
    return 0;
}

static int teardown(void **state)
{
    bench_fini(&b);
    return 0;
}

static cbor_item_t *s_write(const char *name, const void *val, size_t len)
{
    struct req r;
    req_init(&r);
    smp_cbor_put_map(&r.enc, 2);
    smp_cbor_put_kv_tstr(&r.enc, "name", name);
    smp_cbor_put_kv_bstr(&r.enc, "val", val, len);
    return bench_req(&b, SMP_V2, SMP_OP_WRITE, SMP_GROUP_SETTINGS, SETTINGS_ID_READ_WRITE, r.buf, req_len(&r));
}

static cbor_item_t *s_read(const char *name, int64_t max_size)
{
    struct req r;
    req_init(&r);
    smp_cbor_put_map(&r.enc, max_size >= 0 ? 2 : 1);
    smp_cbor_put_kv_tstr(&r.enc, "name", name);
    if (max_size >= 0) {
        smp_cbor_put_kv_uint(&r.enc, "max_size", (uint64_t)max_size);
    }
    return bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_SETTINGS, SETTINGS_ID_READ_WRITE, r.buf, req_len(&r));
}

static cbor_item_t *s_cmd(uint8_t op, uint8_t id, const char *name)
{
    struct req r;
    req_init(&r);
    smp_cbor_put_map(&r.enc, name ? 1 : 0);
    if (name) {
        smp_cbor_put_kv_tstr(&r.enc, "name", name);
    }
    return bench_req(&b, SMP_V2, op, SMP_GROUP_SETTINGS, id, r.buf, req_len(&r));
}

static void ok_empty(cbor_item_t *rsp)
{
    assert_int_equal(map_size(rsp), 0);
    cbor_decref(&rsp);
}

/* Asserts name reads val. */
static void expect_val(const char *name, const void *val, size_t len)
{
    cbor_item_t *rsp = s_read(name, -1);
    uint8_t got[SETTINGS_VAL_MAX];
    assert_int_equal(map_bytes(rsp, "val", got, sizeof(got)), len);
    assert_memory_equal(got, val, len);
    assert_null(map_get(rsp, "max_size"));
    cbor_decref(&rsp);
}

static void expect_missing(const char *name)
{
    cbor_item_t *rsp = s_read(name, -1);
    expect_group_err(rsp, SMP_GROUP_SETTINGS, SETTINGS_ERR_KEY_NOT_FOUND);
    assert_null(map_get(rsp, "val"));
    cbor_decref(&rsp);
}

static void test_write_read(void **state)
{
    ok_empty(s_write("app/greeting", "hello", 5));
    expect_val("app/greeting", "hello", 5);
    ok_empty(s_write("app/greeting", "bye", 3));
    expect_val("app/greeting", "bye", 3);
    ok_empty(s_write("app/empty", "", 0));
    expect_val("app/empty", "", 0);
    expect_missing("app/other");

    /* max_size smaller: cut; larger than the configured maximum: capped and reported. */
    cbor_item_t *rsp = s_read("app/greeting", 2);
    uint8_t got[8];
    assert_int_equal(map_bytes(rsp, "val", got, sizeof(got)), 2);
    assert_memory_equal(got, "by", 2);
    assert_null(map_get(rsp, "max_size"));
    cbor_decref(&rsp);
    rsp = s_read("app/greeting", 1000);
    assert_int_equal(map_bytes(rsp, "val", got, sizeof(got)), 3);
    assert_int_equal(map_uint(rsp, "max_size"), SETTINGS_VAL_MAX);
    cbor_decref(&rsp);

    /* The Go mcumgr's "config" sends val as a text string. */
    struct req r;
    req_init(&r);
    smp_cbor_put_map(&r.enc, 2);
    smp_cbor_put_kv_tstr(&r.enc, "name", "go/val");
    smp_cbor_put_kv_tstr(&r.enc, "val", "42");
    ok_empty(bench_req(&b, SMP_V2, SMP_OP_WRITE, SMP_GROUP_SETTINGS, SETTINGS_ID_READ_WRITE, r.buf, req_len(&r)));
    expect_val("go/val", "42", 2);
}

static void test_key_and_value_limits(void **state)
{
    char key[SETTINGS_NAME_MAX + 1];
    memset(key, 'k', sizeof(key));
    key[SETTINGS_NAME_MAX - 1] = '\0';  /* the longest key */
    ok_empty(s_write(key, "x", 1));
    expect_val(key, "x", 1);
    key[SETTINGS_NAME_MAX - 1] = 'k';
    key[SETTINGS_NAME_MAX] = '\0';      /* one too long */
    cbor_item_t *rsp = s_write(key, "x", 1);
    expect_group_err(rsp, SMP_GROUP_SETTINGS, SETTINGS_ERR_KEY_TOO_LONG);
    cbor_decref(&rsp);
    rsp = s_read(key, -1);
    expect_group_err(rsp, SMP_GROUP_SETTINGS, SETTINGS_ERR_KEY_TOO_LONG);
    cbor_decref(&rsp);
    rsp = s_cmd(SMP_OP_WRITE, 1, key);
    expect_group_err(rsp, SMP_GROUP_SETTINGS, SETTINGS_ERR_KEY_TOO_LONG);
    cbor_decref(&rsp);
    /* v1: KEY_TOO_LONG translated. */
    struct req r;
    req_init(&r);
    smp_cbor_put_map(&r.enc, 1);
    smp_cbor_put_kv_tstr(&r.enc, "name", key);
    rsp = bench_req(&b, SMP_V1, SMP_OP_READ, SMP_GROUP_SETTINGS, SETTINGS_ID_READ_WRITE, r.buf, req_len(&r));
    expect_rc(rsp, smp_translate_group_err(SMP_GROUP_SETTINGS, SETTINGS_ERR_KEY_TOO_LONG));
    cbor_decref(&rsp);

    uint8_t big[SETTINGS_VAL_MAX + 1];
    memset(big, 0x5a, sizeof(big));
    ok_empty(s_write("big", big, SETTINGS_VAL_MAX));
    expect_val("big", big, SETTINGS_VAL_MAX);
    rsp = s_write("big", big, SETTINGS_VAL_MAX + 1);
    expect_rc(rsp, SMP_ERR_EMSGSIZE);
    cbor_decref(&rsp);
    expect_val("big", big, SETTINGS_VAL_MAX);  /* unchanged */
}

static void test_table_full(void **state)
{
    char name[16];
    for (int i = 0; i < SETTINGS_ENTRIES_MAX; i++) {
        snprintf(name, sizeof(name), "k%d", i);
        ok_empty(s_write(name, "v", 1));
    }
    cbor_item_t *rsp = s_write("one/more", "v", 1);
    expect_rc(rsp, SMP_ERR_ENOMEM);
    cbor_decref(&rsp);
    ok_empty(s_write("k3", "new", 3));  /* an existing key still takes a new value */
    expect_val("k3", "new", 3);
}

static void survive_reset(void)
{
    ok_empty(s_write("net/ssid", "home", 4));
    ok_empty(s_write("net/pass", "secret", 6));
    ok_empty(s_cmd(SMP_OP_WRITE, 3, NULL));   /* save */
    ok_empty(s_write("net/unsaved", "x", 1)); /* never saved */
    bench_restart(&b);
    expect_val("net/ssid", "home", 4);
    expect_val("net/pass", "secret", 6);
    expect_missing("net/unsaved");
}

static void test_save_survives_reset(void **state)
{
    survive_reset();
}

static void test_delete(void **state)
{
    ok_empty(s_write("a", "1", 1));
    ok_empty(s_write("b", "2", 1));
    ok_empty(s_cmd(SMP_OP_WRITE, 3, NULL));
    ok_empty(s_cmd(SMP_OP_WRITE, 1, "a"));
    expect_missing("a");
    cbor_item_t *rsp = s_cmd(SMP_OP_WRITE, 1, "a");
    expect_group_err(rsp, SMP_GROUP_SETTINGS, SETTINGS_ERR_KEY_NOT_FOUND);
    cbor_decref(&rsp);
    /* The deletion is on flash at once, without a save. */
    bench_restart(&b);
    expect_missing("a");
    expect_val("b", "2", 1);
}

static void test_load_and_commit(void **state)
{
    ok_empty(s_write("mode", "stored", 6));
    ok_empty(s_cmd(SMP_OP_WRITE, 3, NULL));
    ok_empty(s_write("mode", "runtime", 7));
    ok_empty(s_write("fresh", "only-ram", 8));
    expect_val("mode", "runtime", 7);
    ok_empty(s_cmd(SMP_OP_READ, 3, NULL));  /* load: stored values come back */
    expect_val("mode", "stored", 6);
    expect_val("fresh", "only-ram", 8);     /* keys that were never stored stay */

    assert_int_equal(b.settings.commits, 0);
    ok_empty(s_cmd(SMP_OP_WRITE, 2, NULL));
    ok_empty(s_cmd(SMP_OP_WRITE, 2, NULL));
    assert_int_equal(b.settings.commits, 2);
}

static void count_commit(void *arg)
{
    (*(int *)arg)++;
}

static void test_commit_hook(void **state)
{
    int calls = 0;
    b.settings.on_commit = count_commit;
    b.settings.commit_arg = &calls;
    ok_empty(s_cmd(SMP_OP_WRITE, 2, NULL));
    assert_int_equal(calls, 1);
    assert_int_equal(b.settings.commits, 1);
}

static void test_rotation_keeps_everything(void **state)
{
    uint32_t erases_before = b.rf.erases;
    ok_empty(s_write("fixed/a", "alpha", 5));
    ok_empty(s_write("fixed/b", "beta", 4));
    ok_empty(s_cmd(SMP_OP_WRITE, 3, NULL));
    char val[32];
    /* 1000 saves of 24-byte records: six times what one 4 KiB sector holds. */
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(val, sizeof(val), "count-%d", i);
        ok_empty(s_write("counter", val, (size_t)n));
        ok_empty(s_cmd(SMP_OP_WRITE, 3, NULL));
    }
    assert_true(b.rf.erases >= erases_before + 4);  /* every sector took a turn */
    assert_true(b.settings.seq > 4);
    bench_restart(&b);
    expect_val("counter", "count-999", 9);
    expect_val("fixed/a", "alpha", 5);
    expect_val("fixed/b", "beta", 4);
}

static void test_torn_record_skipped(void **state)
{
    ok_empty(s_write("k", "old", 3));
    ok_empty(s_cmd(SMP_OP_WRITE, 3, NULL));
    uint32_t end_before = b.settings.write_off;
    ok_empty(s_write("k", "new", 3));
    ok_empty(s_cmd(SMP_OP_WRITE, 3, NULL));
    /* Damage the last record's value as a power cut mid-write would leave it. */
    uint8_t *rec = b.mem + BENCH_STORAGE_OFF + b.settings.sector_off + end_before;
    assert_int_equal(rec[0], 1);     /* key length */
    assert_memory_equal(rec + 5, "new", 3);
    rec[5] ^= 0x40;
    bench_restart(&b);
    expect_val("k", "old", 3);
    /* Appending goes on after the torn record. */
    ok_empty(s_write("k", "newer", 5));
    ok_empty(s_cmd(SMP_OP_WRITE, 3, NULL));
    bench_restart(&b);
    expect_val("k", "newer", 5);
}

static void test_garbage_partition_formatted(void **state)
{
    memset(b.mem + BENCH_STORAGE_OFF, 0x5a, BENCH_STORAGE_SIZE);
    bench_restart(&b);
    expect_missing("anything");
    ok_empty(s_write("k", "v", 1));
    ok_empty(s_cmd(SMP_OP_WRITE, 3, NULL));
    bench_restart(&b);
    expect_val("k", "v", 1);
}

static void test_malformed(void **state)
{
    cbor_item_t *rsp = s_cmd(SMP_OP_READ, 0, NULL);  /* no name */
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    rsp = s_cmd(SMP_OP_READ, 0, "");
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    static const uint8_t int_name[] = {0xa1, 0x64, 'n', 'a', 'm', 'e', 0x01};
    rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_SETTINGS, SETTINGS_ID_READ_WRITE, int_name, sizeof(int_name));
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    rsp = s_cmd(SMP_OP_WRITE, 0, "noval");
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    static const uint8_t int_val[] = {0xa2, 0x64, 'n', 'a', 'm', 'e', 0x61, 'x',
                                      0x63, 'v', 'a', 'l', 0x01};
    rsp = bench_req(&b, SMP_V2, SMP_OP_WRITE, SMP_GROUP_SETTINGS, SETTINGS_ID_READ_WRITE, int_val, sizeof(int_val));
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    expect_missing("x");
    rsp = s_cmd(SMP_OP_READ, 1, "x");  /* delete has no read handler */
    expect_rc(rsp, SMP_ERR_ENOTSUP);
    cbor_decref(&rsp);
    rsp = s_cmd(SMP_OP_READ, 2, NULL);
    expect_rc(rsp, SMP_ERR_ENOTSUP);
    cbor_decref(&rsp);
    b.port.settings = NULL;
    rsp = s_cmd(SMP_OP_WRITE, 3, NULL);
    expect_rc(rsp, SMP_ERR_ENOTSUP);
    cbor_decref(&rsp);
    b.port.settings = &b.settings;
}

/* Power cuts at every flash operation of a save that rotates: after each cut and a re-init,
 * every key holds its old or its new value, never a mix or nothing. */
static void test_power_cut_every_op(void **state)
{
    static struct powercut pc;
    static struct settings_store st;
    char val[16];
    uint64_t total = 0;
    for (uint64_t cut = 1;; cut++) {
        memset(b.mem, 0xff, sizeof(b.mem));
        powercut_init(&pc, &b.rf.dev);
        struct flash_area fa = b.storage;
        fa.dev = &pc.dev;
        assert_int_equal(settings_store_init(&st, &fa), 0);
        /* Fill the active sector almost completely with old values. */
        for (int i = 0; i < 8; i++) {
            snprintf(val, sizeof(val), "old%d", i);
            assert_int_equal(settings_store_set(&st, val, 4, val, 4), 0);
        }
        assert_int_equal(settings_store_save(&st), 0);
        while (st.write_off + 32 <= st.sector_size) {
            assert_int_equal(settings_store_set(&st, "pad", 3, &st.write_off, 4), 0);
            assert_int_equal(settings_store_save(&st), 0);
        }
        uint64_t base = powercut_ops(&pc);
        powercut_arm(&pc, cut);
        assert_int_equal(settings_store_set(&st, "old3", 4, "NEW3", 4), 0);
        assert_int_equal(settings_store_set(&st, "added", 5, "yes", 3), 0);
        int rc = settings_store_save(&st);
        bool was_cut = powercut_is_dead(&pc);
        powercut_power_on(&pc);
        assert_int_equal(settings_store_init(&st, &fa), 0);
        uint8_t got[8];
        for (int i = 0; i < 8; i++) {
            snprintf(val, sizeof(val), "old%d", i);
            int n = settings_store_get(&st, val, 4, got, sizeof(got));
            assert_int_equal(n, 4);
            if (i == 3) {
                assert_true(memcmp(got, "old3", 4) == 0 || memcmp(got, "NEW3", 4) == 0);
            } else {
                assert_memory_equal(got, val, 4);
            }
        }
        int n = settings_store_get(&st, "added", 5, got, sizeof(got));
        assert_true(n == DFU_ENOENT || (n == 3 && memcmp(got, "yes", 3) == 0));
        if (!was_cut) {
            assert_int_equal(rc, 0);
            total = powercut_ops(&pc) - base;
            assert_int_equal(settings_store_get(&st, "old3", 4, got, sizeof(got)), 4);
            assert_memory_equal(got, "NEW3", 4);
            break;
        }
        assert_true(cut < 64);
    }
    assert_true(total >= 4);  /* erase + copies + header + new records: a rotation happened */
}

/* Exact bytes, worked out by hand: v2 write 3/0 {"name": "k", "val": h'01'} -> {}, then
 * v1 read 3/0 {"name": "k"} -> {"val": h'01'}. */
static const uint8_t write_req[] = {0x0a, 0x00, 0x00, 0x0e, 0x00, 0x03, 0x21, 0x00,
                                    0xa2, 0x64, 'n', 'a', 'm', 'e', 0x61, 'k',
                                    0x63, 'v', 'a', 'l', 0x41, 0x01};
static const uint8_t write_rsp[] = {0x0b, 0x00, 0x00, 0x01, 0x00, 0x03, 0x21, 0x00, 0xa0};
static const uint8_t read_req[] = {0x00, 0x00, 0x00, 0x08, 0x00, 0x03, 0x22, 0x00,
                                   0xa1, 0x64, 'n', 'a', 'm', 'e', 0x61, 'k'};
static const uint8_t read_rsp[] = {0x01, 0x00, 0x00, 0x07, 0x00, 0x03, 0x22, 0x00,
                                   0xa1, 0x63, 'v', 'a', 'l', 0x41, 0x01};

static void test_golden_bytes(void **state)
{
    assert_int_equal(write_req[3], sizeof(write_req) - 8);
    assert_int_equal(read_req[3], sizeof(read_req) - 8);
    assert_int_equal(read_rsp[3], sizeof(read_rsp) - 8);
    assert_int_equal(bench_raw(&b, write_req, sizeof(write_req)), sizeof(write_rsp));
    assert_memory_equal(b.rsp, write_rsp, sizeof(write_rsp));
    assert_int_equal(bench_raw(&b, read_req, sizeof(read_req)), sizeof(read_rsp));
    assert_memory_equal(b.rsp, read_rsp, sizeof(read_rsp));
}

/* Sectors of different sizes (an STM32F4-like map): rotation walks the ring across them. */
static void test_mixed_sectors(void **state)
{
    static const struct flash_sector_run runs[] = {{2, 4096}, {1, 16384}};
    struct nor_flash_config nc = {.path = NULL, .write_align = 16, .erased_val = 0xff,
                                  .runs = runs, .run_count = 2};
    static struct nor_flash nf;
    static struct settings_store st;
    assert_int_equal(nor_flash_open(&nf, &nc), 0);
    struct flash_area fa = {.dev = &nf.dev, .off = 0, .size = 2 * 4096 + 16384, .id = 4};
    assert_int_equal(settings_store_init(&st, &fa), 0);
    assert_int_equal(settings_store_set(&st, "keep", 4, "me", 2), 0);
    char val[16];
    uint32_t seen = 0;  /* bit i: sector i was active once */
    for (int i = 0; i < 3000; i++) {
        int n = snprintf(val, sizeof(val), "%d", i);
        assert_int_equal(settings_store_set(&st, "n", 1, val, (size_t)n), 0);
        assert_int_equal(settings_store_save(&st), 0);
        seen |= 1u << st.sector_idx;
    }
    assert_int_equal(seen, 7u);
    assert_int_equal(settings_store_init(&st, &fa), 0);
    uint8_t got[16];
    assert_int_equal(settings_store_get(&st, "n", 1, got, sizeof(got)), 4);
    assert_memory_equal(got, "2999", 4);
    assert_int_equal(settings_store_get(&st, "keep", 4, got, sizeof(got)), 2);
    assert_memory_equal(got, "me", 2);
    /* Key rules of the store API. */
    assert_int_equal(settings_store_set(&st, "", 0, "x", 1), DFU_EINVAL);
    assert_int_equal(settings_store_set(&st, "a\0b", 3, "x", 1), DFU_EINVAL);
    assert_int_equal(settings_store_get(&st, "nope", 4, got, sizeof(got)), DFU_ENOENT);
    nor_flash_close(&nf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_and_value_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_save_survives_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_save_survives_reset, setup_zero8, teardown),
        cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_and_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_hook, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotation_keeps_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotation_keeps_everything, setup_zero8, teardown),
        cmocka_unit_test_setup_teardown(test_rotation_keeps_everything, setup_align32, teardown),
        cmocka_unit_test_setup_teardown(test_torn_record_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_partition_formatted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_power_cut_every_op, setup, teardown),
        cmocka_unit_test(test_mixed_sectors),
        cmocka_unit_test_setup_teardown(test_golden_bytes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
