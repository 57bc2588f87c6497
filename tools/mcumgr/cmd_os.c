/* OS group (0): echo, reset, taskstat, mpstat, datetime, params, os-info, bootloader-info. */
#include <inttypes.h>
#include <string.h>

#include "dfukit/smp_cbor.h"
#include "mcumgr.h"

enum { OS_ECHO = 0, OS_TASKSTAT = 2, OS_MPSTAT = 3, OS_DATETIME = 4, OS_RESET = 5,
       OS_PARAMS = 6, OS_INFO = 7, OS_BOOTLOADER = 8 };

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

int mcumgr_cmd_os(struct mcumgr *m, const char *cmd, struct mcumgr_args *a)
{
    uint8_t buf[1024];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, buf, sizeof(buf));
    uint8_t op = SMP_OP_READ, id;
    bool ok = true;
    if (strcmp(cmd, "echo") == 0) {
        if (a->argc < 1) {
            return mcumgr_usage("echo TEXT");
        }
        /* the Go tool echoes its arguments joined by spaces */
        char text[700];
        size_t n = 0;
        text[0] = '\0';
        for (int i = 0; i < a->argc; i++) {
            int w = snprintf(text + n, sizeof(text) - n, "%s%s", i ? " " : "", a->argv[i]);
            if (w < 0 || (size_t)w >= sizeof(text) - n) {
                return mcumgr_fail("echo", "text too long");
            }
            n += (size_t)w;
        }
        op = SMP_OP_WRITE;
        id = OS_ECHO;
        ok = smp_cbor_put_map(&e, 1) && smp_cbor_put_kv_tstr(&e, "d", text);
    } else if (strcmp(cmd, "reset") == 0) {
        bool force = mcumgr_opt_flag(a, "--force", "-f");
        int rc = mcumgr_no_more_opts(a, "reset [-f]");
        if (rc) {
            return rc;
        }
        op = SMP_OP_WRITE;
        id = OS_RESET;
        ok = force ? smp_cbor_put_map(&e, 1) && smp_cbor_put_kv_bool(&e, "force", true)
                   : smp_cbor_put_map(&e, 0);
    } else if (strcmp(cmd, "datetime") == 0) {
        id = OS_DATETIME;
        if (a->argc > 0) {
            op = SMP_OP_WRITE;
            ok = smp_cbor_put_map(&e, 1) && smp_cbor_put_kv_tstr(&e, "datetime", a->argv[0]);
        } else {
            ok = smp_cbor_put_map(&e, 0);
        }
    } else if (strcmp(cmd, "os-info") == 0) {
        const char *fmt = mcumgr_opt_value(a, "--format", "-f");
        if (!fmt && a->argc > 0) {
            fmt = a->argv[0];
        }
        id = OS_INFO;
        ok = fmt ? smp_cbor_put_map(&e, 1) && smp_cbor_put_kv_tstr(&e, "format", fmt)
                 : smp_cbor_put_map(&e, 0);
    } else if (strcmp(cmd, "bootloader-info") == 0) {
        const char *q = mcumgr_opt_value(a, "--query", "-q");
        if (!q && a->argc > 0) {
            q = a->argv[0];
        }
        id = OS_BOOTLOADER;
        ok = q ? smp_cbor_put_map(&e, 1) && smp_cbor_put_kv_tstr(&e, "query", q)
               : smp_cbor_put_map(&e, 0);
    } else {
        id = strcmp(cmd, "taskstat") == 0 ? OS_TASKSTAT
             : strcmp(cmd, "mpstat") == 0 ? OS_MPSTAT : OS_PARAMS;
        ok = smp_cbor_put_map(&e, 0);
    }
    if (!ok || smp_cbor_enc_error(&e)) {
        return mcumgr_fail(cmd, "request too large");
    }
    struct client_rsp rsp;
    int rc = mcumgr_call(m, cmd, op, SMP_GROUP_OS, id, buf, e.len, &rsp);
    if (rc) {
        return rc;
    }
    if (!mcumgr_json(m, &rsp)) {
        char text[2048];
        uint64_t u, v;
        switch (id) {
        case OS_ECHO:
            if (client_get_text(rsp.root, "r", text, sizeof(text))) {
                printf("%s\n", text);
            }
            break;
        case OS_RESET:
            printf("Done\n");
            break;
        case OS_TASKSTAT:
            print_taskstat(rsp.root);
            break;
        case OS_MPSTAT:
            print_mpstat(rsp.root);
            break;
        case OS_DATETIME:
            if (op == SMP_OP_READ && client_get_text(rsp.root, "datetime", text, sizeof(text))) {
                printf("datetime: %s\n", text);
            } else {
                printf("Done\n");
            }
            break;
        case OS_PARAMS:
            if (client_get_uint(rsp.root, "buf_size", &u) &&
                client_get_uint(rsp.root, "buf_count", &v)) {
                printf("buf_size: %" PRIu64 "\nbuf_count: %" PRIu64 "\n", u, v);
            }
            break;
        case OS_INFO:
            if (client_get_text(rsp.root, "output", text, sizeof(text))) {
                printf("%s\n", text);
            }
            break;
        case OS_BOOTLOADER: {
            int64_t mode;
            bool nd;
            if (client_get_text(rsp.root, "bootloader", text, sizeof(text))) {
                printf("bootloader: %s\n", text);
            }
            if (client_get_int(rsp.root, "mode", &mode)) {
                printf("mode: %" PRId64 "\n", mode);
            }
            if (client_get_bool(rsp.root, "no-downgrade", &nd)) {
                printf("no-downgrade: %s\n", nd ? "true" : "false");
            }
            break;
        }
        }
    }
    client_rsp_free(&rsp);
    return MCUMGR_EXIT_OK;
}
