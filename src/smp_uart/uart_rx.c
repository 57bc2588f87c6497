/* Receive side: UART bytes into the line buffers, lines through the deframer. */
#include "dfukit/smp_uart.h"

struct smp_uart_drops smp_uart_rx(struct smp_uart *u, const uint8_t *bytes, size_t n)
{
    uint32_t nb = u->lb.stats.no_buffer, tl = u->lb.stats.too_long;
    serial_linebuf_push(&u->lb, bytes, n);
    struct smp_uart_drops d = { .full = u->lb.stats.no_buffer - nb,
                                .too_long = u->lb.stats.too_long - tl };
    u->stats.rx_bytes += n;
    u->stats.lines_full += d.full;
    u->stats.lines_too_long += d.too_long;
    return d;
}

/* The serial path's own limit: a longer packet never reaches the SMP server, no reply. */
bool smp_uart_packet_fits(struct smp_uart *u, size_t pkt)
{
    if (u->cfg.max_packet == 0 || pkt <= u->cfg.max_packet) {
        return true;
    }
    u->stats.packets_too_big++;
    if (u->cfg.port->event != NULL) {
        u->cfg.port->event(u->cfg.port->ctx, SMP_UART_EV_PACKET_TOO_BIG, pkt);
    }
    return false;
}

size_t smp_uart_next_packet(struct smp_uart *u)
{
    const uint8_t *line;
    size_t len;
    while (serial_linebuf_peek(&u->lb, &line, &len)) {
        size_t used = 0;
        size_t pkt = serial_deframer_feed(&u->df, line + u->line_off, len - u->line_off, &used);
        u->line_off += used;
        if (u->line_off >= len) {
            serial_linebuf_release(&u->lb);
            u->line_off = 0;
        }
        if (pkt > 0 && smp_uart_packet_fits(u, pkt)) {
            u->stats.packets++;
            return pkt;
        }
    }
    return 0;
}
