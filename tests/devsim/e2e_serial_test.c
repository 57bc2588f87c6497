/* End to end over the serial port (the pty): echo, image state, upload of a signed image,
 * test, reset, the new image active after the swap, confirm; then the same pty path after a
 * SIGHUP reset and a clean stop that removes the symlink. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include "dfukit/smp_cbor.h"
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

static void serial_update_flow(void **state)
{
    (void)state;
    board_init(&B, "serial");
    char v1[H_PATH], v2[H_PATH];
    assert_int_equal(make_signed_app(&B, "v1", "1.0.0", "normal", v1, sizeof v1), 0);
    assert_int_equal(make_signed_app(&B, "v2", "2.0.0", "normal", v2, sizeof v2), 0);
    assert_int_equal(flash_image(&B, v1, 0), 0);
    char fs_root[H_PATH];
    board_path(&B, "fs", fs_root, sizeof fs_root);
    const char *extra[] = { "--no-timing", "--fs-root", fs_root, NULL };
    assert_int_equal(board_start(&B, extra), 0);
    board_assert_logged(&B, "app: running 1.0.0", 1);
    assert_true(board_log_count(&B, "boot: booting 1.0.0 from slot 0; swap type none") == 1);

    struct smp_tc c;
    assert_int_equal(smp_tc_open_serial(&c, B.link), 0);
    char out[64];
    assert_int_equal(smp_tc_echo(&c, "hello board", out, sizeof out), 0);
    assert_string_equal(out, "hello board");
    uint32_t size = 0, count = 0;
    assert_int_equal(smp_tc_params(&c, &size, &count), 0);
    assert_int_equal(size, 384);  /* nRF52840 profile: Zephyr's defaults */
    assert_int_equal(count, 4);

    /* The app serves every group: OS, image, stat, settings, FS, shell, enum. */
    static const uint8_t empty[] = { 0xa0 };
    assert_int_equal(smp_tc_request(&c, SMP_OP_READ, SMP_GROUP_ENUM, ENUM_ID_COUNT, empty, 1), 0);
    uint32_t groups = 0;
    struct smp_cbor_map_entry m[] = {
        { .key = "count", .decode = smp_cbor_dec_uint32, .out = &groups },
    };
    struct smp_cbor_dec d;
    smp_cbor_dec_init(&d, c.rsp, c.rsp_len);
    assert_int_equal(smp_cbor_decode_map(&d, m, 1), 0);
    assert_int_equal(groups, 7);

    struct smp_tc_image list[4];
    size_t n = 0;
    assert_int_equal(smp_tc_image_list(&c, list, 4, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].version, "1.0.0");
    assert_true(list[0].active && list[0].confirmed);

    size_t len;
    uint8_t *img = read_whole(v2, &len);
    assert_non_null(img);
    uint8_t hash[32];
    assert_int_equal(image_hash_of(img, len, hash), 0);
    assert_int_equal(smp_tc_image_upload(&c, img, len), 0);
    free(img);

    assert_int_equal(smp_tc_image_list(&c, list, 4, &n), 0);
    const struct smp_tc_image *s1 = smp_tc_find_slot(list, n, 1);
    assert_non_null(s1);
    assert_string_equal(s1->version, "2.0.0");
    assert_memory_equal(s1->hash, hash, 32);
    assert_false(s1->pending);

    assert_int_equal(smp_tc_image_state_write(&c, hash, false), 0);
    assert_int_equal(smp_tc_image_list(&c, list, 4, &n), 0);
    s1 = smp_tc_find_slot(list, n, 1);
    assert_non_null(s1);
    assert_true(s1->pending);
    assert_false(s1->permanent);

    assert_int_equal(smp_tc_reset(&c), 0);
    board_assert_logged(&B, "app: running 2.0.0", 1);
    assert_int_equal(board_log_count(&B, "boot: booting 2.0.0 from slot 0; swap type test"), 1);

    /* Same client, same pty path: the board came back behind it. */
    assert_int_equal(smp_tc_image_list(&c, list, 4, &n), 0);
    const struct smp_tc_image *s0 = smp_tc_find_slot(list, n, 0);
    s1 = smp_tc_find_slot(list, n, 1);
    assert_non_null(s0);
    assert_non_null(s1);
    assert_string_equal(s0->version, "2.0.0");
    assert_true(s0->active);
    assert_false(s0->confirmed);
    assert_string_equal(s1->version, "1.0.0");
    assert_true(s1->confirmed);

    assert_int_equal(smp_tc_image_state_write(&c, NULL, true), 0);
    assert_int_equal(smp_tc_image_list(&c, list, 4, &n), 0);
    s0 = smp_tc_find_slot(list, n, 0);
    assert_non_null(s0);
    assert_true(s0->active && s0->confirmed);

    /* SIGHUP resets too; a confirmed image stays. */
    kill(B.pid, SIGHUP);
    board_assert_logged(&B, "app: running 2.0.0", 2);
    assert_int_equal(board_log_count(&B, "reset: SIGHUP"), 1);
    assert_int_equal(board_log_count(&B, "boot: booting 2.0.0 from slot 0; swap type none"), 1);
    assert_int_equal(smp_tc_echo(&c, "still here", out, sizeof out), 0);
    assert_string_equal(out, "still here");
    smp_tc_close(&c);

    assert_int_equal(board_stop(&B), 0);
    assert_int_equal(access(B.link, F_OK), -1);  /* the symlink is gone */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(serial_update_flow, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
