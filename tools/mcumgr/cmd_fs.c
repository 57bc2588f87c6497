/* File-system group (8): upload, download, stat, hash. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/err.h"
#include "mcumgr.h"

static void print_done_json(const char *name, size_t len)
{
    printf("{\"name\": ");
    mcumgr_json_str(name);
    printf(", \"len\": %zu}\n", len);
}

int mcumgr_cmd_fs_upload(struct mcumgr *m, struct mcumgr_args *a)
{
    if (a->argc != 2) {
        return mcumgr_usage(NULL);
    }
    uint8_t *data;
    size_t len;
    int err = mcumgr_read_file(a->argv[0], &data, &len);
    if (err) {
        return mcumgr_fail(m->what, "cannot read %s: %s", a->argv[0], mcumgr_file_strerror(err));
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
        return mcumgr_fail_rc(m->what, err, &derr);
    }
    if (m->json) {
        print_done_json(a->argv[1], len);
    } else {
        printf("Done\n");
    }
    return MCUMGR_EXIT_OK;
}

int mcumgr_cmd_fs_download(struct mcumgr *m, struct mcumgr_args *a)
{
    if (a->argc != 2) {
        return mcumgr_usage(NULL);
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
        return mcumgr_fail_rc(m->what, err, &derr);
    }
    err = mcumgr_write_file(a->argv[1], data, len);
    free(data);
    if (err) {
        return mcumgr_fail(m->what, "cannot write %s: %s", a->argv[1], mcumgr_file_strerror(err));
    }
    if (m->json) {
        print_done_json(a->argv[0], len);
    } else {
        printf("Done\n");
    }
    return MCUMGR_EXIT_OK;
}

int mcumgr_cmd_fs_stat(struct mcumgr *m, struct mcumgr_args *a)
{
    if (a->argc != 1) {
        return mcumgr_usage(NULL);
    }
    struct client_session *s = mcumgr_session(m);
    if (!s) {
        return MCUMGR_EXIT_ERR;
    }
    uint64_t len;
    struct client_rsp rsp;
    struct client_deverr err;
    int rc = client_fs_stat(s, a->argv[0], &len, &rsp, &err);
    if (rc) {
        return mcumgr_fail_rc(m->what, rc, &err);
    }
    if (!mcumgr_json(m, &rsp)) {
        printf("%s: %" PRIu64 " bytes\n", a->argv[0], len);
    }
    client_rsp_free(&rsp);
    return MCUMGR_EXIT_OK;
}

int mcumgr_cmd_fs_hash(struct mcumgr *m, struct mcumgr_args *a)
{
    const char *type = mcumgr_opt_value(a, "--type", NULL);
    if (a->argc != 1) {
        return mcumgr_usage(NULL);
    }
    struct client_session *s = mcumgr_session(m);
    if (!s) {
        return MCUMGR_EXIT_ERR;
    }
    struct client_fs_hash h;
    struct client_rsp rsp;
    struct client_deverr err;
    int rc = client_fs_hash(s, a->argv[0], type, &h, &rsp, &err);
    if (rc) {
        return mcumgr_fail_rc(m->what, rc, &err);
    }
    if (!mcumgr_json(m, &rsp)) {
        printf("type: %s\nlen: %" PRIu64 "\noutput: ", h.type, h.len);
        if (h.has_value) {
            printf("0x%08" PRIx64, h.value);
        }
        for (size_t i = 0; i < h.digest_len; i++) {
            printf("%02x", h.digest[i]);
        }
        printf("\n");
    }
    client_rsp_free(&rsp);
    return MCUMGR_EXIT_OK;
}
