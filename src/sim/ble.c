/* The board's Bluetooth LE: devsim's BlueZ (sim_ble) on the D-Bus bus, in the event loop; the
 * link model (ble_model.c) timing each write and notification across the air; and the device's
 * SMP transport (ble_smp.h: reassembly, notification size) in front of the board's SMP
 * buffers, which, when all taken during a flash stall, stall the link (the controller stops
 * acknowledging) rather than lose writes. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/err.h"
#include "dfukit/sim_ble.h"
#include "dfukit/smp.h"
#include "sim_priv.h"

/* Values the host side holds for the link each way (BlueZ's queue is unbounded; this is
 * several seconds of the fastest link). */
#define QUEUE_CAP 4096

static void sync_loop(struct sim_blelink *l);
static void deliver_up_now(struct sim_blelink *l);

static int queue_init(struct sim_ble_queue *q)
{
    q->v = malloc(QUEUE_CAP * sizeof *q->v);
    q->cap = q->v ? QUEUE_CAP : 0;
    q->head = q->n = 0;
    return q->v ? 0 : DFU_ENOMEM;
}

static struct sim_ble_value *queue_at(struct sim_ble_queue *q, size_t i)
{
    return &q->v[(q->head + i) % q->cap];
}

static struct sim_ble_value *queue_push(struct sim_ble_queue *q)
{
    if (q->n == q->cap) {
        return NULL;
    }
    return queue_at(q, q->n++);
}

static void queue_pop(struct sim_ble_queue *q)
{
    q->head = (q->head + 1) % q->cap;
    q->n--;
}

static void rearm(struct sim_blelink *l, int *timer, struct sim_ble_queue *q, sim_timer_fn fn)
{
    sim_loop_cancel(&l->dev->loop, *timer);
    *timer = q->n > 0 ? sim_loop_timer_at(&l->dev->loop, queue_at(q, 0)->at_us, fn, l) : 0;
}

static bool timed(const struct sim_blelink *l)
{
    return l->dev->cfg->timing;
}

/* ---- the device: packets into the SMP server ------------------------------------------- */

static void handle(struct sim_blelink *l, const uint8_t *pkt, size_t len)
{
    struct sim_reply_to to = { .xport = SIM_XPORT_BLE };
    sim_ble_central_address(l->ble, to.ble_central);
    sim_dev_handle(l->dev, pkt, len, &to);
}

void sim_blelink_kick(struct sim_blelink *l)
{
    if (l->ble == NULL) {
        return;
    }
    while (l->pkt_n > 0 && sim_dev_accepting(l->dev)) {
        size_t slot = l->pkt_head;
        l->pkt_head = (l->pkt_head + 1) % l->pkt_cap;
        l->pkt_n--;
        handle(l, l->pkts + slot * l->pkt_size, l->pkt_len[slot]);
    }
    if (l->up_blocked && l->pkt_n < l->pkt_cap) {
        /* The link resumes now: what waited crosses from here at the link's pace. */
        l->up_blocked = false;
        uint64_t now = sim_now_us();
        sim_ble_dir_start(&l->up_dir, now);
        for (size_t i = 0; i < l->up.n; i++) {
            struct sim_ble_value *v = queue_at(&l->up, i);
            v->at_us = timed(l) ? sim_ble_dir_send(&l->model, &l->up_dir, now, v->len) : now;
        }
        sim_ble_hold_writes(l->ble, false);
        deliver_up_now(l);
    }
}

/* A complete packet: served now, or into a free SMP buffer while the app is busy. */
static void packet_in(struct sim_blelink *l, const uint8_t *pkt, size_t len)
{
    if (l->pkt_n == 0 && sim_dev_accepting(l->dev)) {
        handle(l, pkt, len);
        return;
    }
    size_t slot = (l->pkt_head + l->pkt_n) % l->pkt_cap;
    memcpy(l->pkts + slot * l->pkt_size, pkt, len);
    l->pkt_len[slot] = len;
    l->pkt_n++;
}

static void deliver_up(void *arg)
{
    struct sim_blelink *l = arg;
    l->up_timer = 0;
    deliver_up_now(l);
}

/* Writes whose time has come reach the device, unless its SMP buffers are all taken. */
static void deliver_up_now(struct sim_blelink *l)
{
    uint64_t now = sim_now_us();
    while (l->up.n > 0 && queue_at(&l->up, 0)->at_us <= now) {
        if (l->pkt_n == l->pkt_cap) {
            if (l->dev->cfg->verbose) {
                sim_log(l->dev, "ble: the SMP buffers are taken; the link waits");
            }
            l->up_blocked = true;
            sim_ble_hold_writes(l->ble, true);
            break;
        }
        struct sim_ble_value *v = queue_at(&l->up, 0);
        int n = ble_smp_rx_push(&l->rx, v->data, v->len);
        queue_pop(&l->up);
        if (n > 0) {
            packet_in(l, l->rxbuf, (size_t)n);
        } else if (n < 0) {
            l->bad_writes++;
            sim_log(l->dev, "ble: write of %u bytes dropped: %s", v->len,
                    n == DFU_ENOSPC ? "the packet does not fit the SMP buffer"
                    : l->rx.reassembly ? "not a valid fragment"
                                       : "not one whole SMP packet (reassembly is off)");
        }
    }
    if (!l->up_blocked) {
        rearm(l, &l->up_timer, &l->up, deliver_up);
    }
    sync_loop(l);
}

/* ---- BlueZ's callbacks -------------------------------------------------------------- */

static void on_write(void *arg, const uint8_t *data, size_t len)
{
    struct sim_blelink *l = arg;
    l->writes++;
    struct sim_ble_value *v = queue_push(&l->up);
    if (v == NULL) {
        sim_log(l->dev, "ble: write of %zu bytes dropped: the host's queue is full", len);
        return;
    }
    uint64_t now = sim_now_us();
    v->at_us = timed(l) && !l->up_blocked ? sim_ble_dir_send(&l->model, &l->up_dir, now, len)
                                          : now;
    v->len = (uint16_t)len;
    memcpy(v->data, data, len);
    if (l->up.n == 1 && !l->up_blocked) {
        rearm(l, &l->up_timer, &l->up, deliver_up);
    }
}

static void drop_now(void *arg)
{
    struct sim_blelink *l = arg;
    l->drop_timer = 0;
    l->dropped_once = true;
    sim_log(l->dev, "ble: connection dropped (--ble-drop-at-ms)");
    sim_ble_drop(l->ble);
    sync_loop(l);
}

static void on_link(void *arg, bool up)
{
    struct sim_blelink *l = arg;
    struct sim_dev *d = l->dev;
    sim_loop_cancel(&d->loop, l->up_timer);
    sim_loop_cancel(&d->loop, l->down_timer);
    l->up_timer = l->down_timer = 0;
    l->up.n = l->down.n = 0;
    l->pkt_n = 0;
    l->up_blocked = false;
    sim_ble_hold_writes(l->ble, false);
    ble_smp_rx_reset(&l->rx);
    if (!up) {
        sim_loop_cancel(&d->loop, l->drop_timer);
        l->drop_timer = 0;
        sim_log(d, "ble: disconnected");
        return;
    }
    uint64_t now = sim_now_us();
    sim_ble_dir_start(&l->up_dir, now);
    sim_ble_dir_start(&l->down_dir, now);
    sim_log(d, "ble: connected (ATT MTU %u)", l->model.mtu);
    if (d->cfg->ble_drop_at_ms > 0 && !l->dropped_once) {
        l->drop_timer = sim_loop_timer_at(&d->loop, now + d->cfg->ble_drop_at_ms * 1000u,
                                          drop_now, l);
    }
}

/* ---- responses out ---------------------------------------------------------------------- */

static void deliver_down(void *arg)
{
    struct sim_blelink *l = arg;
    l->down_timer = 0;
    uint64_t now = sim_now_us();
    while (l->down.n > 0 && queue_at(&l->down, 0)->at_us <= now) {
        struct sim_ble_value *v = queue_at(&l->down, 0);
        int rc = sim_ble_notify(l->ble, v->data, v->len);
        if (rc == DFU_ENOENT) {
            sim_log(l->dev, "ble: notification of %u bytes dropped: notifications are off",
                    v->len);
        } else if (rc == 0) {
            l->notifications++;
        }
        queue_pop(&l->down);
    }
    rearm(l, &l->down_timer, &l->down, deliver_down);
    sync_loop(l);
}

void sim_blelink_send(struct sim_blelink *l, const uint8_t *buf, size_t len)
{
    if (l->ble == NULL || !sim_ble_connected(l->ble)) {
        return;
    }
    uint64_t now = sim_now_us();
    size_t pos = 0;
    struct smp_hdr h;
    while (pos + SMP_HDR_SIZE <= len && smp_hdr_decode(&h, buf + pos, len - pos) == 0 &&
           h.len <= len - pos - SMP_HDR_SIZE) {
        size_t pkt = SMP_HDR_SIZE + h.len;
        size_t n;
        for (size_t off = 0; (n = ble_smp_next_frag(pkt, off, l->model.mtu)) > 0; off += n) {
            struct sim_ble_value *v = queue_push(&l->down);
            if (v == NULL) {
                sim_log(l->dev, "ble: response dropped: the notification queue is full");
                return;
            }
            v->at_us = timed(l) ? sim_ble_dir_send(&l->model, &l->down_dir, now, n) : now;
            v->len = (uint16_t)n;
            memcpy(v->data, buf + pos + off, n);
        }
        pos += pkt;
    }
    if (l->down_timer == 0) {
        rearm(l, &l->down_timer, &l->down, deliver_down);
    }
}

uint64_t sim_blelink_drain_us(const struct sim_blelink *l)
{
    if (l->down.n == 0) {
        return 0;
    }
    const struct sim_ble_value *last = &l->down.v[(l->down.head + l->down.n - 1) % l->down.cap];
    uint64_t now = sim_now_us();
    return last->at_us > now ? last->at_us - now : 0;
}

void sim_blelink_app_up(struct sim_blelink *l, bool up)
{
    if (l->ble == NULL) {
        return;
    }
    if (!up && sim_ble_connected(l->ble)) {
        sim_log(l->dev, "ble: the board went down: the connection is lost");
        sim_ble_drop(l->ble);
    }
    sim_ble_set_advertising(l->ble, up);
    sync_loop(l);
}

/* ---- the bus in the event loop ------------------------------------------------------------ */

static void on_bus(void *arg, int fd, short revents);

static void on_bus_timer(void *arg)
{
    struct sim_blelink *l = arg;
    l->bus_timer = 0;
    l->bus_timer_at = 0;
    on_bus(l, -1, 0);
}

static void on_bus(void *arg, int fd, short revents)
{
    struct sim_blelink *l = arg;
    if (sim_ble_process(l->ble, sim_now_us()) != 0) {
        sim_log(l->dev, "ble: the D-Bus connection is lost; Bluetooth is off");
        for (size_t i = 0; i < l->nwatched; i++) {
            sim_loop_unwatch(&l->dev->loop, l->watched[i]);
        }
        l->nwatched = 0;
        sim_loop_cancel(&l->dev->loop, l->bus_timer);
        l->bus_timer = 0;
        return;
    }
    sync_loop(l);
}

/* Watches what sim_ble wants polled, with the events it wants, and its deadline. */
static void sync_loop(struct sim_blelink *l)
{
    struct sim_loop *loop = &l->dev->loop;
    int fds[3];
    short events[3];
    size_t n = sim_ble_pollfds(l->ble, fds, events);
    for (size_t i = 0; i < l->nwatched; i++) {
        bool still = false;
        for (size_t j = 0; j < n; j++) {
            still = still || fds[j] == l->watched[i];
        }
        if (!still) {
            sim_loop_unwatch(loop, l->watched[i]);
        }
    }
    for (size_t j = 0; j < n; j++) {
        sim_loop_watch(loop, fds[j], events[j], on_bus, l);
        l->watched[j] = fds[j];
    }
    l->nwatched = n;
    uint64_t at = sim_ble_deadline_us(l->ble);
    if (at != l->bus_timer_at) {
        sim_loop_cancel(loop, l->bus_timer);
        l->bus_timer = 0;
        l->bus_timer_at = at;
        if (at != UINT64_MAX) {
            l->bus_timer = sim_loop_timer_at(loop, at, on_bus_timer, l);
        }
    }
}

int sim_blelink_open(struct sim_blelink *l, struct sim_dev *d, char *err, size_t err_len)
{
    memset(l, 0, sizeof *l);
    l->dev = d;
    const struct sim_run_config *cfg = d->cfg;
    if (cfg->ble_name == NULL) {
        return 0;
    }
    l->model = cfg->ble_link;
    l->pkt_size = d->board.smp_buf_size;
    /* As on the UART: the SMP thread holds two buffers while it serves a request. */
    l->pkt_cap = d->board.smp_buf_count > 3 ? d->board.smp_buf_count - 2 : 1;
    if (l->pkt_cap > SIM_SMP_QUEUE_MAX) {
        l->pkt_cap = SIM_SMP_QUEUE_MAX;
    }
    l->rxbuf = malloc(l->pkt_size);
    l->pkts = malloc(l->pkt_cap * l->pkt_size);
    if (l->rxbuf == NULL || l->pkts == NULL || queue_init(&l->up) != 0 ||
        queue_init(&l->down) != 0) {
        return DFU_ENOMEM;
    }
    ble_smp_rx_init(&l->rx, l->rxbuf, l->pkt_size, cfg->ble_reassembly);
    struct sim_ble_config bc = {
        .bus_address = cfg->ble_dbus,
        .name = cfg->ble_name,
        .mtu = l->model.mtu,
        .powered = !cfg->ble_powered_off,
        .rssi = -56,
        .found_after_ms = 100,   /* Zephyr's default fast advertising interval */
    };
    memcpy(bc.address, cfg->ble_address, sizeof bc.address);
    static const struct sim_ble_ops ops = { .link = on_link, .write = on_write };
    int rc = sim_ble_open(&l->ble, &bc, &ops, l, err, err_len);
    if (rc != 0) {
        return rc;
    }
    char addr[18];
    snprintf(addr, sizeof addr, "%02X:%02X:%02X:%02X:%02X:%02X", bc.address[0], bc.address[1],
             bc.address[2], bc.address[3], bc.address[4], bc.address[5]);
    sim_log(d, "ble: BlueZ hci0%s on %s; peripheral %s (%s)", bc.powered ? "" : " (powered off)",
            cfg->ble_dbus ? cfg->ble_dbus : "the system bus", cfg->ble_name, addr);
    /* The largest packet the board takes: its SMP buffer, or one write without reassembly. */
    size_t pkt = d->board.smp_buf_size;
    if (!cfg->ble_reassembly && pkt > ble_smp_frag_max(l->model.mtu)) {
        pkt = ble_smp_frag_max(l->model.mtu);
    }
    sim_log(d, "ble: ATT MTU %u, interval %u.%02u ms, DLE %s, %u packets/event, reassembly %s, "
               "%zu SMP buffers: link ceiling %u B/s each way, %u B/s in %zu-byte SMP packets",
            l->model.mtu, l->model.interval_us / 1000, l->model.interval_us % 1000 / 10,
            l->model.dle ? "on" : "off", sim_ble_pkts_per_event(&l->model),
            cfg->ble_reassembly ? "on" : "off", (size_t)d->board.smp_buf_count,
            sim_ble_ceiling_bps(&l->model), sim_ble_smp_ceiling_bps(&l->model, pkt), pkt);
    sync_loop(l);
    return 0;
}

void sim_blelink_close(struct sim_blelink *l)
{
    if (l->ble != NULL) {
        for (size_t i = 0; i < l->nwatched; i++) {
            sim_loop_unwatch(&l->dev->loop, l->watched[i]);
        }
        sim_ble_close(l->ble);
        l->ble = NULL;
    }
    free(l->rxbuf);
    free(l->pkts);
    free(l->up.v);
    free(l->down.v);
    l->rxbuf = l->pkts = NULL;
    l->up.v = l->down.v = NULL;
}
