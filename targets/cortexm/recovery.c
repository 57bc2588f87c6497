/* dfuboot's serial recovery, as MCUboot's: with nothing bootable in slot 0 and no swap to do,
 * the bootloader serves SMP on UART0 with console framing, through the same server and serial
 * transport as smp-app (smp_serial.c) but with only the image group (state read, upload
 * straight into slot 0, erase) and the OS group (echo, reset), slot 0 seen through the
 * recovery view (dfukit/recovery.h). After the reset the bootloader runs again and boots what
 * was uploaded if it validates, or comes back here. */
#include "recovery.h"

#include "dfukit/recovery.h"
#include "dfukit/server.h"
#include "mps2.h"
#include "smp_serial.h"

static struct smp_server srv;
static struct recovery_slot_view slot0;

static int start(enum boot_strategy strategy)
{
    static struct server_port port;
    int rc = recovery_slot_view_init(&slot0, &mps2_slot0);
    if (rc != 0) {
        return rc;
    }
    port = (struct server_port){
        .reset_request = smp_serial_reset_request,
        .uptime_ms = smp_serial_uptime_ms,
        .os = { .kernel_name = "MCUboot", .node_name = "qemu", .machine = "arm",
                .processor = "cortex-m4", .hardware_platform = "mps2-an386",
                .os_name = "dfukit" },
        .boot = { .name = "MCUboot",
                  .mode = strategy == BOOT_STRATEGY_SWAP_SCRATCH ? SERVER_BOOT_MODE_SWAP_SCRATCH
                                                                 : SERVER_BOOT_MODE_SWAP_MOVE },
        .slot_primary = &slot0.area,
        .slot_secondary = &slot0.area,
    };
    server_init(&srv, &port, &(struct server_config){ 0 });
    rc = server_register_group(&srv, &os_mgmt_group);
    return rc != 0 ? rc : server_register_group(&srv, &img_mgmt_group);
}

_Noreturn void dfuboot_recovery(enum boot_strategy strategy)
{
    if (start(strategy) == 0) {
        mps2_uart_puts("dfuboot: serial recovery on UART0\r\n");
        smp_serial_run(&srv, false);
    }
    mps2_uart_puts("dfuboot: serial recovery cannot start\r\n");
    for (;;) {
    }
}
