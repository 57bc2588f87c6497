/* SMP over BLE GATT, device side: reassembly on and off, notification sizes, the peer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/ble_smp.h"
#include "dfukit/err.h"

/* An SMP packet of 8 + body bytes. */
static size_t packet(uint8_t *out, size_t body)
{
    const uint8_t hdr[8] = { 0x02, 0x00, (uint8_t)(body >> 8), (uint8_t)body, 0x00, 0x01, 0x05,
                             0x01 };
    memcpy(out, hdr, 8);
    for (size_t i = 0; i < body; i++) {
        out[8 + i] = (uint8_t)(i * 7 + 1);
    }
    return 8 + body;
}

static void reassembles_writes_of_mtu_minus_3(void **state)
{
    static const uint16_t mtus[] = { 23, 247, 498 };
    uint8_t pkt[380], buf[384];
    size_t len = packet(pkt, 372);
    for (size_t m = 0; m < 3; m++) {
        struct ble_smp_rx rx;
        ble_smp_rx_init(&rx, buf, sizeof buf, true);
        size_t piece = ble_smp_frag_max(mtus[m]);
        int rc = 0;
        size_t writes = 0;
        for (size_t off = 0; off < len; off += piece, writes++) {
            size_t n = len - off < piece ? len - off : piece;
            rc = ble_smp_rx_push(&rx, pkt + off, n);
            if (off + n < len) {
                assert_int_equal(rc, 0);
            }
        }
        assert_int_equal(rc, (int)len);
        assert_memory_equal(buf, pkt, len);
        assert_int_equal(writes, (len + piece - 1) / piece);
    }
}

static void without_reassembly_a_write_is_one_packet(void **state)
{
    uint8_t pkt[120], buf[384];
    size_t len = packet(pkt, 100);
    struct ble_smp_rx rx;
    ble_smp_rx_init(&rx, buf, sizeof buf, false);
    assert_int_equal(ble_smp_rx_push(&rx, pkt, len), (int)len);
    assert_memory_equal(buf, pkt, len);
    /* a first piece, then the rest: both dropped */
    assert_int_equal(ble_smp_rx_push(&rx, pkt, 20), DFU_EBADMSG);
    assert_int_equal(ble_smp_rx_push(&rx, pkt + 20, len - 20), DFU_EBADMSG);
    /* shorter than a header, and a packet followed by more bytes */
    assert_int_equal(ble_smp_rx_push(&rx, pkt, 5), DFU_EBADMSG);
    uint8_t two[240];
    memcpy(two, pkt, len);
    memcpy(two + len, pkt, len);
    assert_int_equal(ble_smp_rx_push(&rx, two, 2 * len), DFU_EBADMSG);
    /* still takes the next whole one */
    assert_int_equal(ble_smp_rx_push(&rx, pkt, len), (int)len);
}

static void a_packet_larger_than_the_buffer_is_refused(void **state)
{
    uint8_t pkt[300], buf[128];
    packet(pkt, 200);
    struct ble_smp_rx rx;
    ble_smp_rx_init(&rx, buf, sizeof buf, true);
    assert_int_equal(ble_smp_rx_push(&rx, pkt, 20), DFU_ENOSPC);
}

static void reset_drops_a_partial_packet(void **state)
{
    uint8_t pkt[120], buf[384];
    size_t len = packet(pkt, 100);
    struct ble_smp_rx rx;
    ble_smp_rx_init(&rx, buf, sizeof buf, true);
    assert_int_equal(ble_smp_rx_push(&rx, pkt, 20), 0);
    ble_smp_rx_reset(&rx);
    assert_int_equal(ble_smp_rx_push(&rx, pkt, 20), 0);  /* a new first fragment */
    assert_int_equal(ble_smp_rx_push(&rx, pkt + 20, len - 20), (int)len);
}

static void notifications_are_mtu_minus_3(void **state)
{
    assert_int_equal(ble_smp_frag_max(23), 20);
    assert_int_equal(ble_smp_frag_max(247), 244);
    assert_int_equal(ble_smp_frag_max(517), 514);
    assert_int_equal(ble_smp_frag_max(0), 20);   /* below the minimum: the minimum */
    /* 250 bytes at MTU 23: twelve of 20, then 10 */
    size_t off = 0, n, count = 0;
    while ((n = ble_smp_next_frag(250, off, 23)) > 0) {
        assert_int_equal(n, count < 12 ? 20 : 10);
        off += n;
        count++;
    }
    assert_int_equal(count, 13);
    assert_int_equal(ble_smp_next_frag(250, 0, 498), 250);
}

static void the_peer_is_the_central_address(void **state)
{
    const uint8_t a[6] = { 1, 2, 3, 4, 5, 6 }, b[6] = { 1, 2, 3, 4, 5, 7 };
    struct smp_peer pa, pa2, pb;
    ble_smp_peer(a, &pa);
    ble_smp_peer(a, &pa2);
    ble_smp_peer(b, &pb);
    assert_int_equal(pa.link, SMP_PEER_BLE);
    assert_int_equal(pa.addr_len, 6);
    assert_true(smp_peer_equal(&pa, &pa2));
    assert_false(smp_peer_equal(&pa, &pb));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reassembles_writes_of_mtu_minus_3),
        cmocka_unit_test(without_reassembly_a_write_is_one_packet),
        cmocka_unit_test(a_packet_larger_than_the_buffer_is_refused),
        cmocka_unit_test(reset_drops_a_partial_packet),
        cmocka_unit_test(notifications_are_mtu_minus_3),
        cmocka_unit_test(the_peer_is_the_central_address),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
