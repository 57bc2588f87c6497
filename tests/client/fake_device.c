/* In-process SMP responder for the client tests (see fake_device.h). */
#include "fake_device.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dfukit/err.h"
#include "dfukit/hostio.h"
#include "dfukit/serial_frame.h"
#include "dfukit/smp.h"
#include "dfukit/smp_cbor.h"
#include "dfukit/client.h"
#include "dfukit/crypto.h"

void fake_defaults(struct fake_device *d)
{
    memset(d, 0, sizeof(*d));
    d->slot[0].present = true;
    d->slot[0].confirmed = true;
    memset(d->slot[0].hash, 0xa5, 32);
    strcpy(d->slot[0].version, "1.0.0");
    d->buf_count = 4;
    d->fail_at_off = -1;
    d->fd = -1;
    d->hold_fd = -1;
}

struct reply {
    uint8_t pkt[2048];
    size_t len;
};

static void make_reply(struct reply *r, const struct smp_hdr *req, const uint8_t *cbor, size_t n)
{
    struct smp_hdr h = *req;
    h.op = req->op == SMP_OP_READ ? SMP_OP_READ_RSP : SMP_OP_WRITE_RSP;
    h.version = req->version > 1 ? 1 : req->version;
    h.len = (uint16_t)n;
    smp_hdr_encode(r->pkt, &h);
    memcpy(r->pkt + SMP_HDR_SIZE, cbor, n);
    r->len = SMP_HDR_SIZE + n;
}

static void enc_error(struct smp_cbor_enc *e, const struct smp_hdr *req, int group_rc, int v1_rc)
{
    if (req->version == SMP_V2) {
        (void)(smp_cbor_put_map(e, 1) && smp_cbor_put_tstr(e, "err") && smp_cbor_put_map(e, 2) &&
            smp_cbor_put_kv_uint(e, "group", req->group) &&
            smp_cbor_put_kv_uint(e, "rc", (uint64_t)group_rc));
    } else {
        (void)(smp_cbor_put_map(e, 1) && smp_cbor_put_kv_uint(e, "rc", (uint64_t)v1_rc));
    }
}

/* Returns false when the request is dropped without a reply. */
static bool handle_upload(struct fake_device *d, const struct smp_hdr *h, const uint8_t *p,
                          struct smp_cbor_enc *e, bool *send)
{
    uint64_t off = 0, len = 0, image = 0;
    bool upgrade = false;
    struct smp_cbor_str data = {0}, sha = {0};
    struct smp_cbor_map_entry map[] = {
        {"off", smp_cbor_dec_uint64, &off, false},  {"len", smp_cbor_dec_uint64, &len, false},
        {"data", smp_cbor_dec_bstr, &data, false},  {"sha", smp_cbor_dec_bstr, &sha, false},
        {"image", smp_cbor_dec_uint64, &image, false},
        {"upgrade", smp_cbor_dec_bool, &upgrade, false},
    };
    struct smp_cbor_dec dec;
    smp_cbor_dec_init(&dec, p, h->len);
    d->nreq++;
    if (d->mute_all) {
        d->deaf = true;
        return false;
    }
    if (d->mute_after && d->nreq > d->mute_after) {
        return false;
    }
    if (d->drop_req_every && d->nreq % d->drop_req_every == 0) {
        return false;
    }
    unsigned run = d->drop_req_run ? d->drop_req_run : 1;
    if (d->drop_req_once && d->nreq >= d->drop_req_once && d->nreq < d->drop_req_once + run) {
        return false;
    }
    d->upload_reqs++;
    if (d->busy) {
        (void)(smp_cbor_put_map(e, 1) && smp_cbor_put_kv_uint(e, "rc", SMP_ERR_EBUSY));
        return true;
    }
    if (smp_cbor_decode_map(&dec, map, 6) != 0 || !map[0].found || !map[2].found) {
        enc_error(e, h, 1, 3);
        return true;
    }
    if (data.len == 0) {
        d->empty_chunks++;
        d->empty_at_zero = d->empty_at_zero || off == 0;
    }
    if (d->fail_at_off >= 0 && off == (uint64_t)d->fail_at_off) {
        enc_error(e, h, d->fail_rc, 6);
        return true;
    }
    if (off == 0) {
        if (!map[1].found || len > FAKE_IMAGE_MAX) {
            enc_error(e, h, 21, 3);
            return true;
        }
        if (d->in_progress && map[3].found && sha.len == 32 && memcmp(sha.ptr, d->sha, 32) == 0) {
            /* resume: no work, report where we are */
            (void)(smp_cbor_put_map(e, 1) && smp_cbor_put_kv_uint(e, "off", d->img_off));
            return true;
        }
        d->img_len = (uint32_t)len;
        d->img_off = 0;
        d->in_progress = true;
        d->first_chunks++;
        if (d->first_delay_ms) {
            struct timespec ts = {d->first_delay_ms / 1000, (long)(d->first_delay_ms % 1000) * 1000000L};
            nanosleep(&ts, NULL); /* erasing the slot; the loop reads nothing meanwhile */
        }
        memset(d->sha, 0, 32);
        if (map[3].found && sha.len == 32) {
            memcpy(d->sha, sha.ptr, 32);
        }
    }
    if (!d->in_progress || off != d->img_off) {
        d->mismatches++;
        (void)(smp_cbor_put_map(e, 1) && smp_cbor_put_kv_uint(e, "off", d->in_progress ? d->img_off : 0));
        return true;
    }
    if (off + data.len > d->img_len) {
        enc_error(e, h, 31, 3);
        return true;
    }
    if (off == 0 && d->first_short && data.len > d->first_short) {
        data.len -= d->first_short; /* kept only up to the last whole write unit */
    }
    memcpy(d->image + off, data.ptr, data.len);
    if (off > 0 && data.len > 0 && (off + data.len - 1) / 4096 != (off - 1) / 4096) {
        d->erasing = true;
        d->erasing_counted = off >= d->page_count_from;
    }
    d->img_off += (uint32_t)data.len;
    bool done = d->img_off == d->img_len;
    if (done) {
        uint8_t got[32];
        crypto_hash(CRYPTO_SHA256, d->image, d->img_len, got);
        bool match = memcmp(got, d->sha, 32) == 0 && !d->bad_match;
        (void)(smp_cbor_put_map(e, d->no_match ? 1 : 2) &&
               smp_cbor_put_kv_uint(e, "off", d->img_off) &&
               (d->no_match || smp_cbor_put_kv_bool(e, "match", match)));
        d->slot[1].present = !d->forget_upload;
        d->slot[1].pending = d->slot[1].permanent = d->slot[1].confirmed = false;
        /* a device lists an MCUboot image by its hash TLV (image_validate's reading of it),
         * anything else here by the data's SHA-256 */
        uint8_t tlv[32];
        size_t tlv_len = 0;
        bool is_image = client_image_file_hash(d->image, d->img_len, tlv, sizeof(tlv),
                                               &tlv_len) == 0 && tlv_len == 32;
        memcpy(d->slot[1].hash, d->has_list_hash ? d->list_hash : is_image ? tlv : got, 32);
        strcpy(d->slot[1].version, "2.0.0");
        /* like Zephyr and our server, the finished context stays: a late duplicate is
         * answered with the final offset */
    } else {
        (void)(smp_cbor_put_map(e, 1) && smp_cbor_put_kv_uint(e, "off", d->img_off));
    }
    (void)send;
    return true;
}

static void enc_state(struct fake_device *d, struct smp_cbor_enc *e)
{
    size_t n = d->slot[1].present ? 2 : 1;
    (void)(smp_cbor_put_map(e, 1) && smp_cbor_put_tstr(e, "images") && smp_cbor_put_array(e, n));
    for (size_t i = 0; i < n; i++) {
        (void)(smp_cbor_put_map(e, 7) && smp_cbor_put_kv_uint(e, "slot", i) &&
               smp_cbor_put_kv_tstr(e, "version", d->slot[i].version) &&
               smp_cbor_put_kv_bstr(e, "hash", d->slot[i].hash, 32) &&
               smp_cbor_put_kv_bool(e, "active", i == 0) &&
               smp_cbor_put_kv_bool(e, "pending", d->slot[i].pending) &&
               smp_cbor_put_kv_bool(e, "confirmed", d->slot[i].confirmed) &&
               smp_cbor_put_kv_bool(e, "permanent", d->slot[i].permanent));
    }
}

/* 2/1/0: test (confirm false) or confirm, by hash; no hash confirms the running image. */
static void state_write(struct fake_device *d, const struct smp_hdr *h, const uint8_t *p,
                        struct smp_cbor_enc *e)
{
    struct smp_cbor_str hash = {0};
    bool confirm = false;
    struct smp_cbor_map_entry map[] = {{"hash", smp_cbor_dec_bstr, &hash, false},
                                       {"confirm", smp_cbor_dec_bool, &confirm, false}};
    struct smp_cbor_dec dec;
    smp_cbor_dec_init(&dec, p, h->len);
    smp_cbor_decode_map(&dec, map, 2);
    if (!map[0].found) {
        d->slot[0].confirmed = true;
    } else if (hash.len != 32) {
        enc_error(e, h, 24, 3);
        return;
    } else if (memcmp(hash.ptr, d->slot[0].hash, 32) == 0) {
        if (!confirm) {
            enc_error(e, h, 33, 1);
            return;
        }
    } else if (d->slot[1].present && memcmp(hash.ptr, d->slot[1].hash, 32) == 0) {
        d->slot[1].pending = true;
        d->slot[1].permanent = confirm;
    } else {
        enc_error(e, h, 8, 5);
        return;
    }
    enc_state(d, e);
}

/* What the bootloader does at a reset: swap in a pending image (or revert a crashing one). */
static void reboot(struct fake_device *d)
{
    d->resets++;
    if (!d->slot[1].present || !d->slot[1].pending) {
        return;
    }
    if (d->refuse_on_boot) {
        d->slot[1].present = d->slot[1].pending = false; /* invalid: erased by the bootloader */
        return;
    }
    if (d->revert_on_boot) {
        d->slot[1].pending = false; /* it ran, crashed, and the bootloader went back */
        return;
    }
    bool perm = d->slot[1].permanent;
    uint8_t old[32];
    memcpy(old, d->slot[0].hash, 32);
    memcpy(d->slot[0].hash, d->slot[1].hash, 32);
    memcpy(d->slot[1].hash, old, 32);
    char v[16];
    memcpy(v, d->slot[0].version, sizeof(v));
    memcpy(d->slot[0].version, d->slot[1].version, sizeof(v));
    memcpy(d->slot[1].version, v, sizeof(v));
    d->slot[0].confirmed = perm;
    d->slot[1].pending = d->slot[1].permanent = false;
    d->slot[1].confirmed = !perm;
}

/* Handles one request; fills up to two replies (a held one may be released). */
static size_t handle(struct fake_device *d, const uint8_t *pkt, size_t n, struct reply out[3])
{
    struct smp_hdr h;
    if (smp_hdr_decode(&h, pkt, n) != 0 || h.len > n - SMP_HDR_SIZE) {
        return 0;
    }
    if (n > d->max_pkt_seen) {
        d->max_pkt_seen = (unsigned)n;
    }
    const uint8_t *p = pkt + SMP_HDR_SIZE;
    uint8_t cbor[1024];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, cbor, sizeof(cbor));
    if (d->deaf) {
        return 0;
    }
    if (d->drop_larger && n > d->drop_larger) {
        d->dropped_large++;
        return 0; /* never reached the SMP layer whole */
    }
    if (n > d->max_pkt_handled) {
        d->max_pkt_handled = (unsigned)n;
    }
    if (h.op == SMP_OP_READ && ++d->reads_in <= d->drop_reads) {
        return 0;
    }
    bool upload = h.group == SMP_GROUP_IMAGE && h.id == 1 && h.op == SMP_OP_WRITE;
    if (!upload && n <= sizeof(d->last_req)) {
        memcpy(d->last_req, pkt, n);
        d->last_req_len = n;
    }
    if (h.group == SMP_GROUP_OS && h.id == 6 && h.op == SMP_OP_READ) {
        if (d->no_params) {
            (void)(smp_cbor_put_map(&e, 1) && smp_cbor_put_kv_uint(&e, "rc", 8));
        } else {
            (void)(smp_cbor_put_map(&e, 2) && smp_cbor_put_kv_uint(&e, "buf_size", d->buf_size) &&
                smp_cbor_put_kv_uint(&e, "buf_count", d->buf_count));
        }
    } else if (h.group == SMP_GROUP_OS && h.id == 0) {
        struct smp_cbor_str s = {0};
        struct smp_cbor_map_entry map[] = {{"d", smp_cbor_dec_tstr, &s, false}};
        struct smp_cbor_dec dec;
        smp_cbor_dec_init(&dec, p, h.len);
        smp_cbor_decode_map(&dec, map, 1);
        (void)(smp_cbor_put_map(&e, 1) && smp_cbor_put_kv_tstrn(&e, "r", (const char *)s.ptr, s.len));
    } else if (h.group == SMP_GROUP_IMAGE && h.id == 6 && h.op == SMP_OP_READ && d->slot_info) {
        (void)(smp_cbor_put_map(&e, 1) && smp_cbor_put_tstr(&e, "images") &&
               smp_cbor_put_array(&e, 1) && smp_cbor_put_map(&e, 3) &&
               smp_cbor_put_kv_uint(&e, "image", 0) && smp_cbor_put_tstr(&e, "slots") &&
               smp_cbor_put_array(&e, 2) && smp_cbor_put_map(&e, 2) &&
               smp_cbor_put_kv_uint(&e, "slot", 0) && smp_cbor_put_kv_uint(&e, "size", d->slot_size) &&
               smp_cbor_put_map(&e, 2) && smp_cbor_put_kv_uint(&e, "slot", 1) &&
               smp_cbor_put_kv_uint(&e, "size", d->slot_size) &&
               smp_cbor_put_kv_uint(&e, "max_image_size", d->max_image_size));
    } else if (h.group == SMP_GROUP_IMAGE && h.id == 0 && h.op == SMP_OP_READ) {
        enc_state(d, &e);
    } else if (h.group == SMP_GROUP_IMAGE && h.id == 0) {
        state_write(d, &h, p, &e);
    } else if (h.group == SMP_GROUP_OS && h.id == 5) {
        (void)smp_cbor_put_map(&e, 0);
        reboot(d); /* the reply goes out; the "new boot" answers the next request */
    } else if (upload) {
        bool send = true;
        if (!handle_upload(d, &h, p, &e, &send)) {
            return 0;
        }
    } else if (d->canned_len) {
        memcpy(cbor, d->canned, d->canned_len);
        e.len = d->canned_len;
    } else {
        (void)(smp_cbor_put_map(&e, 1) && smp_cbor_put_kv_uint(&e, "rc", 8));
    }
    size_t k = 0;
    struct reply r;
    make_reply(&r, &h, cbor, e.len);
    if (upload && d->drop_rsp_every && d->upload_reqs % d->drop_rsp_every == 0) {
        return 0;
    }
    if (upload && d->drop_rsp_once && d->upload_reqs == d->drop_rsp_once) {
        return 0;
    }
    if (upload && d->reorder_every && d->upload_reqs % d->reorder_every == 0 && !d->held_len) {
        memcpy(d->held, r.pkt, r.len);
        d->held_len = r.len;
        return 0;
    }
    out[k++] = r;
    if (upload && d->dup_rsp_every && d->upload_reqs % d->dup_rsp_every == 0) {
        out[k++] = r;
    }
    if (d->held_len) {
        memcpy(out[k].pkt, d->held, d->held_len);
        out[k++].len = d->held_len;
        d->held_len = 0;
    }
    return k;
}

static void udp_answer(struct fake_device *d, const uint8_t *buf, size_t n,
                       const struct hostio_addr *from, struct reply *out)
{
    size_t k = handle(d, buf, n, out);
    for (size_t i = 0; i < k; i++) {
        hostio_udp_send(d->fd, out[i].pkt, out[i].len, from);
    }
}

static void *udp_loop(void *arg)
{
    struct fake_device *d = arg;
    uint8_t buf[4096];
    struct reply out[3];
    while (!d->stop) {
        if (hostio_wait_readable(d->fd, 50) <= 0) {
            continue;
        }
        struct hostio_addr from;
        int n = hostio_udp_recv(d->fd, buf, sizeof(buf), &from);
        if (n <= 0) {
            continue;
        }
        if ((uint32_t)n > d->buf_size) {
            continue; /* larger than the advertised buffer: a real device drops it */
        }
        struct smp_hdr h;
        bool upload = smp_hdr_decode(&h, buf, (size_t)n) == 0 && h.group == SMP_GROUP_IMAGE &&
                      h.id == IMG_ID_UPLOAD;
        d->upload_in += upload;
        if (upload && ((d->reorder_req_once && d->upload_in == d->reorder_req_once) ||
                       (d->reorder_req_again && d->upload_in == d->reorder_req_again))) {
            memcpy(d->req_held, buf, (size_t)n);
            d->req_held_len = (size_t)n;
            continue;
        }
        unsigned times = upload && d->dup_req_once && d->upload_in == d->dup_req_once ? 2 : 1;
        for (unsigned t = 0; t < times; t++) {
            udp_answer(d, buf, (size_t)n, &from, out);
        }
        if (d->req_held_len) {
            size_t len = d->req_held_len;
            d->req_held_len = 0;
            udp_answer(d, d->req_held, len, &from, out);
        }
    }
    return NULL;
}

/* Line lengths within each multi-line frame: the widest spread seen (a client that cuts every
 * line full leaves a short last one). */
static void note_lines(struct fake_device *d, const uint8_t *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (d->line_len == 0) {
            d->line_first = in[i];
        }
        d->line_len++;
        if (in[i] != '\n') {
            continue;
        }
        if (d->line_first == SERIAL_FRAME_START_0) {
            d->frame_min = d->frame_max = d->line_len;
        } else if (d->line_first == SERIAL_FRAME_CONT_0) {
            d->frame_min = d->line_len < d->frame_min ? d->line_len : d->frame_min;
            d->frame_max = d->line_len > d->frame_max ? d->line_len : d->frame_max;
            if (d->frame_max - d->frame_min > d->line_spread) {
                d->line_spread = d->frame_max - d->frame_min;
            }
            d->multi_line_frames++;
        }
        d->line_len = 0;
    }
}

static void *serial_loop(void *arg)
{
    struct fake_device *d = arg;
    static uint8_t pkt[SERIAL_PACKET_MAX];
    struct serial_deframer df;
    serial_deframer_init(&df, pkt, sizeof(pkt));
    uint8_t in[4096], wire[8192];
    struct reply out[3];
    struct serial_frame_cfg cfg = {0, SERIAL_SPLIT_ZEPHYR};
    while (!d->stop) {
        if (hostio_wait_readable(d->fd, 50) <= 0) {
            continue;
        }
        int n = hostio_read(d->fd, in, sizeof(in));
        if (n <= 0) {
            continue;
        }
        note_lines(d, in, (size_t)n);
        size_t pos = 0;
        while (pos < (size_t)n) {
            size_t used = 0;
            size_t plen = serial_deframer_feed(&df, in + pos, (size_t)n - pos, &used);
            pos += used;
            if (plen == 0) {
                continue;
            }
            if (plen + 4 > d->buf_size) {
                continue; /* would not fit the device's net_buf */
            }
            d->erasing = false;
            size_t k = handle(d, pkt, plen, out);
            if (d->erasing && d->page_delay_ms > 0) {
                struct timespec ts = { 0, (long)d->page_delay_ms * 1000000L };
                nanosleep(&ts, NULL);
                bool followed = pos < (size_t)n || hostio_wait_readable(d->fd, 0) > 0;
                if (d->erasing_counted) {
                    /* a request's frame is at least 4/3 of its packet (base64): more than
                     * twice the packet's bytes waiting is a second request */
                    int queued = 0;
                    (void)ioctl(d->fd, FIONREAD, &queued);
                    d->pages_crossed++;
                    d->pages_followed += followed;
                    d->pages_followed_two += (size_t)n - pos + (size_t)queued > 2 * plen;
                }
                if (d->erase_deaf && followed) {
                    pos = (size_t)n;  /* what arrived while the CPU was halted is gone */
                    while (hostio_wait_readable(d->fd, 0) > 0 && hostio_read(d->fd, in, sizeof(in)) > 0) {
                    }
                    serial_deframer_reset(&df);
                    d->erase_losses++;
                }
            }
            for (size_t i = 0; i < k; i++) {
                int w = serial_frame_encode(wire, sizeof(wire), out[i].pkt, out[i].len, &cfg);
                if (w > 0) {
                    hostio_write_all(d->fd, wire, (size_t)w, 1000);
                }
            }
        }
    }
    return NULL;
}

int fake_start(struct fake_device *d, bool serial)
{
    d->serial = serial;
    if (!d->buf_size) {
        d->buf_size = serial ? 384 : 2048;
    }
    int err;
    if (serial) {
        err = hostio_pty_open(&d->fd, d->pty_path, sizeof(d->pty_path));
        if (!err) {
            err = hostio_pty_hold(&d->hold_fd, d->pty_path);
        }
    } else {
        struct hostio_addr a;
        err = hostio_addr_parse(&a, "127.0.0.1:0", 0, 0);
        if (!err) {
            err = hostio_udp_server(&d->fd, &a);
        }
        if (!err) {
            err = hostio_udp_local(d->fd, &a);
            d->port = hostio_addr_port(&a);
        }
    }
    if (err) {
        return err;
    }
    d->stop = false;
    return pthread_create(&d->thread, NULL, serial ? serial_loop : udp_loop, d) == 0 ? 0 : DFU_EIO;
}

void fake_stop(struct fake_device *d)
{
    d->stop = true;
    pthread_join(d->thread, NULL);
    hostio_close(d->fd);
    hostio_close(d->hold_fd);
    d->fd = d->hold_fd = -1;
}
