/* The request loop (Zephyr's smp_process_request_packet): split a packet into
 * requests by their headers, find each handler, run it inside an open response map, and turn
 * every failure into the error response the protocol prescribes. */
#include <string.h>

#include "dfukit/err.h"
#include "dfukit/server.h"

/* The smallest error response: header + {"rc": N} with N < 24. */
#define MIN_ERR_RSP (SMP_HDR_SIZE + 1 + 3 + 1)

static const uint8_t empty_map[] = {0xa0};

static const char *rsn_for(int rc)
{
    switch (rc) {
    case SMP_ERR_ECORRUPT: return "length beyond packet";
    case SMP_ERR_ENOTSUP: return "unsupported command";
    case SMP_ERR_UNSUPPORTED_TOO_NEW: return "SMP version too new";
    case SMP_ERR_EINVAL: return "malformed request";
    case SMP_ERR_EMSGSIZE: return "response too large";
    default: return NULL;
    }
}

/* Replaces whatever the handler wrote by {"rc": rc, ("rsn": text)}. */
static void encode_rc(struct smp_server *srv, struct smp_cbor_enc *enc, int rc, const char *rsn)
{
    if (rsn == NULL) {
        rsn = rsn_for(rc);
    }
    bool with_rsn = srv->cfg.verbose_err && rsn != NULL;
    smp_cbor_enc_reset(enc);
    bool ok = smp_cbor_put_map(enc, with_rsn ? 2 : 1) && smp_cbor_put_kv_uint(enc, "rc", (uint64_t)rc);
    if (ok && with_rsn) {
        ok = smp_cbor_put_kv_tstr(enc, "rsn", rsn);
    }
    if (!ok) {
        /* No room for the text or a long code: the bare code, else EMSGSIZE, which always
         * fits in MIN_ERR_RSP (checked by the caller). */
        smp_cbor_enc_reset(enc);
        if (!(smp_cbor_put_map(enc, 1) && smp_cbor_put_kv_uint(enc, "rc", (uint64_t)rc))) {
            smp_cbor_enc_reset(enc);
            smp_cbor_put_map(enc, 1);
            smp_cbor_put_kv_uint(enc, "rc", SMP_ERR_EMSGSIZE);
        }
    }
}

static mgmt_handler_fn find_handler(const struct smp_server *srv, const struct smp_hdr *h)
{
    const struct mgmt_group *g = server_find_group(srv, h->group);
    if (g == NULL || h->id >= g->count) {
        return NULL;
    }
    if (h->op == SMP_OP_READ) {
        return g->handlers[h->id].read;
    }
    if (h->op == SMP_OP_WRITE) {
        return g->handlers[h->id].write;
    }
    return NULL;
}

/* A request payload must be exactly one well-formed CBOR map. */
static bool payload_is_map(const uint8_t *p, size_t len)
{
    struct smp_cbor_dec d;
    struct smp_cbor_item it;
    smp_cbor_dec_init(&d, p, len);
    if (smp_cbor_peek(&d, &it) != 0 || it.type != SMP_CBOR_MAP) {
        return false;
    }
    return smp_cbor_skip(&d) == 0 && d.off == len;
}

/* Runs the handler; returns 0 or the v1 rc of an SMP-level error. On success the response
 * map is complete in enc. */
static int run_handler(struct smp_server *srv, const struct smp_peer *peer,
                       const struct smp_hdr *h, mgmt_handler_fn fn, const uint8_t *payload,
                       struct smp_cbor_enc *enc, const char **rsn)
{
    struct mgmt_ctx ctx = {.srv = srv, .hdr = h, .enc = enc, .peer = peer};
    if (h->len == 0) {
        payload = empty_map;  /* no payload reads as {} */
    }
    smp_cbor_dec_init(&ctx.dec, payload, h->len == 0 ? sizeof(empty_map) : h->len);
    if (!smp_cbor_put_map_open(enc)) {
        return SMP_ERR_EMSGSIZE;
    }
    int rc = fn(&ctx);
    *rsn = ctx.rsn;
    if (rc > 0) {
        return rc;
    }
    if (rc == MGMT_GROUP_ERR) {
        if (h->version == SMP_V1) {
            return smp_translate_group_err(ctx.err_group, ctx.err_rc);
        }
        srv->counters.errors++;
        (void)(smp_cbor_put_tstr(enc, "err") && smp_cbor_put_map(enc, 2) &&
               smp_cbor_put_kv_uint(enc, "group", ctx.err_group) &&
               smp_cbor_put_kv_uint(enc, "rc", ctx.err_rc));
    } else if (rc != MGMT_OK) {
        return SMP_ERR_EUNKNOWN;
    }
    if (enc->err == DFU_ENOSPC) {
        return SMP_ERR_EMSGSIZE;
    }
    if (enc->depth != 1 || !smp_cbor_put_end(enc) || enc->depth != 0) {
        return enc->err == DFU_ENOSPC ? SMP_ERR_EMSGSIZE : SMP_ERR_EUNKNOWN;
    }
    return 0;
}

/* Handles one request whose header is h and payload the h->len bytes at payload (NULL when
 * the length runs past the packet). Writes the response to out (cap bytes, cap >=
 * MIN_ERR_RSP) and returns its length; *failed tells whether it was an error. */
static size_t handle_one(struct smp_server *srv, const struct smp_peer *peer,
                         const struct smp_hdr *h, const uint8_t *payload, uint8_t *out,
                         size_t cap, bool *failed)
{
    struct smp_cbor_enc enc;
    smp_cbor_enc_init(&enc, out + SMP_HDR_SIZE, cap - SMP_HDR_SIZE);
    const char *rsn = NULL;
    int rc;
    mgmt_handler_fn fn = NULL;

    srv->counters.rx_requests++;
    if (payload == NULL) {
        rc = SMP_ERR_ECORRUPT;
    } else if (h->version > SMP_V2) {
        rc = SMP_ERR_UNSUPPORTED_TOO_NEW;
    } else if ((fn = find_handler(srv, h)) == NULL) {
        rc = SMP_ERR_ENOTSUP;
    } else if (h->len != 0 && !payload_is_map(payload, h->len)) {
        rc = SMP_ERR_EINVAL;
    } else {
        rc = run_handler(srv, peer, h, fn, payload, &enc, &rsn);
    }
    if (rc != 0) {
        srv->counters.errors++;
        encode_rc(srv, &enc, rc, rsn);
    }
    *failed = rc != 0;

    struct smp_hdr rsp = {
        .version = h->version > SMP_V2 ? SMP_V2 : h->version,
        .op = h->op == SMP_OP_READ ? SMP_OP_READ_RSP : SMP_OP_WRITE_RSP,
        .flags = 0,
        .len = (uint16_t)enc.len,
        .group = h->group,
        .seq = h->seq,
        .id = h->id,
    };
    smp_hdr_encode(out, &rsp);
    srv->counters.tx_responses++;
    srv->counters.tx_bytes += (uint32_t)(SMP_HDR_SIZE + enc.len);
    return SMP_HDR_SIZE + enc.len;
}

/* The request loop. With emit, every response is built at rsp_buf and handed over at once;
 * without, responses are appended to rsp_buf. Returns the bytes kept in rsp_buf (append
 * mode), the bytes emitted (emit mode), or a negative error. */
static int process(struct smp_server *srv, const struct smp_peer *peer, const uint8_t *req,
                   size_t req_len, uint8_t *rsp_buf, size_t rsp_cap, server_emit_fn emit,
                   void *arg)
{
    size_t in = 0, out = 0, total = 0;
    if (req == NULL) {
        req_len = 0;
    }
    srv->counters.rx_packets++;
    srv->counters.rx_bytes += (uint32_t)req_len;

    /* Fewer than 8 bytes left is not a header: Zephyr drops it without a reply. */
    while (req_len - in >= SMP_HDR_SIZE) {
        struct smp_hdr h;
        smp_hdr_decode(&h, req + in, req_len - in);
        in += SMP_HDR_SIZE;

        size_t cap = rsp_cap - out;
        if (cap > srv->cfg.buf_size) {
            cap = srv->cfg.buf_size;
        }
        if (rsp_buf == NULL || cap < MIN_ERR_RSP) {
            return total > 0 ? (int)total : DFU_ENOSPC;
        }
        const uint8_t *payload = h.len <= req_len - in ? req + in : NULL;
        bool failed;
        size_t n = handle_one(srv, peer, &h, payload, rsp_buf + out, cap, &failed);
        total += n;
        if (emit != NULL) {
            int err = emit(arg, rsp_buf, n);
            if (err < 0) {
                return err;
            }
        } else {
            out += n;
        }
        if (failed || payload == NULL) {
            break;  /* stop at the first error, as Zephyr does */
        }
        in += h.len;
    }
    return (int)total;
}

static const struct smp_peer default_peer = {.link = SMP_PEER_DEFAULT};

bool smp_peer_equal(const struct smp_peer *a, const struct smp_peer *b)
{
    return a->link == b->link && a->addr_len == b->addr_len &&
           memcmp(a->addr, b->addr, a->addr_len) == 0;
}

int server_process(struct smp_server *srv, const uint8_t *req, size_t req_len, uint8_t *rsp_buf,
                   size_t rsp_cap)
{
    return process(srv, &default_peer, req, req_len, rsp_buf, rsp_cap, NULL, NULL);
}

int server_process_from(struct smp_server *srv, const struct smp_peer *peer, const uint8_t *req,
                        size_t req_len, uint8_t *rsp_buf, size_t rsp_cap)
{
    if (peer == NULL || peer->addr_len > SMP_PEER_ADDR_MAX) {
        return DFU_EINVAL;
    }
    return process(srv, peer, req, req_len, rsp_buf, rsp_cap, NULL, NULL);
}

int server_process_each(struct smp_server *srv, const uint8_t *req, size_t req_len,
                        uint8_t *rsp_buf, size_t rsp_cap, server_emit_fn emit, void *arg)
{
    if (emit == NULL) {
        return DFU_EINVAL;
    }
    return process(srv, &default_peer, req, req_len, rsp_buf, rsp_cap, emit, arg);
}
