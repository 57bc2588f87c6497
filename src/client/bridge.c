/* The serial-to-UDP bridge: a relay of whole SMP packets. The serial side is the stream link
 * (console framing or raw, as mcumgr's own serial transport); the UDP socket is served from the
 * link's side-fd hook while it waits for the board, so one poll() covers both. Answers are
 * routed by sequence number: a request's number remembers its client until the answer. Several
 * clients may share the board, but the board sees one peer (the serial line), so two uploads at
 * once through one bridge are not told apart by the board: one client at a time uploads. */
#include <stdlib.h>
#include <string.h>

#include "dfukit/client.h"
#include "dfukit/err.h"
#include "dfukit/hostio.h"
#include "xport.h"

struct client_bridge {
    int serial_fd, udp_fd;
    char dev[256];
    struct hostio_addr peer[256]; /* by SMP sequence number */
    bool waiting[256];
    struct client_bridge_stats st;
    uint8_t dgram[HOSTIO_UDP_MTU];
    uint8_t answer[SERIAL_PACKET_MAX];
    struct stream_link link;
};

/* A datagram for the board: remember who asked, pass it on. */
static void from_udp(void *arg)
{
    struct client_bridge *b = arg;
    for (;;) {
        struct hostio_addr from;
        int n = hostio_udp_recv(b->udp_fd, b->dgram, sizeof(b->dgram), &from);
        if (n == 0 || (n < 0 && n != DFU_ENOMEM)) {
            return;
        }
        if (n < SMP_HDR_SIZE) {
            b->st.malformed++; /* also an oversized datagram (DFU_ENOMEM) */
            continue;
        }
        uint8_t seq = b->dgram[6];
        b->peer[seq] = from;
        b->waiting[seq] = true;
        if (stream_link_send(&b->link, b->dgram, (size_t)n) == 0) {
            b->st.requests++;
        }
    }
}

int client_bridge_open(struct client_bridge **out, const struct client_conn *serial,
                       const char *udp, char *msg, size_t msg_len)
{
    struct client_bridge *b = calloc(1, sizeof(*b));
    if (!b) {
        return DFU_ENOMEM;
    }
    b->serial_fd = b->udp_fd = -1;
    struct hostio_addr local;
    int err = hostio_addr_parse(&local, udp, CLIENT_UDP_PORT_DEFAULT, 0);
    if (err) {
        snprintf(msg, msg_len, "invalid udp address %s: %s", udp, dfu_strerror(err));
        free(b);
        return err;
    }
    err = hostio_udp_server(&b->udp_fd, &local);
    if (err) {
        snprintf(msg, msg_len, "cannot listen on udp %s: %s", udp, dfu_strerror(err));
        free(b);
        return err;
    }
    err = hostio_serial_open(&b->serial_fd, serial->dev, serial->baud);
    if (err) {
        snprintf(msg, msg_len, "cannot open serial port %s: %s", serial->dev,
                 dfu_strerror(err));
        hostio_close(b->udp_fd);
        free(b);
        return err;
    }
    snprintf(b->dev, sizeof(b->dev), "%s", serial->dev);
    stream_link_init(&b->link, b->serial_fd, b->serial_fd, serial->mtu, serial->raw);
    b->link.side_fd = b->udp_fd;
    b->link.side_ready = from_udp;
    b->link.side_arg = b;
    *out = b;
    return 0;
}

int client_bridge_local(const struct client_bridge *b, char *out, size_t cap)
{
    struct hostio_addr a;
    int err = hostio_udp_local(b->udp_fd, &a);
    return err ? err : hostio_addr_format(out, cap, &a);
}

int client_bridge_run(struct client_bridge *b, const volatile int *stop, char *msg,
                      size_t msg_len)
{
    while (!*stop) {
        int n = stream_link_recv(&b->link, b->answer, sizeof(b->answer), 200);
        if (n == DFU_ETIMEDOUT) {
            continue;
        }
        if (n < 0) {
            snprintf(msg, msg_len, "serial port %s: %s", b->dev, dfu_strerror(n));
            return DFU_EIO;
        }
        uint8_t seq = n >= SMP_HDR_SIZE ? b->answer[6] : 0;
        if (n < SMP_HDR_SIZE || !b->waiting[seq]) {
            b->st.unmatched++;
            continue;
        }
        b->waiting[seq] = false;
        if (hostio_udp_send(b->udp_fd, b->answer, (size_t)n, &b->peer[seq]) >= 0) {
            b->st.answers++;
        }
    }
    return 0;
}

void client_bridge_get_stats(const struct client_bridge *b, struct client_bridge_stats *out)
{
    *out = b->st;
}

void client_bridge_close(struct client_bridge *b)
{
    if (!b) {
        return;
    }
    hostio_close(b->serial_fd);
    hostio_close(b->udp_fd);
    stream_link_fini(&b->link);
    free(b);
}
