/* Timing emulation of the nRF52840 profile (on by default): UART bytes cross at baud/10 per
 * second, and flash erase latency (85 ms per 4 KiB page) stalls the app while the UART keeps
 * receiving into the two line buffers, so a third line sent during the stall is dropped and
 * never answered; with partial erase, lines move on into free SMP buffers between steps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dfukit/err.h"
#include "dfukit/smp_cbor.h"
#include "harness.h"
#include "smp_test_client.h"

static struct board B;

static int teardown(void **state)
{
    (void)state;
    board_kill(&B);
    return 0;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static size_t echo_req(uint8_t *buf, size_t cap, const char *text)
{
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, buf, cap);
    smp_cbor_put_map(&e, 1);
    smp_cbor_put_kv_tstr(&e, "d", text);
    assert_int_equal(smp_cbor_enc_error(&e), 0);
    return e.len;
}

/* extra: devsim flags; third: whether the third echo is answered; lost_log: what devsim logs
 * for the one it loses. */
static void run_stall_case(const char *name, const char *const *extra, bool third,
                           const char *lost_log)
{
    board_init(&B, name);
    char v1[H_PATH], old[H_PATH];
    assert_int_equal(make_signed_app(&B, "v1", "1.0.0", "normal", v1, sizeof v1), 0);
    assert_int_equal(make_signed_app(&B, "old", "0.9.0", "normal", old, sizeof old), 0);
    assert_int_equal(flash_image(&B, v1, 0), 0);
    assert_int_equal(flash_image(&B, old, 1), 0);  /* so the upload has to erase slot 1 */
    /* The first upload chunk erases (progressively) the first page of slot 1: >= 85 ms. */
    assert_int_equal(board_start(&B, extra), 0);
    if (!board_wait_log(&B, "app: running 1.0.0", 1, 20000)) {
        board_dump_log(&B);
        fail();
    }
    assert_int_equal(board_log_count(&B, "timing on"), 1);

    struct smp_tc c;
    assert_int_equal(smp_tc_open_serial(&c, B.link), 0);
    /* 200 characters each way: > 2 x 270 bytes on the wire at 11520 bytes/s >= 47 ms. */
    char text[201], out[256];
    memset(text, 'x', 200);
    text[200] = '\0';
    uint64_t t0 = now_ms();
    assert_int_equal(smp_tc_echo(&c, text, out, sizeof out), 0);
    uint64_t echo_ms = now_ms() - t0;
    assert_string_equal(out, text);
    assert_true(echo_ms >= 45);

    /* First upload chunk (erases the slot), then three one-line echoes right behind it (79
     * bytes each: longer than a partial erase step at 115200 baud). */
    size_t len;
    uint8_t *img = read_whole(v1, &len);
    assert_non_null(img);
    static uint8_t req[1024];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, req, sizeof req);
    smp_cbor_put_map(&e, 4);
    smp_cbor_put_kv_uint(&e, "image", 0);
    smp_cbor_put_kv_uint(&e, "len", len);
    smp_cbor_put_kv_uint(&e, "off", 0);
    smp_cbor_put_kv_bstr(&e, "data", img, 200);
    assert_int_equal(smp_cbor_enc_error(&e), 0);
    free(img);
    uint8_t up_seq, seq[3];
    t0 = now_ms();
    assert_int_equal(smp_tc_send(&c, SMP_OP_WRITE, SMP_GROUP_IMAGE, 1, req, e.len, &up_seq), 0);
    uint8_t small[64];
    for (int i = 0; i < 3; i++) {
        size_t n = echo_req(small, sizeof small, "0123456789012345678901234567890123456789");
        assert_int_equal(smp_tc_send(&c, SMP_OP_WRITE, SMP_GROUP_OS, 0, small, n, &seq[i]), 0);
    }
    bool got_up = false, got[3] = { false, false, false };
    uint64_t up_ms = 0;
    while (smp_tc_recv(&c, 1500) == 0) {
        if (c.rsp_hdr.group == SMP_GROUP_IMAGE && c.rsp_hdr.seq == up_seq) {
            got_up = true;
            up_ms = now_ms() - t0;
        }
        for (int i = 0; i < 3; i++) {
            if (c.rsp_hdr.group == SMP_GROUP_OS && c.rsp_hdr.seq == seq[i]) {
                got[i] = true;
            }
        }
    }
    assert_true(got_up);
    assert_true(up_ms >= 80);
    assert_true(got[0] && got[1]);
    assert_true(got[2] == third);
    if (lost_log) {
        assert_true(board_log_count(&B, lost_log) >= 1);
    }
    if (extra != NULL) {  /* partial erase: the line buffers never overflow */
        assert_int_equal(board_log_count(&B, "line(s) dropped"), 0);
    }
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);
}

/* Whole-page erase (Zephyr's default): the CPU is halted, the two line buffers fill up and the
 * third line is dropped. */
static void uart_pacing_and_flash_stalls(void **state)
{
    (void)state;
    run_stall_case("timing", NULL, false, "line(s) dropped");
}

/* Partial erase in Zephyr's default 3 ms steps: between steps the UART driver moves each line
 * on into an SMP buffer. With 4 buffers, the upload request and its response hold two, the
 * first two echoes the others, and the third finds none (Zephyr drops it the same way). */
static void partial_erase_fills_smp_buffers(void **state)
{
    (void)state;
    static const char *const extra[] = { "--partial-erase-ms", "3", "--erase-progressively", NULL };
    run_stall_case("timing-partial", extra, false, "no free SMP buffer");
}

/* ... and with one SMP buffer more, all three wait in them and are answered after the erase. */
static void partial_erase_keeps_taking_lines(void **state)
{
    (void)state;
    static const char *const extra[] = { "--partial-erase-ms", "3", "--smp-buf-count", "5",
                                         "--erase-progressively", NULL };
    run_stall_case("timing-partial5", extra, true, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(uart_pacing_and_flash_stalls, teardown),
        cmocka_unit_test_teardown(partial_erase_fills_smp_buffers, teardown),
        cmocka_unit_test_teardown(partial_erase_keeps_taking_lines, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
