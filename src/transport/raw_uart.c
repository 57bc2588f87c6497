/* Raw binary UART mode (Zephyr CONFIG_MCUMGR_TRANSPORT_RAW_UART, MCUboot
 * BOOT_SERIAL_RAW_PROTOCOL): packets are delimited only by the SMP header's length field.
 * Garbage cannot be told apart from a header, so recovery relies on the caller's inter-byte
 * timeout calling raw_deframer_resync(). */
#include "dfukit/bytes.h"
#include "dfukit/serial_frame.h"
#include "dfukit/smp.h"

void raw_deframer_init(struct raw_deframer *r, uint8_t *buf, size_t cap)
{
    r->buf = buf;
    r->cap = cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
    r->dropped = 0;
    r->got = 0;
    r->want = 0;
    r->pending = 0;
}

void raw_deframer_resync(struct raw_deframer *r)
{
    if (r->got > 0) {
        r->dropped++;
    }
    r->got = 0;
    r->want = 0;
    r->pending = 0;
}

static void raw_drop(struct raw_deframer *r)
{
    r->dropped++;
    r->got = 0;
    r->want = 0;
}

/* Returns the packet length when b completes one, else 0. */
static size_t raw_byte(struct raw_deframer *r, uint8_t b)
{
    if (r->got >= r->cap) {
        raw_drop(r); /* buffer smaller than a header: nothing can ever fit */
        return 0;
    }
    r->buf[r->got++] = b;
    if (r->want == 0 && r->got == SMP_HDR_SIZE) {
        uint32_t total = SMP_HDR_SIZE + (uint32_t)load16_be(r->buf + 2);
        if (total > r->cap || (r->buf[0] & 0x07) > SMP_OP_WRITE_RSP) {
            raw_drop(r);
            return 0;
        }
        r->want = total;
    }
    if (r->want != 0 && r->got == r->want) {
        size_t len = r->got;
        r->got = 0;
        r->want = 0;
        return len;
    }
    return 0;
}

size_t raw_deframer_feed(struct raw_deframer *r, const uint8_t *in, size_t n, size_t *used)
{
    r->pending = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = raw_byte(r, in[i]);
        if (len > 0) {
            r->pending = (uint32_t)len;
            *used = i + 1;
            return len;
        }
    }
    *used = n;
    return 0;
}
