/* Fuzzes the SMP server with state: each input is split into packets (2-byte big-endian
 * length + bytes) that one server instance handles in turn, so uploads, state writes and
 * erases build on each other. Checks on every reply: it fits the buffer and the configured
 * size, every response has a valid header echoing its request, and its payload is one
 * well-formed CBOR map. The primary slot holds a real image; the secondary starts erased. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/bytes.h"
#include "dfukit/err.h"
#include "dfukit/imgbuild.h"
#include "dfukit/server.h"
#include "ramflash.h"

#define SECTOR 1024u
#define SLOT (24u * SECTOR)

static uint8_t mem[2 * SLOT];
static struct ramflash rf;
static struct flash_area pri, sec;
static uint8_t primary[4096];
static size_t primary_len;
static struct smp_server srv;
static struct server_datetime clock_now;
static bool clock_set;

static int dt_get(void *ctx, struct server_datetime *out)
{
    if (!clock_set) {
        return DFU_ENOENT;
    }
    *out = clock_now;
    return 0;
}

static int dt_set(void *ctx, const struct server_datetime *dt)
{
    clock_now = *dt;
    clock_set = true;
    return 0;
}

static int reset_req(void *ctx, bool force)
{
    return force ? 0 : DFU_EBUSY;
}

static struct server_port port = {
    .datetime_get = dt_get,
    .datetime_set = dt_set,
    .reset_request = reset_req,
    .os = {.kernel_name = "Zephyr", .hardware_platform = "fuzz"},
    .boot = {.name = "MCUboot", .mode = 1},
    .slot_primary = &pri,
    .slot_secondary = &sec,
};

static void make_primary(void)
{
    uint8_t body[700];
    for (size_t i = 0; i < sizeof(body); i++) {
        body[i] = (uint8_t)(i * 13u);
    }
    struct imgbuild_opts o;
    memset(&o, 0, sizeof(o));
    o.version = (struct image_version){1, 2, 3, 0};
    o.header_size = IMAGE_HEADER_SIZE;
    o.pad_header = true;
    o.erased_val = 0xff;
    struct imgbuild b;
    imgbuild_init(&b);
    if (imgbuild_load_mem(&b, body, sizeof(body), &o) != 0 || imgbuild_create(&b, &o) != 0 ||
        b.len > sizeof(primary)) {
        abort();
    }
    memcpy(primary, b.data, b.len);
    primary_len = b.len;
    imgbuild_free(&b);
}

/* Every response in rsp[0, n) must be a header plus exactly one well-formed map. */
static void check_responses(const uint8_t *rsp, size_t n, size_t cap)
{
    size_t off = 0;
    while (off < n) {
        struct smp_hdr h;
        if (smp_hdr_decode(&h, rsp + off, n - off) != 0 || h.len > n - off - SMP_HDR_SIZE ||
            SMP_HDR_SIZE + (size_t)h.len > cap || (h.op != SMP_OP_READ_RSP && h.op != SMP_OP_WRITE_RSP) ||
            h.version > SMP_V2 || h.flags != 0) {
            abort();
        }
        struct smp_cbor_dec d;
        struct smp_cbor_item it;
        smp_cbor_dec_init(&d, rsp + off + SMP_HDR_SIZE, h.len);
        if (smp_cbor_peek(&d, &it) != 0 || it.type != SMP_CBOR_MAP || smp_cbor_skip(&d) != 0 ||
            d.off != h.len) {
            abort();
        }
        off += SMP_HDR_SIZE + h.len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (primary_len == 0) {
        make_primary();
    }
    memset(mem, 0xff, sizeof(mem));
    ramflash_init(&rf, mem, sizeof(mem), SECTOR, 8, 0xff);
    pri = ramflash_area(&rf, 0, SLOT, 1);
    sec = ramflash_area(&rf, SLOT, SLOT, 2);
    memcpy(mem, primary, primary_len);
    clock_set = false;
    struct server_config cfg = {.buf_size = 512, .verbose_err = size % 2 == 1};
    server_init(&srv, &port, &cfg);
    if (server_register_group(&srv, &os_mgmt_group) != 0 ||
        server_register_group(&srv, &img_mgmt_group) != 0) {
        abort();
    }
    static uint8_t rsp[4096];
    while (size >= 2) {
        size_t n = load16_be(data);
        data += 2;
        size -= 2;
        if (n > size) {
            n = size;
        }
        int r = server_process(&srv, data, n, rsp, sizeof(rsp));
        if (r < 0 || (size_t)r > sizeof(rsp)) {
            abort();
        }
        check_responses(rsp, (size_t)r, srv.cfg.buf_size);
        data += n;
        size -= n;
    }
    return 0;
}
