/* A byte-stream SMP link: console frames (lines cut at the connstring's mtu; bytes that are not
 * frames, console text, are skipped by the deframer) or raw binary SMP packets. No sleeps: the
 * kernel paces the bytes (a tty at its baud rate, a pipe at the relay's speed). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/err.h"
#include "dfukit/hostio.h"
#include "xport.h"

void stream_link_init(struct stream_link *l, int rfd, int wfd, uint32_t mtu, bool raw)
{
    l->rfd = rfd;
    l->wfd = wfd;
    l->raw = raw;
    l->write_all = hostio_write_all;
    l->side_fd = -1;
    l->cfg.frame_max = mtu;
    l->cfg.split = SERIAL_SPLIT_EVEN;
    serial_deframer_init(&l->df, l->pkt, sizeof(l->pkt));
    raw_deframer_init(&l->rd, l->pkt, sizeof(l->pkt));
}

int stream_link_send(struct stream_link *l, const uint8_t *pkt, size_t len)
{
    if (l->raw) {
        return l->write_all(l->wfd, pkt, len, 10000);
    }
    size_t need = serial_frame_encoded_size(len, &l->cfg);
    if (need == 0) {
        return DFU_ERANGE;
    }
    if (need > l->txcap) {
        uint8_t *q = realloc(l->txbuf, need);
        if (!q) {
            return DFU_ENOMEM;
        }
        l->txbuf = q;
        l->txcap = need;
    }
    int n = serial_frame_encode(l->txbuf, l->txcap, pkt, len, &l->cfg);
    if (n < 0) {
        return n;
    }
    return l->write_all(l->wfd, l->txbuf, (size_t)n, 10000);
}

/* 1 when rfd is readable (or hung up), 0 on timeout; the side fd is served meanwhile. */
static int wait_input(struct stream_link *l, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - client_now_ms();
        if (left < 0) {
            left = 0;
        }
        struct pollfd p[2] = {{.fd = l->rfd, .events = POLLIN}, {.fd = l->side_fd, .events = POLLIN}};
        int n = poll(p, l->side_fd >= 0 ? 2 : 1, (int)left);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return DFU_EIO;
        }
        if (l->side_fd >= 0 && p[1].revents) {
            l->side_ready(l->side_arg);
        }
        if (p[0].revents) {
            return 1;
        }
        if (n == 0) {
            return 0;
        }
    }
}

int stream_link_recv(struct stream_link *l, uint8_t *buf, size_t cap, int timeout_ms)
{
    int64_t deadline = client_now_ms() + (timeout_ms < 0 ? 0 : timeout_ms);
    for (;;) {
        while (l->stage_pos < l->stage_len) {
            size_t used = 0;
            const uint8_t *in = l->stage + l->stage_pos;
            size_t avail = l->stage_len - l->stage_pos;
            size_t n = l->raw ? raw_deframer_feed(&l->rd, in, avail, &used)
                              : serial_deframer_feed(&l->df, in, avail, &used);
            l->stage_pos += used;
            if (n > 0) {
                if (n > cap) {
                    continue; /* larger than the caller can take: drop it */
                }
                memcpy(buf, l->pkt, n);
                return (int)n;
            }
        }
        l->stage_pos = l->stage_len = 0;
        int w = wait_input(l, deadline);
        if (w < 0) {
            return w;
        }
        int r = hostio_read(l->rfd, l->stage, sizeof(l->stage));
        if (r < 0) {
            return r;
        }
        if (r == 0 && w == 0) {
            if (l->raw) {
                raw_deframer_resync(&l->rd); /* an idle line ends a partial packet */
            }
            return DFU_ETIMEDOUT;
        }
        l->stage_len = (size_t)r;
    }
}

void stream_link_fini(struct stream_link *l)
{
    free(l->txbuf);
    l->txbuf = NULL;
    l->txcap = 0;
}

void stream_link_describe(struct client_xport *out, bool raw)
{
    out->buf_overhead = raw ? 0 : 4; /* decoded length field and CRC share the device's net_buf */
    out->link_max = 0;
    out->page_barrier = 4096; /* the common erase page; larger pages are multiples of it */
    out->ordered = true;
    out->probe_overdue = true; /* a damaged line is dropped without an answer */
}
