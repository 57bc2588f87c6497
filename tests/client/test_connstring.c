/* Connection strings in the Go tool's syntax, and connection types. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/client.h"
#include "dfukit/err.h"

static void test_serial_forms(void **state)
{
    (void)state;
    struct client_conn c;
    char msg[128];
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_SERIAL, "dev=/dev/ttyACM0,baud=1000000,mtu=512", msg, sizeof(msg)), 0);
    assert_string_equal(c.dev, "/dev/ttyACM0");
    assert_int_equal(c.baud, 1000000);
    assert_int_equal(c.mtu, 512);
    /* the guide's bare form */
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_SERIAL, "/dev/ttyUSB0,115200", msg, sizeof(msg)), 0);
    assert_string_equal(c.dev, "/dev/ttyUSB0");
    assert_int_equal(c.baud, 115200);
    assert_int_equal(c.mtu, CLIENT_SERIAL_MTU_DEFAULT);
    /* defaults, and connextra appended after a comma */
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_SERIAL, "/dev/pts/3", msg, sizeof(msg)), 0);
    assert_int_equal(c.baud, CLIENT_SERIAL_BAUD_DEFAULT);
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_SERIAL, "dev=/dev/pts/3,baud=9600,mtu=256", msg, sizeof(msg)), 0);
    assert_int_equal(c.mtu, 256);
    assert_int_equal(c.type, CLIENT_CONN_SERIAL);
}

static void test_serial_errors(void **state)
{
    (void)state;
    struct client_conn c;
    char msg[128];
    static const char *bad[] = {
        "baud=115200", "dev=/x,baud=fast", "dev=/x,baud=0", "dev=/x,mtu=4", "dev=/x,color=red",
        "/x,115200,extra", "/x,12a", "dev=/x,baud=99999999999",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        msg[0] = '\0';
        assert_int_equal(client_conn_parse(&c, CLIENT_CONN_SERIAL, bad[i], msg, sizeof(msg)), DFU_EINVAL);
        assert_true(strlen(msg) > 0);
    }
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_SERIAL, "", msg, sizeof(msg)), DFU_EINVAL);
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_SERIAL, NULL, msg, sizeof(msg)), DFU_EINVAL);
}

static void test_udp_forms(void **state)
{
    (void)state;
    struct client_conn c;
    char msg[128];
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_UDP, "[127.0.0.1]:1337", msg, sizeof(msg)), 0);
    assert_string_equal(c.host, "127.0.0.1");
    assert_int_equal(c.port, 1337);
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_UDP, "[::1]:5683", msg, sizeof(msg)), 0);
    assert_string_equal(c.host, "::1");
    assert_int_equal(c.port, 5683);
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_UDP, "localhost:9", msg, sizeof(msg)), 0);
    assert_string_equal(c.host, "localhost");
    assert_int_equal(c.port, 9);
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_UDP, "192.0.2.1", msg, sizeof(msg)), 0);
    assert_int_equal(c.port, CLIENT_UDP_PORT_DEFAULT);
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_UDP, "fe80::1", msg, sizeof(msg)), 0);
    assert_string_equal(c.host, "fe80::1");
    static const char *bad[] = {"[::1", "[::1]x", ":1337", "host:0", "host:65536", "host:http", "[]:1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(client_conn_parse(&c, CLIENT_CONN_UDP, bad[i], msg, sizeof(msg)), DFU_EINVAL);
    }
}

/* exec: options first, then cmd= takes the rest, commas included (socat's addresses). */
static void test_exec_forms(void **state)
{
    (void)state;
    struct client_conn c;
    char msg[128];
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_EXEC,
                                       "cmd=ssh helper socat - /dev/ttyACM0,raw,echo=0,b115200",
                                       msg, sizeof(msg)), 0);
    assert_string_equal(c.cmd, "ssh helper socat - /dev/ttyACM0,raw,echo=0,b115200");
    assert_false(c.raw);
    assert_int_equal(c.mtu, CLIENT_SERIAL_MTU_DEFAULT);
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_EXEC, "raw=1,mtu=256,cmd=relay a,b",
                                       msg, sizeof(msg)), 0);
    assert_true(c.raw);
    assert_int_equal(c.mtu, 256);
    assert_string_equal(c.cmd, "relay a,b");
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_EXEC, "raw=1", msg, sizeof(msg)),
                     DFU_EINVAL);
    assert_string_equal(msg, "exec connstring needs a command (cmd=COMMAND, last)");
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_EXEC, "cmd=", msg, sizeof(msg)),
                     DFU_EINVAL);
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_EXEC, "raw=2,cmd=x", msg, sizeof(msg)),
                     DFU_EINVAL);
    assert_string_equal(msg, "invalid raw '2' (0 or 1)");
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_EXEC, "speed=9,cmd=x", msg, sizeof(msg)),
                     DFU_EINVAL);
    assert_string_equal(msg, "unknown exec connstring key 'speed' (raw=, mtu=, then cmd= last)");
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_SERIAL, "dev=/x,raw=1", msg, sizeof(msg)),
                     0);
    assert_true(c.raw);
    enum client_conn_type t;
    assert_int_equal(client_conn_type_parse("exec", &t), 0);
    assert_int_equal(t, CLIENT_CONN_EXEC);
    assert_string_equal(client_conn_type_name(CLIENT_CONN_EXEC), "exec");
}

static void test_ble_and_types(void **state)
{
    (void)state;
    struct client_conn c;
    enum client_conn_type t;
    char msg[128];
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_BLE, "peer_name=ALICE", msg, sizeof(msg)), 0);
    assert_string_equal(c.peer_name, "ALICE");
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_BLE, "peer_id=aa:bb:cc:dd:ee:ff,conn_timeout=5", msg, sizeof(msg)), 0);
    assert_string_equal(c.peer_id, "aa:bb:cc:dd:ee:ff");
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_BLE, "ALICE", msg, sizeof(msg)), DFU_EINVAL);
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_BLE, "conn_timeout=5", msg, sizeof(msg)), DFU_EINVAL);

    /* the Go tool's other keys: the adapter, and how long discovery looks (seconds) */
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_BLE, "peer_name=ALICE,ctlr_name=hci1,conn_timeout=2.5,own_addr_type=1", msg, sizeof(msg)), 0);
    assert_string_equal(c.ctlr_name, "hci1");
    assert_int_equal(c.conn_timeout_ms, 2500);
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_BLE, "peer_name=ALICE,conn_timeout=soon", msg, sizeof(msg)), DFU_EINVAL);
    assert_string_equal(msg, "invalid conn_timeout 'soon' (seconds, 0.1..3600)");
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_BLE, "peer_name=ALICE,pin=1234", msg, sizeof(msg)), DFU_EINVAL);
    assert_string_equal(msg, "unknown ble connstring key 'pin' (peer_name=, peer_id=, ctlr_name=, conn_timeout=)");

    /* BLE without a reachable system bus: a clear error, not a crash */
    struct client_xport x;
    setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/dfukit-bus", 1);
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_BLE, "peer_name=ALICE", msg, sizeof(msg)), 0);
    assert_int_equal(client_xport_open(&x, &c, msg, sizeof(msg)), DFU_EIO);
    assert_string_equal(msg, "cannot reach the D-Bus system bus (No such file or directory): is dbus running?");
    assert_int_equal(client_conn_type_parse("blue", &t), 0);
    assert_int_equal(t, CLIENT_CONN_BLE);

    assert_int_equal(client_conn_type_parse("serial", &t), 0);
    assert_int_equal(t, CLIENT_CONN_SERIAL);
    assert_int_equal(client_conn_type_parse("udp", &t), 0);
    assert_int_equal(t, CLIENT_CONN_UDP);
    assert_int_equal(client_conn_type_parse("oic_ble", &t), 0);
    assert_int_equal(t, CLIENT_CONN_BLE);
    assert_int_equal(client_conn_type_parse("carrier-pigeon", &t), DFU_EINVAL);
    assert_int_equal(client_conn_parse(&c, CLIENT_CONN_NONE, "x", msg, sizeof(msg)), DFU_EINVAL);
    assert_string_equal(client_conn_type_name(CLIENT_CONN_UDP), "udp");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serial_forms),
        cmocka_unit_test(test_serial_errors),
        cmocka_unit_test(test_udp_forms),
        cmocka_unit_test(test_ble_and_types),
        cmocka_unit_test(test_exec_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
