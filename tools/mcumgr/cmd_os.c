/* OS group (0): echo, reset, taskstat, mpstat, datetime, params, os-info, bootloader-info. */
#include <inttypes.h>
#include <string.h>

#include "mcumgr.h"

static void print_uint_field(const cbor_item_t *m, const char *key, int width)
{
    uint64_t v = 0;
    client_get_uint(m, key, &v);
    printf(" %*" PRIu64, width, v);
}

static void print_key(const cbor_item_t *key, int width)
{
    if (cbor_isa_string(key) && cbor_string_is_definite(key)) {
        int n = (int)cbor_string_length(key);
        printf("%*.*s", width, n, (const char *)cbor_string_handle(key));
    } else {
        printf("%*s", width, "?");
    }
}

int mcumgr_cmd_echo(struct mcumgr *m, struct mcumgr_args *a)
{
    if (a->argc < 1) {
        return mcumgr_usage(NULL);
    }
    /* the Go tool echoes its arguments joined by spaces */
    char text[700], out[1024];
    size_t n = 0;
    text[0] = '\0';
    for (int i = 0; i < a->argc; i++) {
        int w = snprintf(text + n, sizeof(text) - n, "%s%s", i ? " " : "", a->argv[i]);
        if (w < 0 || (size_t)w >= sizeof(text) - n) {
            return mcumgr_fail_usage("echo", "text too long (at most %zu bytes)",
                                     sizeof(text) - 1);
        }
        n += (size_t)w;
    }
    struct client_session *s = mcumgr_session(m);
    if (!s) {
        return MCUMGR_EXIT_ERR;
    }
    struct client_rsp rsp;
    struct client_deverr e;
    int rc = client_os_echo(s, text, out, sizeof(out), &rsp, &e);
    if (rc) {
        return mcumgr_fail_rc(m->what, rc, &e);
    }
    if (!mcumgr_json(m, &rsp)) {
        printf("%s\n", out);
    }
    client_rsp_free(&rsp);
    return MCUMGR_EXIT_OK;
}

int mcumgr_cmd_reset(struct mcumgr *m, struct mcumgr_args *a)
{
    bool force = mcumgr_opt_flag(a, "--force", "-f");
    int rc = mcumgr_no_more_opts(a, NULL);
    if (rc) {
        return rc;
    }
    struct client_session *s = mcumgr_session(m);
    if (!s) {
        return MCUMGR_EXIT_ERR;
    }
    struct client_deverr e;
    if ((rc = client_os_reset(s, force, &e))) {
        return mcumgr_fail_rc(m->what, rc, &e);
    }
    printf(m->json ? "{}\n" : "Done\n");
    return MCUMGR_EXIT_OK;
}

static void print_taskstat(const cbor_item_t *root)
{
    printf("%10s %3s %3s %8s %8s %8s %8s %12s %12s\n", "task", "pri", "tid", "runtime", "csw",
           "stksz", "stkuse", "last_checkin", "next_checkin");
    const cbor_item_t *tasks = client_map_get(root, "tasks");
    if (!tasks || !cbor_isa_map(tasks)) {
        return;
    }
    struct cbor_pair *p = cbor_map_handle(tasks);
    for (size_t i = 0; i < cbor_map_size(tasks); i++) {
        print_key(p[i].key, 10);
        print_uint_field(p[i].value, "prio", 3);
        print_uint_field(p[i].value, "tid", 3);
        print_uint_field(p[i].value, "runtime", 8);
        print_uint_field(p[i].value, "cswcnt", 8);
        print_uint_field(p[i].value, "stksiz", 8);
        print_uint_field(p[i].value, "stkuse", 8);
        print_uint_field(p[i].value, "last_checkin", 12);
        print_uint_field(p[i].value, "next_checkin", 12);
        printf("\n");
    }
}

static void print_mpstat(const cbor_item_t *root)
{
    printf("%32s %5s %4s %4s %4s\n", "name", "blksz", "cnt", "free", "min");
    struct cbor_pair *p = cbor_map_handle(root);
    for (size_t i = 0; i < cbor_map_size(root); i++) {
        if (!cbor_isa_map(p[i].value)) {
            continue; /* "rc" and other scalars */
        }
        print_key(p[i].key, 32);
        print_uint_field(p[i].value, "blksiz", 5);
        print_uint_field(p[i].value, "nblks", 4);
        print_uint_field(p[i].value, "nfree", 4);
        print_uint_field(p[i].value, "min", 4);
        printf("\n");
    }
}

/* taskstat and mpstat: a table of the reply's maps. */
static int stats(struct mcumgr *m, struct mcumgr_args *a,
                 int (*query)(struct client_session *, struct client_rsp *,
                              struct client_deverr *),
                 void (*print)(const cbor_item_t *))
{
    int rc = mcumgr_no_more_opts(a, NULL);
    if (rc) {
        return rc;
    }
    struct client_session *s = mcumgr_session(m);
    if (!s) {
        return MCUMGR_EXIT_ERR;
    }
    struct client_rsp rsp;
    struct client_deverr e;
    if ((rc = query(s, &rsp, &e))) {
        return mcumgr_fail_rc(m->what, rc, &e);
    }
    if (!mcumgr_json(m, &rsp)) {
        print(rsp.root);
    }
    client_rsp_free(&rsp);
    return MCUMGR_EXIT_OK;
}

int mcumgr_cmd_taskstat(struct mcumgr *m, struct mcumgr_args *a)
{
    return stats(m, a, client_os_taskstat, print_taskstat);
}

int mcumgr_cmd_mpstat(struct mcumgr *m, struct mcumgr_args *a)
{
    return stats(m, a, client_os_mpstat, print_mpstat);
}

int mcumgr_cmd_datetime(struct mcumgr *m, struct mcumgr_args *a)
{
    if (a->argc > 1) {
        return mcumgr_usage(NULL);
    }
    struct client_session *s = mcumgr_session(m);
    if (!s) {
        return MCUMGR_EXIT_ERR;
    }
    const char *value = a->argc ? a->argv[0] : NULL;
    char text[128];
    struct client_rsp rsp;
    struct client_deverr e;
    int rc = client_os_datetime(s, value, text, sizeof(text), &rsp, &e);
    if (rc) {
        return mcumgr_fail_rc(m->what, rc, &e);
    }
    if (!mcumgr_json(m, &rsp)) {
        if (value) {
            printf("Done\n");
        } else {
            printf("datetime: %s\n", text);
        }
    }
    client_rsp_free(&rsp);
    return MCUMGR_EXIT_OK;
}

int mcumgr_cmd_params(struct mcumgr *m, struct mcumgr_args *a)
{
    int rc = mcumgr_no_more_opts(a, NULL);
    if (rc) {
        return rc;
    }
    struct client_session *s = mcumgr_session(m);
    if (!s) {
        return MCUMGR_EXIT_ERR;
    }
    uint32_t size, count;
    struct client_rsp rsp;
    struct client_deverr e;
    if ((rc = client_os_params(s, &size, &count, &rsp, &e))) {
        return mcumgr_fail_rc(m->what, rc, &e);
    }
    if (!mcumgr_json(m, &rsp)) {
        printf("buf_size: %" PRIu32 "\nbuf_count: %" PRIu32 "\n", size, count);
    }
    client_rsp_free(&rsp);
    return MCUMGR_EXIT_OK;
}

int mcumgr_cmd_os_info(struct mcumgr *m, struct mcumgr_args *a)
{
    const char *fmt = mcumgr_opt_value(a, "--format", "-f");
    if (!fmt && a->argc > 0) {
        fmt = a->argv[0];
    }
    struct client_session *s = mcumgr_session(m);
    if (!s) {
        return MCUMGR_EXIT_ERR;
    }
    char text[2048];
    struct client_rsp rsp;
    struct client_deverr e;
    int rc = client_os_info(s, fmt, text, sizeof(text), &rsp, &e);
    if (rc) {
        return mcumgr_fail_rc(m->what, rc, &e);
    }
    if (!mcumgr_json(m, &rsp)) {
        printf("%s\n", text);
    }
    client_rsp_free(&rsp);
    return MCUMGR_EXIT_OK;
}

int mcumgr_cmd_bootloader_info(struct mcumgr *m, struct mcumgr_args *a)
{
    const char *q = mcumgr_opt_value(a, "--query", "-q");
    if (!q && a->argc > 0) {
        q = a->argv[0];
    }
    struct client_session *s = mcumgr_session(m);
    if (!s) {
        return MCUMGR_EXIT_ERR;
    }
    struct client_bootloader_info bi;
    struct client_rsp rsp;
    struct client_deverr e;
    int rc = client_os_bootloader_info(s, q, &bi, &rsp, &e);
    if (rc) {
        return mcumgr_fail_rc(m->what, rc, &e);
    }
    if (!mcumgr_json(m, &rsp)) {
        if (bi.bootloader[0]) {
            printf("bootloader: %s\n", bi.bootloader);
        }
        if (bi.has_mode) {
            printf("mode: %" PRId64 "\n", bi.mode);
        }
        if (bi.has_no_downgrade) {
            printf("no-downgrade: %s\n", bi.no_downgrade ? "true" : "false");
        }
    }
    client_rsp_free(&rsp);
    return MCUMGR_EXIT_OK;
}
