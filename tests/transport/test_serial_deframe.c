/* Streaming deframer: every split point, console noise, and each way a packet is dropped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "dfukit/serial_frame.h"
#include "transport_test_util.h"

#define CAP 1024

static const uint8_t echo_hi[] = {0x02, 0x00, 0x00, 0x06, 0x00, 0x00, 0x42, 0x00,
                                  0xa1, 0x61, 0x64, 0x62, 0x68, 0x69};
static const char echo_hi_wire[] = "\x06\x09" "ABACAAAGAABCAKFhZGJoaXBh\n";

static uint8_t big[300];
static uint8_t big_wire[2][600];
static int big_wire_len[2];

static int setup(void **state)
{
    (void)state;
    uint32_t seed = 99;
    for (size_t i = 0; i < sizeof(big); i++) {
        big[i] = (uint8_t)tt_rand(&seed);
    }
    for (uint8_t s = 0; s < 2; s++) {
        struct serial_frame_cfg cfg = {.split = s};
        big_wire_len[s] = serial_frame_encode(big_wire[s], sizeof(big_wire[s]), big, sizeof(big), &cfg);
        if (big_wire_len[s] <= 0) {
            return -1;
        }
    }
    return 0;
}

/* Runs text through a deframer and expects exactly the given packets. */
static struct serial_deframe_stats expect_packets(const uint8_t *in, size_t n, size_t chunk,
                                                  const uint8_t *const *pkts, const size_t *lens,
                                                  int count)
{
    static uint8_t out[8192];
    size_t got_lens[16];
    struct serial_deframe_stats st;
    int got = tt_deframe_all(in, n, chunk, CAP, out, sizeof(out), got_lens, 16, &st);
    assert_int_equal(got, count);
    size_t off = 0;
    for (int i = 0; i < count; i++) {
        assert_int_equal(got_lens[i], lens[i]);
        assert_memory_equal(out + off, pkts[i], lens[i]);
        off += lens[i];
    }
    assert_int_equal(st.packets, (uint32_t)count);
    return st;
}

static void worked_example_decodes(void **state)
{
    (void)state;
    const uint8_t *p[] = {echo_hi};
    size_t l[] = {sizeof(echo_hi)};
    struct serial_deframe_stats st =
        expect_packets((const uint8_t *)echo_hi_wire, 27, 0, p, l, 1);
    assert_int_equal(st.frames, 1);
    assert_int_equal(st.text_lines, 0);
}

static void every_split_point_and_byte_at_a_time(void **state)
{
    (void)state;
    const uint8_t *p[] = {big};
    size_t l[] = {sizeof(big)};
    for (int s = 0; s < 2; s++) {
        size_t n = (size_t)big_wire_len[s];
        /* Two chunks, cut at every position. */
        for (size_t cut = 0; cut < n; cut++) {
            static uint8_t buf[CAP];
            struct serial_deframer d;
            serial_deframer_init(&d, buf, CAP);
            size_t used, total = 0;
            assert_int_equal(serial_deframer_feed(&d, big_wire[s], cut, &used), 0);
            assert_int_equal(used, cut);
            size_t len = serial_deframer_feed(&d, big_wire[s] + cut, n - cut, &used);
            total = cut + used;
            assert_int_equal(len, sizeof(big));
            assert_int_equal(total, n);
            assert_memory_equal(buf, big, sizeof(big));
        }
        /* Every chunk size, byte-at-a-time included. */
        for (size_t chunk = 1; chunk <= 130; chunk++) {
            expect_packets(big_wire[s], n, chunk, p, l, 1);
        }
        static uint8_t buf[CAP];
        struct serial_deframer d;
        serial_deframer_init(&d, buf, CAP);
        size_t done = 0;
        for (size_t i = 0; i < n; i++) {
            size_t len = serial_deframer_byte(&d, big_wire[s][i]);
            if (i + 1 < n) {
                assert_int_equal(len, 0);
            } else {
                done = len;
            }
        }
        assert_int_equal(done, sizeof(big));
        assert_memory_equal(buf, big, sizeof(big));
    }
}

static size_t append(uint8_t *dst, size_t off, const void *src, size_t n)
{
    memcpy(dst + off, src, n);
    return off + n;
}

static void console_noise_is_ignored(void **state)
{
    (void)state;
    static uint8_t in[2048];
    const uint8_t *w = big_wire[1];
    size_t n = (size_t)big_wire_len[1];
    /* Log lines before, between the frames of a packet and after; CR LF endings; a leading
     * CR before a marker; an empty line. */
    size_t off = 0;
    off = append(in, off, "*** Booting Zephyr OS ***\r\n\r\n", 29);
    const uint8_t *nl1 = memchr(w, '\n', n);
    size_t f1 = (size_t)(nl1 - w) + 1;
    off = append(in, off, "\r", 1);
    off = append(in, off, w, f1 - 1);
    off = append(in, off, "\r\n", 2);
    off = append(in, off, "[00:00:01.000] <inf> app: tick\r\n", 32);
    off = append(in, off, "\n", 1);
    off = append(in, off, w + f1, n - f1);
    off = append(in, off, "uart:~$ ", 8);
    off = append(in, off, echo_hi_wire, 27);
    off = append(in, off, "bye\n", 4);
    const uint8_t *p[] = {big, echo_hi};
    size_t l[] = {sizeof(big), sizeof(echo_hi)};
    for (size_t chunk = 0; chunk < 40; chunk += 7) {
        struct serial_deframe_stats st = expect_packets(in, off, chunk, p, l, 2);
        assert_int_equal(st.text_lines, 3); /* boot banner, tick, bye */
        assert_int_equal(st.bad_base64 + st.bad_crc + st.orphans + st.too_long + st.bad_length, 0);
    }
}

static void two_packets_in_one_feed(void **state)
{
    (void)state;
    uint8_t in[64], buf[CAP];
    memcpy(in, echo_hi_wire, 27);
    memcpy(in + 27, echo_hi_wire, 27);
    struct serial_deframer d;
    serial_deframer_init(&d, buf, CAP);
    size_t used;
    assert_int_equal(serial_deframer_feed(&d, in, 54, &used), sizeof(echo_hi));
    assert_int_equal(used, 27);
    assert_int_equal(serial_deframer_feed(&d, in + 27, 27, &used), sizeof(echo_hi));
    assert_int_equal(used, 27);
    assert_memory_equal(buf, echo_hi, sizeof(echo_hi));
}

/* Feeds bad, then the worked example: the bad input is dropped and the deframer recovers. */
static struct serial_deframe_stats dropped_then_recovers(const void *bad, size_t n)
{
    static uint8_t in[4096];
    memcpy(in, bad, n);
    memcpy(in + n, echo_hi_wire, 27);
    const uint8_t *p[] = {echo_hi};
    size_t l[] = {sizeof(echo_hi)};
    return expect_packets(in, n + 27, 0, p, l, 1);
}

static void bad_crc_dropped(void **state)
{
    (void)state;
    /* Last data byte 0x69 -> 0x68 keeps the base64 valid but breaks the CRC. */
    char bad[28];
    memcpy(bad, echo_hi_wire, 27);
    assert_int_equal(bad[22], 'a'); /* "aXBh": 0x69 0x70 0x61 */
    bad[22] = 'Z';
    struct serial_deframe_stats st = dropped_then_recovers(bad, 27);
    assert_int_equal(st.bad_crc, 1);
    /* Every single-bit flip of every base64 character of the big packet: never a corrupted
     * packet. (A flip of a padding group's unused bits decodes to the same bytes: like
     * Zephyr's and Go's decoders we do not check those bits.) */
    uint8_t buf[CAP], mod[600];
    size_t n = (size_t)big_wire_len[1];
    int lenient = 0;
    for (size_t i = 2; i < n; i++) {
        if (big_wire[1][i] == '\n' || big_wire[1][i] == 0x04 || big_wire[1][i] == 0x14) {
            continue;
        }
        for (int bit = 0; bit < 8; bit++) {
            memcpy(mod, big_wire[1], n);
            mod[i] ^= (uint8_t)(1 << bit);
            struct serial_deframer d;
            serial_deframer_init(&d, buf, CAP);
            size_t used, total = 0, len = 0;
            while (total < n) {
                len = serial_deframer_feed(&d, mod + total, n - total, &used);
                total += used;
                if (len != 0) {
                    assert_int_equal(len, sizeof(big));
                    assert_memory_equal(buf, big, sizeof(big));
                    lenient++;
                }
            }
        }
    }
    /* 304 raw bytes end in "xx==": only flips inside that character's 4 unused bits can
     * decode to the same bytes, and only when the flipped character stays in the alphabet. */
    assert_true(lenient <= 4);
}

static void bad_base64_dropped(void **state)
{
    (void)state;
    char bad[28];
    memcpy(bad, echo_hi_wire, 27);
    bad[10] = '*';
    assert_int_equal(dropped_then_recovers(bad, 27).bad_base64, 1);
    /* Not a multiple of 4 characters. */
    const char short_frame[] = "\x06\x09" "ABACAAAGAABCAKFhZGJoaXB\n";
    assert_int_equal(dropped_then_recovers(short_frame, sizeof(short_frame) - 1).bad_base64, 1);
    /* Padding followed by more characters in the same frame. */
    const char mid_pad[] = "\x06\x09" "ABA=CAAAGAABCAKFhZGJoaXBh\n";
    assert_int_equal(dropped_then_recovers(mid_pad, sizeof(mid_pad) - 1).bad_base64, 1);
    /* A CR in the middle of a frame. */
    const char mid_cr[] = "\x06\x09" "ABACAAAG\rAABCAKFhZGJoaXBh\n";
    assert_int_equal(dropped_then_recovers(mid_cr, sizeof(mid_cr) - 1).bad_base64, 1);
}

static void cr_before_newline_tolerated(void **state)
{
    (void)state;
    const char crlf[] = "\r\r\x06\x09" "ABACAAAGAABCAKFhZGJoaXBh\r\n";
    const uint8_t *p[] = {echo_hi};
    size_t l[] = {sizeof(echo_hi)};
    expect_packets((const uint8_t *)crlf, sizeof(crlf) - 1, 0, p, l, 1);
}

static void truncated_packet_dropped(void **state)
{
    (void)state;
    /* The first frame of a multi-frame packet, then a new packet starts. */
    const uint8_t *nl = memchr(big_wire[0], '\n', (size_t)big_wire_len[0]);
    size_t f1 = (size_t)(nl - big_wire[0]) + 1;
    struct serial_deframe_stats st = dropped_then_recovers(big_wire[0], f1);
    assert_int_equal(st.orphans, 1);
    /* A frame cut short: a new marker arrives before its newline. */
    st = dropped_then_recovers(echo_hi_wire, 15);
    assert_int_equal(st.orphans, 1);
    /* The whole packet minus its last frame: nothing is yielded at all. */
    static uint8_t buf[CAP];
    struct serial_deframer d;
    serial_deframer_init(&d, buf, CAP);
    size_t used;
    assert_int_equal(serial_deframer_feed(&d, big_wire[0], (size_t)big_wire_len[0] - 8, &used), 0);
}

static void continuation_without_start_dropped(void **state)
{
    (void)state;
    const uint8_t *nl = memchr(big_wire[0], '\n', (size_t)big_wire_len[0]);
    size_t f1 = (size_t)(nl - big_wire[0]) + 1;
    /* The packet without its first frame. */
    struct serial_deframe_stats st =
        dropped_then_recovers(big_wire[0] + f1, (size_t)big_wire_len[0] - f1);
    assert_int_equal(st.orphans, 3);
    /* A continuation right after a complete packet is an orphan too. */
    uint8_t in[64];
    memcpy(in, echo_hi_wire, 27);
    memcpy(in + 27, "\x04\x14" "AAAA\n", 7);
    const uint8_t *p[] = {echo_hi};
    size_t l[] = {sizeof(echo_hi)};
    assert_int_equal(expect_packets(in, 34, 0, p, l, 1).orphans, 1);
}

static void over_long_dropped(void **state)
{
    (void)state;
    /* Larger than the buffer: a 300-byte packet into a 299-byte buffer. */
    static uint8_t out[1024];
    size_t lens[4];
    struct serial_deframe_stats st;
    assert_int_equal(tt_deframe_all(big_wire[0], (size_t)big_wire_len[0], 0, 299, out,
                                    sizeof(out), lens, 4, &st), 0);
    assert_int_equal(st.too_long, 1);
    assert_int_equal(tt_deframe_all(big_wire[0], (size_t)big_wire_len[0], 0, 300, out,
                                    sizeof(out), lens, 4, &st), 1);
    /* More data than the length field declares: the worked example's raw bytes with the
     * length field one short (and the CRC of the shorter packet in place). */
    uint8_t raw[18] = {0x00, 0x0f};
    memcpy(raw + 2, echo_hi, 14);
    uint16_t crc = crc16_xmodem(0, echo_hi, 13);
    raw[15] = (uint8_t)(crc >> 8);
    raw[16] = (uint8_t)crc;
    raw[17] = 0x00;
    char wire[40] = "\x06\x09";
    size_t n = base64_encode(wire + 2, raw, 18);
    wire[2 + n] = '\n';
    st = dropped_then_recovers(wire, 3 + n);
    assert_int_equal(st.too_long, 1);
}

static void bad_length_fields_dropped(void **state)
{
    (void)state;
    /* Length 0, 1, 2 (no room for a packet), and a frame with no length at all. */
    for (uint8_t len = 0; len < 3; len++) {
        uint8_t raw[6] = {0x00, len, 0x00, 0x00, 0x00, 0x00};
        char wire[16] = "\x06\x09";
        size_t n = base64_encode(wire + 2, raw, 6);
        wire[2 + n] = '\n';
        assert_int_equal(dropped_then_recovers(wire, 3 + n).bad_length, 1);
    }
    assert_int_equal(dropped_then_recovers("\x06\x09\n", 3).bad_length, 1);
    assert_int_equal(dropped_then_recovers("\x06\x09" "AA==\n", 7).bad_length, 1);
}

static void marker_mid_line_starts_packet(void **state)
{
    (void)state;
    static uint8_t in[64];
    memcpy(in, "log text without newline ", 25);
    memcpy(in + 25, echo_hi_wire, 27);
    const uint8_t *p[] = {echo_hi};
    size_t l[] = {sizeof(echo_hi)};
    expect_packets(in, 52, 0, p, l, 1);
    /* A lone 0x06 or 0x04 in text does not confuse it. */
    memcpy(in, "a\x06 b\x04 c\n", 9);
    memcpy(in + 9, echo_hi_wire, 27);
    assert_int_equal(expect_packets(in, 36, 0, p, l, 1).text_lines, 1);
}

static void reset_forgets_partial_packet(void **state)
{
    (void)state;
    static uint8_t buf[CAP];
    struct serial_deframer d;
    serial_deframer_init(&d, buf, CAP);
    size_t used;
    const uint8_t *nl = memchr(big_wire[0], '\n', (size_t)big_wire_len[0]);
    size_t f1 = (size_t)(nl - big_wire[0]) + 1;
    assert_int_equal(serial_deframer_feed(&d, big_wire[0], f1, &used), 0);
    serial_deframer_reset(&d);
    assert_int_equal(serial_deframer_feed(&d, big_wire[0] + f1, (size_t)big_wire_len[0] - f1, &used), 0);
    assert_int_equal(d.stats.orphans, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(worked_example_decodes),
        cmocka_unit_test(every_split_point_and_byte_at_a_time),
        cmocka_unit_test(console_noise_is_ignored),
        cmocka_unit_test(two_packets_in_one_feed),
        cmocka_unit_test(bad_crc_dropped),
        cmocka_unit_test(bad_base64_dropped),
        cmocka_unit_test(cr_before_newline_tolerated),
        cmocka_unit_test(truncated_packet_dropped),
        cmocka_unit_test(continuation_without_start_dropped),
        cmocka_unit_test(over_long_dropped),
        cmocka_unit_test(bad_length_fields_dropped),
        cmocka_unit_test(marker_mid_line_starts_packet),
        cmocka_unit_test(reset_forgets_partial_packet),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
