/* AcquireWrite / AcquireNotify: as BlueZ, a SOCK_SEQPACKET socket pair per direction, one
 * packet per ATT value; the client gets one end and the ATT MTU in the reply. Closing its end
 * releases the characteristic (WriteAcquired / NotifyAcquired false). */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ble_priv.h"

#define CHR_IFACE "org.bluez.GattCharacteristic1"

int sim_ble_acquire(struct sim_ble *b, sd_bus_message *m, bool notify)
{
    char type[16];
    if (sim_ble_read_options(m, type, sizeof type) < 0) {
        return sim_ble_reply_error(m, BLUEZ_ERR "InvalidArguments",
                                   "Invalid arguments in method call");
    }
    if (!b->connected) {
        return sim_ble_reply_error(m, BLUEZ_ERR "Failed", "Not connected");
    }
    int *mine = notify ? &b->notify_fd : &b->write_fd;
    if (*mine >= 0) {
        return sim_ble_reply_error(m, BLUEZ_ERR "NotPermitted",
                                   notify ? "Notify acquired" : "Write acquired");
    }
    if (notify && b->notifying) {
        return sim_ble_reply_error(m, BLUEZ_ERR "InProgress", "Operation already in progress");
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0) {
        return sim_ble_reply_error(m, BLUEZ_ERR "Failed", "Failed to create socket");
    }
    if (notify) {
        shutdown(sv[0], SHUT_RD);   /* BlueZ's end only sends notifications */
    }
    int rc = sd_bus_reply_method_return(m, "hq", sv[1], b->cfg.mtu);
    close(sv[1]);                   /* the reply holds its own copy */
    if (rc < 0) {
        close(sv[0]);
        return rc;
    }
    *mine = sv[0];
    sd_bus_emit_properties_changed(b->bus, b->chr_path, CHR_IFACE,
                                   notify ? "NotifyAcquired" : "WriteAcquired", NULL);
    if (notify) {
        sd_bus_emit_properties_changed(b->bus, b->chr_path, CHR_IFACE, "Notifying", NULL);
    }
    return rc;
}

void sim_ble_release(struct sim_ble *b, bool notify)
{
    int *mine = notify ? &b->notify_fd : &b->write_fd;
    if (*mine < 0) {
        return;
    }
    close(*mine);
    *mine = -1;
    if (b->chr_slot != NULL) {
        sd_bus_emit_properties_changed(b->bus, b->chr_path, CHR_IFACE,
                                       notify ? "NotifyAcquired" : "WriteAcquired", NULL);
        if (notify) {
            sd_bus_emit_properties_changed(b->bus, b->chr_path, CHR_IFACE, "Notifying", NULL);
        }
    }
}

void sim_ble_acquired_input(struct sim_ble *b)
{
    while (b->write_fd >= 0 && !b->writes_held) {
        ssize_t n = recv(b->write_fd, b->rxbuf, sizeof b->rxbuf, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            sim_ble_release(b, false);   /* the client closed its end */
            return;
        }
        if (n < 0) {
            return;
        }
        /* A value longer than the MTU allows would not go over the air: BlueZ drops it. */
        if ((size_t)n <= ble_smp_frag_max(b->cfg.mtu) && b->ops.write != NULL) {
            b->ops.write(b->arg, b->rxbuf, (size_t)n);
        }
    }
}
