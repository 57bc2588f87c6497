/* Internal: the transports behind client_xport_open(), and the byte-stream link they share. */
#ifndef CLIENT_XPORT_H
#define CLIENT_XPORT_H

#include <stdbool.h>

#include "dfukit/client.h"
#include "dfukit/serial_frame.h"

int client_xport_udp_open(struct client_xport *out, const struct client_conn *conn, char *msg,
                          size_t msg_len);
int client_xport_serial_open(struct client_xport *out, const struct client_conn *conn,
                             char *msg, size_t msg_len);
int client_xport_ble_open(struct client_xport *out, const struct client_conn *conn, char *msg,
                          size_t msg_len);
int client_xport_exec_open(struct client_xport *out, const struct client_conn *conn, char *msg,
                           size_t msg_len);

/* SMP over a byte stream (a tty, or a command's stdin/stdout): console framing (base64 + CRC16
 * lines, Zephyr's smp_transport.rst) or raw binary SMP. One place for both serial and exec. */
#define STREAM_STAGE 4096

struct stream_link {
    int rfd, wfd;
    bool raw;
    int (*write_all)(int fd, const void *buf, size_t n, int timeout_ms);
    /* A second fd watched while waiting for input (exec: the command's stderr), -1 if none;
     * side_ready is called when it is readable. */
    int side_fd;
    void (*side_ready)(void *arg);
    void *side_arg;
    struct serial_frame_cfg cfg;
    struct serial_deframer df;
    struct raw_deframer rd;
    uint8_t pkt[SERIAL_PACKET_MAX];
    uint8_t stage[STREAM_STAGE];
    size_t stage_pos, stage_len;
    uint8_t *txbuf;
    size_t txcap;
};

/* mtu: the longest console line (ignored when raw). The fds stay the caller's. */
void stream_link_init(struct stream_link *l, int rfd, int wfd, uint32_t mtu, bool raw);
int stream_link_send(struct stream_link *l, const uint8_t *pkt, size_t len);
/* One whole packet, DFU_ETIMEDOUT, or DFU_EIO when the stream ended. */
int stream_link_recv(struct stream_link *l, uint8_t *buf, size_t cap, int timeout_ms);
void stream_link_fini(struct stream_link *l);
/* The xport fields every stream link has (ordered answers, the serial page barrier). */
void stream_link_describe(struct client_xport *out, bool raw);

#endif
