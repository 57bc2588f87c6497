/* Error names and the v1 translation of group codes (Zephyr's smp_protocol.rst). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/smp.h"

static void test_v1_names(void **state)
{
    (void)state;
    assert_string_equal(smp_err_name(SMP_ERR_EOK), "EOK");
    assert_string_equal(smp_err_name(SMP_ERR_EBADSTATE), "EBADSTATE");
    assert_string_equal(smp_err_name(SMP_ERR_UNSUPPORTED_TOO_NEW), "UNSUPPORTED_TOO_NEW");
    assert_string_equal(smp_err_name(300), "EPERUSER");
    assert_string_equal(smp_err_name(14), "UNKNOWN");
    assert_string_equal(smp_err_name(-1), "UNKNOWN");
}

static void test_group_names(void **state)
{
    (void)state;
    assert_string_equal(smp_group_err_name(SMP_GROUP_IMAGE, IMG_ERR_IMAGE_ALREADY_PENDING),
                        "IMAGE_ALREADY_PENDING");
    assert_string_equal(smp_group_err_name(SMP_GROUP_IMAGE, IMG_ERR_ACTIVE_SLOT_NOT_KNOWN),
                        "ACTIVE_SLOT_NOT_KNOWN");
    assert_string_equal(smp_group_err_name(SMP_GROUP_IMAGE, 35), "UNKNOWN");
    assert_string_equal(smp_group_err_name(SMP_GROUP_OS, OS_ERR_RTC_NOT_SET), "RTC_NOT_SET");
    assert_string_equal(smp_group_err_name(SMP_GROUP_FS, FS_ERR_FILE_EMPTY), "FILE_EMPTY");
    assert_string_equal(smp_group_err_name(SMP_GROUP_SETTINGS, SETTINGS_ERR_SAVE_NOT_SUPPORTED),
                        "SAVE_NOT_SUPPORTED");
    assert_string_equal(smp_group_err_name(SMP_GROUP_STAT, STAT_ERR_WALK_ABORTED), "WALK_ABORTED");
    assert_string_equal(smp_group_err_name(SMP_GROUP_SHELL, SHELL_ERR_EMPTY_COMMAND),
                        "EMPTY_COMMAND");
    assert_string_equal(smp_group_err_name(SMP_GROUP_ENUM, ENUM_ERR_INDEX_TOO_LARGE),
                        "INDEX_TOO_LARGE");
    assert_string_equal(smp_group_err_name(SMP_GROUP_ZEPHYR_BASIC, 4), "FLASH_ERASE_FAILED");
    assert_string_equal(smp_group_err_name(200, 1), "UNKNOWN");
}

/* Every image code against the table of Zephyr's smp_protocol.rst. */
static void test_translate_image(void **state)
{
    (void)state;
    for (int rc = 1; rc <= IMG_ERR_ACTIVE_SLOT_NOT_KNOWN; rc++) {
        int want = SMP_ERR_EUNKNOWN;
        switch (rc) {
        case IMG_ERR_NO_IMAGE:
        case IMG_ERR_NO_TLVS: want = SMP_ERR_ENOENT; break;
        case IMG_ERR_NO_FREE_SLOT:
        case IMG_ERR_CURRENT_VERSION_IS_NEWER:
        case IMG_ERR_IMAGE_ALREADY_PENDING: want = SMP_ERR_EBADSTATE; break;
        case IMG_ERR_NO_FREE_MEMORY: want = SMP_ERR_ENOMEM; break;
        case IMG_ERR_INVALID_SLOT:
        case IMG_ERR_INVALID_PAGE_OFFSET:
        case IMG_ERR_INVALID_OFFSET:
        case IMG_ERR_INVALID_LENGTH:
        case IMG_ERR_INVALID_IMAGE_HEADER:
        case IMG_ERR_INVALID_HASH:
        case IMG_ERR_INVALID_FLASH_ADDRESS: want = SMP_ERR_EINVAL; break;
        default: break;
        }
        assert_int_equal(smp_translate_group_err(SMP_GROUP_IMAGE, rc), want);
    }
    assert_int_equal(smp_translate_group_err(SMP_GROUP_IMAGE, 0), SMP_ERR_EOK);
}

static void test_translate_other_groups(void **state)
{
    (void)state;
    assert_int_equal(smp_translate_group_err(SMP_GROUP_OS, OS_ERR_INVALID_FORMAT), SMP_ERR_EINVAL);
    assert_int_equal(smp_translate_group_err(SMP_GROUP_OS, OS_ERR_QUERY_YIELDS_NO_ANSWER),
                     SMP_ERR_ENOENT);
    assert_int_equal(smp_translate_group_err(SMP_GROUP_OS, OS_ERR_RTC_NOT_SET), SMP_ERR_ENOENT);
    assert_int_equal(smp_translate_group_err(SMP_GROUP_OS, OS_ERR_RTC_COMMAND_FAILED),
                     SMP_ERR_EUNKNOWN);
    assert_int_equal(smp_translate_group_err(SMP_GROUP_FS, FS_ERR_FILE_NOT_FOUND), SMP_ERR_ENOENT);
    assert_int_equal(smp_translate_group_err(SMP_GROUP_FS, FS_ERR_FILE_INVALID_NAME),
                     SMP_ERR_EINVAL);
    assert_int_equal(smp_translate_group_err(SMP_GROUP_FS, FS_ERR_READ_ONLY_FILESYSTEM),
                     SMP_ERR_EUNKNOWN);
    assert_int_equal(smp_translate_group_err(SMP_GROUP_SETTINGS, SETTINGS_ERR_KEY_NOT_FOUND),
                     SMP_ERR_ENOENT);
    assert_int_equal(smp_translate_group_err(SMP_GROUP_SETTINGS, SETTINGS_ERR_KEY_TOO_LONG),
                     SMP_ERR_EINVAL);
    assert_int_equal(smp_translate_group_err(SMP_GROUP_STAT, STAT_ERR_INVALID_GROUP),
                     SMP_ERR_ENOENT);
    assert_int_equal(smp_translate_group_err(SMP_GROUP_STAT, STAT_ERR_INVALID_STAT_SIZE),
                     SMP_ERR_EINVAL);
    assert_int_equal(smp_translate_group_err(SMP_GROUP_SHELL, SHELL_ERR_EMPTY_COMMAND),
                     SMP_ERR_EINVAL);
    assert_int_equal(smp_translate_group_err(SMP_GROUP_ENUM, ENUM_ERR_TOO_MANY_GROUP_ENTRIES),
                     SMP_ERR_EINVAL);
    assert_int_equal(smp_translate_group_err(SMP_GROUP_ENUM, ENUM_ERR_INDEX_TOO_LARGE),
                     SMP_ERR_EUNKNOWN);
    assert_int_equal(smp_translate_group_err(300, 5), SMP_ERR_EUNKNOWN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v1_names),
        cmocka_unit_test(test_group_names),
        cmocka_unit_test(test_translate_image),
        cmocka_unit_test(test_translate_other_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
