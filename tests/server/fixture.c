/* See fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

#include "dfukit/boot.h"
#include "dfukit/crypto.h"
#include "dfukit/err.h"
#include "dfukit/imgbuild.h"

struct fx fx;

static uint8_t payload_buf[4096];
static struct smp_cbor_enc payload_enc;

static int fake_datetime_get(void *ctx, struct server_datetime *out)
{
    struct fx *f = ctx;
    if (f->rtc_broken) {
        return DFU_EIO;
    }
    if (!f->rtc_set) {
        return DFU_ENOENT;
    }
    *out = f->rtc;
    return 0;
}

static int fake_datetime_set(void *ctx, const struct server_datetime *dt)
{
    struct fx *f = ctx;
    if (f->rtc_broken) {
        return DFU_EIO;
    }
    f->rtc = *dt;
    f->rtc_set = true;
    return 0;
}

static int fake_reset(void *ctx, bool force)
{
    struct fx *f = ctx;
    f->reset_calls++;
    f->reset_force = force;
    return force ? 0 : f->reset_veto;
}

static int fake_task(void *ctx, uint32_t idx, struct server_task_info *out)
{
    static const char *const names[] = {"idle", "main"};
    if (idx >= 2) {
        return 1;
    }
    out->name = names[idx];
    out->prio = idx == 0 ? 15 : 0;
    out->tid = idx;
    out->state = 1;
    out->stksiz = 256;
    out->stkuse = 40 + idx;
    out->runtime = 1000 * idx;
    return 0;
}

static int fake_pool(void *ctx, uint32_t idx, struct server_mempool_info *out)
{
    if (idx >= 1) {
        return 1;
    }
    out->name = "msys";
    out->blksiz = 128;
    out->nblks = 16;
    out->nfree = 10;
    out->min = 3;
    return 0;
}

static uint32_t fake_uptime(void *ctx)
{
    return ((struct fx *)ctx)->now_ms;
}

struct smp_peer fx_peer(uint8_t link, uint8_t addr)
{
    struct smp_peer p = {.link = link, .addr_len = 1, .addr = {addr}};
    return p;
}

void fx_setup(uint32_t align, const struct server_config *cfg)
{
    memset(&fx, 0, sizeof(fx));
    memset(fx.mem, 0xff, sizeof(fx.mem));
    ramflash_init(&fx.rf, fx.mem, FX_FLASH, FX_SECTOR, align, 0xff);
    fx.pri = ramflash_area(&fx.rf, 0, FX_SLOT, 1);
    fx.sec = ramflash_area(&fx.rf, FX_SLOT, FX_SLOT, 2);
    fx.pri1 = ramflash_area(&fx.rf, 2 * FX_SLOT, FX_SLOT, 3);
    fx.sec1 = ramflash_area(&fx.rf, 3 * FX_SLOT, FX_SLOT, 4);
    fx.pairs[0] = (struct boot_image_pair){&fx.pri, &fx.sec};
    fx.pairs[1] = (struct boot_image_pair){&fx.pri1, &fx.sec1};
    fx.port = (struct server_port){
        .ctx = &fx,
        .datetime_get = fake_datetime_get,
        .datetime_set = fake_datetime_set,
        .reset_request = fake_reset,
        .task_get = fake_task,
        .mempool_get = fake_pool,
        .uptime_ms = fake_uptime,
        .os = {.kernel_name = "Zephyr", .node_name = "devsim", .kernel_release = "1.0.0",
               .kernel_version = "v3.7.0", .build_time = "2026-11-25T12:00:00",
               .machine = "arm", .processor = "cortex_m4", .hardware_platform = "nrf52840dk",
               .os_name = "Zephyr"},
        .boot = {.name = "MCUboot", .mode = SERVER_BOOT_MODE_SWAP_SCRATCH, .no_downgrade = false},
        .slot_primary = &fx.pri,
        .slot_secondary = &fx.sec,
    };
    server_init(&fx.srv, &fx.port, cfg);
    assert_int_equal(server_register_group(&fx.srv, &os_mgmt_group), 0);
    assert_int_equal(server_register_group(&fx.srv, &img_mgmt_group), 0);
}

void fx_setup_multi(uint32_t align, const struct server_config *cfg)
{
    fx_setup(align, cfg);
    fx.port.images = fx.pairs;
    fx.port.image_count = 2;
}

int fx_raw(const uint8_t *req, size_t len)
{
    memset(fx.rsp, 0xee, sizeof(fx.rsp));
    fx.rsp_len = server_process_from(&fx.srv, &fx.peer, req, len, fx.rsp, sizeof(fx.rsp));
    if (fx.rsp_len >= SMP_HDR_SIZE) {
        assert_int_equal(smp_hdr_decode(&fx.rh, fx.rsp, (size_t)fx.rsp_len), 0);
        assert_true(SMP_HDR_SIZE + (size_t)fx.rh.len <= (size_t)fx.rsp_len);
    }
    return fx.rsp_len;
}

struct smp_cbor_enc *fx_payload(void)
{
    smp_cbor_enc_init(&payload_enc, payload_buf, sizeof(payload_buf));
    return &payload_enc;
}

void fx_send_bytes(uint8_t ver, uint8_t op, uint16_t group, uint8_t id, const uint8_t *p,
                   size_t n)
{
    assert_true(n + SMP_HDR_SIZE <= sizeof(fx.req));
    struct smp_hdr h = {.version = ver, .op = op, .len = (uint16_t)n, .group = group,
                        .seq = 0x42, .id = id};
    smp_hdr_encode(fx.req, &h);
    if (n > 0) {
        memcpy(fx.req + SMP_HDR_SIZE, p, n);
    }
    assert_true(fx_raw(fx.req, SMP_HDR_SIZE + n) > SMP_HDR_SIZE);
    assert_int_equal(fx.rh.group, group);
    assert_int_equal(fx.rh.id, id);
    assert_int_equal(fx.rh.seq, 0x42);
    assert_int_equal(fx.rh.op, op == SMP_OP_READ ? SMP_OP_READ_RSP : SMP_OP_WRITE_RSP);
    assert_int_equal(fx.rh.version, ver > 1 ? 1 : ver);
    assert_int_equal(fx.rh.flags, 0);
}

void fx_send(uint8_t ver, uint8_t op, uint16_t group, uint8_t id)
{
    if (payload_enc.buf == NULL) {
        fx_payload();
    }
    assert_int_equal(smp_cbor_enc_error(&payload_enc), 0);
    fx_send_bytes(ver, op, group, id, payload_buf, payload_enc.len);
    fx_payload();
}

bool fx_find(const char *key, struct smp_cbor_dec *value)
{
    struct smp_cbor_dec d;
    smp_cbor_dec_init(&d, fx.rsp + SMP_HDR_SIZE, fx.rh.len);
    struct smp_cbor_container c;
    assert_int_equal(smp_cbor_enter_map(&d, &c), 0);
    int more;
    while ((more = smp_cbor_more(&d, &c)) == 1) {
        struct smp_cbor_str k;
        assert_int_equal(smp_cbor_get_tstr(&d, &k), 0);
        if (smp_cbor_str_eq(&k, key)) {
            *value = d;
            return true;
        }
        assert_int_equal(smp_cbor_skip(&d), 0);
    }
    assert_int_equal(more, 0);
    return false;
}

uint64_t fx_uint(const char *key)
{
    struct smp_cbor_dec d;
    uint64_t v = 0;
    if (!fx_find(key, &d)) {
        fail_msg("response has no \"%s\"", key);
    }
    assert_int_equal(smp_cbor_get_uint(&d, &v), 0);
    return v;
}

bool fx_bool(const char *key)
{
    struct smp_cbor_dec d;
    bool v = false;
    if (!fx_find(key, &d)) {
        fail_msg("response has no \"%s\"", key);
    }
    assert_int_equal(smp_cbor_get_bool(&d, &v), 0);
    return v;
}

int fx_rc(void)
{
    struct smp_cbor_dec d;
    uint64_t v = 0;
    if (!fx_find("rc", &d)) {
        return 0;
    }
    assert_int_equal(smp_cbor_get_uint(&d, &v), 0);
    return (int)v;
}

void fx_expect_err(uint16_t group, uint16_t rc)
{
    struct smp_cbor_dec d;
    if (!fx_find("err", &d)) {
        fail_msg("response has no \"err\" (rc %d)", fx_rc());
    }
    uint64_t g = 0, r = 0;
    struct smp_cbor_map_entry k[] = {{"group", smp_cbor_dec_uint64, &g, false},
                                     {"rc", smp_cbor_dec_uint64, &r, false}};
    assert_int_equal(smp_cbor_decode_map(&d, k, 2), 0);
    assert_true(k[0].found && k[1].found);
    assert_int_equal(g, group);
    assert_int_equal(r, rc);
}

void fx_expect_rc_only(int rc)
{
    uint8_t want[8];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, want, sizeof(want));
    assert_true(smp_cbor_put_map(&e, 1) && smp_cbor_put_kv_uint(&e, "rc", (uint64_t)rc));
    fx_expect_payload(want, e.len);
}

void fx_expect_payload(const uint8_t *p, size_t n)
{
    assert_int_equal(fx.rh.len, n);
    assert_memory_equal(fx.rsp + SMP_HDR_SIZE, p, n);
}

size_t fx_make_image(uint8_t *out, size_t cap, uint8_t major, uint8_t minor, uint16_t rev,
                     uint32_t build, uint32_t body_len, uint8_t seed, bool non_bootable)
{
    uint8_t *body = malloc(body_len ? body_len : 1);
    assert_non_null(body);
    for (uint32_t i = 0; i < body_len; i++) {
        body[i] = (uint8_t)(seed + i * 7u);
    }
    struct imgbuild_opts o;
    memset(&o, 0, sizeof(o));
    o.version = (struct image_version){major, minor, rev, build};
    o.header_size = IMAGE_HEADER_SIZE;
    o.pad_header = true;
    o.erased_val = 0xff;
    o.non_bootable = non_bootable;
    struct imgbuild b;
    imgbuild_init(&b);
    if (imgbuild_load_mem(&b, body, body_len, &o) != 0 || imgbuild_create(&b, &o) != 0) {
        fail_msg("imgbuild: %s", b.err);
    }
    assert_true(b.len <= cap);
    memcpy(out, b.data, b.len);
    size_t n = b.len;
    imgbuild_free(&b);
    free(body);
    return n;
}

void fx_image_hash(const uint8_t *img, uint8_t out[32])
{
    struct image_header h;
    assert_int_equal(image_header_decode(&h, img), 0);
    assert_int_equal(crypto_hash(CRYPTO_SHA256, img, h.hdr_size + h.img_size, out), 0);
}

void fx_put(unsigned slot, uint32_t off, const uint8_t *data, size_t len)
{
    assert_true(off + len <= FX_SLOT);
    memcpy(fx.mem + slot * FX_SLOT + off, data, len);
}

bool fx_slot_blank(unsigned slot)
{
    for (uint32_t i = 0; i < FX_SLOT; i++) {
        if (fx.mem[slot * FX_SLOT + i] != 0xff) {
            return false;
        }
    }
    return true;
}

void fx_upload(uint8_t ver, uint32_t image, uint64_t len, uint64_t off, const uint8_t *data,
               size_t n, bool first, const uint8_t *sha, size_t sha_len, int upgrade)
{
    struct smp_cbor_enc *e = fx_payload();
    smp_cbor_put_map_open(e);
    smp_cbor_put_kv_uint(e, "image", image);
    if (first) {
        smp_cbor_put_kv_uint(e, "len", len);
        if (sha != NULL) {
            smp_cbor_put_kv_bstr(e, "sha", sha, sha_len);
        }
        if (upgrade >= 0) {
            smp_cbor_put_kv_bool(e, "upgrade", upgrade != 0);
        }
    }
    smp_cbor_put_kv_uint(e, "off", off);
    smp_cbor_put_kv_bstr(e, "data", data, n);
    smp_cbor_put_end(e);
    fx_send(ver, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ID_UPLOAD);
}

static const struct flash_area *area(unsigned slot)
{
    const struct flash_area *areas[] = {&fx.pri, &fx.sec, &fx.pri1, &fx.sec1};
    assert_true(slot < 4);
    return areas[slot];
}

void fx_trailer_magic(unsigned slot)
{
    struct boot_trailer_layout l;
    assert_int_equal(boot_trailer_layout_of(area(slot), BOOT_STATUS_STATE_COUNT * BOOT_MAX_IMG_SECTORS, &l), 0);
    uint8_t magic[BOOT_MAGIC_SIZE];
    boot_magic_bytes(l.max_align, magic);
    fx_put(slot, l.magic_off, magic, sizeof(magic));
}

void fx_trailer_flag(unsigned slot, bool image_ok, bool copy_done)
{
    struct boot_trailer_layout l;
    assert_int_equal(boot_trailer_layout_of(area(slot), BOOT_STATUS_STATE_COUNT * BOOT_MAX_IMG_SECTORS, &l), 0);
    const uint8_t set = 0x01;
    if (image_ok) {
        fx_put(slot, l.image_ok_off, &set, 1);
    }
    if (copy_done) {
        fx_put(slot, l.copy_done_off, &set, 1);
    }
}

size_t fx_hex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (; *hex; hex++) {
        int v;
        if (*hex >= '0' && *hex <= '9') {
            v = *hex - '0';
        } else if (*hex >= 'a' && *hex <= 'f') {
            v = *hex - 'a' + 10;
        } else if (*hex >= 'A' && *hex <= 'F') {
            v = *hex - 'A' + 10;
        } else {
            continue;
        }
        if (hi < 0) {
            hi = v;
        } else {
            assert_true(n < cap);
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    assert_int_equal(hi, -1);
    return n;
}
