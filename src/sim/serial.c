/* The board's UART on a pseudo-terminal, and its timing: bytes cross at baud/10 per second
 * each way when timing is on; the serial SMP transport (dfukit/smp_uart.h: line buffers,
 * deframer, frame encoder) gets each line at its arrival time, and the line buffers keep
 * filling while the application is stalled, as the chip's DMA does. This file decides when
 * the firmware runs and logs what the transport dropped. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "dfukit/err.h"
#include "sim_priv.h"

/* Wake-ups of a paced UART are batched to at most one per millisecond. */
#define PACE_TICK_US 1000
/* Raw mode: a partial packet idle this long is garbage (RAW_UART_INPUT_TIMEOUT). */
#define RAW_IDLE_US 100000
#define RX_CHUNK 1024

static void rx_timer_fired(void *arg);
static void tx_pump(struct sim_serial *s);
static uint8_t *tx_reserve(struct sim_serial *s, size_t n);

/* The serial path's own limit (--serial-max-packet: a shell or UART driver that holds less
 * than the SMP buffers): a longer packet never reaches the SMP server and gets no reply. */
static void on_uart_event(void *ctx, enum smp_uart_event ev, size_t n)
{
    struct sim_serial *s = ctx;
    if (ev == SMP_UART_EV_PACKET_TOO_BIG) {
        sim_log(s->dev, "uart: SMP packet of %zu bytes over the serial path's %u-byte limit, "
                "dropped (%llu total)", n, (unsigned)s->dev->cfg->serial_max_packet,
                (unsigned long long)smp_uart_stats(&s->uart)->packets_too_big);
    }
}

/* The transport's output: frames queue for the paced transmitter (tx_pump after each
 * response). */
static int on_uart_output(void *ctx, const uint8_t *bytes, size_t len)
{
    struct sim_serial *s = ctx;
    uint8_t *p = tx_reserve(s, len);
    if (p == NULL) {
        return DFU_ENOMEM;
    }
    memcpy(p, bytes, len);
    s->tx_len += len;
    return 0;
}

static bool receiving(const struct sim_dev *d)
{
    /* The UART is up once firmware runs: the app (even a faulted one: its DMA still fills the
     * buffers) or the bootloader's recovery. During boot and with the power off, bytes are
     * lost. */
    return d->state == SIM_RUNNING || d->state == SIM_RECOVERY || d->state == SIM_FAULTED;
}

static void process_raw(struct sim_serial *s, const uint8_t *in, size_t n)
{
    struct sim_dev *d = s->dev;
    struct sim_reply_to to = { .xport = SIM_XPORT_SERIAL };
    uint64_t now = sim_now_us();
    if (s->raw.got > 0 && now - s->raw_last_us > RAW_IDLE_US) {
        raw_deframer_resync(&s->raw);
    }
    s->raw_last_us = now;
    while (n > 0) {
        size_t used = 0;
        size_t pkt = raw_deframer_feed(&s->raw, in, n, &used);
        in += used;
        n -= used;
        if (pkt > 0 && sim_dev_accepting(d) && smp_uart_packet_fits(&s->uart, pkt)) {
            sim_dev_handle(d, s->uart.cfg.pkt, pkt, &to);
        }
    }
}

/* Serves what waits while the application takes requests: packets the UART driver queued during
 * a flash stall first, then the lines still in the line buffers, in order. */
static void process_lines(struct sim_serial *s)
{
    struct sim_dev *d = s->dev;
    struct sim_reply_to to = { .xport = SIM_XPORT_SERIAL };
    while (sim_dev_accepting(d) && s->q_n > 0) {
        /* Served synchronously: the slot is not reused before sim_dev_handle returns. */
        const uint8_t *pkt = s->q_mem + s->q_head * s->pkt_cap;
        size_t plen = s->q_len[s->q_head];
        s->q_head = (s->q_head + 1) % SIM_SMP_QUEUE_MAX;
        s->q_n--;
        sim_dev_handle(d, pkt, plen, &to);
    }
    while (sim_dev_accepting(d)) {
        size_t pkt = smp_uart_next_packet(&s->uart);
        if (pkt == 0) {
            break;
        }
        d->req_at_us = s->line_at_us;
        sim_dev_handle(d, s->uart.cfg.pkt, pkt, &to);
    }
}

/* The UART driver's part while the SMP thread waits for the flash (Zephyr: the RX interrupt
 * and the system work queue preempt it): complete lines leave the line buffers through the
 * deframer and each packet takes a free SMP buffer, or is dropped when none is left; the
 * thread serves them in order once the flash is done. */
static void take_lines(struct sim_serial *s)
{
    struct sim_dev *d = s->dev;
    size_t pkt;
    while ((pkt = smp_uart_next_packet(&s->uart)) > 0) {
        if (s->q_n < s->q_cap) {
            size_t slot = (s->q_head + s->q_n) % SIM_SMP_QUEUE_MAX;
            memcpy(s->q_mem + slot * s->pkt_cap, s->uart.cfg.pkt, pkt);
            s->q_len[slot] = pkt;
            s->q_n++;
        } else {
            s->q_dropped++;
            sim_log(d, "smp: no free SMP buffer while the app waits for the flash, packet "
                    "dropped (%llu total)", (unsigned long long)s->q_dropped);
        }
    }
}

void sim_serial_stall_ending(struct sim_serial *s, uint64_t now)
{
    if (s->open && s->q_mem != NULL && sim_dev_cpu_ran(s->dev, s->take_us, now)) {
        take_lines(s);
    }
    if (now > s->take_us) {
        s->take_us = now;
    }
}

/* buf[0..n) crossed the wire at one byte per byte_ns, the last one at last_us (board time):
 * each line is pushed at its own arrival time, so a late read does not change what the
 * board would have done. */
static void deliver(struct sim_serial *s, uint8_t *buf, size_t n, uint64_t last_us,
                    uint64_t byte_ns)
{
    struct sim_dev *d = s->dev;
    s->rx_bytes += n;
    if (d->cfg->serial_ber > 0) {
        s->bit_flips += sim_link_corrupt(&d->rng, d->cfg->serial_ber, buf, n);
    }
    if (!receiving(d)) {
        return;
    }
    if (d->cfg->serial_raw) {
        process_raw(s, buf, n);
        return;
    }
    uint32_t full = 0, full_erasing = 0, too_long = 0;
    /* Line by line: an app that is not stalled takes each line as soon as it is complete
     * (its CPU is far faster than the UART), so only a stalled app lets lines pile up. */
    size_t pos = 0;
    while (pos < n) {
        const uint8_t *nl = memchr(buf + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - buf) + 1 : n;
        uint64_t at = last_us - (uint64_t)(n - end) * byte_ns / 1000u;
        bool driver = s->q_mem != NULL && !sim_dev_accepting(d);
        if (driver && sim_dev_cpu_ran(d, s->take_us, at)) {
            take_lines(s);  /* the driver ran before this line was complete */
        }
        if (at > s->take_us) {
            s->take_us = at;
        }
        /* why a line was lost: every buffer full (while an erase halts the app, or not), or
         * a line longer than one buffer */
        struct smp_uart_drops lost = smp_uart_rx(&s->uart, buf + pos, end - pos);
        if (lost.full > 0 && d->stalled && at < d->halt_end_us) {
            full_erasing += lost.full;
        } else {
            full += lost.full;
        }
        too_long += lost.too_long;
        pos = end;
        if (driver && nl && sim_dev_cpu_runs_at(d, at)) {
            take_lines(s);  /* the CPU runs: the RX interrupt hands the line on at once */
        }
        s->line_at_us = at;
        process_lines(s);
        s->line_at_us = 0;
    }
    if (full_erasing > 0) {
        s->rx_dropped_lines += full_erasing;
        sim_log(d, "uart: rx line buffers full during a flash erase, %u line(s) dropped "
                "(%llu total)", full_erasing, (unsigned long long)s->rx_dropped_lines);
    }
    if (full > 0) {
        s->rx_dropped_lines += full;
        sim_log(d, "uart: rx line buffers full, %u line(s) dropped (%llu total)", full,
                (unsigned long long)s->rx_dropped_lines);
    }
    if (too_long > 0) {
        s->rx_dropped_lines += too_long;
        sim_log(d, "uart: line longer than the %u-byte rx line buffer, %u line(s) dropped "
                "(%llu total)", (unsigned)s->uart.cfg.line_size, too_long,
                (unsigned long long)s->rx_dropped_lines);
    }
}

/* Reads what the pacer lets through; when bytes stay behind, sleeps until the next ones have
 * had time to cross the wire. */
static void rx_read(struct sim_serial *s)
{
    struct sim_dev *d = s->dev;
    /* Raw mode has no line buffers: a stalled app leaves bytes in the pty. */
    if (d->cfg->serial_raw && !sim_dev_accepting(d) && receiving(d)) {
        sim_loop_set_events(&d->loop, s->pty.master, 0);
        return;
    }
    int avail = 0;
    if (ioctl(s->pty.master, FIONREAD, &avail) != 0) {
        avail = RX_CHUNK;  /* unknown: read what is there */
    }
    if (avail <= 0) {
        /* Nothing waiting (a pacing wake-up after the line went quiet): poll for more. */
        sim_loop_set_events(&d->loop, s->pty.master, POLLIN);
        return;
    }
    size_t want = (size_t)avail < RX_CHUNK ? (size_t)avail : RX_CHUNK;
    uint64_t now = sim_now_us();
    size_t n = sim_pacer_take(&s->rx_pacer, now, want);
    if (n > 0) {
        uint8_t buf[RX_CHUNK];
        int got = hostio_read(s->pty.master, buf, n);
        if (got > 0) {
            /* the pacer's clock is at the end of the last byte it let through */
            uint64_t last = s->rx_pacer.byte_ns ? s->rx_pacer.t_ns / 1000u : now;
            deliver(s, buf, (size_t)got, last, s->rx_pacer.byte_ns);
        }
    }
    if (n < want) {
        uint64_t at = sim_pacer_next_us(&s->rx_pacer, now);
        if (at < now + PACE_TICK_US) {
            at = now + PACE_TICK_US;
        }
        sim_loop_set_events(&d->loop, s->pty.master, 0);
        if (s->rx_timer == 0) {
            s->rx_timer = sim_loop_timer_at(&d->loop, at, rx_timer_fired, s);
        }
    }
}

static void rx_timer_fired(void *arg)
{
    struct sim_serial *s = arg;
    s->rx_timer = 0;
    sim_loop_set_events(&s->dev->loop, s->pty.master, POLLIN);
    rx_read(s);
}

static void on_master(void *arg, int fd, short revents)
{
    struct sim_serial *s = arg;
    if (revents & POLLIN) {
        rx_read(s);
    } else if (revents & (POLLHUP | POLLERR)) {
        /* Cannot happen while the slave is held open; back off rather than spin. */
        sim_loop_set_events(&s->dev->loop, fd, 0);
        if (s->rx_timer == 0) {
            s->rx_timer =
                sim_loop_timer_at(&s->dev->loop, sim_now_us() + 100000, rx_timer_fired, s);
        }
    }
}

static void tx_timer_fired(void *arg)
{
    struct sim_serial *s = arg;
    s->tx_timer = 0;
    tx_pump(s);
}

static void tx_pump(struct sim_serial *s)
{
    struct sim_dev *d = s->dev;
    if (s->tx_len == 0 || s->tx_timer != 0) {
        return;
    }
    uint64_t now = sim_now_us();
    size_t n = sim_pacer_take(&s->tx_pacer, now, s->tx_len);
    if (n > 0) {
        if (d->cfg->serial_ber > 0) {
            s->bit_flips += sim_link_corrupt(&d->rng, d->cfg->serial_ber, s->txq + s->tx_head, n);
        }
        /* A UART sends whether or not anyone listens: bytes the pty cannot take are lost. */
        ssize_t w = write(s->pty.master, s->txq + s->tx_head, n);
        (void)w;
        s->tx_head += n;
        s->tx_len -= n;
        if (s->tx_len == 0) {
            s->tx_head = 0;
        }
    }
    if (s->tx_len > 0) {
        uint64_t at = sim_pacer_next_us(&s->tx_pacer, now);
        if (at < now + PACE_TICK_US && s->tx_pacer.byte_ns != 0) {
            at = now + PACE_TICK_US;
        }
        s->tx_timer = sim_loop_timer_at(&d->loop, at, tx_timer_fired, s);
    }
}

/* Makes room for n more bytes at the end of the queue. */
static uint8_t *tx_reserve(struct sim_serial *s, size_t n)
{
    if (s->tx_head > 0) {
        memmove(s->txq, s->txq + s->tx_head, s->tx_len);
        s->tx_head = 0;
    }
    if (s->tx_len + n > s->tx_cap) {
        size_t cap = s->tx_cap ? s->tx_cap : 4096;
        while (cap < s->tx_len + n) {
            cap *= 2;
        }
        uint8_t *q = realloc(s->txq, cap);
        if (q == NULL) {
            return NULL;
        }
        s->txq = q;
        s->tx_cap = cap;
    }
    return s->txq + s->tx_len;
}

void sim_serial_print(struct sim_serial *s, const char *text)
{
    if (!s->open || s->dev->cfg->serial_raw) {
        return;  /* raw mode cannot share the UART with console text */
    }
    size_t n = strlen(text);
    uint8_t *p = tx_reserve(s, n);
    if (p != NULL) {
        memcpy(p, text, n);
        s->tx_len += n;
        tx_pump(s);
    }
}

void sim_serial_send(struct sim_serial *s, const uint8_t *buf, size_t len)
{
    if (!s->open) {
        return;
    }
    if (!s->dev->cfg->serial_raw) {
        smp_uart_send(&s->uart, buf, len);
        tx_pump(s);
        return;
    }
    /* Raw mode: one response after the other, unframed. */
    size_t pos = 0;
    while (pos + SMP_HDR_SIZE <= len) {
        struct smp_hdr h;
        if (smp_hdr_decode(&h, buf + pos, len - pos) != 0 || h.len > len - pos - SMP_HDR_SIZE) {
            break;
        }
        size_t msg = SMP_HDR_SIZE + h.len;
        uint8_t *p = tx_reserve(s, msg);
        if (p == NULL) {
            break;
        }
        memcpy(p, buf + pos, msg);
        s->tx_len += msg;
        pos += msg;
    }
    tx_pump(s);
}

uint64_t sim_serial_tx_drain_us(const struct sim_serial *s)
{
    return s->tx_len * s->tx_pacer.byte_ns / 1000u;
}

int sim_serial_reset(struct sim_serial *s, uint32_t line_size, uint32_t line_count)
{
    struct sim_dev *d = s->dev;
    free(s->line_mem);
    s->line_mem = calloc(line_count, line_size);
    if (s->line_mem == NULL) {
        return DFU_ENOMEM;
    }
    /* devsim serves each packet itself (sim_dev_handle: flash timing), so no server here. */
    struct smp_uart_cfg cfg = { .port = &s->port, .line_mem = s->line_mem,
                                .line_size = line_size, .line_count = line_count,
                                .pkt = s->pkt, .pkt_cap = s->pkt_cap,
                                .max_packet = d->cfg->serial_max_packet };
    /* the drop totals in the log run across resets */
    struct smp_uart_stats totals = s->uart.stats;
    int rc = smp_uart_init(&s->uart, &cfg);
    if (rc != 0) {
        return rc;
    }
    s->uart.stats = totals;
    s->q_head = s->q_n = 0;
    raw_deframer_resync(&s->raw);
    /* The UART's transmit FIFO does not survive a reset. */
    s->tx_len = 0;
    s->tx_head = 0;
    sim_loop_cancel(&d->loop, s->tx_timer);
    s->tx_timer = 0;
    return 0;
}

void sim_serial_kick(struct sim_serial *s)
{
    if (!s->open) {
        return;
    }
    if (s->dev->cfg->serial_raw) {
        if (s->rx_timer == 0) {
            sim_loop_set_events(&s->dev->loop, s->pty.master, POLLIN);
        }
        return;
    }
    process_lines(s);
}

int sim_serial_open(struct sim_serial *s, struct sim_dev *d)
{
    memset(s, 0, sizeof *s);
    s->dev = d;
    s->pty.master = -1;
    s->pty.hold = -1;
    s->pkt_cap = d->board.smp_buf_size - 4;  /* the length field and CRC share the buffer */
    s->pkt = malloc(s->pkt_cap);
    if (s->pkt == NULL) {
        return DFU_ENOMEM;
    }
    /* While the SMP thread serves a request, it holds two SMP buffers (the request and its
     * response); the others can take packets. */
    s->q_cap = d->board.smp_buf_count > 2 ? d->board.smp_buf_count - 2 : 0;
    if (s->q_cap > SIM_SMP_QUEUE_MAX) {
        s->q_cap = SIM_SMP_QUEUE_MAX;
    }
    s->q_mem = malloc(SIM_SMP_QUEUE_MAX * s->pkt_cap);
    if (s->q_mem == NULL) {
        return DFU_ENOMEM;
    }
    s->port = (struct smp_uart_port){ .output = on_uart_output, .event = on_uart_event,
                                      .ctx = s };
    raw_deframer_init(&s->raw, s->pkt, s->pkt_cap);
    /* An unpaced link (USB CDC-ACM) moves bytes as fast as the host does. */
    bool paced = d->cfg->timing && !d->cfg->serial_unpaced;
    sim_pacer_init(&s->rx_pacer, d->board.baud, paced);
    sim_pacer_init(&s->tx_pacer, d->board.baud, paced);
    int rc = sim_pty_open(&s->pty, d->cfg->serial_link);
    if (rc != 0) {
        return rc;
    }
    rc = sim_loop_watch(&d->loop, s->pty.master, POLLIN, on_master, s);
    if (rc != 0) {
        return rc;
    }
    s->open = true;
    return sim_serial_reset(s, d->board.line_size, d->board.line_count);
}

void sim_serial_close(struct sim_serial *s)
{
    if (s->dev != NULL && s->pty.master >= 0) {
        sim_loop_unwatch(&s->dev->loop, s->pty.master);
    }
    sim_pty_close(&s->pty);
    free(s->line_mem);
    free(s->pkt);
    free(s->q_mem);
    free(s->txq);
    s->line_mem = NULL;
    s->pkt = NULL;
    s->q_mem = NULL;
    s->txq = NULL;
    s->open = false;
}
