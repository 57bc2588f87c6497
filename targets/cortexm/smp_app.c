/* smp-app: the application of the QEMU board. Serves SMP (OS, image, stat, settings groups)
 * over UART0 with console framing through the device transport (smp_serial.c), writes
 * uploads into slot 1, marks test/confirm through the boot library, resets by SYSRESETREQ
 * after answering a reset, and feeds the watchdog. Its version is the one imgtool put in its
 * MCUboot header. The crash flavour (SMP_APP_CRASH) starts the watchdog and hangs at start. */
#include "dfukit/image.h"
#include "dfukit/server.h"
#include "dfukit/server_ports.h"
#include "mps2.h"
#include "smp_serial.h"

#define WATCHDOG_MS 1000

static struct smp_server srv;
static struct stat_registry stats;
static struct stat_group smp_stats;
static struct settings_store settings;
static char version[24];

static int start_server(void)
{
    static struct server_port port;
    struct image_header hdr;
    if (image_header_read(&mps2_slot0, &hdr) == 0) {
        image_version_format(version, sizeof version, &hdr.ver, false);
    }
    port = (struct server_port){
        .reset_request = smp_serial_reset_request,
        .uptime_ms = smp_serial_uptime_ms,
        .os = { .kernel_name = "dfukit", .node_name = "qemu", .kernel_release = version,
                .kernel_version = version, .machine = "arm", .processor = "cortex-m4",
                .hardware_platform = "mps2-an386", .os_name = "dfukit" },
        .boot = { .name = "MCUboot", .mode = SMP_APP_BOOT_MODE },
        .slot_primary = &mps2_slot0,
        .slot_secondary = &mps2_slot1,
        .stats = &stats,
        .settings = &settings,
    };
    stat_registry_init(&stats);
    stat_group_init_smp(&smp_stats, &srv);
    int rc = stat_group_register(&stats, &smp_stats);
    if (rc == 0) {
        rc = settings_store_init(&settings, &mps2_storage);
    }
    server_init(&srv, &port, &(struct server_config){ 0 });
    const struct mgmt_group *groups[] = { &os_mgmt_group, &img_mgmt_group, &stat_mgmt_group,
                                          &settings_mgmt_group };
    for (size_t i = 0; rc == 0 && i < sizeof groups / sizeof groups[0]; i++) {
        rc = server_register_group(&srv, groups[i]);
    }
    return rc;
}

int main(void)
{
    mps2_uart_init();
    mps2_wdog_start(WATCHDOG_MS);
#ifdef SMP_APP_CRASH
    for (;;) {  /* hangs at start: never feeds the watchdog */
    }
#endif
    if (start_server() == 0) {
        smp_serial_run(&srv, true);
    }
    for (;;) {  /* no server: the watchdog resets, the bootloader reverts */
    }
}
