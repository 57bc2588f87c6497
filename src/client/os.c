/* OS group (0): echo, taskstat, mpstat, datetime, reset, params, os-info, bootloader-info. */
#include <string.h>

#include "cmd.h"
#include "dfukit/err.h"
#include "dfukit/smp_cbor.h"

/* A request with one optional text argument whose answer is one text field. */
static int text_query(struct client_session *s, uint8_t op, uint8_t id, const char *key,
                      const char *value, const char *rkey, char *out, size_t cap,
                      struct client_rsp *rsp, struct client_deverr *err)
{
    struct client_rsp local;
    struct client_rsp *r = client_cmd_rsp(rsp, &local);
    int rc = client_cmd_kv(s, op, SMP_GROUP_OS, id, key, value, r, err);
    if (!rc && rkey && !client_get_text(r->root, rkey, out, cap)) {
        rc = DFU_EBADMSG;
    }
    return client_cmd_done(rc, r, rsp);
}

int client_os_echo(struct client_session *s, const char *text, char *out, size_t cap,
                   struct client_rsp *rsp, struct client_deverr *err)
{
    return text_query(s, SMP_OP_WRITE, OS_ID_ECHO, "d", text, "r", out, cap, rsp, err);
}

static int map_query(struct client_session *s, uint8_t id, struct client_rsp *rsp,
                     struct client_deverr *err)
{
    if (!rsp) {
        return DFU_EINVAL;
    }
    return client_call(s, SMP_OP_READ, SMP_GROUP_OS, id, SMP_EMPTY_MAP, SMP_EMPTY_MAP_LEN, rsp,
                       err);
}

int client_os_taskstat(struct client_session *s, struct client_rsp *rsp,
                       struct client_deverr *err)
{
    return map_query(s, OS_ID_TASKSTAT, rsp, err);
}

int client_os_mpstat(struct client_session *s, struct client_rsp *rsp, struct client_deverr *err)
{
    return map_query(s, OS_ID_MPSTAT, rsp, err);
}

int client_os_datetime(struct client_session *s, const char *value, char *out, size_t cap,
                       struct client_rsp *rsp, struct client_deverr *err)
{
    if (value) {
        return text_query(s, SMP_OP_WRITE, OS_ID_DATETIME, "datetime", value, NULL, NULL, 0,
                          rsp, err);
    }
    return text_query(s, SMP_OP_READ, OS_ID_DATETIME, NULL, NULL, "datetime", out, cap, rsp,
                      err);
}

int client_os_reset(struct client_session *s, bool force, struct client_deverr *err)
{
    uint8_t buf[16];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, buf, sizeof(buf));
    if (!(force ? smp_cbor_put_map(&e, 1) && smp_cbor_put_kv_bool(&e, "force", true)
                : smp_cbor_put_map(&e, 0))) {
        return DFU_EINVAL;
    }
    struct client_rsp r;
    int rc = client_call(s, SMP_OP_WRITE, SMP_GROUP_OS, OS_ID_RESET, buf, e.len, &r, err);
    return client_cmd_done(rc, &r, NULL);
}

int client_os_params(struct client_session *s, uint32_t *buf_size, uint32_t *buf_count,
                     struct client_rsp *rsp, struct client_deverr *err)
{
    struct client_rsp local;
    struct client_rsp *r = client_cmd_rsp(rsp, &local);
    int rc = client_call(s, SMP_OP_READ, SMP_GROUP_OS, OS_ID_MCUMGR_PARAMS, SMP_EMPTY_MAP,
                         SMP_EMPTY_MAP_LEN, r, err);
    uint64_t size, count;
    if (!rc && (!client_get_uint(r->root, "buf_size", &size) ||
                !client_get_uint(r->root, "buf_count", &count) || size > UINT32_MAX ||
                count > UINT32_MAX)) {
        rc = DFU_EBADMSG;
    }
    if (!rc) {
        *buf_size = (uint32_t)size;
        *buf_count = (uint32_t)count;
    }
    return client_cmd_done(rc, r, rsp);
}

int client_os_info(struct client_session *s, const char *format, char *out, size_t cap,
                   struct client_rsp *rsp, struct client_deverr *err)
{
    return text_query(s, SMP_OP_READ, OS_ID_INFO, "format", format, "output", out, cap, rsp,
                      err);
}

int client_os_bootloader_info(struct client_session *s, const char *query,
                              struct client_bootloader_info *out, struct client_rsp *rsp,
                              struct client_deverr *err)
{
    memset(out, 0, sizeof(*out));
    struct client_rsp local;
    struct client_rsp *r = client_cmd_rsp(rsp, &local);
    int rc = client_cmd_kv(s, SMP_OP_READ, SMP_GROUP_OS, OS_ID_BOOTLOADER_INFO, "query", query,
                           r, err);
    if (!rc) {
        client_get_text(r->root, "bootloader", out->bootloader, sizeof(out->bootloader));
        out->has_mode = client_get_int(r->root, "mode", &out->mode);
        out->has_no_downgrade = client_get_bool(r->root, "no-downgrade", &out->no_downgrade);
    }
    return client_cmd_done(rc, r, rsp);
}
