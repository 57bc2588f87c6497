/* The mcumgr program against the fake device: what it prints for replies no real board gives
 * (a reply without the promised fields, a group error) and that its request is the library's,
 * byte for byte. Runs the built program, so the exact text and exit code are checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "dfukit/smp.h"
#include "fake_device.h"

static struct fake_device dev;

static int setup(void **state)
{
    (void)state;
    fake_defaults(&dev);
    return fake_start(&dev, false) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    fake_stop(&dev);
    return 0;
}

/* Runs `mcumgr --conntype udp --connstring [127.0.0.1]:PORT args`; stdout and stderr into out
 * (in that order), the exit status returned. */
static int run(const char *args, char *out, size_t cap)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "'%s' -t 2 --conntype udp --connstring '[127.0.0.1]:%u' %s 2>&1",
             MCUMGR_PATH, dev.port, args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void canned(const char *cbor, size_t n)
{
    memcpy(dev.canned, cbor, n);
    dev.canned_len = n;
}

static void test_reply_without_fields(void **state)
{
    (void)state;
    char out[512];
    canned("\xa0", 1);
    assert_int_equal(run("stat smp", out, sizeof(out)), 1);
    assert_string_equal(out, "mcumgr: stat: the device's answer lacks the expected fields\n");
    assert_int_equal(run("fs stat /lfs/x", out, sizeof(out)), 1);
    assert_string_equal(out, "mcumgr: fs stat: the device's answer lacks the expected fields\n");
    /* the request was the library's: {"name": "/lfs/x"} to 8/1 */
    static const uint8_t want[] = "\xa1\x64name\x66/lfs/x";
    assert_int_equal(dev.last_req_len, SMP_HDR_SIZE + sizeof(want) - 1);
    assert_int_equal(dev.last_req[5], SMP_GROUP_FS);
    assert_int_equal(dev.last_req[7], FS_ID_STATUS);
    assert_memory_equal(dev.last_req + SMP_HDR_SIZE, want, sizeof(want) - 1);
}

static void test_group_error_and_output(void **state)
{
    (void)state;
    char out[512];
    /* {"err": {"group": 3, "rc": 3}} */
    canned("\xa1\x63" "err\xa2\x65group\x03\x62rc\x03", 17);
    assert_int_equal(run("settings read a/b", out, sizeof(out)), 1);
    assert_string_equal(out, "mcumgr: settings read: KEY_NOT_FOUND (3)\n");
    /* {"val": h'01ff'}: bytes that are not text print as hex */
    canned("\xa1\x63val\x42\x01\xff", 8);
    assert_int_equal(run("settings read a/b", out, sizeof(out)), 0);
    assert_string_equal(out, "val: 01ff\n");
    /* {"groups": [0, 1]} */
    canned("\xa1\x66groups\x82\x00\x01", 11);
    assert_int_equal(run("enum list", out, sizeof(out)), 0);
    assert_string_equal(out, "group 0\ngroup 1\n");
    assert_int_equal(run("--json enum list", out, sizeof(out)), 0);
    assert_string_equal(out, "{\n  \"groups\": [\n    0,\n    1\n  ]\n}\n");
    dev.canned_len = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reply_without_fields),
        cmocka_unit_test(test_group_error_and_output),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
