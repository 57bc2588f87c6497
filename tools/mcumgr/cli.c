/* Helpers every command uses: the one error format ("mcumgr: image upload: reason"), option
 * scanning, profiles, and the session opened on first use. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/err.h"
#include "mcumgr.h"

static const struct mcumgr_cmd *current; /* the command being run, for usage errors */

void mcumgr_set_command(struct mcumgr *m, const struct mcumgr_cmd *c)
{
    current = c;
    m->what = c->name;
}

static void vfail(const char *what, const char *fmt, va_list ap)
{
    fprintf(stderr, "mcumgr: ");
    if (what) {
        fprintf(stderr, "%s: ", what);
    }
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int mcumgr_fail(const char *what, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(what, fmt, ap);
    va_end(ap);
    return MCUMGR_EXIT_ERR;
}

/* The open session, so a failed link can be explained (mcumgr has one session at a time). */
static const struct client_session *open_session;

int mcumgr_fail_rc(const char *what, int rc, const struct client_deverr *e)
{
    if (rc == CLIENT_ELINK) {
        const char *why = open_session ? client_session_link_error(open_session) : NULL;
        return mcumgr_fail(what, "%s", why ? why : "the link went away");
    }
    if (rc == CLIENT_EDEVICE && e) {
        char line[256];
        client_format_deverr(line, sizeof(line), what, e);
        fprintf(stderr, "mcumgr: %s\n", line);
        return MCUMGR_EXIT_ERR;
    }
    if (rc == DFU_ETIMEDOUT) {
        return mcumgr_fail(what, "timed out waiting for the device (NMP timeout)");
    }
    if (rc == DFU_ENOENT) {
        return mcumgr_fail(what, "connection refused: nothing answers at that address");
    }
    if (rc == DFU_EBADMSG) {
        return mcumgr_fail(what, "the device's answer lacks the expected fields");
    }
    if (rc == DFU_EINVAL) {
        return mcumgr_fail(what, "the arguments do not fit in one request");
    }
    return mcumgr_fail(what, "%s", dfu_strerror(rc));
}

/* The synopsis: the first line of the command's usage. */
static void print_synopsis(const char *usage)
{
    const char *nl = strchr(usage, '\n');
    int n = nl ? (int)(nl - usage) : (int)strlen(usage);
    fprintf(stderr, "Usage: mcumgr %.*s\n", n, usage);
    if (current) {
        fprintf(stderr, "Run \"mcumgr help %s\" for every option.\n", current->name);
    }
}

int mcumgr_usage(const char *usage)
{
    /* the table's synopsis of the running command wins: one text, never two that drift */
    print_synopsis(current ? current->usage : usage ? usage : "COMMAND [args]");
    return MCUMGR_EXIT_USAGE;
}

int mcumgr_fail_usage(const char *what, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(what, fmt, ap);
    va_end(ap);
    if (current) {
        print_synopsis(current->usage);
    }
    return MCUMGR_EXIT_USAGE;
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
    mcumgr_print_json(stdout, rsp->root);
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

int mcumgr_parse_uint(const char *name, const char *v, unsigned long min, unsigned long max,
                      unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    /* strtoul accepts "-5" (as a huge number) and leading blanks: digits only */
    if (!isdigit((unsigned char)v[0]) || *end || errno || n < min || n > max) {
        return mcumgr_fail_usage(current ? current->name : NULL,
                                 "invalid %s \"%s\" (a whole number from %lu to %lu)", name, v,
                                 min, max);
    }
    *out = n;
    return 0;
}

int mcumgr_opt_uint(struct mcumgr_args *a, const char *lng, const char *shrt, unsigned long min,
                    unsigned long max, unsigned long *out)
{
    const char *v = mcumgr_opt_value(a, lng, shrt);
    if (!v) {
        return 0;
    }
    char name[64];
    snprintf(name, sizeof(name), "%s%s%s", shrt ? shrt : "", shrt ? "/" : "", lng);
    return mcumgr_parse_uint(name, v, min, max, out);
}

int mcumgr_no_more_opts(const struct mcumgr_args *a, const char *usage)
{
    for (int i = 0; i < a->argc; i++) {
        if (strcmp(a->argv[i], "--") == 0) {
            break;
        }
        if (a->argv[i][0] == '-' && a->argv[i][1] != '\0' && !isdigit((unsigned char)a->argv[i][1])) {
            mcumgr_fail(current ? current->name : NULL, "unknown flag %s", a->argv[i]);
            return mcumgr_usage(usage);
        }
    }
    return MCUMGR_EXIT_OK;
}

int mcumgr_load_profiles(const char *what, struct client_profiles *p, char *path, size_t cap)
{
    client_profiles_init(p);
    int err = client_profiles_path(path, cap);
    if (err) {
        return mcumgr_fail(what, "cannot find the home directory ($HOME)");
    }
    err = client_profiles_load(p, path);
    if (err == DFU_EBADMSG) {
        return mcumgr_fail(what, "%s is corrupt (not a JSON list of connection profiles)", path);
    }
    if (err) {
        return mcumgr_fail(what, "cannot read %s: %s", path, dfu_strerror(err));
    }
    return 0;
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
    struct client_profile prof;
    if (m->conn) {
        char path[1024];
        struct client_profiles profs;
        if (mcumgr_load_profiles(m->what, &profs, path, sizeof(path))) {
            return NULL;
        }
        const struct client_profile *p = client_profiles_find(&profs, m->conn);
        if (!p) {
            client_profiles_free(&profs);
            mcumgr_fail(m->what, "no connection profile \"%s\" in %s (see mcumgr conn show)",
                        m->conn, path);
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
        mcumgr_fail(m->what, "no connection: use -c PROFILE or --conntype and --connstring");
        return NULL;
    }
    enum client_conn_type t;
    if (client_conn_type_parse(type, &t) != 0) {
        mcumgr_fail(m->what, "unknown connection type \"%s\" (serial, udp, ble, exec)", type);
        return NULL;
    }
    char full[1200];
    if (t == CLIENT_CONN_EXEC && m->connextra) {
        /* an exec connstring ends with its command: the extra options go in front */
        snprintf(full, sizeof(full), "%s,%s", m->connextra, cs);
    } else {
        snprintf(full, sizeof(full), "%s%s%s", cs, m->connextra ? "," : "",
                 m->connextra ? m->connextra : "");
    }
    struct client_conn conn;
    char msg[256];
    if (client_conn_parse(&conn, t, full, msg, sizeof(msg)) != 0) {
        mcumgr_fail(m->what, "%s", msg);
        return NULL;
    }
    struct client_xport xp;
    if (client_xport_open(&xp, &conn, msg, sizeof(msg)) != 0) {
        mcumgr_fail(m->what, "%s", msg);
        return NULL;
    }
    client_session_init(&m->sess, &xp);
    m->sess.timeout_ms = (int)(m->timeout_s * 1000.0);
    m->sess.tries = m->tries;
    if (m->loglevel && strcmp(m->loglevel, "debug") == 0) {
        m->sess.trace = trace_packet;
    }
    m->open = true;
    open_session = &m->sess;
    return &m->sess;
}

void mcumgr_close(struct mcumgr *m)
{
    if (m->open) {
        client_session_close(&m->sess);
        m->open = false;
        open_session = NULL;
    }
}
