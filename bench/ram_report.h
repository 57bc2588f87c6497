/* bench_ram_report: the device-side state types whose sizes make up static RAM, listed once
 * (RAM_REPORT_TYPES) for the host program (ram_report.c) and for the Cortex-M size probe that
 * bench/ram_report.sh compiles with clang (ram_probe.c). The server instance is measured with
 * server.h's defaults and with the build's SMP buffer values (ram_report_project.c). */
#ifndef BENCH_RAM_REPORT_H
#define BENCH_RAM_REPORT_H

#include <stddef.h>

#include "dfukit/ble_reasm.h"
#include "dfukit/boot.h"
#include "dfukit/crypto.h"
#include "dfukit/flash.h"
#include "dfukit/image.h"
#include "dfukit/serial_frame.h"
#include "dfukit/server.h"
#include "dfukit/server_ports.h"
#include "dfukit/smp_cbor.h"

/* Zephyr's uart_mcumgr defaults: CONFIG_UART_MCUMGR_RX_BUF_SIZE / _RX_BUF_COUNT. */
#define ZEPHYR_UART_LINE_SIZE 128u
#define ZEPHYR_UART_LINE_COUNT 2u

/* X(id, type, what, note); the server's types first, then the rest. */
#define RAM_REPORT_TYPES(X) RAM_REPORT_SERVER_TYPES(X) RAM_REPORT_OTHER_TYPES(X)
#define RAM_REPORT_SERVER_TYPES(X)                                                              \
    X(smp_server, struct smp_server, "SMP server instance", "server.h default buffers")      \
    X(server_img_upload, struct server_img_upload, "  of which image upload state", "")       \
    X(server_counters, struct server_counters, "  of which SMP counters", "")
#define RAM_REPORT_OTHER_TYPES(X)                                                               \
    X(fs_mgmt_state, struct fs_mgmt_state, "FS group state (optional)", "")                   \
    X(mgmt_ctx, struct mgmt_ctx, "Request context", "stack, per request")                    \
    X(smp_cbor_enc, struct smp_cbor_enc, "CBOR encoder", "stack, per request")               \
    X(smp_cbor_dec, struct smp_cbor_dec, "CBOR decoder", "stack, per request")               \
    X(serial_deframer, struct serial_deframer, "Serial deframer",                            \
      "its packet buffer is one of the server's SMP buffers")                                \
    X(serial_linebuf, struct serial_linebuf, "UART line buffers (state)",                    \
      "SERIAL_LINEBUF_MAX_COUNT line lengths")                                               \
    X(serial_frame_enc, struct serial_frame_enc, "Serial frame encoder", "stack, per response") \
    X(raw_deframer, struct raw_deframer, "Raw UART deframer", "alternative to serial")        \
    X(ble_reasm, struct ble_reasm, "BLE reassembly", "alternative to serial")                \
    X(boot_config, struct boot_config, "Boot configuration", "")                             \
    X(boot_rsp, struct boot_rsp, "Boot response", "")                                        \
    X(boot_swap_state, struct boot_swap_state, "Trailer state", "per slot")                  \
    X(flash_area, struct flash_area, "Flash area", "one per slot")                           \
    X(flash_dev, struct flash_dev, "Flash device", "one per device")                         \
    X(image_header, struct image_header, "Image header", "")                                 \
    X(image_info, struct image_info, "Image validation result", "")                          \
    X(crypto_hash, struct crypto_hash, "Hash context", "backend state not included")

struct ram_server_size {
    size_t server;       /* sizeof(struct smp_server) */
    size_t bufs;         /* its transport buffers: count x size */
    unsigned buf_size;
    unsigned buf_count;
};

void ram_report_project(struct ram_server_size *out);

#endif
