/* OS group (0): every command with its success and error responses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

#include "dfukit/err.h"

enum { ECHO = 0, TASKSTAT = 2, MPSTAT = 3, DATETIME = 4, RESET = 5, PARAMS = 6, INFO = 7, BOOTINFO = 8 };

static int setup(void **state)
{
    (void)state;
    fx_setup(8, NULL);
    return 0;
}

static void expect_tstr(const char *key, const char *want)
{
    struct smp_cbor_dec d;
    struct smp_cbor_str s;
    if (!fx_find(key, &d)) {
        fail_msg("no \"%s\"", key);
    }
    assert_int_equal(smp_cbor_get_tstr(&d, &s), 0);
    if (!smp_cbor_str_eq(&s, want)) {
        fail_msg("\"%s\": got \"%.*s\", want \"%s\"", key, (int)s.len, (const char *)s.ptr, want);
    }
}

static void send_str(uint8_t ver, uint8_t op, uint8_t id, const char *key, const char *val)
{
    struct smp_cbor_enc *e = fx_payload();
    smp_cbor_put_map(e, 1);
    smp_cbor_put_kv_tstr(e, key, val);
    fx_send(ver, op, SMP_GROUP_OS, id);
}

static void test_echo(void **state)
{
    (void)state;
    send_str(SMP_V1, SMP_OP_WRITE, ECHO, "d", "hello");
    const uint8_t want[] = {0xa1, 0x61, 'r', 0x65, 'h', 'e', 'l', 'l', 'o'};
    fx_expect_payload(want, sizeof(want));
    send_str(SMP_V2, SMP_OP_READ, ECHO, "d", "hello");
    fx_expect_payload(want, sizeof(want));
    /* indefinite request map with an unknown key before "d" */
    const uint8_t indef[] = {0xbf, 0x61, 'z', 0x82, 0x01, 0x02, 0x61, 'd', 0x62, 'h', 'i', 0xff};
    fx_send_bytes(SMP_V2, SMP_OP_WRITE, SMP_GROUP_OS, ECHO, indef, sizeof(indef));
    expect_tstr("r", "hi");
    /* no "d": an empty echo, as Zephyr */
    fx_send_bytes(SMP_V2, SMP_OP_WRITE, SMP_GROUP_OS, ECHO, (const uint8_t *)"\xa0", 1);
    expect_tstr("r", "");
}

static void test_taskstat(void **state)
{
    (void)state;
    fx_send_bytes(SMP_V1, SMP_OP_READ, SMP_GROUP_OS, TASKSTAT, (const uint8_t *)"\xa0", 1);
    struct smp_cbor_dec d;
    assert_true(fx_find("tasks", &d));
    struct smp_cbor_container c;
    assert_int_equal(smp_cbor_enter_map(&d, &c), 0);
    assert_false(c.indef);
    assert_int_equal(c.left, 2);
    const char *names[] = {"idle", "main"};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(smp_cbor_more(&d, &c), 1);
        struct smp_cbor_str name;
        assert_int_equal(smp_cbor_get_tstr(&d, &name), 0);
        assert_true(smp_cbor_str_eq(&name, names[i]));
        uint64_t prio, tid, state_, stksiz, stkuse, runtime, csw, last, next;
        struct smp_cbor_map_entry k[] = {
            {"prio", smp_cbor_dec_uint64, &prio, false}, {"tid", smp_cbor_dec_uint64, &tid, false},
            {"state", smp_cbor_dec_uint64, &state_, false},
            {"stksiz", smp_cbor_dec_uint64, &stksiz, false},
            {"stkuse", smp_cbor_dec_uint64, &stkuse, false},
            {"runtime", smp_cbor_dec_uint64, &runtime, false},
            {"cswcnt", smp_cbor_dec_uint64, &csw, false},
            {"last_checkin", smp_cbor_dec_uint64, &last, false},
            {"next_checkin", smp_cbor_dec_uint64, &next, false},
        };
        assert_int_equal(smp_cbor_decode_map(&d, k, 9), 0);
        for (int j = 0; j < 9; j++) {
            assert_true(k[j].found);
        }
        assert_int_equal(prio, i == 0 ? 15 : 0);
        assert_int_equal(tid, i);
        assert_int_equal(stksiz, 256);
        assert_int_equal(stkuse, 40 + i);
        assert_int_equal(runtime, 1000 * i);
    }
    assert_int_equal(smp_cbor_more(&d, &c), 0);
    /* without the port hook: not supported */
    fx.port.task_get = NULL;
    fx_send_bytes(SMP_V1, SMP_OP_READ, SMP_GROUP_OS, TASKSTAT, (const uint8_t *)"\xa0", 1);
    fx_expect_rc_only(SMP_ERR_ENOTSUP);
}

static void test_mpstat(void **state)
{
    (void)state;
    fx_send_bytes(SMP_V1, SMP_OP_READ, SMP_GROUP_OS, MPSTAT, (const uint8_t *)"\xa0", 1);
    const uint8_t want[] = {0xa1, 0x66, 'm', 'p', 'o', 'o', 'l', 's', 0xa1, 0x64, 'm', 's', 'y',
                            's', 0xa4, 0x66, 'b', 'l', 'k', 's', 'i', 'z', 0x18, 0x80, 0x65, 'n',
                            'b', 'l', 'k', 's', 0x10, 0x65, 'n', 'f', 'r', 'e', 'e', 0x0a, 0x63,
                            'm', 'i', 'n', 0x03};
    fx_expect_payload(want, sizeof(want));
}

static void test_datetime(void **state)
{
    (void)state;
    fx_send_bytes(SMP_V2, SMP_OP_READ, SMP_GROUP_OS, DATETIME, (const uint8_t *)"\xa0", 1);
    fx_expect_err(SMP_GROUP_OS, OS_ERR_RTC_NOT_SET);
    fx_send_bytes(SMP_V1, SMP_OP_READ, SMP_GROUP_OS, DATETIME, (const uint8_t *)"\xa0", 1);
    fx_expect_rc_only(SMP_ERR_ENOENT);

    send_str(SMP_V1, SMP_OP_WRITE, DATETIME, "datetime", "2024-02-29T13:45:10");
    fx_expect_payload((const uint8_t *)"\xa0", 1);
    assert_true(fx.rtc_set);
    assert_int_equal(fx.rtc.year, 2024);
    assert_int_equal(fx.rtc.month, 2);
    assert_int_equal(fx.rtc.day, 29);
    assert_int_equal(fx.rtc.hour, 13);
    assert_int_equal(fx.rtc.minute, 45);
    assert_int_equal(fx.rtc.second, 10);
    assert_int_equal(fx.rtc.usec, 0);
    fx_send_bytes(SMP_V1, SMP_OP_READ, SMP_GROUP_OS, DATETIME, (const uint8_t *)"\xa0", 1);
    expect_tstr("datetime", "2024-02-29T13:45:10");

    /* RFC 3339 with a fraction and a zone (the zone is ignored) */
    send_str(SMP_V1, SMP_OP_WRITE, DATETIME, "datetime", "2025-12-31T23:59:58.25+01:00");
    assert_int_equal(fx_rc(), 0);
    assert_int_equal(fx.rtc.usec, 250000);
    assert_int_equal(fx.rtc.hour, 23);
    send_str(SMP_V1, SMP_OP_WRITE, DATETIME, "datetime", "2025-01-02T03:04:05Z");
    assert_int_equal(fx_rc(), 0);
    assert_int_equal(fx.rtc.second, 5);

    /* refused without touching the clock */
    const char *bad[] = {"2024-13-01T00:00:00", "2024-02-29T24:00:00", "2024-02-29T13:45",
                         "not a date at all!!", "2024-02-29T13:45:10+0100",
                         "2024-02-29T13:45:10.", "20240-2-29T13:45:10"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        send_str(SMP_V2, SMP_OP_WRITE, DATETIME, "datetime", bad[i]);
        fx_expect_rc_only(SMP_ERR_EINVAL);
        assert_int_equal(fx.rtc.year, 2025);
        assert_int_equal(fx.rtc.second, 5);
    }
    struct smp_cbor_enc *e = fx_payload();
    smp_cbor_put_map(e, 1);
    smp_cbor_put_kv_uint(e, "datetime", 1700000000);
    fx_send(SMP_V2, SMP_OP_WRITE, SMP_GROUP_OS, DATETIME);
    fx_expect_rc_only(SMP_ERR_EINVAL);
    fx_send_bytes(SMP_V2, SMP_OP_WRITE, SMP_GROUP_OS, DATETIME, (const uint8_t *)"\xa0", 1);
    fx_expect_rc_only(SMP_ERR_EINVAL);

    fx.rtc_broken = true;
    fx_send_bytes(SMP_V2, SMP_OP_READ, SMP_GROUP_OS, DATETIME, (const uint8_t *)"\xa0", 1);
    fx_expect_err(SMP_GROUP_OS, OS_ERR_RTC_COMMAND_FAILED);
    send_str(SMP_V2, SMP_OP_WRITE, DATETIME, "datetime", "2024-02-29T13:45:10");
    fx_expect_err(SMP_GROUP_OS, OS_ERR_RTC_COMMAND_FAILED);
}

static void test_reset(void **state)
{
    (void)state;
    fx.reset_veto = DFU_EBUSY;
    fx_send_bytes(SMP_V1, SMP_OP_WRITE, SMP_GROUP_OS, RESET, (const uint8_t *)"\xa0", 1);
    fx_expect_rc_only(SMP_ERR_EBUSY);
    assert_false(server_reset_requested(&fx.srv));
    assert_int_equal(fx.reset_calls, 1);
    assert_false(fx.reset_force);

    /* force as the bool Zephyr decodes */
    struct smp_cbor_enc *e = fx_payload();
    smp_cbor_put_map(e, 1);
    smp_cbor_put_kv_bool(e, "force", true);
    fx_send(SMP_V1, SMP_OP_WRITE, SMP_GROUP_OS, RESET);
    fx_expect_payload((const uint8_t *)"\xa0", 1);
    assert_true(fx.reset_force);
    assert_true(server_reset_requested(&fx.srv));

    /* force as the int the documentation gives */
    fx_setup(8, NULL);
    fx.reset_veto = DFU_EBUSY;
    e = fx_payload();
    smp_cbor_put_map(e, 1);
    smp_cbor_put_kv_uint(e, "force", 1);
    fx_send(SMP_V2, SMP_OP_WRITE, SMP_GROUP_OS, RESET);
    assert_int_equal(fx_rc(), 0);
    assert_true(server_reset_requested(&fx.srv));

    /* an undecodable force is ignored: no force, so the veto holds */
    fx_setup(8, NULL);
    fx.reset_veto = DFU_EBUSY;
    e = fx_payload();
    smp_cbor_put_map(e, 1);
    smp_cbor_put_kv_tstr(e, "force", "yes");
    fx_send(SMP_V2, SMP_OP_WRITE, SMP_GROUP_OS, RESET);
    fx_expect_rc_only(SMP_ERR_EBUSY);
    assert_false(server_reset_requested(&fx.srv));

    /* no veto: the Go client's exact request is accepted */
    fx_setup(8, NULL);
    const uint8_t go_req[] = {0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x42, 0x05, 0xa0};
    assert_int_equal(fx_raw(go_req, sizeof(go_req)), 9);
    const uint8_t want[] = {0x03, 0x00, 0x00, 0x01, 0x00, 0x00, 0x42, 0x05, 0xa0};
    assert_memory_equal(fx.rsp, want, sizeof(want));
    assert_true(server_reset_requested(&fx.srv));
}

static void test_params(void **state)
{
    (void)state;
    fx_send_bytes(SMP_V2, SMP_OP_READ, SMP_GROUP_OS, PARAMS, (const uint8_t *)"\xa0", 1);
    assert_int_equal(fx_uint("buf_size"), SMP_BUF_SIZE);
    assert_int_equal(fx_uint("buf_count"), SMP_BUF_COUNT);
    struct server_config cfg = {.buf_size = 384, .buf_count = 2};
    fx_setup(8, &cfg);
    fx_send_bytes(SMP_V2, SMP_OP_READ, SMP_GROUP_OS, PARAMS, (const uint8_t *)"\xa0", 1);
    const uint8_t want[] = {0xa2, 0x68, 'b', 'u', 'f', '_', 's', 'i', 'z', 'e', 0x19, 0x01, 0x80,
                            0x69, 'b', 'u', 'f', '_', 'c', 'o', 'u', 'n', 't', 0x02};
    fx_expect_payload(want, sizeof(want));
}

static void test_info(void **state)
{
    (void)state;
    fx_send_bytes(SMP_V2, SMP_OP_READ, SMP_GROUP_OS, INFO, (const uint8_t *)"\xa0", 1);
    expect_tstr("output", "Zephyr");
    send_str(SMP_V2, SMP_OP_READ, INFO, "format", "");
    expect_tstr("output", "Zephyr");
    send_str(SMP_V2, SMP_OP_READ, INFO, "format", "a");
    expect_tstr("output", "Zephyr devsim 1.0.0 v3.7.0 2026-11-25T12:00:00 arm cortex_m4 "
                          "nrf52840dk Zephyr");
    /* output in bit order, whatever the request order; repeats are harmless */
    send_str(SMP_V2, SMP_OP_READ, INFO, "format", "imsvs");
    expect_tstr("output", "Zephyr v3.7.0 arm nrf52840dk");
    send_str(SMP_V2, SMP_OP_READ, INFO, "format", "nrbpo");
    expect_tstr("output", "devsim 1.0.0 2026-11-25T12:00:00 cortex_m4 Zephyr");
    fx.port.os.node_name = NULL;
    send_str(SMP_V2, SMP_OP_READ, INFO, "format", "n");
    expect_tstr("output", "unknown");
    send_str(SMP_V2, SMP_OP_READ, INFO, "format", "sx");
    fx_expect_err(SMP_GROUP_OS, OS_ERR_INVALID_FORMAT);
    send_str(SMP_V1, SMP_OP_READ, INFO, "format", "q");
    fx_expect_rc_only(SMP_ERR_EINVAL);
}

static void test_bootloader_info(void **state)
{
    (void)state;
    fx_send_bytes(SMP_V2, SMP_OP_READ, SMP_GROUP_OS, BOOTINFO, (const uint8_t *)"\xa0", 1);
    const uint8_t name[] = {0xa1, 0x6a, 'b', 'o', 'o', 't', 'l', 'o', 'a', 'd', 'e', 'r', 0x67,
                            'M', 'C', 'U', 'b', 'o', 'o', 't'};
    fx_expect_payload(name, sizeof(name));
    send_str(SMP_V2, SMP_OP_READ, BOOTINFO, "query", "mode");
    const uint8_t mode[] = {0xa1, 0x64, 'm', 'o', 'd', 'e', 0x01};
    fx_expect_payload(mode, sizeof(mode));
    fx.port.boot.no_downgrade = true;
    fx.port.boot.mode = SERVER_BOOT_MODE_UNKNOWN;
    send_str(SMP_V2, SMP_OP_READ, BOOTINFO, "query", "mode");
    const uint8_t mode_nd[] = {0xa2, 0x64, 'm', 'o', 'd', 'e', 0x20, 0x6c, 'n', 'o', '-', 'd',
                               'o', 'w', 'n', 'g', 'r', 'a', 'd', 'e', 0xf5};
    fx_expect_payload(mode_nd, sizeof(mode_nd));
    send_str(SMP_V2, SMP_OP_READ, BOOTINFO, "query", "slots");
    fx_expect_err(SMP_GROUP_OS, OS_ERR_QUERY_YIELDS_NO_ANSWER);
    send_str(SMP_V1, SMP_OP_READ, BOOTINFO, "query", "slots");
    fx_expect_rc_only(SMP_ERR_ENOENT);
    fx.port.boot.name = NULL;
    fx_send_bytes(SMP_V2, SMP_OP_READ, SMP_GROUP_OS, BOOTINFO, (const uint8_t *)"\xa0", 1);
    fx_expect_rc_only(SMP_ERR_ENOTSUP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_echo, setup),
        cmocka_unit_test_setup(test_taskstat, setup),
        cmocka_unit_test_setup(test_mpstat, setup),
        cmocka_unit_test_setup(test_datetime, setup),
        cmocka_unit_test_setup(test_reset, setup),
        cmocka_unit_test_setup(test_params, setup),
        cmocka_unit_test_setup(test_info, setup),
        cmocka_unit_test_setup(test_bootloader_info, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
