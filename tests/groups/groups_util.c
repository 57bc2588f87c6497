/* Test bench of the groups; see groups_util.h. */
#include "groups_util.h"

#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

static void rm_rf(const char *path)
{
    (void)nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void mkdir_p(const char *path)
{
    char tmp[512];
    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            (void)mkdir(tmp, 0755);
            *p = '/';
        }
    }
    (void)mkdir(tmp, 0755);
}

static uint32_t bench_clock(void *arg)
{
    return ((const struct bench *)arg)->now_ms;
}

static uint64_t bench_uptime(void *arg)
{
    return ((const struct bench *)arg)->now_ms;
}

static const char *const flash_stat_names[] = {"reads", "writes", "erases"};

static uint64_t flash_stat_get(void *ctx, uint16_t idx)
{
    const struct ramflash *rf = ctx;
    const uint32_t v[] = {rf->reads, rf->writes, rf->erases};
    return idx < 3 ? v[idx] : 0;
}

static struct stat_group flash_stats = {
    .name = "flash",
    .field_names = flash_stat_names,
    .field_count = 3,
    .get = flash_stat_get,
};

static void bench_start(struct bench *b)
{
    assert_int_equal(port_fs_sandbox_open(&b->sandbox, b->root, "lfs1"), 0);
    b->fs = port_fs_sandbox_port(&b->sandbox);
    assert_int_equal(settings_store_init(&b->settings, &b->storage), 0);

    b->shell_sim.version = "dfukit-test 1.2.3";
    b->shell_sim.uptime_ms = bench_uptime;
    b->shell_sim.uptime_arg = b;
    b->shell_sim.flash = &b->rf.dev;
    b->parts[0].name = "storage";
    b->parts[0].fa = &b->storage;
    b->shell_sim.parts = b->parts;
    b->shell_sim.part_count = 1;
    b->shell_sim.settings = &b->settings;
    b->shell = port_shell_sim_port(&b->shell_sim);

    memset(&b->port, 0, sizeof(b->port));
    b->port.fs = &b->fs;
    b->port.shell = &b->shell;
    b->port.stats = &b->stats;
    b->port.settings = &b->settings;
    server_init(&b->srv, &b->port, &b->cfg);
    assert_int_equal(server_register_group(&b->srv, &fs_mgmt_group), 0);
    assert_int_equal(server_register_group(&b->srv, &shell_mgmt_group), 0);
    assert_int_equal(server_register_group(&b->srv, &stat_mgmt_group), 0);
    assert_int_equal(server_register_group(&b->srv, &settings_mgmt_group), 0);
    assert_int_equal(server_register_group(&b->srv, &enum_mgmt_group), 0);
    fs_mgmt_attach(&b->srv, &b->fs_state, bench_clock, b);

    stat_registry_init(&b->stats);
    stat_group_init_smp(&b->smp_stats, &b->srv);
    assert_int_equal(stat_group_register(&b->stats, &b->smp_stats), 0);
    flash_stats.ctx = &b->rf;
    assert_int_equal(stat_group_register(&b->stats, &flash_stats), 0);
}

void bench_init(struct bench *b, const char *name, uint8_t erased_val, uint32_t write_align)
{
    memset(b, 0, sizeof(*b));
    char base[400];
    snprintf(base, sizeof(base), "%s/groups", DFU_TEST_TMP);
    mkdir_p(base);
    snprintf(b->root, sizeof(b->root), "%s/%s", base, name);
    rm_rf(b->root);
    memset(b->mem, erased_val, sizeof(b->mem));
    ramflash_init(&b->rf, b->mem, BENCH_FLASH_SIZE, BENCH_SECTOR, write_align, erased_val);
    b->storage = ramflash_area(&b->rf, BENCH_STORAGE_OFF, BENCH_STORAGE_SIZE, 4);
    bench_start(b);
}

void bench_restart(struct bench *b)
{
    port_fs_sandbox_close(&b->sandbox);
    bench_start(b);
}

void bench_fini(struct bench *b)
{
    port_fs_sandbox_close(&b->sandbox);
    rm_rf(b->root);
}

cbor_item_t *bench_req(struct bench *b, uint8_t version, uint8_t op, uint16_t group, uint8_t id,
                       const uint8_t *payload, size_t len)
{
    uint8_t req[4096];
    assert_true(len + SMP_HDR_SIZE <= sizeof(req));
    struct smp_hdr h = {.version = version, .op = op, .flags = 0, .len = (uint16_t)len,
                        .group = group, .seq = ++b->seq, .id = id};
    smp_hdr_encode(req, &h);
    if (len) {
        memcpy(req + SMP_HDR_SIZE, payload, len);
    }
    int n = server_process(&b->srv, req, SMP_HDR_SIZE + len, b->rsp, sizeof(b->rsp));
    assert_true(n >= SMP_HDR_SIZE);
    b->rsp_len = (size_t)n;
    struct smp_hdr r;
    assert_int_equal(smp_hdr_decode(&r, b->rsp, b->rsp_len), 0);
    assert_int_equal(r.version, version > SMP_V2 ? SMP_V2 : version);
    assert_int_equal(r.op, op == SMP_OP_READ ? SMP_OP_READ_RSP : SMP_OP_WRITE_RSP);
    assert_int_equal(r.group, group);
    assert_int_equal(r.seq, h.seq);
    assert_int_equal(r.id, id);
    assert_int_equal(r.len + SMP_HDR_SIZE, b->rsp_len);
    struct cbor_load_result res;
    cbor_item_t *item = cbor_load(b->rsp + SMP_HDR_SIZE, r.len, &res);
    assert_non_null(item);
    assert_int_equal(res.error.code, CBOR_ERR_NONE);
    assert_int_equal(res.read, r.len);
    assert_true(cbor_isa_map(item));
    return item;
}

size_t bench_raw(struct bench *b, const uint8_t *pkt, size_t len)
{
    int n = server_process(&b->srv, pkt, len, b->rsp, sizeof(b->rsp));
    assert_true(n >= 0);
    b->rsp_len = (size_t)n;
    return b->rsp_len;
}

void req_init(struct req *r)
{
    smp_cbor_enc_init(&r->enc, r->buf, sizeof(r->buf));
}

size_t req_len(const struct req *r)
{
    assert_int_equal(smp_cbor_enc_error(&r->enc), 0);
    return r->enc.len;
}

cbor_item_t *map_get(cbor_item_t *map, const char *key)
{
    assert_true(cbor_isa_map(map));
    struct cbor_pair *pairs = cbor_map_handle(map);
    for (size_t i = 0; i < cbor_map_size(map); i++) {
        cbor_item_t *k = pairs[i].key;
        if (cbor_isa_string(k) && cbor_string_is_definite(k) &&
            cbor_string_length(k) == strlen(key) &&
            memcmp(cbor_string_handle(k), key, strlen(key)) == 0) {
            return pairs[i].value;
        }
    }
    return NULL;
}

size_t map_size(cbor_item_t *map)
{
    assert_true(cbor_isa_map(map));
    return cbor_map_size(map);
}

uint64_t map_uint(cbor_item_t *map, const char *key)
{
    cbor_item_t *v = map_get(map, key);
    if (v == NULL) {
        fail_msg("key \"%s\" missing", key);
    }
    assert_true(cbor_isa_uint(v));
    return cbor_get_int(v);
}

int64_t map_int(cbor_item_t *map, const char *key)
{
    cbor_item_t *v = map_get(map, key);
    if (v == NULL) {
        fail_msg("key \"%s\" missing", key);
    }
    if (cbor_isa_uint(v)) {
        return (int64_t)cbor_get_int(v);
    }
    assert_true(cbor_isa_negint(v));
    return -1 - (int64_t)cbor_get_int(v);
}

size_t map_bytes(cbor_item_t *map, const char *key, void *out, size_t cap)
{
    cbor_item_t *v = map_get(map, key);
    if (v == NULL) {
        fail_msg("key \"%s\" missing", key);
    }
    size_t n;
    const unsigned char *p;
    if (cbor_isa_bytestring(v)) {
        assert_true(cbor_bytestring_is_definite(v));
        n = cbor_bytestring_length(v);
        p = cbor_bytestring_handle(v);
    } else {
        assert_true(cbor_isa_string(v));
        assert_true(cbor_string_is_definite(v));
        n = cbor_string_length(v);
        p = cbor_string_handle(v);
    }
    assert_true(n <= cap);
    if (n) {
        memcpy(out, p, n);
    }
    return n;
}

void expect_group_err(cbor_item_t *rsp, uint16_t group, uint16_t rc)
{
    cbor_item_t *err = map_get(rsp, "err");
    if (err == NULL) {
        fail_msg("no \"err\" in the response");
    }
    assert_int_equal(map_uint(err, "group"), group);
    assert_int_equal(map_uint(err, "rc"), rc);
    assert_null(map_get(rsp, "rc"));
}

void expect_rc(cbor_item_t *rsp, int rc)
{
    assert_int_equal(map_int(rsp, "rc"), rc);
    assert_null(map_get(rsp, "err"));
}

void sandbox_write(const struct bench *b, const char *rel, const void *data, size_t len)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", b->root, rel);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

long sandbox_read(const struct bench *b, const char *rel, void *out, size_t cap)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", b->root, rel);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return -1;
    }
    size_t n = fread(out, 1, cap, f);
    fclose(f);
    return (long)n;
}
