/* The device's end of SMP over BLE GATT (Zephyr's smp_bt): one characteristic, written without
 * response by the client and notified by the device. Writes are reassembled into SMP packets by
 * the header length when reassembly is on (CONFIG_MCUMGR_TRANSPORT_BT_REASSEMBLY); without it
 * every write must carry one whole packet. Responses go out in notifications of ATT_MTU - 3
 * bytes, each packet starting a new notification. Portable and heap-free; buffers are the
 * caller's. */
#ifndef DFUKIT_BLE_SMP_H
#define DFUKIT_BLE_SMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfukit/ble_reasm.h"
#include "dfukit/server.h"

/* The SMP service and characteristic (Zephyr smp_bt.c, mcumgr's documentation). */
#define BLE_SMP_SERVICE_UUID "8d53dc1d-1db7-4cd3-868b-8a527460aa84"
#define BLE_SMP_CHAR_UUID "da2e7828-fbce-4e01-ae9e-261174997c48"

/* The ATT MTU range of BLE (Core spec Vol 3 Part F 3.2.8; 517 with long attributes). */
#define BLE_ATT_MTU_MIN 23
#define BLE_ATT_MTU_MAX 517
/* ATT opcode + handle ahead of a write's or notification's value. */
#define BLE_ATT_HDR 3

struct ble_smp_rx {
    struct ble_reasm reasm;
    bool reassembly;
};

void ble_smp_rx_init(struct ble_smp_rx *rx, uint8_t *buf, size_t cap, bool reassembly);
/* The link went down: a partial packet is dropped. */
void ble_smp_rx_reset(struct ble_smp_rx *rx);
/* One write of the client. Returns the packet length (> 0) when a packet is complete (in the
 * buffer until the next call), 0 when more writes are expected, or an error (the partial packet
 * is dropped): those of ble_reasm_push, and without reassembly DFU_EBADMSG for a write that is
 * not exactly one packet. */
int ble_smp_rx_push(struct ble_smp_rx *rx, const uint8_t *frag, size_t n);

/* Value bytes one write or notification carries at this ATT MTU. */
size_t ble_smp_frag_max(uint16_t att_mtu);
/* Bytes of the next notification of a packet of pkt_len bytes of which off were sent. */
size_t ble_smp_next_frag(size_t pkt_len, size_t off, uint16_t att_mtu);
/* The server's identity of a BLE central (its 6-byte address, most significant first). */
void ble_smp_peer(const uint8_t addr[6], struct smp_peer *out);

#endif
