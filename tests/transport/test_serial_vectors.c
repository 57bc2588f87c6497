/* The serial captures of real clients (tests/vectors/smp/, the two serial files): every request
 * frame decodes to the documented SMP bytes and our client-side encoder reproduces it; every
 * device reply decodes to one packet answering its request, and our device-side (Zephyr-style)
 * encoder reproduces the reply byte for byte, the multi-line one included. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/serial_frame.h"
#include "transport_test_util.h"

#define MAXPKT 2048

struct capture {
    uint8_t req_wire[1024];
    size_t req_wire_len;
    uint8_t req_smp[MAXPKT];
    size_t req_smp_len;
    uint8_t rsp_wire[1024];
    size_t rsp_wire_len;
};

/* Reads the "raw len=N: HEX", "decoded: ... smp=HEX" and "replied raw b'...'" lines, in
 * order, into one capture per request. Returns the count. */
static int load(const char *name, struct capture *caps, int max)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/smp/%s", DFU_VECTORS_DIR, name);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fail_msg("cannot read %s: %s", path, strerror(errno));
    }
    static char line[8192];
    int n = -1;
    while (fgets(line, sizeof(line), f)) {
        size_t len = strcspn(line, "\n");
        line[len] = '\0';
        char *p;
        if (strncmp(line, "raw len=", 8) == 0 && (p = strstr(line, ": ")) != NULL) {
            assert_true(++n < max);
            memset(&caps[n], 0, sizeof(caps[n]));
            int got = tt_unhex(caps[n].req_wire, sizeof(caps[n].req_wire), p + 2, strlen(p + 2));
            assert_int_equal(got, atoi(line + 8));
            caps[n].req_wire_len = (size_t)got;
        } else if (strncmp(line, "decoded:", 8) == 0 && (p = strstr(line, "smp=")) != NULL) {
            assert_true(n >= 0);
            size_t hl = strcspn(p + 4, " ");
            int got = tt_unhex(caps[n].req_smp, MAXPKT, p + 4, hl);
            assert_true(got > 0);
            caps[n].req_smp_len = (size_t)got;
        } else if (strncmp(line, "replied raw b'", 14) == 0) {
            assert_true(n >= 0);
            char *end = strrchr(line, '\'');
            assert_true(end > line + 13);
            int got = tt_unrepr(caps[n].rsp_wire, sizeof(caps[n].rsp_wire), line + 14,
                                (size_t)(end - (line + 14)));
            assert_true(got > 0);
            caps[n].rsp_wire_len = (size_t)got;
        }
    }
    fclose(f);
    return n + 1;
}

static size_t decode_one(const uint8_t *wire, size_t n, uint8_t *out)
{
    size_t lens[4];
    struct serial_deframe_stats st;
    int count = tt_deframe_all(wire, n, 0, MAXPKT, out, MAXPKT, lens, 4, &st);
    assert_int_equal(count, 1);
    assert_int_equal(st.bad_base64 + st.bad_crc + st.orphans + st.too_long + st.text_lines, 0);
    return lens[0];
}

static int lines_in(const uint8_t *wire, size_t n)
{
    int lines = 0;
    for (size_t i = 0; i < n; i++) {
        lines += wire[i] == '\n';
    }
    return lines;
}

static void check_capture(const struct capture *c, uint32_t client_frame_max)
{
    static uint8_t pkt[MAXPKT], wire[4096];
    /* Request: decodes to the documented bytes, and re-encodes identically. */
    assert_true(c->req_smp_len > 0);
    size_t len = decode_one(c->req_wire, c->req_wire_len, pkt);
    assert_int_equal(len, c->req_smp_len);
    assert_memory_equal(pkt, c->req_smp, len);
    struct serial_frame_cfg client = {.frame_max = client_frame_max, .split = SERIAL_SPLIT_PLAIN};
    int n = serial_frame_encode(wire, sizeof(wire), c->req_smp, c->req_smp_len, &client);
    assert_int_equal(n, (int)c->req_wire_len);
    assert_memory_equal(wire, c->req_wire, c->req_wire_len);

    /* Reply: one packet answering the request (same group, seq, id; op + 1). */
    assert_true(c->rsp_wire_len > 0);
    len = decode_one(c->rsp_wire, c->rsp_wire_len, pkt);
    assert_true(len >= 8);
    assert_int_equal(pkt[0] & 7, (c->req_smp[0] & 7) + 1);
    assert_memory_equal(pkt + 4, c->req_smp + 4, 4);
    assert_int_equal(((pkt[2] << 8) | pkt[3]) + 8, len);
    struct serial_frame_cfg device = {.split = SERIAL_SPLIT_ZEPHYR};
    n = serial_frame_encode(wire, sizeof(wire), pkt, len, &device);
    assert_int_equal(n, (int)c->rsp_wire_len);
    assert_memory_equal(wire, c->rsp_wire, c->rsp_wire_len);
}

static void mcumgr_serial_echo(void **state)
{
    (void)state;
    static struct capture caps[8];
    int n = load("mcumgr-serial-echo.txt", caps, 8);
    assert_int_equal(n, 3);
    /* Default mtu=128: 124-character lines. */
    check_capture(&caps[0], 127);
    check_capture(&caps[1], 127);
    /* mtu=512: one line of up to 508 characters. */
    check_capture(&caps[2], 511);
    /* The 200-character echo reply is the three-line one: 124 + 124 + 44 characters. */
    assert_int_equal(lines_in(caps[2].rsp_wire, caps[2].rsp_wire_len), 3);
    assert_int_equal(caps[2].rsp_wire_len, 127 + 127 + 47);
    /* Echo replies carry the request's text under "r". */
    static uint8_t pkt[MAXPKT];
    for (int i = 0; i < n; i++) {
        size_t len = decode_one(caps[i].rsp_wire, caps[i].rsp_wire_len, pkt);
        assert_int_equal(len, caps[i].req_smp_len);
        assert_memory_equal(pkt + 8, "\xa1\x61r", 3);
        assert_memory_equal(pkt + 11, caps[i].req_smp + 11, len - 11);
    }
}

static void smpmgr_serial_echo(void **state)
{
    (void)state;
    static struct capture caps[8];
    int n = load("smpmgr-serial-echo.txt", caps, 8);
    assert_int_equal(n, 2);
    for (int i = 0; i < n; i++) {
        check_capture(&caps[i], 127);
    }
    /* smpmgr speaks SMP v2: 0x08 (v2 READ) then 0x0a (v2 WRITE). */
    assert_int_equal(caps[0].req_smp[0], 0x08);
    assert_int_equal(caps[1].req_smp[0], 0x0a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mcumgr_serial_echo),
        cmocka_unit_test(smpmgr_serial_echo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
