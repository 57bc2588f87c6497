/* SMP over a UART with console framing: the device side of Zephyr's uart_mcumgr + the SMP
 * serial transport. Bytes from the UART (ISR or driver) go into fixed line buffers; complete
 * lines go through the console deframer; each packet is served by the SMP server and every
 * response goes back as console frames through the port's output function.
 *
 * Heap-free and OS-free: struct smp_uart and all its buffers belong to the integrator. The
 * library never prints: what it drops is counted (struct smp_uart_stats) and reported to the
 * integrator (smp_uart_rx()'s result, the port's optional event function).
 *
 * Modelled on Zephyr's smp_transport: a transport with an output function, a get-mtu
 * (smp_uart_mtu) and a receive entry (smp_uart_rx) that the UART feeds. */
#ifndef DFUKIT_SMP_UART_H
#define DFUKIT_SMP_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfukit/serial_frame.h"
#include "dfukit/server.h"

/* Zephyr's defaults: CONFIG_UART_MCUMGR_RX_BUF_SIZE and CONFIG_UART_MCUMGR_RX_BUF_COUNT. */
#ifndef SMP_UART_RX_BUF_SIZE
#define SMP_UART_RX_BUF_SIZE 128
#endif
#ifndef SMP_UART_RX_BUF_COUNT
#define SMP_UART_RX_BUF_COUNT 2
#endif

/* What the library reports as it happens (port->event, may be NULL). */
enum smp_uart_event {
    /* A deframed packet longer than cfg.max_packet: dropped, never served; n is its length. */
    SMP_UART_EV_PACKET_TOO_BIG = 1,
};

/* The UART side the integrator provides. */
struct smp_uart_port {
    /* Sends bytes on the UART (one console frame per call). A negative return stops the
     * response; the rest of it is not sent. */
    int (*output)(void *ctx, const uint8_t *bytes, size_t len);
    void (*event)(void *ctx, enum smp_uart_event ev, size_t n);
    void *ctx;
};

struct smp_uart_stats {
    uint64_t rx_bytes;
    uint64_t lines_full;       /* lines lost: every line buffer was waiting for the app */
    uint64_t lines_too_long;   /* lines lost: longer than one line buffer */
    uint64_t packets;          /* packets deframed and handed on */
    uint64_t packets_too_big;  /* packets over cfg.max_packet, dropped */
};

/* Lines one smp_uart_rx() call lost, by cause. */
struct smp_uart_drops {
    uint32_t full;
    uint32_t too_long;
};

struct smp_uart_cfg {
    struct smp_server *srv;    /* for smp_uart_poll(); NULL: the integrator serves packets */
    const struct smp_uart_port *port;
    uint8_t *line_mem;         /* line_count * line_size bytes */
    size_t line_size, line_count;
    uint8_t *pkt;              /* one deframed SMP packet (CRC and length field not stored) */
    size_t pkt_cap;
    /* The serial path's own packet limit (a driver or shell that holds less than the SMP
     * buffers); 0: pkt_cap. */
    size_t max_packet;
};

/* Buffers of the compile-time size, for an integrator that allocates them statically. The
 * packet buffer is an SMP buffer less the length field and CRC that share it on the wire. */
struct smp_uart_bufs {
    uint8_t lines[SMP_UART_RX_BUF_COUNT][SMP_UART_RX_BUF_SIZE];
    uint8_t pkt[SMP_BUF_SIZE - 4];
};

struct smp_uart {
    struct smp_uart_cfg cfg;
    struct serial_linebuf lb;
    size_t line_off;           /* bytes of the oldest line already given to the deframer */
    struct serial_deframer df;
    struct smp_uart_stats stats;
    uint8_t frame[SERIAL_FRAME_MAX_DEFAULT];
};

/* DFU_EINVAL for a missing buffer or output, or line sizes serial_linebuf refuses. */
int smp_uart_init(struct smp_uart *u, const struct smp_uart_cfg *cfg);
/* cfg pointing at b's buffers (line size and count from the compile-time settings). */
void smp_uart_cfg_from_bufs(struct smp_uart_cfg *cfg, struct smp_uart_bufs *b);
/* Forgets every buffered line and partial packet (a UART reset); the counters stay. */
void smp_uart_reset(struct smp_uart *u);

/* Receive entry, for the UART ISR or driver: bytes as they arrive, any chunking. Returns the
 * lines this call lost (also added to the counters). */
struct smp_uart_drops smp_uart_rx(struct smp_uart *u, const uint8_t *bytes, size_t n);

/* Deframes buffered lines until a packet is complete: returns its length (> 0, the packet is
 * in cfg.pkt until the next call) or 0 when no complete line is left. Packets over the path's
 * limit are dropped here (counted, SMP_UART_EV_PACKET_TOO_BIG). */
size_t smp_uart_next_packet(struct smp_uart *u);

/* True when a deframed packet of pkt bytes is within the path's limit; otherwise counts it
 * and reports SMP_UART_EV_PACKET_TOO_BIG (for an integrator with its own deframer, e.g. raw
 * binary mode). */
bool smp_uart_packet_fits(struct smp_uart *u, size_t pkt);

/* Sends responses (one or more complete SMP messages back to back, as server_process
 * writes them), each as its own console frames. Stops at the first malformed message.
 * Returns 0 or the first negative value of port->output. */
int smp_uart_send(struct smp_uart *u, const uint8_t *rsp, size_t len);

/* Serves every complete packet waiting: server, then responses out. rsp (rsp_cap bytes)
 * holds one packet's responses. Returns the number of packets served or a negative error
 * from the server or the output (DFU_EINVAL without cfg.srv). */
int smp_uart_poll(struct smp_uart *u, uint8_t *rsp, size_t rsp_cap);

/* The largest SMP packet this transport takes (Zephyr's get_mtu). */
size_t smp_uart_mtu(const struct smp_uart *u);
/* The SMP peer of the serial link (one UART: its only peer). */
void smp_uart_peer(struct smp_peer *out);
const struct smp_uart_stats *smp_uart_stats(const struct smp_uart *u);

#endif
