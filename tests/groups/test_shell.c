/* Shell group (9) through the dispatcher, over the simulator shell (src/port/shell_sim.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "groups_util.h"

static struct bench b;

static int setup(void **state)
{
    bench_init(&b, "shell", 0xff, 4);
    return 0;
}

static int teardown(void **state)
{
    bench_fini(&b);
    return 0;
}

/* Runs argv (argc strings); returns the response; out gets "o" NUL-terminated. */
static cbor_item_t *run(int argc, const char *const argv[], char *out, size_t cap)
{
    struct req r;
    req_init(&r);
    smp_cbor_put_map(&r.enc, 1);
    smp_cbor_put_tstr(&r.enc, "argv");
    smp_cbor_put_array(&r.enc, (size_t)argc);
    for (int i = 0; i < argc; i++) {
        smp_cbor_put_tstr(&r.enc, argv[i]);
    }
    cbor_item_t *rsp = bench_req(&b, SMP_V2, SMP_OP_WRITE, SMP_GROUP_SHELL, SHELL_ID_EXEC, r.buf, req_len(&r));
    if (out != NULL && map_get(rsp, "o") != NULL) {
        size_t n = map_bytes(rsp, "o", out, cap - 1);
        out[n] = '\0';
    }
    return rsp;
}

static void test_echo(void **state)
{
    const char *argv[] = {"echo", "hello", "world"};
    char out[256];
    cbor_item_t *rsp = run(3, argv, out, sizeof(out));
    assert_string_equal(out, "hello world\n");
    assert_int_equal(map_int(rsp, "ret"), 0);
    assert_int_equal(map_size(rsp), 2);
    cbor_decref(&rsp);
}

static void test_version_uptime(void **state)
{
    char out[256];
    const char *v[] = {"version"};
    cbor_item_t *rsp = run(1, v, out, sizeof(out));
    assert_string_equal(out, "dfukit-test 1.2.3\n");
    cbor_decref(&rsp);
    b.now_ms = 123456;
    const char *u[] = {"uptime"};
    rsp = run(1, u, out, sizeof(out));
    assert_string_equal(out, "Uptime: 123456 ms\n");
    assert_int_equal(map_int(rsp, "ret"), 0);
    cbor_decref(&rsp);
}

static void test_flash_info(void **state)
{
    char out[512];
    const char *argv[] = {"flash", "info"};
    cbor_item_t *rsp = run(2, argv, out, sizeof(out));
    assert_int_equal(map_int(rsp, "ret"), 0);
    assert_non_null(strstr(out, "size 65536 bytes, write align 4, erased 0xff\n"));
    assert_non_null(strstr(out, "sectors: 16 x 4096\n"));
    assert_non_null(strstr(out, "storage    id 4 at 0x0000c000 size 0x00004000\n"));
    cbor_decref(&rsp);
    const char *bad[] = {"flash"};
    rsp = run(1, bad, out, sizeof(out));
    assert_int_equal(map_int(rsp, "ret"), -EINVAL);
    assert_string_equal(out, "usage: flash info\n");
    cbor_decref(&rsp);
}

static void test_settings_commands(void **state)
{
    assert_int_equal(settings_store_set(&b.settings, "app/mode", 8, "\x01\xab", 2), 0);
    assert_int_equal(settings_store_set(&b.settings, "net/name", 8, "dev", 3), 0);
    char out[256];
    const char *list[] = {"settings", "list"};
    cbor_item_t *rsp = run(2, list, out, sizeof(out));
    assert_string_equal(out, "app/mode\nnet/name\n");
    cbor_decref(&rsp);
    const char *rd[] = {"settings", "read", "app/mode"};
    rsp = run(3, rd, out, sizeof(out));
    assert_string_equal(out, "01ab\n");
    assert_int_equal(map_int(rsp, "ret"), 0);
    cbor_decref(&rsp);
    const char *missing[] = {"settings", "read", "nope"};
    rsp = run(3, missing, out, sizeof(out));
    assert_int_equal(map_int(rsp, "ret"), -ENOENT);
    assert_string_equal(out, "settings: nope not found\n");
    cbor_decref(&rsp);
}

static void test_help_and_unknown(void **state)
{
    char out[1024];
    const char *help[] = {"help"};
    cbor_item_t *rsp = run(1, help, out, sizeof(out));
    static const char *const names[] = {"help", "echo", "version", "uptime", "flash", "settings"};
    for (size_t i = 0; i < 6; i++) {
        char line[32];
        snprintf(line, sizeof(line), "  %s ", names[i]);
        assert_non_null(strstr(out, line));
    }
    cbor_decref(&rsp);
    const char *unk[] = {"reboot", "now"};
    rsp = run(2, unk, out, sizeof(out));
    assert_string_equal(out, "reboot: command not found\n");
    assert_int_equal(map_int(rsp, "ret"), SHELL_PORT_RET_NOT_FOUND);
    cbor_decref(&rsp);
}

static void test_empty_and_too_long(void **state)
{
    cbor_item_t *rsp = run(0, NULL, NULL, 0);
    expect_group_err(rsp, SMP_GROUP_SHELL, SHELL_ERR_EMPTY_COMMAND);
    cbor_decref(&rsp);
    const char *empty[] = {""};
    rsp = run(1, empty, NULL, 0);
    expect_group_err(rsp, SMP_GROUP_SHELL, SHELL_ERR_EMPTY_COMMAND);
    cbor_decref(&rsp);

    const char *many[SHELL_PORT_ARGV_MAX + 1];
    for (int i = 0; i <= SHELL_PORT_ARGV_MAX; i++) {
        many[i] = "echo";
    }
    rsp = run(SHELL_PORT_ARGV_MAX, many, NULL, 0);  /* the most that fit */
    assert_int_equal(map_int(rsp, "ret"), 0);
    cbor_decref(&rsp);
    rsp = run(SHELL_PORT_ARGV_MAX + 1, many, NULL, 0);
    expect_group_err(rsp, SMP_GROUP_SHELL, SHELL_ERR_COMMAND_TOO_LONG);
    cbor_decref(&rsp);

    char longarg[SHELL_PORT_LINE_MAX];
    memset(longarg, 'x', sizeof(longarg) - 1);
    longarg[sizeof(longarg) - 1] = '\0';
    const char *lng[] = {"echo", longarg};
    rsp = run(2, lng, NULL, 0);
    expect_group_err(rsp, SMP_GROUP_SHELL, SHELL_ERR_COMMAND_TOO_LONG);
    cbor_decref(&rsp);
    /* v1: translated to an rc. */
    struct req r;
    req_init(&r);
    smp_cbor_put_map(&r.enc, 1);
    smp_cbor_put_tstr(&r.enc, "argv");
    smp_cbor_put_array(&r.enc, 0);
    rsp = bench_req(&b, SMP_V1, SMP_OP_WRITE, SMP_GROUP_SHELL, SHELL_ID_EXEC, r.buf, req_len(&r));
    expect_rc(rsp, smp_translate_group_err(SMP_GROUP_SHELL, SHELL_ERR_EMPTY_COMMAND));
    cbor_decref(&rsp);
}

static void test_malformed(void **state)
{
    static const uint8_t no_argv[] = {0xa0};
    cbor_item_t *rsp =
        bench_req(&b, SMP_V2, SMP_OP_WRITE, SMP_GROUP_SHELL, SHELL_ID_EXEC, no_argv, sizeof(no_argv));
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    /* {"argv": "echo"}: not an array. */
    static const uint8_t not_array[] = {0xa1, 0x64, 'a', 'r', 'g', 'v', 0x64, 'e', 'c', 'h', 'o'};
    rsp = bench_req(&b, SMP_V2, SMP_OP_WRITE, SMP_GROUP_SHELL, SHELL_ID_EXEC, not_array, sizeof(not_array));
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    /* {"argv": ["echo", 1]} */
    static const uint8_t int_arg[] = {0xa1, 0x64, 'a', 'r', 'g', 'v', 0x82,
                                      0x64, 'e', 'c', 'h', 'o', 0x01};
    rsp = bench_req(&b, SMP_V2, SMP_OP_WRITE, SMP_GROUP_SHELL, SHELL_ID_EXEC, int_arg, sizeof(int_arg));
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    /* {"argv": ["echo", "a\0b"]} */
    static const uint8_t nul_arg[] = {0xa1, 0x64, 'a', 'r', 'g', 'v', 0x82,
                                      0x64, 'e', 'c', 'h', 'o', 0x63, 'a', 0x00, 'b'};
    rsp = bench_req(&b, SMP_V2, SMP_OP_WRITE, SMP_GROUP_SHELL, SHELL_ID_EXEC, nul_arg, sizeof(nul_arg));
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    /* {"argv": ["echo", h'ff' as text]}: not UTF-8. */
    static const uint8_t bad_utf8[] = {0xa1, 0x64, 'a', 'r', 'g', 'v', 0x82,
                                       0x64, 'e', 'c', 'h', 'o', 0x62, 'a', 0xff};
    rsp = bench_req(&b, SMP_V2, SMP_OP_WRITE, SMP_GROUP_SHELL, SHELL_ID_EXEC, bad_utf8, sizeof(bad_utf8));
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    /* Read op: not supported. */
    rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_SHELL, SHELL_ID_EXEC, no_argv, sizeof(no_argv));
    expect_rc(rsp, SMP_ERR_ENOTSUP);
    cbor_decref(&rsp);
}

static void test_indefinite_argv(void **state)
{
    /* {_ "argv": [_ "echo", (_ "in", "def")]}: indefinite map, array and string. */
    static const uint8_t req[] = {0xbf, 0x64, 'a', 'r', 'g', 'v', 0x9f, 0x64, 'e', 'c', 'h', 'o',
                                  0x7f, 0x62, 'i', 'n', 0x63, 'd', 'e', 'f', 0xff, 0xff, 0xff};
    cbor_item_t *rsp = bench_req(&b, SMP_V2, SMP_OP_WRITE, SMP_GROUP_SHELL, SHELL_ID_EXEC, req, sizeof(req));
    char out[32];
    size_t n = map_bytes(rsp, "o", out, sizeof(out) - 1);
    out[n] = '\0';
    assert_string_equal(out, "indef\n");
    cbor_decref(&rsp);
}

static void test_output_cut_to_buffer(void **state)
{
    b.srv.cfg.buf_size = 96;
    const char *help[] = {"help"};
    char out[256];
    cbor_item_t *rsp = run(1, help, out, sizeof(out));
    assert_true(b.rsp_len <= 96);
    assert_int_equal(map_int(rsp, "ret"), 0);
    assert_true(strlen(out) > 20);
    assert_memory_equal(out, "Available commands:\n", 20);
    cbor_decref(&rsp);
}

/* A port whose command prints bytes that are not UTF-8. */
static int binary_exec(void *ctx, int argc, const char *const argv[], char *out, size_t out_size,
                       size_t *out_len, int *ret)
{
    static const char bytes[] = "ok \xc3\xa9 \xff\xfe \xe2\x82";  /* é, junk, a cut euro sign */
    size_t n = sizeof(bytes) - 1;
    memcpy(out, bytes, n);
    *out_len = n;
    *ret = 0;
    return 0;
}

static void test_output_made_utf8(void **state)
{
    struct shell_port bin = {.exec = binary_exec, .ctx = NULL};
    b.port.shell = &bin;
    const char *argv[] = {"dump"};
    char out[64];
    cbor_item_t *rsp = run(1, argv, out, sizeof(out));  /* libcbor checks the UTF-8 */
    assert_string_equal(out, "ok \xc3\xa9 ?? ??");
    cbor_decref(&rsp);
    b.port.shell = &b.shell;
}

static void test_legacy_rc_and_no_port(void **state)
{
    server_init(&b.srv, &b.port, NULL);
    assert_int_equal(server_register_group(&b.srv, &shell_mgmt_group_legacy), 0);
    const char *argv[] = {"nothere"};
    char out[64];
    cbor_item_t *rsp = run(1, argv, out, sizeof(out));
    assert_int_equal(map_int(rsp, "rc"), SHELL_PORT_RET_NOT_FOUND);
    assert_null(map_get(rsp, "ret"));
    cbor_decref(&rsp);
    b.port.shell = NULL;
    rsp = run(1, argv, NULL, 0);
    expect_rc(rsp, SMP_ERR_ENOTSUP);
    cbor_decref(&rsp);
}

/* Exact bytes, worked out by hand: v2 write 9/0 {"argv": ["echo", "hi"]}
 * -> {"o": "hi\n", "ret": 0}. */
static const uint8_t echo_req[] = {0x0a, 0x00, 0x00, 0x0f, 0x00, 0x09, 0x01, 0x00,
                                   0xa1, 0x64, 'a', 'r', 'g', 'v', 0x82,
                                   0x64, 'e', 'c', 'h', 'o', 0x62, 'h', 'i'};
static const uint8_t echo_rsp[] = {0x0b, 0x00, 0x00, 0x0c, 0x00, 0x09, 0x01, 0x00,
                                   0xa2, 0x61, 'o', 0x63, 'h', 'i', '\n',
                                   0x63, 'r', 'e', 't', 0x00};

static void test_golden_bytes(void **state)
{
    assert_int_equal(echo_req[3], sizeof(echo_req) - 8);
    assert_int_equal(echo_rsp[3], sizeof(echo_rsp) - 8);
    assert_int_equal(bench_raw(&b, echo_req, sizeof(echo_req)), sizeof(echo_rsp));
    assert_memory_equal(b.rsp, echo_rsp, sizeof(echo_rsp));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_echo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_uptime, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flash_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_settings_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help_and_unknown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_and_too_long, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indefinite_argv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_cut_to_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_made_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_legacy_rc_and_no_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_golden_bytes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
