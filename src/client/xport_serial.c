/* Serial transport: SMP over the console framing (base64 + CRC16 lines, Zephyr's
 * smp_transport.rst) on a termios device. Lines are cut at the connstring's mtu; bytes that are
 * not frames (console text) are skipped by the deframer. No sleeps: the kernel paces the bytes at
 * the baud rate. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dfukit/client.h"
#include "dfukit/err.h"
#include "dfukit/hostio.h"
#include "dfukit/serial_frame.h"
#include "xport.h"

#define SERIAL_STAGE 4096

struct serial_ctx {
    int fd;
    struct serial_frame_cfg cfg;
    struct serial_deframer df;
    uint8_t pkt[SERIAL_PACKET_MAX];
    uint8_t stage[SERIAL_STAGE];
    size_t stage_pos, stage_len;
    uint8_t *txbuf;
    size_t txcap;
};


static int serial_send(void *ctx, const uint8_t *pkt, size_t len)
{
    struct serial_ctx *s = ctx;
    size_t need = serial_frame_encoded_size(len, &s->cfg);
    if (need == 0) {
        return DFU_ERANGE;
    }
    if (need > s->txcap) {
        uint8_t *q = realloc(s->txbuf, need);
        if (!q) {
            return DFU_ENOMEM;
        }
        s->txbuf = q;
        s->txcap = need;
    }
    int n = serial_frame_encode(s->txbuf, s->txcap, pkt, len, &s->cfg);
    if (n < 0) {
        return n;
    }
    return hostio_write_all(s->fd, s->txbuf, (size_t)n, 10000);
}

static int serial_recv(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    struct serial_ctx *s = ctx;
    int64_t deadline = client_now_ms() + (timeout_ms < 0 ? 0 : timeout_ms);
    for (;;) {
        while (s->stage_pos < s->stage_len) {
            size_t used = 0;
            size_t n = serial_deframer_feed(&s->df, s->stage + s->stage_pos,
                                            s->stage_len - s->stage_pos, &used);
            s->stage_pos += used;
            if (n > 0) {
                if (n > cap) {
                    continue; /* larger than the caller can take: drop it */
                }
                memcpy(buf, s->pkt, n);
                return (int)n;
            }
        }
        s->stage_pos = s->stage_len = 0;
        int64_t left = deadline - client_now_ms();
        if (left < 0) {
            left = 0;
        }
        int w = hostio_wait_readable(s->fd, (int)left);
        if (w < 0) {
            return w;
        }
        int r = hostio_read(s->fd, s->stage, sizeof(s->stage));
        if (r < 0) {
            return r;
        }
        if (r == 0 && w == 0) {
            return DFU_ETIMEDOUT;
        }
        s->stage_len = (size_t)r;
    }
}

static void serial_close(void *ctx)
{
    struct serial_ctx *s = ctx;
    hostio_close(s->fd);
    free(s->txbuf);
    free(s);
}

static const struct client_xport_ops serial_ops = {serial_send, serial_recv, serial_close};

int client_xport_serial_open(struct client_xport *out, const struct client_conn *conn,
                             char *msg, size_t msg_len)
{
    struct serial_ctx *s = calloc(1, sizeof(*s));
    if (!s) {
        return DFU_ENOMEM;
    }
    int err = hostio_serial_open(&s->fd, conn->dev, conn->baud);
    if (err) {
        snprintf(msg, msg_len, "cannot open serial port %s: %s", conn->dev, dfu_strerror(err));
        free(s);
        return err;
    }
    s->cfg.frame_max = conn->mtu;
    s->cfg.split = SERIAL_SPLIT_EVEN;
    serial_deframer_init(&s->df, s->pkt, sizeof(s->pkt));
    out->ops = &serial_ops;
    out->ctx = s;
    out->buf_overhead = 4; /* decoded length field and CRC share the device's net_buf */
    out->link_max = 0;
    out->page_barrier = 4096; /* the common erase page; larger pages are multiples of it */
    out->ordered = true;
    return 0;
}
