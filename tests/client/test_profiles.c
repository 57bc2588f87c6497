/* Connection profiles: the Go tool's file format, byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "client_test_util.h"
#include "dfukit/client.h"
#include "dfukit/err.h"

static struct client_profile prof(const char *name, const char *type, const char *cs)
{
    struct client_profile p;
    memset(&p, 0, sizeof(p));
    snprintf(p.name, sizeof(p.name), "%s", name);
    snprintf(p.type, sizeof(p.type), "%s", type);
    snprintf(p.connstring, sizeof(p.connstring), "%s", cs);
    return p;
}

/* The file `mcumgr conn add test type=udp connstring=[127.0.0.1]:1337` wrote. */
static void test_format_matches_go_vector(void **state)
{
    (void)state;
    char *raw = (char *)tf_read_file(DFU_VECTORS_DIR "/smp/mcumgr-conn-profile.txt", NULL);
    char *expected = ctu_strip_comments(raw);
    struct client_profiles p;
    client_profiles_init(&p);
    struct client_profile t = prof("test", "udp", "[127.0.0.1]:1337");
    assert_int_equal(client_profiles_put(&p, &t), 0);
    char *text = client_profiles_format(&p);
    assert_string_equal(text, expected);

    /* and the Go file parses back to the same profile */
    struct client_profiles q;
    assert_int_equal(client_profiles_parse(&q, expected, strlen(expected)), 0);
    assert_int_equal(q.count, 1);
    assert_string_equal(q.items[0].name, "test");
    assert_string_equal(q.items[0].type, "udp");
    assert_string_equal(q.items[0].connstring, "[127.0.0.1]:1337");
    client_profiles_free(&q);
    client_profiles_free(&p);
    free(text);
    free(expected);
    free(raw);
}

static void test_sorted_replaced_removed(void **state)
{
    (void)state;
    struct client_profiles p;
    client_profiles_init(&p);
    struct client_profile a = prof("zeta", "serial", "dev=/dev/ttyACM0,baud=115200");
    struct client_profile b = prof("USB0", "serial", "/dev/ttyUSB0,115200");
    struct client_profile c = prof("alpha", "udp", "[::1]:1337");
    struct client_profile c2 = prof("alpha", "udp", "127.0.0.1:1338");
    assert_int_equal(client_profiles_put(&p, &a), 0);
    assert_int_equal(client_profiles_put(&p, &b), 0);
    assert_int_equal(client_profiles_put(&p, &c), 0);
    assert_int_equal(client_profiles_put(&p, &c2), 0);
    assert_int_equal(p.count, 3);
    /* Go sorts by byte order: upper case first */
    assert_string_equal(p.items[0].name, "USB0");
    assert_string_equal(p.items[1].name, "alpha");
    assert_string_equal(p.items[1].connstring, "127.0.0.1:1338");
    assert_string_equal(p.items[2].name, "zeta");
    assert_non_null(client_profiles_find(&p, "zeta"));
    assert_null(client_profiles_find(&p, "nope"));
    assert_int_equal(client_profiles_remove(&p, "alpha"), 0);
    assert_int_equal(client_profiles_remove(&p, "alpha"), DFU_ENOENT);
    char *text = client_profiles_format(&p);
    assert_string_equal(text,
                        "[\n"
                        "    {\n"
                        "        \"MyName\": \"USB0\",\n"
                        "        \"MyType\": \"serial\",\n"
                        "        \"MyConnString\": \"/dev/ttyUSB0,115200\"\n"
                        "    },\n"
                        "    {\n"
                        "        \"MyName\": \"zeta\",\n"
                        "        \"MyType\": \"serial\",\n"
                        "        \"MyConnString\": \"dev=/dev/ttyACM0,baud=115200\"\n"
                        "    }\n"
                        "]");
    free(text);
    client_profiles_free(&p);
}

/* Go's encoder escapes quotes, backslashes, controls and (HTML-safe) < > &. */
static void test_escaping_round_trip(void **state)
{
    (void)state;
    struct client_profiles p, q;
    client_profiles_init(&p);
    struct client_profile a = prof("we\"ird\\<&>", "ble", "peer_name=A\tB\x01");
    assert_int_equal(client_profiles_put(&p, &a), 0);
    char *text = client_profiles_format(&p);
    assert_non_null(strstr(text, "\"MyName\": \"we\\\"ird\\\\\\u003c\\u0026\\u003e\""));
    assert_non_null(strstr(text, "\"MyConnString\": \"peer_name=A\\tB\\u0001\""));
    assert_int_equal(client_profiles_parse(&q, text, strlen(text)), 0);
    assert_int_equal(q.count, 1);
    assert_string_equal(q.items[0].name, a.name);
    assert_string_equal(q.items[0].connstring, a.connstring);
    client_profiles_free(&q);
    client_profiles_free(&p);
    free(text);
}

static void test_parse_rejects_garbage(void **state)
{
    (void)state;
    static const char *bad[] = {
        "", "{", "[", "[{]", "[{\"MyName\": 1}]", "[{\"MyName\": \"a\"} x]",
        "[{\"Other\": \"a\"}]", "[{\"MyName\": \"a\"},]", "[{\"MyName\": \"\\uD800\"}]",
        "[{\"MyName\": \"a\\q\"}]", "[{\"MyType\": \"udp\"}]", "[] trailing",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct client_profiles p;
        assert_int_equal(client_profiles_parse(&p, bad[i], strlen(bad[i])), DFU_EBADMSG);
        assert_int_equal(p.count, 0);
    }
    struct client_profiles p;
    assert_int_equal(client_profiles_parse(&p, "null", 4), 0);
    assert_int_equal(p.count, 0);
    assert_int_equal(client_profiles_parse(&p, " [ ] ", 5), 0);
    const char *other_order = "[{\"MyConnString\":\"x:1\",\"MyType\":\"udp\",\"MyName\":\"n\\u00e9\"}]";
    assert_int_equal(client_profiles_parse(&p, other_order, strlen(other_order)), 0);
    assert_int_equal(p.count, 1);
    assert_string_equal(p.items[0].name, "n\xc3\xa9");
    client_profiles_free(&p);
}

static void test_file_round_trip(void **state)
{
    (void)state;
    mkdir(DFU_TEST_TMP, 0755);
    const char *path = DFU_TEST_TMP "/client_profiles.json";
    remove(path);
    struct client_profiles p;
    assert_int_equal(client_profiles_load(&p, path), 0); /* missing file: empty list */
    assert_int_equal(p.count, 0);
    struct client_profile a = prof("board", "serial", "dev=/tmp/x,baud=1000000,mtu=512");
    assert_int_equal(client_profiles_put(&p, &a), 0);
    assert_int_equal(client_profiles_save(&p, path), 0);
    client_profiles_free(&p);
    assert_int_equal(client_profiles_load(&p, path), 0);
    assert_int_equal(p.count, 1);
    assert_string_equal(p.items[0].connstring, "dev=/tmp/x,baud=1000000,mtu=512");
    size_t len;
    char *text = (char *)tf_read_file(path, &len);
    assert_int_equal(text[len - 1], ']'); /* no final newline, as Go writes it */
    free(text);
    client_profiles_free(&p);

    char home_path[512];
    setenv("HOME", "/home/someone", 1);
    assert_int_equal(client_profiles_path(home_path, sizeof(home_path)), 0);
    assert_string_equal(home_path, "/home/someone/.mcumgr.cp.json");
    assert_int_equal(client_profiles_path(home_path, 10), DFU_ENOMEM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_matches_go_vector),
        cmocka_unit_test(test_sorted_replaced_removed),
        cmocka_unit_test(test_escaping_round_trip),
        cmocka_unit_test(test_parse_rejects_garbage),
        cmocka_unit_test(test_file_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
