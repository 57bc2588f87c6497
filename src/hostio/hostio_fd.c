/* Non-blocking fd helpers shared by the serial, UDP and exec code. */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dfukit/err.h"
#include "dfukit/hostio.h"

int hostio_wait_readable(int fd, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    for (;;) {
        int n = poll(&p, 1, timeout_ms);
        if (n >= 0) {
            return n > 0 ? 1 : 0;
        }
        if (errno != EINTR) {
            return DFU_EIO;
        }
    }
}

int hostio_read(int fd, void *buf, size_t cap)
{
    for (;;) {
        ssize_t n = read(fd, buf, cap);
        if (n > 0) {
            return (int)n;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return 0;
        }
        return DFU_EIO; /* end of file, or the other side of a pty went away */
    }
}

/* The write loop of both: a socket is written with send(MSG_NOSIGNAL), so a peer that went
 * away is DFU_EIO, not a SIGPIPE. */
static int write_all(int fd, const void *buf, size_t n, int timeout_ms, bool socket)
{
    const unsigned char *p = buf;
    while (n > 0) {
        ssize_t w = socket ? send(fd, p, n, MSG_NOSIGNAL) : write(fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pf = {.fd = fd, .events = POLLOUT};
            int r = poll(&pf, 1, timeout_ms);
            if (r == 0) {
                return DFU_ETIMEDOUT;
            }
            if (r < 0 && errno != EINTR) {
                return DFU_EIO;
            }
            continue;
        }
        return DFU_EIO;
    }
    return 0;
}

int hostio_write_all(int fd, const void *buf, size_t n, int timeout_ms)
{
    return write_all(fd, buf, n, timeout_ms, false);
}

int hostio_send_all(int fd, const void *buf, size_t n, int timeout_ms)
{
    return write_all(fd, buf, n, timeout_ms, true);
}

void hostio_close(int fd)
{
    if (fd >= 0) {
        close(fd);
    }
}
