/* SMP error model: names of the v1 "rc" codes and of every group's v2 codes, and the one
 * place where a group code becomes the v1 rc sent to a v1 client (each group's
 * mg_translate_error in Zephyr; Zephyr's smp_protocol.rst). */
#include "dfukit/err.h"
#include "dfukit/smp.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const v1_names[] = {
    "EOK", "EUNKNOWN", "ENOMEM", "EINVAL", "ETIMEOUT", "ENOENT", "EBADSTATE", "EMSGSIZE",
    "ENOTSUP", "ECORRUPT", "EBUSY", "EACCESSDENIED", "UNSUPPORTED_TOO_OLD", "UNSUPPORTED_TOO_NEW",
};

static const char *const os_names[] = {
    "OK", "UNKNOWN", "INVALID_FORMAT", "QUERY_YIELDS_NO_ANSWER", "RTC_NOT_SET",
    "RTC_COMMAND_FAILED", "QUERY_RESPONSE_VALUE_NOT_VALID",
};

static const char *const img_names[] = {
    "OK", "UNKNOWN", "FLASH_CONFIG_QUERY_FAIL", "NO_IMAGE", "NO_TLVS", "INVALID_TLV",
    "TLV_MULTIPLE_HASHES_FOUND", "TLV_INVALID_SIZE", "HASH_NOT_FOUND", "NO_FREE_SLOT",
    "FLASH_OPEN_FAILED", "FLASH_READ_FAILED", "FLASH_WRITE_FAILED", "FLASH_ERASE_FAILED",
    "INVALID_SLOT", "NO_FREE_MEMORY", "FLASH_CONTEXT_ALREADY_SET", "FLASH_CONTEXT_NOT_SET",
    "FLASH_AREA_DEVICE_NULL", "INVALID_PAGE_OFFSET", "INVALID_OFFSET", "INVALID_LENGTH",
    "INVALID_IMAGE_HEADER", "INVALID_IMAGE_HEADER_MAGIC", "INVALID_HASH", "INVALID_FLASH_ADDRESS",
    "VERSION_GET_FAILED", "CURRENT_VERSION_IS_NEWER", "IMAGE_ALREADY_PENDING",
    "INVALID_IMAGE_VECTOR_TABLE", "INVALID_IMAGE_TOO_LARGE", "INVALID_IMAGE_DATA_OVERRUN",
    "IMAGE_CONFIRMATION_DENIED", "IMAGE_SETTING_TEST_TO_ACTIVE_DENIED", "ACTIVE_SLOT_NOT_KNOWN",
};

static const char *const stat_names[] = {
    "OK", "UNKNOWN", "INVALID_GROUP", "INVALID_STAT_NAME", "INVALID_STAT_SIZE", "WALK_ABORTED",
};

static const char *const settings_names[] = {
    "OK", "UNKNOWN", "KEY_TOO_LONG", "KEY_NOT_FOUND", "READ_NOT_SUPPORTED", "ROOT_KEY_NOT_FOUND",
    "WRITE_NOT_SUPPORTED", "DELETE_NOT_SUPPORTED", "SAVE_NOT_SUPPORTED",
};

static const char *const fs_names[] = {
    "OK", "UNKNOWN", "FILE_INVALID_NAME", "FILE_NOT_FOUND", "FILE_IS_DIRECTORY",
    "FILE_OPEN_FAILED", "FILE_SEEK_FAILED", "FILE_READ_FAILED", "FILE_TRUNCATE_FAILED",
    "FILE_DELETE_FAILED", "FILE_WRITE_FAILED", "FILE_OFFSET_NOT_VALID",
    "FILE_OFFSET_LARGER_THAN_FILE", "CHECKSUM_HASH_NOT_FOUND", "MOUNT_POINT_NOT_FOUND",
    "READ_ONLY_FILESYSTEM", "FILE_EMPTY",
};

static const char *const shell_names[] = {"OK", "UNKNOWN", "COMMAND_TOO_LONG", "EMPTY_COMMAND"};

static const char *const enum_names[] = {
    "OK", "UNKNOWN", "TOO_MANY_GROUP_ENTRIES", "INSUFFICIENT_HEAP_FOR_ENTRIES", "INDEX_TOO_LARGE",
};

static const char *const basic_names[] = {
    "OK", "UNKNOWN", "FLASH_OPEN_FAILED", "FLASH_CONFIG_QUERY_FAIL", "FLASH_ERASE_FAILED",
};

static const char *pick(const char *const *names, size_t count, int rc)
{
    return rc >= 0 && (size_t)rc < count ? names[rc] : "UNKNOWN";
}

const char *smp_err_name(int rc)
{
    if (rc >= SMP_ERR_EPERUSER) {
        return "EPERUSER";
    }
    return pick(v1_names, COUNT(v1_names), rc);
}

const char *smp_group_err_name(uint16_t group, int group_rc)
{
    switch (group) {
    case SMP_GROUP_OS: return pick(os_names, COUNT(os_names), group_rc);
    case SMP_GROUP_IMAGE: return pick(img_names, COUNT(img_names), group_rc);
    case SMP_GROUP_STAT: return pick(stat_names, COUNT(stat_names), group_rc);
    case SMP_GROUP_SETTINGS: return pick(settings_names, COUNT(settings_names), group_rc);
    case SMP_GROUP_FS: return pick(fs_names, COUNT(fs_names), group_rc);
    case SMP_GROUP_SHELL: return pick(shell_names, COUNT(shell_names), group_rc);
    case SMP_GROUP_ENUM: return pick(enum_names, COUNT(enum_names), group_rc);
    case SMP_GROUP_ZEPHYR_BASIC: return pick(basic_names, COUNT(basic_names), group_rc);
    default: return "UNKNOWN";
    }
}

static int translate_img(int rc)
{
    switch (rc) {
    case IMG_ERR_NO_IMAGE:
    case IMG_ERR_NO_TLVS:
        return SMP_ERR_ENOENT;
    case IMG_ERR_NO_FREE_SLOT:
    case IMG_ERR_CURRENT_VERSION_IS_NEWER:
    case IMG_ERR_IMAGE_ALREADY_PENDING:
        return SMP_ERR_EBADSTATE;
    case IMG_ERR_NO_FREE_MEMORY:
        return SMP_ERR_ENOMEM;
    case IMG_ERR_INVALID_SLOT:
    case IMG_ERR_INVALID_PAGE_OFFSET:
    case IMG_ERR_INVALID_OFFSET:
    case IMG_ERR_INVALID_LENGTH:
    case IMG_ERR_INVALID_IMAGE_HEADER:
    case IMG_ERR_INVALID_HASH:
    case IMG_ERR_INVALID_FLASH_ADDRESS:
        return SMP_ERR_EINVAL;
    default:
        return SMP_ERR_EUNKNOWN;
    }
}

static int translate_os(int rc)
{
    switch (rc) {
    case OS_ERR_INVALID_FORMAT: return SMP_ERR_EINVAL;
    case OS_ERR_QUERY_YIELDS_NO_ANSWER:
    case OS_ERR_RTC_NOT_SET: return SMP_ERR_ENOENT;
    default: return SMP_ERR_EUNKNOWN;
    }
}

static int translate_stat(int rc)
{
    switch (rc) {
    case STAT_ERR_INVALID_GROUP:
    case STAT_ERR_INVALID_STAT_NAME: return SMP_ERR_ENOENT;
    case STAT_ERR_INVALID_STAT_SIZE: return SMP_ERR_EINVAL;
    default: return SMP_ERR_EUNKNOWN;
    }
}

static int translate_settings(int rc)
{
    switch (rc) {
    case SETTINGS_ERR_KEY_TOO_LONG: return SMP_ERR_EINVAL;
    case SETTINGS_ERR_KEY_NOT_FOUND:
    case SETTINGS_ERR_READ_NOT_SUPPORTED: return SMP_ERR_ENOENT;
    default: return SMP_ERR_EUNKNOWN;
    }
}

static int translate_fs(int rc)
{
    switch (rc) {
    case FS_ERR_FILE_INVALID_NAME:
    case FS_ERR_CHECKSUM_HASH_NOT_FOUND: return SMP_ERR_EINVAL;
    case FS_ERR_FILE_NOT_FOUND:
    case FS_ERR_MOUNT_POINT_NOT_FOUND: return SMP_ERR_ENOENT;
    default: return SMP_ERR_EUNKNOWN;
    }
}

static int translate_shell(int rc)
{
    return rc == SHELL_ERR_COMMAND_TOO_LONG || rc == SHELL_ERR_EMPTY_COMMAND ? SMP_ERR_EINVAL
                                                                            : SMP_ERR_EUNKNOWN;
}

static int translate_enum(int rc)
{
    return rc == ENUM_ERR_TOO_MANY_GROUP_ENTRIES ? SMP_ERR_EINVAL : SMP_ERR_EUNKNOWN;
}

int smp_translate_group_err(uint16_t group, int group_rc)
{
    if (group_rc == 0) {
        return SMP_ERR_EOK;
    }
    switch (group) {
    case SMP_GROUP_OS: return translate_os(group_rc);
    case SMP_GROUP_IMAGE: return translate_img(group_rc);
    case SMP_GROUP_STAT: return translate_stat(group_rc);
    case SMP_GROUP_SETTINGS: return translate_settings(group_rc);
    case SMP_GROUP_FS: return translate_fs(group_rc);
    case SMP_GROUP_SHELL: return translate_shell(group_rc);
    case SMP_GROUP_ENUM: return translate_enum(group_rc);
    default: return SMP_ERR_EUNKNOWN;
    }
}
