/* The command functions against the fake device over UDP: the request each one puts on the
 * wire (op, group, id, CBOR body byte for byte), the decoded reply, device errors as
 * CLIENT_EDEVICE with the group's code, and replies that lack the promised fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/client.h"
#include "dfukit/err.h"
#include "fake_device.h"

static struct fake_device dev;
static struct client_session sess;

static int setup(void **state)
{
    (void)state;
    fake_defaults(&dev);
    if (fake_start(&dev, false) != 0) {
        return -1;
    }
    struct client_conn c;
    char cs[64], msg[200];
    snprintf(cs, sizeof(cs), "[127.0.0.1]:%u", dev.port);
    if (client_conn_parse(&c, CLIENT_CONN_UDP, cs, msg, sizeof(msg)) != 0) {
        return -1;
    }
    struct client_xport x;
    if (client_xport_open(&x, &c, msg, sizeof(msg)) != 0) {
        return -1;
    }
    client_session_init(&sess, &x);
    sess.timeout_ms = 2000;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    client_session_close(&sess);
    fake_stop(&dev);
    return 0;
}

/* The next reply the fake gives to a request it does not model. */
static void canned(const uint8_t *cbor, size_t n)
{
    memcpy(dev.canned, cbor, n);
    dev.canned_len = n;
}

/* The last request had this op, group, id and body. */
static void sent(uint8_t op, uint16_t group, uint8_t id, const uint8_t *body, size_t n)
{
    struct smp_hdr h;
    assert_int_equal(smp_hdr_decode(&h, dev.last_req, dev.last_req_len), 0);
    assert_int_equal(h.op, op);
    assert_int_equal(h.group, group);
    assert_int_equal(h.id, id);
    assert_int_equal(h.len, n);
    assert_int_equal(dev.last_req_len, SMP_HDR_SIZE + n);
    assert_memory_equal(dev.last_req + SMP_HDR_SIZE, body, n);
}

static void test_os_commands(void **state)
{
    (void)state;
    char out[64];
    struct client_deverr err;
    assert_int_equal(client_os_echo(&sess, "hi", out, sizeof(out), NULL, &err), 0);
    assert_string_equal(out, "hi");
    sent(SMP_OP_WRITE, SMP_GROUP_OS, OS_ID_ECHO, (const uint8_t *)"\xa1\x61" "d\x62hi", 6);

    uint32_t size = 0, count = 0;
    struct client_rsp rsp;
    assert_int_equal(client_os_params(&sess, &size, &count, &rsp, &err), 0);
    assert_int_equal(size, 2048);
    assert_int_equal(count, 4);
    uint64_t v;
    assert_true(client_get_uint(rsp.root, "buf_size", &v)); /* the whole reply, for --json */
    client_rsp_free(&rsp);
    sent(SMP_OP_READ, SMP_GROUP_OS, OS_ID_MCUMGR_PARAMS, (const uint8_t *)"\xa0", 1);

    unsigned resets = dev.resets;
    assert_int_equal(client_os_reset(&sess, true, &err), 0);
    assert_int_equal(dev.resets, resets + 1);
    sent(SMP_OP_WRITE, SMP_GROUP_OS, OS_ID_RESET, (const uint8_t *)"\xa1\x65" "force\xf5", 8);

    /* {"datetime": "2026-01-02T03:04:05"} */
    static const uint8_t dt[] = "\xa1\x68" "datetime\x73" "2026-01-02T03:04:05";
    canned(dt, sizeof(dt) - 1);
    assert_int_equal(client_os_datetime(&sess, NULL, out, sizeof(out), NULL, &err), 0);
    assert_string_equal(out, "2026-01-02T03:04:05");
    sent(SMP_OP_READ, SMP_GROUP_OS, OS_ID_DATETIME, (const uint8_t *)"\xa0", 1);
    canned((const uint8_t *)"\xa0", 1);
    assert_int_equal(client_os_datetime(&sess, "2026-01-02T03:04:05", NULL, 0, NULL, &err), 0);
    sent(SMP_OP_WRITE, SMP_GROUP_OS, OS_ID_DATETIME, dt, sizeof(dt) - 1);

    /* {"output": "Zephyr"} for {"format": "s"} */
    canned((const uint8_t *)"\xa1\x66output\x66Zephyr", 15);
    assert_int_equal(client_os_info(&sess, "s", out, sizeof(out), NULL, &err), 0);
    assert_string_equal(out, "Zephyr");
    sent(SMP_OP_READ, SMP_GROUP_OS, OS_ID_INFO, (const uint8_t *)"\xa1\x66" "format\x61s", 10);

    /* {"mode": 1, "no-downgrade": true} for {"query": "mode"} */
    canned((const uint8_t *)"\xa2\x64mode\x01\x6cno-downgrade\xf5", 21);
    struct client_bootloader_info bi;
    assert_int_equal(client_os_bootloader_info(&sess, "mode", &bi, NULL, &err), 0);
    assert_true(bi.has_mode);
    assert_int_equal(bi.mode, 1);
    assert_true(bi.has_no_downgrade && bi.no_downgrade);
    assert_string_equal(bi.bootloader, "");
    sent(SMP_OP_READ, SMP_GROUP_OS, OS_ID_BOOTLOADER_INFO,
         (const uint8_t *)"\xa1\x65query\x64mode", 12);

    /* {"tasks": {}} */
    canned((const uint8_t *)"\xa1\x65tasks\xa0", 8);
    assert_int_equal(client_os_taskstat(&sess, &rsp, &err), 0);
    assert_non_null(client_map_get(rsp.root, "tasks"));
    client_rsp_free(&rsp);
    sent(SMP_OP_READ, SMP_GROUP_OS, OS_ID_TASKSTAT, (const uint8_t *)"\xa0", 1);
    dev.canned_len = 0;
}

static void test_image_commands(void **state)
{
    (void)state;
    struct client_deverr err;
    canned((const uint8_t *)"\xa0", 1);
    assert_int_equal(client_image_erase(&sess, 1, &err), 0);
    sent(SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ID_ERASE, (const uint8_t *)"\xa1\x64slot\x01", 7);
    assert_int_equal(client_image_erase(&sess, -1, &err), 0);
    sent(SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ID_ERASE, (const uint8_t *)"\xa0", 1);
    assert_int_equal(client_image_erase(&sess, 256, &err), DFU_EINVAL);

    /* {"images": []} ; a reply without "images" is malformed */
    struct client_rsp rsp;
    canned((const uint8_t *)"\xa1\x66images\x80", 9);
    assert_int_equal(client_image_slot_info(&sess, &rsp, &err), 0);
    client_rsp_free(&rsp);
    sent(SMP_OP_READ, SMP_GROUP_IMAGE, IMG_ID_SLOT_INFO, (const uint8_t *)"\xa0", 1);
    canned((const uint8_t *)"\xa0", 1);
    assert_int_equal(client_image_slot_info(&sess, &rsp, &err), DFU_EBADMSG);
    assert_null(rsp.root);
    dev.canned_len = 0;
}

static void test_shell_stat_enum(void **state)
{
    (void)state;
    struct client_deverr err;
    struct client_rsp rsp;
    /* {"o": "hello\n", "ret": 3} for {"argv": ["echo", "hello"]} */
    canned((const uint8_t *)"\xa2\x61o\x66hello\n\x63ret\x03", 15);
    char a0[] = "echo", a1[] = "hello";
    char *argv[] = {a0, a1};
    int64_t ret = 0;
    const uint8_t *o;
    size_t on;
    assert_int_equal(client_shell_exec(&sess, 2, argv, &ret, &o, &on, &rsp, &err), 0);
    assert_int_equal(ret, 3);
    assert_int_equal(on, 6);
    assert_memory_equal(o, "hello\n", 6);
    client_rsp_free(&rsp);
    sent(SMP_OP_WRITE, SMP_GROUP_SHELL, SHELL_ID_EXEC,
         (const uint8_t *)"\xa1\x64" "argv\x82\x64" "echo\x65hello", 18);

    /* {"stat_list": ["smp"]}; {"name": "smp", "fields": {"rx": 7}} */
    canned((const uint8_t *)"\xa1\x69stat_list\x81\x63smp", 16);
    assert_int_equal(client_stat_list(&sess, &rsp, &err), 0);
    client_rsp_free(&rsp);
    sent(SMP_OP_READ, SMP_GROUP_STAT, STAT_ID_LIST, (const uint8_t *)"\xa0", 1);
    canned((const uint8_t *)"\xa1\x66" "fields\xa1\x62rx\x07", 13);
    assert_int_equal(client_stat_read(&sess, "smp", &rsp, &err), 0);
    uint64_t rx = 0;
    assert_true(client_get_uint(client_map_get(rsp.root, "fields"), "rx", &rx));
    assert_int_equal(rx, 7);
    client_rsp_free(&rsp);
    sent(SMP_OP_READ, SMP_GROUP_STAT, STAT_ID_READ, (const uint8_t *)"\xa1\x64name\x63smp", 10);
    canned((const uint8_t *)"\xa0", 1);
    assert_int_equal(client_stat_read(&sess, "smp", &rsp, &err), DFU_EBADMSG);

    /* {"groups": [0, 1, 63]}: a count of 3, two of which fit */
    canned((const uint8_t *)"\xa1\x66groups\x83\x00\x01\x18\x3f", 13);
    uint16_t groups[2] = {0};
    assert_int_equal(client_enum_list(&sess, groups, 2, NULL, &err), 3);
    assert_int_equal(groups[1], 1);
    sent(SMP_OP_READ, SMP_GROUP_ENUM, ENUM_ID_LIST, (const uint8_t *)"\xa0", 1);
    canned((const uint8_t *)"\xa1\x65" "count\x05", 8);
    uint32_t count = 0;
    assert_int_equal(client_enum_count(&sess, &count, NULL, &err), 0);
    assert_int_equal(count, 5);
    sent(SMP_OP_READ, SMP_GROUP_ENUM, ENUM_ID_COUNT, (const uint8_t *)"\xa0", 1);
    dev.canned_len = 0;
}

static void test_settings_and_fs(void **state)
{
    (void)state;
    struct client_deverr err;
    struct client_rsp rsp;
    /* {"val": h'7631'} for {"name": "a/b"} */
    canned((const uint8_t *)"\xa1\x63val\x42v1", 8);
    const uint8_t *val;
    size_t vn;
    bool text = true;
    assert_int_equal(client_settings_read(&sess, "a/b", &val, &vn, &text, &rsp, &err), 0);
    assert_false(text);
    assert_int_equal(vn, 2);
    assert_memory_equal(val, "v1", 2);
    client_rsp_free(&rsp);
    sent(SMP_OP_READ, SMP_GROUP_SETTINGS, SETTINGS_ID_READ_WRITE,
         (const uint8_t *)"\xa1\x64name\x63" "a/b", 10);
    canned((const uint8_t *)"\xa0", 1);
    assert_int_equal(client_settings_write(&sess, "a/b", "v1", false, &err), 0);
    sent(SMP_OP_WRITE, SMP_GROUP_SETTINGS, SETTINGS_ID_READ_WRITE,
         (const uint8_t *)"\xa2\x64name\x63" "a/b\x63val\x42v1", 17);
    assert_int_equal(client_settings_write(&sess, "a/b", "v1", true, &err), 0);
    sent(SMP_OP_WRITE, SMP_GROUP_SETTINGS, SETTINGS_ID_READ_WRITE,
         (const uint8_t *)"\xa2\x64name\x63" "a/b\x63val\x62v1", 17);
    assert_int_equal(client_settings_delete(&sess, "a/b", &err), 0);
    sent(SMP_OP_WRITE, SMP_GROUP_SETTINGS, SETTINGS_ID_DELETE,
         (const uint8_t *)"\xa1\x64name\x63" "a/b", 10);
    assert_int_equal(client_settings_commit(&sess, &err), 0);
    sent(SMP_OP_WRITE, SMP_GROUP_SETTINGS, SETTINGS_ID_COMMIT, (const uint8_t *)"\xa0", 1);
    assert_int_equal(client_settings_load(&sess, &err), 0);
    sent(SMP_OP_READ, SMP_GROUP_SETTINGS, SETTINGS_ID_LOAD_SAVE, (const uint8_t *)"\xa0", 1);
    assert_int_equal(client_settings_save(&sess, &err), 0);
    sent(SMP_OP_WRITE, SMP_GROUP_SETTINGS, SETTINGS_ID_LOAD_SAVE, (const uint8_t *)"\xa0", 1);

    /* fs stat {"len": 300}; hash {"type": "crc32", "len": 5, "output": 0x1234} */
    canned((const uint8_t *)"\xa1\x63len\x19\x01\x2c", 8);
    uint64_t len = 0;
    assert_int_equal(client_fs_stat(&sess, "/f", &len, NULL, &err), 0);
    assert_int_equal(len, 300);
    sent(SMP_OP_READ, SMP_GROUP_FS, FS_ID_STATUS, (const uint8_t *)"\xa1\x64name\x62/f", 9);
    canned((const uint8_t *)"\xa3\x64type\x65" "crc32\x63len\x05\x66output\x19\x12\x34", 27);
    struct client_fs_hash h;
    assert_int_equal(client_fs_hash(&sess, "/f", "crc32", &h, NULL, &err), 0);
    assert_string_equal(h.type, "crc32");
    assert_int_equal(h.len, 5);
    assert_true(h.has_value);
    assert_int_equal(h.value, 0x1234);
    assert_int_equal(h.digest_len, 0);
    sent(SMP_OP_READ, SMP_GROUP_FS, FS_ID_HASH_CHECKSUM,
         (const uint8_t *)"\xa2\x64name\x62/f\x64type\x65" "crc32", 20);
    dev.canned_len = 0;
}

/* A device error is CLIENT_EDEVICE with the group's code, never a dfu_err. */
static void test_device_errors(void **state)
{
    (void)state;
    assert_true(CLIENT_EDEVICE != DFU_EPERM);
    struct client_deverr err;
    struct client_rsp rsp;
    /* {"err": {"group": 3, "rc": 3}}: SETTINGS_ERR_KEY_NOT_FOUND */
    canned((const uint8_t *)"\xa1\x63" "err\xa2\x65group\x03\x62rc\x03", 17);
    const uint8_t *val;
    size_t vn;
    bool text;
    assert_int_equal(client_settings_read(&sess, "x", &val, &vn, &text, &rsp, &err),
                     CLIENT_EDEVICE);
    assert_null(rsp.root);
    assert_true(err.has_group_err);
    assert_int_equal(err.group, 3);
    assert_int_equal(err.group_rc, SETTINGS_ERR_KEY_NOT_FOUND);
    char line[96];
    client_format_deverr(line, sizeof(line), "settings read", &err);
    assert_string_equal(line, "settings read: KEY_NOT_FOUND (3)");
    /* the fake's own answer to an unknown command: {"rc": 8} */
    dev.canned_len = 0;
    assert_int_equal(client_enum_count(&sess, &(uint32_t){0}, NULL, &err), CLIENT_EDEVICE);
    assert_int_equal(err.rc, SMP_ERR_ENOTSUP);
    assert_false(err.has_group_err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_os_commands),
        cmocka_unit_test(test_image_commands),
        cmocka_unit_test(test_shell_stat_enum),
        cmocka_unit_test(test_settings_and_fs),
        cmocka_unit_test(test_device_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
