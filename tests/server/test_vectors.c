/* Golden tests against the captures in tests/vectors/smp/: every request the real clients
 * sent (Go mcumgr, smpmgr; UDP and serial) gets exactly the recorded reply. Serial requests go
 * through the transport's deframer and our replies through its Zephyr-style framer, so the
 * whole device path is compared byte for byte. The image list capture came from a responder
 * with made-up hashes: the same state is built here with real images, and the two hashes of
 * the capture are replaced by theirs before the byte comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

#include "dfukit/boot.h"
#include "dfukit/serial_frame.h"

static uint8_t hash0[32], hash1[32];

/* The device state of the captures: buffers 1024 x 4; slot 0 runs 1.2.3, slot 1 holds
 * 1.3.0.7 set for test. */
static void setup_device(void)
{
    struct server_config cfg = {.buf_size = 1024, .buf_count = 4};
    fx_setup(8, &cfg);
    assert_int_equal(fx.srv.cfg.buf_size, 1024);
    static uint8_t img[8192];
    size_t n = fx_make_image(img, sizeof(img), 1, 2, 3, 0, 2000, 1, false);
    fx_image_hash(img, hash0);
    fx_put(0, 0, img, n);
    n = fx_make_image(img, sizeof(img), 1, 3, 0, 7, 3000, 2, false);
    fx_image_hash(img, hash1);
    fx_put(1, 0, img, n);
    assert_int_equal(boot_set_pending(&fx.sec, false), 0);
}

static char *read_vector(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/smp/%s", DFU_VECTORS_DIR, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fail_msg("cannot open %s", path);
    }
    static char text[65536];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = 0;
    return text;
}

/* The hex run right after `tag` on a line. */
static size_t hex_after(const char *line, const char *tag, uint8_t *out, size_t cap)
{
    const char *p = strstr(line, tag);
    assert_non_null(p);
    p += strlen(tag);
    char hex[8192];
    size_t n = 0;
    while (*p == ' ') {
        p++;
    }
    while (n + 1 < sizeof(hex) && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) {
        hex[n++] = *p++;
    }
    hex[n] = 0;
    return fx_hex(hex, out, cap);
}

/* Python bytes literal b'...' -> bytes. */
static size_t py_bytes(const char *p, uint8_t *out, size_t cap)
{
    p = strstr(p, "b'");
    assert_non_null(p);
    p += 2;
    size_t n = 0;
    while (*p && *p != '\'') {
        assert_true(n < cap);
        if (*p != '\\') {
            out[n++] = (uint8_t)*p++;
            continue;
        }
        p++;
        switch (*p) {
        case 'n': out[n++] = '\n'; p++; break;
        case 't': out[n++] = '\t'; p++; break;
        case 'r': out[n++] = '\r'; p++; break;
        case '\\': out[n++] = '\\'; p++; break;
        case '\'': out[n++] = '\''; p++; break;
        case 'x': {
            char h[3] = {p[1], p[2], 0};
            assert_int_equal(fx_hex(h, out + n, 1), 1);
            n++;
            p += 3;
            break;
        }
        default: fail_msg("unknown escape \\%c", *p);
        }
    }
    return n;
}

/* Replaces the capture's placeholder hashes by the real ones. */
static void patch_hashes(uint8_t *p, size_t n)
{
    uint8_t fake0[32], fake1[32];
    for (int i = 0; i < 32; i++) {
        fake0[i] = (uint8_t)i;
        fake1[i] = (uint8_t)(0x20 + i);
    }
    for (size_t i = 0; i + 32 <= n; i++) {
        if (memcmp(p + i, fake0, 32) == 0) {
            memcpy(p + i, hash0, 32);
        } else if (memcmp(p + i, fake1, 32) == 0) {
            memcpy(p + i, hash1, 32);
        }
    }
}

static void expect_reply(const uint8_t *want, size_t n)
{
    static uint8_t patched[8192];
    memcpy(patched, want, n);
    patch_hashes(patched, n);
    assert_int_equal(fx.rsp_len, n);
    assert_memory_equal(fx.rsp, patched, n);
}

/* UDP captures: "request : HEX" / "response: HEX", or "from (...) len=N: HEX" / "replied HEX".
 * Returns how many replies were compared. */
static int run_udp(const char *name)
{
    setup_device();
    char *text = read_vector(name);
    int compared = 0;
    uint8_t req[4096], want[4096];
    size_t req_len = 0;
    bool have_req = false;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (strncmp(line, "request :", 9) == 0 || strncmp(line, "from (", 6) == 0) {
            req_len = hex_after(line, strncmp(line, "from", 4) == 0 ? ": " : "request :", req,
                                sizeof(req));
            have_req = true;
            int n = fx_raw(req, req_len);
            assert_true(n > SMP_HDR_SIZE);
            assert_int_equal(fx.rh.seq, req[6]);
        } else if (have_req && (strncmp(line, "response:", 9) == 0 ||
                                strncmp(line, "replied ", 8) == 0)) {
            size_t n = hex_after(line, line[0] == 'r' && line[2] == 's' ? "response:" : "replied ",
                                 want, sizeof(want));
            expect_reply(want, n);
            compared++;
            have_req = false;
        }
    }
    return compared;
}

static void test_mcumgr_udp_echo(void **state)
{
    (void)state;
    assert_int_equal(run_udp("mcumgr-udp-echo.txt"), 1);
}

static void test_smpmgr_udp_echo(void **state)
{
    (void)state;
    assert_int_equal(run_udp("smpmgr-udp-echo.txt"), 2);
}

static void test_mcumgr_udp_image_list(void **state)
{
    (void)state;
    assert_int_equal(run_udp("mcumgr-udp-image-list.txt"), 1);
}

static void test_smpmgr_udp_image_state_read(void **state)
{
    (void)state;
    assert_int_equal(run_udp("smpmgr-udp-image-state-read.txt"), 2);
}

/* The reset capture has no reply: ours is the empty-map write response. */
static void test_mcumgr_udp_reset(void **state)
{
    (void)state;
    assert_int_equal(run_udp("mcumgr-udp-reset.txt"), 0);
    const uint8_t want[] = {0x03, 0x00, 0x00, 0x01, 0x00, 0x00, 0x42, 0x05, 0xa0};
    assert_int_equal(fx.rsp_len, sizeof(want));
    assert_memory_equal(fx.rsp, want, sizeof(want));
    assert_true(server_reset_requested(&fx.srv));
}

/* Serial captures: "raw len=N: HEX" (the frames sent), "decoded: ... smp=HEX", then
 * "replied raw b'...'" (the frames the responder sent back). */
static int run_serial(const char *name)
{
    setup_device();
    char *text = read_vector(name);
    int compared = 0;
    static uint8_t raw[8192], pkt[4096], smp[4096], want[8192], ours[8192];
    size_t raw_len = 0, pkt_len = 0;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (strncmp(line, "raw len=", 8) == 0) {
            raw_len = hex_after(line, ": ", raw, sizeof(raw));
            struct serial_deframer d;
            serial_deframer_init(&d, pkt, sizeof(pkt));
            size_t used = 0;
            pkt_len = serial_deframer_feed(&d, raw, raw_len, &used);
            assert_true(pkt_len > 0);
            assert_int_equal(used, raw_len);
        } else if (strncmp(line, "decoded:", 8) == 0) {
            size_t n = hex_after(line, "smp=", smp, sizeof(smp));
            assert_int_equal(n, pkt_len);
            assert_memory_equal(smp, pkt, n);
        } else if (strncmp(line, "replied raw b'", 14) == 0 && pkt_len > 0) {
            size_t want_len = py_bytes(line, want, sizeof(want));
            int n = fx_raw(pkt, pkt_len);
            assert_true(n > SMP_HDR_SIZE);
            struct serial_frame_cfg cfg = {.frame_max = 127, .split = SERIAL_SPLIT_ZEPHYR};
            int framed = serial_frame_encode(ours, sizeof(ours), fx.rsp, (size_t)n, &cfg);
            assert_int_equal(framed, want_len);
            assert_memory_equal(ours, want, want_len);
            compared++;
            pkt_len = 0;
        }
    }
    return compared;
}

static void test_mcumgr_serial_echo(void **state)
{
    (void)state;
    assert_int_equal(run_serial("mcumgr-serial-echo.txt"), 3);
}

static void test_smpmgr_serial_echo(void **state)
{
    (void)state;
    assert_int_equal(run_serial("smpmgr-serial-echo.txt"), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mcumgr_udp_echo),
        cmocka_unit_test(test_smpmgr_udp_echo),
        cmocka_unit_test(test_mcumgr_udp_image_list),
        cmocka_unit_test(test_smpmgr_udp_image_state_read),
        cmocka_unit_test(test_mcumgr_udp_reset),
        cmocka_unit_test(test_mcumgr_serial_echo),
        cmocka_unit_test(test_smpmgr_serial_echo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
