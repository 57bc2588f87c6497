/* smp-app: the application of the QEMU board. Serves SMP (OS, image, stat, settings groups)
 * over UART0 with console framing through the device transport (dfu_smp_uart), writes
 * uploads into slot 1, marks test/confirm through the boot library, resets by SYSRESETREQ
 * after answering a reset, and feeds the watchdog. Its version is the one imgtool put in its
 * MCUboot header. The crash flavour (SMP_APP_CRASH) starts the watchdog and hangs at start. */
#include <string.h>

#include "dfukit/err.h"
#include "dfukit/image.h"
#include "dfukit/server.h"
#include "dfukit/server_ports.h"
#include "dfukit/smp_uart.h"
#include "mps2.h"

#define WATCHDOG_MS 1000
/* A reset waits this long after its answer so the reply leaves the UART (Zephyr's
 * CONFIG_MCUMGR_GRP_OS_RESET_MS default is 250). */
#define RESET_DELAY_MS 250

static struct smp_server srv;
static struct smp_uart uart;
static struct smp_uart_bufs bufs;
static uint8_t rsp[SMP_BUF_SIZE];
static struct stat_registry stats;
static struct stat_group smp_stats;
static struct settings_store settings;
static char version[24];
static bool reset_accepted;

static int uart_output(void *ctx, const uint8_t *bytes, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        mps2_uart_putc((char)bytes[i]);
    }
    return 0;
}

static int port_reset_request(void *ctx, bool force)
{
    reset_accepted = true;
    return 0;
}

static uint32_t port_uptime_ms(void *ctx)
{
    return mps2_millis();
}

static const struct smp_uart_port uart_port = { .output = uart_output };

static int start_server(void)
{
    static struct server_port port;
    struct image_header hdr;
    if (image_header_read(&mps2_slot0, &hdr) == 0) {
        image_version_format(version, sizeof version, &hdr.ver, false);
    }
    port = (struct server_port){
        .reset_request = port_reset_request,
        .uptime_ms = port_uptime_ms,
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
    struct smp_uart_cfg cfg;
    smp_uart_cfg_from_bufs(&cfg, &bufs);
    cfg.srv = &srv;
    cfg.port = &uart_port;
    return rc != 0 ? rc : smp_uart_init(&uart, &cfg);
}

int main(void)
{
    mps2_uart_init();
    mps2_wdog_start(WATCHDOG_MS);
#ifdef SMP_APP_CRASH
    for (;;) {  /* hangs at start: never feeds the watchdog */
    }
#endif
    mps2_clock_start();
    if (start_server() != 0) {
        for (;;) {  /* no server: the watchdog resets, the bootloader reverts */
        }
    }
    uint32_t reset_at = 0;
    for (;;) {
        int c = mps2_uart_getc();
        if (c >= 0) {
            uint8_t b = (uint8_t)c;
            smp_uart_rx(&uart, &b, 1);
            smp_uart_poll(&uart, rsp, sizeof rsp);
        }
        mps2_wdog_feed();
        if (reset_accepted && reset_at == 0) {
            reset_at = mps2_millis() + RESET_DELAY_MS;
        }
        if (reset_at != 0 && (int32_t)(mps2_millis() - reset_at) >= 0) {
            mps2_sysreset();
        }
    }
}
