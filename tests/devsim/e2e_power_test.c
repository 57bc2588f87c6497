/* Power cuts and recovery, end to end through the devsim program:
 *  - a swap cut short by --power-cut-at-op (the process dies as the board does) resumes when
 *    devsim starts again, and ends on a valid image, whatever the step it was cut at;
 *  - stopping devsim (SIGTERM) while the bootloader's swap is under way in board time is a
 *    power cut at the operation in progress, and the next start ends on a valid image;
 *  - a power cut during an upload leaves the running image alone;
 *  - a blank board stays in the bootloader with serial recovery, which takes an upload into
 *    slot 0 and boots it after a reset;
 *  - a board whose only image is signed with an untrusted key is recovered the same way;
 *  - the recovery button (SIGUSR1) brings back a board whose confirmed app crashes at boot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <time.h>

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

static void upload_and_test(struct smp_tc *c, const char *path, uint8_t hash[32])
{
    board_upload_file(c, path, hash);
    assert_int_equal(smp_tc_image_state_write(c, hash, false), 0);
}

/* Powers the board on with a cut at the n-th flash operation: the swap starts and the
 * process dies with the board (exit code 3). */
static void boot_with_cut(uint64_t cut)
{
    char n[24];
    snprintf(n, sizeof n, "%llu", (unsigned long long)cut);
    const char *extra[] = { "--no-timing", "--power-cut-at-op", n, NULL };
    assert_int_equal(board_start(&B, extra), 0);
    int code = board_wait_exit(&B, 20000);
    if (code != 3) {
        board_dump_log(&B);
    }
    assert_int_equal(code, 3);  /* SIM_EXIT_POWER_CUT */
    char line[80];
    snprintf(line, sizeof line, "power: cut at flash operation %s;", n);
    assert_int_equal(board_log_count(&B, line), 1);
    assert_int_equal(board_log_count(&B, "app: running 2.0.0"), 0);
}

static void power_cut_mid_swap_ends_on_a_valid_image(void **state)
{
    (void)state;
    board_init(&B, "powercut");
    char v1[H_PATH], v2[H_PATH];
    assert_int_equal(make_signed_app(&B, "v1", "1.0.0", "normal", v1, sizeof v1), 0);
    assert_int_equal(make_signed_app(&B, "v2", "2.0.0", "normal", v2, sizeof v2), 0);
    uint8_t h1[32], h2[32];
    size_t len;
    uint8_t *img = read_whole(v1, &len);
    assert_non_null(img);
    assert_int_equal(image_hash_of(img, len, h1), 0);
    free(img);

    /* A swap of these images takes about 100 writes/erases: cut early, midway and late. */
    static const uint64_t cuts[] = { 1, 9, 33, 50, 75, 99 };
    for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
        /* Each round: v1 confirmed in slot 0, v2 uploaded and marked for test. */
        board_init(&B, "powercut");
        assert_int_equal(flash_image(&B, v1, 0), 0);
        const char *extra[] = { "--no-timing", NULL };
        assert_int_equal(board_start(&B, extra), 0);
        board_assert_logged(&B, "app: running 1.0.0", 1);
        struct smp_tc c;
        assert_int_equal(smp_tc_open_serial(&c, B.link), 0);
        upload_and_test(&c, v2, h2);
        smp_tc_close(&c);
        assert_int_equal(board_stop(&B), 0);  /* power off with the swap pending */

        boot_with_cut(cuts[k]);

        /* Power on for good: a valid image runs and both images are intact. */
        assert_int_equal(board_start(&B, extra), 0);
        board_assert_logged(&B, "app: running", 2);
        assert_int_equal(smp_tc_open_serial(&c, B.link), 0);
        struct smp_tc_image list[4];
        size_t count;
        assert_int_equal(smp_tc_image_list(&c, list, 4, &count), 0);
        const struct smp_tc_image *s0 = smp_tc_find_slot(list, count, 0);
        const struct smp_tc_image *s1 = smp_tc_find_slot(list, count, 1);
        assert_non_null(s0);
        assert_non_null(s1);
        assert_true(s0->active);
        bool v2_runs = memcmp(s0->hash, h2, 32) == 0;
        assert_memory_equal(s0->hash, v2_runs ? h2 : h1, 32);
        assert_memory_equal(s1->hash, v2_runs ? h1 : h2, 32);
        smp_tc_close(&c);
        assert_int_equal(board_stop(&B), 0);
    }
}

/* The busy time the log gives for the last boot ("flash busy for N ms"), or -1. */
static long boot_busy_ms(const struct board *b)
{
    size_t len;
    uint8_t *text = read_whole(b->log, &len);
    long ms = -1;
    const char *tag = "flash busy for ";
    for (size_t i = 0; text != NULL && i + strlen(tag) < len; i++) {
        if (memcmp(text + i, tag, strlen(tag)) == 0) {
            ms = strtol((const char *)text + i + strlen(tag), NULL, 10);
        }
    }
    free(text);
    return ms;
}

static void stopping_devsim_mid_swap_is_a_power_cut(void **state)
{
    (void)state;
    board_init(&B, "stop_mid_swap");
    char v1[H_PATH], v2[H_PATH];
    assert_int_equal(make_signed_app(&B, "v1", "1.0.0", "normal", v1, sizeof v1), 0);
    assert_int_equal(make_signed_app(&B, "v2", "2.0.0", "normal", v2, sizeof v2), 0);
    assert_int_equal(flash_image(&B, v1, 0), 0);
    const char *fast[] = { "--no-timing", NULL };
    assert_int_equal(board_start(&B, fast), 0);
    board_assert_logged(&B, "app: running 1.0.0", 1);
    struct smp_tc c;
    assert_int_equal(smp_tc_open_serial(&c, B.link), 0);
    uint8_t h2[32], h1[32];
    upload_and_test(&c, v2, h2);
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);
    size_t len;
    uint8_t *img = read_whole(v1, &len);
    assert_non_null(img);
    assert_int_equal(image_hash_of(img, len, h1), 0);
    free(img);

    /* With board time on, the swap takes a while (here ~1.4 s with 20 ms per page erase, a
     * quarter of the chip's): stop devsim halfway. */
    const char *timed[] = { "--erase-us", "20000", NULL };
    assert_int_equal(board_start(&B, timed), 0);
    board_assert_logged(&B, "flash busy for", 1);
    long busy = boot_busy_ms(&B);
    assert_true(busy >= 400);
    struct timespec ts = { .tv_sec = busy / 2000, .tv_nsec = (busy / 2 % 1000) * 1000000L };
    nanosleep(&ts, NULL);
    assert_int_equal(board_stop(&B), 0);
    assert_int_equal(board_log_count(&B, "power: lost during the bootloader's flash work"), 1);
    assert_int_equal(board_log_count(&B, "app: running 2.0.0"), 0);

    /* Power on again: the swap resumes and a valid image runs, both images intact. */
    assert_int_equal(board_start(&B, fast), 0);
    board_assert_logged(&B, "app: running", 2);
    assert_int_equal(smp_tc_open_serial(&c, B.link), 0);
    struct smp_tc_image list[4];
    size_t n;
    assert_int_equal(smp_tc_image_list(&c, list, 4, &n), 0);
    const struct smp_tc_image *s0 = smp_tc_find_slot(list, n, 0);
    const struct smp_tc_image *s1 = smp_tc_find_slot(list, n, 1);
    assert_non_null(s0);
    assert_non_null(s1);
    bool v2_runs = memcmp(s0->hash, h2, 32) == 0;
    assert_memory_equal(s0->hash, v2_runs ? h2 : h1, 32);
    assert_memory_equal(s1->hash, v2_runs ? h1 : h2, 32);
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);
}

static void power_cut_during_an_upload_keeps_the_running_image(void **state)
{
    (void)state;
    board_init(&B, "powercut_upload");
    char v1[H_PATH], v2[H_PATH];
    assert_int_equal(make_signed_app(&B, "v1", "1.0.0", "normal", v1, sizeof v1), 0);
    assert_int_equal(make_signed_app(&B, "v2", "2.0.0", "normal", v2, sizeof v2), 0);
    assert_int_equal(flash_image(&B, v1, 0), 0);
    /* The first power-on formats the settings partition; later flash operations are the
     * upload's erases and writes. */
    const char *extra[] = { "--no-timing", "--power-cut-at-op", "12", NULL };
    assert_int_equal(board_start(&B, extra), 0);
    board_assert_logged(&B, "app: running 1.0.0", 1);
    struct smp_tc c;
    assert_int_equal(smp_tc_open_udp(&c, B.udp), 0);
    c.tries = 1;
    c.timeout_ms = 500;
    size_t len;
    uint8_t *img = read_whole(v2, &len);
    assert_non_null(img);
    assert_int_not_equal(smp_tc_image_upload(&c, img, len), 0);
    free(img);
    smp_tc_close(&c);
    assert_int_equal(board_wait_exit(&B, 10000), 3);
    assert_int_equal(board_log_count(&B, "power: cut at flash operation 12;"), 1);

    const char *plain[] = { "--no-timing", NULL };
    assert_int_equal(board_start(&B, plain), 0);
    board_assert_logged(&B, "boot: booting 1.0.0 from slot 0; swap type none", 2);
    board_assert_logged(&B, "app: running 1.0.0", 2);
    assert_int_equal(smp_tc_open_udp(&c, B.udp), 0);
    struct smp_tc_image list[2];
    size_t n;
    assert_int_equal(smp_tc_image_list(&c, list, 2, &n), 0);
    const struct smp_tc_image *s0 = smp_tc_find_slot(list, n, 0);
    assert_non_null(s0);
    assert_true(s0->active && s0->confirmed);
    assert_string_equal(s0->version, "1.0.0");
    assert_null(smp_tc_find_slot(list, n, 1));  /* the torn upload is no image */
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);
}

static void blank_board_recovers_over_serial(void **state)
{
    (void)state;
    board_init(&B, "recovery");
    char v1[H_PATH];
    assert_int_equal(make_signed_app(&B, "v1", "1.0.0", "normal", v1, sizeof v1), 0);
    const char *extra[] = { "--no-timing", NULL };
    assert_int_equal(board_start(&B, extra), 0);  /* the flash file is created erased */
    board_assert_logged(&B, "boot: no bootable image", 1);
    board_assert_logged(&B, "recovery: serial recovery", 1);
    assert_int_equal(board_log_count(&B, "refused"), 0);  /* an erased slot is no refusal */

    struct smp_tc c;
    assert_int_equal(smp_tc_open_serial(&c, B.link), 0);
    struct smp_tc_image list[4];
    size_t n = 9;
    assert_int_equal(smp_tc_image_list(&c, list, 4, &n), 0);
    assert_int_equal(n, 0);
    size_t len;
    uint8_t *img = read_whole(v1, &len);
    assert_non_null(img);
    uint8_t h1[32];
    assert_int_equal(image_hash_of(img, len, h1), 0);
    assert_int_equal(smp_tc_image_upload(&c, img, len), 0);
    free(img);
    /* recovery lists its one slot once: the upload, in slot 0 */
    assert_int_equal(smp_tc_image_list(&c, list, 4, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].slot, 0);
    assert_memory_equal(list[0].hash, h1, 32);
    assert_int_equal(smp_tc_reset(&c), 0);
    board_assert_logged(&B, "boot: booting 1.0.0 from slot 0; swap type none", 1);
    board_assert_logged(&B, "app: running 1.0.0", 1);
    assert_int_equal(smp_tc_image_list(&c, list, 4, &n), 0);
    const struct smp_tc_image *s0 = smp_tc_find_slot(list, n, 0);
    assert_non_null(s0);
    assert_memory_equal(s0->hash, h1, 32);
    assert_true(s0->active && s0->confirmed);
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);
}

static void untrusted_image_falls_back_to_recovery(void **state)
{
    (void)state;
    board_init(&B, "untrusted");
    char raw[H_PATH], bad[H_PATH];
    board_path(&B, "raw.bin", raw, sizeof raw);
    board_path(&B, "bad.signed.bin", bad, sizeof bad);
    const char *mk[] = { DEVSIM_BIN, "mkapp", "--version", "9.9.9", "--behaviour", "normal",
                         "-o", raw, NULL };
    assert_int_equal(run_prog(&B, mk), 0);
    const char *sign[] = { IMGTOOL_BIN, "sign", "--key", DFU_VECTORS_DIR "/imgtool/key-ed25519.pem",
                           "--header-size", "0x200", "--pad-header", "--align", "4", "--version",
                           "9.9.9", "--slot-size", "0x67000", raw, bad, NULL };
    assert_int_equal(run_prog(&B, sign), 0);
    assert_int_equal(flash_image(&B, bad, 0), 0);
    const char *extra[] = { "--no-timing", NULL };
    assert_int_equal(board_start(&B, extra), 0);
    board_assert_logged(&B, "recovery: serial recovery", 1);
    assert_int_equal(board_log_count(&B, "boot: slot 0 refused: signed with an unknown key\n"), 1);
    assert_int_equal(board_log_count(&B, "boot: no bootable image\n"), 1);
    assert_int_equal(board_log_count(&B, "app: running"), 0);

    char v1[H_PATH];
    assert_int_equal(make_signed_app(&B, "v1", "1.0.0", "normal", v1, sizeof v1), 0);
    struct smp_tc c;
    assert_int_equal(smp_tc_open_serial(&c, B.link), 0);
    size_t len;
    uint8_t *img = read_whole(v1, &len);
    assert_non_null(img);
    assert_int_equal(smp_tc_image_upload(&c, img, len), 0);
    free(img);
    assert_int_equal(smp_tc_reset(&c), 0);
    board_assert_logged(&B, "app: running 1.0.0", 1);
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);
}

static void recovery_button_rescues_a_crash_looping_board(void **state)
{
    (void)state;
    board_init(&B, "button");
    /* A confirmed app that crashes at every boot: the bootloader has nothing to revert to. */
    char raw[H_PATH], bad[H_PATH], v1[H_PATH];
    board_path(&B, "crash.bin", raw, sizeof raw);
    board_path(&B, "crash.confirmed.bin", bad, sizeof bad);
    const char *mk[] = { DEVSIM_BIN, "mkapp", "--version", "6.6.6", "--behaviour", "crash",
                         "-o", raw, NULL };
    assert_int_equal(run_prog(&B, mk), 0);
    const char *sign[] = { IMGTOOL_BIN, "sign", "--key",
                           DFU_VECTORS_DIR "/imgtool/key-ecdsa-p256.pem", "--header-size", "0x200",
                           "--pad-header", "--align", "4", "--version", "6.6.6", "--slot-size",
                           "0x67000", "--confirm", raw, bad, NULL };
    assert_int_equal(run_prog(&B, sign), 0);
    assert_int_equal(flash_image(&B, bad, 0), 0);
    const char *extra[] = { "--no-timing", "--watchdog-ms", "50", NULL };
    assert_int_equal(board_start(&B, extra), 0);
    board_assert_logged(&B, "reset: watchdog expired", 2);
    assert_true(board_log_count(&B, "app: running 6.6.6 (crash)") >= 2);

    /* Hold the button through a reset: serial recovery, a good image, and it boots. */
    kill(B.pid, SIGUSR1);
    board_assert_logged(&B, "boot: recovery button held", 1);
    board_assert_logged(&B, "recovery: serial recovery", 1);
    assert_int_equal(make_signed_app(&B, "v1", "1.0.0", "normal", v1, sizeof v1), 0);
    struct smp_tc c;
    assert_int_equal(smp_tc_open_serial(&c, B.link), 0);
    size_t len;
    uint8_t *img = read_whole(v1, &len);
    assert_non_null(img);
    assert_int_equal(smp_tc_image_upload(&c, img, len), 0);
    free(img);
    assert_int_equal(smp_tc_reset(&c), 0);
    board_assert_logged(&B, "app: running 1.0.0", 1);
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(power_cut_mid_swap_ends_on_a_valid_image, teardown),
        cmocka_unit_test_teardown(stopping_devsim_mid_swap_is_a_power_cut, teardown),
        cmocka_unit_test_teardown(power_cut_during_an_upload_keeps_the_running_image, teardown),
        cmocka_unit_test_teardown(blank_board_recovers_over_serial, teardown),
        cmocka_unit_test_teardown(untrusted_image_falls_back_to_recovery, teardown),
        cmocka_unit_test_teardown(recovery_button_rescues_a_crash_looping_board, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
