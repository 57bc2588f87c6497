/* One request whose device error becomes CLIENT_EDEVICE, and the helpers every command
 * function shares (cmd.h). */
#include <string.h>

#include "cmd.h"
#include "dfukit/err.h"
#include "dfukit/smp_cbor.h"

int client_call(struct client_session *s, uint8_t op, uint16_t group, uint8_t id,
                const uint8_t *payload, size_t len, struct client_rsp *rsp,
                struct client_deverr *err)
{
    memset(rsp, 0, sizeof(*rsp));
    if (err) {
        memset(err, 0, sizeof(*err));
    }
    int rc = client_request(s, op, group, id, payload, len, rsp, 0);
    if (rc) {
        return rc;
    }
    if (client_rsp_failed(rsp)) {
        if (err) {
            *err = rsp->err;
        }
        client_rsp_free(rsp);
        return CLIENT_EDEVICE;
    }
    return 0;
}

int client_cmd_kv(struct client_session *s, uint8_t op, uint16_t group, uint8_t id,
                  const char *key, const char *value, struct client_rsp *r,
                  struct client_deverr *err)
{
    uint8_t buf[CLIENT_CMD_REQ_MAX];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, buf, sizeof(buf));
    bool ok = value ? smp_cbor_put_map(&e, 1) && smp_cbor_put_kv_tstr(&e, key, value)
                    : smp_cbor_put_map(&e, 0);
    if (!ok || smp_cbor_enc_error(&e)) {
        return DFU_EINVAL;
    }
    return client_call(s, op, group, id, buf, e.len, r, err);
}

int client_cmd_done(int rc, struct client_rsp *r, const struct client_rsp *rsp)
{
    if (rc || !rsp) {
        client_rsp_free(r);
    }
    return rc;
}
