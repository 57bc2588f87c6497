/* The simulator's wiring of the groups (src/port/groups_host.c): what gets registered, and
 * that a "reset" (stop, server_init, start on the same emulated flash and sandbox) keeps the
 * saved settings and the files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "groups_util.h"

static struct bench b;  /* only srv, port, rsp and seq are used */
static struct port_groups g;
static struct nor_flash nor;
static struct flash_area storage;
static struct port_shell_partition parts[1];
static struct port_groups_config cfg;
static char root[512];
static uint64_t now_ms;

static uint64_t clock_ms(void *arg)
{
    return *(const uint64_t *)arg;
}

static int setup(void **state)
{
    memset(&b, 0, sizeof(b));
    static const struct flash_sector_run run = {.count = 32, .size = 4096};
    struct nor_flash_config nc = {.path = NULL, .write_align = 4, .erased_val = 0xff,
                                  .runs = &run, .run_count = 1};
    assert_int_equal(nor_flash_open(&nor, &nc), 0);
    storage = (struct flash_area){.dev = &nor.dev, .off = 24 * 4096, .size = 8 * 4096, .id = 4};
    parts[0] = (struct port_shell_partition){"storage", &storage};
    snprintf(root, sizeof(root), "%s/groups/host_ports", DFU_TEST_TMP);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s/groups'", root, DFU_TEST_TMP);
    assert_int_equal(system(cmd), 0);
    cfg = (struct port_groups_config){
        .fs_root = root, .fs_mount = "lfs1", .storage = &storage, .version = "devsim 9.9.9",
        .uptime_ms = clock_ms, .clock_arg = &now_ms, .flash = &nor.dev, .parts = parts,
        .part_count = 1, .nor = &nor,
    };
    return 0;
}

static int teardown(void **state)
{
    port_groups_stop(&g);
    nor_flash_close(&nor);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static void boot(void)
{
    server_init(&b.srv, &b.port, NULL);
    memset(&b.port, 0, sizeof(b.port));
    assert_int_equal(port_groups_start(&g, &cfg, &b.srv, &b.port), 0);
}

static void expect_groups(const uint16_t *ids, size_t n)
{
    cbor_item_t *rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_ENUM, ENUM_ID_LIST, NULL, 0);
    cbor_item_t *list = map_get(rsp, "groups");
    assert_int_equal(cbor_array_size(list), n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(cbor_get_int(cbor_array_handle(list)[i]), ids[i]);
    }
    cbor_decref(&rsp);
}

static cbor_item_t *shell(const char *a0, const char *a1, char *out, size_t cap)
{
    struct req r;
    req_init(&r);
    smp_cbor_put_map(&r.enc, 1);
    smp_cbor_put_tstr(&r.enc, "argv");
    smp_cbor_put_array(&r.enc, a1 ? 2 : 1);
    smp_cbor_put_tstr(&r.enc, a0);
    if (a1) {
        smp_cbor_put_tstr(&r.enc, a1);
    }
    cbor_item_t *rsp = bench_req(&b, SMP_V2, SMP_OP_WRITE, SMP_GROUP_SHELL, SHELL_ID_EXEC, r.buf, req_len(&r));
    size_t n = map_bytes(rsp, "o", out, cap - 1);
    out[n] = '\0';
    return rsp;
}

static void test_all_groups_and_reset(void **state)
{
    boot();
    static const uint16_t all[] = {8, 3, 9, 2, 10};
    expect_groups(all, 5);

    /* A setting saved, a file uploaded. */
    struct req r;
    req_init(&r);
    smp_cbor_put_map(&r.enc, 2);
    smp_cbor_put_kv_tstr(&r.enc, "name", "app/color");
    smp_cbor_put_kv_bstr(&r.enc, "val", "blue", 4);
    cbor_item_t *rsp =
        bench_req(&b, SMP_V2, SMP_OP_WRITE, SMP_GROUP_SETTINGS, SETTINGS_ID_READ_WRITE, r.buf, req_len(&r));
    cbor_decref(&rsp);
    rsp = bench_req(&b, SMP_V2, SMP_OP_WRITE, SMP_GROUP_SETTINGS, SETTINGS_ID_LOAD_SAVE, NULL, 0);
    assert_int_equal(map_size(rsp), 0);
    cbor_decref(&rsp);
    req_init(&r);
    smp_cbor_put_map(&r.enc, 4);
    smp_cbor_put_kv_tstr(&r.enc, "name", "/lfs1/notes.txt");
    smp_cbor_put_kv_uint(&r.enc, "off", 0);
    smp_cbor_put_kv_bstr(&r.enc, "data", "remember", 8);
    smp_cbor_put_kv_uint(&r.enc, "len", 8);
    rsp = bench_req(&b, SMP_V2, SMP_OP_WRITE, SMP_GROUP_FS, FS_ID_FILE, r.buf, req_len(&r));
    assert_int_equal(map_uint(rsp, "off"), 8);
    cbor_decref(&rsp);

    /* The flash stat group counts the emulated flash's operations. */
    req_init(&r);
    smp_cbor_put_map(&r.enc, 1);
    smp_cbor_put_kv_tstr(&r.enc, "name", "flash");
    rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_STAT, STAT_ID_READ, r.buf, req_len(&r));
    cbor_item_t *f = map_get(rsp, "fields");
    assert_int_equal(map_size(f), 5);
    assert_int_equal(map_uint(f, "writes"), nor_flash_total(&nor)->writes);
    assert_true(map_uint(f, "writes") >= 2);  /* sector header and the record */
    assert_int_equal(map_uint(f, "erases"), nor_flash_total(&nor)->erases);
    cbor_decref(&rsp);

    /* Reset: everything set up again over the same flash and directory. */
    port_groups_stop(&g);
    boot();
    char out[256];
    rsp = shell("settings", "list", out, sizeof(out));
    assert_string_equal(out, "app/color\n");
    cbor_decref(&rsp);
    now_ms = 4321;
    rsp = shell("uptime", NULL, out, sizeof(out));
    assert_string_equal(out, "Uptime: 4321 ms\n");
    cbor_decref(&rsp);
    rsp = shell("version", NULL, out, sizeof(out));
    assert_string_equal(out, "devsim 9.9.9\n");
    cbor_decref(&rsp);
    req_init(&r);
    smp_cbor_put_map(&r.enc, 1);
    smp_cbor_put_kv_tstr(&r.enc, "name", "/lfs1/notes.txt");
    rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_FS, FS_ID_STATUS, r.buf, req_len(&r));
    assert_int_equal(map_uint(rsp, "len"), 8);
    cbor_decref(&rsp);
}

static void test_idle_close_uses_uptime(void **state)
{
    boot();
    now_ms = 10000;
    struct req r;
    req_init(&r);
    smp_cbor_put_map(&r.enc, 4);
    smp_cbor_put_kv_tstr(&r.enc, "name", "/lfs1/part");
    smp_cbor_put_kv_uint(&r.enc, "off", 0);
    smp_cbor_put_kv_bstr(&r.enc, "data", "ab", 2);
    smp_cbor_put_kv_uint(&r.enc, "len", 4);
    cbor_item_t *rsp = bench_req(&b, SMP_V2, SMP_OP_WRITE, SMP_GROUP_FS, FS_ID_FILE, r.buf, req_len(&r));
    cbor_decref(&rsp);
    assert_int_equal(g.fs_state.mode, FS_MGMT_UPLOAD);
    now_ms += FS_MGMT_IDLE_MS - 1;
    fs_mgmt_poll(&b.srv);
    assert_int_equal(g.fs_state.mode, FS_MGMT_UPLOAD);
    now_ms += 1;
    fs_mgmt_poll(&b.srv);
    assert_int_equal(g.fs_state.mode, FS_MGMT_IDLE);
}

static void test_partial_config(void **state)
{
    cfg.fs_root = NULL;
    cfg.storage = NULL;
    cfg.nor = NULL;
    cfg.shell_legacy_rc = true;
    boot();
    static const uint16_t some[] = {9, 2, 10};
    expect_groups(some, 3);
    char out[64];
    cbor_item_t *rsp = shell("settings", "list", out, sizeof(out));
    assert_string_equal(out, "settings: no storage\n");
    assert_null(map_get(rsp, "ret"));
    assert_true(map_int(rsp, "rc") < 0);
    cbor_decref(&rsp);
    rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_STAT, STAT_ID_LIST, NULL, 0);
    assert_int_equal(cbor_array_size(map_get(rsp, "stat_list")), 1);  /* "smp" only */
    cbor_decref(&rsp);
}

static void test_bad_storage(void **state)
{
    struct flash_area tiny = {.dev = &nor.dev, .off = 0, .size = 4096, .id = 4};
    cfg.storage = &tiny;  /* one sector: no room to rotate */
    server_init(&b.srv, &b.port, NULL);
    memset(&b.port, 0, sizeof(b.port));
    assert_int_equal(port_groups_start(&g, &cfg, &b.srv, &b.port), DFU_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_all_groups_and_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_close_uses_uptime, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_storage, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
