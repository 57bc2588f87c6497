/* The application's SMP server: the port the simulated board gives it (clock, reset, OS
 * strings, slots, threads) and its groups (OS, image, and the host ports' FS, shell, stat,
 * settings and enum groups); in serial recovery only the image and OS groups on slot 0. */
#include <netinet/in.h>
#include <string.h>
#include <time.h>

#include "dfukit/err.h"
#include "sim_priv.h"

static int port_reset_request(void *ctx, bool force)
{
    struct sim_dev *d = ctx;
    d->reset_accepted = true;
    return 0;
}

/* The RTC runs on the host's clock plus the offset the last datetime set gave it. */
static int port_datetime_get(void *ctx, struct server_datetime *out)
{
    const struct sim_dev *d = ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    time_t t = ts.tv_sec + d->rtc_offset_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    *out = (struct server_datetime){
        .year = (uint16_t)(tm.tm_year + 1900), .month = (uint8_t)(tm.tm_mon + 1),
        .day = (uint8_t)tm.tm_mday, .hour = (uint8_t)tm.tm_hour, .minute = (uint8_t)tm.tm_min,
        .second = (uint8_t)tm.tm_sec, .usec = (uint32_t)(ts.tv_nsec / 1000),
    };
    return 0;
}

static int port_datetime_set(void *ctx, const struct server_datetime *dt)
{
    struct sim_dev *d = ctx;
    struct tm tm = { .tm_year = dt->year - 1900, .tm_mon = dt->month - 1, .tm_mday = dt->day,
                     .tm_hour = dt->hour, .tm_min = dt->minute, .tm_sec = dt->second };
    time_t want = timegm(&tm);
    if (want == (time_t)-1) {
        return DFU_EINVAL;
    }
    d->rtc_offset_s = (int64_t)want - (int64_t)time(NULL);
    return 0;
}

/* The threads a small Zephyr app shows in taskstat. */
static int port_task_get(void *ctx, uint32_t idx, struct server_task_info *out)
{
    static const struct server_task_info tasks[] = {
        { .name = "main", .prio = 0, .tid = 1, .state = 0, .stkuse = 212, .stksiz = 512 },
        { .name = "idle", .prio = 15, .tid = 2, .state = 0, .stkuse = 40, .stksiz = 80 },
        { .name = "mcumgr smp", .prio = 14, .tid = 3, .state = 0, .stkuse = 731, .stksiz = 1152 },
    };
    if (idx >= sizeof tasks / sizeof tasks[0]) {
        return 1;
    }
    *out = tasks[idx];
    return 0;
}

static int boot_mode_of(enum boot_strategy s)
{
    switch (s) {
    case BOOT_STRATEGY_SWAP_SCRATCH: return SERVER_BOOT_MODE_SWAP_SCRATCH;
    case BOOT_STRATEGY_SWAP_MOVE: return SERVER_BOOT_MODE_SWAP_MOVE;
    case BOOT_STRATEGY_SWAP_OFFSET: return SERVER_BOOT_MODE_SWAP_OFFSET;
    case BOOT_STRATEGY_OVERWRITE: return SERVER_BOOT_MODE_OVERWRITE_ONLY;
    case BOOT_STRATEGY_DIRECT_XIP: return SERVER_BOOT_MODE_DIRECT_XIP;
    case BOOT_STRATEGY_DIRECT_XIP_REVERT: return SERVER_BOOT_MODE_DIRECT_XIP_REVERT;
    case BOOT_STRATEGY_RAM_LOAD: return SERVER_BOOT_MODE_RAM_LOAD;
    }
    return SERVER_BOOT_MODE_UNKNOWN;
}

static uint64_t app_uptime_ms(void *arg)
{
    const struct sim_dev *d = arg;
    return (sim_now_us() - d->app_t0_us) / 1000u;
}

static uint32_t port_uptime_ms(void *ctx)
{
    return (uint32_t)app_uptime_ms(ctx);
}

_Static_assert(SMP_PEER_ADDR_MAX >= 20, "a UDP peer takes 20 address bytes (IPv6)");

void sim_smp_peer(const struct sim_reply_to *to, struct smp_peer *out)
{
    memset(out, 0, sizeof *out);
    if (to->xport == SIM_XPORT_SERIAL) {
        smp_uart_peer(out);
        return;
    }
    if (to->xport == SIM_XPORT_BLE) {
        ble_smp_peer(to->ble_central, out);
        return;
    }
    out->link = SMP_PEER_UDP;
    const struct sockaddr_storage *ss = &to->peer.ss;
    uint8_t *a = out->addr;
    a[0] = (uint8_t)to->ep;
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        a[1] = 6;
        memcpy(a + 2, &s6->sin6_port, 2);
        memcpy(a + 4, &s6->sin6_addr, 16);
        out->addr_len = 20;
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
        a[1] = 4;
        memcpy(a + 2, &s4->sin_port, 2);
        memcpy(a + 4, &s4->sin_addr, 4);
        out->addr_len = 8;
    }
}

/* Sets up the server for the firmware now running: the app (every group) or the bootloader's
 * serial recovery (image and OS groups on slot 0 only). */
int sim_server_start(struct sim_dev *d, bool recovery)
{
    struct server_port *p = &d->port;
    memset(p, 0, sizeof *p);
    p->ctx = d;
    p->reset_request = port_reset_request;
    p->uptime_ms = port_uptime_ms;
    p->datetime_get = recovery ? NULL : port_datetime_get;
    p->datetime_set = recovery ? NULL : port_datetime_set;
    p->task_get = recovery ? NULL : port_task_get;
    p->os = (struct server_os_info){
        .kernel_name = recovery ? "MCUboot" : "devsim",
        .node_name = d->node_name,
        .kernel_release = d->version_str,
        .kernel_version = d->version_str,
        .machine = "arm",
        .processor = "cortex-m4",
        .hardware_platform = d->board.name,
        .os_name = "dfukit",
    };
    p->boot = (struct server_boot_info){ .name = "MCUboot",
                                         .mode = boot_mode_of(d->board.strategy),
                                         .no_downgrade = d->board.downgrade != BOOT_DOWNGRADE_ALLOW,
                                         .enc_trailer = d->board.enc_trailer };
    p->version_cmp_use_build = d->board.downgrade_use_build;  /* one rule, boot and upload */
    p->slot_primary = &d->slot0;
    p->slot_secondary = &d->slot1_img;  /* swap-offset: one sector in */
    if (d->boot_slot == 1 && !recovery) {
        /* direct-xip, ram-load: the app came from slot 1; uploads go to slot 0 */
        p->slot_primary = &d->slot1;
        p->slot_secondary = &d->slot0;
        p->active_slot = 1;
    }
    if (d->board.image_count > 1 && !recovery) {
        p->images = d->pairs;  /* image 1: the other core's firmware, in slots 2 and 3 */
        p->image_count = d->board.image_count;
    }
    if (recovery) {
        /* Uploads go straight into slot 0, as MCUboot's serial recovery does, whatever its
         * trailer says. */
        int rc = recovery_slot_view_init(&d->recovery_slot, &d->slot0);
        if (rc != 0) {
            return rc;
        }
        p->slot_primary = &d->recovery_slot.area;
        p->slot_secondary = &d->recovery_slot.area;
    }
    struct server_config sc = {
        .buf_size = (uint16_t)d->board.smp_buf_size,
        .buf_count = (uint16_t)d->board.smp_buf_count,
        .erase_progressively = d->cfg->erase_progressively,
        .image_confirm_any = d->board.img_confirm_any,
    };
    server_init(d->srv, p, &sc);
    int rc = server_register_group(d->srv, &os_mgmt_group);
    if (rc == 0) {
        rc = server_register_group(d->srv, &img_mgmt_group);
    }
    d->reset_accepted = false;
    if (rc != 0 || recovery) {
        return rc;
    }
    struct port_groups_config gc = {
        .fs_root = d->cfg->fs_root,
        .fs_mount = "lfs1",
        .fs_size = d->cfg->fs_size ? d->cfg->fs_size : d->board.storage.size,
        .storage = d->has_storage ? &d->storage : NULL,
        .version = d->version_str,
        .uptime_ms = app_uptime_ms,
        .clock_arg = d,
        .flash = &d->pc.dev,
        .parts = d->parts,
        .part_count = d->part_count,
        .nor = &d->nor,
    };
    rc = port_groups_start(d->groups, &gc, d->srv, p);
    if (rc != 0 && gc.storage != NULL) {
        /* A storage partition the settings store cannot use (one sector): go without. */
        sim_log(d, "app: settings storage unusable (%s); no settings group", dfu_strerror(rc));
        port_groups_stop(d->groups);
        server_init(d->srv, p, &sc);
        p->fs = NULL;
        p->shell = NULL;
        p->stats = NULL;
        p->settings = NULL;
        rc = server_register_group(d->srv, &os_mgmt_group);
        if (rc == 0) {
            rc = server_register_group(d->srv, &img_mgmt_group);
        }
        gc.storage = NULL;
        if (rc == 0) {
            rc = port_groups_start(d->groups, &gc, d->srv, p);
        }
    }
    d->groups_on = true;
    return rc;
}

void sim_server_stop(struct sim_dev *d)
{
    if (d->groups_on) {
        port_groups_stop(d->groups);
        d->groups_on = false;
    }
}
