/* SMP over BLE GATT, device side (Zephyr smp_bt.c): writes in, notifications out. */
#include "dfukit/ble_smp.h"
#include "dfukit/bytes.h"
#include "dfukit/err.h"
#include "dfukit/smp.h"

void ble_smp_rx_init(struct ble_smp_rx *rx, uint8_t *buf, size_t cap, bool reassembly)
{
    ble_reasm_init(&rx->reasm, buf, cap);
    rx->reassembly = reassembly;
}

void ble_smp_rx_reset(struct ble_smp_rx *rx)
{
    ble_reasm_reset(&rx->reasm);
}

int ble_smp_rx_push(struct ble_smp_rx *rx, const uint8_t *frag, size_t n)
{
    if (!rx->reassembly) {
        /* Without reassembly the write is the SMP buffer: a packet that does not end with it
         * cannot be parsed, and is dropped as Zephyr's SMP layer drops it. */
        ble_reasm_reset(&rx->reasm);
        if (n < SMP_HDR_SIZE || SMP_HDR_SIZE + (size_t)load16_be(frag + 2) != n) {
            return DFU_EBADMSG;
        }
    }
    return ble_reasm_push(&rx->reasm, frag, n);
}

size_t ble_smp_frag_max(uint16_t att_mtu)
{
    if (att_mtu < BLE_ATT_MTU_MIN) {
        att_mtu = BLE_ATT_MTU_MIN;
    }
    return (size_t)att_mtu - BLE_ATT_HDR;
}

size_t ble_smp_next_frag(size_t pkt_len, size_t off, uint16_t att_mtu)
{
    if (off >= pkt_len) {
        return 0;
    }
    size_t left = pkt_len - off;
    size_t max = ble_smp_frag_max(att_mtu);
    return left < max ? left : max;
}

void ble_smp_peer(const uint8_t addr[6], struct smp_peer *out)
{
    *out = (struct smp_peer){ .link = SMP_PEER_BLE, .addr_len = 6 };
    for (size_t i = 0; i < 6; i++) {
        out->addr[i] = addr[i];
    }
}
