/* The serial SMP transport alone: console frames in through the receive entry, the server's
 * responses out through a fake UART, and what gets dropped (buffers full, line too long, packet
 * over the path's limit). Request and reply bytes are mcumgr's own capture
 * (tests/vectors/smp/mcumgr-serial-echo.txt). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "dfukit/smp_uart.h"
#include "fixture.h"

/* echo "hello": mcumgr's request line and the reply line Zephyr sent */
static const char HELLO_REQ[] = "\x06\tABMCAAAJAABCAKFhZGVoZWxsb8EJ\n";
static const char HELLO_RSP[] = "\x06\tABMDAAAJAABCAKFhcmVoZWxsb0e1\n";
/* echo of 200 'x' with mtu=512: one 295-byte request line, a three-frame reply */
static const char X200_B64_HEAD[] = "\x06\tANcCAADNAABCAKFhZHjI";
static const char X200_B64_TAIL[] = "eHh6jA==\n";

/* The fake UART: what the transport sent, frame by frame. */
static struct {
    uint8_t out[4096];
    size_t len;
    int calls;
    int fail;                  /* returned by output when non-zero */
    int events;
    size_t event_n;
} uart;

static int fake_output(void *ctx, const uint8_t *bytes, size_t len)
{
    (void)ctx;
    uart.calls++;
    if (uart.fail != 0) {
        return uart.fail;
    }
    assert_true(uart.len + len <= sizeof uart.out);
    memcpy(uart.out + uart.len, bytes, len);
    uart.len += len;
    return 0;
}

static void fake_event(void *ctx, enum smp_uart_event ev, size_t n)
{
    (void)ctx;
    assert_int_equal(ev, SMP_UART_EV_PACKET_TOO_BIG);
    uart.events++;
    uart.event_n = n;
}

static const struct smp_uart_port port = { .output = fake_output, .event = fake_event };
static struct smp_uart_bufs bufs;
static uint8_t big_lines[2][512];
static struct smp_uart u;
static uint8_t rsp[SMP_BUF_SIZE];

static int setup(void **state)
{
    (void)state;
    fx_setup(1, NULL);
    memset(&uart, 0, sizeof uart);
    struct smp_uart_cfg cfg = { .srv = &fx.srv, .port = &port };
    smp_uart_cfg_from_bufs(&cfg, &bufs);
    assert_int_equal(smp_uart_init(&u, &cfg), 0);
    return 0;
}

static void rx_str(const char *s)
{
    smp_uart_rx(&u, (const uint8_t *)s, strlen(s));
}

/* The 295-byte request line of the 200-character echo. */
static size_t x200_line(char *out)
{
    size_t n = 0;
    memcpy(out, X200_B64_HEAD, strlen(X200_B64_HEAD));
    n += strlen(X200_B64_HEAD);
    while (n < 295 - strlen(X200_B64_TAIL)) {
        memcpy(out + n, "eHh4", 4);  /* base64 of "xxx" */
        n += 4;
    }
    memcpy(out + n, X200_B64_TAIL, strlen(X200_B64_TAIL));
    return n + strlen(X200_B64_TAIL);
}

static void test_echo_bytes_in_bytes_out(void **state)
{
    (void)state;
    /* one byte at a time, as a UART ISR hands them over */
    for (size_t i = 0; i < strlen(HELLO_REQ); i++) {
        struct smp_uart_drops d = smp_uart_rx(&u, (const uint8_t *)HELLO_REQ + i, 1);
        assert_int_equal(d.full + d.too_long, 0);
    }
    assert_int_equal(smp_uart_poll(&u, rsp, sizeof rsp), 1);
    assert_int_equal(uart.len, strlen(HELLO_RSP));
    assert_memory_equal(uart.out, HELLO_RSP, uart.len);
    assert_int_equal(smp_uart_stats(&u)->packets, 1);
    assert_int_equal(smp_uart_stats(&u)->rx_bytes, strlen(HELLO_REQ));
    /* nothing left: a second poll serves nothing and sends nothing */
    assert_int_equal(smp_uart_poll(&u, rsp, sizeof rsp), 0);
    assert_int_equal(uart.calls, 1);
}

static void test_long_reply_one_frame_per_output(void **state)
{
    (void)state;
    struct smp_uart_cfg cfg = { .srv = &fx.srv, .port = &port, .line_mem = &big_lines[0][0],
                                .line_size = 512, .line_count = 2, .pkt = bufs.pkt,
                                .pkt_cap = sizeof bufs.pkt };
    assert_int_equal(smp_uart_init(&u, &cfg), 0);
    char line[300];
    size_t n = x200_line(line);
    assert_int_equal(n, 295);
    smp_uart_rx(&u, (const uint8_t *)line, n);
    assert_int_equal(smp_uart_poll(&u, rsp, sizeof rsp), 1);
    /* Zephyr's reply: 124 + 124 + 44 base64 characters, each frame its own output call */
    assert_int_equal(uart.calls, 3);
    assert_int_equal(uart.len, 127 + 127 + 47);
    assert_memory_equal(uart.out, "\x06\tANcDAADNAABCAKFhcnjI", 22);
    assert_memory_equal(uart.out + 127, "\x04\x14", 2);
    assert_memory_equal(uart.out + 254, "\x04\x14", 2);
    assert_memory_equal(uart.out + uart.len - 9, "eHjHqw==\n", 9);
}

static void test_line_too_long_is_dropped(void **state)
{
    (void)state;
    char line[300];
    size_t n = x200_line(line);
    struct smp_uart_drops d = smp_uart_rx(&u, (const uint8_t *)line, n);
    assert_int_equal(d.too_long, 1);
    assert_int_equal(d.full, 0);
    assert_int_equal(smp_uart_poll(&u, rsp, sizeof rsp), 0);
    assert_int_equal(uart.calls, 0);
    /* the buffer went back to the pool: the next line is served */
    rx_str(HELLO_REQ);
    assert_int_equal(smp_uart_poll(&u, rsp, sizeof rsp), 1);
    assert_memory_equal(uart.out, HELLO_RSP, strlen(HELLO_RSP));
    assert_int_equal(smp_uart_stats(&u)->lines_too_long, 1);
}

static void test_buffers_full_drops_the_third_line(void **state)
{
    (void)state;
    assert_int_equal(SMP_UART_RX_BUF_COUNT, 2);
    rx_str(HELLO_REQ);
    rx_str(HELLO_REQ);
    struct smp_uart_drops d = smp_uart_rx(&u, (const uint8_t *)HELLO_REQ, strlen(HELLO_REQ));
    assert_int_equal(d.full, 1);
    assert_int_equal(d.too_long, 0);
    assert_int_equal(smp_uart_stats(&u)->lines_full, 1);
    /* the two buffered lines are served, in order */
    assert_int_equal(smp_uart_poll(&u, rsp, sizeof rsp), 2);
    assert_int_equal(uart.len, 2 * strlen(HELLO_RSP));
    assert_memory_equal(uart.out + strlen(HELLO_RSP), HELLO_RSP, strlen(HELLO_RSP));
}

static void test_packet_over_path_limit(void **state)
{
    (void)state;
    struct smp_uart_cfg cfg = u.cfg;
    cfg.max_packet = 16;
    assert_int_equal(smp_uart_init(&u, &cfg), 0);
    assert_int_equal(smp_uart_mtu(&u), 16);
    rx_str(HELLO_REQ);  /* a 17-byte SMP packet */
    assert_int_equal(smp_uart_poll(&u, rsp, sizeof rsp), 0);
    assert_int_equal(uart.calls, 0);
    assert_int_equal(uart.events, 1);
    assert_int_equal(uart.event_n, 17);
    assert_int_equal(smp_uart_stats(&u)->packets_too_big, 1);
    assert_true(smp_uart_packet_fits(&u, 16));
}

static void test_output_error_stops(void **state)
{
    (void)state;
    uart.fail = DFU_EIO;
    rx_str(HELLO_REQ);
    assert_int_equal(smp_uart_poll(&u, rsp, sizeof rsp), DFU_EIO);
}

static void test_reset_forgets_partial_input(void **state)
{
    (void)state;
    smp_uart_rx(&u, (const uint8_t *)HELLO_REQ, 10);
    smp_uart_reset(&u);
    /* the rest of the cut line is garbage without its start: skipped */
    rx_str(HELLO_REQ + 10);
    rx_str(HELLO_REQ);
    assert_int_equal(smp_uart_poll(&u, rsp, sizeof rsp), 1);
    assert_int_equal(uart.len, strlen(HELLO_RSP));
}

static void test_init_refuses_bad_config(void **state)
{
    (void)state;
    static const struct smp_uart_port silent = { .output = NULL };
    struct smp_uart_cfg cfg = u.cfg;
    cfg.port = &silent;
    assert_int_equal(smp_uart_init(&u, &cfg), DFU_EINVAL);
    cfg.port = &port;
    cfg.line_count = SERIAL_LINEBUF_MAX_COUNT + 1;
    assert_int_equal(smp_uart_init(&u, &cfg), DFU_EINVAL);
    cfg.line_count = 2;
    cfg.srv = NULL;
    assert_int_equal(smp_uart_init(&u, &cfg), 0);
    assert_int_equal(smp_uart_poll(&u, rsp, sizeof rsp), DFU_EINVAL);
    struct smp_peer p;
    smp_uart_peer(&p);
    assert_int_equal(p.link, SMP_PEER_SERIAL);
    assert_int_equal(p.addr_len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_echo_bytes_in_bytes_out, setup),
        cmocka_unit_test_setup(test_long_reply_one_frame_per_output, setup),
        cmocka_unit_test_setup(test_line_too_long_is_dropped, setup),
        cmocka_unit_test_setup(test_buffers_full_drops_the_third_line, setup),
        cmocka_unit_test_setup(test_packet_over_path_limit, setup),
        cmocka_unit_test_setup(test_output_error_stops, setup),
        cmocka_unit_test_setup(test_reset_forgets_partial_input, setup),
        cmocka_unit_test_setup(test_init_refuses_bad_config, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
