/* mcumgr: a drop-in for the Go mcumgr command line. Global flags may appear anywhere, as with
 * the Go tool; the command words pick an entry of the command table (commands.c), help.c
 * explains the rest. */
#include <stdlib.h>
#include <string.h>

#include "mcumgr.h"

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
        if (!v[0] || *end || !(m->timeout_s > 0) || m->timeout_s > 3600) {
            return mcumgr_fail_usage(NULL, "invalid --timeout \"%s\" (seconds, more than 0 and "
                                           "at most 3600)", v);
        }
    }
    unsigned long tries = 0;
    int rc = mcumgr_opt_uint(a, "--tries", "-r", 1, 100, &tries);
    if (rc) {
        return rc;
    }
    if (tries) {
        m->tries = (int)tries;
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
    if (a.argc == 0) {
        mcumgr_print_overview(m.help ? stdout : stderr);
        return m.help ? MCUMGR_EXIT_OK : MCUMGR_EXIT_USAGE;
    }
    int words;
    const struct mcumgr_cmd *c = mcumgr_find_command(a.argc, a.argv, &words);
    if (!c) {
        return mcumgr_not_a_command(m.help, a.argc, a.argv);
    }
    if (m.help) {
        mcumgr_print_usage(stdout, c);
        return MCUMGR_EXIT_OK;
    }
    mcumgr_set_command(&m, c);
    struct mcumgr_args rest = {a.argc - words, a.argv + words};
    rc = c->run(&m, &rest);
    mcumgr_close(&m);
    return rc;
}
