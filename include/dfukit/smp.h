/* SMP (mcumgr) protocol core, shared by the device server and the host client: the 8-byte
 * header, groups, command ids, ops, and the error model (v1 "rc", v2 "err {group, rc}"). The
 * one place that vocabulary is defined: server handler tables and client requests use these
 * names. Facts: Zephyr's mcumgr group headers (os_mgmt.h, img_mgmt.h, ...). */
#ifndef DFUKIT_SMP_H
#define DFUKIT_SMP_H

#include <stddef.h>
#include <stdint.h>

#define SMP_HDR_SIZE 8

enum smp_op {
    SMP_OP_READ = 0,
    SMP_OP_READ_RSP = 1,
    SMP_OP_WRITE = 2,
    SMP_OP_WRITE_RSP = 3,
};

enum smp_version {
    SMP_V1 = 0,
    SMP_V2 = 1,
};

enum smp_group {
    SMP_GROUP_OS = 0,
    SMP_GROUP_IMAGE = 1,
    SMP_GROUP_STAT = 2,
    SMP_GROUP_SETTINGS = 3,
    SMP_GROUP_LOG = 4,
    SMP_GROUP_CRASH = 5,
    SMP_GROUP_SPLIT = 6,
    SMP_GROUP_RUN = 7,
    SMP_GROUP_FS = 8,
    SMP_GROUP_SHELL = 9,
    SMP_GROUP_ENUM = 10,
    SMP_GROUP_ZEPHYR_BASIC = 63,
    SMP_GROUP_PERUSER = 64,
};

/* Command ids of each group (the header's id byte), Zephyr's numbering. */
enum smp_os_id {
    OS_ID_ECHO = 0, OS_ID_CONS_ECHO_CTRL = 1, OS_ID_TASKSTAT = 2, OS_ID_MPSTAT = 3,
    OS_ID_DATETIME = 4, OS_ID_RESET = 5, OS_ID_MCUMGR_PARAMS = 6, OS_ID_INFO = 7,
    OS_ID_BOOTLOADER_INFO = 8,
};
enum smp_img_id {
    IMG_ID_STATE = 0, IMG_ID_UPLOAD = 1, IMG_ID_FILE = 2, IMG_ID_CORELIST = 3,
    IMG_ID_CORELOAD = 4, IMG_ID_ERASE = 5, IMG_ID_SLOT_INFO = 6,
};
enum smp_stat_id { STAT_ID_READ = 0, STAT_ID_LIST = 1 };
enum smp_settings_id {
    SETTINGS_ID_READ_WRITE = 0, SETTINGS_ID_DELETE = 1, SETTINGS_ID_COMMIT = 2,
    SETTINGS_ID_LOAD_SAVE = 3,
};
enum smp_fs_id {
    FS_ID_FILE = 0, FS_ID_STATUS = 1, FS_ID_HASH_CHECKSUM = 2, FS_ID_SUPPORTED_HASH = 3,
    FS_ID_CLOSE = 4,
};
enum smp_shell_id { SHELL_ID_EXEC = 0 };
enum smp_enum_id { ENUM_ID_COUNT = 0, ENUM_ID_LIST = 1, ENUM_ID_SINGLE = 2, ENUM_ID_DETAILS = 3 };

/* The body of a request without arguments: an empty CBOR map. */
#define SMP_EMPTY_MAP ((const uint8_t *)"\xa0")
#define SMP_EMPTY_MAP_LEN 1u

/* The header, decoded (big-endian on the wire). */
struct smp_hdr {
    uint8_t version;  /* enum smp_version */
    uint8_t op;       /* enum smp_op */
    uint8_t flags;
    uint16_t len;     /* CBOR payload length, header not counted */
    uint16_t group;
    uint8_t seq;
    uint8_t id;
};

void smp_hdr_encode(uint8_t out[SMP_HDR_SIZE], const struct smp_hdr *h);
/* DFU_EBADMSG when fewer than 8 bytes. Does not judge version or op. */
int smp_hdr_decode(struct smp_hdr *out, const uint8_t *buf, size_t len);

/* SMP v1 result codes ("rc"), enum mcumgr_err_t. */
enum smp_err {
    SMP_ERR_EOK = 0,
    SMP_ERR_EUNKNOWN = 1,
    SMP_ERR_ENOMEM = 2,
    SMP_ERR_EINVAL = 3,
    SMP_ERR_ETIMEOUT = 4,
    SMP_ERR_ENOENT = 5,
    SMP_ERR_EBADSTATE = 6,
    SMP_ERR_EMSGSIZE = 7,
    SMP_ERR_ENOTSUP = 8,
    SMP_ERR_ECORRUPT = 9,
    SMP_ERR_EBUSY = 10,
    SMP_ERR_EACCESSDENIED = 11,
    SMP_ERR_UNSUPPORTED_TOO_OLD = 12,
    SMP_ERR_UNSUPPORTED_TOO_NEW = 13,
    SMP_ERR_EPERUSER = 256,
};

/* Image group (1) v2 codes. */
enum smp_img_err {
    IMG_ERR_OK = 0, IMG_ERR_UNKNOWN = 1, IMG_ERR_FLASH_CONFIG_QUERY_FAIL = 2, IMG_ERR_NO_IMAGE = 3,
    IMG_ERR_NO_TLVS = 4, IMG_ERR_INVALID_TLV = 5, IMG_ERR_TLV_MULTIPLE_HASHES_FOUND = 6,
    IMG_ERR_TLV_INVALID_SIZE = 7, IMG_ERR_HASH_NOT_FOUND = 8, IMG_ERR_NO_FREE_SLOT = 9,
    IMG_ERR_FLASH_OPEN_FAILED = 10, IMG_ERR_FLASH_READ_FAILED = 11, IMG_ERR_FLASH_WRITE_FAILED = 12,
    IMG_ERR_FLASH_ERASE_FAILED = 13, IMG_ERR_INVALID_SLOT = 14, IMG_ERR_NO_FREE_MEMORY = 15,
    IMG_ERR_FLASH_CONTEXT_ALREADY_SET = 16, IMG_ERR_FLASH_CONTEXT_NOT_SET = 17,
    IMG_ERR_FLASH_AREA_DEVICE_NULL = 18, IMG_ERR_INVALID_PAGE_OFFSET = 19, IMG_ERR_INVALID_OFFSET = 20,
    IMG_ERR_INVALID_LENGTH = 21, IMG_ERR_INVALID_IMAGE_HEADER = 22, IMG_ERR_INVALID_IMAGE_HEADER_MAGIC = 23,
    IMG_ERR_INVALID_HASH = 24, IMG_ERR_INVALID_FLASH_ADDRESS = 25, IMG_ERR_VERSION_GET_FAILED = 26,
    IMG_ERR_CURRENT_VERSION_IS_NEWER = 27, IMG_ERR_IMAGE_ALREADY_PENDING = 28,
    IMG_ERR_INVALID_IMAGE_VECTOR_TABLE = 29, IMG_ERR_INVALID_IMAGE_TOO_LARGE = 30,
    IMG_ERR_INVALID_IMAGE_DATA_OVERRUN = 31, IMG_ERR_IMAGE_CONFIRMATION_DENIED = 32,
    IMG_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED = 33, IMG_ERR_ACTIVE_SLOT_NOT_KNOWN = 34,
};

enum smp_os_err {
    OS_ERR_OK = 0, OS_ERR_UNKNOWN = 1, OS_ERR_INVALID_FORMAT = 2, OS_ERR_QUERY_YIELDS_NO_ANSWER = 3,
    OS_ERR_RTC_NOT_SET = 4, OS_ERR_RTC_COMMAND_FAILED = 5, OS_ERR_QUERY_RESPONSE_VALUE_NOT_VALID = 6,
};

enum smp_stat_err {
    STAT_ERR_OK = 0, STAT_ERR_UNKNOWN = 1, STAT_ERR_INVALID_GROUP = 2, STAT_ERR_INVALID_STAT_NAME = 3,
    STAT_ERR_INVALID_STAT_SIZE = 4, STAT_ERR_WALK_ABORTED = 5,
};

enum smp_settings_err {
    SETTINGS_ERR_OK = 0, SETTINGS_ERR_UNKNOWN = 1, SETTINGS_ERR_KEY_TOO_LONG = 2,
    SETTINGS_ERR_KEY_NOT_FOUND = 3, SETTINGS_ERR_READ_NOT_SUPPORTED = 4,
    SETTINGS_ERR_ROOT_KEY_NOT_FOUND = 5, SETTINGS_ERR_WRITE_NOT_SUPPORTED = 6,
    SETTINGS_ERR_DELETE_NOT_SUPPORTED = 7, SETTINGS_ERR_SAVE_NOT_SUPPORTED = 8,
};

enum smp_fs_err {
    FS_ERR_OK = 0, FS_ERR_UNKNOWN = 1, FS_ERR_FILE_INVALID_NAME = 2, FS_ERR_FILE_NOT_FOUND = 3,
    FS_ERR_FILE_IS_DIRECTORY = 4, FS_ERR_FILE_OPEN_FAILED = 5, FS_ERR_FILE_SEEK_FAILED = 6,
    FS_ERR_FILE_READ_FAILED = 7, FS_ERR_FILE_TRUNCATE_FAILED = 8, FS_ERR_FILE_DELETE_FAILED = 9,
    FS_ERR_FILE_WRITE_FAILED = 10, FS_ERR_FILE_OFFSET_NOT_VALID = 11,
    FS_ERR_FILE_OFFSET_LARGER_THAN_FILE = 12, FS_ERR_CHECKSUM_HASH_NOT_FOUND = 13,
    FS_ERR_MOUNT_POINT_NOT_FOUND = 14, FS_ERR_READ_ONLY_FILESYSTEM = 15, FS_ERR_FILE_EMPTY = 16,
};

enum smp_shell_err { SHELL_ERR_OK = 0, SHELL_ERR_UNKNOWN = 1, SHELL_ERR_COMMAND_TOO_LONG = 2,
                     SHELL_ERR_EMPTY_COMMAND = 3 };

enum smp_enum_err { ENUM_ERR_OK = 0, ENUM_ERR_UNKNOWN = 1, ENUM_ERR_TOO_MANY_GROUP_ENTRIES = 2,
                    ENUM_ERR_INSUFFICIENT_HEAP_FOR_ENTRIES = 3, ENUM_ERR_INDEX_TOO_LARGE = 4 };

/* Translates a group's v2 code into the v1 rc sent to a v1 client (the group's
 * mg_translate_error). */
int smp_translate_group_err(uint16_t group, int group_rc);

/* Names for printing: "EBADSTATE", "IMAGE_ALREADY_PENDING". Never NULL ("UNKNOWN"). */
const char *smp_err_name(int rc);
const char *smp_group_err_name(uint16_t group, int group_rc);

#endif
