/* FS group (8) through the dispatcher: upload, download, status, hash/checksum, supported
 * hashes, close, idle close, and every error case, on the sandbox port. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "groups_util.h"

static struct bench b;

static int setup(void **state)
{
    bench_init(&b, "fs", 0xff, 4);
    return 0;
}

static int teardown(void **state)
{
    bench_fini(&b);
    return 0;
}

static cbor_item_t *upload(uint8_t ver, const char *name, uint64_t off, const void *data,
                           size_t len, bool with_total, uint64_t total)
{
    struct req r;
    req_init(&r);
    smp_cbor_put_map(&r.enc, with_total ? 4 : 3);
    smp_cbor_put_kv_tstr(&r.enc, "name", name);
    smp_cbor_put_kv_uint(&r.enc, "off", off);
    smp_cbor_put_kv_bstr(&r.enc, "data", data, len);
    if (with_total) {
        smp_cbor_put_kv_uint(&r.enc, "len", total);
    }
    return bench_req(&b, ver, SMP_OP_WRITE, SMP_GROUP_FS, 0, r.buf, req_len(&r));
}

static cbor_item_t *name_req(uint8_t op, uint8_t id, const char *name, bool with_off,
                             uint64_t off)
{
    struct req r;
    req_init(&r);
    smp_cbor_put_map(&r.enc, with_off ? 2 : 1);
    smp_cbor_put_kv_tstr(&r.enc, "name", name);
    if (with_off) {
        smp_cbor_put_kv_uint(&r.enc, "off", off);
    }
    return bench_req(&b, SMP_V2, op, SMP_GROUP_FS, id, r.buf, req_len(&r));
}

static void test_upload_in_chunks(void **state)
{
    const char *text = "The quick brown fox jumps over the lazy dog";
    size_t n = strlen(text);
    cbor_item_t *rsp = upload(SMP_V2, "/lfs1/fox.txt", 0, text, 10, true, n);
    assert_int_equal(map_size(rsp), 1);
    assert_int_equal(map_uint(rsp, "off"), 10);
    cbor_decref(&rsp);
    assert_int_equal(b.fs_state.mode, FS_MGMT_UPLOAD);
    rsp = upload(SMP_V2, "/lfs1/fox.txt", 10, text + 10, n - 10, false, 0);
    assert_int_equal(map_uint(rsp, "off"), n);
    cbor_decref(&rsp);
    assert_int_equal(b.fs_state.mode, FS_MGMT_IDLE);  /* complete: closed */
    char got[128];
    assert_int_equal(sandbox_read(&b, "lfs1/fox.txt", got, sizeof(got)), (long)n);
    assert_memory_equal(got, text, n);
}

static void test_upload_truncates_at_zero(void **state)
{
    sandbox_write(&b, "lfs1/t.bin", "0123456789abcdef", 16);
    cbor_item_t *rsp = upload(SMP_V2, "/lfs1/t.bin", 0, "xyz", 3, true, 3);
    assert_int_equal(map_uint(rsp, "off"), 3);
    cbor_decref(&rsp);
    char got[32];
    assert_int_equal(sandbox_read(&b, "lfs1/t.bin", got, sizeof(got)), 3);
    assert_memory_equal(got, "xyz", 3);
}

static void test_upload_needs_len_at_zero(void **state)
{
    cbor_item_t *rsp = upload(SMP_V2, "/lfs1/nolen.bin", 0, "abc", 3, false, 0);
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    assert_int_equal(sandbox_read(&b, "lfs1/nolen.bin", NULL, 0), -1);
}

static void test_upload_wrong_offset(void **state)
{
    cbor_item_t *rsp = upload(SMP_V2, "/lfs1/w.bin", 0, "abcd", 4, true, 100);
    cbor_decref(&rsp);
    rsp = upload(SMP_V2, "/lfs1/w.bin", 8, "efgh", 4, false, 0);
    expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_FILE_OFFSET_NOT_VALID);
    assert_int_equal(map_uint(rsp, "len"), 4);
    assert_null(map_get(rsp, "off"));
    cbor_decref(&rsp);
    assert_int_equal(b.fs_state.mode, FS_MGMT_IDLE);
    /* SMP v1: the group code translated, the rest of the response dropped. */
    rsp = upload(SMP_V1, "/lfs1/w.bin", 9, "x", 1, false, 0);
    expect_rc(rsp, smp_translate_group_err(SMP_GROUP_FS, FS_ERR_FILE_OFFSET_NOT_VALID));
    assert_null(map_get(rsp, "len"));
    cbor_decref(&rsp);
    char got[16];
    assert_int_equal(sandbox_read(&b, "lfs1/w.bin", got, sizeof(got)), 4);
}

static void test_upload_resumes_after_reset(void **state)
{
    cbor_item_t *rsp = upload(SMP_V2, "/lfs1/r.bin", 0, "hello ", 6, true, 11);
    cbor_decref(&rsp);
    bench_restart(&b);  /* the context is lost, the file stays */
    rsp = upload(SMP_V2, "/lfs1/r.bin", 6, "world", 5, false, 0);
    assert_int_equal(map_uint(rsp, "off"), 11);
    cbor_decref(&rsp);
    char got[16];
    assert_int_equal(sandbox_read(&b, "lfs1/r.bin", got, sizeof(got)), 11);
    assert_memory_equal(got, "hello world", 11);
}

static void test_upload_resume_wrong_offset_creates_nothing(void **state)
{
    cbor_item_t *rsp = upload(SMP_V2, "/lfs1/ghost.bin", 100, "abc", 3, false, 0);
    expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_FILE_OFFSET_NOT_VALID);
    assert_int_equal(map_uint(rsp, "len"), 0);
    cbor_decref(&rsp);
    assert_int_equal(sandbox_read(&b, "lfs1/ghost.bin", NULL, 0), -1);
    assert_int_equal(b.fs_state.mode, FS_MGMT_IDLE);
    sandbox_write(&b, "lfs1/half.bin", "12345", 5);
    rsp = upload(SMP_V2, "/lfs1/half.bin", 3, "abc", 3, false, 0);
    expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_FILE_OFFSET_NOT_VALID);
    assert_int_equal(map_uint(rsp, "len"), 5);
    cbor_decref(&rsp);
}

static void test_upload_beyond_len(void **state)
{
    /* At offset 0: refused before the file is created or truncated. */
    cbor_item_t *rsp = upload(SMP_V2, "/lfs1/o.bin", 0, "abcdef", 6, true, 4);
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    assert_int_equal(sandbox_read(&b, "lfs1/o.bin", NULL, 0), -1);
    sandbox_write(&b, "lfs1/keep.bin", "keep", 4);
    rsp = upload(SMP_V2, "/lfs1/keep.bin", 0, "abcdef", 6, true, 5);
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    char got[16];
    assert_int_equal(sandbox_read(&b, "lfs1/keep.bin", got, sizeof(got)), 4);
    /* Later: the chunk that would pass len is refused, what was written stays. */
    rsp = upload(SMP_V2, "/lfs1/o.bin", 0, "ab", 2, true, 4);
    cbor_decref(&rsp);
    rsp = upload(SMP_V2, "/lfs1/o.bin", 2, "cde", 3, false, 0);
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    rsp = upload(SMP_V2, "/lfs1/o.bin", 2, "cd", 2, false, 0);
    assert_int_equal(map_uint(rsp, "off"), 4);
    cbor_decref(&rsp);
    assert_int_equal(sandbox_read(&b, "lfs1/o.bin", got, sizeof(got)), 4);
    assert_memory_equal(got, "abcd", 4);
}

static void test_upload_bad_places(void **state)
{
    cbor_item_t *rsp = upload(SMP_V2, "/nodir/x.bin", 0, "a", 1, true, 1);
    expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_MOUNT_POINT_NOT_FOUND);
    cbor_decref(&rsp);
    rsp = upload(SMP_V2, "/lfs1", 0, "a", 1, true, 1);
    expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_FILE_IS_DIRECTORY);
    cbor_decref(&rsp);
}

static void test_upload_empty_file(void **state)
{
    sandbox_write(&b, "lfs1/e.bin", "old", 3);
    cbor_item_t *rsp = upload(SMP_V2, "/lfs1/e.bin", 0, "", 0, true, 0);
    assert_int_equal(map_uint(rsp, "off"), 0);
    cbor_decref(&rsp);
    assert_int_equal(b.fs_state.mode, FS_MGMT_IDLE);
    char got[8];
    assert_int_equal(sandbox_read(&b, "lfs1/e.bin", got, sizeof(got)), 0);
}

static void test_download_chunks(void **state)
{
    uint8_t data[1000];
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)(i * 7 + 3);
    }
    sandbox_write(&b, "lfs1/d.bin", data, sizeof(data));
    b.srv.cfg.buf_size = 256;  /* the chunk must fit this response buffer */
    uint8_t got[1000];
    uint64_t off = 0;
    int rounds = 0;
    while (off < sizeof(data)) {
        cbor_item_t *rsp = name_req(SMP_OP_READ, 0, "/lfs1/d.bin", true, off);
        assert_true(b.rsp_len <= 256);
        assert_int_equal(map_uint(rsp, "off"), off);
        if (off == 0) {
            assert_int_equal(map_uint(rsp, "len"), sizeof(data));
        } else {
            assert_null(map_get(rsp, "len"));
        }
        size_t n = map_bytes(rsp, "data", got + off, sizeof(got) - off);
        assert_true(n > 150 || off + n == sizeof(data));  /* full chunks but the last */
        off += n;
        rounds++;
        cbor_decref(&rsp);
    }
    assert_int_equal(off, sizeof(data));
    assert_memory_equal(got, data, sizeof(data));
    assert_true(rounds >= 4);
    assert_int_equal(b.fs_state.mode, FS_MGMT_IDLE);
    /* A client may ask any offset again. */
    cbor_item_t *rsp = name_req(SMP_OP_READ, 0, "/lfs1/d.bin", true, 990);
    uint8_t tail[16];
    assert_int_equal(map_bytes(rsp, "data", tail, sizeof(tail)), 10);
    assert_memory_equal(tail, data + 990, 10);
    cbor_decref(&rsp);
}

static void test_download_errors(void **state)
{
    cbor_item_t *rsp = name_req(SMP_OP_READ, 0, "/lfs1/missing", true, 0);
    expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_FILE_NOT_FOUND);
    cbor_decref(&rsp);
    sandbox_write(&b, "lfs1/s.bin", "12345", 5);
    rsp = name_req(SMP_OP_READ, 0, "/lfs1/s.bin", true, 6);
    expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_FILE_OFFSET_LARGER_THAN_FILE);
    cbor_decref(&rsp);
    rsp = name_req(SMP_OP_READ, 0, "/lfs1", true, 0);
    expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_FILE_IS_DIRECTORY);
    cbor_decref(&rsp);
    rsp = name_req(SMP_OP_READ, 0, "/lfs1/s.bin", false, 0);  /* off missing */
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    sandbox_write(&b, "lfs1/empty", "", 0);
    rsp = name_req(SMP_OP_READ, 0, "/lfs1/empty", true, 0);
    uint8_t x[4];
    assert_int_equal(map_bytes(rsp, "data", x, sizeof(x)), 0);
    assert_int_equal(map_uint(rsp, "len"), 0);
    cbor_decref(&rsp);
}

static void test_status(void **state)
{
    sandbox_write(&b, "lfs1/st.bin", "123456789", 9);
    cbor_item_t *rsp = name_req(SMP_OP_READ, 1, "/lfs1/st.bin", false, 0);
    assert_int_equal(map_uint(rsp, "len"), 9);
    assert_int_equal(map_size(rsp), 1);
    cbor_decref(&rsp);
    rsp = name_req(SMP_OP_READ, 1, "/lfs1/none", false, 0);
    expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_FILE_NOT_FOUND);
    cbor_decref(&rsp);
    rsp = bench_req(&b, SMP_V2, SMP_OP_WRITE, SMP_GROUP_FS, 1, (const uint8_t *)"\xa0", 1);
    expect_rc(rsp, SMP_ERR_ENOTSUP);  /* status has no write handler */
    cbor_decref(&rsp);
}

static cbor_item_t *hash_req(const char *name, const char *type, int64_t off, int64_t len)
{
    struct req r;
    req_init(&r);
    smp_cbor_put_map_indef(&r.enc);
    smp_cbor_put_kv_tstr(&r.enc, "name", name);
    if (type) {
        smp_cbor_put_kv_tstr(&r.enc, "type", type);
    }
    if (off >= 0) {
        smp_cbor_put_kv_uint(&r.enc, "off", (uint64_t)off);
    }
    if (len >= 0) {
        smp_cbor_put_kv_uint(&r.enc, "len", (uint64_t)len);
    }
    smp_cbor_put_end(&r.enc);
    return bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_FS, 2, r.buf, req_len(&r));
}

static void test_hash_crc32_and_sha256(void **state)
{
    sandbox_write(&b, "lfs1/check", "123456789", 9);
    cbor_item_t *rsp = hash_req("/lfs1/check", NULL, -1, -1);  /* default: crc32 */
    char type[16] = {0};
    map_bytes(rsp, "type", type, sizeof(type));
    assert_string_equal(type, "crc32");
    assert_int_equal(map_uint(rsp, "output"), 0xCBF43926u);  /* the CRC-32 check value */
    assert_int_equal(map_uint(rsp, "len"), 9);
    assert_null(map_get(rsp, "off"));
    cbor_decref(&rsp);

    sandbox_write(&b, "lfs1/abc", "xxabcyy", 7);
    rsp = hash_req("/lfs1/abc", "sha256", 2, 3);
    static const uint8_t sha_abc[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22,
        0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00,
        0x15, 0xad};
    uint8_t out[32];
    assert_int_equal(map_bytes(rsp, "output", out, sizeof(out)), 32);
    assert_memory_equal(out, sha_abc, 32);
    assert_int_equal(map_uint(rsp, "off"), 2);
    assert_int_equal(map_uint(rsp, "len"), 3);
    cbor_decref(&rsp);

    /* len past the end is cut to the file. */
    rsp = hash_req("/lfs1/check", "crc32", 0, 1000);
    assert_int_equal(map_uint(rsp, "len"), 9);
    assert_int_equal(map_uint(rsp, "output"), 0xCBF43926u);
    cbor_decref(&rsp);
}

/* A table-driven CRC-32 (a different algorithm from the server's bitwise one). */
static uint32_t ref_crc32(const uint8_t *p, size_t n)
{
    static uint32_t table[256];
    if (table[1] == 0) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
            table[i] = c;
        }
    }
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    }
    return c ^ 0xFFFFFFFFu;
}

static void test_hash_larger_than_chunk(void **state)
{
    /* Several read chunks: the result must not depend on how the file is read. */
    uint8_t data[3001];
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)(i * 31 + 1);
    }
    sandbox_write(&b, "lfs1/big", data, sizeof(data));
    cbor_item_t *rsp = hash_req("/lfs1/big", "crc32", -1, -1);
    assert_int_equal(map_uint(rsp, "output"), ref_crc32(data, sizeof(data)));
    assert_int_equal(map_uint(rsp, "len"), sizeof(data));
    cbor_decref(&rsp);
    rsp = hash_req("/lfs1/big", "crc32", 1, 2000);
    assert_int_equal(map_uint(rsp, "output"), ref_crc32(data + 1, 2000));
    assert_int_equal(map_uint(rsp, "len"), 2000);
    cbor_decref(&rsp);
}

static void test_hash_errors(void **state)
{
    sandbox_write(&b, "lfs1/h", "abc", 3);
    sandbox_write(&b, "lfs1/h0", "", 0);
    cbor_item_t *rsp = hash_req("/lfs1/h", "md5", -1, -1);
    expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_CHECKSUM_HASH_NOT_FOUND);
    cbor_decref(&rsp);
    rsp = hash_req("/lfs1/h0", NULL, -1, -1);
    expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_FILE_EMPTY);
    cbor_decref(&rsp);
    rsp = hash_req("/lfs1/h", NULL, 3, -1);
    expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_FILE_OFFSET_LARGER_THAN_FILE);
    cbor_decref(&rsp);
    rsp = hash_req("/lfs1/h", NULL, 0, 0);
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    rsp = hash_req("/lfs1/nope", NULL, -1, -1);
    expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_FILE_NOT_FOUND);
    cbor_decref(&rsp);
}

static void test_supported_hashes(void **state)
{
    cbor_item_t *rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_FS, 3, NULL, 0);
    cbor_item_t *types = map_get(rsp, "types");
    assert_non_null(types);
    assert_int_equal(map_size(types), 2);
    cbor_item_t *crc = map_get(types, "crc32");
    assert_non_null(crc);
    assert_int_equal(map_uint(crc, "format"), 0);
    assert_int_equal(map_uint(crc, "size"), 4);
    cbor_item_t *sha = map_get(types, "sha256");
    assert_non_null(sha);
    assert_int_equal(map_uint(sha, "format"), 1);
    assert_int_equal(map_uint(sha, "size"), 32);
    cbor_decref(&rsp);
}

static void test_close_and_idle(void **state)
{
    cbor_item_t *rsp = upload(SMP_V2, "/lfs1/c.bin", 0, "abcd", 4, true, 8);
    cbor_decref(&rsp);
    assert_int_equal(b.fs_state.mode, FS_MGMT_UPLOAD);
    rsp = bench_req(&b, SMP_V2, SMP_OP_WRITE, SMP_GROUP_FS, 4, (const uint8_t *)"\xa0", 1);
    assert_int_equal(map_size(rsp), 0);
    cbor_decref(&rsp);
    assert_int_equal(b.fs_state.mode, FS_MGMT_IDLE);
    assert_int_equal(b.sandbox.fds[0], -1);

    /* Idle close: still open just before the timeout, closed at it. */
    b.now_ms = 1000;
    rsp = upload(SMP_V2, "/lfs1/c.bin", 0, "abcd", 4, true, 8);
    cbor_decref(&rsp);
    b.now_ms = 1000 + FS_MGMT_IDLE_MS - 1;
    fs_mgmt_poll(&b.srv);
    assert_int_equal(b.fs_state.mode, FS_MGMT_UPLOAD);
    b.now_ms = 1000 + FS_MGMT_IDLE_MS;
    fs_mgmt_poll(&b.srv);
    assert_int_equal(b.fs_state.mode, FS_MGMT_IDLE);
    /* The client can still go on: the file holds 4 bytes. */
    rsp = upload(SMP_V2, "/lfs1/c.bin", 4, "efgh", 4, false, 0);
    assert_int_equal(map_uint(rsp, "off"), 8);
    cbor_decref(&rsp);
}

static void test_other_file_closes_context(void **state)
{
    cbor_item_t *rsp = upload(SMP_V2, "/lfs1/one", 0, "ab", 2, true, 4);
    cbor_decref(&rsp);
    sandbox_write(&b, "lfs1/two", "xyz", 3);
    rsp = name_req(SMP_OP_READ, 0, "/lfs1/two", true, 0);
    assert_int_equal(map_uint(rsp, "len"), 3);
    cbor_decref(&rsp);
    assert_int_equal(b.fs_state.mode, FS_MGMT_IDLE);  /* download done, upload closed */
    int open_handles = 0;
    for (int i = 0; i < PORT_FS_HANDLES; i++) {
        open_handles += b.sandbox.fds[i] >= 0;
    }
    assert_int_equal(open_handles, 0);
}

static void test_malformed(void **state)
{
    /* Not a map, a truncated map, wrong types, bad names. */
    static const uint8_t arr[] = {0x80};
    cbor_item_t *rsp = bench_req(&b, SMP_V2, SMP_OP_WRITE, SMP_GROUP_FS, 0, arr, sizeof(arr));
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    static const uint8_t trunc[] = {0xa2, 0x63, 'o', 'f', 'f', 0x00, 0x64, 'n', 'a'};
    rsp = bench_req(&b, SMP_V2, SMP_OP_WRITE, SMP_GROUP_FS, 0, trunc, sizeof(trunc));
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    struct req r;
    req_init(&r);
    smp_cbor_put_map(&r.enc, 2);
    smp_cbor_put_kv_tstr(&r.enc, "name", "/lfs1/x");
    smp_cbor_put_kv_tstr(&r.enc, "off", "zero");
    rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_FS, 0, r.buf, req_len(&r));
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    char longname[FS_PORT_PATH_MAX + 2];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[0] = '/';
    longname[sizeof(longname) - 1] = '\0';
    rsp = name_req(SMP_OP_READ, 1, longname, false, 0);
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    req_init(&r);
    smp_cbor_put_map(&r.enc, 1);
    smp_cbor_put_kv_tstrn(&r.enc, "name", "/lfs1/a\0b", 9);
    rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_FS, 1, r.buf, req_len(&r));
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    rsp = name_req(SMP_OP_READ, 1, "", false, 0);
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    /* Huge offsets and lengths. */
    rsp = upload(SMP_V2, "/lfs1/huge", UINT64_MAX, "a", 1, false, 0);
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    rsp = upload(SMP_V2, "/lfs1/huge", 0, "a", 1, true, UINT64_MAX);
    expect_rc(rsp, SMP_ERR_EINVAL);
    cbor_decref(&rsp);
    assert_int_equal(sandbox_read(&b, "lfs1/huge", NULL, 0), -1);
    /* Unknown command ids of the group. */
    rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_FS, 5, NULL, 0);
    expect_rc(rsp, SMP_ERR_ENOTSUP);
    cbor_decref(&rsp);
}

static void test_no_port(void **state)
{
    b.port.fs = NULL;
    cbor_item_t *rsp = name_req(SMP_OP_READ, 1, "/lfs1/x", false, 0);
    expect_rc(rsp, SMP_ERR_ENOTSUP);
    cbor_decref(&rsp);
    b.port.fs = &b.fs;
}

/* Exact bytes, worked out by hand: v2 read 8/1 {"name": "/lfs1/g"} -> {"len": 3}. */
static const uint8_t status_req[] = {0x08, 0x00, 0x00, 0x0e, 0x00, 0x08, 0x11, 0x01,
                                     0xa1, 0x64, 'n', 'a', 'm', 'e',
                                     0x67, '/', 'l', 'f', 's', '1', '/', 'g'};
static const uint8_t status_rsp[] = {0x09, 0x00, 0x00, 0x06, 0x00, 0x08, 0x11, 0x01,
                                     0xa1, 0x63, 'l', 'e', 'n', 0x03};

static void test_golden_bytes(void **state)
{
    assert_int_equal(status_req[3], sizeof(status_req) - 8);
    assert_int_equal(status_rsp[3], sizeof(status_rsp) - 8);
    sandbox_write(&b, "lfs1/g", "abc", 3);
    assert_int_equal(bench_raw(&b, status_req, sizeof(status_req)), sizeof(status_rsp));
    assert_memory_equal(b.rsp, status_rsp, sizeof(status_rsp));
}

/* The FS bound (the sandbox's size_limit, as devsim's --fs-size): an upload whose len does not
 * fit is refused at offset 0 with FILE_WRITE_FAILED before the file is created or truncated;
 * the file it replaces counts as free; a resume without len may not grow past the bound. */
static void test_upload_bounded(void **state)
{
    b.sandbox.size_limit = 100;
    sandbox_write(&b, "lfs1/other.bin", "0123456789012345678901234567890123456789", 40);
    static uint8_t big[64];
    memset(big, 'b', sizeof(big));
    cbor_item_t *rsp = upload(SMP_V2, "/lfs1/big.bin", 0, big, 10, true, 61);
    expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_FILE_WRITE_FAILED);
    cbor_decref(&rsp);
    assert_int_equal(sandbox_read(&b, "lfs1/big.bin", NULL, 0), -1);   /* never created */
    assert_int_equal(b.fs_state.mode, FS_MGMT_IDLE);
    rsp = upload(SMP_V1, "/lfs1/big.bin", 0, big, 10, true, 61);
    expect_rc(rsp, smp_translate_group_err(SMP_GROUP_FS, FS_ERR_FILE_WRITE_FAILED));
    cbor_decref(&rsp);
    /* exactly the room left fits */
    rsp = upload(SMP_V2, "/lfs1/big.bin", 0, big, 60, true, 60);
    assert_int_equal(map_uint(rsp, "off"), 60);
    cbor_decref(&rsp);
    /* replacing it: its own 60 bytes count as free, one more than the room does not */
    rsp = upload(SMP_V2, "/lfs1/big.bin", 0, big, 10, true, 61);
    expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_FILE_WRITE_FAILED);
    cbor_decref(&rsp);
    char got[64];
    assert_int_equal(sandbox_read(&b, "lfs1/big.bin", got, sizeof(got)), 60);  /* kept whole */
    rsp = upload(SMP_V2, "/lfs1/big.bin", 0, big, 30, true, 60);
    assert_int_equal(map_uint(rsp, "off"), 30);
    cbor_decref(&rsp);
    /* the context is lost, the client resumes without len: chunks past the bound refused */
    bench_restart(&b);
    b.sandbox.size_limit = 100;
    rsp = upload(SMP_V2, "/lfs1/big.bin", 30, big, 30, false, 0);
    assert_int_equal(map_uint(rsp, "off"), 60);
    cbor_decref(&rsp);
    rsp = upload(SMP_V2, "/lfs1/big.bin", 60, big, 1, false, 0);
    expect_group_err(rsp, SMP_GROUP_FS, FS_ERR_FILE_WRITE_FAILED);
    cbor_decref(&rsp);
    assert_int_equal(sandbox_read(&b, "lfs1/big.bin", got, sizeof(got)), 60);
    /* verbose v1 errors name the reason */
    b.srv.cfg.verbose_err = true;
    rsp = upload(SMP_V1, "/lfs1/x.bin", 0, big, 1, true, 1000);
    size_t n = map_bytes(rsp, "rsn", got, sizeof(got));
    assert_int_equal(n, strlen("not enough space on the file system"));
    assert_memory_equal(got, "not enough space on the file system", n);
    cbor_decref(&rsp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_upload_in_chunks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_truncates_at_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_needs_len_at_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_wrong_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_resumes_after_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_resume_wrong_offset_creates_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_upload_beyond_len, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_bad_places, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_empty_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_download_chunks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_download_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hash_crc32_and_sha256, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hash_larger_than_chunk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hash_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_supported_hashes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_and_idle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_file_closes_context, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_golden_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_bounded, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
