/* UDP transport: one SMP packet per datagram to a connected socket (Zephyr's smp_transport.rst). */
#include <stdlib.h>
#include <string.h>

#include "dfukit/client.h"
#include "dfukit/err.h"
#include "dfukit/hostio.h"
#include "xport.h"

struct udp_ctx {
    int fd;
};

static int udp_send(void *ctx, const uint8_t *pkt, size_t len)
{
    struct udp_ctx *u = ctx;
    int n = hostio_udp_send(u->fd, pkt, len, NULL);
    return n < 0 ? n : 0;
}

static int udp_recv(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    struct udp_ctx *u = ctx;
    for (;;) {
        int n = hostio_udp_recv(u->fd, buf, cap, NULL);
        if (n > 0) {
            return n;
        }
        if (n < 0 && n != DFU_ENOMEM) {
            return n;
        }
        /* 0: nothing queued; DFU_ENOMEM: an oversized datagram was dropped */
        int w = hostio_wait_readable(u->fd, timeout_ms);
        if (w == 0) {
            return DFU_ETIMEDOUT;
        }
        if (w < 0) {
            return w;
        }
    }
}

static void udp_close(void *ctx)
{
    struct udp_ctx *u = ctx;
    hostio_close(u->fd);
    free(u);
}

static const struct client_xport_ops udp_ops = {udp_send, udp_recv, udp_close, NULL};

int client_xport_udp_open(struct client_xport *out, const struct client_conn *conn, char *msg,
                          size_t msg_len)
{
    char text[300];
    snprintf(text, sizeof(text), strchr(conn->host, ':') ? "[%s]:%u" : "%s:%u", conn->host,
             (unsigned)conn->port);
    struct hostio_addr peer;
    int err = hostio_addr_parse(&peer, text, CLIENT_UDP_PORT_DEFAULT, 0);
    if (err) {
        snprintf(msg, msg_len, "cannot resolve udp address %s: %s", text, dfu_strerror(err));
        return err;
    }
    struct udp_ctx *u = malloc(sizeof(*u));
    if (!u) {
        return DFU_ENOMEM;
    }
    err = hostio_udp_client(&u->fd, &peer);
    if (err) {
        snprintf(msg, msg_len, "cannot open udp socket to %s: %s", text, dfu_strerror(err));
        free(u);
        return err;
    }
    out->ops = &udp_ops;
    out->ctx = u;
    out->buf_overhead = 0;
    /* one datagram within an Ethernet MTU: 1500 - IPv4/IPv6 and UDP headers */
    out->link_max = HOSTIO_UDP_MTU - (strchr(conn->host, ':') ? 48 : 28);
    return 0;
}
