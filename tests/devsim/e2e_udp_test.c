/* End to end over UDP: upload of a signed image, test, reset, the new image active, confirm;
 * then a `crash` app: upload, test, reset, the watchdog catches it, the bootloader reverts and
 * the board is back on the old image, confirmed. Also: UDP with injected loss, duplication
 * and reordering still completes an upload. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
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

static void udp_update_then_crash_reverts(void **state)
{
    (void)state;
    board_init(&B, "udp");
    char v1[H_PATH], v2[H_PATH], bad[H_PATH];
    assert_int_equal(make_signed_app(&B, "v1", "1.0.0", "normal", v1, sizeof v1), 0);
    assert_int_equal(make_signed_app(&B, "v2", "1.1.0", "normal", v2, sizeof v2), 0);
    assert_int_equal(make_signed_app(&B, "crash", "2.0.0", "crash", bad, sizeof bad), 0);
    assert_int_equal(flash_image(&B, v1, 0), 0);
    const char *extra[] = { "--no-timing", "--watchdog-ms", "200", NULL };
    assert_int_equal(board_start(&B, extra), 0);
    board_assert_logged(&B, "app: running 1.0.0", 1);
    assert_true(B.udp[0] != '\0');

    struct smp_tc c;
    assert_int_equal(smp_tc_open_udp(&c, B.udp), 0);
    char out[32];
    assert_int_equal(smp_tc_echo(&c, "udp", out, sizeof out), 0);
    assert_string_equal(out, "udp");
    uint32_t size, count;
    assert_int_equal(smp_tc_params(&c, &size, &count), 0);

    /* A good update over UDP. */
    uint8_t h2[32];
    board_upload_file(&c, v2, h2);
    assert_int_equal(smp_tc_image_state_write(&c, h2, false), 0);
    assert_int_equal(smp_tc_reset(&c), 0);
    board_assert_logged(&B, "app: running 1.1.0", 1);
    assert_int_equal(board_log_count(&B, "boot: booting 1.1.0 from slot 0; swap type test"), 1);
    assert_int_equal(smp_tc_image_state_write(&c, NULL, true), 0);
    struct smp_tc_image list[4];
    size_t n;
    assert_int_equal(smp_tc_image_list(&c, list, 4, &n), 0);
    const struct smp_tc_image *s0 = smp_tc_find_slot(list, n, 0);
    assert_non_null(s0);
    assert_string_equal(s0->version, "1.1.0");
    assert_true(s0->active && s0->confirmed);

    /* A crashing update: the watchdog resets it and the bootloader reverts. */
    uint8_t hc[32];
    board_upload_file(&c, bad, hc);
    assert_int_equal(smp_tc_image_state_write(&c, hc, false), 0);
    assert_int_equal(smp_tc_reset(&c), 0);
    board_assert_logged(&B, "app: running 2.0.0 (crash)", 1);
    board_assert_logged(&B, "app: crashed", 1);
    board_assert_logged(&B, "reset: watchdog expired", 1);
    board_assert_logged(&B, "boot: booting 1.1.0 from slot 0; swap type revert", 1);
    board_assert_logged(&B, "app: running 1.1.0", 2);

    assert_int_equal(smp_tc_image_list(&c, list, 4, &n), 0);
    s0 = smp_tc_find_slot(list, n, 0);
    const struct smp_tc_image *s1 = smp_tc_find_slot(list, n, 1);
    assert_non_null(s0);
    assert_string_equal(s0->version, "1.1.0");
    assert_true(s0->active && s0->confirmed);
    assert_non_null(s1);
    assert_string_equal(s1->version, "2.0.0");
    assert_false(s1->pending);
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);
}

static void udp_faults_do_not_break_an_upload(void **state)
{
    (void)state;
    board_init(&B, "udp_faults");
    char v1[H_PATH], v2[H_PATH];
    assert_int_equal(make_signed_app(&B, "v1", "1.0.0", "normal", v1, sizeof v1), 0);
    assert_int_equal(make_signed_app(&B, "v2", "1.0.1", "normal", v2, sizeof v2), 0);
    assert_int_equal(flash_image(&B, v1, 0), 0);
    const char *extra[] = { "--no-timing", "--udp-drop", "0.1", "--udp-dup", "0.1",
                            "--udp-reorder", "0.1", "--seed", "7", NULL };
    assert_int_equal(board_start(&B, extra), 0);
    board_assert_logged(&B, "app: running 1.0.0", 1);
    struct smp_tc c;
    assert_int_equal(smp_tc_open_udp(&c, B.udp), 0);
    c.timeout_ms = 300;
    c.tries = 10;
    uint8_t h2[32];
    board_upload_file(&c, v2, h2);
    assert_true(c.timeouts > 0);  /* the faults were felt ... */
    assert_true(board_log_count(&B, "(fault injection)") > 0);
    struct smp_tc_image list[4];
    size_t n;
    assert_int_equal(smp_tc_image_list(&c, list, 4, &n), 0);
    const struct smp_tc_image *s1 = smp_tc_find_slot(list, n, 1);
    assert_non_null(s1);  /* ... and the image arrived whole (its hash TLV is intact) */
    assert_memory_equal(s1->hash, h2, 32);
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(udp_update_then_crash_reverts, teardown),
        cmocka_unit_test_teardown(udp_faults_do_not_break_an_upload, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
