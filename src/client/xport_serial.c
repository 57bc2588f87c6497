/* Serial transport: the stream link (console framing or raw SMP) on a termios device. */
#include <stdlib.h>

#include "dfukit/client.h"
#include "dfukit/err.h"
#include "dfukit/hostio.h"
#include "xport.h"

struct serial_ctx {
    int fd;
    struct stream_link link;
};

static int serial_send(void *ctx, const uint8_t *pkt, size_t len)
{
    struct serial_ctx *s = ctx;
    return stream_link_send(&s->link, pkt, len);
}

static int serial_recv(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    struct serial_ctx *s = ctx;
    return stream_link_recv(&s->link, buf, cap, timeout_ms);
}

static void serial_close(void *ctx)
{
    struct serial_ctx *s = ctx;
    hostio_close(s->fd);
    stream_link_fini(&s->link);
    free(s);
}

static const struct client_xport_ops serial_ops = {serial_send, serial_recv, serial_close, NULL};

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
    stream_link_init(&s->link, s->fd, s->fd, conn->mtu, conn->raw);
    out->ops = &serial_ops;
    out->ctx = s;
    stream_link_describe(out, conn->raw);
    return 0;
}
