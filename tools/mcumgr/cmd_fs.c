/* File-system group (8): upload, download, stat, hash. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/err.h"
#include "dfukit/smp_cbor.h"
#include "mcumgr.h"

enum { FS_STAT = 1, FS_HASH = 2 };

static int fs_upload(struct mcumgr *m, struct mcumgr_args *a)
{
    if (a->argc != 2) {
        return mcumgr_usage("fs upload LOCAL REMOTE");
    }
    uint8_t *data;
    size_t len;
    int err = mcumgr_read_file(a->argv[0], &data, &len);
    if (err) {
        return mcumgr_fail("fs upload", "cannot read %s: %s", a->argv[0], dfu_strerror(err));
    }
    struct client_session *s = mcumgr_session(m);
    if (!s) {
        free(data);
        return MCUMGR_EXIT_ERR;
    }
    struct mcumgr_progress prog;
    mcumgr_progress_init(&prog, m, "fs upload");
    struct client_deverr derr;
    err = client_fs_upload(s, a->argv[1], data, len, mcumgr_progress_cb, &prog, &derr);
    free(data);
    if (err) {
        return mcumgr_fail_rc("fs upload", err, &derr);
    }
    if (m->json) {
        printf("{\"name\": ");
        mcumgr_json_str(a->argv[1]);
        printf(", \"len\": %zu}\n", len);
    } else {
        printf("Done\n");
    }
    return MCUMGR_EXIT_OK;
}

static int fs_download(struct mcumgr *m, struct mcumgr_args *a)
{
    if (a->argc != 2) {
        return mcumgr_usage("fs download REMOTE LOCAL");
    }
    struct client_session *s = mcumgr_session(m);
    if (!s) {
        return MCUMGR_EXIT_ERR;
    }
    struct mcumgr_progress prog;
    mcumgr_progress_init(&prog, m, "fs download");
    struct client_deverr derr;
    uint8_t *data;
    size_t len;
    int err = client_fs_download(s, a->argv[0], &data, &len, mcumgr_progress_cb, &prog, &derr);
    if (err) {
        return mcumgr_fail_rc("fs download", err, &derr);
    }
    err = mcumgr_write_file(a->argv[1], data, len);
    free(data);
    if (err) {
        return mcumgr_fail("fs download", "cannot write %s: %s", a->argv[1], dfu_strerror(err));
    }
    if (m->json) {
        printf("{\"name\": ");
        mcumgr_json_str(a->argv[0]);
        printf(", \"len\": %zu}\n", len);
    } else {
        printf("Done\n");
    }
    return MCUMGR_EXIT_OK;
}

static int fs_query(struct mcumgr *m, struct mcumgr_args *a, uint8_t id)
{
    const char *what = id == FS_STAT ? "fs stat" : "fs hash";
    const char *type = id == FS_HASH ? mcumgr_opt_value(a, "--type", NULL) : NULL;
    if (a->argc != 1) {
        return mcumgr_usage(id == FS_STAT ? "fs stat REMOTE" : "fs hash REMOTE [--type T]");
    }
    uint8_t buf[512];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, buf, sizeof(buf));
    bool ok = smp_cbor_put_map(&e, type ? 2 : 1) && smp_cbor_put_kv_tstr(&e, "name", a->argv[0]);
    if (type) {
        ok = ok && smp_cbor_put_kv_tstr(&e, "type", type);
    }
    if (!ok || smp_cbor_enc_error(&e)) {
        return mcumgr_fail(what, "name too long");
    }
    struct client_rsp rsp;
    int rc = mcumgr_call(m, what, SMP_OP_READ, SMP_GROUP_FS, id, buf, e.len, &rsp);
    if (rc) {
        return rc;
    }
    if (!mcumgr_json(m, &rsp)) {
        uint64_t len = 0, out;
        char t[32] = "";
        client_get_uint(rsp.root, "len", &len);
        if (id == FS_STAT) {
            printf("%s: %" PRIu64 " bytes\n", a->argv[0], len);
        } else {
            const uint8_t *h;
            size_t hl;
            client_get_text(rsp.root, "type", t, sizeof(t));
            printf("type: %s\nlen: %" PRIu64 "\noutput: ", t, len);
            if (client_get_bytes(rsp.root, "output", &h, &hl)) {
                for (size_t i = 0; i < hl; i++) {
                    printf("%02x", h[i]);
                }
            } else if (client_get_uint(rsp.root, "output", &out)) {
                printf("0x%08" PRIx64, out);
            }
            printf("\n");
        }
    }
    client_rsp_free(&rsp);
    return MCUMGR_EXIT_OK;
}

int mcumgr_cmd_fs(struct mcumgr *m, struct mcumgr_args *a)
{
    static const char usage[] = "fs upload|download|stat|hash ...";
    if (a->argc < 1) {
        return mcumgr_usage(usage);
    }
    const char *sub = a->argv[0];
    struct mcumgr_args rest = {a->argc - 1, a->argv + 1};
    if (strcmp(sub, "upload") == 0) {
        return fs_upload(m, &rest);
    }
    if (strcmp(sub, "download") == 0) {
        return fs_download(m, &rest);
    }
    if (strcmp(sub, "stat") == 0) {
        return fs_query(m, &rest, FS_STAT);
    }
    if (strcmp(sub, "hash") == 0) {
        return fs_query(m, &rest, FS_HASH);
    }
    return mcumgr_usage(usage);
}
