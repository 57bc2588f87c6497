/* The host filesystem port's sandbox: no name, ".." or symlink leads out of the root; tested
 * on the port directly and through the FS group. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "groups_util.h"

static struct bench b;
static char outside_dir[600];
static char outside_file[700];

static int setup(void **state)
{
    bench_init(&b, "sandbox", 0xff, 4);
    /* A directory and a file beside the sandbox, which no request may reach. */
    snprintf(outside_dir, sizeof(outside_dir), "%s.outside", b.root);
    (void)mkdir(outside_dir, 0755);
    snprintf(outside_file, sizeof(outside_file), "%s/secret", outside_dir);
    FILE *f = fopen(outside_file, "wb");
    assert_non_null(f);
    fputs("top secret", f);
    fclose(f);
    return 0;
}

static int teardown(void **state)
{
    char p[800];
    snprintf(p, sizeof(p), "%s/new", outside_dir);
    unlink(p);
    unlink(outside_file);
    rmdir(outside_dir);
    bench_fini(&b);
    return 0;
}

static void in_root(char *out, size_t cap, const char *rel)
{
    snprintf(out, cap, "%s/%s", b.root, rel);
}

static void outside_unchanged(void)
{
    char buf[64] = {0};
    FILE *f = fopen(outside_file, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    assert_int_equal(n, 10);
    assert_string_equal(buf, "top secret");
    char p[800];
    snprintf(p, sizeof(p), "%s/new", outside_dir);
    assert_int_equal(access(p, F_OK), -1);
}

static void test_port_rejects_dotdot(void **state)
{
    const struct fs_port_ops *ops = b.fs.ops;
    static const char *const bad[] = {"../x", "/../../etc/passwd", "lfs1/../../x", "/lfs1/..",
                                      "lfs1/./a", ".", "..", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct fs_port_stat st;
        assert_int_equal(ops->open(b.fs.ctx, bad[i], FS_PORT_WRITE), DFU_EINVAL);
        assert_int_equal(ops->open(b.fs.ctx, bad[i], FS_PORT_READ), DFU_EINVAL);
        assert_int_equal(ops->stat(b.fs.ctx, bad[i], &st), DFU_EINVAL);
    }
    char longpath[FS_PORT_PATH_MAX + 8];
    memset(longpath, 'a', sizeof(longpath) - 1);
    longpath[sizeof(longpath) - 1] = '\0';
    assert_int_equal(ops->open(b.fs.ctx, longpath, FS_PORT_WRITE), DFU_EINVAL);
    char p[800];
    in_root(p, sizeof(p), "../x");
    assert_int_equal(access(p, F_OK), -1);
    outside_unchanged();
}

static void test_port_paths_map_inside(void **state)
{
    const struct fs_port_ops *ops = b.fs.ops;
    int h = ops->open(b.fs.ctx, "/lfs1/same", FS_PORT_WRITE);
    assert_true(h >= 0);
    assert_int_equal(ops->write(b.fs.ctx, h, 0, "abc", 3), 0);
    ops->close(b.fs.ctx, h);
    struct fs_port_stat st;
    static const char *const same[] = {"lfs1/same", "//lfs1//same", "/lfs1/same"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(ops->stat(b.fs.ctx, same[i], &st), 0);
        assert_false(st.is_dir);
        assert_int_equal(st.size, 3);
    }
    char got[8];
    assert_int_equal(sandbox_read(&b, "lfs1/same", got, sizeof(got)), 3);
    /* The root is a directory: stat says so, open refuses it. */
    assert_int_equal(ops->stat(b.fs.ctx, "/", &st), 0);
    assert_true(st.is_dir);
    assert_int_equal(ops->open(b.fs.ctx, "/", FS_PORT_READ), DFU_EPERM);
    assert_int_equal(ops->open(b.fs.ctx, "/lfs1", FS_PORT_READ), DFU_EPERM);
    assert_int_equal(ops->open(b.fs.ctx, "/missing/dir/f", FS_PORT_WRITE), DFU_ENOENT);
    assert_int_equal(ops->open(b.fs.ctx, "/lfs1/none", FS_PORT_READ), DFU_ENOENT);
    /* A file used as a directory. */
    assert_int_equal(ops->open(b.fs.ctx, "/lfs1/same/x", FS_PORT_WRITE), DFU_ENOENT);
}

static void test_port_refuses_symlinks(void **state)
{
    const struct fs_port_ops *ops = b.fs.ops;
    char p[800];
    in_root(p, sizeof(p), "lfs1/flink");
    assert_int_equal(symlink(outside_file, p), 0);
    in_root(p, sizeof(p), "lfs1/dlink");
    assert_int_equal(symlink(outside_dir, p), 0);
    in_root(p, sizeof(p), "lfs1/rel");
    assert_int_equal(symlink("../../sandbox.outside/secret", p), 0);
    in_root(p, sizeof(p), "lfs1/etc");
    assert_int_equal(symlink("/etc/passwd", p), 0);
    sandbox_write(&b, "lfs1/inside", "in", 2);
    in_root(p, sizeof(p), "lfs1/ilink");
    assert_int_equal(symlink("inside", p), 0);

    static const char *const links[] = {"/lfs1/flink", "/lfs1/rel", "/lfs1/etc", "/lfs1/ilink"};
    for (size_t i = 0; i < 4; i++) {
        struct fs_port_stat st;
        assert_int_equal(ops->open(b.fs.ctx, links[i], FS_PORT_READ), DFU_EPERM);
        assert_int_equal(ops->open(b.fs.ctx, links[i], FS_PORT_WRITE), DFU_EPERM);
        assert_int_equal(ops->stat(b.fs.ctx, links[i], &st), DFU_EPERM);
    }
    /* Through a symlinked directory: neither reading nor creating. */
    assert_true(ops->open(b.fs.ctx, "/lfs1/dlink/secret", FS_PORT_READ) < 0);
    assert_true(ops->open(b.fs.ctx, "/lfs1/dlink/new", FS_PORT_WRITE) < 0);
    outside_unchanged();
}

static void test_port_fifo_and_handles(void **state)
{
    const struct fs_port_ops *ops = b.fs.ops;
    char p[800];
    in_root(p, sizeof(p), "lfs1/fifo");
    assert_int_equal(mkfifo(p, 0644), 0);
    /* Refused, and without blocking on a fifo nobody writes to. */
    assert_int_equal(ops->open(b.fs.ctx, "/lfs1/fifo", FS_PORT_READ), DFU_EPERM);

    int h[PORT_FS_HANDLES];
    for (int i = 0; i < PORT_FS_HANDLES; i++) {
        char name[32];
        snprintf(name, sizeof(name), "/lfs1/h%d", i);
        h[i] = ops->open(b.fs.ctx, name, FS_PORT_WRITE);
        assert_true(h[i] >= 0);
    }
    assert_int_equal(ops->open(b.fs.ctx, "/lfs1/one-more", FS_PORT_WRITE), DFU_ENOSPC);
    ops->close(b.fs.ctx, h[0]);
    int again = ops->open(b.fs.ctx, "/lfs1/one-more", FS_PORT_WRITE);
    assert_true(again >= 0);
    /* Reads, writes and truncation at offsets. */
    assert_int_equal(ops->write(b.fs.ctx, again, 4, "tail", 4), 0);
    uint8_t buf[16];
    assert_int_equal(ops->read(b.fs.ctx, again, 0, buf, sizeof(buf)), 8);
    assert_memory_equal(buf, "\0\0\0\0tail", 8);
    assert_int_equal(ops->truncate(b.fs.ctx, again, 2), 0);
    assert_int_equal(ops->read(b.fs.ctx, again, 0, buf, sizeof(buf)), 2);
    assert_int_equal(ops->read(b.fs.ctx, again, 100, buf, sizeof(buf)), 0);
    assert_int_equal(ops->read(b.fs.ctx, 99, 0, buf, 1), DFU_EINVAL);
    assert_int_equal(ops->write(b.fs.ctx, -1, 0, buf, 1), DFU_EINVAL);
}

static cbor_item_t *fs_name_req(uint8_t op, uint8_t id, const char *name, bool file_fields)
{
    struct req r;
    req_init(&r);
    smp_cbor_put_map(&r.enc, file_fields ? (op == SMP_OP_WRITE ? 4 : 2) : 1);
    smp_cbor_put_kv_tstr(&r.enc, "name", name);
    if (file_fields) {
        smp_cbor_put_kv_uint(&r.enc, "off", 0);
        if (op == SMP_OP_WRITE) {
            smp_cbor_put_kv_bstr(&r.enc, "data", "pwned", 5);
            smp_cbor_put_kv_uint(&r.enc, "len", 5);
        }
    }
    return bench_req(&b, SMP_V2, op, SMP_GROUP_FS, id, r.buf, req_len(&r));
}

static void test_group_escapes_refused(void **state)
{
    static const char *const bad[] = {"../x", "/../../etc/passwd",
                                      "/lfs1/../../sandbox.outside/secret", "/lfs1/.."};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cbor_item_t *rsp = fs_name_req(SMP_OP_WRITE, 0, bad[i], true);
        expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_FILE_INVALID_NAME);
        assert_null(map_get(rsp, "off"));
        cbor_decref(&rsp);
        rsp = fs_name_req(SMP_OP_READ, 0, bad[i], true);
        expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_FILE_INVALID_NAME);
        assert_null(map_get(rsp, "data"));
        cbor_decref(&rsp);
        rsp = fs_name_req(SMP_OP_READ, 1, bad[i], false);
        expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_FILE_INVALID_NAME);
        cbor_decref(&rsp);
        rsp = fs_name_req(SMP_OP_READ, 2, bad[i], false);
        expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_FILE_INVALID_NAME);
        cbor_decref(&rsp);
    }
    outside_unchanged();
}

static void test_group_symlink_out_refused(void **state)
{
    char p[800];
    in_root(p, sizeof(p), "lfs1/link");
    assert_int_equal(symlink(outside_file, p), 0);
    in_root(p, sizeof(p), "lfs1/dir");
    assert_int_equal(symlink(outside_dir, p), 0);

    cbor_item_t *rsp = fs_name_req(SMP_OP_READ, 0, "/lfs1/link", true);
    expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_FILE_OPEN_FAILED);
    assert_null(map_get(rsp, "data"));
    cbor_decref(&rsp);
    rsp = fs_name_req(SMP_OP_WRITE, 0, "/lfs1/link", true);
    expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_READ_ONLY_FILESYSTEM);
    cbor_decref(&rsp);
    rsp = fs_name_req(SMP_OP_READ, 2, "/lfs1/link", false);
    expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_FILE_OPEN_FAILED);
    assert_null(map_get(rsp, "output"));
    cbor_decref(&rsp);
    rsp = fs_name_req(SMP_OP_READ, 0, "/lfs1/dir/secret", true);
    assert_non_null(map_get(rsp, "err"));
    assert_null(map_get(rsp, "data"));
    cbor_decref(&rsp);
    rsp = fs_name_req(SMP_OP_WRITE, 0, "/lfs1/dir/new", true);
    assert_non_null(map_get(rsp, "err"));
    cbor_decref(&rsp);
    outside_unchanged();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_port_rejects_dotdot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_port_paths_map_inside, setup, teardown),
        cmocka_unit_test_setup_teardown(test_port_refuses_symlinks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_port_fifo_and_handles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_escapes_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_symlink_out_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
