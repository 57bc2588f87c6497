/* conn add|show|delete: connection profiles, with the Go tool's messages. A profile is
 * checked when it is added, so a typo is reported when it is made. */
#include <string.h>

#include "dfukit/err.h"
#include "mcumgr.h"

int mcumgr_cmd_conn_add(struct mcumgr *m, struct mcumgr_args *a)
{
    if (a->argc < 1) {
        return mcumgr_usage(NULL);
    }
    struct client_profile prof;
    memset(&prof, 0, sizeof(prof));
    snprintf(prof.name, sizeof(prof.name), "%s", a->argv[0]);
    for (int i = 1; i < a->argc; i++) {
        const char *kv = a->argv[i];
        const char *eq = strchr(kv, '=');
        size_t kn = eq ? (size_t)(eq - kv) : strlen(kv);
        const char *v = eq ? eq + 1 : "";
        bool fits = true;
        if (kn == 4 && strncmp(kv, "name", 4) == 0) {
            fits = strlen(v) < sizeof(prof.name);
            snprintf(prof.name, sizeof(prof.name), "%s", v);
        } else if (kn == 4 && strncmp(kv, "type", 4) == 0) {
            enum client_conn_type t;
            if (client_conn_type_parse(v, &t) != 0) {
                return mcumgr_fail_usage(m->what,
                                         "invalid connection type \"%s\" (serial, udp, ble, exec)", v);
            }
            fits = strlen(v) < sizeof(prof.type);
            snprintf(prof.type, sizeof(prof.type), "%s", v);
        } else if (kn == 10 && strncmp(kv, "connstring", 10) == 0) {
            fits = strlen(v) < sizeof(prof.connstring);
            snprintf(prof.connstring, sizeof(prof.connstring), "%s", v);
        } else {
            return mcumgr_fail_usage(m->what,
                                     "unknown variable \"%.*s\" (name, type, connstring)",
                                     (int)kn, kv);
        }
        if (!fits) {
            return mcumgr_fail_usage(m->what, "value of %.*s too long", (int)kn, kv);
        }
    }
    if (!prof.name[0]) {
        return mcumgr_usage(NULL);
    }
    if (!prof.type[0] || !prof.connstring[0]) {
        return mcumgr_fail_usage(m->what, "a profile needs type= and connstring=");
    }
    enum client_conn_type t = CLIENT_CONN_NONE;
    struct client_conn c;
    char msg[256];
    client_conn_type_parse(prof.type, &t);
    if (client_conn_parse(&c, t, prof.connstring, msg, sizeof(msg)) != 0) {
        return mcumgr_fail_usage(m->what, "%s", msg);
    }
    char path[1024];
    struct client_profiles profs;
    int rc = mcumgr_load_profiles(m->what, &profs, path, sizeof(path));
    if (rc) {
        return rc;
    }
    int err = client_profiles_put(&profs, &prof);
    if (!err) {
        err = client_profiles_save(&profs, path);
    }
    client_profiles_free(&profs);
    if (err) {
        return mcumgr_fail(m->what, "cannot write %s: %s", path, dfu_strerror(err));
    }
    if (m->json) {
        printf("{\"added\": ");
        mcumgr_json_str(prof.name);
        printf("}\n");
    } else {
        printf("Connection profile %s successfully added\n", prof.name);
    }
    return MCUMGR_EXIT_OK;
}

int mcumgr_cmd_conn_show(struct mcumgr *m, struct mcumgr_args *a)
{
    const char *name = a->argc > 0 ? a->argv[0] : NULL;
    char path[1024];
    struct client_profiles profs;
    int rc = mcumgr_load_profiles(m->what, &profs, path, sizeof(path));
    if (rc) {
        return rc;
    }
    bool found = false;
    if (m->json) {
        printf("[");
    }
    for (size_t i = 0; i < profs.count; i++) {
        const struct client_profile *p = &profs.items[i];
        if (name && strcmp(name, p->name) != 0) {
            continue;
        }
        if (m->json) {
            printf("%s\n  {\"name\": ", found ? "," : "");
            mcumgr_json_str(p->name);
            printf(", \"type\": ");
            mcumgr_json_str(p->type);
            printf(", \"connstring\": ");
            mcumgr_json_str(p->connstring);
            printf("}");
        } else {
            if (!found) {
                printf("Connection profiles: \n");
            }
            printf("  %s: type=%s, connstring='%s'\n", p->name, p->type, p->connstring);
        }
        found = true;
    }
    if (m->json) {
        printf("%s]\n", found ? "\n" : "");
    } else if (!found) {
        if (name) {
            printf("No connection profiles found matching %s\n", name);
        } else {
            printf("No connection profiles found!\n");
        }
    }
    client_profiles_free(&profs);
    return MCUMGR_EXIT_OK;
}

int mcumgr_cmd_conn_delete(struct mcumgr *m, struct mcumgr_args *a)
{
    if (a->argc < 1) {
        return mcumgr_usage(NULL);
    }
    char path[1024];
    struct client_profiles profs;
    int rc = mcumgr_load_profiles(m->what, &profs, path, sizeof(path));
    if (rc) {
        return rc;
    }
    int err = client_profiles_remove(&profs, a->argv[0]);
    if (err) {
        client_profiles_free(&profs);
        return mcumgr_fail(m->what, "connection profile \"%s\" doesn't exist", a->argv[0]);
    }
    err = client_profiles_save(&profs, path);
    client_profiles_free(&profs);
    if (err) {
        return mcumgr_fail(m->what, "cannot write %s: %s", path, dfu_strerror(err));
    }
    if (m->json) {
        printf("{\"deleted\": ");
        mcumgr_json_str(a->argv[0]);
        printf("}\n");
    } else {
        printf("Connection profile %s successfully deleted.\n", a->argv[0]);
    }
    return MCUMGR_EXIT_OK;
}
