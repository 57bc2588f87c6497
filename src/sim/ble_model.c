/* The Bluetooth LE link model (sim.h): connection events, packets per event, packet sizes with
 * and without data length extension, at the 1M PHY. */
#include "dfukit/ble_smp.h"
#include "dfukit/sim.h"

/* 1M PHY: 8 us a byte; a data packet is its payload plus preamble (1), access address (4),
 * header (2) and CRC (3); the peer's empty packet is 10 bytes; T_IFS is 150 us. */
#define PHY_BYTE_US 8u
#define PKT_OVERHEAD 10u
#define T_IFS_US 150u
#define L2CAP_HDR 4u

static uint32_t ll_payload(const struct sim_ble_link_model *m)
{
    return m->dle ? SIM_BLE_LL_PAYLOAD_DLE : SIM_BLE_LL_PAYLOAD;
}

uint32_t sim_ble_exchange_us(const struct sim_ble_link_model *m)
{
    return (ll_payload(m) + PKT_OVERHEAD) * PHY_BYTE_US + T_IFS_US + PKT_OVERHEAD * PHY_BYTE_US +
           T_IFS_US;
}

uint32_t sim_ble_pkts_per_event(const struct sim_ble_link_model *m)
{
    uint32_t fit = m->interval_us / sim_ble_exchange_us(m);
    uint32_t n = m->max_pkts < fit ? m->max_pkts : fit;
    return n > 0 ? n : 1;
}

uint32_t sim_ble_value_pkts(const struct sim_ble_link_model *m, size_t value_len)
{
    size_t bytes = value_len + BLE_ATT_HDR + L2CAP_HDR;
    return (uint32_t)((bytes + ll_payload(m) - 1) / ll_payload(m));
}

uint32_t sim_ble_ceiling_bps(const struct sim_ble_link_model *m)
{
    uint64_t value = ble_smp_frag_max(m->mtu);
    uint64_t pkts_per_s = (uint64_t)sim_ble_pkts_per_event(m) * 1000000u;
    uint64_t pkts_per_value = sim_ble_value_pkts(m, value);
    return (uint32_t)(pkts_per_s * value / ((uint64_t)m->interval_us * pkts_per_value));
}

uint32_t sim_ble_smp_ceiling_bps(const struct sim_ble_link_model *m, size_t pkt_len)
{
    if (pkt_len == 0) {
        return 0;
    }
    size_t full = ble_smp_frag_max(m->mtu);
    uint64_t pkts = (uint64_t)(pkt_len / full) * sim_ble_value_pkts(m, full);
    if (pkt_len % full != 0) {
        pkts += sim_ble_value_pkts(m, pkt_len % full);
    }
    uint64_t pkts_per_s = (uint64_t)sim_ble_pkts_per_event(m) * 1000000u;
    return (uint32_t)(pkts_per_s * pkt_len / ((uint64_t)m->interval_us * pkts));
}

void sim_ble_dir_start(struct sim_ble_dir *d, uint64_t anchor_us)
{
    *d = (struct sim_ble_dir){ .anchor_us = anchor_us };
}

uint64_t sim_ble_dir_send(const struct sim_ble_link_model *m, struct sim_ble_dir *d,
                          uint64_t now_us, size_t value_len)
{
    /* The first event that has not begun by now_us, unless the one in use still has room. */
    uint64_t next = now_us <= d->anchor_us
                        ? 0
                        : (now_us - d->anchor_us + m->interval_us - 1) / m->interval_us;
    uint32_t per_event = sim_ble_pkts_per_event(m);
    if (d->event < next || (d->event == next && d->used == 0)) {
        d->event = next;
        d->used = 0;
    }
    uint32_t need = sim_ble_value_pkts(m, value_len);
    while (need > 0) {
        if (d->used == per_event) {
            d->event++;
            d->used = 0;
        }
        uint32_t take = per_event - d->used < need ? per_event - d->used : need;
        d->used += take;
        need -= take;
    }
    return d->anchor_us + d->event * m->interval_us + (uint64_t)d->used * sim_ble_exchange_us(m);
}
