/* Finding the peer through BlueZ: the adapter, discovery by name or address (LE only), Connect,
 * ServicesResolved, and the SMP service's characteristic (BlueZ 5.66's D-Bus API). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dfukit/err.h"
#include "xport_ble.h"

#define ADAPTER1 "org.bluez.Adapter1"
#define DEVICE1 "org.bluez.Device1"

/* Adds word to a comma-separated list unless it is there already or the list is full. */
static void list_add(char *list, size_t cap, const char *word)
{
    size_t n = strlen(word);
    for (const char *at = strstr(list, word); at; at = strstr(at + 1, word)) {
        if ((at == list || at[-2] == ',') && (at[n] == '\0' || at[n] == ',')) {
            return;
        }
    }
    size_t len = strlen(list);
    if (len + n + 3 < cap) {
        snprintf(list + len, cap - len, "%s%s", len ? ", " : "", word);
    }
}

static const char *basename_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

struct adapter_scan {
    const char *want;
    bool found, powered;
    char names[120];
};

static void on_adapter(void *arg, const char *path, const char *iface, const struct ble_props *p)
{
    struct adapter_scan *a = arg;
    if (strcmp(iface, ADAPTER1) != 0) {
        return;
    }
    list_add(a->names, sizeof(a->names), basename_of(path));
    if (strcmp(path, a->want) == 0) {
        a->found = true;
        a->powered = p->powered;
    }
}

int ble_find_adapter(struct ble_peer *p, const struct client_conn *conn, char *msg,
                     size_t msg_len)
{
    const char *ctlr = conn->ctlr_name[0] ? conn->ctlr_name : "hci0";
    snprintf(p->adapter, sizeof(p->adapter), "%s%s", ctlr[0] == '/' ? "" : "/org/bluez/", ctlr);
    struct adapter_scan a = {.want = p->adapter};
    sd_bus_error err = SD_BUS_ERROR_NULL;
    int r = ble_objects(p->bus, on_adapter, &a, &err);
    if (r < 0) {
        r = ble_call_failed(p, &err, r, "list Bluetooth adapters", msg, msg_len);
        sd_bus_error_free(&err);
        return r;
    }
    if (!a.found) {
        snprintf(msg, msg_len, "no Bluetooth adapter %s (adapters: %s)", basename_of(p->adapter),
                 a.names[0] ? a.names : "none");
        return DFU_ENOENT;
    }
    if (!a.powered) {
        snprintf(msg, msg_len, "Bluetooth adapter %s is off: turn it on (bluetoothctl power on)",
                 basename_of(p->adapter));
        return DFU_EPERM;
    }
    return 0;
}

struct scan {
    struct ble_peer *p;
    const struct client_conn *conn;
    char found[192];
    char seen[200];
};

static void on_device(void *arg, const char *path, const char *iface, const struct ble_props *p)
{
    struct scan *s = arg;
    size_t an = strlen(s->p->adapter);
    if (strcmp(iface, DEVICE1) != 0 || strncmp(path, s->p->adapter, an) != 0 || path[an] != '/') {
        return;
    }
    if (p->have & (BLE_HAVE_NAME | BLE_HAVE_ADDRESS)) {
        list_add(s->seen, sizeof(s->seen), p->have & BLE_HAVE_NAME ? p->name : p->address);
    }
    const struct client_conn *c = s->conn;
    bool by_name = c->peer_name[0] && (p->have & BLE_HAVE_NAME) && strcmp(p->name, c->peer_name) == 0;
    bool by_id = c->peer_id[0] && (p->have & BLE_HAVE_ADDRESS) &&
                 strcasecmp(p->address, c->peer_id) == 0;
    if (!s->found[0] && (by_name || by_id)) {
        snprintf(s->found, sizeof(s->found), "%s", path);
    }
}

static int on_added(sd_bus_message *m, void *arg, sd_bus_error *ret)
{
    (void)ret;
    const char *path;
    if (sd_bus_message_read(m, "o", &path) >= 0) {
        ble_read_ifaces(m, path, on_device, arg);
    }
    return 0;
}

/* A device already known whose name arrives later (a scan response). */
static int on_changed(sd_bus_message *m, void *arg, sd_bus_error *ret)
{
    (void)ret;
    const char *iface;
    struct ble_props p;
    if (sd_bus_message_read(m, "s", &iface) >= 0 && ble_read_props(m, &p) >= 0) {
        on_device(arg, sd_bus_message_get_path(m), iface, &p);
    }
    return 0;
}

/* Processes bus messages until *done or the deadline. */
static int pump_until(sd_bus *bus, const char *done, int64_t deadline)
{
    while (!done[0]) {
        int r = sd_bus_process(bus, NULL);
        if (r < 0) {
            return r;
        }
        if (r > 0) {
            continue;
        }
        int64_t left = deadline - client_now_ms();
        if (left <= 0) {
            break;
        }
        sd_bus_wait(bus, (uint64_t)left * 1000u);
    }
    return 0;
}

int ble_discover(struct ble_peer *p, const struct client_conn *conn, char *msg, size_t msg_len)
{
    snprintf(p->label, sizeof(p->label), "%s", conn->peer_name[0] ? conn->peer_name : conn->peer_id);
    struct scan s = {.p = p, .conn = conn};
    sd_bus_slot *added = NULL, *changed = NULL;
    char rule[256];
    snprintf(rule, sizeof(rule),
             "type='signal',sender='" BLUEZ "',interface='org.freedesktop.DBus.Properties',"
             "member='PropertiesChanged',arg0='" DEVICE1 "',path_namespace='%s'", p->adapter);
    sd_bus_error err = SD_BUS_ERROR_NULL;
    int r = sd_bus_match_signal(p->bus, &added, BLUEZ, "/", "org.freedesktop.DBus.ObjectManager",
                                "InterfacesAdded", on_added, &s);
    if (r >= 0) {
        r = sd_bus_add_match(p->bus, &changed, rule, on_changed, &s);
    }
    if (r >= 0) {
        /* LE only: SMP peripherals advertise on LE, and a dual scan takes twice as long */
        ble_call(p->bus, p->adapter, ADAPTER1, "SetDiscoveryFilter", BLE_CONNECT_TIMEOUT_MS,
                 NULL, NULL, "a{sv}", 1, "Transport", "s", "le");
        r = ble_call(p->bus, p->adapter, ADAPTER1, "StartDiscovery", BLE_CONNECT_TIMEOUT_MS,
                     &err, NULL, "");
        if (r < 0 && sd_bus_error_has_name(&err, "org.bluez.Error.InProgress")) {
            r = 0; /* another program is discovering: its results are ours too */
        }
        if (r < 0) {
            r = sd_bus_error_has_name(&err, "org.bluez.Error.NotReady")
                    ? (snprintf(msg, msg_len, "Bluetooth adapter %s is off: turn it on "
                                "(bluetoothctl power on)", basename_of(p->adapter)), DFU_EPERM)
                    : ble_call_failed(p, &err, r, "start discovery", msg, msg_len);
            goto out;
        }
    }
    if (r >= 0) {
        r = ble_objects(p->bus, on_device, &s, NULL); /* known before this scan */
    }
    uint32_t timeout = conn->conn_timeout_ms ? conn->conn_timeout_ms : BLE_SCAN_TIMEOUT_MS;
    if (r >= 0) {
        r = pump_until(p->bus, s.found, client_now_ms() + timeout);
    }
    ble_call(p->bus, p->adapter, ADAPTER1, "StopDiscovery", BLE_CONNECT_TIMEOUT_MS, NULL, NULL, "");
    if (r < 0) {
        r = ble_call_failed(p, &err, r, "discovery", msg, msg_len);
    } else if (!s.found[0]) {
        snprintf(msg, msg_len, "BLE peer %s '%s' not found within %u.%u s (seen: %s)",
                 conn->peer_name[0] ? "named" : "with address", p->label, timeout / 1000,
                 timeout % 1000 / 100, s.seen[0] ? s.seen : "nothing");
        r = DFU_ENOENT;
    } else {
        snprintf(p->dev, sizeof(p->dev), "%s", s.found);
    }
out:
    sd_bus_error_free(&err);
    sd_bus_slot_unref(added);
    sd_bus_slot_unref(changed);
    return r < 0 ? r : 0;
}

static int get_bool(struct ble_peer *p, const char *prop, bool *out)
{
    int v = 0;
    int r = sd_bus_get_property_trivial(p->bus, BLUEZ, p->dev, DEVICE1, prop, NULL, 'b', &v);
    *out = r >= 0 && v;
    return r;
}

bool ble_connected(struct ble_peer *p)
{
    bool c;
    return get_bool(p, "Connected", &c) >= 0 && c;
}

struct gatt_scan {
    const char *dev;
    char svc[224];
    char chr[256], chr_svc[224];
    struct ble_props cp;
};

static void on_gatt(void *arg, const char *path, const char *iface, const struct ble_props *p)
{
    struct gatt_scan *g = arg;
    size_t dn = strlen(g->dev);
    if (strncmp(path, g->dev, dn) != 0 || path[dn] != '/') {
        return;
    }
    if (strcmp(iface, "org.bluez.GattService1") == 0 && strcmp(p->uuid, BLE_SMP_SERVICE) == 0) {
        snprintf(g->svc, sizeof(g->svc), "%s", path);
    } else if (strcmp(iface, "org.bluez.GattCharacteristic1") == 0 &&
               strcmp(p->uuid, BLE_SMP_CHAR) == 0) {
        snprintf(g->chr, sizeof(g->chr), "%s", path);
        snprintf(g->chr_svc, sizeof(g->chr_svc), "%s", p->parent);
        g->cp = *p;
    }
}

static int find_smp(struct ble_peer *p, char *msg, size_t msg_len)
{
    static struct gatt_scan g; /* holds a Value buffer: off the stack */
    memset(&g, 0, sizeof(g));
    g.dev = p->dev;
    sd_bus_error err = SD_BUS_ERROR_NULL;
    int r = ble_objects(p->bus, on_gatt, &g, &err);
    if (r < 0) {
        r = ble_call_failed(p, &err, r, "read GATT services", msg, msg_len);
        sd_bus_error_free(&err);
        return r;
    }
    if (!g.svc[0]) {
        snprintf(msg, msg_len, "%s has no SMP service (" BLE_SMP_SERVICE "): is mcumgr's SMP "
                 "over Bluetooth enabled in its firmware?", p->label);
        return DFU_ENOTSUP;
    }
    if (!g.chr[0] || strcmp(g.chr_svc, g.svc) != 0) {
        snprintf(msg, msg_len, "%s's SMP service lacks the SMP characteristic (" BLE_SMP_CHAR ")",
                 p->label);
        return DFU_ENOTSUP;
    }
    if (!g.cp.write_nr || !g.cp.notify) {
        snprintf(msg, msg_len, "%s's SMP characteristic offers no write without response and "
                 "notify", p->label);
        return DFU_ENOTSUP;
    }
    snprintf(p->chr, sizeof(p->chr), "%s", g.chr);
    p->offers_acquire_write = g.cp.have & BLE_HAVE_WRITE_ACQUIRED;
    p->offers_acquire_notify = g.cp.have & BLE_HAVE_NOTIFY_ACQUIRED;
    p->mtu = g.cp.have & BLE_HAVE_MTU ? g.cp.mtu : 0;
    return 0;
}

int ble_connect(struct ble_peer *p, char *msg, size_t msg_len)
{
    sd_bus_error err = SD_BUS_ERROR_NULL;
    int r = ble_call(p->bus, p->dev, DEVICE1, "Connect", BLE_CONNECT_TIMEOUT_MS, &err, NULL, "");
    if (r < 0 && !sd_bus_error_has_name(&err, "org.bluez.Error.AlreadyConnected") &&
        !sd_bus_error_has_name(&err, "org.bluez.Error.InProgress")) {
        char what[180];
        snprintf(what, sizeof(what), "connect to %s", p->label);
        r = ble_call_failed(p, &err, r, what, msg, msg_len);
        sd_bus_error_free(&err);
        return r;
    }
    sd_bus_error_free(&err);
    /* BlueZ announces ServicesResolved once it has read the peer's GATT database */
    int64_t deadline = client_now_ms() + BLE_CONNECT_TIMEOUT_MS;
    for (;;) {
        bool resolved = false;
        if (get_bool(p, "ServicesResolved", &resolved) >= 0 && resolved) {
            break;
        }
        if (client_now_ms() > deadline) {
            snprintf(msg, msg_len, "%s connected but BlueZ did not resolve its GATT services "
                     "within %u s", p->label, BLE_CONNECT_TIMEOUT_MS / 1000u);
            return DFU_ETIMEDOUT;
        }
        while (sd_bus_process(p->bus, NULL) > 0) {
        }
        sd_bus_wait(p->bus, 20000);
    }
    return find_smp(p, msg, msg_len);
}

void ble_disconnect(struct ble_peer *p)
{
    if (p->dev[0]) {
        ble_call(p->bus, p->dev, DEVICE1, "Disconnect", BLE_CONNECT_TIMEOUT_MS, NULL, NULL, "");
    }
}
