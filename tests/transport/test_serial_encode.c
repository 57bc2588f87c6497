/* Serial frame encoder: the serial example of Zephyr's smp_transport.rst, the frame-size rules
 * of both split styles at every packet length, and the error cases. */
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

static const uint8_t echo_hi[] = {0x02, 0x00, 0x00, 0x06, 0x00, 0x00, 0x42, 0x00,
                                  0xa1, 0x61, 0x64, 0x62, 0x68, 0x69};
static const char echo_hi_wire[] = "\x06\x09" "ABACAAAGAABCAKFhZGJoaXBh\n";

static void worked_example_both_styles(void **state)
{
    (void)state;
    for (uint8_t split = 0; split < 2; split++) {
        struct serial_frame_cfg cfg = {.split = split};
        uint8_t out[64];
        assert_int_equal(serial_frame_encoded_size(sizeof(echo_hi), &cfg), 27);
        assert_int_equal(serial_frame_encode(out, sizeof(out), echo_hi, sizeof(echo_hi), &cfg), 27);
        assert_memory_equal(out, echo_hi_wire, 27);
    }
    /* A NULL config means the defaults. */
    uint8_t out[64];
    assert_int_equal(serial_frame_encode(out, sizeof(out), echo_hi, sizeof(echo_hi), NULL), 27);
    assert_memory_equal(out, echo_hi_wire, 27);
}

/* Splits an encoding into frames and checks the framing rules common to both styles;
 * returns the number of frames and the raw byte count of each in raw_sizes. */
static int check_frames(const uint8_t *wire, size_t n, size_t frame_max, size_t *raw_sizes,
                        uint8_t *raw, size_t *raw_len)
{
    int frames = 0;
    size_t off = 0;
    *raw_len = 0;
    while (off < n) {
        const uint8_t *nl = memchr(wire + off, '\n', n - off);
        assert_non_null(nl);
        size_t len = (size_t)(nl - (wire + off)) + 1;
        assert_true(len <= frame_max);
        assert_int_equal(wire[off], frames == 0 ? 0x06 : 0x04);
        assert_int_equal(wire[off + 1], frames == 0 ? 0x09 : 0x14);
        size_t chars = len - 3;
        assert_int_equal(chars % 4, 0);
        int got = base64_decode(raw + *raw_len, 70000 - *raw_len, (const char *)wire + off + 2,
                                chars);
        assert_true(got > 0);
        /* Only the last frame may end with a partial group. */
        if (off + len < n) {
            assert_int_equal(got % 3, 0);
        }
        raw_sizes[frames++] = (size_t)got;
        *raw_len += (size_t)got;
        off += len;
    }
    return frames;
}

static void plain_split_every_length(void **state)
{
    (void)state;
    static uint8_t pkt[1200], wire[2000], raw[70000];
    size_t sizes[32];
    uint32_t seed = 7;
    for (size_t i = 0; i < sizeof(pkt); i++) {
        pkt[i] = (uint8_t)tt_rand(&seed);
    }
    struct serial_frame_cfg cfg = {.frame_max = 127, .split = SERIAL_SPLIT_PLAIN};
    for (size_t len = 1; len <= sizeof(pkt); len++) {
        int n = serial_frame_encode(wire, sizeof(wire), pkt, len, &cfg);
        assert_true(n > 0);
        assert_int_equal((size_t)n, serial_frame_encoded_size(len, &cfg));
        size_t raw_len;
        int frames = check_frames(wire, (size_t)n, 127, sizes, raw, &raw_len);
        /* Plain split: every frame but the last is full (124 chars = 93 bytes). */
        for (int f = 0; f + 1 < frames; f++) {
            assert_int_equal(sizes[f], 93);
        }
        assert_int_equal(frames, (int)((len + 4 + 92) / 93));
        assert_int_equal(raw_len, len + 4);
        assert_int_equal((raw[0] << 8) | raw[1], len + 2);
        assert_memory_equal(raw + 2, pkt, len);
        assert_int_equal(crc16_xmodem(0, raw + 2, len + 2), 0);
    }
}

/* Even split: the same frame count and wire size as plain, frames within one 3-byte group of
 * each other, and the same raw stream. */
static void even_split_every_length(void **state)
{
    (void)state;
    static uint8_t pkt[1200], wire[2000], raw[70000];
    size_t sizes[32];
    uint32_t seed = 11;
    for (size_t i = 0; i < sizeof(pkt); i++) {
        pkt[i] = (uint8_t)tt_rand(&seed);
    }
    struct serial_frame_cfg even = {.frame_max = 127, .split = SERIAL_SPLIT_EVEN};
    struct serial_frame_cfg plain = {.frame_max = 127, .split = SERIAL_SPLIT_PLAIN};
    for (size_t len = 1; len <= sizeof(pkt); len++) {
        int n = serial_frame_encode(wire, sizeof(wire), pkt, len, &even);
        assert_true(n > 0);
        assert_int_equal((size_t)n, serial_frame_encoded_size(len, &even));
        assert_int_equal((size_t)n, serial_frame_encoded_size(len, &plain));
        size_t raw_len;
        int frames = check_frames(wire, (size_t)n, 127, sizes, raw, &raw_len);
        assert_int_equal(frames, (int)((len + 4 + 92) / 93));
        size_t lo = sizes[0], hi = sizes[0];
        for (int f = 0; f < frames; f++) {
            lo = sizes[f] < lo ? sizes[f] : lo;
            hi = sizes[f] > hi ? sizes[f] : hi;
        }
        assert_true(hi - lo <= 3 + 2);  /* a group, and the last frame's partial group */
        assert_int_equal(raw_len, len + 4);
        assert_memory_equal(raw + 2, pkt, len);
        assert_int_equal(crc16_xmodem(0, raw + 2, len + 2), 0);
    }
    /* 380 packet bytes (a full 384-byte net_buf): 104, 104, 104, 100, 100 characters */
    int n = serial_frame_encode(wire, sizeof(wire), pkt, 380, &even);
    size_t raw_len;
    assert_int_equal(check_frames(wire, (size_t)n, 127, sizes, raw, &raw_len), 5);
    assert_int_equal(sizes[0], 78);
    assert_int_equal(sizes[2], 78);
    assert_int_equal(sizes[3], 75);
    assert_int_equal(sizes[4], 75);
}

/* Frame sizes Zephyr's mcumgr_serial_tx_pkt produces, stated its own way (data bytes after
 * the first triple, the "reminder" rule), with the capacity kept at 93 per frame as in the
 * captured device reply. */
static int zephyr_model(size_t len, size_t *sizes)
{
    const size_t cap = 93;
    size_t src = 0;
    int frames = 0;
    while (src < len) {
        size_t room = cap, sent = 0;
        if (frames == 0) {
            sent = 3; /* length field + first data byte */
            src = 1;
            room -= 3;
        }
        size_t left = len - src;
        size_t take = left < room ? left : room;
        long reminder = (long)room - (long)left;
        int last = reminder >= 2;
        if (reminder == 0 || reminder == 1) {
            take -= 1;
        }
        take -= take % 3;
        src += take;
        sent += take;
        if (last) {
            sent += (len - src) + 2;
            src = len;
        }
        sizes[frames++] = sent;
    }
    return frames;
}

static void zephyr_split_every_length(void **state)
{
    (void)state;
    static uint8_t pkt[1200], wire[2000], raw[70000];
    size_t sizes[32], model[32];
    for (size_t i = 0; i < sizeof(pkt); i++) {
        pkt[i] = (uint8_t)(i * 7 + 3);
    }
    struct serial_frame_cfg cfg = {.split = SERIAL_SPLIT_ZEPHYR};
    for (size_t len = 1; len <= sizeof(pkt); len++) {
        int n = serial_frame_encode(wire, sizeof(wire), pkt, len, &cfg);
        assert_true(n > 0);
        assert_int_equal((size_t)n, serial_frame_encoded_size(len, &cfg));
        size_t raw_len;
        int frames = check_frames(wire, (size_t)n, 127, sizes, raw, &raw_len);
        assert_int_equal(raw_len, len + 4);
        assert_memory_equal(raw + 2, pkt, len);
        /* The CRC is whole in the last frame, with at least one data byte before it. */
        assert_true(sizes[frames - 1] >= 3);
        int m = zephyr_model(len, model);
        assert_int_equal(frames, m);
        for (int f = 0; f < frames; f++) {
            assert_int_equal(sizes[f], model[f]);
        }
    }
}

static void zephyr_moves_a_group_with_the_crc(void **state)
{
    (void)state;
    /* 90-byte packet: raw 94 bytes. Plain cuts 93 + 1 (the CRC's low byte alone); Zephyr
     * sends 90 + 4 (two data bytes and the whole CRC). */
    uint8_t pkt[90], wire[256];
    memset(pkt, 0x5a, sizeof(pkt));
    struct serial_frame_cfg plain = {0}, zephyr = {.split = SERIAL_SPLIT_ZEPHYR};
    assert_int_equal(serial_frame_encode(wire, sizeof(wire), pkt, 90, &plain), 127 + 7);
    assert_int_equal(serial_frame_encode(wire, sizeof(wire), pkt, 90, &zephyr), 123 + 11);
    assert_int_equal(wire[122], '\n');
    assert_memory_equal(wire + 123, "\x04\x14", 2);
    assert_int_equal(wire[133], '\n');
    assert_memory_equal(wire + 131, "==", 2); /* 4 raw bytes: one full group + one byte */
}

static void long_lines_when_allowed(void **state)
{
    (void)state;
    /* Go mcumgr with mtu=512 sends lines of up to 508 characters (frame_max 511). */
    uint8_t pkt[400], wire[1200];
    memset(pkt, 0x78, sizeof(pkt));
    struct serial_frame_cfg cfg = {.frame_max = 511};
    /* raw 304 bytes -> 408 characters on one line */
    assert_int_equal(serial_frame_encode(wire, sizeof(wire), pkt, 300, &cfg), 3 + 408);
    /* raw 381 bytes -> exactly one full line of 508 characters */
    assert_int_equal(serial_frame_encode(wire, sizeof(wire), pkt, 377, &cfg), 511);
    assert_int_equal(wire[510], '\n');
    /* one byte more spills a 4-character continuation */
    assert_int_equal(serial_frame_encode(wire, sizeof(wire), pkt, 378, &cfg), 511 + 7);
    assert_memory_equal(wire + 511, "\x04\x14", 2);
}

static void frame_iterator_and_small_buffers(void **state)
{
    (void)state;
    uint8_t pkt[200], frame[127], all[400];
    for (int i = 0; i < 200; i++) {
        pkt[i] = (uint8_t)i;
    }
    struct serial_frame_enc e;
    assert_int_equal(serial_frame_enc_init(&e, pkt, sizeof(pkt), NULL), 0);
    /* A buffer one byte short is refused and the encoder does not move. */
    assert_int_equal(serial_frame_enc_next(&e, frame, 126), DFU_ENOMEM);
    size_t off = 0;
    int n;
    while ((n = serial_frame_enc_next(&e, frame, sizeof(frame))) > 0) {
        memcpy(all + off, frame, (size_t)n);
        off += (size_t)n;
    }
    assert_int_equal(n, 0);
    assert_int_equal(serial_frame_enc_next(&e, frame, sizeof(frame)), 0);
    uint8_t ref[400];
    assert_int_equal(serial_frame_encode(ref, sizeof(ref), pkt, sizeof(pkt), NULL), (int)off);
    assert_memory_equal(ref, all, off);
    /* Whole-packet encode into a short buffer. */
    assert_int_equal(serial_frame_encode(ref, off - 1, pkt, sizeof(pkt), NULL), DFU_ENOMEM);
}

static void bad_configs_and_lengths(void **state)
{
    (void)state;
    uint8_t pkt[8] = {0}, out[64];
    struct serial_frame_enc e;
    struct serial_frame_cfg tiny = {.frame_max = SERIAL_FRAME_MAX_MIN - 1};
    struct serial_frame_cfg odd = {.split = 7};
    assert_int_equal(serial_frame_enc_init(&e, pkt, 8, &tiny), DFU_EINVAL);
    assert_int_equal(serial_frame_enc_init(&e, pkt, 8, &odd), DFU_EINVAL);
    assert_int_equal(serial_frame_enc_init(&e, pkt, 0, NULL), DFU_ERANGE);
    assert_int_equal(serial_frame_enc_init(&e, pkt, SERIAL_PACKET_MAX + 1, NULL), DFU_ERANGE);
    assert_int_equal(serial_frame_encoded_size(0, NULL), 0);
    assert_int_equal(serial_frame_encoded_size(SERIAL_PACKET_MAX + 1, NULL), 0);
    assert_int_equal(serial_frame_encode(out, sizeof(out), pkt, 8, &tiny), DFU_EINVAL);
    /* The smallest frame size still makes progress in both styles. */
    struct serial_frame_cfg min_plain = {.frame_max = SERIAL_FRAME_MAX_MIN};
    struct serial_frame_cfg min_zephyr = {.frame_max = SERIAL_FRAME_MAX_MIN,
                                          .split = SERIAL_SPLIT_ZEPHYR};
    uint8_t wire[256];
    assert_true(serial_frame_encode(wire, sizeof(wire), pkt, 8, &min_plain) > 0);
    assert_true(serial_frame_encode(wire, sizeof(wire), pkt, 8, &min_zephyr) > 0);
}

static void largest_packet(void **state)
{
    (void)state;
    size_t len = SERIAL_PACKET_MAX;
    uint8_t *pkt = calloc(len, 1);
    size_t need = serial_frame_encoded_size(len, NULL);
    uint8_t *wire = malloc(need);
    assert_non_null(pkt);
    assert_non_null(wire);
    assert_int_equal(serial_frame_encode(wire, need, pkt, len, NULL), (int)need);
    uint8_t raw[4];
    assert_int_equal(base64_decode(raw, 3, (const char *)wire + 2, 4), 3);
    assert_int_equal((raw[0] << 8) | raw[1], 0xffff);
    free(wire);
    free(pkt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(worked_example_both_styles),
        cmocka_unit_test(plain_split_every_length),
        cmocka_unit_test(even_split_every_length),
        cmocka_unit_test(zephyr_split_every_length),
        cmocka_unit_test(zephyr_moves_a_group_with_the_crc),
        cmocka_unit_test(long_lines_when_allowed),
        cmocka_unit_test(frame_iterator_and_small_buffers),
        cmocka_unit_test(bad_configs_and_lengths),
        cmocka_unit_test(largest_packet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
