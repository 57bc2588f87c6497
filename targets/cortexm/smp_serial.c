/* The SMP serial loop of smp-app and dfuboot's recovery (smp_serial.h). UART0 bytes come
 * through the port's receive interrupt and ring (mps2_uart_read); SMP_SERIAL_POLLED builds
 * the bench's polled flavour instead. */
#include "smp_serial.h"

#include <string.h>

#include "dfukit/smp_uart.h"
#include "mps2.h"

static struct smp_uart uart;
static struct smp_uart_bufs bufs;
static uint8_t rsp[SMP_BUF_SIZE];

static int uart_output(void *ctx, const uint8_t *bytes, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        mps2_uart_putc((char)bytes[i]);
    }
    return 0;
}

static const struct smp_uart_port uart_port = { .output = uart_output };

#ifdef SMP_SERIAL_POLLED
/* The bench's "before" flavour: one byte per loop turn, polled. */
static void receive(void)
{
    int c = mps2_uart_getc();
    if (c >= 0) {
        uint8_t b = (uint8_t)c;
        smp_uart_rx(&uart, &b, 1);
        smp_uart_poll(&uart, rsp, sizeof rsp);
    }
}
#else
/* Everything the RX interrupt has put in the ring, served line by line: a complete line is
 * handed on before the next is fed, so two line buffers are enough. The loop does not sleep
 * (WFI) when the ring is empty: on QEMU a wake-up per received byte halves the upload speed
 * (7.8 against 15.5 kB/s measured, bench/cortexm.sh). */
static void receive(void)
{
    uint8_t chunk[64];
    size_t n;
    while ((n = mps2_uart_read(chunk, sizeof chunk)) > 0) {
        for (size_t pos = 0; pos < n;) {
            const uint8_t *nl = memchr(chunk + pos, '\n', n - pos);
            size_t end = nl != NULL ? (size_t)(nl - chunk) + 1 : n;
            smp_uart_rx(&uart, chunk + pos, end - pos);
            if (nl != NULL) {
                smp_uart_poll(&uart, rsp, sizeof rsp);
            }
            pos = end;
        }
    }
}
#endif

int smp_serial_reset_request(void *ctx, bool force)
{
    return 0;
}

uint32_t smp_serial_uptime_ms(void *ctx)
{
    return mps2_millis();
}

int smp_serial_run(struct smp_server *srv, bool feed_watchdog)
{
    struct smp_uart_cfg cfg;
    smp_uart_cfg_from_bufs(&cfg, &bufs);
    cfg.srv = srv;
    cfg.port = &uart_port;
    int rc = smp_uart_init(&uart, &cfg);
    if (rc != 0) {
        return rc;
    }
    mps2_clock_start();
#ifndef SMP_SERIAL_POLLED
    mps2_uart_rx_irq_start();
#endif
    uint32_t reset_at = 0;
    bool reset_due = false;
    for (;;) {
        receive();
        if (feed_watchdog) {
            mps2_wdog_feed();
        }
        if (server_reset_requested(srv) && !reset_due) {
            reset_due = true;
            reset_at = mps2_millis() + SMP_SERIAL_RESET_DELAY_MS;
        }
        if (reset_due && (int32_t)(mps2_millis() - reset_at) >= 0) {
            mps2_sysreset();
        }
    }
}
