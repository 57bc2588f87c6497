/* Shell (9), stat (2), settings / config (3) and enum (10) groups. */
#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#include "dfukit/smp_cbor.h"
#include "mcumgr.h"

static const uint8_t empty_map[] = {0xa0};

int mcumgr_cmd_shell(struct mcumgr *m, struct mcumgr_args *a)
{
    if (a->argc < 2 || strcmp(a->argv[0], "exec") != 0) {
        return mcumgr_usage("shell exec CMD [ARGS...]");
    }
    uint8_t buf[2048];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, buf, sizeof(buf));
    bool ok = smp_cbor_put_map(&e, 1) && smp_cbor_put_tstr(&e, "argv") &&
              smp_cbor_put_array(&e, (size_t)(a->argc - 1));
    for (int i = 1; i < a->argc; i++) {
        ok = ok && smp_cbor_put_tstr(&e, a->argv[i]);
    }
    if (!ok || smp_cbor_enc_error(&e)) {
        return mcumgr_fail("shell exec", "command too long");
    }
    struct client_rsp rsp;
    int rc = mcumgr_call(m, "shell exec", SMP_OP_WRITE, SMP_GROUP_SHELL, 0, buf, e.len, &rsp);
    if (rc) {
        return rc;
    }
    int64_t ret = 0;
    if (!client_get_int(rsp.root, "ret", &ret)) {
        client_get_int(rsp.root, "rc", &ret); /* older servers */
    }
    if (!mcumgr_json(m, &rsp)) {
        const uint8_t *o;
        size_t n;
        const cbor_item_t *out = client_map_get(rsp.root, "o");
        if (out && cbor_isa_string(out) && cbor_string_is_definite(out)) {
            o = cbor_string_handle(out);
            n = cbor_string_length(out);
            fwrite(o, 1, n, stdout);
            if (n && o[n - 1] != '\n') {
                putchar('\n');
            }
        }
    }
    client_rsp_free(&rsp);
    if (ret != 0) {
        fprintf(stderr, "shell exec: command returned %" PRId64 "\n", ret);
        return MCUMGR_EXIT_ERR;
    }
    return MCUMGR_EXIT_OK;
}

int mcumgr_cmd_stat(struct mcumgr *m, struct mcumgr_args *a)
{
    if (a->argc < 1) {
        return mcumgr_usage("stat list | stat GROUP");
    }
    struct client_rsp rsp;
    int rc;
    if (strcmp(a->argv[0], "list") == 0) {
        rc = mcumgr_call(m, "stat list", SMP_OP_READ, SMP_GROUP_STAT, 1, empty_map, 1, &rsp);
        if (rc) {
            return rc;
        }
        if (!mcumgr_json(m, &rsp)) {
            printf("stat groups:\n");
            const cbor_item_t *l = client_map_get(rsp.root, "stat_list");
            size_t n = l && cbor_isa_array(l) ? cbor_array_size(l) : 0;
            for (size_t i = 0; i < n; i++) {
                const cbor_item_t *it = cbor_array_handle(l)[i];
                if (cbor_isa_string(it) && cbor_string_is_definite(it)) {
                    printf("    %.*s\n", (int)cbor_string_length(it),
                           (const char *)cbor_string_handle(it));
                }
            }
        }
        client_rsp_free(&rsp);
        return MCUMGR_EXIT_OK;
    }
    uint8_t buf[300];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, buf, sizeof(buf));
    if (!smp_cbor_put_map(&e, 1) || !smp_cbor_put_kv_tstr(&e, "name", a->argv[0]) ||
        smp_cbor_enc_error(&e)) {
        return mcumgr_fail("stat", "group name too long");
    }
    rc = mcumgr_call(m, "stat", SMP_OP_READ, SMP_GROUP_STAT, 0, buf, e.len, &rsp);
    if (rc) {
        return rc;
    }
    if (!mcumgr_json(m, &rsp)) {
        printf("stat group: %s\n", a->argv[0]);
        const cbor_item_t *f = client_map_get(rsp.root, "fields");
        if (f && cbor_isa_map(f)) {
            struct cbor_pair *p = cbor_map_handle(f);
            for (size_t i = 0; i < cbor_map_size(f); i++) {
                uint64_t v = 0;
                client_item_uint(p[i].value, &v);
                if (cbor_isa_string(p[i].key) && cbor_string_is_definite(p[i].key)) {
                    printf("%10" PRIu64 " %.*s\n", v, (int)cbor_string_length(p[i].key),
                           (const char *)cbor_string_handle(p[i].key));
                }
            }
        }
    }
    client_rsp_free(&rsp);
    return MCUMGR_EXIT_OK;
}

static void print_value(const uint8_t *v, size_t n)
{
    bool text = true;
    for (size_t i = 0; i < n; i++) {
        if (!isprint(v[i])) {
            text = false;
        }
    }
    if (text) {
        printf("val: %.*s\n", (int)n, (const char *)v);
        return;
    }
    printf("val: ");
    for (size_t i = 0; i < n; i++) {
        printf("%02x", v[i]);
    }
    printf("\n");
}

/* settings read|write|delete|commit|load|save, and the Go tool's `config VAR [VALUE]`
 * (same group and id, but the value is a text string). */
int mcumgr_cmd_settings(struct mcumgr *m, const char *cmd, struct mcumgr_args *a)
{
    static const char usage[] = "settings read|write|delete NAME [VALUE] | settings commit|load|save";
    uint8_t buf[1024];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, buf, sizeof(buf));
    uint8_t op, id;
    bool ok;
    const char *what;
    bool config = strcmp(cmd, "config") == 0;
    if (config) {
        if (a->argc < 1 || a->argc > 2) {
            return mcumgr_usage("config VAR [VALUE]");
        }
        what = "config";
        id = 0;
        op = a->argc == 2 ? SMP_OP_WRITE : SMP_OP_READ;
        ok = smp_cbor_put_map(&e, a->argc) && smp_cbor_put_kv_tstr(&e, "name", a->argv[0]);
        if (a->argc == 2) {
            ok = ok && smp_cbor_put_kv_tstr(&e, "val", a->argv[1]);
        }
    } else {
        if (a->argc < 1) {
            return mcumgr_usage(usage);
        }
        const char *sub = a->argv[0];
        what = "settings";
        if (strcmp(sub, "read") == 0 && a->argc == 2) {
            op = SMP_OP_READ;
            id = 0;
            ok = smp_cbor_put_map(&e, 1) && smp_cbor_put_kv_tstr(&e, "name", a->argv[1]);
        } else if (strcmp(sub, "write") == 0 && a->argc == 3) {
            op = SMP_OP_WRITE;
            id = 0;
            ok = smp_cbor_put_map(&e, 2) && smp_cbor_put_kv_tstr(&e, "name", a->argv[1]) &&
                 smp_cbor_put_kv_bstr(&e, "val", a->argv[2], strlen(a->argv[2]));
        } else if (strcmp(sub, "delete") == 0 && a->argc == 2) {
            op = SMP_OP_WRITE;
            id = 1;
            ok = smp_cbor_put_map(&e, 1) && smp_cbor_put_kv_tstr(&e, "name", a->argv[1]);
        } else if (strcmp(sub, "commit") == 0 && a->argc == 1) {
            op = SMP_OP_WRITE;
            id = 2;
            ok = smp_cbor_put_map(&e, 0);
        } else if (strcmp(sub, "load") == 0 && a->argc == 1) {
            op = SMP_OP_READ;
            id = 3;
            ok = smp_cbor_put_map(&e, 0);
        } else if (strcmp(sub, "save") == 0 && a->argc == 1) {
            op = SMP_OP_WRITE;
            id = 3;
            ok = smp_cbor_put_map(&e, 0);
        } else {
            return mcumgr_usage(usage);
        }
    }
    if (!ok || smp_cbor_enc_error(&e)) {
        return mcumgr_fail(what, "request too large");
    }
    struct client_rsp rsp;
    int rc = mcumgr_call(m, what, op, SMP_GROUP_SETTINGS, id, buf, e.len, &rsp);
    if (rc) {
        return rc;
    }
    if (!mcumgr_json(m, &rsp)) {
        const cbor_item_t *val = client_map_get(rsp.root, "val");
        if (op == SMP_OP_READ && id == 0 && val) {
            if (cbor_isa_bytestring(val) && cbor_bytestring_is_definite(val)) {
                print_value(cbor_bytestring_handle(val), cbor_bytestring_length(val));
            } else if (cbor_isa_string(val) && cbor_string_is_definite(val)) {
                printf("Value: %.*s\n", (int)cbor_string_length(val),
                       (const char *)cbor_string_handle(val));
            }
        } else {
            printf("Done\n");
        }
    }
    client_rsp_free(&rsp);
    return MCUMGR_EXIT_OK;
}

int mcumgr_cmd_enum(struct mcumgr *m, struct mcumgr_args *a)
{
    const char *sub = a->argc > 0 ? a->argv[0] : "details";
    uint8_t id;
    if (strcmp(sub, "count") == 0) {
        id = 0;
    } else if (strcmp(sub, "list") == 0) {
        id = 1;
    } else if (strcmp(sub, "details") == 0) {
        id = 3;
    } else {
        return mcumgr_usage("enum [count|list|details]");
    }
    struct client_rsp rsp;
    int rc = mcumgr_call(m, "enum", SMP_OP_READ, SMP_GROUP_ENUM, id, empty_map, 1, &rsp);
    if (rc) {
        return rc;
    }
    if (!mcumgr_json(m, &rsp)) {
        uint64_t v;
        const cbor_item_t *g = client_map_get(rsp.root, "groups");
        size_t n = g && cbor_isa_array(g) ? cbor_array_size(g) : 0;
        if (id == 0 && client_get_uint(rsp.root, "count", &v)) {
            printf("count: %" PRIu64 "\n", v);
        }
        for (size_t i = 0; i < n; i++) {
            const cbor_item_t *it = cbor_array_handle(g)[i];
            if (id == 1 && client_item_uint(it, &v)) {
                printf("group %" PRIu64 "\n", v);
            } else if (id == 3) {
                char name[64] = "";
                uint64_t h = 0;
                client_get_uint(it, "group", &v);
                client_get_text(it, "name", name, sizeof(name));
                client_get_uint(it, "handlers", &h);
                printf("group %3" PRIu64 "  %-16s handlers: %" PRIu64 "\n", v, name, h);
            }
        }
    }
    client_rsp_free(&rsp);
    return MCUMGR_EXIT_OK;
}
