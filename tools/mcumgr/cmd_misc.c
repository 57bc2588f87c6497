/* Shell (9), stat (2), settings / config (3) and enum (10) groups. */
#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#include "mcumgr.h"

int mcumgr_cmd_shell_exec(struct mcumgr *m, struct mcumgr_args *a)
{
    if (a->argc < 1) {
        return mcumgr_usage(NULL);
    }
    struct client_session *s = mcumgr_session(m);
    if (!s) {
        return MCUMGR_EXIT_ERR;
    }
    int64_t ret;
    const uint8_t *o;
    size_t n;
    struct client_rsp rsp;
    struct client_deverr e;
    int rc = client_shell_exec(s, a->argc, a->argv, &ret, &o, &n, &rsp, &e);
    if (rc) {
        return mcumgr_fail_rc(m->what, rc, &e);
    }
    if (!mcumgr_json(m, &rsp)) {
        fwrite(o, 1, n, stdout);
        if (n && o[n - 1] != '\n') {
            putchar('\n');
        }
    }
    client_rsp_free(&rsp);
    if (ret != 0) {
        return mcumgr_fail(m->what, "the command returned %" PRId64, ret);
    }
    return MCUMGR_EXIT_OK;
}

/* `stat list` or `stat GROUP`. */
int mcumgr_cmd_stat(struct mcumgr *m, struct mcumgr_args *a)
{
    if (a->argc != 1) {
        return mcumgr_usage(NULL);
    }
    struct client_session *s = mcumgr_session(m);
    if (!s) {
        return MCUMGR_EXIT_ERR;
    }
    struct client_rsp rsp;
    struct client_deverr e;
    bool list = strcmp(a->argv[0], "list") == 0;
    int rc = list ? client_stat_list(s, &rsp, &e) : client_stat_read(s, a->argv[0], &rsp, &e);
    if (rc) {
        return mcumgr_fail_rc(m->what, rc, &e);
    }
    if (mcumgr_json(m, &rsp)) {
        client_rsp_free(&rsp);
        return MCUMGR_EXIT_OK;
    }
    if (list) {
        printf("stat groups:\n");
        const cbor_item_t *l = client_map_get(rsp.root, "stat_list");
        for (size_t i = 0; i < cbor_array_size(l); i++) {
            const cbor_item_t *it = cbor_array_handle(l)[i];
            if (cbor_isa_string(it) && cbor_string_is_definite(it)) {
                printf("    %.*s\n", (int)cbor_string_length(it),
                       (const char *)cbor_string_handle(it));
            }
        }
    } else {
        printf("stat group: %s\n", a->argv[0]);
        const cbor_item_t *f = client_map_get(rsp.root, "fields");
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

/* settings read and the Go tool's `config VAR` (the same request; such servers answer text). */
static int settings_read(struct mcumgr *m, const char *name)
{
    struct client_session *s = mcumgr_session(m);
    if (!s) {
        return MCUMGR_EXIT_ERR;
    }
    const uint8_t *v;
    size_t n;
    bool text;
    struct client_rsp rsp;
    struct client_deverr e;
    int rc = client_settings_read(s, name, &v, &n, &text, &rsp, &e);
    if (rc) {
        return mcumgr_fail_rc(m->what, rc, &e);
    }
    if (!mcumgr_json(m, &rsp)) {
        if (text) {
            printf("Value: %.*s\n", (int)n, (const char *)v);
        } else {
            print_value(v, n);
        }
    }
    client_rsp_free(&rsp);
    return MCUMGR_EXIT_OK;
}

/* The commands that answer nothing but success. */
static int done(struct mcumgr *m, int rc, const struct client_deverr *e)
{
    if (rc) {
        return mcumgr_fail_rc(m->what, rc, e);
    }
    printf(m->json ? "{}\n" : "Done\n");
    return MCUMGR_EXIT_OK;
}

int mcumgr_cmd_settings_read(struct mcumgr *m, struct mcumgr_args *a)
{
    if (a->argc != 1) {
        return mcumgr_usage(NULL);
    }
    return settings_read(m, a->argv[0]);
}

int mcumgr_cmd_settings_write(struct mcumgr *m, struct mcumgr_args *a)
{
    if (a->argc != 2) {
        return mcumgr_usage(NULL);
    }
    struct client_session *s = mcumgr_session(m);
    struct client_deverr e;
    return s ? done(m, client_settings_write(s, a->argv[0], a->argv[1], false, &e), &e)
             : MCUMGR_EXIT_ERR;
}

int mcumgr_cmd_settings_delete(struct mcumgr *m, struct mcumgr_args *a)
{
    if (a->argc != 1) {
        return mcumgr_usage(NULL);
    }
    struct client_session *s = mcumgr_session(m);
    struct client_deverr e;
    return s ? done(m, client_settings_delete(s, a->argv[0], &e), &e) : MCUMGR_EXIT_ERR;
}

/* commit, load, save: no arguments. */
static int settings_op(struct mcumgr *m, struct mcumgr_args *a,
                       int (*op)(struct client_session *, struct client_deverr *))
{
    if (a->argc != 0) {
        return mcumgr_usage(NULL);
    }
    struct client_session *s = mcumgr_session(m);
    struct client_deverr e;
    return s ? done(m, op(s, &e), &e) : MCUMGR_EXIT_ERR;
}

int mcumgr_cmd_settings_commit(struct mcumgr *m, struct mcumgr_args *a)
{
    return settings_op(m, a, client_settings_commit);
}

int mcumgr_cmd_settings_load(struct mcumgr *m, struct mcumgr_args *a)
{
    return settings_op(m, a, client_settings_load);
}

int mcumgr_cmd_settings_save(struct mcumgr *m, struct mcumgr_args *a)
{
    return settings_op(m, a, client_settings_save);
}

/* The Go tool's `config VAR [VALUE]`: settings read / write with a text value. */
int mcumgr_cmd_config(struct mcumgr *m, struct mcumgr_args *a)
{
    if (a->argc < 1 || a->argc > 2) {
        return mcumgr_usage(NULL);
    }
    if (a->argc == 1) {
        return settings_read(m, a->argv[0]);
    }
    struct client_session *s = mcumgr_session(m);
    struct client_deverr e;
    return s ? done(m, client_settings_write(s, a->argv[0], a->argv[1], true, &e), &e)
             : MCUMGR_EXIT_ERR;
}

int mcumgr_cmd_enum(struct mcumgr *m, struct mcumgr_args *a)
{
    const char *sub = a->argc > 0 ? a->argv[0] : "details";
    if (a->argc > 1 || (strcmp(sub, "count") != 0 && strcmp(sub, "list") != 0 &&
                        strcmp(sub, "details") != 0)) {
        return mcumgr_usage(NULL);
    }
    struct client_session *s = mcumgr_session(m);
    if (!s) {
        return MCUMGR_EXIT_ERR;
    }
    struct client_rsp rsp;
    struct client_deverr e;
    uint32_t count = 0;
    uint16_t groups[256];
    int rc;
    if (strcmp(sub, "count") == 0) {
        rc = client_enum_count(s, &count, &rsp, &e);
    } else if (strcmp(sub, "list") == 0) {
        rc = client_enum_list(s, groups, 256, &rsp, &e);
    } else {
        rc = client_enum_details(s, &rsp, &e);
    }
    if (rc < 0) {
        return mcumgr_fail_rc(m->what, rc, &e);
    }
    if (!mcumgr_json(m, &rsp)) {
        if (strcmp(sub, "count") == 0) {
            printf("count: %" PRIu32 "\n", count);
        } else if (strcmp(sub, "list") == 0) {
            for (int i = 0; i < rc && i < 256; i++) {
                printf("group %u\n", groups[i]);
            }
        } else {
            const cbor_item_t *g = client_map_get(rsp.root, "groups");
            for (size_t i = 0; i < cbor_array_size(g); i++) {
                const cbor_item_t *it = cbor_array_handle(g)[i];
                char name[64] = "";
                uint64_t v = 0, h = 0;
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
