/* Versions: MCUboot's comparison, mcumgr's and imgtool's text, imgtool's parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "dfukit/image.h"

static void image_version_parse_ok(void **state)
{
    static const struct {
        const char *text;
        struct image_version v;
    } cases[] = {
        {"0", {0, 0, 0, 0}},
        {"1", {1, 0, 0, 0}},
        {"1.1", {1, 1, 0, 0}},
        {"1.2.3", {1, 2, 3, 0}},
        {"1.2.3+4", {1, 2, 3, 4}},
        {"0.0.0+0", {0, 0, 0, 0}},
        {"255.255.65535+4294967295", {255, 255, 65535, 4294967295u}},
        {"10.20.300+4000", {10, 20, 300, 4000}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct image_version v = {9, 9, 9, 9};
        assert_int_equal(image_version_parse(&v, cases[i].text), 0);
        assert_int_equal(v.major, cases[i].v.major);
        assert_int_equal(v.minor, cases[i].v.minor);
        assert_int_equal(v.revision, cases[i].v.revision);
        assert_int_equal(v.build, cases[i].v.build);
    }
}

static void image_version_parse_bad(void **state)
{
    static const char *bad[] = {
        "", ".", "1.", "1..2", "1.2.", "1.2.3+", "+4", "1+4", "1.2+4", "1.2.3.4", "1.2.3+4+5",
        "a", "1.a", "1.2.3+x", "-1", " 1", "1 ", "01", "1.02", "1.2.003", "1.2.3+04",
        "256", "1.256", "1.2.65536", "1.2.3+4294967296", "99999999999999999999",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct image_version v = {9, 9, 9, 9};
        if (image_version_parse(&v, bad[i]) != DFU_EINVAL) {
            fail_msg("\"%s\" accepted", bad[i]);
        }
        assert_int_equal(v.major, 9); /* untouched on error */
    }
    struct image_version v;
    assert_int_equal(image_version_parse(&v, NULL), DFU_EINVAL);
}

static void image_version_compare(void **state)
{
    static const struct {
        struct image_version a, b;
        int without_build, with_build;
    } cases[] = {
        {{1, 2, 3, 4}, {1, 2, 3, 4}, 0, 0},
        {{1, 2, 3, 4}, {1, 2, 3, 5}, 0, -1},
        {{1, 2, 3, 9}, {1, 2, 4, 0}, -1, -1},
        {{1, 3, 0, 0}, {1, 2, 65535, 99}, 1, 1},
        {{2, 0, 0, 0}, {1, 255, 65535, 0xffffffffu}, 1, 1},
        {{0, 0, 0, 0xffffffffu}, {0, 0, 0, 0}, 0, 1},
        {{0, 0, 256 & 0xff, 0}, {0, 0, 255, 0}, -1, -1},
        {{0, 0, 0x100, 0}, {0, 0, 0xff, 0}, 1, 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int c0 = image_version_cmp(&cases[i].a, &cases[i].b, false);
        int c1 = image_version_cmp(&cases[i].a, &cases[i].b, true);
        int r0 = image_version_cmp(&cases[i].b, &cases[i].a, false);
        assert_int_equal((c0 > 0) - (c0 < 0), cases[i].without_build);
        assert_int_equal((c1 > 0) - (c1 < 0), cases[i].with_build);
        assert_int_equal((r0 > 0) - (r0 < 0), -cases[i].without_build);
    }
}

static void image_version_text(void **state)
{
    char buf[40];
    struct image_version v = {1, 2, 3, 4};
    assert_int_equal(image_version_format(buf, sizeof(buf), &v, true), 7);
    assert_string_equal(buf, "1.2.3.4");
    assert_int_equal(image_version_format(buf, sizeof(buf), &v, false), 5);
    assert_string_equal(buf, "1.2.3");
    assert_int_equal(image_version_format_plus(buf, sizeof(buf), &v), 7);
    assert_string_equal(buf, "1.2.3+4");
    struct image_version zero_build = {0, 10, 100, 0};
    assert_int_equal(image_version_format(buf, sizeof(buf), &zero_build, true), 8);
    assert_string_equal(buf, "0.10.100");
    assert_int_equal(image_version_format_plus(buf, sizeof(buf), &zero_build), 10);
    assert_string_equal(buf, "0.10.100+0");
    struct image_version max = {255, 255, 65535, 4294967295u};
    assert_int_equal(image_version_format(buf, sizeof(buf), &max, true), 24);
    assert_string_equal(buf, "255.255.65535.4294967295");
    assert_int_equal(image_version_format_plus(buf, 25, &max), 24);
    assert_string_equal(buf, "255.255.65535+4294967295");
    /* One byte short: nothing partial. */
    assert_int_equal(image_version_format_plus(buf, 24, &max), DFU_ENOSPC);
    assert_string_equal(buf, "");
    assert_int_equal(image_version_format(buf, 5, &v, false), DFU_ENOSPC);
    assert_int_equal(image_version_format(buf, 6, &v, false), 5);
    assert_int_equal(image_version_format(NULL, 0, &v, false), DFU_ENOSPC);
    /* Round trip through the parser. */
    struct image_version back;
    assert_int_equal(image_version_format_plus(buf, sizeof(buf), &max), 24);
    assert_int_equal(image_version_parse(&back, buf), 0);
    assert_int_equal(image_version_cmp(&back, &max, true), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(image_version_parse_ok),
        cmocka_unit_test(image_version_parse_bad),
        cmocka_unit_test(image_version_compare),
        cmocka_unit_test(image_version_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
