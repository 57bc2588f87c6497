/* The SMP serial loop of the mps2 programs that serve SMP (smp-app, dfuboot's serial
 * recovery): UART0 bytes into the device transport (dfu_smp_uart), packets served by the
 * program's server, responses out as console frames; a reset the server accepted happens
 * SMP_SERIAL_RESET_DELAY_MS later, once the answer has left the UART. */
#ifndef DFUKIT_CORTEXM_SMP_SERIAL_H
#define DFUKIT_CORTEXM_SMP_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

#include "dfukit/server.h"

/* Zephyr's CONFIG_MCUMGR_GRP_OS_RESET_MS default. */
#define SMP_SERIAL_RESET_DELAY_MS 250

/* server_port functions both programs use: accept every reset; milliseconds since the clock
 * started (mps2_clock_start(), which smp_serial_run() calls). */
int smp_serial_reset_request(void *ctx, bool force);
uint32_t smp_serial_uptime_ms(void *ctx);

/* Serves srv (initialised, groups registered) on UART0 until the reset it accepted, feeding
 * the watchdog every turn when feed_watchdog. Returns only when the transport cannot start
 * (its error). */
int smp_serial_run(struct smp_server *srv, bool feed_watchdog);

#endif
