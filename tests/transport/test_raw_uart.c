/* Raw binary UART mode: packets delimited by the SMP header length, with resync. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/serial_frame.h"

static const uint8_t echo_hi[] = {0x02, 0x00, 0x00, 0x06, 0x00, 0x00, 0x42, 0x00,
                                  0xa1, 0x61, 0x64, 0x62, 0x68, 0x69};

static void packets_back_to_back_any_chunking(void **state)
{
    (void)state;
    uint8_t in[3 * 14], buf[64];
    for (int k = 0; k < 3; k++) {
        memcpy(in + 14 * k, echo_hi, 14);
        in[14 * k + 6] = (uint8_t)k; /* seq */
    }
    for (size_t chunk = 1; chunk <= sizeof(in); chunk++) {
        struct raw_deframer r;
        raw_deframer_init(&r, buf, sizeof(buf));
        int seen = 0;
        for (size_t off = 0; off < sizeof(in);) {
            size_t step = chunk < sizeof(in) - off ? chunk : sizeof(in) - off, pos = 0;
            while (pos < step) {
                size_t used, len = raw_deframer_feed(&r, in + off + pos, step - pos, &used);
                pos += used;
                if (len) {
                    assert_int_equal(len, 14);
                    assert_int_equal(buf[6], seen);
                    assert_memory_equal(buf + 7, echo_hi + 7, 7);
                    seen++;
                }
            }
            off += step;
        }
        assert_int_equal(seen, 3);
    }
}

static void header_only_packet(void **state)
{
    (void)state;
    uint8_t hdr[8] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x06}, buf[16];
    struct raw_deframer r;
    raw_deframer_init(&r, buf, sizeof(buf));
    size_t used;
    assert_int_equal(raw_deframer_feed(&r, hdr, 8, &used), 8);
}

static void oversize_and_bad_op_dropped(void **state)
{
    (void)state;
    uint8_t buf[14], used_buf[32];
    struct raw_deframer r;
    size_t used;
    raw_deframer_init(&r, buf, sizeof(buf));
    /* Declares 7 payload bytes: 15 > 14. */
    uint8_t big[8] = {0x02, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00};
    assert_int_equal(raw_deframer_feed(&r, big, 8, &used), 0);
    assert_int_equal(r.dropped, 1);
    /* Op 5 is not an SMP op. */
    uint8_t bad_op[8] = {0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    assert_int_equal(raw_deframer_feed(&r, bad_op, 8, &used), 0);
    assert_int_equal(r.dropped, 2);
    /* Recovers on the next clean packet. */
    assert_int_equal(raw_deframer_feed(&r, echo_hi, 14, &used), 14);
    (void)used_buf;
}

static void resync_after_garbage(void **state)
{
    (void)state;
    uint8_t buf[64];
    struct raw_deframer r;
    size_t used;
    raw_deframer_init(&r, buf, sizeof(buf));
    /* Three garbage bytes would shift every later header; the idle timeout flushes them. */
    assert_int_equal(raw_deframer_feed(&r, (const uint8_t *)"\x02\x00\x00", 3, &used), 0);
    raw_deframer_resync(&r);
    assert_int_equal(r.dropped, 1);
    assert_int_equal(raw_deframer_feed(&r, echo_hi, 14, &used), 14);
    assert_memory_equal(buf, echo_hi, 14);
    /* Resync with nothing pending counts nothing. */
    raw_deframer_resync(&r);
    assert_int_equal(r.dropped, 1);
    /* Without the resync, the garbage misaligns the packet: no echo comes out whole. */
    raw_deframer_init(&r, buf, sizeof(buf));
    assert_int_equal(raw_deframer_feed(&r, (const uint8_t *)"\x02\x00\x00", 3, &used), 0);
    size_t len = raw_deframer_feed(&r, echo_hi, 14, &used);
    assert_true(len == 0 || memcmp(buf, echo_hi, 14) != 0);
}

static void buffer_smaller_than_header(void **state)
{
    (void)state;
    uint8_t buf[4];
    struct raw_deframer r;
    size_t used;
    raw_deframer_init(&r, buf, sizeof(buf));
    assert_int_equal(raw_deframer_feed(&r, echo_hi, 14, &used), 0);
    assert_int_equal(used, 14);
    assert_true(r.dropped >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(packets_back_to_back_any_chunking),
        cmocka_unit_test(header_only_packet),
        cmocka_unit_test(oversize_and_bad_op_dropped),
        cmocka_unit_test(resync_after_garbage),
        cmocka_unit_test(buffer_smaller_than_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
