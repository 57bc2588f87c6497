/* org.bluez.Device1 of the one peripheral (/org/bluez/hci0/dev_AA_BB_CC_DD_EE_FF): it appears
 * when discovery sees it, connects (the SMP GATT objects appear, then ServicesResolved) and
 * disconnects on request, on a link drop or when the adapter powers off. */
#include <stdio.h>
#include <string.h>

#include "ble_priv.h"

#define DEVICE_IFACE "org.bluez.Device1"

static int emit(struct sim_ble *b, const char *prop)
{
    return sd_bus_emit_properties_changed(b->bus, b->dev_path, DEVICE_IFACE, prop, NULL);
}

void sim_ble_disconnect(struct sim_ble *b, const char *why)
{
    if (!b->connected) {
        return;
    }
    sim_ble_release(b, false);
    sim_ble_release(b, true);
    b->notifying = false;
    b->resolved = false;
    emit(b, "ServicesResolved");
    b->connected = false;
    emit(b, "Connected");
    sim_ble_gatt_remove(b);
    if (b->ops.link != NULL) {
        b->ops.link(b->arg, false);
    }
}

/* The connection comes up: Connected, the reply, then service discovery (the objects, then
 * ServicesResolved). */
static int link_up(struct sim_ble *b, sd_bus_message *m)
{
    b->connected = true;
    emit(b, "Connected");
    if (b->ops.link != NULL) {
        b->ops.link(b->arg, true);
    }
    int rc = sd_bus_reply_method_return(m, "");
    if (sim_ble_gatt_add(b) >= 0) {
        b->resolved = true;
        emit(b, "ServicesResolved");
    }
    return rc;
}

void sim_ble_connect_abort(struct sim_ble *b, const char *name, const char *text)
{
    if (b->pending_connect != NULL) {
        sim_ble_reply_error(b->pending_connect, name, text);
        b->pending_connect = sd_bus_message_unref(b->pending_connect);
    }
}

void sim_ble_device_tick(struct sim_ble *b, uint64_t now_us)
{
    if (b->pending_connect == NULL) {
        return;
    }
    if (b->advertising) {
        sd_bus_message *m = b->pending_connect;
        b->pending_connect = NULL;
        link_up(b, m);
        sd_bus_message_unref(m);
    } else if (now_us >= b->connect_deadline_us) {
        sim_ble_connect_abort(b, BLUEZ_ERR "Failed", "Software caused connection abort");
    }
}

/* An LE connection is made when the peripheral next advertises: at once while it does, else
 * once its app is up again, or the attempt times out. */
static int dev_connect(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    struct sim_ble *b = userdata;
    if (!b->powered) {
        return sim_ble_reply_error(m, BLUEZ_ERR "NotReady", "Resource Not Ready");
    }
    if (b->connected) {
        return sd_bus_reply_method_return(m, "");
    }
    if (b->pending_connect != NULL) {
        return sim_ble_reply_error(m, BLUEZ_ERR "InProgress", "In Progress");
    }
    if (b->advertising) {
        return link_up(b, m);
    }
    b->pending_connect = sd_bus_message_ref(m);
    b->connect_deadline_us = sim_ble_now_us() + SIM_BLE_CONNECT_TIMEOUT_US;
    return 1;
}

static int dev_disconnect(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    struct sim_ble *b = userdata;
    if (b->pending_connect != NULL) {
        /* Disconnect cancels a connection attempt. */
        sim_ble_connect_abort(b, BLUEZ_ERR "Failed", "Operation aborted");
        return sd_bus_reply_method_return(m, "");
    }
    if (!b->connected) {
        return sim_ble_reply_error(m, BLUEZ_ERR "NotConnected", "Not Connected");
    }
    int rc = sd_bus_reply_method_return(m, "");
    sim_ble_disconnect(b, "disconnect requested");
    return rc;
}

/* The SMP characteristic needs no security: pairing is not offered. */
static int dev_not_supported(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    return sim_ble_reply_error(m, BLUEZ_ERR "NotSupported", "Operation is not supported");
}

static int prop_string(sd_bus *bus, const char *path, const char *iface, const char *prop,
                       sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    struct sim_ble *b = userdata;
    if (strcmp(prop, "Address") == 0) {
        char text[18];
        sim_ble_format_address(b->cfg.address, ':', text, sizeof text);
        return sd_bus_message_append(reply, "s", text);
    }
    if (strcmp(prop, "AddressType") == 0) {
        return sd_bus_message_append(reply, "s", "public");
    }
    return sd_bus_message_append(reply, "s", b->name);   /* Name, Alias */
}

static int prop_bool(sd_bus *bus, const char *path, const char *iface, const char *prop,
                     sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    struct sim_ble *b = userdata;
    int v = 0;
    if (strcmp(prop, "Connected") == 0) {
        v = b->connected;
    } else if (strcmp(prop, "ServicesResolved") == 0) {
        v = b->resolved;
    }
    return sd_bus_message_append(reply, "b", v);
}

static int prop_rssi(sd_bus *bus, const char *path, const char *iface, const char *prop,
                     sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    struct sim_ble *b = userdata;
    return sd_bus_message_append(reply, "n", b->cfg.rssi);
}

static int prop_uuids(sd_bus *bus, const char *path, const char *iface, const char *prop,
                      sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    return sd_bus_message_append(reply, "as", 1, BLE_SMP_SERVICE_UUID);
}

static int prop_adapter(sd_bus *bus, const char *path, const char *iface, const char *prop,
                        sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    struct sim_ble *b = userdata;
    return sd_bus_message_append(reply, "o", b->adapter_path);
}

/* Advertising data carries no manufacturer or service data. */
static int prop_empty_dict(sd_bus *bus, const char *path, const char *iface, const char *prop,
                           sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    return sd_bus_message_append(reply, strcmp(prop, "ManufacturerData") == 0 ? "a{qv}" : "a{sv}",
                                 0);
}


static const sd_bus_vtable device_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("Connect", "", "", dev_connect, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Disconnect", "", "", dev_disconnect, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("ConnectProfile", "s", "", dev_not_supported, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("DisconnectProfile", "s", "", dev_not_supported, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Pair", "", "", dev_not_supported, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("CancelPairing", "", "", dev_not_supported, SD_BUS_VTABLE_UNPRIVILEGED),
    SIM_BLE_PROP("Address", "s", prop_string),
    SIM_BLE_PROP("AddressType", "s", prop_string),
    SIM_BLE_PROP("Name", "s", prop_string),
    SIM_BLE_PROP("Alias", "s", prop_string),
    SIM_BLE_PROP("Paired", "b", prop_bool),
    SIM_BLE_PROP("Bonded", "b", prop_bool),
    SIM_BLE_PROP("Trusted", "b", prop_bool),
    SIM_BLE_PROP("Blocked", "b", prop_bool),
    SIM_BLE_PROP("LegacyPairing", "b", prop_bool),
    SIM_BLE_PROP("RSSI", "n", prop_rssi),
    SIM_BLE_PROP("Connected", "b", prop_bool),
    SIM_BLE_PROP("UUIDs", "as", prop_uuids),
    SIM_BLE_PROP("Adapter", "o", prop_adapter),
    SIM_BLE_PROP("ManufacturerData", "a{qv}", prop_empty_dict),
    SIM_BLE_PROP("ServiceData", "a{sv}", prop_empty_dict),
    SIM_BLE_PROP("ServicesResolved", "b", prop_bool),
    SD_BUS_VTABLE_END,
};

int sim_ble_device_add(struct sim_ble *b)
{
    char tail[18];
    sim_ble_format_address(b->cfg.address, '_', tail, sizeof tail);
    snprintf(b->dev_path, sizeof b->dev_path, "%s/dev_%s", b->adapter_path, tail);
    int rc = sd_bus_add_object_vtable(b->bus, &b->dev_slot, b->dev_path, DEVICE_IFACE,
                                      device_vtable, b);
    if (rc >= 0) {
        rc = sd_bus_emit_object_added(b->bus, b->dev_path);
    }
    return rc;
}

void sim_ble_device_remove(struct sim_ble *b)
{
    if (b->dev_slot == NULL) {
        return;
    }
    sd_bus_emit_object_removed(b->bus, b->dev_path);
    b->dev_slot = sd_bus_slot_unref(b->dev_slot);
}
