/* The SMP service (GattService1), characteristic (GattCharacteristic1) and its CCC descriptor
 * (GattDescriptor1) of the peripheral,
 * exported while connected (an unpaired device's attribute cache goes with the link, as
 * BlueZ does). Writes without response go to ops->write; notifications come from
 * sim_ble_notify as PropertiesChanged of Value. */
#include <stdio.h>
#include <string.h>

#include "ble_priv.h"

#define SVC_IFACE "org.bluez.GattService1"
#define CHR_IFACE "org.bluez.GattCharacteristic1"
#define DESC_IFACE "org.bluez.GattDescriptor1"
#define CCC_UUID "00002902-0000-1000-8000-00805f9b34fb"

static int emit(struct sim_ble *b, const char *prop)
{
    return sd_bus_emit_properties_changed(b->bus, b->chr_path, CHR_IFACE, prop, NULL);
}

static int not_connected(sd_bus_message *m)
{
    return sim_ble_reply_error(m, BLUEZ_ERR "Failed", "Not connected");
}

static int read_value(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    struct sim_ble *b = userdata;
    if (!b->connected) {
        return not_connected(m);
    }
    return sim_ble_reply_error(m, BLUEZ_ERR "NotPermitted", "Read not permitted");
}

static int write_value(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    struct sim_ble *b = userdata;
    const void *data = NULL;
    size_t len = 0;
    char type[16];
    if (sd_bus_message_read_array(m, 'y', &data, &len) < 0 ||
        sim_ble_read_options(m, type, sizeof type) < 0) {
        return sim_ble_reply_error(m, BLUEZ_ERR "InvalidArguments",
                                   "Invalid arguments in method call");
    }
    if (!b->connected) {
        return not_connected(m);
    }
    if (b->write_fd >= 0) {
        return sim_ble_reply_error(m, BLUEZ_ERR "NotPermitted", "Write acquired");
    }
    /* Only "write-without-response": a request (or a reliable write) is not supported. */
    if (type[0] != '\0' && strcmp(type, "command") != 0) {
        return sim_ble_reply_error(m, BLUEZ_ERR "NotSupported", "Operation is not supported");
    }
    if (len > ble_smp_frag_max(b->cfg.mtu)) {
        return sim_ble_reply_error(m, BLUEZ_ERR "InvalidValueLength", "Invalid Length");
    }
    int rc = sd_bus_reply_method_return(m, "");
    if (b->ops.write != NULL) {
        b->ops.write(b->arg, data, len);
    }
    return rc;
}

static int start_notify(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    struct sim_ble *b = userdata;
    if (!b->connected) {
        return not_connected(m);
    }
    if (b->notify_fd >= 0) {
        return sim_ble_reply_error(m, BLUEZ_ERR "NotPermitted", "Notify acquired");
    }
    int rc = sd_bus_reply_method_return(m, "");
    if (!b->notifying) {
        b->notifying = true;
        emit(b, "Notifying");
    }
    return rc;
}

static int stop_notify(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    struct sim_ble *b = userdata;
    if (!b->connected) {
        return not_connected(m);
    }
    if (!b->notifying) {
        return sim_ble_reply_error(m, BLUEZ_ERR "Failed", "No notify session started");
    }
    int rc = sd_bus_reply_method_return(m, "");
    b->notifying = false;
    emit(b, "Notifying");
    return rc;
}

static int acquire_write(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    return sim_ble_acquire(userdata, m, false);
}

static int acquire_notify(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    return sim_ble_acquire(userdata, m, true);
}

static int confirm(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    return sd_bus_reply_method_return(m, "");
}

/* The CCC descriptor reads as the notification state; BlueZ writes it itself (StartNotify),
 * never for a client. */
static int ccc_read(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    struct sim_ble *b = userdata;
    if (!b->connected) {
        return not_connected(m);
    }
    sd_bus_message *reply = NULL;
    const uint8_t v[2] = { b->notifying || b->notify_fd >= 0, 0 };
    int rc = sd_bus_message_new_method_return(m, &reply);
    if (rc >= 0) {
        rc = sd_bus_message_append_array(reply, 'y', v, sizeof v);
    }
    if (rc >= 0) {
        rc = sd_bus_send(NULL, reply, NULL);
    }
    sd_bus_message_unref(reply);
    return rc;
}

static int ccc_write(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    return sim_ble_reply_error(m, BLUEZ_ERR "NotPermitted", "Write not permitted");
}

/* ---- properties ---------------------------------------------------------------------- */

static int prop_path(sd_bus *bus, const char *path, const char *iface, const char *prop,
                     sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    struct sim_ble *b = userdata;
    const char *o = strcmp(prop, "Device") == 0           ? b->dev_path
                    : strcmp(prop, "Characteristic") == 0 ? b->chr_path
                                                          : b->svc_path;
    return sd_bus_message_append(reply, "o", o);
}

static int prop_uuid(sd_bus *bus, const char *path, const char *iface, const char *prop,
                     sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    const char *u = strcmp(iface, SVC_IFACE) == 0   ? BLE_SMP_SERVICE_UUID
                    : strcmp(iface, CHR_IFACE) == 0 ? BLE_SMP_CHAR_UUID
                                                    : CCC_UUID;
    return sd_bus_message_append(reply, "s", u);
}

static int prop_handle(sd_bus *bus, const char *path, const char *iface, const char *prop,
                       sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    uint16_t h = strcmp(iface, SVC_IFACE) == 0   ? SIM_BLE_SVC_HANDLE
                 : strcmp(iface, CHR_IFACE) == 0 ? SIM_BLE_CHR_HANDLE
                                                 : SIM_BLE_CCC_HANDLE;
    return sd_bus_message_append(reply, "q", h);
}

static int prop_primary(sd_bus *bus, const char *path, const char *iface, const char *prop,
                        sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    return sd_bus_message_append(reply, "b", 1);
}

static int prop_includes(sd_bus *bus, const char *path, const char *iface, const char *prop,
                         sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    return sd_bus_message_append(reply, "ao", 0);
}

static int prop_value(sd_bus *bus, const char *path, const char *iface, const char *prop,
                      sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    struct sim_ble *b = userdata;
    return sd_bus_message_append_array(reply, 'y', b->value, b->value_len);
}

static int prop_bool(sd_bus *bus, const char *path, const char *iface, const char *prop,
                     sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    struct sim_ble *b = userdata;
    int v = 0;
    if (strcmp(prop, "Notifying") == 0) {
        v = b->notifying || b->notify_fd >= 0;
    } else if (strcmp(prop, "WriteAcquired") == 0) {
        v = b->write_fd >= 0;
    } else if (strcmp(prop, "NotifyAcquired") == 0) {
        v = b->notify_fd >= 0;
    }
    return sd_bus_message_append(reply, "b", v);
}

static int prop_flags(sd_bus *bus, const char *path, const char *iface, const char *prop,
                      sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    if (strcmp(iface, DESC_IFACE) == 0) {
        return sd_bus_message_append(reply, "as", 2, "read", "write");
    }
    return sd_bus_message_append(reply, "as", 2, "write-without-response", "notify");
}

static int prop_ccc_value(sd_bus *bus, const char *path, const char *iface, const char *prop,
                          sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    return sd_bus_message_append_array(reply, 'y', NULL, 0);   /* not read yet, as BlueZ */
}

static int prop_mtu(sd_bus *bus, const char *path, const char *iface, const char *prop,
                    sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    struct sim_ble *b = userdata;
    return sd_bus_message_append(reply, "q", b->cfg.mtu);
}

#define CONST_PROP(name, sig, get) \
    SD_BUS_PROPERTY(name, sig, get, 0, SD_BUS_VTABLE_PROPERTY_CONST)

static const sd_bus_vtable svc_vtable[] = {
    SD_BUS_VTABLE_START(0),
    CONST_PROP("UUID", "s", prop_uuid),
    CONST_PROP("Device", "o", prop_path),
    CONST_PROP("Primary", "b", prop_primary),
    CONST_PROP("Includes", "ao", prop_includes),
    CONST_PROP("Handle", "q", prop_handle),
    SD_BUS_VTABLE_END,
};

static const sd_bus_vtable chr_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("ReadValue", "a{sv}", "ay", read_value, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("WriteValue", "aya{sv}", "", write_value, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("AcquireWrite", "a{sv}", "hq", acquire_write, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("AcquireNotify", "a{sv}", "hq", acquire_notify, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("StartNotify", "", "", start_notify, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("StopNotify", "", "", stop_notify, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Confirm", "", "", confirm, SD_BUS_VTABLE_UNPRIVILEGED),
    CONST_PROP("UUID", "s", prop_uuid),
    CONST_PROP("Service", "o", prop_path),
    SIM_BLE_PROP("Value", "ay", prop_value),
    SIM_BLE_PROP("Notifying", "b", prop_bool),
    CONST_PROP("Flags", "as", prop_flags),
    SIM_BLE_PROP("WriteAcquired", "b", prop_bool),
    SIM_BLE_PROP("NotifyAcquired", "b", prop_bool),
    SIM_BLE_PROP("MTU", "q", prop_mtu),
    CONST_PROP("Handle", "q", prop_handle),
    SD_BUS_VTABLE_END,
};

static const sd_bus_vtable ccc_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("ReadValue", "a{sv}", "ay", ccc_read, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("WriteValue", "aya{sv}", "", ccc_write, SD_BUS_VTABLE_UNPRIVILEGED),
    CONST_PROP("UUID", "s", prop_uuid),
    CONST_PROP("Characteristic", "o", prop_path),
    SIM_BLE_PROP("Value", "ay", prop_ccc_value),
    CONST_PROP("Flags", "as", prop_flags),
    CONST_PROP("Handle", "q", prop_handle),
    SD_BUS_VTABLE_END,
};

int sim_ble_gatt_add(struct sim_ble *b)
{
    snprintf(b->svc_path, sizeof b->svc_path, "%s/service%04x", b->dev_path, SIM_BLE_SVC_HANDLE);
    snprintf(b->chr_path, sizeof b->chr_path, "%s/char%04x", b->svc_path, SIM_BLE_CHR_HANDLE);
    snprintf(b->ccc_path, sizeof b->ccc_path, "%s/desc%04x", b->chr_path, SIM_BLE_CCC_HANDLE);
    b->value_len = 0;
    int rc = sd_bus_add_object_vtable(b->bus, &b->svc_slot, b->svc_path, SVC_IFACE, svc_vtable,
                                      b);
    if (rc >= 0) {
        rc = sd_bus_add_object_vtable(b->bus, &b->chr_slot, b->chr_path, CHR_IFACE, chr_vtable,
                                      b);
    }
    if (rc >= 0) {
        rc = sd_bus_add_object_vtable(b->bus, &b->ccc_slot, b->ccc_path, DESC_IFACE, ccc_vtable,
                                      b);
    }
    const char *paths[] = { b->svc_path, b->chr_path, b->ccc_path };
    for (size_t i = 0; i < 3 && rc >= 0; i++) {
        rc = sd_bus_emit_object_added(b->bus, paths[i]);
    }
    return rc;
}

void sim_ble_gatt_remove(struct sim_ble *b)
{
    /* children first */
    sd_bus_slot **slots[] = { &b->ccc_slot, &b->chr_slot, &b->svc_slot };
    const char *paths[] = { b->ccc_path, b->chr_path, b->svc_path };
    for (size_t i = 0; i < 3; i++) {
        if (*slots[i] != NULL) {
            sd_bus_emit_object_removed(b->bus, paths[i]);
            *slots[i] = sd_bus_slot_unref(*slots[i]);
        }
    }
}
