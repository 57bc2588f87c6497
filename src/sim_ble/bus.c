/* devsim's BlueZ on the bus: the connection, the name org.bluez, the ObjectManager at / and
 * AgentManager1 at /org/bluez (bleak and bluetoothctl register agents), the poll interface
 * for devsim's event loop, and the notifications the link model hands out. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ble_priv.h"
#include "dfukit/err.h"

uint64_t sim_ble_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int sim_ble_reply_error(sd_bus_message *m, const char *name, const char *text)
{
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_error_set(&e, name, text);
    int rc = sd_bus_reply_method_error(m, &e);
    sd_bus_error_free(&e);
    return rc;
}

int sim_ble_read_options(sd_bus_message *m, char *type, size_t type_len)
{
    type[0] = '\0';
    int rc = sd_bus_message_enter_container(m, 'a', "{sv}");
    if (rc < 0) {
        return rc;
    }
    while ((rc = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
        const char *key = NULL;
        if ((rc = sd_bus_message_read(m, "s", &key)) < 0) {
            return rc;
        }
        const char *contents = NULL;
        if (strcmp(key, "type") == 0 && sd_bus_message_peek_type(m, NULL, &contents) > 0 &&
            strcmp(contents, "s") == 0) {
            const char *v = NULL;
            if ((rc = sd_bus_message_read(m, "v", "s", &v)) < 0) {
                return rc;
            }
            snprintf(type, type_len, "%s", v);
        } else if ((rc = sd_bus_message_skip(m, "v")) < 0) {
            return rc;
        }
        if ((rc = sd_bus_message_exit_container(m)) < 0) {
            return rc;
        }
    }
    if (rc < 0) {
        return rc;
    }
    return sd_bus_message_exit_container(m);
}

void sim_ble_format_address(const uint8_t a[6], char sep, char *out, size_t len)
{
    snprintf(out, len, "%02X%c%02X%c%02X%c%02X%c%02X%c%02X", a[0], sep, a[1], sep, a[2], sep,
             a[3], sep, a[4], sep, a[5]);
}

int sim_ble_parse_address(const char *s, uint8_t out[6])
{
    unsigned v[6];
    char tail;
    if (strlen(s) != 17 || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3],
                                  &v[4], &v[5], &tail) != 6) {
        return DFU_EINVAL;
    }
    for (size_t i = 0; i < 6; i++) {
        if (s[i * 3 + 2] != ':' && i < 5) {
            return DFU_EINVAL;
        }
        out[i] = (uint8_t)v[i];
    }
    return 0;
}

/* ---- AgentManager1: agents are taken and never asked (the peripheral needs no pairing) ---- */

static int agent_ok(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable agent_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("RegisterAgent", "os", "", agent_ok, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("UnregisterAgent", "o", "", agent_ok, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("RequestDefaultAgent", "o", "", agent_ok, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

/* A client left the bus: its discovery session ends, as in BlueZ. */
static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    struct sim_ble *b = userdata;
    const char *name = NULL, *old_owner = NULL, *new_owner = NULL;
    if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) >= 0 && name[0] == ':' &&
        new_owner[0] == '\0') {
        sim_ble_adapter_owner_gone(b, name);
    }
    return 0;
}

/* what (and errno rc's text, unless 0) into err; the half-opened connection goes. */
static int fail(struct sim_ble **out, char *err, size_t err_len, const char *what, int rc)
{
    snprintf(err, err_len, "%s%s%s", what, rc ? ": " : "", rc ? strerror(-rc) : "");
    sim_ble_close(*out);
    *out = NULL;
    return DFU_EIO;
}

int sim_ble_open(struct sim_ble **out, const struct sim_ble_config *cfg,
                 const struct sim_ble_ops *ops, void *arg, char *err, size_t err_len)
{
    struct sim_ble *b = calloc(1, sizeof *b);
    if (b == NULL) {
        return DFU_ENOMEM;
    }
    *out = b;
    b->cfg = *cfg;
    b->ops = *ops;
    b->arg = arg;
    b->write_fd = b->notify_fd = -1;
    snprintf(b->name, sizeof b->name, "%s", cfg->name);
    b->cfg.name = b->name;
    b->powered = cfg->powered;
    /* The adapter's own public address: fixed, distinct from any peripheral's. */
    static const uint8_t central[6] = { 0x00, 0x1a, 0x7d, 0xda, 0x71, 0x13 };
    memcpy(b->central, central, sizeof central);
    const char *address = cfg->bus_address;
    if (address == NULL) {
        address = getenv("DBUS_SYSTEM_BUS_ADDRESS");
    }
    if (address == NULL) {
        address = "unix:path=/run/dbus/system_bus_socket";   /* the system bus's default */
    }
    int rc = sd_bus_new(&b->bus);
    if (rc >= 0) {
        rc = sd_bus_set_address(b->bus, address);
    }
    if (rc >= 0) {
        rc = sd_bus_set_bus_client(b->bus, 1);
    }
    if (rc >= 0) {
        rc = sd_bus_start(b->bus);
    }
    if (rc < 0) {
        char what[320];
        snprintf(what, sizeof what, "cannot connect to the D-Bus bus %s", address);
        return fail(out, err, err_len, what, rc);
    }
    if ((rc = sd_bus_request_name(b->bus, "org.bluez", 0)) < 0) {
        return fail(out, err, err_len,
                    rc == -EEXIST ? "cannot own org.bluez: another BlueZ has it on that bus"
                                  : "cannot own org.bluez on the bus",
                    rc == -EEXIST ? 0 : rc);
    }
    rc = sd_bus_add_object_manager(b->bus, &b->om_slot, "/");
    if (rc >= 0) {
        rc = sd_bus_add_object_vtable(b->bus, &b->agent_slot, "/org/bluez",
                                      "org.bluez.AgentManager1", agent_vtable, b);
    }
    if (rc >= 0) {
        rc = sd_bus_match_signal(b->bus, NULL, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                 "org.freedesktop.DBus", "NameOwnerChanged",
                                 on_name_owner_changed, b);
    }
    if (rc >= 0) {
        rc = sim_ble_adapter_add(b);
    }
    if (rc < 0) {
        return fail(out, err, err_len, "cannot export the BlueZ objects", rc);
    }
    return 0;
}

void sim_ble_close(struct sim_ble *b)
{
    if (b == NULL) {
        return;
    }
    sim_ble_release(b, false);
    sim_ble_release(b, true);
    sd_bus_message_unref(b->pending_connect);
    /* Our slots hold references to the bus: they go first. */
    sd_bus_slot **slots[] = { &b->ccc_slot, &b->chr_slot, &b->svc_slot, &b->dev_slot,
                              &b->adapter_slot, &b->agent_slot, &b->om_slot };
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++) {
        *slots[i] = sd_bus_slot_unref(*slots[i]);
    }
    if (b->bus != NULL) {
        sd_bus_flush(b->bus);
        sd_bus_flush_close_unref(b->bus);
    }
    free(b);
}

size_t sim_ble_pollfds(const struct sim_ble *b, int fds[3], short events[3])
{
    size_t n = 0;
    int ev = sd_bus_get_events(b->bus);
    fds[n] = sd_bus_get_fd(b->bus);
    events[n++] = (short)(ev > 0 ? ev : POLLIN);
    if (b->write_fd >= 0) {
        fds[n] = b->write_fd;
        events[n++] = b->writes_held ? 0 : POLLIN;
    }
    if (b->notify_fd >= 0) {
        fds[n] = b->notify_fd;
        events[n++] = POLLIN;  /* the client never writes: this wakes when it closes its end */
    }
    return n;
}

uint64_t sim_ble_deadline_us(const struct sim_ble *b)
{
    uint64_t t = UINT64_MAX;
    if (sd_bus_get_timeout(b->bus, &t) < 0) {
        t = UINT64_MAX;
    }
    if (b->found_at_us != 0 && b->found_at_us < t) {
        t = b->found_at_us;
    }
    if (b->pending_connect != NULL && b->connect_deadline_us < t) {
        t = b->connect_deadline_us;
    }
    return t;
}

/* A notify socket the client closed (it stopped notifications that way). */
static void check_notify_socket(struct sim_ble *b)
{
    if (b->notify_fd < 0) {
        return;
    }
    struct pollfd p = { .fd = b->notify_fd, .events = POLLIN };
    if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR)) != 0) {
        sim_ble_release(b, true);
        return;
    }
    /* Bytes the client wrote anyway mean nothing: they go. */
    uint8_t junk[64];
    while (p.revents & POLLIN && recv(b->notify_fd, junk, sizeof junk, MSG_DONTWAIT) > 0) {
    }
}

int sim_ble_process(struct sim_ble *b, uint64_t now_us)
{
    sim_ble_acquired_input(b);
    check_notify_socket(b);
    sim_ble_adapter_tick(b, now_us);
    sim_ble_device_tick(b, now_us);
    int rc;
    while ((rc = sd_bus_process(b->bus, NULL)) > 0) {
    }
    return rc < 0 ? DFU_EIO : 0;
}

void sim_ble_hold_writes(struct sim_ble *b, bool hold)
{
    b->writes_held = hold;
}

int sim_ble_notify(struct sim_ble *b, const uint8_t *data, size_t len)
{
    if (!b->connected) {
        return DFU_EPERM;
    }
    if (len > sizeof b->value) {
        return DFU_EINVAL;
    }
    if (b->notify_fd >= 0) {
        ssize_t n = send(b->notify_fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
            sim_ble_release(b, true);
            return DFU_ENOENT;
        }
        return n == (ssize_t)len ? 0 : DFU_EIO;
    }
    if (!b->notifying) {
        return DFU_ENOENT;
    }
    memcpy(b->value, data, len);
    b->value_len = len;
    int rc = sd_bus_emit_properties_changed(b->bus, b->chr_path, "org.bluez.GattCharacteristic1",
                                            "Value", NULL);
    return rc < 0 ? DFU_EIO : 0;
}

void sim_ble_drop(struct sim_ble *b)
{
    sim_ble_disconnect(b, "link lost");
}

void sim_ble_set_advertising(struct sim_ble *b, bool on)
{
    b->advertising = on;
    if (on) {
        sim_ble_adapter_schedule(b);
        sim_ble_device_tick(b, sim_ble_now_us());
    }
}

bool sim_ble_connected(const struct sim_ble *b)
{
    return b->connected;
}

uint16_t sim_ble_mtu(const struct sim_ble *b)
{
    return b->cfg.mtu;
}

void sim_ble_central_address(const struct sim_ble *b, uint8_t out[6])
{
    memcpy(out, b->central, 6);
}
