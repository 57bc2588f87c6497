/* libFuzzer harness for the transport codecs. The first two input bytes pick a chunk size
 * and a buffer size; the rest is the byte stream. Invariants checked (abort on failure):
 * - feeding byte by byte and feeding in chunks yield the same packets and the same stats;
 * - every packet fits the buffer and survives a re-encode/decode round trip in both split
 *   styles (so its length field and CRC were consistent);
 * - the Zephyr line-buffer model, raw UART mode and BLE reassembly only ever yield packets
 *   whose SMP header length matches their size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/ble_reasm.h"
#include "dfukit/serial_frame.h"

#define MAX_CAP 1100
#define MAX_PKTS 64

struct run {
    size_t lens[MAX_PKTS];
    size_t count;
    uint8_t data[MAX_PKTS * 64]; /* first 64 bytes of each packet */
    struct serial_deframe_stats stats;
};

static void check(int ok)
{
    if (!ok) {
        abort();
    }
}

static void note_packet(struct run *r, const uint8_t *pkt, size_t len, size_t cap)
{
    check(len > 0 && len <= cap);
    if (r->count < MAX_PKTS) {
        r->lens[r->count] = len;
        memcpy(r->data + r->count * 64, pkt, len < 64 ? len : 64);
    }
    r->count++;
}

static void round_trip(const uint8_t *pkt, size_t len, size_t cap)
{
    static uint8_t wire[2 * MAX_CAP], buf[MAX_CAP];
    for (uint8_t split = 0; split < 2; split++) {
        struct serial_frame_cfg cfg = {.split = split};
        int n = serial_frame_encode(wire, sizeof(wire), pkt, len, &cfg);
        check(n > 0 && (size_t)n == serial_frame_encoded_size(len, &cfg));
        struct serial_deframer d;
        serial_deframer_init(&d, buf, cap);
        size_t used, got = serial_deframer_feed(&d, wire, (size_t)n, &used);
        check(got == len && used == (size_t)n && memcmp(buf, pkt, len) == 0);
    }
}

static void deframe(const uint8_t *in, size_t n, size_t chunk, size_t cap, struct run *r,
                    int verify)
{
    static uint8_t buf[MAX_CAP];
    struct serial_deframer d;
    serial_deframer_init(&d, buf, cap);
    memset(r, 0, sizeof(*r));
    for (size_t off = 0; off < n;) {
        size_t step = chunk < n - off ? chunk : n - off, pos = 0;
        while (pos < step) {
            size_t used, len = serial_deframer_feed(&d, in + off + pos, step - pos, &used);
            check(used > 0 && used <= step - pos);
            pos += used;
            if (len > 0) {
                note_packet(r, buf, len, cap);
                if (verify) {
                    static uint8_t copy[MAX_CAP];
                    memcpy(copy, buf, len);
                    round_trip(copy, len, cap);
                }
            }
        }
        off += step;
    }
    r->stats = d.stats;
    check(r->stats.packets == r->count);
}

static void linebuf_path(const uint8_t *in, size_t n, size_t cap)
{
    static uint8_t mem[4 * 128], buf[MAX_CAP];
    struct serial_linebuf lb;
    struct serial_deframer d;
    check(serial_linebuf_init(&lb, mem, 128, 4) == 0);
    serial_deframer_init(&d, buf, cap);
    for (size_t off = 0; off < n; off += 50) {
        serial_linebuf_push(&lb, in + off, n - off < 50 ? n - off : 50);
        const uint8_t *line;
        size_t len;
        /* Drain one line per 50 bytes: slow enough to overrun sometimes. */
        if (serial_linebuf_peek(&lb, &line, &len)) {
            check(len > 0 && len <= 128 && line[len - 1] == '\n');
            size_t pos = 0;
            while (pos < len) {
                size_t used, got = serial_deframer_feed(&d, line + pos, len - pos, &used);
                pos += used;
                check(got <= cap);
            }
            serial_linebuf_release(&lb);
        }
    }
}

static void raw_path(const uint8_t *in, size_t n, size_t cap)
{
    static uint8_t buf[MAX_CAP];
    struct raw_deframer r;
    raw_deframer_init(&r, buf, cap);
    for (size_t pos = 0; pos < n;) {
        size_t used, len = raw_deframer_feed(&r, in + pos, n - pos, &used);
        pos += used;
        if (len > 0) {
            check(len >= 8 && len <= cap && len == 8u + (size_t)((buf[2] << 8) | buf[3]));
        }
        if (pos < n && in[pos] == 0xff) {
            raw_deframer_resync(&r);
        }
    }
}

static void ble_path(const uint8_t *in, size_t n, size_t cap)
{
    static uint8_t buf[MAX_CAP];
    struct ble_reasm r;
    ble_reasm_init(&r, buf, cap);
    /* Fragment lengths come from the data itself. */
    for (size_t pos = 0; pos < n;) {
        size_t frag = 1 + in[pos] % 64;
        pos++;
        if (frag > n - pos) {
            frag = n - pos;
        }
        int rc = ble_reasm_push(&r, in + pos, frag);
        if (rc > 0) {
            check((size_t)rc <= cap && (size_t)rc == 8u + (size_t)((buf[2] << 8) | buf[3]));
        }
        pos += frag;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    size_t chunk = 1 + data[0] % 97;
    size_t cap = 8 + (size_t)data[1] * 4; /* 8 .. 1028 */
    const uint8_t *in = data + 2;
    size_t n = size - 2;

    static struct run by_byte, by_chunk;
    deframe(in, n, 1, cap, &by_byte, 1);
    deframe(in, n, chunk, cap, &by_chunk, 0);
    check(by_byte.count == by_chunk.count);
    check(memcmp(&by_byte.stats, &by_chunk.stats, sizeof(by_byte.stats)) == 0);
    size_t kept = by_byte.count < MAX_PKTS ? by_byte.count : MAX_PKTS;
    check(memcmp(by_byte.lens, by_chunk.lens, kept * sizeof(size_t)) == 0);
    check(memcmp(by_byte.data, by_chunk.data, kept * 64) == 0);

    linebuf_path(in, n, cap);
    raw_path(in, n, cap);
    ble_path(in, n, cap);
    return 0;
}
