/* Host I/O for the simulator and the client (host only, POSIX): a serial device in raw mode
 * through termios, pseudo-terminal pairs, and UDP sockets over IPv4 and IPv6. Every fd is
 * non-blocking and close-on-exec, so it can sit in a poll() loop.
 *
 * Return convention: 0 or a byte count on success, a negative DFU_E* on failure; reads
 * return 0 when nothing is available right now. */
#ifndef DFUKIT_HOSTIO_H
#define DFUKIT_HOSTIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* ---- Generic fd helpers ---- */

/* Waits until fd is readable (POLLIN) or timeout_ms passes (-1: forever).
 * 1 readable (or hung up), 0 timed out, negative on error. */
int hostio_wait_readable(int fd, int timeout_ms);
/* read(2) on a non-blocking fd: count, 0 if nothing is there, DFU_EIO on error or hang-up. */
int hostio_read(int fd, void *buf, size_t cap);
/* Writes all n bytes, waiting for POLLOUT as needed, each wait at most timeout_ms.
 * 0, DFU_ETIMEDOUT or DFU_EIO. */
int hostio_write_all(int fd, const void *buf, size_t n, int timeout_ms);
/* The same on a connected socket, without SIGPIPE when the peer has gone (DFU_EIO). */
int hostio_send_all(int fd, const void *buf, size_t n, int timeout_ms);
/* close(2) if fd >= 0. */
void hostio_close(int fd);

/* ---- Serial ---- */

/* Opens a tty in raw mode (8N1, no flow control, no echo) at baud, non-blocking.
 * DFU_EINVAL for a baud rate termios does not know, DFU_ENOENT / DFU_EIO from open. */
int hostio_serial_open(int *out_fd, const char *path, uint32_t baud);
/* Sets raw mode and baud on an open tty (used on both ends of a pty too). */
int hostio_serial_configure(int fd, uint32_t baud);

/* A pseudo-terminal pair: *out_master is the fd the simulator keeps (non-blocking); the
 * slave's path (what a client opens, e.g. /dev/pts/7) is written to slave_path. The slave's
 * line discipline is set raw. */
int hostio_pty_open(int *out_master, char *slave_path, size_t cap);
/* Opens the slave once and returns that fd, so reads on the master do not fail with EIO while
 * no client has the slave open. The caller closes it at the end. */
int hostio_pty_hold(int *out_fd, const char *slave_path);

/* ---- Addresses ---- */

struct hostio_addr {
    struct sockaddr_storage ss;
    socklen_t len;
};

/* Parses "[v6addr]:port", "v4addr:port", "host:port", or the same without ":port" (then
 * default_port). Names resolve through getaddrinfo; family AF_UNSPEC takes the first result,
 * AF_INET / AF_INET6 require that family. DFU_EINVAL for malformed text, DFU_ENOENT if the
 * name does not resolve. */
int hostio_addr_parse(struct hostio_addr *out, const char *text, uint16_t default_port,
                      int family);
/* "1.2.3.4:1337" or "[::1]:1337" into out (NUL-terminated). DFU_ENOMEM if cap is short. */
int hostio_addr_format(char *out, size_t cap, const struct hostio_addr *a);
uint16_t hostio_addr_port(const struct hostio_addr *a);
int hostio_addr_family(const struct hostio_addr *a);
/* 1 if both hold the same family, address and port. */
int hostio_addr_equal(const struct hostio_addr *a, const struct hostio_addr *b);

/* ---- UDP: one SMP packet per datagram ---- */

#ifndef HOSTIO_UDP_MTU
#define HOSTIO_UDP_MTU 1500
#endif

/* A socket bound to local (port 0 picks one; IPv6 sockets are v6-only so a v4 and a v6
 * server can share a port number). */
int hostio_udp_server(int *out_fd, const struct hostio_addr *local);
/* A socket connected to peer: replies from anyone else are filtered by the kernel. */
int hostio_udp_client(int *out_fd, const struct hostio_addr *peer);
/* The address a socket is bound to (to learn the port picked for port 0). */
int hostio_udp_local(int fd, struct hostio_addr *out);
/* One datagram: byte count, 0 if none is waiting; DFU_ENOMEM if it was longer than cap
 * (the datagram is consumed); DFU_ENOENT when a connected socket got "port unreachable"
 * for an earlier send (nobody listens there). from may be NULL. */
int hostio_udp_recv(int fd, void *buf, size_t cap, struct hostio_addr *from);
/* One datagram to `to`, or to the connected peer when to is NULL. DFU_EIO on failure,
 * DFU_ENOENT as for hostio_udp_recv(). */
int hostio_udp_send(int fd, const void *buf, size_t n, const struct hostio_addr *to);

#endif
