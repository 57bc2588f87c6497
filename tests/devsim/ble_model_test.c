/* The BLE link model: packet exchange time, packets per event, the ceiling, and the booking of
 * values onto connection events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dfukit/sim.h"

static struct sim_ble_link_model model(uint16_t mtu, uint32_t interval_us, bool dle)
{
    return (struct sim_ble_link_model){ .mtu = mtu, .interval_us = interval_us, .dle = dle,
                                        .max_pkts = 6 };
}

static void exchange_and_packets_per_event(void **state)
{
    struct sim_ble_link_model dle = model(247, 7500, true), plain = model(247, 7500, false);
    /* (251 + 10) bytes at 8 us, T_IFS, the empty packet, T_IFS */
    assert_int_equal(sim_ble_exchange_us(&dle), 2468);
    assert_int_equal(sim_ble_exchange_us(&plain), 676);
    assert_int_equal(sim_ble_pkts_per_event(&dle), 3);      /* 7.5 ms holds three */
    assert_int_equal(sim_ble_pkts_per_event(&plain), 6);    /* the controller's cap */
    struct sim_ble_link_model slow = model(247, 30000, true);
    assert_int_equal(sim_ble_pkts_per_event(&slow), 6);
    /* a value of MTU - 3 bytes: 251 bytes of packets */
    assert_int_equal(sim_ble_value_pkts(&dle, 244), 1);
    assert_int_equal(sim_ble_value_pkts(&plain, 244), 10);
    assert_int_equal(sim_ble_value_pkts(&dle, 495), 2);
    assert_int_equal(sim_ble_value_pkts(&plain, 20), 1);
}

static void ceiling(void **state)
{
    struct sim_ble_link_model m = model(247, 30000, true);
    assert_int_equal(sim_ble_ceiling_bps(&m), 48800);      /* 6 x 244 B per 30 ms */
    m = model(498, 7500, true);
    assert_int_equal(sim_ble_ceiling_bps(&m), 99000);      /* 3 packets, 2 a value of 495 B */
    m = model(247, 7500, false);
    assert_int_equal(sim_ble_ceiling_bps(&m), 19520);      /* 6 of 10 packets of 244 B */
    m = model(23, 30000, false);
    assert_int_equal(sim_ble_ceiling_bps(&m), 4000);       /* 6 x 20 B per 30 ms */
}

/* SMP packets split into MTU - 3 writes: the short last write costs whole link packets. */
static void smp_packet_ceiling(void **state)
{
    struct sim_ble_link_model m = model(247, 30000, true);
    /* 384 = 244 + 140: two link packets a packet, 6 per 30 ms */
    assert_int_equal(sim_ble_smp_ceiling_bps(&m, 384), 38400);
    assert_int_equal(sim_ble_smp_ceiling_bps(&m, 244), sim_ble_ceiling_bps(&m));
    m = model(498, 7500, true);
    /* one write of 384: 391 bytes, two link packets; 3 per 7.5 ms */
    assert_int_equal(sim_ble_smp_ceiling_bps(&m, 384), 76800);
    m = model(23, 30000, false);
    /* 384 = 19 x 20 + 4: 20 link packets */
    assert_int_equal(sim_ble_smp_ceiling_bps(&m, 384), 3840);
    assert_int_equal(sim_ble_smp_ceiling_bps(&m, 0), 0);
}

static void values_are_booked_onto_events(void **state)
{
    struct sim_ble_link_model m = model(247, 30000, true);
    struct sim_ble_dir d;
    sim_ble_dir_start(&d, 1000);
    /* six values fill event 0; the seventh goes to event 1 */
    for (uint32_t i = 1; i <= 6; i++) {
        assert_int_equal(sim_ble_dir_send(&m, &d, 1000, 244), 1000 + i * 2468);
    }
    assert_int_equal(sim_ble_dir_send(&m, &d, 1000, 244), 1000 + 30000 + 2468);
    /* after a pause the next event that has not begun is used */
    assert_int_equal(sim_ble_dir_send(&m, &d, 40000, 20), 1000 + 60000 + 2468);
    /* a value spread over two events ends in the second */
    struct sim_ble_link_model plain = model(247, 30000, false);
    sim_ble_dir_start(&d, 0);
    assert_int_equal(sim_ble_dir_send(&plain, &d, 0, 244), 30000 + 4 * 676);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exchange_and_packets_per_event),
        cmocka_unit_test(ceiling),
        cmocka_unit_test(smp_packet_ceiling),
        cmocka_unit_test(values_are_booked_onto_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
