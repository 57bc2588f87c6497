/* Links and app behaviours, end to end: raw binary SMP on the serial port, serial bit errors
 * (frames with a bad CRC are dropped, the client's retries get through), SMP over IPv6 UDP,
 * a `hang` app caught by the watchdog and reverted, and an update on the STM32F4 profile with a
 * `self-confirm` app. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "e2e_steps.h"
#include "smp_test_client.h"

static struct board B;

static int teardown(void **state)
{
    (void)state;
    board_kill(&B);
    return 0;
}

static void start_v1(const char *name, const char *const extra[], char *v1, size_t cap)
{
    board_init(&B, name);
    assert_int_equal(make_signed_app(&B, "v1", "1.0.0", "normal", v1, cap), 0);
    assert_int_equal(flash_image(&B, v1, 0), 0);
    assert_int_equal(board_start(&B, extra), 0);
    board_assert_logged(&B, "app: running 1.0.0", 1);
}

static void raw_serial_carries_smp(void **state)
{
    (void)state;
    char v1[H_PATH];
    const char *extra[] = { "--no-timing", "--raw-serial", NULL };
    start_v1("raw", extra, v1, sizeof v1);
    struct smp_tc c;
    assert_int_equal(smp_tc_open_serial_raw(&c, B.link), 0);
    char out[32];
    assert_int_equal(smp_tc_echo(&c, "raw bytes", out, sizeof out), 0);
    assert_string_equal(out, "raw bytes");
    size_t len;
    uint8_t *img = read_whole(v1, &len);
    assert_non_null(img);
    uint8_t hash[32];
    assert_int_equal(image_hash_of(img, len, hash), 0);
    free(img);
    struct smp_tc_image list[2];
    size_t n;
    assert_int_equal(smp_tc_image_list(&c, list, 2, &n), 0);
    assert_int_equal(n, 1);
    assert_memory_equal(list[0].hash, hash, 32);
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);
}

static void serial_bit_errors_are_survived_by_retries(void **state)
{
    (void)state;
    char v1[H_PATH];
    const char *extra[] = { "--no-timing", "--serial-ber", "0.0005", "--seed", "3", NULL };
    start_v1("ber", extra, v1, sizeof v1);
    struct smp_tc c;
    assert_int_equal(smp_tc_open_serial(&c, B.link), 0);
    c.timeout_ms = 200;
    c.tries = 30;
    for (int i = 0; i < 20; i++) {
        char text[40], out[40];
        snprintf(text, sizeof text, "message number %d", i);
        assert_int_equal(smp_tc_echo(&c, text, out, sizeof out), 0);
        assert_string_equal(out, text);
    }
    assert_true(c.timeouts > 0);  /* some frames were hit and dropped */
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);
}

static void udp_over_ipv6(void **state)
{
    (void)state;
    char v1[H_PATH];
    const char *extra[] = { "--no-timing", "--udp", "[::1]:0", NULL };
    start_v1("ipv6", extra, v1, sizeof v1);
    if (B.udp6[0] == '\0') {
        board_dump_log(&B);
        fail_msg("no IPv6 listener");
    }
    struct smp_tc c;
    assert_int_equal(smp_tc_open_udp(&c, B.udp6), 0);
    char out[32];
    assert_int_equal(smp_tc_echo(&c, "over v6", out, sizeof out), 0);
    assert_string_equal(out, "over v6");
    smp_tc_close(&c);
    /* The IPv4 listener serves at the same time. */
    assert_int_equal(smp_tc_open_udp(&c, B.udp), 0);
    assert_int_equal(smp_tc_echo(&c, "over v4", out, sizeof out), 0);
    assert_string_equal(out, "over v4");
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);
}

static void hanging_app_is_reverted(void **state)
{
    (void)state;
    char v1[H_PATH], hang[H_PATH];
    const char *extra[] = { "--no-timing", "--watchdog-ms", "150", NULL };
    start_v1("hang", extra, v1, sizeof v1);
    assert_int_equal(make_signed_app(&B, "hang", "3.0.0", "hang", hang, sizeof hang), 0);
    struct smp_tc c;
    assert_int_equal(smp_tc_open_udp(&c, B.udp), 0);
    size_t len;
    uint8_t *img = read_whole(hang, &len);
    assert_non_null(img);
    uint8_t h[32];
    assert_int_equal(image_hash_of(img, len, h), 0);
    assert_int_equal(smp_tc_image_upload(&c, img, len), 0);
    free(img);
    assert_int_equal(smp_tc_image_state_write(&c, h, false), 0);
    assert_int_equal(smp_tc_reset(&c), 0);
    board_assert_logged(&B, "app: running 3.0.0 (hang)", 1);
    board_assert_logged(&B, "app: hung", 1);
    board_assert_logged(&B, "reset: watchdog expired", 1);
    board_assert_logged(&B, "boot: booting 1.0.0 from slot 0; swap type revert", 1);
    board_assert_logged(&B, "app: running 1.0.0", 2);
    struct smp_tc_image list[2];
    size_t n;
    assert_int_equal(smp_tc_image_list(&c, list, 2, &n), 0);
    const struct smp_tc_image *s0 = smp_tc_find_slot(list, n, 0);
    assert_non_null(s0);
    assert_string_equal(s0->version, "1.0.0");
    assert_true(s0->confirmed);
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);
}

/* The STM32F4 profile: mixed 16/64/128 KiB sectors, byte writes, 128 KiB scratch. */
static void stm32f4_update_flow(void **state)
{
    (void)state;
    board_init(&B, "stm32f4");
    B.profile = "stm32f4";
    B.slot_size = "0x60000";
    char v1[H_PATH], v2[H_PATH];
    assert_int_equal(make_signed_app(&B, "v1", "1.0.0", "normal", v1, sizeof v1), 0);
    assert_int_equal(make_signed_app(&B, "v2", "2.0.0", "self-confirm", v2, sizeof v2), 0);
    assert_int_equal(flash_image(&B, v1, 0), 0);
    const char *extra[] = { "--no-timing", NULL };
    assert_int_equal(board_start(&B, extra), 0);
    board_assert_logged(&B, "app: running 1.0.0", 1);
    struct smp_tc c;
    assert_int_equal(smp_tc_open_serial(&c, B.link), 0);
    size_t len;
    uint8_t *img = read_whole(v2, &len);
    assert_non_null(img);
    uint8_t h2[32];
    assert_int_equal(image_hash_of(img, len, h2), 0);
    assert_int_equal(smp_tc_image_upload(&c, img, len), 0);
    free(img);
    assert_int_equal(smp_tc_image_state_write(&c, h2, false), 0);
    assert_int_equal(smp_tc_reset(&c), 0);
    board_assert_logged(&B, "boot: booting 2.0.0 from slot 0; swap type test", 1);
    board_assert_logged(&B, "app: confirmed its image", 1);  /* self-confirm */
    struct smp_tc_image list[2];
    size_t n;
    assert_int_equal(smp_tc_image_list(&c, list, 2, &n), 0);
    const struct smp_tc_image *s0 = smp_tc_find_slot(list, n, 0);
    assert_non_null(s0);
    assert_memory_equal(s0->hash, h2, 32);
    assert_true(s0->active && s0->confirmed);
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(raw_serial_carries_smp, teardown),
        cmocka_unit_test_teardown(serial_bit_errors_are_survived_by_retries, teardown),
        cmocka_unit_test_teardown(udp_over_ipv6, teardown),
        cmocka_unit_test_teardown(hanging_app_is_reverted, teardown),
        cmocka_unit_test_teardown(stm32f4_update_flow, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
