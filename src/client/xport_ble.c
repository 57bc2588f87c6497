/* BLE transport through BlueZ on the D-Bus system bus (sd-bus; DBUS_SYSTEM_BUS_ADDRESS points a
 * test at a private bus). SMP over GATT (Zephyr's smp_transport.rst): requests are written
 * without response in pieces of ATT_MTU - 3, answers come as notifications reassembled by the
 * SMP header's length. The fast paths are BlueZ's sockets (AcquireWrite / AcquireNotify); the
 * slow ones WriteValue type=command and StartNotify + PropertiesChanged(Value).
 *
 * Whether the device reassembles a request split over several writes is not in its params, so
 * the link asks: an echo one byte longer than a write, followed by a one-write echo. The device
 * answers in order: the long echo's answer first means it reassembles (packets up to its
 * buf_size), the short one's alone means it does not (each packet must fit one write).
 *
 * A dropped connection is reconnected (BLE_RECONNECTS tries) by the next send or receive; what
 * was in flight is lost, and the receive reports a timeout at once, so the caller asks again
 * and an upload goes on from the device's offset. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dfukit/ble_reasm.h"
#include "dfukit/err.h"
#include "dfukit/smp_cbor.h"
#include "xport.h"
#include "xport_ble.h"

#define CHAR1 "org.bluez.GattCharacteristic1"
/* How long the reassembly question waits for its answers. */
#ifndef BLE_PROBE_TIMEOUT_MS
#define BLE_PROBE_TIMEOUT_MS 3000
#endif
/* How long one write may wait for room in BlueZ's socket (or for WriteValue's reply): the
 * board may hold the link while it erases, a whole slot at the first chunk on Zephyr's
 * default (5.4 s on an nRF52840). */
#ifndef BLE_WRITE_TIMEOUT_MS
#define BLE_WRITE_TIMEOUT_MS 20000
#endif
/* Requests in flight beyond the device's buffers (client_xport.link_queue): a write the
 * device has no buffer for waits in the link, and a window of buf_count - 1 would leave the
 * link idle after every page erase (bench/ble.sh: 64 % of the flash floor without reassembly
 * at 7.5 ms, 87 % with 5 more). */
#ifndef BLE_LINK_QUEUE
#define BLE_LINK_QUEUE 5
#endif
/* client_xport.rto_min_ms: the link layer resends what the air loses, so an answer is late,
 * not lost (short of a drop, which the link reports at once); at a 30 ms interval behind an
 * 85 ms erase the engine's 150 ms floor timed out and resent windows needlessly. */
#ifndef BLE_RTO_MIN_MS
#define BLE_RTO_MIN_MS 1000
#endif
/* The largest SMP packet: header + a 16-bit length. */
#define BLE_PACKET_MAX (SMP_HDR_SIZE + 0xffff)

struct ble_link {
    struct ble_peer p;
    struct client_conn conn;
    int wfd, nfd;             /* AcquireWrite / AcquireNotify sockets, -1 when not acquired */
    size_t piece;             /* bytes per write: ATT_MTU - 3 */
    sd_bus_slot *value_slot;  /* PropertiesChanged(Value) after StartNotify */
    sd_bus_slot *dev_slot;    /* PropertiesChanged(Connected) */
    bool notifying;
    bool down;                /* the connection dropped; the next send or receive reconnects */
    unsigned reconnects;
    int guard_fd;
    pid_t guard_pid;
    struct ble_reasm ra;
    size_t ready;             /* a whole packet waits in ra.buf */
    char why[512];            /* the link error, "" while the link works */
    uint8_t rabuf[BLE_PACKET_MAX];
};

static void push(struct ble_link *l, const uint8_t *frag, size_t n)
{
    int r = ble_reasm_push(&l->ra, frag, n);
    if (r > 0) {
        l->ready = (size_t)r;
    }
    /* a fragment that breaks the header's promise drops the packet: its request times out */
}

static int on_value(sd_bus_message *m, void *arg, sd_bus_error *ret)
{
    (void)ret;
    struct ble_link *l = arg;
    const char *iface;
    static struct ble_props p; /* holds an ATT value: off the stack */
    if (sd_bus_message_read(m, "s", &iface) >= 0 && strcmp(iface, CHAR1) == 0 &&
        ble_read_props(m, &p) >= 0 && (p.have & BLE_HAVE_VALUE) && p.value_len) {
        push(l, p.value, p.value_len);
    }
    return 0;
}

static int on_device(sd_bus_message *m, void *arg, sd_bus_error *ret)
{
    (void)ret;
    struct ble_link *l = arg;
    const char *iface;
    static struct ble_props p;
    if (sd_bus_message_read(m, "s", &iface) >= 0 && strcmp(iface, "org.bluez.Device1") == 0 &&
        ble_read_props(m, &p) >= 0 && (p.have & BLE_HAVE_CONNECTED) && !p.connected) {
        l->down = true;
    }
    return 0;
}

/* Acquire{Write,Notify}: a socket of BlueZ's and the MTU it negotiated. */
static int acquire(struct ble_link *l, const char *member, int *fd, uint16_t *mtu,
                   sd_bus_error *err)
{
    sd_bus_message *reply = NULL;
    int r = ble_call(l->p.bus, l->p.chr, CHAR1, member, BLE_CONNECT_TIMEOUT_MS, err, &reply,
                     "a{sv}", 0);
    int got;
    if (r >= 0 && (r = sd_bus_message_read(reply, "hq", &got, mtu)) >= 0) {
        *fd = fcntl(got, F_DUPFD_CLOEXEC, 3); /* the reply owns its fd */
        r = *fd < 0 ? -errno : 0;
    }
    sd_bus_message_unref(reply);
    return r;
}

static void unsubscribe(struct ble_link *l)
{
    if (l->notifying) {
        ble_call(l->p.bus, l->p.chr, CHAR1, "StopNotify", BLE_CONNECT_TIMEOUT_MS, NULL, NULL, "");
        l->notifying = false;
    }
    if (l->wfd >= 0) {
        close(l->wfd);
    }
    if (l->nfd >= 0) {
        close(l->nfd);
    }
    l->wfd = l->nfd = -1;
    l->value_slot = sd_bus_slot_unref(l->value_slot);
    l->dev_slot = sd_bus_slot_unref(l->dev_slot);
    ble_reasm_reset(&l->ra);
    l->ready = 0;
}

/* Notifications (AcquireNotify when offered, else StartNotify) and the way to write. */
static int subscribe(struct ble_link *l, char *msg, size_t msg_len)
{
    struct ble_peer *p = &l->p;
    sd_bus_error err = SD_BUS_ERROR_NULL;
    uint16_t mtu = p->mtu, amtu = 0;
    const char *what = "subscribe to SMP notifications";
    int r = sd_bus_match_signal(p->bus, &l->dev_slot, BLUEZ, p->dev,
                                "org.freedesktop.DBus.Properties", "PropertiesChanged", on_device,
                                l);
    if (r >= 0 && p->offers_acquire_notify) {
        r = acquire(l, "AcquireNotify", &l->nfd, &amtu, &err);
        if (r >= 0) {
            mtu = amtu;
        } else if (!ble_refused(&err)) {
            sd_bus_error_free(&err); /* not offered after all: notifications by signal */
            r = 0;
        }
    }
    if (r >= 0 && l->nfd < 0) {
        r = sd_bus_match_signal(p->bus, &l->value_slot, BLUEZ, p->chr,
                                "org.freedesktop.DBus.Properties", "PropertiesChanged", on_value,
                                l);
        if (r >= 0) {
            r = ble_call(p->bus, p->chr, CHAR1, "StartNotify", BLE_CONNECT_TIMEOUT_MS, &err,
                         NULL, "");
            l->notifying = r >= 0;
        }
    }
    if (r >= 0 && p->offers_acquire_write) {
        what = "open the SMP characteristic for writing";
        r = acquire(l, "AcquireWrite", &l->wfd, &amtu, &err);
        if (r >= 0) {
            mtu = amtu;
        } else if (!ble_refused(&err)) {
            sd_bus_error_free(&err); /* WriteValue type=command instead */
            r = 0;
        }
    }
    if (r < 0) {
        r = ble_call_failed(p, &err, r, what, msg, msg_len);
        sd_bus_error_free(&err);
        unsubscribe(l);
        return r;
    }
    /* ATT_MTU 23 is what every LE link has before an MTU exchange */
    l->piece = (mtu >= 23 && mtu <= 517 ? mtu : 23) - 3;
    return 0;
}

static int write_value(struct ble_link *l, const uint8_t *data, size_t n)
{
    sd_bus_message *m = NULL;
    sd_bus_error err = SD_BUS_ERROR_NULL;
    int r = sd_bus_message_new_method_call(l->p.bus, &m, BLUEZ, l->p.chr, CHAR1, "WriteValue");
    if (r >= 0) {
        r = sd_bus_message_append_array(m, 'y', data, n);
    }
    if (r >= 0) {
        r = sd_bus_message_append(m, "a{sv}", 1, "type", "s", "command");
    }
    if (r >= 0) {
        r = sd_bus_call(l->p.bus, m, (uint64_t)BLE_WRITE_TIMEOUT_MS * 1000u, &err, NULL);
    }
    sd_bus_message_unref(m);
    if (r < 0 && ble_refused(&err)) {
        ble_call_failed(&l->p, &err, r, "write to the SMP characteristic", l->why,
                        sizeof(l->why));
        r = CLIENT_ELINK;
    } else if (r < 0) {
        l->down = !ble_connected(&l->p);
        r = l->down ? 0 : DFU_EIO;
    }
    sd_bus_error_free(&err);
    return r;
}

/* One ATT write without response through BlueZ's socket; a closed socket is a drop. */
static int write_sock(struct ble_link *l, const uint8_t *data, size_t n)
{
    for (;;) {
        ssize_t w = send(l->wfd, data, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w == (ssize_t)n) {
            return 0;
        }
        if (w >= 0 || errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            l->down = true; /* EPIPE, ECONNRESET, ENOTCONN: BlueZ closed it on disconnect */
            return 0;
        }
        struct pollfd pf = {l->wfd, POLLOUT, 0};
        if (poll(&pf, 1, BLE_WRITE_TIMEOUT_MS) == 0) {
            return DFU_ETIMEDOUT;
        }
    }
}

static int reconnect(struct ble_link *l);

static int ble_send(void *ctx, const uint8_t *pkt, size_t len)
{
    struct ble_link *l = ctx;
    if (l->why[0]) {
        return CLIENT_ELINK;
    }
    if (l->down && reconnect(l) != 0) {
        return CLIENT_ELINK;
    }
    for (size_t off = 0; off < len && !l->down; off += l->piece) {
        size_t n = len - off < l->piece ? len - off : l->piece;
        int r = l->wfd >= 0 ? write_sock(l, pkt + off, n) : write_value(l, pkt + off, n);
        if (r) {
            return r;
        }
    }
    return 0; /* a request cut short by a drop is lost like one lost on the air */
}

/* Waits for the bus or the notify socket, at most timeout_ms. */
static void wait_io(struct ble_link *l, int64_t timeout_ms)
{
    struct pollfd pf[2] = {{sd_bus_get_fd(l->p.bus), (short)sd_bus_get_events(l->p.bus), 0},
                           {l->nfd, POLLIN, 0}};
    uint64_t until;
    if (sd_bus_get_timeout(l->p.bus, &until) >= 0 && until != UINT64_MAX) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t now = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
        int64_t bus_ms = until > now ? (int64_t)((until - now + 999) / 1000) : 0;
        timeout_ms = bus_ms < timeout_ms ? bus_ms : timeout_ms;
    }
    poll(pf, l->nfd >= 0 ? 2 : 1, (int)timeout_ms);
}

static int ble_recv(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    struct ble_link *l = ctx;
    int64_t deadline = client_now_ms() + timeout_ms;
    for (;;) {
        if (l->ready) {
            size_t n = l->ready;
            l->ready = 0;
            if (n > cap) {
                return DFU_ENOMEM;
            }
            memcpy(buf, l->ra.buf, n);
            return (int)n;
        }
        if (l->why[0]) {
            return CLIENT_ELINK;
        }
        if (l->down) {
            /* what was in flight went with the connection: say so at once */
            return reconnect(l) == 0 ? DFU_ETIMEDOUT : CLIENT_ELINK;
        }
        if (l->nfd >= 0) {
            uint8_t frag[BLE_VALUE_MAX];
            ssize_t n = recv(l->nfd, frag, sizeof(frag), MSG_DONTWAIT);
            if (n > 0) {
                push(l, frag, (size_t)n);
                continue;
            }
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                l->down = true; /* BlueZ closes the socket when the link goes */
                continue;
            }
        }
        int r = sd_bus_process(l->p.bus, NULL);
        if (r < 0) {
            snprintf(l->why, sizeof(l->why), "lost the D-Bus connection to BlueZ: %s",
                     strerror(-r));
            return CLIENT_ELINK;
        }
        if (r > 0) {
            continue;
        }
        int64_t left = deadline - client_now_ms();
        if (left <= 0) {
            return DFU_ETIMEDOUT;
        }
        wait_io(l, left);
    }
}

static int reconnect(struct ble_link *l)
{
    unsubscribe(l);
    char m[256] = "";
    for (int t = 0; t < BLE_RECONNECTS; t++) {
        if (t > 0) {
            poll(NULL, 0, 250 * t);
        }
        /* a device BlueZ forgot (or one that moved) is found again by a scan */
        int r = t > 0 ? ble_discover(&l->p, &l->conn, m, sizeof(m)) : 0;
        if (r == 0) {
            r = ble_connect(&l->p, m, sizeof(m));
        }
        if (r == 0) {
            r = subscribe(l, m, sizeof(m));
        }
        if (r == 0) {
            l->down = false;
            l->reconnects++;
            return 0;
        }
        if (r == DFU_EPERM) {
            break;
        }
    }
    snprintf(l->why, sizeof(l->why), "connection to %s lost and not regained (%d tries): %s",
             l->p.label, BLE_RECONNECTS, m);
    return CLIENT_ELINK;
}

static const char *ble_link_error(void *ctx)
{
    struct ble_link *l = ctx;
    return l->why[0] ? l->why : NULL;
}

static void ble_close(void *ctx)
{
    struct ble_link *l = ctx;
    unsubscribe(l);
    ble_disconnect(&l->p);
    ble_guard_release(l->guard_fd, l->guard_pid);
    sd_bus_flush_close_unref(l->p.bus);
    free(l);
}

static const struct client_xport_ops ble_ops = {ble_send, ble_recv, ble_close, ble_link_error};

/* One SMP echo request (v1: every server takes it) of exactly len bytes, or 0; *text_len is
 * the length of the text it echoes. */
static size_t echo_request(uint8_t *pkt, size_t len, uint8_t seq, size_t *text_len)
{
    size_t body = len - SMP_HDR_SIZE, text = body - 4; /* map, key "d", text header */
    text = text >= 24 ? text - 1 : text;
    text = text >= 256 ? text - 1 : text;
    char fill[BLE_VALUE_MAX];
    memset(fill, 'e', sizeof(fill));
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, pkt + SMP_HDR_SIZE, body);
    smp_cbor_put_map(&e, 1);
    smp_cbor_put_tstr(&e, "d");
    smp_cbor_put_tstrn(&e, fill, text);
    if (smp_cbor_enc_error(&e) || e.len != body) {
        return 0;
    }
    *text_len = text;
    struct smp_hdr h = {.version = SMP_V1, .op = SMP_OP_WRITE, .len = (uint16_t)body,
                        .group = SMP_GROUP_OS, .seq = seq, .id = OS_ID_ECHO};
    smp_hdr_encode(pkt, &h);
    return len;
}

/* Does the device reassemble a packet split over writes? See the top of the file. */
static bool probe_reassembly(struct ble_link *l)
{
    uint8_t big[BLE_VALUE_MAX + 8], small[16], rsp[BLE_VALUE_MAX + 64];
    size_t big_text, small_text;
    size_t big_len = echo_request(big, l->piece + 1, 0xb1, &big_text);
    size_t small_len = echo_request(small, SMP_HDR_SIZE + 5, 0xb2, &small_text);
    if (!big_len || !small_len || ble_send(l, big, big_len) || ble_send(l, small, small_len)) {
        return false;
    }
    bool whole = false;
    int64_t deadline = client_now_ms() + BLE_PROBE_TIMEOUT_MS;
    for (;;) {
        int64_t left = deadline - client_now_ms();
        int n = left > 0 ? ble_recv(l, rsp, sizeof(rsp), (int)left) : DFU_ETIMEDOUT;
        if (n == DFU_ENOMEM) {
            continue; /* not an answer of ours */
        }
        if (n < 0) {
            return whole;
        }
        struct smp_hdr h;
        if ((size_t)n < SMP_HDR_SIZE || smp_hdr_decode(&h, rsp, (size_t)n) != 0) {
            continue;
        }
        if (h.seq == 0xb2) {
            return whole;
        }
        /* the echo came back whole: an error answer could be to the first write alone */
        struct client_rsp r;
        if (h.seq == 0xb1 && client_rsp_decode(&r, rsp, (size_t)n) == 0) {
            char text[BLE_VALUE_MAX];
            whole = !client_rsp_failed(&r) && client_get_text(r.root, "r", text, sizeof(text)) &&
                    strlen(text) == big_text;
            client_rsp_free(&r);
        }
    }
}

int client_xport_ble_open(struct client_xport *out, const struct client_conn *conn, char *msg,
                          size_t msg_len)
{
    struct ble_link *l = calloc(1, sizeof(*l));
    if (!l) {
        return DFU_ENOMEM;
    }
    l->conn = *conn;
    l->wfd = l->nfd = l->guard_fd = -1;
    ble_reasm_init(&l->ra, l->rabuf, sizeof(l->rabuf));
    int r = sd_bus_open_system(&l->p.bus);
    if (r < 0) {
        snprintf(msg, msg_len, "cannot reach the D-Bus system bus (%s): is dbus running?",
                 strerror(-r));
        free(l);
        return DFU_EIO;
    }
    r = ble_find_adapter(&l->p, conn, msg, msg_len);
    if (r == 0) {
        r = ble_discover(&l->p, conn, msg, msg_len);
    }
    if (r == 0) {
        l->guard_fd = ble_guard_start(l->p.dev, &l->guard_pid);
        r = ble_connect(&l->p, msg, msg_len);
    }
    if (r == 0) {
        r = subscribe(l, msg, msg_len);
    }
    if (r != 0) {
        ble_close(l);
        return r;
    }
    bool whole = probe_reassembly(l);
    out->ops = &ble_ops;
    out->ctx = l;
    out->buf_overhead = 0;
    out->link_max = whole ? 0 : l->piece; /* without reassembly a packet is one write */
    out->page_barrier = 0;
    out->ordered = true; /* one GATT bearer: answers in the order of the requests */
    out->link_queue = BLE_LINK_QUEUE;
    out->rto_min_ms = BLE_RTO_MIN_MS;
    return 0;
}
