/* Shell group (9): runs a command line on the device's shell and returns its output. */
#include "cmd.h"
#include "dfukit/err.h"
#include "dfukit/smp_cbor.h"

int client_shell_exec(struct client_session *s, int argc, char *const argv[], int64_t *ret,
                      const uint8_t **out, size_t *out_len, struct client_rsp *rsp,
                      struct client_deverr *err)
{
    if (!rsp || argc < 1) {
        return DFU_EINVAL;
    }
    uint8_t buf[CLIENT_CMD_REQ_MAX];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, buf, sizeof(buf));
    bool ok = smp_cbor_put_map(&e, 1) && smp_cbor_put_tstr(&e, "argv") &&
              smp_cbor_put_array(&e, (size_t)argc);
    for (int i = 0; i < argc; i++) {
        ok = ok && smp_cbor_put_tstr(&e, argv[i]);
    }
    if (!ok || smp_cbor_enc_error(&e)) {
        return DFU_EINVAL;
    }
    int rc = client_call(s, SMP_OP_WRITE, SMP_GROUP_SHELL, SHELL_ID_EXEC, buf, e.len, rsp, err);
    if (rc) {
        return rc;
    }
    *ret = 0;
    if (!client_get_int(rsp->root, "ret", ret)) {
        client_get_int(rsp->root, "rc", ret); /* servers before Zephyr 3.5 */
    }
    const cbor_item_t *o = client_map_get(rsp->root, "o");
    if (!o || !cbor_isa_string(o) || !cbor_string_is_definite(o)) {
        client_rsp_free(rsp);
        return DFU_EBADMSG;
    }
    *out = cbor_string_handle(o) ? cbor_string_handle(o) : (const uint8_t *)"";
    *out_len = cbor_string_length(o);
    return 0;
}
