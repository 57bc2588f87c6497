/* Setup and the serving loop of the serial SMP transport. */
#include <string.h>

#include "dfukit/err.h"
#include "dfukit/smp_uart.h"

int smp_uart_init(struct smp_uart *u, const struct smp_uart_cfg *cfg)
{
    if (cfg->port == NULL || cfg->port->output == NULL ||
        cfg->line_mem == NULL || cfg->pkt == NULL || cfg->pkt_cap == 0 ||
        cfg->pkt_cap > UINT32_MAX) {
        return DFU_EINVAL;
    }
    memset(u, 0, sizeof *u);
    u->cfg = *cfg;
    int rc = serial_linebuf_init(&u->lb, cfg->line_mem, cfg->line_size, cfg->line_count);
    if (rc != 0) {
        return rc;
    }
    serial_deframer_init(&u->df, cfg->pkt, cfg->pkt_cap);
    return 0;
}

void smp_uart_cfg_from_bufs(struct smp_uart_cfg *cfg, struct smp_uart_bufs *b)
{
    cfg->line_mem = &b->lines[0][0];
    cfg->line_size = SMP_UART_RX_BUF_SIZE;
    cfg->line_count = SMP_UART_RX_BUF_COUNT;
    cfg->pkt = b->pkt;
    cfg->pkt_cap = sizeof b->pkt;
}

void smp_uart_reset(struct smp_uart *u)
{
    struct serial_linebuf_stats keep = u->lb.stats;
    serial_linebuf_init(&u->lb, u->cfg.line_mem, u->cfg.line_size, u->cfg.line_count);
    u->lb.stats = keep;
    u->line_off = 0;
    serial_deframer_reset(&u->df);
}

size_t smp_uart_mtu(const struct smp_uart *u)
{
    size_t max = u->cfg.max_packet;
    return max != 0 && max < u->cfg.pkt_cap ? max : u->cfg.pkt_cap;
}

void smp_uart_peer(struct smp_peer *out)
{
    memset(out, 0, sizeof *out);
    out->link = SMP_PEER_SERIAL;
}

const struct smp_uart_stats *smp_uart_stats(const struct smp_uart *u)
{
    return &u->stats;
}

int smp_uart_poll(struct smp_uart *u, uint8_t *rsp, size_t rsp_cap)
{
    if (u->cfg.srv == NULL) {
        return DFU_EINVAL;
    }
    struct smp_peer peer;
    smp_uart_peer(&peer);
    int served = 0;
    size_t pkt;
    while ((pkt = smp_uart_next_packet(u)) > 0) {
        int n = server_process_from(u->cfg.srv, &peer, u->cfg.pkt, pkt, rsp, rsp_cap);
        if (n < 0) {
            return n;
        }
        int rc = smp_uart_send(u, rsp, (size_t)n);
        if (rc < 0) {
            return rc;
        }
        served++;
    }
    return served;
}
