/* Internals of devsim's BlueZ, shared by bus.c (connection, ObjectManager, AgentManager1),
 * adapter.c, device.c, gatt.c (the SMP service and characteristic) and acquire.c (the
 * AcquireWrite / AcquireNotify sockets). */
#ifndef DFUKIT_SIM_BLE_PRIV_H
#define DFUKIT_SIM_BLE_PRIV_H

#include <systemd/sd-bus.h>

#include "dfukit/ble_smp.h"
#include "dfukit/sim_ble.h"

#define BLUEZ_ERR "org.bluez.Error."
#define SIM_BLE_MAX_DISCOVERY 8     /* clients discovering at once */
/* Attribute handles of the SMP service and characteristic (as a Zephyr app lays them out). */
#define SIM_BLE_SVC_HANDLE 0x000a
#define SIM_BLE_CHR_HANDLE 0x000b
#define SIM_BLE_CCC_HANDLE 0x000d   /* its Client Characteristic Configuration descriptor */
/* How long BlueZ's LE Connect waits for the peripheral to advertise. */
#define SIM_BLE_CONNECT_TIMEOUT_US 5000000u

struct sim_ble {
    sd_bus *bus;
    struct sim_ble_config cfg;
    struct sim_ble_ops ops;
    void *arg;
    char name[64];
    uint8_t central[6];
    /* object paths, each its parent's plus one element */
    char adapter_path[32], dev_path[64], svc_path[96], chr_path[128], ccc_path[160];
    sd_bus_slot *om_slot, *agent_slot, *adapter_slot, *dev_slot, *svc_slot, *chr_slot, *ccc_slot;
    bool powered;
    char discovering[SIM_BLE_MAX_DISCOVERY][64];   /* unique names with a discovery session */
    size_t discovery_count;
    uint64_t found_at_us;           /* the next advertisement seen; 0: none due */
    bool advertising;               /* the peripheral's app is up and advertising */
    bool connected, resolved;
    sd_bus_message *pending_connect;  /* Connect waiting for an advertisement */
    uint64_t connect_deadline_us;
    /* the characteristic */
    uint8_t value[BLE_ATT_MTU_MAX];
    size_t value_len;
    bool notifying;                 /* StartNotify (not acquired) */
    int write_fd, notify_fd;        /* our ends of the acquired sockets, -1 when not */
    bool writes_held;
    uint8_t rxbuf[BLE_ATT_MTU_MAX + 1];
};

/* A property whose changes are signalled (PropertiesChanged). */
#define SIM_BLE_PROP(name, sig, get) \
    SD_BUS_PROPERTY(name, sig, get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE)

/* bus.c */
uint64_t sim_ble_now_us(void);
int sim_ble_reply_error(sd_bus_message *m, const char *name, const char *text);
/* The "type" option of a{sv} options ("" when absent); skips the others. */
int sim_ble_read_options(sd_bus_message *m, char *type, size_t type_len);
/* Lowercase path form of the address ("dev_AA_BB_..") and text form ("AA:BB:..."). */
void sim_ble_format_address(const uint8_t a[6], char sep, char *out, size_t len);

/* adapter.c */
int sim_ble_adapter_add(struct sim_ble *b);
int sim_ble_set_powered(struct sim_ble *b, bool on);
/* Discovery sees the next advertisement after found_after_ms (discovering and advertising). */
void sim_ble_adapter_schedule(struct sim_ble *b);
/* Due advertisements: the device object appears (or its RSSI changes). */
void sim_ble_adapter_tick(struct sim_ble *b, uint64_t now_us);
/* Discovery sessions end when their owner leaves the bus. */
void sim_ble_adapter_owner_gone(struct sim_ble *b, const char *name);

/* device.c */
int sim_ble_device_add(struct sim_ble *b);
void sim_ble_device_remove(struct sim_ble *b);
void sim_ble_disconnect(struct sim_ble *b, const char *why);
/* A pending Connect completes (the peripheral advertises) or times out. */
void sim_ble_device_tick(struct sim_ble *b, uint64_t now_us);
/* Fails a pending Connect (adapter off, device removed). */
void sim_ble_connect_abort(struct sim_ble *b, const char *name, const char *text);

/* gatt.c */
int sim_ble_gatt_add(struct sim_ble *b);
void sim_ble_gatt_remove(struct sim_ble *b);

/* acquire.c */
int sim_ble_acquire(struct sim_ble *b, sd_bus_message *m, bool notify);
void sim_ble_release(struct sim_ble *b, bool notify);
/* Reads what the acquired write socket holds (and notices a closed one). */
void sim_ble_acquired_input(struct sim_ble *b);

#endif
