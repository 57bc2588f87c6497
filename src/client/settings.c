/* Settings group (3): read, write, delete, commit, load, save (Zephyr's settings_mgmt). */
#include <string.h>

#include "cmd.h"
#include "dfukit/err.h"
#include "dfukit/smp_cbor.h"

int client_settings_read(struct client_session *s, const char *name, const uint8_t **val,
                         size_t *val_len, bool *text, struct client_rsp *rsp,
                         struct client_deverr *err)
{
    if (!rsp) {
        return DFU_EINVAL;
    }
    int rc = client_cmd_kv(s, SMP_OP_READ, SMP_GROUP_SETTINGS, SETTINGS_ID_READ_WRITE, "name",
                           name, rsp, err);
    if (rc) {
        return rc;
    }
    const cbor_item_t *v = client_map_get(rsp->root, "val");
    if (v && cbor_isa_bytestring(v) && cbor_bytestring_is_definite(v)) {
        *val = cbor_bytestring_handle(v);
        *val_len = cbor_bytestring_length(v);
        *text = false;
    } else if (v && cbor_isa_string(v) && cbor_string_is_definite(v)) {
        *val = cbor_string_handle(v);
        *val_len = cbor_string_length(v);
        *text = true;
    } else {
        client_rsp_free(rsp);
        return DFU_EBADMSG;
    }
    if (!*val) {
        *val = (const uint8_t *)"";
    }
    return 0;
}

int client_settings_write(struct client_session *s, const char *name, const char *value,
                          bool as_text, struct client_deverr *err)
{
    uint8_t buf[CLIENT_CMD_REQ_MAX];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, buf, sizeof(buf));
    bool ok = smp_cbor_put_map(&e, 2) && smp_cbor_put_kv_tstr(&e, "name", name) &&
              (as_text ? smp_cbor_put_kv_tstr(&e, "val", value)
                       : smp_cbor_put_kv_bstr(&e, "val", value, strlen(value)));
    if (!ok || smp_cbor_enc_error(&e)) {
        return DFU_EINVAL;
    }
    struct client_rsp r;
    int rc = client_call(s, SMP_OP_WRITE, SMP_GROUP_SETTINGS, SETTINGS_ID_READ_WRITE, buf, e.len,
                         &r, err);
    return client_cmd_done(rc, &r, NULL);
}

static int simple(struct client_session *s, uint8_t op, uint8_t id, const char *name,
                  struct client_deverr *err)
{
    struct client_rsp r;
    int rc = client_cmd_kv(s, op, SMP_GROUP_SETTINGS, id, "name", name, &r, err);
    return client_cmd_done(rc, &r, NULL);
}

int client_settings_delete(struct client_session *s, const char *name, struct client_deverr *err)
{
    return simple(s, SMP_OP_WRITE, SETTINGS_ID_DELETE, name, err);
}

int client_settings_commit(struct client_session *s, struct client_deverr *err)
{
    return simple(s, SMP_OP_WRITE, SETTINGS_ID_COMMIT, NULL, err);
}

int client_settings_load(struct client_session *s, struct client_deverr *err)
{
    return simple(s, SMP_OP_READ, SETTINGS_ID_LOAD_SAVE, NULL, err);
}

int client_settings_save(struct client_session *s, struct client_deverr *err)
{
    return simple(s, SMP_OP_WRITE, SETTINGS_ID_LOAD_SAVE, NULL, err);
}
