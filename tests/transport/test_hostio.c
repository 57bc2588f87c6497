/* Host I/O: address parsing, UDP loopback over IPv4 and IPv6, and a serial link over a
 * pseudo-terminal pair carrying real frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "dfukit/hostio.h"
#include "dfukit/serial_frame.h"

static void parse_and_format(void **state)
{
    (void)state;
    struct hostio_addr a;
    char text[64];
    assert_int_equal(hostio_addr_parse(&a, "127.0.0.1:1337", 0, AF_UNSPEC), 0);
    assert_int_equal(hostio_addr_family(&a), AF_INET);
    assert_int_equal(hostio_addr_port(&a), 1337);
    assert_int_equal(hostio_addr_format(text, sizeof(text), &a), 0);
    assert_string_equal(text, "127.0.0.1:1337");
    assert_int_equal(hostio_addr_parse(&a, "[::1]:1337", 0, AF_UNSPEC), 0);
    assert_int_equal(hostio_addr_family(&a), AF_INET6);
    assert_int_equal(hostio_addr_format(text, sizeof(text), &a), 0);
    assert_string_equal(text, "[::1]:1337");
    /* Default port, bare IPv6 literal, bracketed without port. */
    assert_int_equal(hostio_addr_parse(&a, "10.1.2.3", 1337, AF_UNSPEC), 0);
    assert_int_equal(hostio_addr_port(&a), 1337);
    assert_int_equal(hostio_addr_parse(&a, "fe80::1", 99, AF_UNSPEC), 0);
    assert_int_equal(hostio_addr_family(&a), AF_INET6);
    assert_int_equal(hostio_addr_port(&a), 99);
    assert_int_equal(hostio_addr_parse(&a, "[::]", 5, AF_INET6), 0);
    assert_int_equal(hostio_addr_port(&a), 5);
    /* Names resolve. */
    assert_int_equal(hostio_addr_parse(&a, "localhost:7", 0, AF_INET), 0);
    assert_int_equal(hostio_addr_family(&a), AF_INET);
    assert_int_equal(hostio_addr_format(text, sizeof(text), &a), 0);
    assert_string_equal(text, "127.0.0.1:7");
    /* Malformed. */
    const char *bad[] = {"", ":1337", "1.2.3.4:", "1.2.3.4:65536", "1.2.3.4:12a", "[::1",
                         "[::1]x", "[::1]:", "1.2.3.4:123456"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(hostio_addr_parse(&a, bad[i], 1, AF_UNSPEC), DFU_EINVAL);
    }
    assert_int_equal(hostio_addr_parse(&a, "[::1]:1", 1, AF_INET), DFU_EINVAL);
    assert_int_equal(hostio_addr_parse(&a, "1.2.3.4:1", 1, AF_INET6) < 0, 1);
    /* Short output buffer. */
    assert_int_equal(hostio_addr_parse(&a, "127.0.0.1:1337", 0, AF_UNSPEC), 0);
    assert_int_equal(hostio_addr_format(text, 8, &a), DFU_ENOMEM);
}

static void udp_round_trip(const char *bind_text, const char *loop_text)
{
    struct hostio_addr local, bound, peer, from;
    int srv, cli;
    assert_int_equal(hostio_addr_parse(&local, bind_text, 0, AF_UNSPEC), 0);
    assert_int_equal(hostio_udp_server(&srv, &local), 0);
    assert_int_equal(hostio_udp_local(srv, &bound), 0);
    assert_true(hostio_addr_port(&bound) != 0);
    assert_int_equal(hostio_addr_parse(&peer, loop_text, hostio_addr_port(&bound), AF_UNSPEC), 0);
    assert_int_equal(hostio_udp_client(&cli, &peer), 0);

    uint8_t buf[HOSTIO_UDP_MTU];
    /* Nothing waiting yet: non-blocking reads return 0. */
    assert_int_equal(hostio_udp_recv(srv, buf, sizeof(buf), NULL), 0);
    const uint8_t req[] = {0x0a, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0xa0};
    assert_int_equal(hostio_udp_send(cli, req, sizeof(req), NULL), 0);
    assert_int_equal(hostio_wait_readable(srv, 2000), 1);
    assert_int_equal(hostio_udp_recv(srv, buf, sizeof(buf), &from), (int)sizeof(req));
    assert_memory_equal(buf, req, sizeof(req));
    /* Reply to the sender's address. */
    uint8_t rsp[1400];
    for (size_t i = 0; i < sizeof(rsp); i++) {
        rsp[i] = (uint8_t)i;
    }
    assert_int_equal(hostio_udp_send(srv, rsp, sizeof(rsp), &from), 0);
    assert_int_equal(hostio_wait_readable(cli, 2000), 1);
    assert_int_equal(hostio_udp_recv(cli, buf, sizeof(buf), NULL), (int)sizeof(rsp));
    assert_memory_equal(buf, rsp, sizeof(rsp));
    /* A datagram longer than the buffer is consumed and reported. */
    assert_int_equal(hostio_udp_send(srv, rsp, sizeof(rsp), &from), 0);
    assert_int_equal(hostio_wait_readable(cli, 2000), 1);
    assert_int_equal(hostio_udp_recv(cli, buf, 100, NULL), DFU_ENOMEM);
    assert_int_equal(hostio_wait_readable(cli, 0), 0);
    hostio_close(cli);
    hostio_close(srv);
}

static void udp_ipv4(void **state)
{
    (void)state;
    udp_round_trip("127.0.0.1:0", "127.0.0.1");
}

static void udp_ipv6(void **state)
{
    (void)state;
    /* Containers are sometimes built without IPv6: skip rather than fail there. */
    struct hostio_addr probe;
    int fd;
    assert_int_equal(hostio_addr_parse(&probe, "[::1]:0", 0, AF_INET6), 0);
    if (hostio_udp_server(&fd, &probe) != 0) {
        skip();
    }
    hostio_close(fd);
    udp_round_trip("[::1]:0", "[::1]");
}

static void udp_port_in_use(void **state)
{
    (void)state;
    struct hostio_addr local, bound;
    int a, b;
    assert_int_equal(hostio_addr_parse(&local, "127.0.0.1:0", 0, AF_INET), 0);
    assert_int_equal(hostio_udp_server(&a, &local), 0);
    assert_int_equal(hostio_udp_local(a, &bound), 0);
    assert_int_equal(hostio_udp_server(&b, &bound), DFU_EBUSY);
    hostio_close(a);
    /* Nobody listens there any more: the connected client learns it from ICMP. */
    int cli;
    uint8_t buf[16];
    assert_int_equal(hostio_udp_client(&cli, &bound), 0);
    assert_int_equal(hostio_udp_send(cli, "x", 1, NULL), 0);
    assert_int_equal(hostio_wait_readable(cli, 2000), 1);
    assert_int_equal(hostio_udp_recv(cli, buf, sizeof(buf), NULL), DFU_ENOENT);
    hostio_close(cli);
}

static void serial_over_pty(void **state)
{
    (void)state;
    int master, slave;
    char path[128];
    assert_int_equal(hostio_pty_open(&master, path, sizeof(path)), 0);
    assert_int_equal(hostio_serial_open(&slave, path, 115200), 0);
    /* Client -> device: the worked example frame crosses the pty unchanged (raw mode: no
     * CR/LF translation, no echo). */
    const uint8_t pkt[] = {0x02, 0x00, 0x00, 0x06, 0x00, 0x00, 0x42, 0x00,
                           0xa1, 0x61, 0x64, 0x62, 0x68, 0x69};
    uint8_t wire[64], got[64], buf[256];
    int n = serial_frame_encode(wire, sizeof(wire), pkt, sizeof(pkt), NULL);
    assert_int_equal(n, 27);
    assert_int_equal(hostio_write_all(slave, wire, (size_t)n, 1000), 0);
    struct serial_deframer d;
    serial_deframer_init(&d, buf, sizeof(buf));
    size_t len = 0;
    while (len == 0) {
        assert_int_equal(hostio_wait_readable(master, 2000), 1);
        int r = hostio_read(master, got, sizeof(got));
        assert_true(r > 0);
        size_t used;
        len = serial_deframer_feed(&d, got, (size_t)r, &used);
    }
    assert_int_equal(len, sizeof(pkt));
    assert_memory_equal(buf, pkt, sizeof(pkt));
    /* Device -> client, every byte value. */
    uint8_t all[256];
    for (int i = 0; i < 256; i++) {
        all[i] = (uint8_t)i;
    }
    assert_int_equal(hostio_write_all(master, all, sizeof(all), 1000), 0);
    size_t total = 0;
    while (total < sizeof(all)) {
        assert_int_equal(hostio_wait_readable(slave, 2000), 1);
        int r = hostio_read(slave, got, sizeof(got));
        assert_true(r > 0);
        assert_memory_equal(got, all + total, (size_t)r);
        total += (size_t)r;
    }
    assert_int_equal(hostio_read(slave, got, sizeof(got)), 0);
    /* The client hangs up: the master sees it as an I/O error. */
    hostio_close(slave);
    assert_int_equal(hostio_read(master, got, sizeof(got)), DFU_EIO);
    hostio_close(master);
}

static void pty_hold_survives_clients(void **state)
{
    (void)state;
    int master, hold, client;
    char path[128];
    uint8_t got[16];
    assert_int_equal(hostio_pty_open(&master, path, sizeof(path)), 0);
    assert_int_equal(hostio_pty_hold(&hold, path), 0);
    /* With the slave held, no client means "nothing to read", not a hang-up. */
    assert_int_equal(hostio_read(master, got, sizeof(got)), 0);
    for (int round = 0; round < 3; round++) {
        assert_int_equal(hostio_serial_open(&client, path, round == 1 ? 921600 : 115200), 0);
        uint8_t msg[3] = {'a', (uint8_t)('0' + round), '\n'};
        assert_int_equal(hostio_write_all(client, msg, 3, 1000), 0);
        assert_int_equal(hostio_wait_readable(master, 2000), 1);
        assert_int_equal(hostio_read(master, got, sizeof(got)), 3);
        assert_memory_equal(got, msg, 3);
        hostio_close(client);
        assert_int_equal(hostio_read(master, got, sizeof(got)), 0);
    }
    hostio_close(hold);
    hostio_close(master);
}

static void serial_errors(void **state)
{
    (void)state;
    int fd, master;
    char path[128];
    assert_int_equal(hostio_serial_open(&fd, "/nonexistent/tty", 115200), DFU_ENOENT);
    assert_int_equal(hostio_pty_open(&master, path, sizeof(path)), 0);
    assert_int_equal(hostio_serial_open(&fd, path, 12345), DFU_EINVAL);
    assert_int_equal(hostio_serial_open(&fd, "/dev/null", 115200), DFU_EIO); /* not a tty */
    char tiny[4];
    int m2;
    assert_int_equal(hostio_pty_open(&m2, tiny, sizeof(tiny)), DFU_ENOMEM);
    hostio_close(master);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_and_format),
        cmocka_unit_test(udp_ipv4),
        cmocka_unit_test(udp_ipv6),
        cmocka_unit_test(udp_port_in_use),
        cmocka_unit_test(serial_over_pty),
        cmocka_unit_test(pty_hold_survives_clients),
        cmocka_unit_test(serial_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
