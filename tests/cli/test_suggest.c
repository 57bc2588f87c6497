/* "Did you mean": the distance and the nearest-command rule the three programs share. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dfukit/cli.h"

static void test_distance(void **state)
{
    (void)state;
    assert_int_equal(cli_distance("sign", "sign"), 0);
    assert_int_equal(cli_distance("sgin", "sign"), 2);     /* a swap is two edits */
    assert_int_equal(cli_distance("imgae", "image"), 2);
    assert_int_equal(cli_distance("", "run"), 3);
    assert_int_equal(cli_distance("kitten", "sitting"), 3);
    assert_true(cli_distance("a", "0123456789012345678901234567890123") == SIZE_MAX);
}

static void test_nearest(void **state)
{
    (void)state;
    const char *const cmds[] = {"sign", "verify", "keygen", "getpub", "getpriv", "dumpinfo"};
    size_t n = sizeof(cmds) / sizeof(cmds[0]);
    assert_int_equal(cli_nearest("sgin", cmds, n), 0);
    assert_int_equal(cli_nearest("verfy", cmds, n), 1);
    assert_int_equal(cli_nearest("dump", cmds, n), 5);      /* the only one it begins */
    assert_int_equal(cli_nearest("getp", cmds, n), -1);     /* begins two, near neither */
    assert_int_equal(cli_nearest("frobnicate", cmds, n), -1);
    assert_int_equal(cli_nearest("", cmds, n), -1);
    /* a long word may be a third wrong */
    const char *const long_cmds[] = {"bootloader-info"};
    assert_int_equal(cli_nearest("botloader-inof", long_cmds, 1), 0);
    assert_int_equal(cli_nearest("boot", long_cmds, 1), 0);        /* the only one it begins */
    assert_int_equal(cli_nearest("bootstrap", long_cmds, 1), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distance),
        cmocka_unit_test(test_nearest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
