/* Zephyr-like UART line buffers: lines pass in order, a line too long or arriving while all
 * buffers wait is discarded up to its newline, and the deframer downstream sees the loss. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "dfukit/serial_frame.h"
#include "transport_test_util.h"

static void take(struct serial_linebuf *lb, const char *expect)
{
    const uint8_t *line;
    size_t len;
    assert_true(serial_linebuf_peek(lb, &line, &len));
    assert_int_equal(len, strlen(expect));
    assert_memory_equal(line, expect, len);
    serial_linebuf_release(lb);
}

static void lines_in_order(void **state)
{
    (void)state;
    uint8_t mem[2 * 16];
    struct serial_linebuf lb;
    assert_int_equal(serial_linebuf_init(&lb, mem, 16, 2), 0);
    const uint8_t *line;
    size_t len;
    assert_false(serial_linebuf_peek(&lb, &line, &len));
    serial_linebuf_push(&lb, (const uint8_t *)"one\ntw", 6);
    serial_linebuf_push(&lb, (const uint8_t *)"o\n", 2);
    take(&lb, "one\n");
    serial_linebuf_push(&lb, (const uint8_t *)"thr", 3);
    take(&lb, "two\n");
    assert_false(serial_linebuf_peek(&lb, &line, &len));
    serial_linebuf_push(&lb, (const uint8_t *)"ee\n", 3);
    take(&lb, "three\n");
    serial_linebuf_release(&lb); /* nothing to release: harmless */
    assert_int_equal(lb.stats.lines, 3);
    assert_int_equal(lb.stats.too_long + lb.stats.no_buffer, 0);
}

static void exact_fit_and_too_long(void **state)
{
    (void)state;
    uint8_t mem[2 * 8];
    struct serial_linebuf lb;
    assert_int_equal(serial_linebuf_init(&lb, mem, 8, 2), 0);
    /* 8 bytes including the newline fit exactly; 9 do not. */
    serial_linebuf_push(&lb, (const uint8_t *)"1234567\n", 8);
    take(&lb, "1234567\n");
    serial_linebuf_push(&lb, (const uint8_t *)"12345678\nok\n", 12);
    assert_int_equal(lb.stats.too_long, 1);
    take(&lb, "ok\n");
    /* A very long line is dropped entirely, the next one is kept. */
    for (int i = 0; i < 100; i++) {
        serial_linebuf_push(&lb, (const uint8_t *)"x", 1);
    }
    serial_linebuf_push(&lb, (const uint8_t *)"\nnext\n", 6);
    assert_int_equal(lb.stats.too_long, 2);
    take(&lb, "next\n");
}

static void no_free_buffer_discards(void **state)
{
    (void)state;
    uint8_t mem[2 * 16];
    struct serial_linebuf lb;
    assert_int_equal(serial_linebuf_init(&lb, mem, 16, 2), 0);
    /* The application is slow: three lines arrive, the third finds no buffer. */
    serial_linebuf_push(&lb, (const uint8_t *)"a\nb\nc", 5);
    assert_int_equal(lb.stats.lines, 2);
    assert_int_equal(lb.stats.no_buffer, 1);
    /* A buffer freed in the middle of a discarded line does not revive that line. */
    take(&lb, "a\n");
    serial_linebuf_push(&lb, (const uint8_t *)"cc\nd\n", 5);
    assert_int_equal(lb.stats.no_buffer, 1);
    take(&lb, "b\n");
    take(&lb, "d\n");
    const uint8_t *line;
    size_t len;
    assert_false(serial_linebuf_peek(&lb, &line, &len));
}

static void bad_init(void **state)
{
    (void)state;
    uint8_t mem[4];
    struct serial_linebuf lb;
    assert_int_equal(serial_linebuf_init(&lb, mem, 0, 1), DFU_EINVAL);
    assert_int_equal(serial_linebuf_init(&lb, mem, 4, 0), DFU_EINVAL);
    assert_int_equal(serial_linebuf_init(&lb, mem, 4, SERIAL_LINEBUF_MAX_COUNT + 1), DFU_EINVAL);
}

/* A client that sends 124-character lines back to back overruns 2 x 128 buffers when the app
 * drains one line per two received; the packets that lost a line are dropped downstream. */
static void overrun_loses_packets_downstream(void **state)
{
    (void)state;
    static uint8_t pkt[300], wire[4][600], mem[2 * 128], buf[1024];
    int wlen[4];
    for (int k = 0; k < 4; k++) {
        memset(pkt, 0x30 + k, sizeof(pkt));
        wlen[k] = serial_frame_encode(wire[k], sizeof(wire[k]), pkt, sizeof(pkt), NULL);
        assert_true(wlen[k] > 0);
    }
    struct serial_linebuf lb;
    struct serial_deframer d;
    assert_int_equal(serial_linebuf_init(&lb, mem, 128, 2), 0);
    serial_deframer_init(&d, buf, sizeof(buf));
    int packets = 0;
    /* Fast app: drains after every line -> all 4 packets arrive. */
    for (int k = 0; k < 4; k++) {
        for (int i = 0; i < wlen[k]; i++) {
            serial_linebuf_push(&lb, &wire[k][i], 1);
            const uint8_t *line;
            size_t len, used;
            while (serial_linebuf_peek(&lb, &line, &len)) {
                packets += serial_deframer_feed(&d, line, len, &used) > 0;
                serial_linebuf_release(&lb);
            }
        }
    }
    assert_int_equal(packets, 4);
    /* Slow app: drains only once per whole packet -> lines are lost, no packet survives. */
    packets = 0;
    for (int k = 0; k < 4; k++) {
        serial_linebuf_push(&lb, wire[k], (size_t)wlen[k]);
        const uint8_t *line;
        size_t len, used;
        while (serial_linebuf_peek(&lb, &line, &len)) {
            packets += serial_deframer_feed(&d, line, len, &used) > 0;
            serial_linebuf_release(&lb);
        }
    }
    assert_int_equal(packets, 0);
    assert_int_equal(lb.stats.no_buffer, 4 * 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines_in_order),
        cmocka_unit_test(exact_fit_and_too_long),
        cmocka_unit_test(no_free_buffer_discards),
        cmocka_unit_test(bad_init),
        cmocka_unit_test(overrun_loses_packets_downstream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
