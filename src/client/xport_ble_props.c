/* BlueZ's objects as the BLE link reads them: property dictionaries (a{sv}), an object's
 * interfaces (a{sa{sv}}, as GetManagedObjects and InterfacesAdded carry them), method calls
 * with a timeout, and D-Bus errors turned into messages a user can act on. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "dfukit/err.h"
#include "xport_ble.h"

/* Does the variant at the message's position hold this type? */
static bool variant_is(sd_bus_message *m, const char *contents)
{
    char type;
    const char *c;
    return sd_bus_message_peek_type(m, &type, &c) > 0 && type == 'v' && c &&
           strcmp(c, contents) == 0;
}

static int read_string(sd_bus_message *m, const char *sig, char *out, size_t cap)
{
    const char *s;
    int r = sd_bus_message_read(m, "v", sig, &s);
    if (r < 0) {
        return r;
    }
    snprintf(out, cap, "%s", s);
    return 0;
}

static int read_bool(sd_bus_message *m, bool *out)
{
    int v;
    int r = sd_bus_message_read(m, "v", "b", &v);
    *out = r >= 0 && v;
    return r < 0 ? r : 0;
}

static int read_flags(sd_bus_message *m, struct ble_props *p)
{
    int r = sd_bus_message_enter_container(m, 'v', "as");
    if (r < 0) {
        return r;
    }
    r = sd_bus_message_enter_container(m, 'a', "s");
    if (r < 0) {
        return r;
    }
    const char *f;
    while ((r = sd_bus_message_read(m, "s", &f)) > 0) {
        p->write_nr |= strcmp(f, "write-without-response") == 0;
        p->notify |= strcmp(f, "notify") == 0;
    }
    if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0) {
        return r;
    }
    return sd_bus_message_exit_container(m);
}

static int read_value(sd_bus_message *m, struct ble_props *p)
{
    int r = sd_bus_message_enter_container(m, 'v', "ay");
    if (r < 0) {
        return r;
    }
    const void *data;
    size_t n;
    r = sd_bus_message_read_array(m, 'y', &data, &n);
    if (r < 0) {
        return r;
    }
    /* an ATT value is at most 512 bytes: a longer one is not a notification of ours */
    p->value_len = n <= sizeof(p->value) ? n : 0;
    if (p->value_len) {
        memcpy(p->value, data, n);
    }
    return sd_bus_message_exit_container(m);
}

/* One property; the types are BlueZ's (doc/org.bluez.*.rst). A known name with another type
 * is skipped like an unknown one. */
static int read_prop(sd_bus_message *m, const char *k, struct ble_props *p)
{
    static const struct {
        const char *name, *sig;
        unsigned have;
    } known[] = {
        {"Name", "s", BLE_HAVE_NAME},       {"Address", "s", BLE_HAVE_ADDRESS},
        {"UUID", "s", BLE_HAVE_UUID},       {"Adapter", "o", BLE_HAVE_PARENT},
        {"Device", "o", BLE_HAVE_PARENT},   {"Service", "o", BLE_HAVE_PARENT},
        {"Powered", "b", BLE_HAVE_POWERED}, {"Connected", "b", BLE_HAVE_CONNECTED},
        {"ServicesResolved", "b", BLE_HAVE_RESOLVED}, {"MTU", "q", BLE_HAVE_MTU},
        {"Flags", "as", BLE_HAVE_FLAGS},    {"Value", "ay", BLE_HAVE_VALUE},
        {"WriteAcquired", "b", BLE_HAVE_WRITE_ACQUIRED},
        {"NotifyAcquired", "b", BLE_HAVE_NOTIFY_ACQUIRED},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcmp(k, known[i].name) != 0 || !variant_is(m, known[i].sig)) {
            continue;
        }
        unsigned h = known[i].have;
        bool ignored;
        int r;
        switch (h) {
        case BLE_HAVE_NAME: r = read_string(m, "s", p->name, sizeof(p->name)); break;
        case BLE_HAVE_ADDRESS: r = read_string(m, "s", p->address, sizeof(p->address)); break;
        case BLE_HAVE_UUID:
            r = read_string(m, "s", p->uuid, sizeof(p->uuid));
            for (char *c = p->uuid; *c; c++) {
                *c = (char)tolower((unsigned char)*c);
            }
            break;
        case BLE_HAVE_PARENT: r = read_string(m, "o", p->parent, sizeof(p->parent)); break;
        case BLE_HAVE_POWERED: r = read_bool(m, &p->powered); break;
        case BLE_HAVE_CONNECTED: r = read_bool(m, &p->connected); break;
        case BLE_HAVE_RESOLVED: r = read_bool(m, &p->resolved); break;
        case BLE_HAVE_MTU: r = sd_bus_message_read(m, "v", "q", &p->mtu); break;
        case BLE_HAVE_FLAGS: r = read_flags(m, p); break;
        case BLE_HAVE_VALUE: r = read_value(m, p); break;
        default: r = read_bool(m, &ignored); break; /* only its presence counts */
        }
        if (r < 0) {
            return r;
        }
        p->have |= h;
        return 0;
    }
    return sd_bus_message_skip(m, "v");
}

int ble_read_props(sd_bus_message *m, struct ble_props *p)
{
    memset(p, 0, offsetof(struct ble_props, value));
    int r = sd_bus_message_enter_container(m, 'a', "{sv}");
    if (r < 0) {
        return r;
    }
    while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
        const char *k;
        if ((r = sd_bus_message_read(m, "s", &k)) < 0 || (r = read_prop(m, k, p)) < 0 ||
            (r = sd_bus_message_exit_container(m)) < 0) {
            return r;
        }
    }
    return r < 0 ? r : sd_bus_message_exit_container(m);
}

int ble_read_ifaces(sd_bus_message *m, const char *path, ble_iface_fn fn, void *arg)
{
    int r = sd_bus_message_enter_container(m, 'a', "{sa{sv}}");
    if (r < 0) {
        return r;
    }
    struct ble_props p;
    while ((r = sd_bus_message_enter_container(m, 'e', "sa{sv}")) > 0) {
        const char *iface;
        if ((r = sd_bus_message_read(m, "s", &iface)) < 0 || (r = ble_read_props(m, &p)) < 0) {
            return r;
        }
        fn(arg, path, iface, &p);
        if ((r = sd_bus_message_exit_container(m)) < 0) {
            return r;
        }
    }
    return r < 0 ? r : sd_bus_message_exit_container(m);
}

int ble_objects(sd_bus *bus, ble_iface_fn fn, void *arg, sd_bus_error *err)
{
    sd_bus_message *reply = NULL;
    int r = ble_call(bus, "/", "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                     BLE_CONNECT_TIMEOUT_MS, err, &reply, "");
    if (r < 0) {
        return r;
    }
    r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
    while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
        const char *path;
        if ((r = sd_bus_message_read(reply, "o", &path)) >= 0 &&
            (r = ble_read_ifaces(reply, path, fn, arg)) >= 0) {
            r = sd_bus_message_exit_container(reply);
        }
    }
    sd_bus_message_unref(reply);
    return r < 0 ? r : 0;
}

int ble_call(sd_bus *bus, const char *path, const char *iface, const char *member,
             uint32_t timeout_ms, sd_bus_error *err, sd_bus_message **reply, const char *types,
             ...)
{
    sd_bus_message *m = NULL;
    int r = sd_bus_message_new_method_call(bus, &m, BLUEZ, path, iface, member);
    if (r >= 0 && types[0]) {
        va_list ap;
        va_start(ap, types);
        r = sd_bus_message_appendv(m, types, ap);
        va_end(ap);
    }
    if (r >= 0) {
        r = sd_bus_call(bus, m, (uint64_t)timeout_ms * 1000u, err, reply);
    }
    sd_bus_message_unref(m);
    return r;
}

static bool named(const sd_bus_error *e, const char *name)
{
    return sd_bus_error_has_name(e, name);
}

bool ble_refused(const sd_bus_error *e)
{
    return named(e, "org.bluez.Error.NotPermitted") || named(e, "org.bluez.Error.NotAuthorized");
}

int ble_call_failed(const struct ble_peer *p, const sd_bus_error *e, int r, const char *what,
                    char *msg, size_t msg_len)
{
    const char *who = p->label[0] ? p->label : "the peer";
    if (named(e, "org.freedesktop.DBus.Error.ServiceUnknown") ||
        named(e, "org.freedesktop.DBus.Error.NameHasNoOwner")) {
        snprintf(msg, msg_len, "no Bluetooth service (org.bluez) on the D-Bus system bus: "
                               "is bluetoothd running?");
        return DFU_ENOENT;
    }
    if (named(e, "org.freedesktop.DBus.Error.AccessDenied")) {
        snprintf(msg, msg_len, "not allowed to use Bluetooth (%s): add your user to the "
                               "'bluetooth' group or allow it by a polkit rule", what);
        return DFU_EPERM;
    }
    if (named(e, "org.bluez.Error.NotPermitted") && e->message && strstr(e->message, "acquired")) {
        /* BlueZ's "Write acquired" / "Notify acquired": the characteristic is taken */
        snprintf(msg, msg_len, "%s: another program holds %s's SMP characteristic (%s): end it "
                 "first", what, who, e->message);
        return DFU_EBUSY;
    }
    if (ble_refused(e) || named(e, "org.bluez.Error.AuthenticationFailed")) {
        snprintf(msg, msg_len, "%s: %s refused it (%s): pairing required; pair and trust it "
                 "first (bluetoothctl pair ADDRESS)", what, who, e->name);
        return DFU_EPERM;
    }
    if (named(e, "org.freedesktop.DBus.Error.NoReply") || r == -ETIMEDOUT) {
        snprintf(msg, msg_len, "%s: no answer from BlueZ (is %s in range?)", what, who);
        return DFU_ETIMEDOUT;
    }
    if (sd_bus_error_is_set(e)) {
        snprintf(msg, msg_len, "%s: %s%s%s", what, e->name, e->message ? ": " : "",
                 e->message ? e->message : "");
    } else {
        snprintf(msg, msg_len, "%s: %s", what, strerror(-r));
    }
    return DFU_EIO;
}
