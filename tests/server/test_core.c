/* Dispatcher rules of SMP.md §1.1 / §1.4: header checks, error codes and shapes (v1 rc, v2
 * err with the partial response), several requests per packet, buffer limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

#include "dfukit/err.h"

/* A test group (id 77) whose handlers misbehave on purpose. */
static int h_partial_group_err(struct mgmt_ctx *ctx)
{
    smp_cbor_put_kv_uint(ctx->enc, "len", 5);
    return mgmt_group_err(ctx, 11);
}
static int h_unbalanced(struct mgmt_ctx *ctx)
{
    smp_cbor_put_tstr(ctx->enc, "x");
    smp_cbor_put_array(ctx->enc, 2);
    return MGMT_OK;
}
static int h_bad_return(struct mgmt_ctx *ctx)
{
    return DFU_EIO;  /* a dfukit error is not a wire code */
}
static int h_big(struct mgmt_ctx *ctx)
{
    static const uint8_t blob[SMP_BUF_SIZE + 1];  /* larger than any buffer of this build */
    smp_cbor_put_kv_bstr(ctx->enc, "blob", blob, sizeof(blob));
    return MGMT_OK;
}
static int h_user_rc(struct mgmt_ctx *ctx)
{
    return 300;  /* an application (EPERUSER range) code */
}
static int h_leak_eperm(struct mgmt_ctx *ctx)
{
    return DFU_EPERM;  /* -1: once also the value of MGMT_GROUP_ERR */
}
static const struct mgmt_handler test_handlers[] = {
    {h_partial_group_err, h_unbalanced},
    {h_bad_return, h_big},
    {h_user_rc, NULL},
    {h_leak_eperm, NULL},
};
static const struct mgmt_group test_group = {.id = 77, .handlers = test_handlers, .count = 4};

static int setup(void **state)
{
    (void)state;
    fx_setup(8, NULL);
    assert_int_equal(server_register_group(&fx.srv, &test_group), 0);
    return 0;
}

static void test_short_packet_dropped(void **state)
{
    (void)state;
    const uint8_t req[7] = {0x02, 0, 0, 0, 0, 0, 0x42};
    for (size_t n = 0; n < sizeof(req); n++) {
        assert_int_equal(fx_raw(req, n), 0);
    }
    assert_int_equal(fx.rsp[0], 0xee);  /* nothing written */
    assert_int_equal(fx_raw(NULL, 0), 0);
}

static void test_len_beyond_data(void **state)
{
    (void)state;
    /* echo, len 10 but only 2 payload bytes */
    const uint8_t req[] = {0x02, 0, 0, 10, 0, 0, 0x42, 0, 0xa1, 0x61};
    const uint8_t want[] = {0x03, 0, 0, 5, 0, 0, 0x42, 0, 0xa1, 0x62, 'r', 'c', 0x09};
    assert_int_equal(fx_raw(req, sizeof(req)), sizeof(want));
    assert_memory_equal(fx.rsp, want, sizeof(want));
}

static void test_unknown_group_id_op(void **state)
{
    (void)state;
    fx_send_bytes(SMP_V2, SMP_OP_READ, 55, 0, (const uint8_t *)"\xa0", 1);
    fx_expect_rc_only(SMP_ERR_ENOTSUP);
    fx_send_bytes(SMP_V2, SMP_OP_READ, SMP_GROUP_OS, 9, (const uint8_t *)"\xa0", 1);
    fx_expect_rc_only(SMP_ERR_ENOTSUP);
    fx_send_bytes(SMP_V2, SMP_OP_WRITE, SMP_GROUP_OS, 1, (const uint8_t *)"\xa0", 1);  /* NULL slot */
    fx_expect_rc_only(SMP_ERR_ENOTSUP);
    fx_send_bytes(SMP_V1, SMP_OP_READ, SMP_GROUP_OS, 5, (const uint8_t *)"\xa0", 1);   /* reset has no read */
    fx_expect_rc_only(SMP_ERR_ENOTSUP);
    assert_false(server_reset_requested(&fx.srv));
    /* response ops as requests */
    fx_send_bytes(SMP_V1, SMP_OP_READ_RSP, SMP_GROUP_OS, 6, (const uint8_t *)"\xa0", 1);
    fx_expect_rc_only(SMP_ERR_ENOTSUP);
    fx_send_bytes(SMP_V1, SMP_OP_WRITE_RSP, SMP_GROUP_OS, 0, (const uint8_t *)"\xa0", 1);
    fx_expect_rc_only(SMP_ERR_ENOTSUP);
    fx_send_bytes(SMP_V1, 7, SMP_GROUP_OS, 0, (const uint8_t *)"\xa0", 1);
    fx_expect_rc_only(SMP_ERR_ENOTSUP);
}

/* Versions 2 and 3 are too new; the reply carries version 1. */
static void test_version_too_new(void **state)
{
    (void)state;
    for (uint8_t ver = 2; ver <= 3; ver++) {
        fx_send_bytes(ver, SMP_OP_READ, SMP_GROUP_OS, 6, (const uint8_t *)"\xa0", 1);
        fx_expect_rc_only(SMP_ERR_UNSUPPORTED_TOO_NEW);
        assert_int_equal(fx.rh.version, SMP_V2);
    }
}

static void test_bad_cbor(void **state)
{
    (void)state;
    static const struct { const char *p; size_t n; } bad[] = {
        {"\xa1\x61", 2},                 /* truncated */
        {"\x01", 1},                     /* not a map */
        {"\xa0\x00", 2},                 /* bytes after the map */
        {"\xa1\x61\x64\x05", 4},         /* echo "d" of the wrong type */
        {"\xbf\x61\x64\x61\x78", 5},     /* indefinite map without break */
        {"\xff", 1},                     /* a lone break */
        {"\xa1\x61\x64\x7b\xff\xff\xff\xff\xff\xff\xff\xff", 12},  /* huge string length */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fx_send_bytes(SMP_V2, SMP_OP_WRITE, SMP_GROUP_OS, 0, (const uint8_t *)bad[i].p, bad[i].n);
        fx_expect_rc_only(SMP_ERR_EINVAL);
    }
}

/* An empty payload reads as {} (mcumgr params works; the reply is the normal one). */
static void test_empty_payload(void **state)
{
    (void)state;
    fx_send_bytes(SMP_V1, SMP_OP_READ, SMP_GROUP_OS, 6, NULL, 0);
    assert_int_equal(fx_rc(), 0);
    assert_int_equal(fx_uint("buf_count"), SMP_BUF_COUNT);
}

/* Responses are limited to the configured buf_size; too big -> EMSGSIZE. */
static void test_response_too_big(void **state)
{
    (void)state;
    fx_send_bytes(SMP_V2, SMP_OP_WRITE, 77, 1, (const uint8_t *)"\xa0", 1);
    fx_expect_rc_only(SMP_ERR_EMSGSIZE);
    /* a small configured buffer makes a long echo too big */
    struct server_config cfg = {.buf_size = 64};
    fx_setup(8, &cfg);
    assert_int_equal(fx.srv.cfg.buf_size, 64);
    char text[61];
    memset(text, 'x', 60);
    text[60] = 0;
    struct smp_cbor_enc *e = fx_payload();
    smp_cbor_put_map(e, 1);
    smp_cbor_put_kv_tstr(e, "d", text);
    fx_send(SMP_V1, SMP_OP_WRITE, SMP_GROUP_OS, 0);
    fx_expect_rc_only(SMP_ERR_EMSGSIZE);
    /* a response buffer too small for even an error reply */
    uint8_t req[] = {0x02, 0, 0, 1, 0, 0, 0x42, 6, 0xa0};
    uint8_t tiny[8];
    assert_int_equal(server_process(&fx.srv, req, sizeof(req), tiny, sizeof(tiny)), DFU_ENOSPC);
}

/* Runtime sizes cannot exceed the compiled ones. */
static void test_config_clamped(void **state)
{
    (void)state;
    struct server_config cfg = {.buf_size = 60000, .buf_count = 200};
    fx_setup(8, &cfg);
    assert_int_equal(fx.srv.cfg.buf_size, SMP_BUF_SIZE);
    assert_int_equal(fx.srv.cfg.buf_count, SMP_BUF_COUNT);
}

static void test_several_requests(void **state)
{
    (void)state;
    /* echo "hi" then mcumgr params, back to back */
    const uint8_t req[] = {0x02, 0, 0, 6, 0, 0, 1, 0, 0xa1, 0x61, 'd', 0x62, 'h', 'i',
                           0x08, 0, 0, 1, 0, 0, 2, 6, 0xa0};
    int n = fx_raw(req, sizeof(req));
    const uint8_t first[] = {0x03, 0, 0, 6, 0, 0, 1, 0, 0xa1, 0x61, 'r', 0x62, 'h', 'i'};
    assert_true(n > (int)sizeof(first) + SMP_HDR_SIZE);
    assert_memory_equal(fx.rsp, first, sizeof(first));
    struct smp_hdr h2;
    assert_int_equal(smp_hdr_decode(&h2, fx.rsp + sizeof(first), (size_t)n - sizeof(first)), 0);
    assert_int_equal(h2.version, SMP_V2);
    assert_int_equal(h2.op, SMP_OP_READ_RSP);
    assert_int_equal(h2.seq, 2);
    assert_int_equal(h2.id, 6);
    assert_int_equal((size_t)n, sizeof(first) + SMP_HDR_SIZE + h2.len);
    assert_int_equal(fx.srv.counters.rx_requests, 2);
    assert_int_equal(fx.srv.counters.tx_responses, 2);

    /* the first fails: the second is not handled */
    const uint8_t req2[] = {0x02, 0, 0, 1, 0, 99, 1, 0, 0xa0, 0x02, 0, 0, 6, 0, 0, 2, 0, 0xa1,
                            0x61, 'd', 0x62, 'h', 'i'};
    n = fx_raw(req2, sizeof(req2));
    assert_int_equal(n, SMP_HDR_SIZE + 5);
    fx_expect_rc_only(SMP_ERR_ENOTSUP);
    /* trailing bytes shorter than a header after a good request are dropped */
    uint8_t req3[sizeof(req) + 3];
    memcpy(req3, req, sizeof(req));
    memset(req3 + sizeof(req), 0x02, 3);
    int n3 = fx_raw(req3, sizeof(req3));
    assert_int_equal(n3, fx_raw(req, sizeof(req)));
}

/* v2 keeps what the handler wrote and adds err; v1 gets only the translated rc. */
static void test_group_error_shapes(void **state)
{
    (void)state;
    fx_send_bytes(SMP_V2, SMP_OP_READ, 77, 0, (const uint8_t *)"\xa0", 1);
    const uint8_t v2[] = {0xa2, 0x63, 'l', 'e', 'n', 0x05, 0x63, 'e', 'r', 'r', 0xa2, 0x65, 'g',
                          'r', 'o', 'u', 'p', 0x18, 77, 0x62, 'r', 'c', 0x0b};
    fx_expect_payload(v2, sizeof(v2));
    fx_send_bytes(SMP_V1, SMP_OP_READ, 77, 0, (const uint8_t *)"\xa0", 1);
    fx_expect_rc_only(SMP_ERR_EUNKNOWN);  /* group 77 has no translation table */
    /* image group: INVALID_HASH is EINVAL for v1 */
    fx_send_bytes(SMP_V2, SMP_OP_WRITE, SMP_GROUP_IMAGE, 0, (const uint8_t *)"\xa0", 1);
    fx_expect_err(SMP_GROUP_IMAGE, IMG_ERR_INVALID_HASH);
    fx_send_bytes(SMP_V1, SMP_OP_WRITE, SMP_GROUP_IMAGE, 0, (const uint8_t *)"\xa0", 1);
    fx_expect_rc_only(SMP_ERR_EINVAL);
}

static void test_handler_bugs(void **state)
{
    (void)state;
    fx_send_bytes(SMP_V2, SMP_OP_READ, 77, 2, (const uint8_t *)"\xa0", 1);
    assert_int_equal(fx_rc(), 300);
    /* room for {"rc": N} with a small N only: the long code becomes EMSGSIZE */
    const uint8_t req[] = {0x00, 0, 0, 1, 0, 77, 9, 2, 0xa0};
    uint8_t small[SMP_HDR_SIZE + 5];
    assert_int_equal(server_process(&fx.srv, req, sizeof(req), small, sizeof(small)), sizeof(small));
    const uint8_t want[] = {0x01, 0, 0, 5, 0, 77, 9, 2, 0xa1, 0x62, 'r', 'c', 0x07};
    assert_memory_equal(small, want, sizeof(want));
    fx_send_bytes(SMP_V2, SMP_OP_WRITE, 77, 0, (const uint8_t *)"\xa0", 1);
    fx_expect_rc_only(SMP_ERR_EUNKNOWN);
    fx_send_bytes(SMP_V2, SMP_OP_READ, 77, 1, (const uint8_t *)"\xa0", 1);
    fx_expect_rc_only(SMP_ERR_EUNKNOWN);
}

/* A handler leaking a dfu_err is never taken for a recorded group error: MGMT_GROUP_ERR is a
 * value no dfu_err has. v2 gets {"rc": EUNKNOWN}, no "err" map. */
static void test_leaked_dfu_err_is_no_group_err(void **state)
{
    (void)state;
    for (int e = DFU_EPOWER; e < 0; e++) {
        assert_int_not_equal(e, MGMT_GROUP_ERR);
    }
    fx_send_bytes(SMP_V2, SMP_OP_READ, 77, 3, (const uint8_t *)"\xa0", 1);
    fx_expect_rc_only(SMP_ERR_EUNKNOWN);
    fx_send_bytes(SMP_V1, SMP_OP_READ, 77, 3, (const uint8_t *)"\xa0", 1);
    fx_expect_rc_only(SMP_ERR_EUNKNOWN);
}

static void test_verbose_rsn(void **state)
{
    (void)state;
    struct server_config cfg = {.verbose_err = true};
    fx_setup(8, &cfg);
    fx_send_bytes(SMP_V2, SMP_OP_READ, 55, 0, (const uint8_t *)"\xa0", 1);
    assert_int_equal(fx_rc(), SMP_ERR_ENOTSUP);
    struct smp_cbor_dec d;
    struct smp_cbor_str rsn;
    assert_true(fx_find("rsn", &d));
    assert_int_equal(smp_cbor_get_tstr(&d, &rsn), 0);
    assert_true(smp_cbor_str_eq(&rsn, "unsupported command"));
    /* a handler's own reason wins */
    struct smp_cbor_enc *e = fx_payload();
    smp_cbor_put_map(e, 1);
    smp_cbor_put_kv_tstr(e, "datetime", "not a date at all");
    fx_send(SMP_V1, SMP_OP_WRITE, SMP_GROUP_OS, 4);
    assert_int_equal(fx_rc(), SMP_ERR_EINVAL);
    assert_true(fx_find("rsn", &d));
    assert_int_equal(smp_cbor_get_tstr(&d, &rsn), 0);
    assert_true(smp_cbor_str_eq(&rsn, "bad datetime"));
}

static void test_registration(void **state)
{
    (void)state;
    assert_int_equal(server_register_group(&fx.srv, &os_mgmt_group), DFU_EEXIST);
    assert_ptr_equal(server_find_group(&fx.srv, 77), &test_group);
    assert_null(server_find_group(&fx.srv, 78));
    static struct mgmt_group many[SERVER_MAX_GROUPS];
    int rc = 0;
    for (unsigned i = 0; i < SERVER_MAX_GROUPS && rc == 0; i++) {
        many[i] = (struct mgmt_group){.id = (uint16_t)(100 + i), .handlers = test_handlers, .count = 1};
        rc = server_register_group(&fx.srv, &many[i]);
    }
    assert_int_equal(rc, DFU_ENOSPC);
    assert_int_equal(fx.srv.group_count, SERVER_MAX_GROUPS);
}

static unsigned emitted;
static size_t emitted_len[4];
static uint8_t emitted_seq[4];
static int emit_result;
static int collect(void *arg, const uint8_t *rsp, size_t len)
{
    (void)arg;
    if (emitted < 4) {
        emitted_len[emitted] = len;
        emitted_seq[emitted] = rsp[6];
    }
    emitted++;
    return emit_result;
}

/* One packet per response: each is complete when emitted. */
static void test_process_each(void **state)
{
    (void)state;
    const uint8_t req[] = {0x02, 0, 0, 6, 0, 0, 1, 0, 0xa1, 0x61, 'd', 0x62, 'h', 'i',
                           0x08, 0, 0, 1, 0, 0, 2, 6, 0xa0};
    uint8_t buf[SMP_BUF_SIZE];
    emitted = 0;
    emit_result = 0;
    int n = server_process_each(&fx.srv, req, sizeof(req), buf, sizeof(buf), collect, NULL);
    assert_int_equal(emitted, 2);
    assert_int_equal(emitted_len[0], 14);
    assert_int_equal(emitted_seq[0], 1);
    assert_int_equal(emitted_seq[1], 2);
    assert_int_equal((size_t)n, emitted_len[0] + emitted_len[1]);
    /* an emit error stops the loop and is passed up */
    emitted = 0;
    emit_result = DFU_EIO;
    assert_int_equal(server_process_each(&fx.srv, req, sizeof(req), buf, sizeof(buf), collect, NULL),
                     DFU_EIO);
    assert_int_equal(emitted, 1);
    assert_int_equal(server_process_each(&fx.srv, req, sizeof(req), buf, sizeof(buf), NULL, NULL),
                     DFU_EINVAL);
}

static void test_buffers(void **state)
{
    (void)state;
    struct server_config cfg = {.buf_count = 2};
    fx_setup(8, &cfg);
    uint8_t *a = server_buf_alloc(&fx.srv), *b = server_buf_alloc(&fx.srv);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    assert_null(server_buf_alloc(&fx.srv));
    server_buf_free(&fx.srv, a);
    assert_ptr_equal(server_buf_alloc(&fx.srv), a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_short_packet_dropped, setup),
        cmocka_unit_test_setup(test_leaked_dfu_err_is_no_group_err, setup),
        cmocka_unit_test_setup(test_len_beyond_data, setup),
        cmocka_unit_test_setup(test_unknown_group_id_op, setup),
        cmocka_unit_test_setup(test_version_too_new, setup),
        cmocka_unit_test_setup(test_bad_cbor, setup),
        cmocka_unit_test_setup(test_empty_payload, setup),
        cmocka_unit_test_setup(test_response_too_big, setup),
        cmocka_unit_test_setup(test_config_clamped, setup),
        cmocka_unit_test_setup(test_several_requests, setup),
        cmocka_unit_test_setup(test_group_error_shapes, setup),
        cmocka_unit_test_setup(test_handler_bugs, setup),
        cmocka_unit_test_setup(test_verbose_rsn, setup),
        cmocka_unit_test_setup(test_registration, setup),
        cmocka_unit_test_setup(test_process_each, setup),
        cmocka_unit_test_setup(test_buffers, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
