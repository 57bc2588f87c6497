/* BLE reassembly by the SMP header length (Zephyr smp_reassembly semantics). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/ble_reasm.h"
#include "dfukit/err.h"

static uint8_t pkt[8 + 500];

static int setup(void **state)
{
    (void)state;
    const uint8_t hdr[8] = {0x02, 0x00, 0x01, 0xf4, 0x00, 0x01, 0x07, 0x01}; /* len 500 */
    memcpy(pkt, hdr, 8);
    for (int i = 0; i < 500; i++) {
        pkt[8 + i] = (uint8_t)(i * 13);
    }
    return 0;
}

static void every_fragment_size(void **state)
{
    (void)state;
    static uint8_t buf[600];
    struct ble_reasm r;
    ble_reasm_init(&r, buf, sizeof(buf));
    /* ATT_MTU-3 from 8 (the minimum first fragment) to the whole packet. */
    for (size_t frag = 8; frag <= sizeof(pkt); frag++) {
        size_t off = 0;
        int rc = 0;
        while (off < sizeof(pkt)) {
            size_t n = sizeof(pkt) - off < frag ? sizeof(pkt) - off : frag;
            rc = ble_reasm_push(&r, pkt + off, n);
            off += n;
            if (off < sizeof(pkt)) {
                assert_int_equal(rc, 0);
                assert_true(ble_reasm_busy(&r));
            }
        }
        assert_int_equal(rc, (int)sizeof(pkt));
        assert_false(ble_reasm_busy(&r));
        assert_memory_equal(buf, pkt, sizeof(pkt));
    }
}

static void short_first_fragment(void **state)
{
    (void)state;
    uint8_t buf[600];
    struct ble_reasm r;
    ble_reasm_init(&r, buf, sizeof(buf));
    assert_int_equal(ble_reasm_push(&r, pkt, 7), DFU_EBADMSG);
    assert_false(ble_reasm_busy(&r));
    assert_int_equal(ble_reasm_push(&r, pkt, 0), DFU_EBADMSG);
    /* Then a good packet goes through. */
    assert_int_equal(ble_reasm_push(&r, pkt, 8), 0);
    assert_int_equal(ble_reasm_push(&r, pkt + 8, 500), 508);
}

static void declared_size_too_big(void **state)
{
    (void)state;
    uint8_t buf[507];
    struct ble_reasm r;
    ble_reasm_init(&r, buf, sizeof(buf));
    assert_int_equal(ble_reasm_push(&r, pkt, 20), DFU_ENOSPC);
    assert_false(ble_reasm_busy(&r));
    uint8_t buf2[508];
    ble_reasm_init(&r, buf2, sizeof(buf2));
    assert_int_equal(ble_reasm_push(&r, pkt, 20), 0);
}

static void extra_bytes(void **state)
{
    (void)state;
    static uint8_t buf[1024], in[600];
    struct ble_reasm r;
    ble_reasm_init(&r, buf, sizeof(buf));
    memcpy(in, pkt, sizeof(pkt));
    /* One fragment with a byte more than declared. */
    assert_int_equal(ble_reasm_push(&r, in, sizeof(pkt) + 1), DFU_EOVERFLOW);
    assert_false(ble_reasm_busy(&r));
    /* The last fragment overshoots: the partial packet is dropped. */
    assert_int_equal(ble_reasm_push(&r, in, 300), 0);
    assert_int_equal(ble_reasm_push(&r, in + 300, 209), DFU_EOVERFLOW);
    assert_false(ble_reasm_busy(&r));
    /* The next fragment is taken as a new first fragment. */
    assert_int_equal(ble_reasm_push(&r, pkt, 100), 0);
    assert_int_equal(ble_reasm_push(&r, pkt + 100, 408), 508);
}

static void reset_drops_partial(void **state)
{
    (void)state;
    static uint8_t buf[1024];
    struct ble_reasm r;
    ble_reasm_init(&r, buf, sizeof(buf));
    assert_int_equal(ble_reasm_push(&r, pkt, 100), 0);
    ble_reasm_reset(&r);
    assert_false(ble_reasm_busy(&r));
    /* The rest, arriving after the reset, is read as a header: its "length" bytes
     * (0xc6 0xd3) declare far more than the buffer holds. */
    assert_int_equal(ble_reasm_push(&r, pkt + 100, 408), DFU_ENOSPC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_fragment_size),
        cmocka_unit_test(short_first_fragment),
        cmocka_unit_test(declared_size_too_big),
        cmocka_unit_test(extra_bytes),
        cmocka_unit_test(reset_drops_partial),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
