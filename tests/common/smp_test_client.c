/* SMP test client; see smp_test_client.h. */
#include "smp_test_client.h"

#include <string.h>
#include <time.h>

#include "dfukit/crypto.h"
#include "dfukit/err.h"
#include "dfukit/hostio.h"
#include "dfukit/smp_cbor.h"

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void init(struct smp_tc *c, bool serial)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->serial = serial;
    c->version = SMP_V1;
    c->timeout_ms = 3000;
    c->tries = 3;
    /* Until params are read: the smallest buffer a device has (Zephyr's 384, serial: - 4). */
    c->pkt_max = serial ? 380 : 384;
    serial_deframer_init(&c->df, c->dfbuf, sizeof c->dfbuf);
    raw_deframer_init(&c->rawdf, c->dfbuf, sizeof c->dfbuf);
}

int smp_tc_open_serial(struct smp_tc *c, const char *path)
{
    init(c, true);
    return hostio_serial_open(&c->fd, path, 115200);
}

int smp_tc_open_serial_raw(struct smp_tc *c, const char *path)
{
    init(c, true);
    c->raw = true;
    c->pkt_max = 384;
    return hostio_serial_open(&c->fd, path, 115200);
}

int smp_tc_open_udp(struct smp_tc *c, const char *addr)
{
    init(c, false);
    struct hostio_addr peer;
    int rc = hostio_addr_parse(&peer, addr, 1337, AF_UNSPEC);
    return rc ? rc : hostio_udp_client(&c->fd, &peer);
}

void smp_tc_close(struct smp_tc *c)
{
    hostio_close(c->fd);
    c->fd = -1;
}

static int send_packet(struct smp_tc *c, const uint8_t *pkt, size_t len)
{
    if (!c->serial) {
        return hostio_udp_send(c->fd, pkt, len, NULL);
    }
    if (c->raw) {
        return hostio_write_all(c->fd, pkt, len, 2000);
    }
    static uint8_t wire[2 * SMP_TC_BUF];
    struct serial_frame_cfg fc = { .frame_max = SERIAL_FRAME_MAX_DEFAULT,
                                   .split = SERIAL_SPLIT_PLAIN };
    int n = serial_frame_encode(wire, sizeof wire, pkt, len, &fc);
    return n < 0 ? n : hostio_write_all(c->fd, wire, (size_t)n, 2000);
}

/* Waits for a packet until deadline; > 0 its length (in c->dfbuf or buf), 0 on timeout. */
static int recv_packet(struct smp_tc *c, uint8_t *buf, size_t cap, uint64_t deadline)
{
    for (;;) {
        uint64_t now = now_ms();
        if (now >= deadline) {
            return 0;
        }
        int w = hostio_wait_readable(c->fd, (int)(deadline - now));
        if (w < 0) {
            return w;
        }
        if (w == 0) {
            continue;
        }
        if (!c->serial) {
            int n = hostio_udp_recv(c->fd, buf, cap, NULL);
            if (n != 0) {
                return n;
            }
            continue;
        }
        /* Serial: one byte at a time through the deframer, so nothing after a packet is lost. */
        uint8_t b;
        int n;
        while ((n = hostio_read(c->fd, &b, 1)) == 1) {
            size_t used;
            size_t pkt = c->raw ? raw_deframer_feed(&c->rawdf, &b, 1, &used)
                                : serial_deframer_byte(&c->df, b);
            if (pkt > 0) {
                if (pkt > cap) {
                    return DFU_ENOMEM;
                }
                memcpy(buf, c->dfbuf, pkt);
                return (int)pkt;
            }
        }
        if (n < 0) {
            return n;
        }
    }
}

int smp_tc_send(struct smp_tc *c, uint8_t op, uint16_t group, uint8_t id, const uint8_t *cbor,
                size_t len, uint8_t *seq)
{
    static uint8_t pkt[SMP_TC_BUF];
    if (len + SMP_HDR_SIZE > sizeof pkt) {
        return DFU_ENOMEM;
    }
    *seq = c->seq++;
    struct smp_hdr h = { .version = c->version, .op = op, .len = (uint16_t)len, .group = group,
                         .seq = *seq, .id = id };
    smp_hdr_encode(pkt, &h);
    memcpy(pkt + SMP_HDR_SIZE, cbor, len);
    return send_packet(c, pkt, SMP_HDR_SIZE + len);
}

int smp_tc_recv(struct smp_tc *c, int timeout_ms)
{
    static uint8_t in[SMP_TC_BUF];
    uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
    for (;;) {
        int n = recv_packet(c, in, sizeof in, deadline);
        if (n <= 0) {
            return n < 0 ? n : DFU_ETIMEDOUT;
        }
        struct smp_hdr r;
        if (smp_hdr_decode(&r, in, (size_t)n) != 0 || r.len != (size_t)n - SMP_HDR_SIZE) {
            continue;
        }
        c->rsp_hdr = r;
        memcpy(c->rsp, in + SMP_HDR_SIZE, r.len);
        c->rsp_len = r.len;
        return 0;
    }
}

int smp_tc_request(struct smp_tc *c, uint8_t op, uint16_t group, uint8_t id, const uint8_t *cbor,
                   size_t len)
{
    /* Retries resend the same packet under a new sequence number, so a late answer to an
     * earlier try is recognised as stale. */
    for (int t = 0; t < c->tries; t++) {
        uint8_t seq;
        int rc = smp_tc_send(c, op, group, id, cbor, len, &seq);
        if (rc != 0) {
            return rc;
        }
        uint64_t deadline = now_ms() + (uint64_t)c->timeout_ms;
        for (;;) {
            uint64_t now = now_ms();
            rc = now < deadline ? smp_tc_recv(c, (int)(deadline - now)) : DFU_ETIMEDOUT;
            if (rc == DFU_ETIMEDOUT) {
                c->timeouts++;
                break;
            }
            if (rc != 0) {
                return rc;
            }
            const struct smp_hdr *r = &c->rsp_hdr;
            if (r->seq == seq && r->group == group && r->id == id && r->op == op + 1) {
                return 0;
            }
        }
    }
    return DFU_ETIMEDOUT;
}

int smp_tc_rc(const struct smp_tc *c)
{
    struct smp_cbor_dec d;
    smp_cbor_dec_init(&d, c->rsp, c->rsp_len);
    uint64_t rc = 0;
    struct smp_cbor_map_entry e[] = {
        { .key = "rc", .decode = smp_cbor_dec_uint64, .out = &rc },
    };
    /* v2: {"err": {"group", "rc"}} */
    struct smp_cbor_dec d2 = d;
    if (smp_cbor_decode_map(&d, e, 1) != 0) {
        return DFU_EBADMSG;
    }
    if (e[0].found) {
        return (int)rc;
    }
    struct smp_cbor_container m;
    if (smp_cbor_enter_map(&d2, &m) != 0) {
        return DFU_EBADMSG;
    }
    while (smp_cbor_more(&d2, &m) == 1) {
        struct smp_cbor_str key;
        if (smp_cbor_get_tstr(&d2, &key) != 0) {
            return DFU_EBADMSG;
        }
        if (smp_cbor_str_eq(&key, "err")) {
            uint64_t grc = 0;
            struct smp_cbor_map_entry ge[] = {
                { .key = "rc", .decode = smp_cbor_dec_uint64, .out = &grc },
            };
            if (smp_cbor_decode_map(&d2, ge, 1) != 0) {
                return DFU_EBADMSG;
            }
            return (int)grc;
        }
        if (smp_cbor_skip(&d2) != 0) {
            return DFU_EBADMSG;
        }
    }
    return 0;
}

int smp_tc_echo(struct smp_tc *c, const char *text, char *out, size_t cap)
{
    uint8_t req[512];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, req, sizeof req);
    smp_cbor_put_map(&e, 1);
    smp_cbor_put_kv_tstr(&e, "d", text);
    int rc = smp_cbor_enc_error(&e);
    if (rc == 0) {
        rc = smp_tc_request(c, SMP_OP_WRITE, SMP_GROUP_OS, OS_ID_ECHO, req, e.len);
    }
    if (rc != 0) {
        return rc;
    }
    struct smp_cbor_str r = { 0 };
    struct smp_cbor_map_entry m[] = { { .key = "r", .decode = smp_cbor_dec_tstr, .out = &r } };
    struct smp_cbor_dec d;
    smp_cbor_dec_init(&d, c->rsp, c->rsp_len);
    if (smp_cbor_decode_map(&d, m, 1) != 0 || !m[0].found || r.len + 1 > cap) {
        return smp_tc_rc(c) > 0 ? smp_tc_rc(c) : DFU_EBADMSG;
    }
    memcpy(out, r.ptr, r.len);
    out[r.len] = '\0';
    return 0;
}

int smp_tc_params(struct smp_tc *c, uint32_t *buf_size, uint32_t *buf_count)
{
    static const uint8_t empty[] = { 0xa0 };
    int rc = smp_tc_request(c, SMP_OP_READ, SMP_GROUP_OS, OS_ID_MCUMGR_PARAMS, empty, sizeof empty);
    if (rc != 0) {
        return rc;
    }
    struct smp_cbor_map_entry m[] = {
        { .key = "buf_size", .decode = smp_cbor_dec_uint32, .out = buf_size },
        { .key = "buf_count", .decode = smp_cbor_dec_uint32, .out = buf_count },
    };
    struct smp_cbor_dec d;
    smp_cbor_dec_init(&d, c->rsp, c->rsp_len);
    if (smp_cbor_decode_map(&d, m, 2) != 0 || !m[0].found || !m[1].found) {
        return smp_tc_rc(c) > 0 ? smp_tc_rc(c) : DFU_EBADMSG;
    }
    uint32_t max = c->serial ? *buf_size - 4 : *buf_size;
    c->pkt_max = max < SMP_TC_BUF ? max : SMP_TC_BUF;
    return 0;
}

int smp_tc_image_list(struct smp_tc *c, struct smp_tc_image *out, size_t max, size_t *count)
{
    static const uint8_t empty[] = { 0xa0 };
    int rc = smp_tc_request(c, SMP_OP_READ, SMP_GROUP_IMAGE, IMG_ID_STATE, empty, sizeof empty);
    if (rc != 0) {
        return rc;
    }
    *count = 0;
    struct smp_cbor_dec d;
    smp_cbor_dec_init(&d, c->rsp, c->rsp_len);
    struct smp_cbor_container top;
    if (smp_cbor_enter_map(&d, &top) != 0) {
        return DFU_EBADMSG;
    }
    bool seen = false;
    while ((rc = smp_cbor_more(&d, &top)) == 1) {
        struct smp_cbor_str key;
        if (smp_cbor_get_tstr(&d, &key) != 0) {
            return DFU_EBADMSG;
        }
        if (!smp_cbor_str_eq(&key, "images")) {
            if (smp_cbor_skip(&d) != 0) {
                return DFU_EBADMSG;
            }
            continue;
        }
        seen = true;
        struct smp_cbor_container arr;
        if (smp_cbor_enter_array(&d, &arr) != 0) {
            return DFU_EBADMSG;
        }
        while ((rc = smp_cbor_more(&d, &arr)) == 1) {
            struct smp_tc_image img = { 0 };
            struct smp_cbor_str ver = { 0 }, hash = { 0 };
            struct smp_cbor_map_entry m[] = {
                { .key = "slot", .decode = smp_cbor_dec_uint32, .out = &img.slot },
                { .key = "version", .decode = smp_cbor_dec_tstr, .out = &ver },
                { .key = "hash", .decode = smp_cbor_dec_bstr, .out = &hash },
                { .key = "bootable", .decode = smp_cbor_dec_bool, .out = &img.bootable },
                { .key = "pending", .decode = smp_cbor_dec_bool, .out = &img.pending },
                { .key = "confirmed", .decode = smp_cbor_dec_bool, .out = &img.confirmed },
                { .key = "active", .decode = smp_cbor_dec_bool, .out = &img.active },
                { .key = "permanent", .decode = smp_cbor_dec_bool, .out = &img.permanent },
            };
            if (smp_cbor_decode_map(&d, m, sizeof m / sizeof m[0]) != 0 ||
                ver.len >= sizeof img.version || (hash.len != 0 && hash.len != 32)) {
                return DFU_EBADMSG;
            }
            memcpy(img.version, ver.ptr, ver.len);
            if (hash.len == 32) {
                memcpy(img.hash, hash.ptr, 32);
            }
            if (*count < max) {
                out[(*count)++] = img;
            }
        }
        if (rc < 0) {
            return DFU_EBADMSG;
        }
    }
    if (rc < 0) {
        return DFU_EBADMSG;
    }
    if (!seen) {
        rc = smp_tc_rc(c);
        return rc > 0 ? rc : DFU_EBADMSG;
    }
    return 0;
}

int smp_tc_image_upload(struct smp_tc *c, const uint8_t *img, size_t len)
{
    uint8_t sha[32];
    int rc = crypto_hash(CRYPTO_SHA256, img, len, sha);
    if (rc != 0) {
        return rc;
    }
    /* The first packet carries image, len, off, sha: 76 bytes of overhead. */
    size_t chunk = c->pkt_max > 96 ? c->pkt_max - 80 : 16;
    static uint8_t req[SMP_TC_BUF];
    uint64_t off = 0;
    int stuck = 0;
    while (off < len) {
        size_t n = len - off < chunk ? len - off : chunk;
        struct smp_cbor_enc e;
        smp_cbor_enc_init(&e, req, sizeof req);
        if (off == 0) {
            smp_cbor_put_map(&e, 5);
            smp_cbor_put_kv_uint(&e, "image", 0);
            smp_cbor_put_kv_uint(&e, "len", len);
            smp_cbor_put_kv_uint(&e, "off", 0);
            smp_cbor_put_kv_bstr(&e, "sha", sha, sizeof sha);
        } else {
            smp_cbor_put_map(&e, 2);
            smp_cbor_put_kv_uint(&e, "off", off);
        }
        smp_cbor_put_kv_bstr(&e, "data", img + off, n);
        if ((rc = smp_cbor_enc_error(&e)) != 0) {
            return rc;
        }
        rc = smp_tc_request(c, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ID_UPLOAD, req, e.len);
        if (rc != 0) {
            return rc;
        }
        int drc = smp_tc_rc(c);
        if (drc != 0) {
            return drc;
        }
        uint64_t next = 0;
        struct smp_cbor_map_entry m[] = {
            { .key = "off", .decode = smp_cbor_dec_uint64, .out = &next },
        };
        struct smp_cbor_dec d;
        smp_cbor_dec_init(&d, c->rsp, c->rsp_len);
        if (smp_cbor_decode_map(&d, m, 1) != 0 || !m[0].found || next > len) {
            return DFU_EBADMSG;
        }
        if (next <= off && ++stuck > 5) {
            return DFU_EIO;  /* the device does not advance */
        }
        if (next > off) {
            stuck = 0;
        }
        off = next;
    }
    return 0;
}

int smp_tc_image_state_write(struct smp_tc *c, const uint8_t *hash, bool confirm)
{
    uint8_t req[128];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, req, sizeof req);
    smp_cbor_put_map(&e, hash ? 2 : 1);
    if (hash != NULL) {
        smp_cbor_put_kv_bstr(&e, "hash", hash, 32);
    }
    smp_cbor_put_kv_bool(&e, "confirm", confirm);
    int rc = smp_cbor_enc_error(&e);
    if (rc == 0) {
        rc = smp_tc_request(c, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ID_STATE, req, e.len);
    }
    return rc ? rc : smp_tc_rc(c);
}

int smp_tc_reset(struct smp_tc *c)
{
    static const uint8_t empty[] = { 0xa0 };
    int rc = smp_tc_request(c, SMP_OP_WRITE, SMP_GROUP_OS, OS_ID_RESET, empty, sizeof empty);
    return rc ? rc : smp_tc_rc(c);
}

const struct smp_tc_image *smp_tc_find_slot(const struct smp_tc_image *list, size_t count,
                                            uint32_t slot)
{
    for (size_t i = 0; i < count; i++) {
        if (list[i].slot == slot) {
            return &list[i];
        }
    }
    return NULL;
}
