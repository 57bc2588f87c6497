/* The board: power, bootloader, requests, and the application's life (start, self-confirm,
 * crash or hang caught by the watchdog, SMP reset, SIGHUP). The bootloader core and the SMP
 * server are the device-side libraries, composed here over the emulated NOR flash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/err.h"
#include "sim_priv.h"

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
    sim_optrace_drop(&d->trace);
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

/* ---- flash work in board time -------------------------------------------------------- */

/* Holds back the flash work about to be done (timing on): it reaches the chip, the flash
 * file, as board time passes (optrace.c). A cut armed at an operation number needs the
 * operations to reach the chip at once. */
static bool hold_flash(struct sim_dev *d, const char *what)
{
    if (!d->cfg->timing || d->cfg->power_cut_at_op != 0 || sim_optrace_hold(&d->trace) != 0) {
        return false;
    }
    d->hold_what = what;
    return true;
}

/* The held operations reach the chip as their board time passes. */
static void apply_due(void *arg)
{
    struct sim_dev *d = arg;
    d->apply_timer = 0;
    sim_optrace_apply(&d->trace, sim_now_us() - d->hold_t0_us);
    uint64_t next = sim_optrace_next_us(&d->trace);
    if (next != UINT64_MAX) {
        d->apply_timer = sim_loop_timer_at(&d->loop, d->hold_t0_us + next, apply_due, d);
    }
}

/* The held work's board time 0 passed at wall clock t0. */
static void hold_started_at(struct sim_dev *d, uint64_t t0)
{
    d->hold_t0_us = t0;
    apply_due(d);
}

/* The held work is over in board time: all of it is on the chip. */
static void flash_work_done(struct sim_dev *d)
{
    sim_loop_cancel(&d->loop, d->apply_timer);
    d->apply_timer = 0;
    sim_optrace_release(&d->trace);
}

bool sim_boot_interrupt(struct sim_dev *d)
{
    bool cut = false;
    if (sim_optrace_holding(&d->trace)) {
        sim_loop_cancel(&d->loop, d->apply_timer);
        d->apply_timer = 0;
        size_t total = sim_optrace_count(&d->trace);
        uint64_t op = sim_optrace_cut(&d->trace, sim_now_us() - d->hold_t0_us, &d->pc);
        if (op != 0) {  /* 0: the flash work was done, nothing is torn */
            sim_log(d, "power: lost during %s flash work, at operation %llu of %zu",
                    d->hold_what, (unsigned long long)op, total);
            cut = true;
        }
    }
    sim_optrace_drop(&d->trace);
    return cut;
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
    sim_reset(d, "SMP reset command");
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
        } else if (d->rsp_to.xport == SIM_XPORT_BLE) {
            sim_blelink_send(&d->ble, d->rsp, d->rsp_len);
            wire_us = sim_blelink_drain_us(&d->ble);
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
        uint64_t at = sim_now_us() + wire_us + (uint64_t)d->cfg->reset_delay_ms * 1000u;
        d->reset_timer = sim_loop_timer_at(&d->loop, at, reset_timer_fired, d);
    }
}

bool sim_dev_cpu_runs_at(const struct sim_dev *d, uint64_t t)
{
    return d->stalled && d->state == SIM_RUNNING && (t < d->halt_start_us || t >= d->halt_end_us);
}

bool sim_dev_cpu_ran(const struct sim_dev *d, uint64_t a, uint64_t b)
{
    if (!d->stalled || d->state != SIM_RUNNING || b <= a) {
        return false;
    }
    if (a < d->halt_start_us || b >= d->halt_end_us) {
        return true;
    }
    uint64_t step = (uint64_t)d->board.partial_erase_ms * 1000u;
    return step > 0 && (b - d->halt_start_us) / step > (a - d->halt_start_us) / step;
}

static void stall_over(void *arg)
{
    struct sim_dev *d = arg;
    d->stall_timer = 0;
    flash_work_done(d);
    sim_serial_stall_ending(&d->serial, d->stall_end_us);
    d->stalled = false;
    emit_reply(d);
    if (d->state == SIM_RUNNING) {
        sim_udp_pause(&d->udp, false);
    }
    sim_serial_kick(&d->serial);
    sim_blelink_kick(&d->ble);
}

void sim_dev_handle(struct sim_dev *d, const uint8_t *pkt, size_t len,
                    const struct sim_reply_to *to)
{
    uint64_t arrived = d->req_at_us;
    d->req_at_us = 0;
    if (!sim_dev_accepting(d)) {
        return;
    }
    bool held = hold_flash(d, d->state == SIM_RECOVERY ? "the bootloader's" : "the app's");
    uint64_t t0 = nor_flash_time_us(&d->nor);
    uint64_t e0 = nor_flash_erase_time_us(&d->nor);
    struct smp_peer peer;
    sim_smp_peer(to, &peer);
    int n = server_process_from(d->srv, &peer, pkt, len, d->rsp, sizeof d->rsp);
    if (power_lost(d)) {
        return;
    }
    d->rsp_len = n > 0 ? (size_t)n : 0;
    d->rsp_to = *to;
    uint64_t busy = held ? sim_optrace_busy_us(&d->trace) : flash_busy_us(d, t0);
    uint64_t erase = held ? sim_optrace_erase_us(&d->trace)
                          : d->cfg->timing ? nor_flash_erase_time_us(&d->nor) - e0 : 0;
    if (d->cfg->verbose) {
        struct smp_hdr h = { 0 };
        smp_hdr_decode(&h, pkt, len);
        sim_log(d, "smp: %s request op %u group %u id %u seq %u (%zu bytes) -> %zu bytes%s",
                to->xport == SIM_XPORT_SERIAL ? "serial" : to->xport == SIM_XPORT_BLE ? "ble" : "udp", h.op, h.group, h.id, h.seq, len,
                d->rsp_len, busy ? ", flash busy" : "");
    }
    if (busy == 0) {
        if (held) {
            flash_work_done(d);
        }
        emit_reply(d);
        return;
    }
    /* The SMP thread waits for the flash: nothing is served until it is done, and the reply
     * comes after. The UART keeps receiving into the line buffers meanwhile; the erase (taken
     * to come first) halts the CPU, except between partial erase steps, while word writes
     * leave it running, so the UART driver can move lines on into SMP buffers (serial.c). */
    d->stalled = true;
    sim_udp_pause(&d->udp, true);
    /* Board time: from when the request arrived, if the simulator read it late. */
    uint64_t now = sim_now_us();
    uint64_t start = arrived != 0 && arrived < now ? arrived : now;
    d->halt_start_us = start;
    d->halt_end_us = start + erase;
    d->stall_end_us = start + busy;
    if (held) {
        hold_started_at(d, start);
    }
    if (d->cfg->verbose && d->board.partial_erase_ms > 0 && d->halt_end_us > start) {
        sim_log(d, "flash: erase in %u ms steps", d->board.partial_erase_ms);
    }
    d->stall_timer = sim_loop_timer_at(&d->loop, d->stall_end_us, stall_over, d);
}

/* ---- application ---------------------------------------------------------------------- */

static void watchdog_expired(void *arg)
{
    struct sim_dev *d = arg;
    d->app_timer = 0;
    sim_reset(d, "watchdog expired");
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
    uint64_t at = sim_now_us() + (uint64_t)d->board.watchdog_ms * 1000u;
    d->app_timer = sim_loop_timer_at(&d->loop, at, watchdog_expired, d);
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

/* The app is up: it serves SMP from here on (or faults, as its descriptor says). */
static void app_ready(void *arg)
{
    struct sim_dev *d = arg;
    d->app_timer = 0;
    flash_work_done(d);
    d->state = SIM_RUNNING;
    d->tick_timer = sim_loop_timer_at(&d->loop, sim_now_us() + TICK_US, app_tick, d);
    char banner[128];
    snprintf(banner, sizeof banner, "*** Booting devsim app %s on %s ***\n", d->version_str,
             d->board.name);
    sim_serial_reset(&d->serial, d->board.line_size, d->board.line_count);
    sim_serial_print(&d->serial, banner);
    sim_log(d, "app: running %s (%s%s)", d->version_str,
            sim_app_behaviour_name(d->desc.behaviour), d->has_desc ? "" : ", no descriptor");
    if (d->desc.behaviour == SIM_APP_CRASH || d->desc.behaviour == SIM_APP_HANG) {
        uint64_t at = sim_now_us() + (uint64_t)d->desc.fault_after_ms * 1000u;
        d->app_timer = sim_loop_timer_at(&d->loop, at, app_fault, d);
    }
    /* Datagrams sent while the board was down never reached it. */
    sim_udp_flush(&d->udp);
    sim_udp_pause(&d->udp, false);
    sim_serial_kick(&d->serial);
    sim_blelink_app_up(&d->ble, true);
}

/* Image 1, the other core's firmware (nrf5340dk: the network core), starts with the app. It
 * serves nothing here; built as a self-confirm app it confirms its own image, as the app does
 * image 0 (each image its own: a Zephyr app's boot_write_img_confirmed() writes only image 0's
 * trailer). False when the power went meanwhile. */
static bool net_start(struct sim_dev *d)
{
    struct image_header hdr;
    struct sim_app_desc desc;
    if (!d->net_booted || image_header_read(&d->slot2, &hdr) != 0 ||
        sim_app_find(&d->slot2, (uint32_t)hdr.hdr_size + hdr.img_size, &desc) != 0 ||
        desc.behaviour != SIM_APP_SELF_CONFIRM) {
        return true;
    }
    int rc = boot_set_confirmed(&d->slot2);
    if (power_lost(d)) {
        return false;
    }
    sim_log(d, "net: image 1 confirmed itself%s%s", rc ? ": " : "", rc ? dfu_strerror(rc) : "");
    return true;
}

/* The app's start-up: it reads its descriptor, brings its SMP server up (the settings store
 * may format its partition) and confirms itself if it is a self-confirm app. That flash work
 * delays app_ready() when timing is on; the UART is not listening yet. */
static void app_start(void *arg)
{
    struct sim_dev *d = arg;
    d->app_timer = 0;
    flash_work_done(d);  /* the bootloader's */
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
    d->app_t0_us = sim_now_us();
    bool held = hold_flash(d, "the app's");
    uint64_t t0 = nor_flash_time_us(&d->nor);
    int rc = sim_server_start(d, false);
    if (power_lost(d)) {
        return;
    }
    if (rc != 0) {
        sim_log(d, "app: SMP server incomplete: %s", dfu_strerror(rc));
    }
    if (d->desc.behaviour == SIM_APP_SELF_CONFIRM) {
        rc = boot_set_confirmed(&d->slot0);
        if (power_lost(d)) {
            return;
        }
        sim_log(d, "app: confirmed its image%s%s", rc ? ": " : "", rc ? dfu_strerror(rc) : "");
    }
    if (!net_start(d)) {
        return;
    }
    uint64_t busy = held ? sim_optrace_busy_us(&d->trace) : flash_busy_us(d, t0);
    uint64_t now = sim_now_us();
    if (held) {
        hold_started_at(d, now);
    }
    d->app_timer = sim_loop_timer_at(&d->loop, now + busy, app_ready, d);
}

static void recovery_start(struct sim_dev *d)
{
    d->state = SIM_RECOVERY;
    snprintf(d->version_str, sizeof d->version_str, "recovery");
    if (sim_server_start(d, true) != 0) {
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

void sim_log_downgrade(struct sim_dev *d)
{
    uint32_t cnt;
    if (d->board.downgrade == BOOT_DOWNGRADE_SECURITY_COUNTER &&
        d->sec_cnt.read(d->sec_cnt.arg, &cnt) == 0) {
        sim_log(d, "boot: downgrade prevention: security counter %u (kept at flash 0x%x)", cnt,
                d->sec_cnt_area.off);
    } else if (d->board.downgrade != BOOT_DOWNGRADE_ALLOW) {
        sim_log(d, "boot: downgrade prevention: %s", sim_downgrade_name(&d->board));
    }
}

/* The bootloader: resumes or performs a swap, validates (logging why it refused an image),
 * and starts the app or falls back to serial recovery once its flash work is over in board
 * time (when timing is on; its writes and erases reach the flash file as that time passes). */
static struct boot_config boot_config_of(const struct sim_dev *d)
{
    bool multi = d->board.image_count > 1;  /* both pairs through images; no primary/secondary */
    return (struct boot_config){
        .strategy = d->board.strategy,
        .primary = multi ? NULL : &d->slot0,
        .secondary = multi ? NULL : &d->slot1,
        .images = multi ? d->pairs : NULL,
        .image_count = multi ? d->board.image_count : 0,
        .scratch = d->has_scratch ? &d->scratch : NULL,
        .keys = d->keys,
        .key_count = d->key_count,
        .downgrade = d->board.downgrade,
        .downgrade_use_build = d->board.downgrade_use_build,
        .sec_cnt = d->board.downgrade == BOOT_DOWNGRADE_SECURITY_COUNTER ? &d->sec_cnt : NULL,
        .enc_key = d->enc_der != NULL ? &d->enc_key : NULL,
        .ram = d->has_ram ? &d->ram_area : NULL,
        .ram_addr = SIM_RAM_ADDR,
    };
}

/* Image 1 after boot_go_multi(): why its secondary was refused (a dependency not met leaves
 * both images as they were), and the version the other core runs. */
static void log_image1(struct sim_dev *d, const struct boot_rsp *r, int rc)
{
    if (r->secondary_reject != BOOT_REJECT_NONE) {
        sim_log(d, "boot: image 1 slot 1 refused: %s", boot_reject_str(r->secondary_reject));
    }
    d->net_booted = (rc == 0 || rc == DFU_ENOENT) && r->primary_reject == BOOT_REJECT_NONE;
    if (!d->net_booted) {
        sim_log(d, "boot: image 1 not bootable%s%s", r->primary_reject ? ": " : "",
                r->primary_reject ? boot_reject_str(r->primary_reject) : "");
        return;
    }
    char ver[32];
    format_version(ver, sizeof ver, &r->hdr.ver);
    sim_log(d, "boot: image 1 (the other core) runs %s; swap type %s", ver,
            swap_name(r->swap_type));
}

static void recovery_after_boot(void *arg)
{
    struct sim_dev *d = arg;
    d->app_timer = 0;
    flash_work_done(d);
    recovery_start(d);
}

void sim_power_on(struct sim_dev *d)
{
    sim_boot_interrupt(d);  /* a reset cuts flash work still under way; the RAM copy goes */
    d->boots++;
    d->state = SIM_BOOTING;
    d->stalled = false;
    d->rsp_len = 0;
    sim_udp_pause(&d->udp, true);
    sim_udp_flush(&d->udp);
    sim_blelink_app_up(&d->ble, false);
    if (d->button_held) {
        /* MCUboot checks its detect pin before anything else: no swap, straight to recovery. */
        d->button_held = false;
        sim_log(d, "boot: recovery button held");
        recovery_start(d);
        return;
    }
    struct boot_config bc = boot_config_of(d);
    uint32_t cnt0 = 0, cnt = 0;
    bool counted = bc.sec_cnt != NULL && bc.sec_cnt->read(bc.sec_cnt->arg, &cnt0) == 0;
    struct boot_rsp rsps[2];
    struct boot_rsp *rsp_ = &rsps[0];  /* image 0's: the app */
    bool multi = d->board.image_count > 1;
    uint64_t t0 = nor_flash_time_us(&d->nor);
    uint64_t ops0 = powercut_ops(&d->pc);
    bool held = hold_flash(d, "the bootloader's");
    int rc = multi ? boot_go_multi(&bc, rsps, 2) : boot_go(&bc, rsp_);
    uint64_t ops = held ? sim_optrace_count(&d->trace) : powercut_ops(&d->pc) - ops0;
    uint64_t busy = held ? sim_optrace_busy_us(&d->trace) : flash_busy_us(d, t0);
    uint64_t now = sim_now_us();
    if (power_lost(d)) {
        return;
    }
    if (held) {
        hold_started_at(d, now);
    }
    if (multi) {
        log_image1(d, &rsps[1], rc);
        if (rc == DFU_ENOENT && rsp_->primary_reject == BOOT_REJECT_NONE) {
            rc = 0;  /* only image 1 has nothing bootable: the app still starts */
        }
    }
    const struct boot_rsp rsp = *rsp_;
    if (rsp.secondary_reject != BOOT_REJECT_NONE) {
        sim_log(d, "boot: %sslot 1 refused: %s", multi ? "image 0 " : "",
                boot_reject_str(rsp.secondary_reject));
    }
    if (counted && bc.sec_cnt->read(bc.sec_cnt->arg, &cnt) == 0 && cnt != cnt0) {
        sim_log(d, "boot: security counter raised from %u to %u", cnt0, cnt);
    }
    if (rsp.primary_reject != BOOT_REJECT_NONE &&  /* direct-xip: also when slot 1 runs */
        rsp.primary_reject != BOOT_REJECT_NO_IMAGE) {
        sim_log(d, "boot: slot 0 refused: %s", boot_reject_str(rsp.primary_reject));
    }
    if (rc != 0) {
        sim_log(d, "boot: %s", rc == DFU_ENOENT ? "no bootable image"
                                                : dfu_strerror(rc));
        if (busy == 0) {
            flash_work_done(d);
            recovery_start(d);
        } else {
            d->app_timer = sim_loop_timer_at(&d->loop, now + busy, recovery_after_boot, d);
        }
        return;
    }
    d->running = rsp.hdr.ver;
    d->boot_slot = rsp.slot;
    if (d->has_ram) {
        sim_log(d, "boot: loaded into RAM at 0x%x", (unsigned)rsp.image_off);
    }
    format_version(d->version_str, sizeof d->version_str, &rsp.hdr.ver);
    sim_log(d, "boot: booting %s from slot %u; swap type %s", d->version_str, rsp.slot,
            swap_name(rsp.swap_type));
    if (ops > 0 && d->cfg->timing) {
        sim_log(d, "boot: %llu flash writes/erases, flash busy for %llu ms",
                (unsigned long long)ops, (unsigned long long)(busy / 1000u));
    } else if (ops > 0) {
        sim_log(d, "boot: %llu flash writes/erases", (unsigned long long)ops);
    }
    d->app_timer = sim_loop_timer_at(&d->loop, now + busy, app_start, d);
}

void sim_reset(struct sim_dev *d, const char *why)
{
    sim_log(d, "reset: %s", why);
    sim_loop_cancel(&d->loop, d->app_timer);
    sim_loop_cancel(&d->loop, d->reset_timer);
    sim_loop_cancel(&d->loop, d->stall_timer);
    sim_loop_cancel(&d->loop, d->tick_timer);
    d->app_timer = d->reset_timer = d->stall_timer = d->tick_timer = 0;
    sim_server_stop(d);
    sim_power_on(d);
}
