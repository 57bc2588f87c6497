/* SIGKILL during the bootloader's swap, end to end through the devsim program: the flash file
 * holds what the chip held at the kill (its operations reach the file as board time passes), so
 * the next power-on resumes the swap and ends on a valid image.
 *
 * An nRF52840 DK board with swap-move and the chip's own timing, two 12 KB apps: the swap takes
 * ~1.7 s of board time. devsim is killed at moments spread over that time (and a little past
 * it), then started again on the same file without timing. Every next boot must run a valid
 * image, the one the swap logic dictates: 2.0.0 (the swap finished or resumed) unless the file
 * already held the finished swap, when the unconfirmed test image is reverted to 1.0.0. Kills
 * in the first quarter must leave a file that differs from the finished swap's: the cut really
 * happened. No timing is asserted; the moments only spread the kills.
 *
 * The app's flash work is held the same way: with 2 s page erases, an upload's first chunk is
 * in the chip's erase when devsim is killed (slot 1 is as it was) or stopped (the erase is cut,
 * the log says so). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dfukit/imgbuild.h"
#include "e2e_steps.h"
#include "harness.h"
#include "smp_test_client.h"

#define KILLS 24
/* nrf52840dk: slot 0 at 0xC000, slot 1 at 0x73000, each 0x67000 (swap-move uses no scratch). */
#define SLOTS_OFF 0xC000u
#define SLOT_SIZE 0x67000u
#define SLOTS_LEN (2u * SLOT_SIZE)

static struct board B;

static int teardown(void **state)
{
    (void)state;
    board_kill(&B);
    return 0;
}

static const char *const timed[] = { "--strategy", "swap-move", NULL };
static const char *const fast[] = { "--strategy", "swap-move", "--no-timing", NULL };

/* `devsim mkapp` + `imgtool sign` of a 12 KB app; with pad, the image is padded to the slot
 * with its trailer magic: a test swap is pending once it is in slot 1. */
static void make_app(const char *version, bool pad, char *out, size_t cap)
{
    char raw[H_PATH], name[64];
    snprintf(name, sizeof name, "v%s.bin", version);
    board_path(&B, name, raw, sizeof raw);
    snprintf(name, sizeof name, "v%s.signed.bin", version);
    board_path(&B, name, out, cap);
    const char *mk[] = { DEVSIM_BIN, "mkapp", "--version", version, "--behaviour", "normal",
                         "-o", raw, "--size", "12000", NULL };
    assert_int_equal(run_prog(&B, mk), 0);
    const char *sign[20] = { IMGTOOL_BIN, "sign", "--key",
                             DFU_VECTORS_DIR "/imgtool/key-ecdsa-p256.pem", "--header-size",
                             "0x200", "--pad-header", "--align", "4", "--version", version,
                             "--slot-size", "0x67000" };
    size_t i = 13;
    if (pad) {
        sign[i++] = "--pad";
    }
    sign[i++] = raw;
    sign[i++] = out;
    sign[i] = NULL;
    assert_int_equal(run_prog(&B, sign), 0);
}

/* The bytes an image file's image occupies (header, body, TLVs), malloc'ed. */
static uint8_t *image_bytes(const char *path, size_t *len)
{
    size_t n;
    uint8_t *img = read_whole(path, &n);
    assert_non_null(img);
    struct image_info info;
    char err[IMGBUILD_ERR_LEN];
    assert_int_equal(imgbuild_verify(img, n, NULL, &info, err, sizeof err), 0);
    *len = info.layout.total_size;
    return img;
}

static void write_flash(const uint8_t *data, size_t len)
{
    FILE *f = fopen(B.flash, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static uint8_t *read_flash(size_t *len)
{
    uint8_t *m = read_whole(B.flash, len);
    assert_non_null(m);
    assert_true(*len >= SLOTS_OFF + SLOTS_LEN);
    return m;
}

/* The busy time the log gives for the last boot ("flash busy for N ms"), or -1. */
static long boot_busy_ms(void)
{
    size_t len;
    uint8_t *text = read_whole(B.log, &len);
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

static void sleep_ms(long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void sigkill_mid_swap_then_every_next_boot_runs_a_valid_image(void **state)
{
    (void)state;
    board_init(&B, "kill_swap");
    char v1[H_PATH], v2[H_PATH];
    make_app("1.0.0", false, v1, sizeof v1);
    make_app("2.0.0", true, v2, sizeof v2);
    size_t len1, len2;
    uint8_t *img1 = image_bytes(v1, &len1);
    uint8_t *img2 = image_bytes(v2, &len2);
    assert_int_equal(flash_image(&B, v1, 0), 0);
    assert_int_equal(flash_image(&B, v2, 1), 0);
    size_t flash_len;
    uint8_t *before = read_flash(&flash_len);

    /* The swap run to completion in board time. */
    assert_int_equal(board_start(&B, timed), 0);
    board_assert_logged(&B, "app: running 2.0.0", 1);
    assert_int_equal(board_stop(&B), 0);
    long busy = boot_busy_ms();
    assert_true(busy > 0);
    size_t n;
    uint8_t *done = read_flash(&n);
    assert_int_equal(n, flash_len);

    int early = 0, torn = 0;
    for (int k = 0; k < KILLS; k++) {
        write_flash(before, flash_len);
        char p[H_PATH];
        remove(board_path(&B, "devsim.log", p, sizeof p));
        assert_int_equal(board_start(&B, timed), 0);
        board_assert_logged(&B, "flash busy for", 1);
        /* Moments from the start of the swap to 20 % past its end. */
        long at = busy * 6 * k / (5 * (KILLS - 1));
        sleep_ms(at);
        board_kill(&B);

        uint8_t *killed = read_flash(&n);
        bool finished = memcmp(killed + SLOTS_OFF, done + SLOTS_OFF, SLOTS_LEN) == 0;
        if (memcmp(killed + SLOTS_OFF, before + SLOTS_OFF, SLOTS_LEN) != 0 && !finished) {
            torn++;
        }
        if (at <= busy / 4) {
            early++;
            if (finished) {
                fail_msg("kill %d at %ld of %ld ms: the flash file holds the finished swap", k,
                         at, busy);
            }
        }
        free(killed);

        /* Power on again: the swap logic decides which valid image runs. */
        remove(board_path(&B, "devsim.log", p, sizeof p));
        assert_int_equal(board_start(&B, fast), 0);
        board_assert_logged(&B, "app: running", 1);
        const char *runs = finished ? "app: running 1.0.0" : "app: running 2.0.0";
        assert_int_equal(board_log_count(&B, runs), 1);
        assert_int_equal(board_log_count(&B, finished ? "swap type revert" : "swap type test"), 1);
        assert_int_equal(board_stop(&B), 0);
        uint8_t *after = read_flash(&n);
        const uint8_t *run = finished ? img1 : img2, *other = finished ? img2 : img1;
        size_t run_len = finished ? len1 : len2, other_len = finished ? len2 : len1;
        assert_memory_equal(after + SLOTS_OFF, run, run_len);
        assert_memory_equal(after + SLOTS_OFF + SLOT_SIZE, other, other_len);
        free(after);
    }
    print_message("%d kills over a %ld ms swap: %d early, %d left it half done\n", KILLS, busy,
                  early, torn);
    assert_true(early >= 5);
    assert_true(torn >= 5);
    free(before);
    free(done);
    free(img1);
    free(img2);
}

/* v1 runs with 2 s page erases, an image sits in slot 1; an upload's first chunk starts the
 * erase of slot 1 and gets no reply in time. Returns the flash file before the upload. */
static uint8_t *upload_into_a_slow_erase(size_t *flash_len)
{
    board_init(&B, "kill_upload");
    char v1[H_PATH], v2[H_PATH];
    make_app("1.0.0", false, v1, sizeof v1);
    make_app("2.0.0", false, v2, sizeof v2);
    assert_int_equal(flash_image(&B, v1, 0), 0);
    assert_int_equal(flash_image(&B, v1, 1), 0);
    /* a first run formats the settings partition, so the timed run starts with no flash work */
    assert_int_equal(board_start(&B, fast), 0);
    board_assert_logged(&B, "app: running 1.0.0", 1);
    assert_int_equal(board_stop(&B), 0);
    uint8_t *before = read_flash(flash_len);
    const char *slow[] = { "--strategy", "swap-move", "--erase-us", "2000000", NULL };
    assert_int_equal(board_start(&B, slow), 0);
    board_assert_logged(&B, "app: running 1.0.0", 2);
    struct smp_tc c;
    assert_int_equal(smp_tc_open_udp(&c, B.udp), 0);
    c.tries = 1;
    c.timeout_ms = 300;
    size_t len;
    uint8_t *img = read_whole(v2, &len);
    assert_non_null(img);
    assert_int_not_equal(smp_tc_image_upload(&c, img, len), 0);  /* still erasing */
    free(img);
    smp_tc_close(&c);
    return before;
}

static void sigkill_during_an_upload_erase_leaves_the_slot_as_it_was(void **state)
{
    (void)state;
    size_t flash_len, n;
    uint8_t *before = upload_into_a_slow_erase(&flash_len);
    board_kill(&B);
    uint8_t *after = read_flash(&n);
    assert_memory_equal(after + SLOTS_OFF + SLOT_SIZE, before + SLOTS_OFF + SLOT_SIZE, SLOT_SIZE);
    free(after);
    free(before);
}

static void sigterm_during_an_upload_erase_cuts_it(void **state)
{
    (void)state;
    size_t flash_len, n;
    uint8_t *before = upload_into_a_slow_erase(&flash_len);
    assert_int_equal(board_stop(&B), 0);
    const char *cut = "power: lost during the app's flash work, at operation 1 of ";
    assert_int_equal(board_log_count(&B, cut), 1);
    /* A torn erase keeps half of its sector: not the whole slot is erased, and no chunk is in. */
    uint8_t *after = read_flash(&n);
    const uint8_t *slot1 = after + SLOTS_OFF + SLOT_SIZE;
    assert_memory_not_equal(slot1, before + SLOTS_OFF + SLOT_SIZE, SLOT_SIZE);
    bool all_erased = true;
    for (uint32_t i = 0; i < SLOT_SIZE && all_erased; i++) {
        all_erased = slot1[i] == 0xff;
    }
    assert_false(all_erased);
    free(after);
    free(before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(sigkill_mid_swap_then_every_next_boot_runs_a_valid_image,
                                  teardown),
        cmocka_unit_test_teardown(sigkill_during_an_upload_erase_leaves_the_slot_as_it_was,
                                  teardown),
        cmocka_unit_test_teardown(sigterm_during_an_upload_erase_cuts_it, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
