/* The board: power, flash, bootloader, and the application's life (start, self-confirm, crash
 * or hang caught by the watchdog, SMP reset, SIGHUP). The bootloader core and the SMP server
 * are the device-side libraries, composed here over the emulated NOR flash. */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "dfukit/err.h"
#include "dfukit/keys.h"
#include "sim_priv.h"

static void power_on(struct sim_dev *d);
static void reset(struct sim_dev *d, const char *why);

void sim_log(struct sim_dev *d, const char *fmt, ...)
{
    if (d->cfg->log == NULL) {
        return;
    }
    char line[512];
    uint64_t t = sim_now_us() - d->t0_us;
    int n = snprintf(line, sizeof line, "[%4llu.%03llu] ", (unsigned long long)(t / 1000000u),
                     (unsigned long long)(t / 1000u % 1000u));
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    d->cfg->log(d->cfg->log_arg, line);
}

static void format_version(char *buf, size_t len, const struct image_version *v)
{
    if (image_version_format(buf, len, v, v->build != 0) < 0) {
        snprintf(buf, len, "?");
    }
}

/* ---- power ---------------------------------------------------------------------------- */

/* True (and the run ends) when the power-cut wrapper has fired. */
static bool power_lost(struct sim_dev *d)
{
    if (!powercut_is_dead(&d->pc)) {
        return false;
    }
    if (d->state != SIM_OFF) {
        d->state = SIM_OFF;
        sim_log(d, "power: cut at flash operation %llu; the board is off",
                (unsigned long long)powercut_ops(&d->pc));
        sim_loop_stop(&d->loop, SIM_EXIT_POWER_CUT);
    }
    return true;
}

/* Board time the flash spent since `since` (0 when timing is off). */
static uint64_t flash_busy_us(struct sim_dev *d, uint64_t since)
{
    return d->cfg->timing ? nor_flash_time_us(&d->nor) - since : 0;
}

/* ---- SMP server port ------------------------------------------------------------------ */

static int port_reset_request(void *ctx, bool force)
{
    struct sim_dev *d = ctx;
    d->reset_accepted = true;
    return 0;
}

static int64_t rtc_offset_s;

static int port_datetime_get(void *ctx, struct server_datetime *out)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    time_t t = ts.tv_sec + rtc_offset_s;
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
    struct tm tm = { .tm_year = dt->year - 1900, .tm_mon = dt->month - 1, .tm_mday = dt->day,
                     .tm_hour = dt->hour, .tm_min = dt->minute, .tm_sec = dt->second };
    time_t want = timegm(&tm);
    if (want == (time_t)-1) {
        return DFU_EINVAL;
    }
    rtc_offset_s = (int64_t)want - (int64_t)time(NULL);
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
    case BOOT_STRATEGY_OVERWRITE: return SERVER_BOOT_MODE_OVERWRITE_ONLY;
    }
    return SERVER_BOOT_MODE_UNKNOWN;
}

static uint64_t app_uptime_ms(void *arg)
{
    const struct sim_dev *d = arg;
    return (sim_now_us() - d->app_t0_us) / 1000u;
}

/* Sets up the server for the firmware now running: the app (every group) or the bootloader's
 * serial recovery (image and OS groups on slot 0 only). */
static int server_start(struct sim_dev *d, bool recovery)
{
    struct server_port *p = &d->port;
    memset(p, 0, sizeof *p);
    p->ctx = d;
    p->reset_request = port_reset_request;
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
    p->boot = (struct server_boot_info){ .name = "MCUboot", .mode = boot_mode_of(d->board.strategy) };
    p->slot_primary = &d->slot0;
    /* Recovery uploads straight into slot 0, as MCUboot's serial recovery does. */
    p->slot_secondary = recovery ? &d->slot0 : &d->slot1;
    struct server_config sc = {
        .buf_size = (uint16_t)d->board.smp_buf_size,
        .buf_count = (uint16_t)d->board.smp_buf_count,
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

static void server_stop(struct sim_dev *d)
{
    if (d->groups_on) {
        port_groups_stop(d->groups);
        d->groups_on = false;
    }
}

/* ---- requests ------------------------------------------------------------------------- */

bool sim_dev_accepting(const struct sim_dev *d)
{
    return (d->state == SIM_RUNNING || d->state == SIM_RECOVERY) && !d->stalled;
}

static void reset_timer_fired(void *arg)
{
    struct sim_dev *d = arg;
    d->reset_timer = 0;
    reset(d, "SMP reset command");
}

/* Sends the response(s) of the last request where it came from; a reset the request asked
 * for follows once the reply is on the wire. */
static void emit_reply(struct sim_dev *d)
{
    uint64_t wire_us = 0;
    if (d->rsp_len > 0) {
        if (d->rsp_to.xport == SIM_XPORT_SERIAL) {
            sim_serial_send(&d->serial, d->rsp, d->rsp_len);
            wire_us = sim_serial_tx_drain_us(&d->serial);
        } else {
            size_t pos = 0;
            while (pos + SMP_HDR_SIZE <= d->rsp_len) {
                struct smp_hdr h;
                if (smp_hdr_decode(&h, d->rsp + pos, d->rsp_len - pos) != 0 ||
                    h.len > d->rsp_len - pos - SMP_HDR_SIZE) {
                    break;
                }
                sim_udp_send(&d->udp, d->rsp_to.ep, &d->rsp_to.peer, d->rsp + pos,
                             SMP_HDR_SIZE + h.len);
                pos += SMP_HDR_SIZE + h.len;
            }
        }
    }
    d->rsp_len = 0;
    if (d->reset_accepted && d->reset_timer == 0) {
        d->reset_timer = sim_loop_timer_at(&d->loop,
                                           sim_now_us() + wire_us + d->cfg->reset_delay_ms * 1000u,
                                           reset_timer_fired, d);
    }
}

static void stall_over(void *arg)
{
    struct sim_dev *d = arg;
    d->stall_timer = 0;
    d->stalled = false;
    emit_reply(d);
    if (d->state == SIM_RUNNING) {
        sim_udp_pause(&d->udp, false);
    }
    sim_serial_kick(&d->serial);
}

void sim_dev_handle(struct sim_dev *d, const uint8_t *pkt, size_t len,
                    const struct sim_reply_to *to)
{
    if (!sim_dev_accepting(d)) {
        return;
    }
    uint64_t t0 = nor_flash_time_us(&d->nor);
    int n = server_process(d->srv, pkt, len, d->rsp, sizeof d->rsp);
    if (power_lost(d)) {
        return;
    }
    d->rsp_len = n > 0 ? (size_t)n : 0;
    d->rsp_to = *to;
    uint64_t busy = flash_busy_us(d, t0);
    if (d->cfg->verbose) {
        struct smp_hdr h = { 0 };
        smp_hdr_decode(&h, pkt, len);
        sim_log(d, "smp: %s request op %u group %u id %u seq %u (%zu bytes) -> %zu bytes%s",
                to->xport == SIM_XPORT_SERIAL ? "serial" : "udp", h.op, h.group, h.id, h.seq, len,
                d->rsp_len, busy ? ", flash busy" : "");
    }
    if (busy == 0) {
        emit_reply(d);
        return;
    }
    /* The CPU waits for the flash: nothing is served until it is done, and the reply comes
     * after; the UART keeps receiving into the line buffers meanwhile. */
    d->stalled = true;
    sim_udp_pause(&d->udp, true);
    d->stall_timer = sim_loop_timer_at(&d->loop, sim_now_us() + busy, stall_over, d);
}

/* ---- application ---------------------------------------------------------------------- */

static void watchdog_expired(void *arg)
{
    struct sim_dev *d = arg;
    d->app_timer = 0;
    reset(d, "watchdog expired");
}

static void app_fault(void *arg)
{
    struct sim_dev *d = arg;
    d->state = SIM_FAULTED;
    sim_udp_pause(&d->udp, true);
    if (d->desc.behaviour == SIM_APP_CRASH) {
        sim_log(d, "app: crashed (hard fault); the watchdog resets the board in %u ms",
                d->board.watchdog_ms);
        sim_serial_print(&d->serial, "*** FATAL: hard fault ***\n");
    } else {
        sim_log(d, "app: hung; the watchdog resets the board in %u ms", d->board.watchdog_ms);
    }
    d->app_timer = sim_loop_timer_at(&d->loop, sim_now_us() + d->board.watchdog_ms * 1000u,
                                     watchdog_expired, d);
}

#define TICK_US 500000

static void app_tick(void *arg)
{
    struct sim_dev *d = arg;
    d->tick_timer = 0;
    if (d->state == SIM_RUNNING && d->groups_on) {
        fs_mgmt_poll(d->srv);
        d->tick_timer = sim_loop_timer_at(&d->loop, sim_now_us() + TICK_US, app_tick, d);
    }
}

static void app_start(void *arg)
{
    struct sim_dev *d = arg;
    d->app_timer = 0;
    struct image_header hdr;
    d->has_desc = false;
    if (image_header_read(&d->slot0, &hdr) == 0 &&
        sim_app_find(&d->slot0, (uint32_t)hdr.hdr_size + hdr.img_size, &d->desc) == 0) {
        d->has_desc = true;
    }
    if (!d->has_desc) {
        memset(&d->desc, 0, sizeof d->desc);
        d->desc.behaviour = SIM_APP_NORMAL;
    }
    if (power_lost(d)) {
        return;
    }
    char banner[128];
    snprintf(banner, sizeof banner, "*** Booting devsim app %s on %s ***\n", d->version_str,
             d->board.name);
    d->app_t0_us = sim_now_us();
    int rc = server_start(d, false);
    if (power_lost(d)) {
        return;
    }
    if (rc != 0) {
        sim_log(d, "app: SMP server incomplete: %s", dfu_strerror(rc));
    }
    d->state = SIM_RUNNING;
    d->tick_timer = sim_loop_timer_at(&d->loop, sim_now_us() + TICK_US, app_tick, d);
    sim_serial_reset(&d->serial, d->board.line_size, d->board.line_count);
    sim_serial_print(&d->serial, banner);
    sim_log(d, "app: running %s (%s%s)", d->version_str,
            sim_app_behaviour_name(d->desc.behaviour), d->has_desc ? "" : ", no descriptor");
    if (d->desc.behaviour == SIM_APP_SELF_CONFIRM) {
        rc = boot_set_confirmed(&d->slot0);
        if (power_lost(d)) {
            return;
        }
        sim_log(d, "app: confirmed its image%s%s", rc ? ": " : "", rc ? dfu_strerror(rc) : "");
    }
    if (d->desc.behaviour == SIM_APP_CRASH || d->desc.behaviour == SIM_APP_HANG) {
        d->app_timer = sim_loop_timer_at(&d->loop, sim_now_us() + d->desc.fault_after_ms * 1000u,
                                         app_fault, d);
    }
    /* Datagrams sent while the board was down never reached it. */
    sim_udp_flush(&d->udp);
    sim_udp_pause(&d->udp, false);
    sim_serial_kick(&d->serial);
}

static void recovery_start(struct sim_dev *d)
{
    d->state = SIM_RECOVERY;
    snprintf(d->version_str, sizeof d->version_str, "recovery");
    if (server_start(d, true) != 0) {
        sim_log(d, "recovery: cannot start the SMP server");
    }
    sim_serial_reset(&d->serial, SIM_RECOVERY_LINE_SIZE, SIM_RECOVERY_LINE_COUNT);
    sim_log(d, "recovery: serial recovery on the serial port (image list, upload to slot 0, "
               "reset)");
    sim_serial_kick(&d->serial);
}

static const char *swap_name(enum boot_swap_type t)
{
    switch (t) {
    case BOOT_SWAP_TYPE_NONE: return "none";
    case BOOT_SWAP_TYPE_TEST: return "test";
    case BOOT_SWAP_TYPE_PERM: return "perm";
    case BOOT_SWAP_TYPE_REVERT: return "revert";
    case BOOT_SWAP_TYPE_FAIL: return "fail";
    case BOOT_SWAP_TYPE_PANIC: return "panic";
    }
    return "?";
}

/* The bootloader: resumes or performs a swap, validates, and starts the app (after the flash
 * time it spent, when timing is on) or falls back to serial recovery. */
static void power_on(struct sim_dev *d)
{
    d->boots++;
    d->state = SIM_BOOTING;
    d->stalled = false;
    d->rsp_len = 0;
    sim_udp_pause(&d->udp, true);
    sim_udp_flush(&d->udp);
    struct boot_config bc = {
        .strategy = d->board.strategy,
        .primary = &d->slot0,
        .secondary = &d->slot1,
        .scratch = d->has_scratch ? &d->scratch : NULL,
        .keys = d->keys,
        .key_count = d->key_count,
    };
    struct boot_rsp rsp;
    uint64_t t0 = nor_flash_time_us(&d->nor);
    uint64_t ops0 = powercut_ops(&d->pc);
    int rc = boot_go(&bc, &rsp);
    uint64_t ops = powercut_ops(&d->pc) - ops0;
    if (power_lost(d)) {
        return;
    }
    if (rc != 0) {
        sim_log(d, "boot: %s", rc == DFU_ENOENT ? "no bootable image"
                                                : dfu_strerror(rc));
        recovery_start(d);
        return;
    }
    d->running = rsp.hdr.ver;
    format_version(d->version_str, sizeof d->version_str, &rsp.hdr.ver);
    uint64_t busy = flash_busy_us(d, t0);
    sim_log(d, "boot: booting %s from slot %u; swap type %s", d->version_str, rsp.slot,
            swap_name(rsp.swap_type));
    if (ops > 0 && d->cfg->timing) {
        sim_log(d, "boot: %llu flash writes/erases, flash busy for %llu ms",
                (unsigned long long)ops, (unsigned long long)(busy / 1000u));
    } else if (ops > 0) {
        sim_log(d, "boot: %llu flash writes/erases", (unsigned long long)ops);
    }
    d->app_timer = sim_loop_timer_at(&d->loop, sim_now_us() + busy, app_start, d);
}

static void reset(struct sim_dev *d, const char *why)
{
    sim_log(d, "reset: %s", why);
    sim_loop_cancel(&d->loop, d->app_timer);
    sim_loop_cancel(&d->loop, d->reset_timer);
    sim_loop_cancel(&d->loop, d->stall_timer);
    sim_loop_cancel(&d->loop, d->tick_timer);
    d->app_timer = d->reset_timer = d->stall_timer = d->tick_timer = 0;
    server_stop(d);
    power_on(d);
}

/* ---- set-up --------------------------------------------------------------------------- */

static int say(char *err, size_t err_len, int rc, const char *fmt, const char *arg)
{
    if (err != NULL && err_len > 0) {
        snprintf(err, err_len, fmt, arg, dfu_strerror(rc));
    }
    return rc;
}

static int load_keys(struct sim_dev *d, char *err, size_t err_len)
{
    for (size_t i = 0; i < d->cfg->trust_count && i < SIM_MAX_KEYS; i++) {
        struct keys_key *k = NULL;
        char why[128] = "";
        int rc = keys_load_pem(&k, d->cfg->trust[i], why, sizeof why);
        if (rc != 0) {
            snprintf(err, err_len, "cannot load key %s: %s", d->cfg->trust[i],
                     why[0] ? why : dfu_strerror(rc));
            return rc;
        }
        uint8_t *der = malloc(KEYS_PUB_MAX);
        int n = der ? keys_public_bytes(k, der, KEYS_PUB_MAX) : DFU_ENOMEM;
        keys_free(k);
        if (n <= 0) {
            free(der);
            n = n ? n : DFU_EINVAL;
            snprintf(err, err_len, "cannot use key %s: %s", d->cfg->trust[i], dfu_strerror(n));
            return n;
        }
        d->keys[d->key_count].der = der;
        d->keys[d->key_count].len = (size_t)n;
        d->key_count++;
    }
    return 0;
}

static struct flash_area area_of(struct sim_dev *d, const struct sim_part *p, uint8_t id)
{
    return (struct flash_area){ .dev = &d->pc.dev, .off = p->off, .size = p->size, .id = id };
}

static int open_flash(struct sim_dev *d, char *err, size_t err_len)
{
    struct nor_flash_config nc = {
        .path = d->cfg->flash_path,
        .write_align = d->board.write_align,
        .erased_val = d->board.erased_val,
        .runs = d->board.runs,
        .run_count = d->board.run_count,
    };
    if (d->cfg->timing) {
        nc.timing = d->board.flash_timing;
    }
    int rc = nor_flash_open(&d->nor, &nc);
    if (rc != 0) {
        return say(err, err_len, rc, "cannot open the flash file %s: %s", d->cfg->flash_path);
    }
    powercut_init(&d->pc, &d->nor.dev);
    if (d->cfg->power_cut_at_op > 0) {
        powercut_arm(&d->pc, d->cfg->power_cut_at_op);
    }
    d->slot0 = area_of(d, &d->board.slot0, 1);
    d->slot1 = area_of(d, &d->board.slot1, 2);
    d->has_scratch = d->board.scratch.size > 0;
    d->scratch = area_of(d, &d->board.scratch, 3);
    d->has_storage = d->board.storage.size > 0;
    d->storage = area_of(d, &d->board.storage, 4);
    d->bootpart = area_of(d, &d->board.boot, 0);
    /* Zephyr's partition labels, for the shell's "flash info". */
    static const char *const names[] = { "mcuboot", "image-0", "image-1", "image-scratch", "storage" };
    const struct flash_area *areas[] = { &d->bootpart, &d->slot0, &d->slot1, &d->scratch, &d->storage };
    d->part_count = 0;
    for (size_t i = 0; i < 5; i++) {
        if (areas[i]->size > 0) {
            d->parts[d->part_count++] = (struct port_shell_partition){ names[i], areas[i] };
        }
    }
    return 0;
}

static void on_signal(void *arg, int fd, short revents)
{
    struct sim_dev *d = arg;
    struct signalfd_siginfo si;
    while (read(fd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGHUP) {
            reset(d, "SIGHUP");
        } else {
            sim_log(d, "power: off (%s)", si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
            sim_loop_stop(&d->loop, SIM_EXIT_OK);
        }
    }
}

static int open_signals(struct sim_dev *d)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) {
        return DFU_EIO;
    }
    d->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (d->sig_fd < 0) {
        return DFU_EIO;
    }
    return sim_loop_watch(&d->loop, d->sig_fd, POLLIN, on_signal, d);
}

static void teardown(struct sim_dev *d)
{
    server_stop(d);
    free(d->groups);
    sim_serial_close(&d->serial);
    sim_udp_close(&d->udp);
    if (d->sig_fd >= 0) {
        close(d->sig_fd);
    }
    nor_flash_close(&d->nor);
    for (size_t i = 0; i < d->key_count; i++) {
        free((void *)d->keys[i].der);
    }
    free(d->srv);
}

int sim_run(const struct sim_run_config *cfg, char *err, size_t err_len)
{
    struct sim_dev *d = calloc(1, sizeof *d);
    if (d == NULL) {
        return SIM_EXIT_ERROR;
    }
    d->cfg = cfg;
    d->board = cfg->board;
    d->sig_fd = -1;
    d->serial.pty.master = d->serial.pty.hold = -1;
    d->t0_us = sim_now_us();
    sim_loop_init(&d->loop);
    sim_rng_seed(&d->rng, cfg->seed);
    snprintf(d->node_name, sizeof d->node_name, "devsim-%s", d->board.name);
    int rc = 0;
    char why[160] = "";
    if (sim_board_check(&d->board, why, sizeof why) != 0) {
        rc = say(err, err_len, DFU_EINVAL, "bad board layout: %s%.0s", why);
    }
    if (rc == 0 && d->board.smp_buf_size > SMP_BUF_SIZE) {
        snprintf(why, sizeof why, "%u", SMP_BUF_SIZE);
        rc = say(err, err_len, DFU_EINVAL, "SMP buffer size above the build's %s bytes%.0s", why);
    }
    d->srv = rc == 0 ? calloc(1, sizeof *d->srv) : NULL;
    d->groups = rc == 0 ? calloc(1, sizeof *d->groups) : NULL;
    if (rc == 0 && (d->srv == NULL || d->groups == NULL)) {
        rc = DFU_ENOMEM;
    }
    if (rc == 0) {
        rc = load_keys(d, err, err_len);
    }
    if (rc == 0) {
        rc = open_flash(d, err, err_len);
    }
    if (rc == 0 && (rc = open_signals(d)) != 0) {
        say(err, err_len, rc, "cannot watch signals%s: %s", "");
    }
    if (rc == 0) {
        sim_log(d, "devsim: board %s, flash %s (%u KiB), %s, timing %s, %zu trusted key(s)",
                d->board.name, cfg->flash_path, d->board.flash_size / 1024,
                sim_strategy_name(d->board.strategy), cfg->timing ? "on" : "off", d->key_count);
        if ((rc = sim_serial_open(&d->serial, d)) != 0) {
            say(err, err_len, rc, "cannot open the serial port%s: %s",
                rc == DFU_EEXIST ? " (the --serial path exists and is not a symlink)" : "");
        } else {
            sim_log(d, "uart: %s%s%s (%u baud, %u x %u line buffers)", d->serial.pty.slave,
                    cfg->serial_link ? " at " : "", cfg->serial_link ? cfg->serial_link : "",
                    d->board.baud, d->board.line_count, d->board.line_size);
        }
    }
    if (rc == 0 && (rc = sim_udp_open(&d->udp, d)) != 0) {
        say(err, err_len, rc, "cannot open the UDP listener%s: %s", "");
    }
    int code = SIM_EXIT_ERROR;
    if (rc == 0) {
        power_on(d);
        code = sim_loop_run(&d->loop);
        if (code < 0) {
            say(err, err_len, code, "event loop failed%s: %s", "");
            code = SIM_EXIT_ERROR;
        }
    }
    teardown(d);
    free(d);
    return code;
}
