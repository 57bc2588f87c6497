/* The board's network interface: SMP over UDP, one packet per datagram, on one or more
 * listeners (IPv4 and IPv6). Loss, duplication and reordering are injected here, on requests
 * and responses alike, from the run's seeded PRNG. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/err.h"
#include "sim_priv.h"

static void hold_timer_fired(void *arg);

static void to_app(struct sim_udp *u, size_t ep, const uint8_t *buf, size_t len,
                   const struct hostio_addr *from)
{
    struct sim_reply_to to = { .xport = SIM_XPORT_UDP, .ep = ep, .peer = *from };
    sim_dev_handle(u->dev, buf, len, &to);
}

/* Delivers a request held back for reordering (it now arrives after the newer one). */
static void release_held(struct sim_udp *u, size_t ep)
{
    struct sim_udp_ep *e = &u->ep[ep];
    if (e->has_held && sim_dev_accepting(u->dev)) {
        e->has_held = false;
        to_app(u, ep, e->held, e->held_len, &e->held_from);
    }
}

static void arm_hold_timer(struct sim_udp *u)
{
    if (u->hold_timer == 0) {
        u->hold_timer = sim_loop_timer_at(&u->dev->loop, sim_now_us() + SIM_UDP_HOLD_US,
                                          hold_timer_fired, u);
    }
}

static void on_datagram(struct sim_udp *u, size_t ep, const uint8_t *buf, size_t len,
                        const struct hostio_addr *from)
{
    struct sim_dev *d = u->dev;
    struct sim_udp_ep *e = &u->ep[ep];
    switch (sim_udp_fate_of(&d->rng, &d->cfg->udp_faults)) {
    case SIM_UDP_DROP:
        sim_log(d, "udp: request of %zu bytes lost (fault injection)", len);
        return;
    case SIM_UDP_HOLD:
        if (!e->has_held) {
            memcpy(e->held, buf, len);
            e->held_len = len;
            e->held_from = *from;
            e->has_held = true;
            sim_log(d, "udp: request of %zu bytes held back (fault injection)", len);
            arm_hold_timer(u);
            return;
        }
        break;
    case SIM_UDP_DUPLICATE:
        sim_log(d, "udp: request of %zu bytes duplicated (fault injection)", len);
        to_app(u, ep, buf, len, from);
        /* The copy waits like any queued datagram while the app is busy (a flash stall). */
        if (!e->has_held) {
            memcpy(e->held, buf, len);
            e->held_len = len;
            e->held_from = *from;
            e->has_held = true;
        }
        release_held(u, ep);
        return;
    case SIM_UDP_DELIVER:
        break;
    }
    to_app(u, ep, buf, len, from);
    release_held(u, ep);
}

static void on_socket(void *arg, int fd, short revents)
{
    struct sim_udp *u = arg;
    struct sim_dev *d = u->dev;
    size_t ep = 0;
    while (ep < u->count && u->ep[ep].fd != fd) {
        ep++;
    }
    if (ep == u->count) {
        return;
    }
    /* One datagram per wake-up keeps requests in order with stalls. */
    struct hostio_addr from;
    int n = hostio_udp_recv(fd, u->rxbuf, HOSTIO_UDP_MTU, &from);
    /* Requests up to the UDP MTU are taken whatever the advertised buffer size (Zephyr builds
     * with UDP use 2048-byte buffers), so clients that do not read os params still work. */
    if (n == DFU_ENOMEM) {
        sim_log(d, "udp: datagram larger than %u bytes dropped", HOSTIO_UDP_MTU);
        return;
    }
    if (n > 0) {
        on_datagram(u, ep, u->rxbuf, (size_t)n, &from);
    }
}

static void send_now(struct sim_udp *u, size_t ep, const struct hostio_addr *to,
                     const uint8_t *buf, size_t len)
{
    if (hostio_udp_send(u->ep[ep].fd, buf, len, to) != 0) {
        sim_log(u->dev, "udp: send failed");
    }
}

static void flush_held_rsp(struct sim_udp *u)
{
    if (u->has_held_rsp) {
        u->has_held_rsp = false;
        send_now(u, u->held_rsp_ep, &u->held_rsp_to, u->held_rsp, u->held_rsp_len);
    }
}

static void hold_timer_fired(void *arg)
{
    struct sim_udp *u = arg;
    u->hold_timer = 0;
    flush_held_rsp(u);
    for (size_t i = 0; i < u->count; i++) {
        release_held(u, i);
        if (u->ep[i].has_held) {
            arm_hold_timer(u);  /* the app is busy: try again later */
        }
    }
}

void sim_udp_send(struct sim_udp *u, size_t ep, const struct hostio_addr *to, const uint8_t *buf,
                  size_t len)
{
    struct sim_dev *d = u->dev;
    if (ep >= u->count || len == 0 || len > sizeof u->held_rsp) {
        return;
    }
    switch (sim_udp_fate_of(&d->rng, &d->cfg->udp_faults)) {
    case SIM_UDP_DROP:
        sim_log(d, "udp: response of %zu bytes lost (fault injection)", len);
        return;
    case SIM_UDP_DUPLICATE:
        sim_log(d, "udp: response of %zu bytes duplicated (fault injection)", len);
        send_now(u, ep, to, buf, len);
        break;
    case SIM_UDP_HOLD:
        if (!u->has_held_rsp) {
            memcpy(u->held_rsp, buf, len);
            u->held_rsp_len = len;
            u->held_rsp_ep = ep;
            u->held_rsp_to = *to;
            u->has_held_rsp = true;
            sim_log(d, "udp: response of %zu bytes held back (fault injection)", len);
            arm_hold_timer(u);
            return;
        }
        break;
    case SIM_UDP_DELIVER:
        break;
    }
    send_now(u, ep, to, buf, len);
    flush_held_rsp(u);
}

void sim_udp_pause(struct sim_udp *u, bool paused)
{
    u->paused = paused;
    for (size_t i = 0; i < u->count; i++) {
        sim_loop_set_events(&u->dev->loop, u->ep[i].fd, paused ? 0 : POLLIN);
    }
    if (!paused) {
        for (size_t i = 0; i < u->count; i++) {
            release_held(u, i);
        }
    }
}

void sim_udp_flush(struct sim_udp *u)
{
    for (size_t i = 0; i < u->count; i++) {
        struct hostio_addr from;
        while (hostio_udp_recv(u->ep[i].fd, u->rxbuf, HOSTIO_UDP_MTU, &from) != 0) {
        }
        u->ep[i].has_held = false;
    }
    u->has_held_rsp = false;
}

int sim_udp_open(struct sim_udp *u, struct sim_dev *d)
{
    memset(u, 0, sizeof *u);
    u->dev = d;
    if (d->cfg->no_udp) {
        return 0;
    }
    u->rxbuf = malloc(HOSTIO_UDP_MTU);
    if (u->rxbuf == NULL) {
        return DFU_ENOMEM;
    }
    size_t n = d->cfg->udp_count;
    for (size_t i = 0; i < (n ? n : 1); i++) {
        const char *text = n ? d->cfg->udp[i] : SIM_DEFAULT_UDP;
        /* "[ADDR]:PORT": the address may be left out (":1337", or just "1337"). */
        char full[128];
        if (text[0] == ':' || (text[0] != '\0' && strspn(text, "0123456789") == strlen(text))) {
            snprintf(full, sizeof full, "127.0.0.1%s%s", text[0] == ':' ? "" : ":", text);
        } else {
            snprintf(full, sizeof full, "%s", text);
        }
        struct sim_udp_ep *e = &u->ep[u->count];
        e->fd = -1;
        int rc = hostio_addr_parse(&e->local, full, 1337, AF_UNSPEC);
        if (rc == 0) {
            rc = hostio_udp_server(&e->fd, &e->local);
        }
        if (rc == 0) {
            rc = hostio_udp_local(e->fd, &e->local);
        }
        if (rc == 0) {
            u->count++;
            rc = sim_loop_watch(&d->loop, e->fd, 0, on_socket, u);
        }
        if (rc != 0) {
            sim_log(d, "udp: cannot listen on %s: %s", full,
                    rc == DFU_EIO ? "the address cannot be bound (in use?)" : dfu_strerror(rc));
            return rc;
        }
        char where[80];
        hostio_addr_format(where, sizeof where, &e->local);
        sim_log(d, "udp: listening on %s", where);
    }
    u->paused = true;
    return 0;
}

void sim_udp_close(struct sim_udp *u)
{
    for (size_t i = 0; i < u->count; i++) {
        if (u->dev != NULL) {
            sim_loop_unwatch(&u->dev->loop, u->ep[i].fd);
        }
        hostio_close(u->ep[i].fd);
    }
    u->count = 0;
    free(u->rxbuf);
    u->rxbuf = NULL;
}
