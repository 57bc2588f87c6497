/* File-system group (8): status, hash, and transfers, stop-and-wait: the server keeps one
 * file context and answers an unexpected offset with an error, so requests are not pipelined. */
#include <stdlib.h>
#include <string.h>

#include "chunk.h"
#include "cmd.h"
#include "dfukit/client.h"
#include "dfukit/err.h"
#include "dfukit/smp_cbor.h"

#define FS_DOWNLOAD_MAX (64u << 20) /* a file larger than this is refused */

int client_fs_upload(struct client_session *s, const char *remote, const uint8_t *data,
                     size_t len, client_progress_fn progress, void *arg,
                     struct client_deverr *err)
{
    memset(err, 0, sizeof(*err));
    size_t nlen = strlen(remote);
    if (len > 0xffffffffu || nlen == 0 || nlen > 255) {
        return DFU_EINVAL;
    }
    int rc = client_read_params(s);
    if (rc) {
        return rc;
    }
    size_t pkt_max = client_max_packet(s);
    uint8_t *buf = malloc(pkt_max);
    if (!buf) {
        return DFU_ENOMEM;
    }
    size_t off = 0;
    do {
        size_t fixed = SMP_HDR_SIZE + 1 + 5 + client_cbor_uint_size(nlen) + nlen + 4 +
                       client_cbor_uint_size(off) + 5;
        if (off == 0) {
            fixed += 4 + client_cbor_uint_size(len);
        }
        size_t d = client_fit_bstr(pkt_max, fixed);
        if (d > len - off) {
            d = len - off;
        }
        if (d == 0 && len > 0) {
            rc = DFU_ENOSPC;
            break;
        }
        struct smp_cbor_enc e;
        smp_cbor_enc_init(&e, buf, pkt_max - SMP_HDR_SIZE);
        bool ok = smp_cbor_put_map(&e, off == 0 ? 4 : 3) && smp_cbor_put_kv_tstr(&e, "name", remote) &&
                  smp_cbor_put_kv_uint(&e, "off", off) &&
                  smp_cbor_put_kv_bstr(&e, "data", data + off, d);
        if (off == 0) {
            ok = ok && smp_cbor_put_kv_uint(&e, "len", len);
        }
        if (!ok || smp_cbor_enc_error(&e)) {
            rc = DFU_ENOSPC;
            break;
        }
        struct client_rsp rsp;
        rc = client_request(s, SMP_OP_WRITE, SMP_GROUP_FS, FS_ID_FILE, buf, e.len, &rsp, 0);
        if (rc) {
            break;
        }
        uint64_t r;
        if (client_rsp_failed(&rsp)) {
            *err = rsp.err;
            rc = CLIENT_EDEVICE;
        } else if (!client_get_uint(rsp.root, "off", &r) || r > len || r < off) {
            rc = DFU_EBADMSG;
        } else if (r == off && d > 0) {
            rc = DFU_EIO; /* no progress: the device keeps refusing this chunk */
        } else {
            off = (size_t)r;
        }
        client_rsp_free(&rsp);
        if (!rc && progress) {
            progress(arg, off, len);
        }
    } while (!rc && off < len);
    free(buf);
    return rc;
}

int client_fs_download(struct client_session *s, const char *remote, uint8_t **out,
                       size_t *out_len, client_progress_fn progress, void *arg,
                       struct client_deverr *err)
{
    memset(err, 0, sizeof(*err));
    *out = NULL;
    *out_len = 0;
    uint8_t req[300];
    uint8_t *file = NULL;
    size_t total = 0, off = 0;
    int rc = 0;
    do {
        struct smp_cbor_enc e;
        smp_cbor_enc_init(&e, req, sizeof(req));
        bool ok = smp_cbor_put_map(&e, 2) && smp_cbor_put_kv_uint(&e, "off", off) &&
                  smp_cbor_put_kv_tstr(&e, "name", remote);
        if (!ok || smp_cbor_enc_error(&e)) {
            rc = DFU_EINVAL; /* name too long */
            break;
        }
        struct client_rsp rsp;
        rc = client_request(s, SMP_OP_READ, SMP_GROUP_FS, FS_ID_FILE, req, e.len, &rsp, 0);
        if (rc) {
            break;
        }
        uint64_t roff, rlen;
        const uint8_t *data;
        size_t dlen;
        if (client_rsp_failed(&rsp)) {
            *err = rsp.err;
            rc = CLIENT_EDEVICE;
        } else if (!client_get_uint(rsp.root, "off", &roff) || roff != off ||
                   !client_get_bytes(rsp.root, "data", &data, &dlen)) {
            rc = DFU_EBADMSG;
        } else if (off == 0 && (!client_get_uint(rsp.root, "len", &rlen) || rlen > FS_DOWNLOAD_MAX)) {
            rc = DFU_EBADMSG; /* the first answer must give a sane file size */
        } else {
            if (off == 0) {
                total = (size_t)rlen;
                file = malloc(total ? total : 1);
                if (!file) {
                    rc = DFU_ENOMEM;
                }
            }
            if (!rc && (dlen > total - off || (dlen == 0 && off < total))) {
                rc = DFU_EBADMSG;
            }
            if (!rc) {
                memcpy(file + off, data, dlen);
                off += dlen;
            }
        }
        client_rsp_free(&rsp);
        if (!rc && progress) {
            progress(arg, off, total);
        }
    } while (!rc && off < total);
    if (rc) {
        free(file);
        return rc;
    }
    *out = file;
    *out_len = total;
    return 0;
}

int client_fs_stat(struct client_session *s, const char *remote, uint64_t *len,
                   struct client_rsp *rsp, struct client_deverr *err)
{
    struct client_rsp local;
    struct client_rsp *r = client_cmd_rsp(rsp, &local);
    int rc = client_cmd_kv(s, SMP_OP_READ, SMP_GROUP_FS, FS_ID_STATUS, "name", remote, r, err);
    if (!rc && !client_get_uint(r->root, "len", len)) {
        rc = DFU_EBADMSG;
    }
    return client_cmd_done(rc, r, rsp);
}

int client_fs_hash(struct client_session *s, const char *remote, const char *type,
                   struct client_fs_hash *out, struct client_rsp *rsp, struct client_deverr *err)
{
    memset(out, 0, sizeof(*out));
    uint8_t buf[CLIENT_CMD_REQ_MAX];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, buf, sizeof(buf));
    bool ok = smp_cbor_put_map(&e, type ? 2 : 1) && smp_cbor_put_kv_tstr(&e, "name", remote);
    if (type) {
        ok = ok && smp_cbor_put_kv_tstr(&e, "type", type);
    }
    if (!ok || smp_cbor_enc_error(&e)) {
        return DFU_EINVAL;
    }
    struct client_rsp local;
    struct client_rsp *r = client_cmd_rsp(rsp, &local);
    int rc = client_call(s, SMP_OP_READ, SMP_GROUP_FS, FS_ID_HASH_CHECKSUM, buf, e.len, r, err);
    const uint8_t *h;
    size_t hl;
    if (!rc) {
        client_get_text(r->root, "type", out->type, sizeof(out->type));
        client_get_uint(r->root, "len", &out->len);
        if (client_get_bytes(r->root, "output", &h, &hl) && hl <= sizeof(out->digest)) {
            memcpy(out->digest, h, hl);
            out->digest_len = hl;
        } else if (client_get_uint(r->root, "output", &out->value)) {
            out->has_value = true;
        } else {
            rc = DFU_EBADMSG;
        }
    }
    return client_cmd_done(rc, r, rsp);
}
