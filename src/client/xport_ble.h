/* Internal: the BLE link's pieces. BlueZ's objects as the link reads them (xport_ble_props.c),
 * finding and connecting the peer (xport_ble_find.c), the guardian that disconnects it when
 * mcumgr ends without closing (xport_ble_guard.c), and the link itself (xport_ble.c). */
#ifndef CLIENT_XPORT_BLE_H
#define CLIENT_XPORT_BLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-bus.h>

#include "dfukit/client.h"

#define BLE_SMP_SERVICE "8d53dc1d-1db7-4cd3-868b-8a527460aa84"
#define BLE_SMP_CHAR "da2e7828-fbce-4e01-ae9e-261174997c48"
#define BLUEZ "org.bluez"

/* The largest ATT value (ATT_MTU 517 - 3) and a little room. */
#define BLE_VALUE_MAX 520
/* How long discovery looks for the peer without conn_timeout= in the connstring. */
#ifndef BLE_SCAN_TIMEOUT_MS
#define BLE_SCAN_TIMEOUT_MS 10000u
#endif
/* Connect and service resolution, each. */
#ifndef BLE_CONNECT_TIMEOUT_MS
#define BLE_CONNECT_TIMEOUT_MS 15000u
#endif
/* Reconnects after a drop before the link gives up. */
#ifndef BLE_RECONNECTS
#define BLE_RECONNECTS 3
#endif

/* Which properties a dictionary carried. */
enum {
    BLE_HAVE_NAME = 1u << 0,
    BLE_HAVE_ADDRESS = 1u << 1,
    BLE_HAVE_UUID = 1u << 2,
    BLE_HAVE_PARENT = 1u << 3,
    BLE_HAVE_POWERED = 1u << 4,
    BLE_HAVE_CONNECTED = 1u << 5,
    BLE_HAVE_RESOLVED = 1u << 6,
    BLE_HAVE_MTU = 1u << 7,
    BLE_HAVE_FLAGS = 1u << 8,
    BLE_HAVE_VALUE = 1u << 9,
    BLE_HAVE_WRITE_ACQUIRED = 1u << 10, /* the characteristic offers AcquireWrite */
    BLE_HAVE_NOTIFY_ACQUIRED = 1u << 11,
};

/* The properties of one interface that the link reads (a{sv}; others are skipped). */
struct ble_props {
    unsigned have;
    char name[128];
    char address[24];
    char uuid[40];       /* lower case */
    char parent[192];    /* Device1.Adapter, GattService1.Device, GattCharacteristic1.Service */
    bool powered, connected, resolved;
    bool write_nr, notify; /* Flags: write-without-response, notify */
    uint16_t mtu;
    size_t value_len;
    uint8_t value[BLE_VALUE_MAX];
};

/* Reads an a{sv} at the message's position into p (p->have says what came). */
int ble_read_props(sd_bus_message *m, struct ble_props *p);

/* Called for each interface of each object. */
typedef void (*ble_iface_fn)(void *arg, const char *path, const char *iface,
                             const struct ble_props *p);
/* Reads an a{sa{sv}} (an object's interfaces) at the message's position. */
int ble_read_ifaces(sd_bus_message *m, const char *path, ble_iface_fn fn, void *arg);
/* ObjectManager.GetManagedObjects of org.bluez; err is set on a D-Bus error. */
int ble_objects(sd_bus *bus, ble_iface_fn fn, void *arg, sd_bus_error *err);

/* The BlueZ objects one connection uses. */
struct ble_peer {
    sd_bus *bus;
    char label[140];          /* the peer's name or address, for messages */
    char adapter[64];         /* /org/bluez/hci0 */
    char dev[192];            /* its Device1 object */
    char chr[256];            /* the SMP characteristic */
    bool offers_acquire_write, offers_acquire_notify;
    uint16_t mtu;             /* ATT MTU from the MTU property, 0 if it has none */
};

/* A failed D-Bus call in words a user can act on; returns a dfu_err. what: "connect to ALICE". */
int ble_call_failed(const struct ble_peer *p, const sd_bus_error *e, int r, const char *what,
                    char *msg, size_t msg_len);
/* BlueZ refused: NotPermitted or NotAuthorized (pairing, or the characteristic is taken). */
bool ble_refused(const sd_bus_error *e);
/* Calls a method and waits for its reply up to timeout_ms. *reply may be NULL. */
int ble_call(sd_bus *bus, const char *path, const char *iface, const char *member,
             uint32_t timeout_ms, sd_bus_error *err, sd_bus_message **reply, const char *types,
             ...);

/* The adapter (ctlr_name=, hci0 by default) exists and is powered. */
int ble_find_adapter(struct ble_peer *p, const struct client_conn *conn, char *msg,
                     size_t msg_len);
/* Discovers the peer by peer_name= or peer_id= within conn_timeout= (or BLE_SCAN_TIMEOUT_MS). */
int ble_discover(struct ble_peer *p, const struct client_conn *conn, char *msg, size_t msg_len);
/* Connects, waits for ServicesResolved, and finds the SMP characteristic. */
int ble_connect(struct ble_peer *p, char *msg, size_t msg_len);
/* Is the device still connected? Reads Device1.Connected. */
bool ble_connected(struct ble_peer *p);
void ble_disconnect(struct ble_peer *p);

/* Starts a process that disconnects dev when mcumgr ends without ble_guard_release() (Ctrl-C,
 * a crash): BlueZ keeps a connection up after the program that asked for it has gone. The
 * returned fd is the guardian's lifeline; -1 when it could not start (the link works without). */
int ble_guard_start(const char *dev, pid_t *pid);
/* The link closed cleanly: the guardian ends without doing anything. */
void ble_guard_release(int fd, pid_t pid);

#endif
