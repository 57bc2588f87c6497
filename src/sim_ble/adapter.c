/* org.bluez.Adapter1 at /org/bluez/hci0: Powered, discovery sessions per client (the device
 * object appears with the first advertisement after StartDiscovery), RemoveDevice. */
#include <stdio.h>
#include <string.h>

#include "ble_priv.h"

#define ADAPTER_IFACE "org.bluez.Adapter1"

static bool discovering(const struct sim_ble *b)
{
    return b->discovery_count > 0;
}

static int emit(struct sim_ble *b, const char *prop)
{
    return sd_bus_emit_properties_changed(b->bus, b->adapter_path, ADAPTER_IFACE, prop, NULL);
}

static int find_session(const struct sim_ble *b, const char *sender)
{
    for (size_t i = 0; i < b->discovery_count; i++) {
        if (strcmp(b->discovering[i], sender) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static void end_session(struct sim_ble *b, size_t i)
{
    memmove(b->discovering[i], b->discovering[i + 1],
            (b->discovery_count - i - 1) * sizeof b->discovering[0]);
    b->discovery_count--;
    if (!discovering(b)) {
        b->found_at_us = 0;
        emit(b, "Discovering");
    }
}

void sim_ble_adapter_owner_gone(struct sim_ble *b, const char *name)
{
    int i = find_session(b, name);
    if (i >= 0) {
        end_session(b, (size_t)i);
    }
}

static int start_discovery(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    struct sim_ble *b = userdata;
    const char *sender = sd_bus_message_get_sender(m);
    if (!b->powered) {
        return sim_ble_reply_error(m, BLUEZ_ERR "NotReady", "Resource Not Ready");
    }
    if (sender == NULL || find_session(b, sender) >= 0) {
        return sim_ble_reply_error(m, BLUEZ_ERR "InProgress", "Operation already in progress");
    }
    if (b->discovery_count == SIM_BLE_MAX_DISCOVERY) {
        return sim_ble_reply_error(m, BLUEZ_ERR "Failed", "No resources");
    }
    snprintf(b->discovering[b->discovery_count++], sizeof b->discovering[0], "%s", sender);
    int rc = sd_bus_reply_method_return(m, "");
    if (b->discovery_count == 1) {
        emit(b, "Discovering");
        sim_ble_adapter_schedule(b);
    }
    return rc;
}

static int stop_discovery(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    struct sim_ble *b = userdata;
    const char *sender = sd_bus_message_get_sender(m);
    int i = sender ? find_session(b, sender) : -1;
    if (!b->powered) {
        return sim_ble_reply_error(m, BLUEZ_ERR "NotReady", "Resource Not Ready");
    }
    if (i < 0) {
        return sim_ble_reply_error(m, BLUEZ_ERR "Failed", "No discovery started");
    }
    int rc = sd_bus_reply_method_return(m, "");
    end_session(b, (size_t)i);
    return rc;
}

/* The filter is taken (bleak sets Transport "le" and DuplicateData); the one peripheral is an
 * LE device, so every filter lets it through. */
static int set_discovery_filter(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    struct sim_ble *b = userdata;
    if (!b->powered) {
        return sim_ble_reply_error(m, BLUEZ_ERR "NotReady", "Resource Not Ready");
    }
    int rc = sd_bus_message_skip(m, "a{sv}");
    if (rc < 0) {
        return sim_ble_reply_error(m, BLUEZ_ERR "InvalidArguments",
                                   "Invalid arguments in method call");
    }
    return sd_bus_reply_method_return(m, "");
}

static int get_discovery_filters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    return sd_bus_reply_method_return(m, "as", 6, "UUIDs", "RSSI", "Pathloss", "Transport",
                                      "DuplicateData", "Discoverable");
}

static int remove_device(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    struct sim_ble *b = userdata;
    const char *path = NULL;
    if (sd_bus_message_read(m, "o", &path) < 0) {
        return sim_ble_reply_error(m, BLUEZ_ERR "InvalidArguments",
                                   "Invalid arguments in method call");
    }
    if (b->dev_slot == NULL || strcmp(path, b->dev_path) != 0) {
        return sim_ble_reply_error(m, BLUEZ_ERR "DoesNotExist", "Does Not Exist");
    }
    sim_ble_connect_abort(b, BLUEZ_ERR "Failed", "Operation aborted");
    sim_ble_disconnect(b, "device removed");
    sim_ble_device_remove(b);
    return sd_bus_reply_method_return(m, "");
}

int sim_ble_set_powered(struct sim_ble *b, bool on)
{
    if (b->powered == on) {
        return 0;
    }
    if (!on) {
        sim_ble_connect_abort(b, BLUEZ_ERR "Failed", "Adapter powered off");
        sim_ble_disconnect(b, "adapter powered off");
        bool was = discovering(b);
        b->discovery_count = 0;
        b->found_at_us = 0;
        if (was) {
            emit(b, "Discovering");
        }
    }
    b->powered = on;
    emit(b, "PowerState");
    return emit(b, "Powered");
}

void sim_ble_adapter_schedule(struct sim_ble *b)
{
    if (discovering(b) && b->advertising && b->found_at_us == 0) {
        b->found_at_us = sim_ble_now_us() + (uint64_t)b->cfg.found_after_ms * 1000u;
    }
}

void sim_ble_adapter_tick(struct sim_ble *b, uint64_t now)
{
    if (b->found_at_us == 0 || now < b->found_at_us) {
        return;
    }
    b->found_at_us = 0;
    if (!b->powered || !discovering(b) || !b->advertising || b->connected) {
        return;  /* a connected peripheral stops advertising */
    }
    if (b->dev_slot == NULL) {
        sim_ble_device_add(b);
    } else {
        sd_bus_emit_properties_changed(b->bus, b->dev_path, "org.bluez.Device1", "RSSI", NULL);
    }
}

/* ---- properties ---------------------------------------------------------------------- */

static int prop_address(sd_bus *bus, const char *path, const char *iface, const char *prop,
                        sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    struct sim_ble *b = userdata;
    char text[18];
    sim_ble_format_address(b->central, ':', text, sizeof text);
    return sd_bus_message_append(reply, "s", text);
}

static int prop_string(sd_bus *bus, const char *path, const char *iface, const char *prop,
                       sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    struct sim_ble *b = userdata;
    const char *v = "";
    if (strcmp(prop, "AddressType") == 0) {
        v = "public";
    } else if (strcmp(prop, "Name") == 0 || strcmp(prop, "Alias") == 0) {
        v = "devsim";
    } else if (strcmp(prop, "Modalias") == 0) {
        v = "usb:v1D6Bp0246d0542";   /* BlueZ 5.66's own */
    } else if (strcmp(prop, "PowerState") == 0) {
        v = b->powered ? "on" : "off";
    }
    return sd_bus_message_append(reply, "s", v);
}

static int prop_bool(sd_bus *bus, const char *path, const char *iface, const char *prop,
                     sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    struct sim_ble *b = userdata;
    int v = 0;
    if (strcmp(prop, "Powered") == 0) {
        v = b->powered;
    } else if (strcmp(prop, "Discovering") == 0) {
        v = discovering(b);
    } else if (strcmp(prop, "Pairable") == 0) {
        v = 1;
    }
    return sd_bus_message_append(reply, "b", v);
}

static int prop_u32(sd_bus *bus, const char *path, const char *iface, const char *prop,
                    sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    uint32_t v = strcmp(prop, "DiscoverableTimeout") == 0 ? 180 : 0;
    return sd_bus_message_append(reply, "u", v);
}

static int prop_uuids(sd_bus *bus, const char *path, const char *iface, const char *prop,
                      sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    /* GAP, GATT, Device Information: what BlueZ itself serves. */
    return sd_bus_message_append(reply, "as", 3, "00001800-0000-1000-8000-00805f9b34fb",
                                 "00001801-0000-1000-8000-00805f9b34fb",
                                 "0000180a-0000-1000-8000-00805f9b34fb");
}

static int prop_roles(sd_bus *bus, const char *path, const char *iface, const char *prop,
                      sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    return sd_bus_message_append(reply, "as", 2, "central", "peripheral");
}

static int set_powered(sd_bus *bus, const char *path, const char *iface, const char *prop,
                       sd_bus_message *value, void *userdata, sd_bus_error *err)
{
    int on = 0;
    int rc = sd_bus_message_read(value, "b", &on);
    if (rc < 0) {
        return rc;
    }
    return sim_ble_set_powered(userdata, on != 0);
}


static const sd_bus_vtable adapter_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("StartDiscovery", "", "", start_discovery, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("StopDiscovery", "", "", stop_discovery, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("RemoveDevice", "o", "", remove_device, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("SetDiscoveryFilter", "a{sv}", "", set_discovery_filter,
                  SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("GetDiscoveryFilters", "", "as", get_discovery_filters,
                  SD_BUS_VTABLE_UNPRIVILEGED),
    SIM_BLE_PROP("Address", "s", prop_address),
    SIM_BLE_PROP("AddressType", "s", prop_string),
    SIM_BLE_PROP("Name", "s", prop_string),
    SIM_BLE_PROP("Alias", "s", prop_string),
    SIM_BLE_PROP("Class", "u", prop_u32),
    SD_BUS_WRITABLE_PROPERTY("Powered", "b", prop_bool, set_powered, 0,
                             SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE | SD_BUS_VTABLE_UNPRIVILEGED),
    SIM_BLE_PROP("PowerState", "s", prop_string),
    SIM_BLE_PROP("Discoverable", "b", prop_bool),
    SIM_BLE_PROP("DiscoverableTimeout", "u", prop_u32),
    SIM_BLE_PROP("Pairable", "b", prop_bool),
    SIM_BLE_PROP("PairableTimeout", "u", prop_u32),
    SIM_BLE_PROP("Discovering", "b", prop_bool),
    SIM_BLE_PROP("UUIDs", "as", prop_uuids),
    SIM_BLE_PROP("Modalias", "s", prop_string),
    SIM_BLE_PROP("Roles", "as", prop_roles),
    SD_BUS_VTABLE_END,
};

int sim_ble_adapter_add(struct sim_ble *b)
{
    snprintf(b->adapter_path, sizeof b->adapter_path, "/org/bluez/hci0");
    return sd_bus_add_object_vtable(b->bus, &b->adapter_slot, b->adapter_path, ADAPTER_IFACE,
                                    adapter_vtable, b);
}
