/* SMP header codec: byte layout of Zephyr's smp_protocol.rst and smp_transport.rst's example. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "dfukit/smp.h"

/* The echo "hi" example: v1 write, len 6, group 0, seq 0x42, id 0. */
static void test_encode_example(void **state)
{
    (void)state;
    struct smp_hdr h = {.version = SMP_V1, .op = SMP_OP_WRITE, .len = 6, .group = 0, .seq = 0x42};
    uint8_t out[SMP_HDR_SIZE];
    smp_hdr_encode(out, &h);
    const uint8_t want[] = {0x02, 0x00, 0x00, 0x06, 0x00, 0x00, 0x42, 0x00};
    assert_memory_equal(out, want, sizeof(want));
    h.version = SMP_V2;
    smp_hdr_encode(out, &h);
    assert_int_equal(out[0], 0x0a);
}

static void test_big_endian_fields(void **state)
{
    (void)state;
    struct smp_hdr h = {.version = SMP_V2, .op = SMP_OP_READ_RSP, .flags = 0, .len = 0x1234,
                        .group = 0xabcd, .seq = 0xfe, .id = 0x07};
    uint8_t out[SMP_HDR_SIZE];
    smp_hdr_encode(out, &h);
    const uint8_t want[] = {0x09, 0x00, 0x12, 0x34, 0xab, 0xcd, 0xfe, 0x07};
    assert_memory_equal(out, want, sizeof(want));
    struct smp_hdr back;
    assert_int_equal(smp_hdr_decode(&back, out, sizeof(out)), 0);
    assert_int_equal(back.version, SMP_V2);
    assert_int_equal(back.op, SMP_OP_READ_RSP);
    assert_int_equal(back.len, 0x1234);
    assert_int_equal(back.group, 0xabcd);
    assert_int_equal(back.seq, 0xfe);
    assert_int_equal(back.id, 7);
}

/* Versions 2 and 3 (reserved) decode as such, for the server to refuse them. */
static void test_reserved_versions(void **state)
{
    (void)state;
    const uint8_t v3[] = {0x1a, 0, 0, 0, 0, 0, 0, 0};
    struct smp_hdr h;
    assert_int_equal(smp_hdr_decode(&h, v3, sizeof(v3)), 0);
    assert_int_equal(h.version, 3);
    assert_int_equal(h.op, SMP_OP_WRITE);
}

static void test_short(void **state)
{
    (void)state;
    const uint8_t buf[7] = {0};
    struct smp_hdr h;
    assert_int_equal(smp_hdr_decode(&h, buf, 7), DFU_EBADMSG);
    assert_int_equal(smp_hdr_decode(&h, NULL, 8), DFU_EBADMSG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_example),
        cmocka_unit_test(test_big_endian_fields),
        cmocka_unit_test(test_reserved_versions),
        cmocka_unit_test(test_short),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
