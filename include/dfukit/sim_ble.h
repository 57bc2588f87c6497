/* devsim's BlueZ: owns org.bluez on a D-Bus bus and exports what BlueZ 5.66 would for one
 * adapter (hci0) and one LE peripheral with the SMP service: the ObjectManager at /,
 * AgentManager1, Adapter1 (Powered, discovery), Device1 (appears on discovery; Connect,
 * Disconnect, ServicesResolved), GattService1 and GattCharacteristic1 (WriteValue, StartNotify /
 * StopNotify with PropertiesChanged on Value, AcquireWrite / AcquireNotify on SOCK_SEQPACKET
 * socket pairs, MTU). Errors are BlueZ's names and texts (doc/org.bluez.*.rst).
 *
 * Host code, no timing of its own: the caller polls its file descriptors, hands each write of
 * the client on through ops->write, and sends notifications when its link model says they
 * arrive. User guide: tools/devsim/README.md "Bluetooth LE". */
#ifndef DFUKIT_SIM_BLE_H
#define DFUKIT_SIM_BLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_ble_config {
    const char *bus_address;   /* D-Bus address; NULL: the system bus (DBUS_SYSTEM_BUS_ADDRESS) */
    const char *name;          /* the peripheral's advertised name */
    uint8_t address[6];        /* the peripheral's address, most significant byte first */
    uint16_t mtu;              /* ATT MTU the connection settles on (23..517) */
    bool powered;              /* the adapter's Powered at start */
    int16_t rssi;
    uint32_t found_after_ms;   /* first advertisement seen this long after StartDiscovery */
};

struct sim_ble_ops {
    /* The connection came up (Connect) or went down (Disconnect, drop, power off). */
    void (*link)(void *arg, bool up);
    /* One write without response of the client (WriteValue or the AcquireWrite socket). */
    void (*write)(void *arg, const uint8_t *data, size_t len);
};

struct sim_ble;

/* Connects to the bus and takes org.bluez. On failure err says why. */
int sim_ble_open(struct sim_ble **out, const struct sim_ble_config *cfg,
                 const struct sim_ble_ops *ops, void *arg, char *err, size_t err_len);
void sim_ble_close(struct sim_ble *b);

/* What to poll: up to 3 descriptors (the bus, then the acquired write and notify sockets) with
 * their events; returns how many. */
size_t sim_ble_pollfds(const struct sim_ble *b, int fds[3], short events[3]);
/* Absolute CLOCK_MONOTONIC microseconds at which sim_ble_process must run, UINT64_MAX: never. */
uint64_t sim_ble_deadline_us(const struct sim_ble *b);
/* Handles whatever is pending on the bus and the sockets, and due events. now_us is
 * CLOCK_MONOTONIC. Negative on a lost bus. */
int sim_ble_process(struct sim_ble *b, uint64_t now_us);
/* Stops or resumes reading the acquired write socket (the link's buffers are full). */
void sim_ble_hold_writes(struct sim_ble *b, bool hold);

/* One notification to the client: on the AcquireNotify socket when it holds one, else as
 * PropertiesChanged of Value while notifying. DFU_ENOENT when nobody subscribed, DFU_EPERM
 * when not connected. */
int sim_ble_notify(struct sim_ble *b, const uint8_t *data, size_t len);
/* The link is lost (supervision timeout): the client sees ServicesResolved and Connected go
 * false and the GATT objects go. */
void sim_ble_drop(struct sim_ble *b);
/* The peripheral's app is up (advertising, connectable) or not (booting, reset, recovery):
 * discovery sees it and a pending Connect completes only while it advertises. */
void sim_ble_set_advertising(struct sim_ble *b, bool on);
bool sim_ble_connected(const struct sim_ble *b);
uint16_t sim_ble_mtu(const struct sim_ble *b);
/* The central's (the adapter's) address, as the peripheral sees it. */
void sim_ble_central_address(const struct sim_ble *b, uint8_t out[6]);

/* "AA:BB:CC:DD:EE:FF" (either case) into out. DFU_EINVAL when malformed. */
int sim_ble_parse_address(const char *s, uint8_t out[6]);

#endif
