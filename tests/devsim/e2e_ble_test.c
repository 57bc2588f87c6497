/* devsim's BlueZ, driven by a raw sd-bus client on a private bus: the objects and properties
 * BlueZ 5.66 exports, discovery, connection and service resolution, SMP over the GATT
 * characteristic (writes in ATT_MTU - 3 pieces, reassembly on and off, notifications by
 * PropertiesChanged and on the AcquireNotify socket), BlueZ's errors, and a dropped link. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <systemd/sd-bus.h>

#include "dfukit/smp.h"
#include "dfukit/smp_cbor.h"
#include "harness.h"
#include "test_dbus.h"

#define DEV_PATH "/org/bluez/hci0/dev_C0_DE_5A_00_00_01"
#define CHR_PATH DEV_PATH "/service000a/char000b"
#define CCC_PATH CHR_PATH "/desc000d"
#define ADAPTER "org.bluez.Adapter1"
#define DEVICE "org.bluez.Device1"
#define CHR "org.bluez.GattCharacteristic1"

struct fixture {
    struct test_dbus dbus;
    struct board board;
    sd_bus *bus;
    /* what the signals told */
    uint8_t notes[8192];          /* notification values, back to back */
    size_t notes_len, note_count, note_max;
    bool dev_added, connected, resolved;
};

static struct fixture fx;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- signals ---------------------------------------------------------------------------- */

static int on_props(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    const char *iface = NULL;
    if (sd_bus_message_read(m, "s", &iface) < 0 ||
        sd_bus_message_enter_container(m, 'a', "{sv}") < 0) {
        return 0;
    }
    const char *path = sd_bus_message_get_path(m);
    while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
        const char *name = NULL;
        sd_bus_message_read(m, "s", &name);
        if (strcmp(iface, CHR) == 0 && strcmp(name, "Value") == 0 &&
            strcmp(path, CHR_PATH) == 0) {
            const void *v = NULL;
            size_t n = 0;
            sd_bus_message_enter_container(m, 'v', "ay");
            sd_bus_message_read_array(m, 'y', &v, &n);
            sd_bus_message_exit_container(m);
            if (fx.notes_len + n <= sizeof fx.notes) {
                memcpy(fx.notes + fx.notes_len, v, n);
                fx.notes_len += n;
            }
            fx.note_count++;
            fx.note_max = n > fx.note_max ? n : fx.note_max;
        } else if (strcmp(iface, DEVICE) == 0 && (strcmp(name, "Connected") == 0 ||
                                                  strcmp(name, "ServicesResolved") == 0)) {
            int b = 0;
            sd_bus_message_read(m, "v", "b", &b);
            *(name[0] == 'C' ? &fx.connected : &fx.resolved) = b != 0;
        } else {
            sd_bus_message_skip(m, "v");
        }
        sd_bus_message_exit_container(m);
    }
    return 0;
}

static int on_added(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    const char *path = NULL;
    if (sd_bus_message_read(m, "o", &path) >= 0 && strcmp(path, DEV_PATH) == 0) {
        fx.dev_added = true;
    }
    return 0;
}

/* Handles bus traffic until *flag is want or timeout_ms passes; the final value of *flag. */
static bool pump_until(bool *flag, bool want, int timeout_ms)
{
    uint64_t end = now_ms() + (uint64_t)timeout_ms;
    while (flag == NULL || *flag != want) {
        int rc = sd_bus_process(fx.bus, NULL);
        assert_true(rc >= 0);
        if (rc > 0) {
            continue;
        }
        uint64_t now = now_ms();
        if (now >= end) {
            break;
        }
        sd_bus_wait(fx.bus, (end - now) * 1000u);
    }
    return flag != NULL && *flag == want;
}

static void pump_ms(int ms)
{
    pump_until(NULL, true, ms);
}

/* ---- calls -------------------------------------------------------------------------------- */

static bool get_bool(const char *path, const char *iface, const char *prop)
{
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int v = -1;
    assert_int_equal(sd_bus_get_property_trivial(fx.bus, "org.bluez", path, iface, prop, &e, 'b',
                                                 &v), 0);
    return v != 0;
}

/* Calls a method without arguments; returns "" on success or the error name. */
static const char *call0(const char *path, const char *iface, const char *method)
{
    static char name[128];
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int rc = sd_bus_call_method(fx.bus, "org.bluez", path, iface, method, &e, NULL, "");
    snprintf(name, sizeof name, "%s", rc >= 0 ? "" : e.name);
    sd_bus_error_free(&e);
    return name;
}

/* WriteValue(value, {"type": type}); "" or the error name. */
static const char *write_value(const uint8_t *data, size_t len, const char *type)
{
    static char name[128];
    sd_bus_message *m = NULL, *reply = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    assert_true(sd_bus_message_new_method_call(fx.bus, &m, "org.bluez", CHR_PATH, CHR,
                                               "WriteValue") >= 0);
    assert_true(sd_bus_message_append_array(m, 'y', data, len) >= 0);
    if (type != NULL) {
        assert_true(sd_bus_message_append(m, "a{sv}", 1, "type", "s", type) >= 0);
    } else {
        assert_true(sd_bus_message_append(m, "a{sv}", 0) >= 0);
    }
    int rc = sd_bus_call(fx.bus, m, 0, &e, &reply);
    snprintf(name, sizeof name, "%s", rc >= 0 ? "" : e.name);
    sd_bus_error_free(&e);
    sd_bus_message_unref(m);
    sd_bus_message_unref(reply);
    return name;
}

/* AcquireWrite / AcquireNotify: the fd (dup'ed, ours) and the MTU of the reply. */
static int acquire(const char *method, uint16_t *mtu, char *err_name, size_t cap)
{
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_message *reply = NULL;
    int rc = sd_bus_call_method(fx.bus, "org.bluez", CHR_PATH, CHR, method, &e, &reply, "a{sv}",
                                0);
    snprintf(err_name, cap, "%s", rc >= 0 ? "" : e.name);
    sd_bus_error_free(&e);
    if (rc < 0) {
        return -1;
    }
    int fd = -1;
    assert_true(sd_bus_message_read(reply, "hq", &fd, mtu) >= 0);
    fd = dup(fd);
    sd_bus_message_unref(reply);
    return fd;
}

/* ---- SMP ----------------------------------------------------------------------------------- */

/* An SMP echo request {"d": text} with sequence seq (text up to 255 bytes). */
static size_t echo_request(uint8_t *out, const char *text, uint8_t seq)
{
    size_t t = strlen(text);
    size_t body = 3 + (t < 24 ? 1 : 2) + t;
    uint8_t *p = out;
    *p++ = 2; *p++ = 0; *p++ = (uint8_t)(body >> 8); *p++ = (uint8_t)body;
    *p++ = 0; *p++ = 0; *p++ = seq; *p++ = 0;
    *p++ = 0xa1; *p++ = 0x61; *p++ = 'd';
    if (t < 24) {
        *p++ = (uint8_t)(0x60 | t);
    } else {
        *p++ = 0x78;
        *p++ = (uint8_t)t;
    }
    memcpy(p, text, t);
    return (size_t)(p + t - out);
}

/* True when buf holds the echo reply of text with sequence seq. */
static bool is_echo_reply(const uint8_t *buf, size_t len, const char *text, uint8_t seq)
{
    size_t t = strlen(text);
    size_t head = 8 + 3 + (t < 24 ? 1 : 2);
    return len == head + t && buf[0] == 3 && buf[6] == seq && buf[8] == 0xa1 &&
           buf[10] == 'r' && memcmp(buf + head, text, t) == 0;
}

/* Handles bus traffic until the notifications hold len bytes, at most timeout_ms. */
static void wait_notes(size_t len, int timeout_ms)
{
    uint64_t end = now_ms() + (uint64_t)timeout_ms;
    while (fx.notes_len < len && now_ms() < end) {
        pump_ms(20);
    }
}

/* One echo request in one write is answered in the notifications (which start empty). */
static void assert_echo_answered(const char *text, uint8_t seq)
{
    fx.notes_len = 0;
    uint8_t req[300];
    size_t len = echo_request(req, text, seq);
    assert_string_equal(write_value(req, len, "command"), "");
    wait_notes(len, 3000);
    assert_true(is_echo_reply(fx.notes, fx.notes_len, text, seq));
}

static void writes_of(const uint8_t *pkt, size_t len, size_t piece)
{
    for (size_t off = 0; off < len; off += piece) {
        size_t n = len - off < piece ? len - off : piece;
        assert_string_equal(write_value(pkt + off, n, "command"), "");
    }
}

static void text_of(char *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = (char)('a' + i % 26);
    }
    out[n] = '\0';
}

/* ---- set-up -------------------------------------------------------------------------------- */

static void start(const char *name, const char *const extra[])
{
    memset(&fx, 0, sizeof fx);
    assert_int_equal(test_dbus_start(&fx.dbus), 0);
    board_init(&fx.board, name);
    char app[H_PATH];
    assert_int_equal(make_signed_app(&fx.board, "app", "1.0.0", "normal", app, sizeof app), 0);
    assert_int_equal(flash_image(&fx.board, app, 0), 0);
    const char *args[24] = { "--dbus", fx.dbus.address, "--ble-name", "ALICE" };
    size_t n = 4;
    for (size_t i = 0; extra != NULL && extra[i] != NULL && n < 23; i++) {
        args[n++] = extra[i];
    }
    args[n] = NULL;
    assert_int_equal(board_start(&fx.board, args), 0);
    assert_true(board_wait_log(&fx.board, "app: running", 1, 10000));
    assert_true(sd_bus_new(&fx.bus) >= 0);
    assert_true(sd_bus_set_address(fx.bus, fx.dbus.address) >= 0);
    assert_true(sd_bus_set_bus_client(fx.bus, 1) >= 0);
    assert_true(sd_bus_start(fx.bus) >= 0);
    assert_true(sd_bus_match_signal(fx.bus, NULL, "org.bluez", NULL,
                                    "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                    on_props, NULL) >= 0);
    assert_true(sd_bus_match_signal(fx.bus, NULL, "org.bluez", "/",
                                    "org.freedesktop.DBus.ObjectManager", "InterfacesAdded",
                                    on_added, NULL) >= 0);
}

static int teardown(void **state)
{
    if (fx.bus != NULL) {
        sd_bus_flush_close_unref(fx.bus);
        fx.bus = NULL;
    }
    board_kill(&fx.board);
    test_dbus_stop(&fx.dbus);
    return 0;
}

static void discover_and_connect(void)
{
    assert_string_equal(call0("/org/bluez/hci0", ADAPTER, "StartDiscovery"), "");
    assert_true(pump_until(&fx.dev_added, true, 3000));
    assert_string_equal(call0(DEV_PATH, DEVICE, "Connect"), "");
    assert_true(pump_until(&fx.resolved, true, 3000));
    assert_true(get_bool(DEV_PATH, DEVICE, "Connected"));
}

/* ---- tests --------------------------------------------------------------------------------- */

/* The ObjectManager shows hci0 alone until discovery finds the peripheral with BlueZ's
 * Device1 properties; discovery sessions are per client. */
static void objects_and_discovery(void **state)
{
    start("ble_objects", NULL);
    assert_int_equal(board_log_count(&fx.board, "ble: ATT MTU 247, interval 30.00 ms, DLE on, "
                                                "6 packets/event, reassembly on, 4 SMP buffers: "
                                                "link ceiling 48800 B/s each way, 38400 B/s in "
                                                "384-byte SMP packets"), 1);
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_message *reply = NULL;
    assert_true(sd_bus_call_method(fx.bus, "org.bluez", "/", "org.freedesktop.DBus.ObjectManager",
                                   "GetManagedObjects", &e, &reply, "") >= 0);
    assert_string_equal(sd_bus_message_get_signature(reply, true), "a{oa{sa{sv}}}");
    sd_bus_message_unref(reply);
    assert_true(get_bool("/org/bluez/hci0", ADAPTER, "Powered"));
    assert_false(get_bool("/org/bluez/hci0", ADAPTER, "Discovering"));
    assert_string_equal(call0(DEV_PATH, DEVICE, "Connect"),
                        "org.freedesktop.DBus.Error.UnknownObject");

    assert_string_equal(call0("/org/bluez/hci0", ADAPTER, "StartDiscovery"), "");
    assert_string_equal(call0("/org/bluez/hci0", ADAPTER, "StartDiscovery"),
                        "org.bluez.Error.InProgress");
    assert_true(get_bool("/org/bluez/hci0", ADAPTER, "Discovering"));
    assert_true(pump_until(&fx.dev_added, true, 3000));
    char *s = NULL;
    assert_int_equal(sd_bus_get_property_string(fx.bus, "org.bluez", DEV_PATH, DEVICE, "Name",
                                                &e, &s), 0);
    assert_string_equal(s, "ALICE");
    free(s);
    assert_int_equal(sd_bus_get_property_string(fx.bus, "org.bluez", DEV_PATH, DEVICE, "Address",
                                                &e, &s), 0);
    assert_string_equal(s, "C0:DE:5A:00:00:01");
    free(s);
    char **uuids = NULL;
    assert_int_equal(sd_bus_get_property_strv(fx.bus, "org.bluez", DEV_PATH, DEVICE, "UUIDs", &e,
                                              &uuids), 0);
    assert_string_equal(uuids[0], "8d53dc1d-1db7-4cd3-868b-8a527460aa84");
    assert_null(uuids[1]);
    free(uuids[0]);
    free(uuids);
    assert_false(get_bool(DEV_PATH, DEVICE, "Connected"));
    assert_false(get_bool(DEV_PATH, DEVICE, "ServicesResolved"));

    assert_string_equal(call0("/org/bluez/hci0", ADAPTER, "StopDiscovery"), "");
    assert_string_equal(call0("/org/bluez/hci0", ADAPTER, "StopDiscovery"),
                        "org.bluez.Error.Failed");
    assert_false(get_bool("/org/bluez/hci0", ADAPTER, "Discovering"));
    assert_string_equal(call0(DEV_PATH, DEVICE, "Disconnect"), "org.bluez.Error.NotConnected");
}

/* An echo split into ATT_MTU - 3 writes comes back in notifications of at most that size. */
static void echo_at_mtu(const char *name, const char *mtu, size_t text_len)
{
    const char *extra[] = { "--ble-mtu", mtu, NULL };
    start(name, extra);
    discover_and_connect();
    sd_bus_error e = SD_BUS_ERROR_NULL;
    uint16_t got_mtu = 0;
    assert_int_equal(sd_bus_get_property_trivial(fx.bus, "org.bluez", CHR_PATH, CHR, "MTU", &e,
                                                 'q', &got_mtu), 0);
    assert_int_equal(got_mtu, atoi(mtu));
    char **flags = NULL;
    assert_int_equal(sd_bus_get_property_strv(fx.bus, "org.bluez", CHR_PATH, CHR, "Flags", &e,
                                              &flags), 0);
    assert_string_equal(flags[0], "write-without-response");
    assert_string_equal(flags[1], "notify");
    assert_null(flags[2]);
    free(flags[0]);
    free(flags[1]);
    free(flags);
    assert_string_equal(call0(CHR_PATH, CHR, "StartNotify"), "");
    assert_true(get_bool(CHR_PATH, CHR, "Notifying"));
    /* the CCC descriptor: notifications on; clients may not write it */
    char *uuid = NULL;
    assert_int_equal(sd_bus_get_property_string(fx.bus, "org.bluez", CCC_PATH,
                                                "org.bluez.GattDescriptor1", "UUID", &e, &uuid),
                     0);
    assert_string_equal(uuid, "00002902-0000-1000-8000-00805f9b34fb");
    free(uuid);
    sd_bus_message *reply = NULL;
    assert_true(sd_bus_call_method(fx.bus, "org.bluez", CCC_PATH, "org.bluez.GattDescriptor1",
                                   "ReadValue", &e, &reply, "a{sv}", 0) >= 0);
    const void *ccc = NULL;
    size_t ccc_len = 0;
    assert_true(sd_bus_message_read_array(reply, 'y', &ccc, &ccc_len) >= 0);
    assert_int_equal(ccc_len, 2);
    assert_memory_equal(ccc, "\x01\x00", 2);
    sd_bus_message_unref(reply);
    assert_true(sd_bus_call_method(fx.bus, "org.bluez", CCC_PATH, "org.bluez.GattDescriptor1",
                                   "WriteValue", &e, NULL, "aya{sv}", 2, 0, 0, 0) < 0);
    assert_string_equal(e.name, "org.bluez.Error.NotPermitted");
    sd_bus_error_free(&e);

    char text[256];
    text_of(text, text_len);
    uint8_t req[300];
    size_t len = echo_request(req, text, 42);
    size_t piece = (size_t)got_mtu - 3;
    writes_of(req, len, piece);
    wait_notes(len, 5000);
    assert_true(is_echo_reply(fx.notes, fx.notes_len, text, 42));
    /* every notification but the last is full */
    assert_int_equal(fx.note_max, fx.notes_len < piece ? fx.notes_len : piece);
    assert_int_equal(fx.note_count, (fx.notes_len + piece - 1) / piece);
    assert_string_equal(call0(CHR_PATH, CHR, "StopNotify"), "");
    assert_false(get_bool(CHR_PATH, CHR, "Notifying"));
    assert_int_equal(board_stop(&fx.board), 0);
}

static void echo_mtu_23(void **state)
{
    echo_at_mtu("ble_mtu23", "23", 200);
}

static void echo_mtu_247(void **state)
{
    echo_at_mtu("ble_mtu247", "247", 250);
}

static void echo_mtu_498(void **state)
{
    echo_at_mtu("ble_mtu498", "498", 250);
}

/* Without reassembly a packet split over writes is dropped (logged); one that fits a write is
 * answered. */
static void reassembly_off(void **state)
{
    const char *extra[] = { "--ble-mtu", "23", "--ble-reassembly", "off", NULL };
    start("ble_noreasm", extra);
    discover_and_connect();
    assert_string_equal(call0(CHR_PATH, CHR, "StartNotify"), "");
    uint8_t req[300];
    size_t len = echo_request(req, "split over writes", 1);
    writes_of(req, len, 20);
    assert_true(board_wait_log(&fx.board, "not one whole SMP packet (reassembly is off)", 1,
                               3000));
    pump_ms(200);
    assert_int_equal(fx.note_count, 0);
    assert_echo_answered("whole", 2);   /* 20 bytes: one write */
}

/* AcquireWrite and AcquireNotify hand out SOCK_SEQPACKET sockets and the MTU; while acquired,
 * WriteValue and StartNotify are refused; closing the write socket releases it. */
static void acquired_sockets(void **state)
{
    const char *extra[] = { "--ble-mtu", "64", NULL };
    start("ble_acquire", extra);
    discover_and_connect();
    char err[128];
    uint16_t wmtu = 0, nmtu = 0;
    int wfd = acquire("AcquireWrite", &wmtu, err, sizeof err);
    assert_true(wfd >= 0);
    int nfd = acquire("AcquireNotify", &nmtu, err, sizeof err);
    assert_true(nfd >= 0);
    assert_int_equal(wmtu, 64);
    assert_int_equal(nmtu, 64);
    int type = 0;
    socklen_t tl = sizeof type;
    assert_int_equal(getsockopt(wfd, SOL_SOCKET, SO_TYPE, &type, &tl), 0);
    assert_int_equal(type, SOCK_SEQPACKET);
    assert_true(get_bool(CHR_PATH, CHR, "WriteAcquired"));
    assert_true(get_bool(CHR_PATH, CHR, "NotifyAcquired"));
    assert_int_equal(acquire("AcquireWrite", &wmtu, err, sizeof err), -1);
    assert_string_equal(err, "org.bluez.Error.NotPermitted");
    uint8_t req[300];
    size_t len = echo_request(req, "over the acquired sockets, in pieces", 9);
    assert_string_equal(write_value(req, 8, "command"), "org.bluez.Error.NotPermitted");
    assert_string_equal(call0(CHR_PATH, CHR, "StartNotify"), "org.bluez.Error.NotPermitted");
    for (size_t off = 0; off < len; off += 61) {
        size_t n = len - off < 61 ? len - off : 61;
        assert_int_equal(send(wfd, req + off, n, 0), (ssize_t)n);
    }
    uint8_t rsp[512];
    size_t got = 0;
    size_t pieces = 0;
    uint64_t end = now_ms() + 5000;
    while (got < len && now_ms() < end) {
        struct pollfd p = { .fd = nfd, .events = POLLIN };
        if (poll(&p, 1, 100) == 1) {
            ssize_t n = recv(nfd, rsp + got, sizeof rsp - got, 0);
            assert_true(n > 0 && n <= 61);
            got += (size_t)n;
            pieces++;
        }
    }
    assert_true(is_echo_reply(rsp, got, "over the acquired sockets, in pieces", 9));
    assert_int_equal(pieces, (got + 60) / 61);
    close(wfd);
    pump_ms(300);
    assert_false(get_bool(CHR_PATH, CHR, "WriteAcquired"));
    assert_true(get_bool(CHR_PATH, CHR, "NotifyAcquired"));
    close(nfd);
    pump_ms(300);
    assert_false(get_bool(CHR_PATH, CHR, "NotifyAcquired"));
    assert_false(get_bool(CHR_PATH, CHR, "Notifying"));
    assert_int_equal(board_stop(&fx.board), 0);   /* a clean stop (exit 0, nothing leaked) */
}

/* BlueZ's errors for what the characteristic does not do. */
static void characteristic_errors(void **state)
{
    start("ble_errors", NULL);
    discover_and_connect();
    uint8_t req[300];
    size_t len = echo_request(req, "x", 1);
    assert_string_equal(write_value(req, len, "request"), "org.bluez.Error.NotSupported");
    uint8_t big[245] = { 0 };
    assert_string_equal(write_value(big, sizeof big, "command"),
                        "org.bluez.Error.InvalidValueLength");
    assert_string_equal(call0(CHR_PATH, CHR, "StopNotify"), "org.bluez.Error.Failed");
    sd_bus_error e = SD_BUS_ERROR_NULL;
    assert_true(sd_bus_call_method(fx.bus, "org.bluez", CHR_PATH, CHR, "ReadValue", &e, NULL,
                                   "a{sv}", 0) < 0);
    assert_string_equal(e.name, "org.bluez.Error.NotPermitted");
    sd_bus_error_free(&e);
    assert_true(sd_bus_call_method(fx.bus, "org.bluez", "/org/bluez/hci0", ADAPTER,
                                   "RemoveDevice", &e, NULL, "o", "/org/bluez/hci0/dev_00") < 0);
    assert_string_equal(e.name, "org.bluez.Error.DoesNotExist");
    sd_bus_error_free(&e);
    /* Disconnect: the GATT objects go with the link. */
    assert_string_equal(call0(DEV_PATH, DEVICE, "Disconnect"), "");
    assert_true(pump_until(&fx.connected, false, 2000));
    assert_false(get_bool(DEV_PATH, DEVICE, "ServicesResolved"));
    assert_string_equal(write_value(req, len, "command"),
                        "org.freedesktop.DBus.Error.UnknownObject");
    /* RemoveDevice: the device object goes too. */
    assert_true(sd_bus_call_method(fx.bus, "org.bluez", "/org/bluez/hci0", ADAPTER,
                                   "RemoveDevice", &e, NULL, "o", DEV_PATH) >= 0);
    assert_string_equal(call0(DEV_PATH, DEVICE, "Connect"),
                        "org.freedesktop.DBus.Error.UnknownObject");
}

/* --ble-powered off: the adapter is there, powered off, and refuses discovery until powered. */
static void adapter_off(void **state)
{
    const char *extra[] = { "--ble-powered", "off", NULL };
    start("ble_off", extra);
    assert_false(get_bool("/org/bluez/hci0", ADAPTER, "Powered"));
    assert_string_equal(call0("/org/bluez/hci0", ADAPTER, "StartDiscovery"),
                        "org.bluez.Error.NotReady");
    sd_bus_error e = SD_BUS_ERROR_NULL;
    assert_true(sd_bus_set_property(fx.bus, "org.bluez", "/org/bluez/hci0", ADAPTER, "Powered",
                                    &e, "b", 1) >= 0);
    assert_true(get_bool("/org/bluez/hci0", ADAPTER, "Powered"));
    discover_and_connect();
}

/* --ble-drop-at-ms: the link drops once, that long after it came up; a reconnect holds. */
static void drop_once(void **state)
{
    const char *extra[] = { "--ble-drop-at-ms", "800", NULL };
    start("ble_drop", extra);
    uint64_t t0 = now_ms();   /* before the connection: the drop is at least 800 ms after */
    discover_and_connect();
    assert_true(pump_until(&fx.connected, false, 3000));
    uint64_t took = now_ms() - t0;
    assert_true(took >= 795);
    assert_false(fx.resolved);
    assert_int_equal(board_log_count(&fx.board, "ble: connection dropped (--ble-drop-at-ms)"), 1);
    assert_string_equal(call0(DEV_PATH, DEVICE, "Connect"), "");
    assert_true(pump_until(&fx.resolved, true, 3000));
    pump_ms(800);
    assert_true(fx.connected);
    assert_string_equal(call0(CHR_PATH, CHR, "StartNotify"), "");
    assert_echo_answered("after the drop", 3);
    assert_int_equal(board_stop(&fx.board), 0);   /* a clean stop, connected */
}

/* An SMP reset: the reply, then the link goes with the board; a Connect made while the board
 * boots completes once its app advertises again. */
static void reset_drops_and_reconnects(void **state)
{
    start("ble_reset", NULL);
    discover_and_connect();
    assert_string_equal(call0(CHR_PATH, CHR, "StartNotify"), "");
    /* os reset: write, group 0, id 5, body {} */
    const uint8_t reset[] = { 2, 0, 0, 1, 0, 0, 8, 5, 0xa0 };
    assert_string_equal(write_value(reset, sizeof reset, "command"), "");
    assert_true(pump_until(&fx.connected, false, 3000));
    assert_true(fx.notes_len >= 8 && fx.notes[0] == 3 && fx.notes[6] == 8 && fx.notes[7] == 5);
    assert_true(board_log_count(&fx.board, "ble: the board went down: the connection is lost") ==
                1);
    assert_string_equal(call0(DEV_PATH, DEVICE, "Connect"), "");
    assert_true(board_log_count(&fx.board, "app: running") == 2);
    assert_true(pump_until(&fx.resolved, true, 3000));
    assert_string_equal(call0(CHR_PATH, CHR, "StartNotify"), "");
    assert_echo_answered("after the reset", 4);
}

/* The complete packets in the notifications so far, from *pos on: the next one's length
 * (0 when it has not all come). */
static size_t next_packet(size_t *pos, const uint8_t **pkt)
{
    if (fx.notes_len - *pos < SMP_HDR_SIZE) {
        return 0;
    }
    size_t len = SMP_HDR_SIZE + (size_t)((fx.notes[*pos + 2] << 8) | fx.notes[*pos + 3]);
    if (fx.notes_len - *pos < len) {
        return 0;
    }
    *pkt = fx.notes + *pos;
    *pos += len;
    return len;
}

/* A windowed image upload over the link with the board's flash timing on: while the first
 * chunk's erase stalls the app, the chunks behind it fill the SMP buffers and the link waits
 * (the controller stops acknowledging) instead of losing them; every byte reaches slot 1. */
static void windowed_upload_through_a_flash_stall(void **state)
{
    const char *extra[] = { "--ble-interval-ms", "7.5", "--timing", "--verbose", NULL };
    start("ble_upload", extra);
    discover_and_connect();
    assert_string_equal(call0(CHR_PATH, CHR, "StartNotify"), "");
    char app[H_PATH];
    assert_int_equal(make_signed_app(&fx.board, "up", "2.0.0", "normal", app, sizeof app), 0);
    size_t img_len = 0;
    uint8_t *img = read_whole(app, &img_len);
    assert_non_null(img);
    enum { CHUNK = 256, WINDOW = 5 };
    size_t sent = 0, acked = 0, pos = 0, in_flight = 0;
    uint8_t seq = 0;
    uint64_t end = now_ms() + 30000;
    while (acked < img_len && now_ms() < end) {
        while (in_flight < WINDOW && sent < img_len) {
            size_t n = img_len - sent < CHUNK ? img_len - sent : CHUNK;
            uint8_t req[SMP_HDR_SIZE + CHUNK + 32];
            struct smp_cbor_enc e;
            smp_cbor_enc_init(&e, req + SMP_HDR_SIZE, sizeof req - SMP_HDR_SIZE);
            smp_cbor_put_map(&e, sent == 0 ? 3 : 2);
            if (sent == 0) {
                smp_cbor_put_kv_uint(&e, "len", img_len);
            }
            smp_cbor_put_kv_uint(&e, "off", sent);
            smp_cbor_put_kv_bstr(&e, "data", img + sent, n);
            assert_int_equal(smp_cbor_enc_error(&e), 0);
            struct smp_hdr h = { .op = SMP_OP_WRITE, .len = (uint16_t)e.len,
                                 .group = SMP_GROUP_IMAGE, .seq = seq++, .id = IMG_ID_UPLOAD };
            smp_hdr_encode(req, &h);
            writes_of(req, SMP_HDR_SIZE + e.len, 244);
            sent += n;
            in_flight++;
        }
        pump_ms(10);
        const uint8_t *pkt;
        size_t len;
        while ((len = next_packet(&pos, &pkt)) > 0) {
            uint64_t off = 0;
            struct smp_cbor_map_entry m[] = {
                { .key = "off", .decode = smp_cbor_dec_uint64, .out = &off },
            };
            struct smp_cbor_dec d;
            smp_cbor_dec_init(&d, pkt + SMP_HDR_SIZE, len - SMP_HDR_SIZE);
            assert_int_equal(smp_cbor_decode_map(&d, m, 1), 0);
            assert_true(m[0].found);
            acked = off > acked ? (size_t)off : acked;
            in_flight--;
        }
    }
    assert_int_equal(acked, img_len);
    assert_true(board_log_count(&fx.board, "ble: the SMP buffers are taken; the link waits") >
                0);
    assert_int_equal(board_log_count(&fx.board, "dropped"), 0);
    assert_int_equal(board_stop(&fx.board), 0);   /* the flash work reaches the file */
    size_t flash_len = 0;
    uint8_t *flash = read_whole(fx.board.flash, &flash_len);
    assert_non_null(flash);
    assert_memory_equal(flash + 0x73000, img, img_len);
    free(flash);
    free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(objects_and_discovery, teardown),
        cmocka_unit_test_teardown(echo_mtu_23, teardown),
        cmocka_unit_test_teardown(echo_mtu_247, teardown),
        cmocka_unit_test_teardown(echo_mtu_498, teardown),
        cmocka_unit_test_teardown(reassembly_off, teardown),
        cmocka_unit_test_teardown(acquired_sockets, teardown),
        cmocka_unit_test_teardown(characteristic_errors, teardown),
        cmocka_unit_test_teardown(adapter_off, teardown),
        cmocka_unit_test_teardown(drop_once, teardown),
        cmocka_unit_test_teardown(reset_drops_and_reconnects, teardown),
        cmocka_unit_test_teardown(windowed_upload_through_a_flash_stall, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
