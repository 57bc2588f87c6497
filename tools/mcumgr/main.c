/* mcumgr: a drop-in for the Go mcumgr command line (SMP.md §5.1). Global flags may appear
 * anywhere, as with the Go tool; the rest goes to the command. */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dfukit/err.h"
#include "mcumgr.h"

#define MCUMGR_VERSION "dfukit mcumgr 0.1.0"

static const char usage_text[] =
    "Usage: mcumgr [flags] <command> [args]\n"
    "\n"
    "Commands:\n"
    "  conn add NAME type=T connstring=S | conn show [NAME] | conn delete NAME\n"
    "  echo TEXT            reset [-f]          taskstat            mpstat\n"
    "  datetime [VALUE]     params              os-info [-f FMT]    bootloader-info [--query Q]\n"
    "  image list | upload FILE [-n N] [-u] [-w WIN] [--test|--confirm] [--reset [--wait]]\n"
    "  image test HASH | confirm [HASH] | erase [--slot N] | slot-info\n"
    "  upgrade FILE [--test]  upload, test, reset, wait, check, confirm (--test: no confirm)\n"
    "  fs upload LOCAL REMOTE | download REMOTE LOCAL | stat REMOTE | hash REMOTE [--type T]\n"
    "  shell exec CMD [ARGS...]\n"
    "  stat list | stat GROUP\n"
    "  settings read|write|delete NAME [VALUE] | settings commit|load|save   config VAR [VALUE]\n"
    "  enum [count|list|details]\n"
    "  version\n"
    "\n"
    "Flags:\n"
    "  -c, --conn NAME         connection profile\n"
    "      --conntype TYPE     serial | udp | ble (overrides the profile)\n"
    "      --connstring S      e.g. dev=/dev/ttyACM0,baud=115200 or [127.0.0.1]:1337\n"
    "      --connextra S       appended to the connstring\n"
    "  -t, --timeout SECONDS   per request (default 10)\n"
    "  -r, --tries N           attempts per request (default 1)\n"
    "  -l, --loglevel LEVEL    debug dumps every packet\n"
    "      --json              machine-readable output\n"
    "  -q, --quiet             no progress output\n"
    "  -h, --help              this text\n";

double mcumgr_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int mcumgr_fail(const char *what, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", what);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return MCUMGR_EXIT_ERR;
}

int mcumgr_fail_rc(const char *what, int rc, const struct client_deverr *e)
{
    if (rc == CLIENT_EDEVICE && e) {
        char line[256];
        client_format_deverr(line, sizeof(line), what, e);
        fprintf(stderr, "%s\n", line);
        return MCUMGR_EXIT_ERR;
    }
    if (rc == DFU_ETIMEDOUT) {
        return mcumgr_fail(what, "timed out waiting for the device (NMP timeout)");
    }
    if (rc == DFU_ENOENT) {
        return mcumgr_fail(what, "connection refused: nothing answers at that address");
    }
    return mcumgr_fail(what, "%s", dfu_strerror(rc));
}

int mcumgr_usage(const char *usage)
{
    fprintf(stderr, "Usage: mcumgr %s\n", usage);
    return MCUMGR_EXIT_USAGE;
}

static void trace_packet(void *arg, const char *dir, const uint8_t *pkt, size_t len)
{
    (void)arg;
    fprintf(stderr, "debug: %s %zu bytes:", dir, len);
    for (size_t i = 0; i < len; i++) {
        fprintf(stderr, "%s%02x", i % 32 == 0 ? "\n  " : " ", pkt[i]);
    }
    fputc('\n', stderr);
}

struct client_session *mcumgr_session(struct mcumgr *m)
{
    if (m->open) {
        return &m->sess;
    }
    const char *type = m->conntype, *cs = m->connstring;
    struct client_profiles profs;
    client_profiles_init(&profs);
    struct client_profile prof;
    if (m->conn) {
        char path[1024];
        int err = client_profiles_path(path, sizeof(path));
        if (!err) {
            err = client_profiles_load(&profs, path);
        }
        const struct client_profile *p = err ? NULL : client_profiles_find(&profs, m->conn);
        if (!p) {
            client_profiles_free(&profs);
            mcumgr_fail("Error", "Unknown connection profile: %s", m->conn);
            return NULL;
        }
        prof = *p;
        client_profiles_free(&profs);
        if (!type) {
            type = prof.type;
        }
        if (!cs) {
            cs = prof.connstring;
        }
    }
    if (!type || !cs) {
        mcumgr_fail("Error", "no connection: use -c PROFILE or --conntype and --connstring");
        return NULL;
    }
    enum client_conn_type t;
    if (client_conn_type_parse(type, &t) != 0) {
        mcumgr_fail("Error", "unknown connection type '%s' (serial, udp, ble)", type);
        return NULL;
    }
    char full[1200];
    snprintf(full, sizeof(full), "%s%s%s", cs, m->connextra ? "," : "",
             m->connextra ? m->connextra : "");
    struct client_conn conn;
    char msg[256];
    if (client_conn_parse(&conn, t, full, msg, sizeof(msg)) != 0) {
        mcumgr_fail("Error", "%s", msg);
        return NULL;
    }
    struct client_xport xp;
    if (client_xport_open(&xp, &conn, msg, sizeof(msg)) != 0) {
        mcumgr_fail("Error", "%s", msg);
        return NULL;
    }
    client_session_init(&m->sess, &xp);
    m->sess.timeout_ms = (int)(m->timeout_s * 1000.0);
    m->sess.tries = m->tries;
    if (m->loglevel && strcmp(m->loglevel, "debug") == 0) {
        m->sess.trace = trace_packet;
    }
    m->open = true;
    return &m->sess;
}

void mcumgr_close(struct mcumgr *m)
{
    if (m->open) {
        client_session_close(&m->sess);
        m->open = false;
    }
}

int mcumgr_call(struct mcumgr *m, const char *what, uint8_t op, uint16_t group, uint8_t id,
                const uint8_t *payload, size_t len, struct client_rsp *rsp)
{
    struct client_session *s = mcumgr_session(m);
    if (!s) {
        return MCUMGR_EXIT_ERR;
    }
    int rc = client_request(s, op, group, id, payload, len, rsp, 0);
    if (rc) {
        return mcumgr_fail_rc(what, rc, NULL);
    }
    if (client_rsp_failed(rsp)) {
        mcumgr_fail_rc(what, CLIENT_EDEVICE, &rsp->err);
        if (m->json) {
            client_print_json(stdout, rsp->root);
        }
        client_rsp_free(rsp);
        return MCUMGR_EXIT_ERR;
    }
    return MCUMGR_EXIT_OK;
}

void mcumgr_json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            printf("\\%c", c);
        } else if (c < 0x20) {
            printf("\\u%04x", c);
        } else {
            putchar(c);
        }
    }
    putchar('"');
}

bool mcumgr_json(const struct mcumgr *m, const struct client_rsp *rsp)
{
    if (!m->json) {
        return false;
    }
    client_print_json(stdout, rsp->root);
    return true;
}

static void remove_args(struct mcumgr_args *a, int i, int n)
{
    memmove(&a->argv[i], &a->argv[i + n], (size_t)(a->argc - i - n) * sizeof(char *));
    a->argc -= n;
}

/* Matches "--lng", "--lng=V", "-s", "-s=V"; *inline_val gets V. */
static bool opt_match(const char *arg, const char *lng, const char *shrt, const char **inline_val)
{
    *inline_val = NULL;
    const char *names[2] = {lng, shrt};
    for (int k = 0; k < 2; k++) {
        if (!names[k]) {
            continue;
        }
        size_t n = strlen(names[k]);
        if (strncmp(arg, names[k], n) == 0) {
            if (arg[n] == '\0') {
                return true;
            }
            if (arg[n] == '=') {
                *inline_val = arg + n + 1;
                return true;
            }
        }
    }
    return false;
}

const char *mcumgr_opt_value(struct mcumgr_args *a, const char *lng, const char *shrt)
{
    for (int i = 0; i < a->argc; i++) {
        if (strcmp(a->argv[i], "--") == 0) {
            break;
        }
        const char *v;
        if (opt_match(a->argv[i], lng, shrt, &v)) {
            if (v) {
                remove_args(a, i, 1);
                return v;
            }
            if (i + 1 < a->argc) {
                v = a->argv[i + 1];
                remove_args(a, i, 2);
                return v;
            }
            remove_args(a, i, 1);
            return "";
        }
    }
    return NULL;
}

bool mcumgr_opt_flag(struct mcumgr_args *a, const char *lng, const char *shrt)
{
    for (int i = 0; i < a->argc; i++) {
        if (strcmp(a->argv[i], "--") == 0) {
            break;
        }
        const char *v;
        if (opt_match(a->argv[i], lng, shrt, &v)) {
            remove_args(a, i, 1);
            return !v || (strcmp(v, "false") != 0 && strcmp(v, "0") != 0);
        }
    }
    return false;
}

int mcumgr_no_more_opts(const struct mcumgr_args *a, const char *usage)
{
    for (int i = 0; i < a->argc; i++) {
        if (strcmp(a->argv[i], "--") == 0) {
            break;
        }
        if (a->argv[i][0] == '-' && a->argv[i][1] != '\0' && !isdigit((unsigned char)a->argv[i][1])) {
            fprintf(stderr, "mcumgr: unknown flag %s\n", a->argv[i]);
            return mcumgr_usage(usage);
        }
    }
    return MCUMGR_EXIT_OK;
}

/* Takes the global flags out of argv wherever they are. */
static int parse_globals(struct mcumgr *m, struct mcumgr_args *a)
{
    const char *v;
    if ((v = mcumgr_opt_value(a, "--conn", "-c"))) m->conn = v;
    if ((v = mcumgr_opt_value(a, "--conntype", NULL))) m->conntype = v;
    if ((v = mcumgr_opt_value(a, "--connstring", NULL))) m->connstring = v;
    if ((v = mcumgr_opt_value(a, "--connextra", NULL))) m->connextra = v;
    if ((v = mcumgr_opt_value(a, "--loglevel", "-l"))) m->loglevel = v;
    if ((v = mcumgr_opt_value(a, "--timeout", "-t"))) {
        char *end;
        m->timeout_s = strtod(v, &end);
        if (*end || !(m->timeout_s > 0) || m->timeout_s > 3600) {
            fprintf(stderr, "mcumgr: invalid timeout '%s'\n", v);
            return MCUMGR_EXIT_USAGE;
        }
    }
    if ((v = mcumgr_opt_value(a, "--tries", "-r"))) {
        char *end;
        long t = strtol(v, &end, 10);
        if (*end || t < 1 || t > 100) {
            fprintf(stderr, "mcumgr: invalid tries '%s'\n", v);
            return MCUMGR_EXIT_USAGE;
        }
        m->tries = (int)t;
    }
    /* accepted for compatibility; they only matter to transports we do not have */
    mcumgr_opt_value(a, "--name", NULL);
    mcumgr_opt_value(a, "--hci", "-i");
    mcumgr_opt_value(a, "--ompres", NULL);
    mcumgr_opt_value(a, "--mtu-ovrd", "-m");
    mcumgr_opt_flag(a, "--write-rsp", NULL);
    m->json = mcumgr_opt_flag(a, "--json", NULL);
    m->quiet = mcumgr_opt_flag(a, "--quiet", "-q");
    m->help = mcumgr_opt_flag(a, "--help", "-h");
    return MCUMGR_EXIT_OK;
}

int main(int argc, char **argv)
{
    struct mcumgr m = {.timeout_s = 10.0, .tries = 1};
    struct mcumgr_args a = {argc - 1, argv + 1};
    int rc = parse_globals(&m, &a);
    if (rc) {
        return rc;
    }
    if (a.argc == 0 || m.help || strcmp(a.argv[0], "help") == 0) {
        fputs(usage_text, m.help || a.argc ? stdout : stderr);
        return m.help || a.argc ? MCUMGR_EXIT_OK : MCUMGR_EXIT_USAGE;
    }
    const char *cmd = a.argv[0];
    a.argc--;
    a.argv++;
    if (strcmp(cmd, "version") == 0) {
        printf("%s\n", MCUMGR_VERSION);
        return MCUMGR_EXIT_OK;
    }
    if (strcmp(cmd, "conn") == 0) {
        rc = mcumgr_cmd_conn(&m, &a);
    } else if (strcmp(cmd, "image") == 0) {
        rc = mcumgr_cmd_image(&m, &a);
    } else if (strcmp(cmd, "upgrade") == 0) {
        rc = mcumgr_cmd_upgrade(&m, &a);
    } else if (strcmp(cmd, "fs") == 0) {
        rc = mcumgr_cmd_fs(&m, &a);
    } else if (strcmp(cmd, "shell") == 0) {
        rc = mcumgr_cmd_shell(&m, &a);
    } else if (strcmp(cmd, "stat") == 0) {
        rc = mcumgr_cmd_stat(&m, &a);
    } else if (strcmp(cmd, "settings") == 0 || strcmp(cmd, "config") == 0) {
        rc = mcumgr_cmd_settings(&m, cmd, &a);
    } else if (strcmp(cmd, "enum") == 0) {
        rc = mcumgr_cmd_enum(&m, &a);
    } else if (strcmp(cmd, "echo") == 0 || strcmp(cmd, "reset") == 0 ||
               strcmp(cmd, "taskstat") == 0 || strcmp(cmd, "mpstat") == 0 ||
               strcmp(cmd, "datetime") == 0 || strcmp(cmd, "params") == 0 ||
               strcmp(cmd, "os-info") == 0 || strcmp(cmd, "bootloader-info") == 0) {
        rc = mcumgr_cmd_os(&m, cmd, &a);
    } else {
        fprintf(stderr, "mcumgr: unknown command \"%s\"\n\n%s", cmd, usage_text);
        rc = MCUMGR_EXIT_USAGE;
    }
    mcumgr_close(&m);
    return rc;
}
