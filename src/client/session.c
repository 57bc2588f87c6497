/* The client session: builds request headers, numbers requests, and matches each response
 * to its request by sequence number, dropping anything else (late replies to retried or
 * pipelined requests). Starts with SMP v2 and falls back to v1 for servers that refuse it. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dfukit/client.h"
#include "dfukit/err.h"
#include "xport.h"

/* Receive buffer: the largest SMP packet any transport can carry. */
#define CLIENT_RX_MAX 65536

int client_xport_open(struct client_xport *out, const struct client_conn *conn, char *msg,
                      size_t msg_len)
{
    memset(out, 0, sizeof(*out));
    switch (conn->type) {
    case CLIENT_CONN_SERIAL: return client_xport_serial_open(out, conn, msg, msg_len);
    case CLIENT_CONN_UDP: return client_xport_udp_open(out, conn, msg, msg_len);
    case CLIENT_CONN_EXEC: return client_xport_exec_open(out, conn, msg, msg_len);
    case CLIENT_CONN_BLE: return client_xport_ble_open(out, conn, msg, msg_len);
    default:
        snprintf(msg, msg_len, "no connection type");
        return DFU_EINVAL;
    }
}

void client_xport_close(struct client_xport *x)
{
    if (x->ops && x->ops->close) {
        x->ops->close(x->ctx);
    }
    x->ops = NULL;
    x->ctx = NULL;
}

const char *client_session_link_error(const struct client_session *s)
{
    return s->xp.ops && s->xp.ops->link_error ? s->xp.ops->link_error(s->xp.ctx) : NULL;
}

void client_session_init(struct client_session *s, const struct client_xport *xp)
{
    memset(s, 0, sizeof(*s));
    s->xp = *xp;
    /* a random start keeps a stale reply from a previous run from matching */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    s->seq = (uint8_t)(ts.tv_nsec ^ (ts.tv_nsec >> 8));
    s->version = SMP_V2;
    s->timeout_ms = 10000;
    s->tries = 1;
}

void client_session_close(struct client_session *s)
{
    client_xport_close(&s->xp);
}

int client_send(struct client_session *s, uint8_t op, uint16_t group, uint8_t id,
                const uint8_t *payload, size_t len)
{
    if (len > 0xffff) {
        return DFU_ERANGE;
    }
    uint8_t *pkt = malloc(SMP_HDR_SIZE + len);
    if (!pkt) {
        return DFU_ENOMEM;
    }
    struct smp_hdr h = {
        .version = s->version, .op = op, .flags = 0, .len = (uint16_t)len,
        .group = group, .seq = s->seq, .id = id,
    };
    smp_hdr_encode(pkt, &h);
    if (len) {
        memcpy(pkt + SMP_HDR_SIZE, payload, len);
    }
    if (s->trace) {
        s->trace(s->trace_arg, "tx", pkt, SMP_HDR_SIZE + len);
    }
    int err = s->xp.ops->send(s->xp.ctx, pkt, SMP_HDR_SIZE + len);
    free(pkt);
    if (err) {
        return err;
    }
    return s->seq++;
}

int client_recv(struct client_session *s, struct client_rsp *rsp, int timeout_ms)
{
    uint8_t *buf = malloc(CLIENT_RX_MAX);
    if (!buf) {
        return DFU_ENOMEM;
    }
    int n = s->xp.ops->recv(s->xp.ctx, buf, CLIENT_RX_MAX, timeout_ms);
    int err = n;
    if (n >= 0) {
        if (s->trace) {
            s->trace(s->trace_arg, "rx", buf, (size_t)n);
        }
        err = client_rsp_decode(rsp, buf, (size_t)n);
    }
    free(buf);
    return err;
}


/* Waits for the response to seq until deadline; other packets are dropped. */
static int wait_for(struct client_session *s, int seq, uint16_t group, uint8_t id,
                    struct client_rsp *rsp, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - client_now_ms();
        if (left < 0) {
            return DFU_ETIMEDOUT;
        }
        int err = client_recv(s, rsp, (int)left);
        if (err == DFU_EBADMSG) {
            continue; /* garbage on the link is not our answer */
        }
        if (err) {
            return err;
        }
        if (rsp->hdr.seq == seq && rsp->hdr.group == group && rsp->hdr.id == id) {
            return 0;
        }
        client_rsp_free(rsp);
    }
}

int client_request(struct client_session *s, uint8_t op, uint16_t group, uint8_t id,
                   const uint8_t *payload, size_t len, struct client_rsp *rsp, int timeout_ms)
{
    if (timeout_ms <= 0) {
        timeout_ms = s->timeout_ms;
    }
    int tries = s->tries < 1 ? 1 : s->tries;
    int err = DFU_ETIMEDOUT;
    for (int t = 0; t < tries; t++) {
        int seq = client_send(s, op, group, id, payload, len);
        if (seq < 0) {
            return seq;
        }
        err = wait_for(s, seq, group, id, rsp, client_now_ms() + timeout_ms);
        if (err == DFU_ETIMEDOUT) {
            continue;
        }
        if (err) {
            return err;
        }
        if (s->version == SMP_V2 && rsp->err.rc == SMP_ERR_UNSUPPORTED_TOO_NEW &&
            !rsp->err.has_group_err) {
            /* an old server: speak v1 from now on and ask again */
            client_rsp_free(rsp);
            s->version = SMP_V1;
            t--;
            continue;
        }
        return 0;
    }
    return err;
}

int client_read_params(struct client_session *s)
{
    if (s->params_read) {
        return 0;
    }
    struct client_rsp rsp;
    int err = client_request(s, SMP_OP_READ, SMP_GROUP_OS, OS_ID_MCUMGR_PARAMS, SMP_EMPTY_MAP,
                             SMP_EMPTY_MAP_LEN, &rsp, 0);
    if (err) {
        return err;
    }
    uint64_t size = 0, count = 0;
    if (!client_rsp_failed(&rsp) && client_get_uint(rsp.root, "buf_size", &size) &&
        client_get_uint(rsp.root, "buf_count", &count) && size >= 64 && size <= 65535 &&
        count >= 1 && count <= 1024) {
        s->buf_size = (uint32_t)size;
        s->buf_count = (uint32_t)count;
    }
    client_rsp_free(&rsp);
    s->params_read = true;
    return 0;
}

size_t client_max_packet(const struct client_session *s)
{
    /* without params: Zephyr's default net_buf (384 bytes), which every device accepts */
    size_t m = (s->buf_size ? s->buf_size : 384) - s->xp.buf_overhead;
    if (s->xp.link_max && m > s->xp.link_max) {
        m = s->xp.link_max;
    }
    return m;
}
