/* libFuzzer harness for the serial SMP transport (dfu_smp_uart) without a server: the first
 * input byte picks the line buffer size and count, the second the chunk size the "UART" hands
 * over; the rest is the byte stream. Every deframed packet is sent back as if it were the
 * response. Invariants (abort on failure):
 * - a packet fits the packet buffer and the path's limit;
 * - every frame the transport outputs fits SERIAL_FRAME_MAX_DEFAULT, starts with a frame marker
 *   and ends with '\n';
 * - what it outputs deframes, through a second transport with roomy line buffers, into exactly
 *   the packets it was given that are whole SMP messages, in order. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/smp.h"
#include "dfukit/smp_uart.h"

#define PKT_CAP 600
#define MAX_LINE 256
#define MAX_LINES 4
#define MAX_SENT 64

static void check(int ok)
{
    if (!ok) {
        abort();
    }
}

struct wire {
    uint8_t bytes[MAX_SENT * 1200];
    size_t len;
};

static struct wire wire;

static int out_fn(void *ctx, const uint8_t *b, size_t n)
{
    (void)ctx;
    check(n >= 3 && n <= SERIAL_FRAME_MAX_DEFAULT);
    check((b[0] == SERIAL_FRAME_START_0 && b[1] == SERIAL_FRAME_START_1) ||
          (b[0] == SERIAL_FRAME_CONT_0 && b[1] == SERIAL_FRAME_CONT_1));
    check(b[n - 1] == '\n');
    if (wire.len + n <= sizeof wire.bytes) {
        memcpy(wire.bytes + wire.len, b, n);
        wire.len += n;
    }
    return 0;
}

static const struct smp_uart_port port = { .output = out_fn };

/* A packet the transport sends back whole: one SMP message exactly. */
static int one_message(const uint8_t *p, size_t n)
{
    struct smp_hdr h;
    return smp_hdr_decode(&h, p, n) == 0 && SMP_HDR_SIZE + (size_t)h.len == n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    static uint8_t lines[MAX_LINES * MAX_LINE], pkt[PKT_CAP];
    static uint8_t sent[MAX_SENT][PKT_CAP];
    static size_t sent_len[MAX_SENT];
    size_t line_size = 16 + (data[0] & 0x0f) * 16;  /* 16..256 */
    size_t line_count = 1 + ((data[0] >> 4) & 0x03);
    size_t chunk = 1 + data[1] % 64;
    size_t max_packet = (data[0] & 0x40) ? 100 : 0;
    data += 2;
    size -= 2;

    struct smp_uart u;
    struct smp_uart_cfg cfg = { .port = &port, .line_mem = lines, .line_size = line_size,
                                .line_count = line_count, .pkt = pkt, .pkt_cap = PKT_CAP,
                                .max_packet = max_packet };
    check(smp_uart_init(&u, &cfg) == 0);
    wire.len = 0;
    size_t nsent = 0;
    for (size_t pos = 0; pos < size; pos += chunk) {
        size_t n = size - pos < chunk ? size - pos : chunk;
        smp_uart_rx(&u, data + pos, n);
        size_t p;
        while ((p = smp_uart_next_packet(&u)) > 0) {
            check(p <= PKT_CAP && p <= smp_uart_mtu(&u));
            if (one_message(pkt, p) && nsent < MAX_SENT) {
                memcpy(sent[nsent], pkt, p);
                sent_len[nsent++] = p;
                check(smp_uart_send(&u, pkt, p) == 0);
            }
        }
    }
    check(smp_uart_stats(&u)->rx_bytes == size);

    /* The reply stream, read back by a transport whose lines never overflow. */
    static uint8_t lines2[2 * SERIAL_FRAME_MAX_DEFAULT], pkt2[PKT_CAP];
    struct smp_uart v;
    struct smp_uart_cfg cfg2 = { .port = &port, .line_mem = lines2,
                                 .line_size = SERIAL_FRAME_MAX_DEFAULT, .line_count = 2,
                                 .pkt = pkt2, .pkt_cap = PKT_CAP };
    check(smp_uart_init(&v, &cfg2) == 0);
    size_t got = 0, wlen = wire.len;
    for (size_t pos = 0; pos < wlen;) {
        const uint8_t *nl = memchr(wire.bytes + pos, '\n', wlen - pos);
        size_t end = (size_t)(nl - wire.bytes) + 1;  /* every frame ends with '\n' */
        struct smp_uart_drops d = smp_uart_rx(&v, wire.bytes + pos, end - pos);
        check(d.full == 0 && d.too_long == 0);
        pos = end;
        size_t p;
        while ((p = smp_uart_next_packet(&v)) > 0) {
            check(got < nsent && p == sent_len[got] && memcmp(pkt2, sent[got], p) == 0);
            got++;
        }
    }
    check(got == nsent);
    return 0;
}
