/* UDP sockets: one SMP packet per datagram (Zephyr's smp_transport.rst), IPv4 and IPv6. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dfukit/err.h"
#include "dfukit/hostio.h"

static int udp_socket(int family)
{
    return socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

int hostio_udp_server(int *out_fd, const struct hostio_addr *local)
{
    int fd = udp_socket(local->ss.ss_family);
    if (fd < 0) {
        return DFU_EIO;
    }
    /* No SO_REUSEADDR: for UDP it would let two simulators share a port silently. */
    int one = 1;
    if (local->ss.ss_family == AF_INET6) {
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    }
    if (bind(fd, (const struct sockaddr *)&local->ss, local->len) != 0) {
        int e = errno;
        close(fd);
        return e == EADDRINUSE ? DFU_EBUSY : DFU_EIO;
    }
    *out_fd = fd;
    return 0;
}

int hostio_udp_client(int *out_fd, const struct hostio_addr *peer)
{
    int fd = udp_socket(peer->ss.ss_family);
    if (fd < 0) {
        return DFU_EIO;
    }
    if (connect(fd, (const struct sockaddr *)&peer->ss, peer->len) != 0) {
        close(fd);
        return DFU_EIO;
    }
    *out_fd = fd;
    return 0;
}

int hostio_udp_local(int fd, struct hostio_addr *out)
{
    memset(out, 0, sizeof(*out));
    out->len = sizeof(out->ss);
    if (getsockname(fd, (struct sockaddr *)&out->ss, &out->len) != 0) {
        return DFU_EIO;
    }
    return 0;
}

int hostio_udp_recv(int fd, void *buf, size_t cap, struct hostio_addr *from)
{
    struct hostio_addr tmp;
    struct hostio_addr *src = from ? from : &tmp;
    memset(src, 0, sizeof(*src));
    src->len = sizeof(src->ss);
    for (;;) {
        ssize_t n = recvfrom(fd, buf, cap, MSG_TRUNC, (struct sockaddr *)&src->ss, &src->len);
        if (n >= 0) {
            return (size_t)n > cap ? DFU_ENOMEM : (int)n;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return 0;
        }
        /* A connected socket reports an earlier ICMP "port unreachable" here: no device. */
        return errno == ECONNREFUSED ? DFU_ENOENT : DFU_EIO;
    }
}

int hostio_udp_send(int fd, const void *buf, size_t n, const struct hostio_addr *to)
{
    for (;;) {
        ssize_t w = to ? sendto(fd, buf, n, 0, (const struct sockaddr *)&to->ss, to->len)
                       : send(fd, buf, n, 0);
        if (w >= 0) {
            return (size_t)w == n ? 0 : DFU_EIO;
        }
        if (errno == EINTR) {
            continue;
        }
        return errno == ECONNREFUSED ? DFU_ENOENT : DFU_EIO;
    }
}
