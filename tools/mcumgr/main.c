/* mcumgr: a drop-in for the Go mcumgr command line. Global flags may appear anywhere, as with
 * the Go tool; the command words pick an entry of the command table (commands.c). */
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

/* Every command whose first word is group ("image"): their usages, the flags once. */
static bool print_group(FILE *f, const char *group)
{
    size_t n, len = strlen(group);
    const struct mcumgr_cmd *cmds = mcumgr_commands(&n);
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(cmds[i].name, group, len) == 0 && cmds[i].name[len] == ' ') {
            fprintf(f, "%sUsage: mcumgr %s", any ? "\n" : "", cmds[i].usage);
            any = true;
        }
    }
    return any;
}

static bool is_group(const char *word)
{
    size_t n, len = strlen(word);
    const struct mcumgr_cmd *cmds = mcumgr_commands(&n);
    for (size_t i = 0; i < n; i++) {
        if (strncmp(cmds[i].name, word, len) == 0 && cmds[i].name[len] == ' ') {
            return true;
        }
    }
    return false;
}

/* "mcumgr image": names the group's commands. */
static int group_needs_command(const char *group)
{
    size_t n, len = strlen(group);
    const struct mcumgr_cmd *cmds = mcumgr_commands(&n);
    fprintf(stderr, "mcumgr: %s needs a command:", group);
    const char *sep = " ";
    for (size_t i = 0; i < n; i++) {
        if (strncmp(cmds[i].name, group, len) == 0 && cmds[i].name[len] == ' ') {
            fprintf(stderr, "%s%s", sep, cmds[i].name + len + 1);
            sep = ", ";
        }
    }
    fprintf(stderr, " (\"mcumgr help %s\" explains them)\n", group);
    return MCUMGR_EXIT_USAGE;
}

/* "imgae" -> did you mean "image"; "image uplod" -> "image upload". */
static int unknown(int argc, char **argv)
{
    char typed[128];
    bool two = argc > 1 && is_group(argv[0]);
    snprintf(typed, sizeof(typed), "%s%s%s", argv[0], two ? " " : "", two ? argv[1] : "");
    const char *near = mcumgr_suggest(typed);
    if (near) {
        fprintf(stderr, "mcumgr: unknown command \"%s\"; did you mean \"%s\"?\n", typed, near);
    } else {
        fprintf(stderr, "mcumgr: unknown command \"%s\" (\"mcumgr help\" lists them)\n", typed);
    }
    return MCUMGR_EXIT_USAGE;
}

/* `help`, `help --commands`, `help NAME`. */
static int help(int argc, char **argv)
{
    if (argc == 0) {
        mcumgr_print_overview(stdout);
        return MCUMGR_EXIT_OK;
    }
    if (strcmp(argv[0], "--commands") == 0) {
        mcumgr_print_command_list(stdout);
        return MCUMGR_EXIT_OK;
    }
    int words;
    const struct mcumgr_cmd *c = mcumgr_find_command(argc, argv, &words);
    if (c && words == argc) {
        mcumgr_print_usage(stdout, c);
        return MCUMGR_EXIT_OK;
    }
    if (argc == 1 && print_group(stdout, argv[0])) {
        return MCUMGR_EXIT_OK;
    }
    return unknown(argc, argv);
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
    if (strcmp(a.argv[0], "help") == 0) {
        return help(a.argc - 1, a.argv + 1);
    }
    int words;
    const struct mcumgr_cmd *c = mcumgr_find_command(a.argc, a.argv, &words);
    if (!c) {
        if (m.help && a.argc == 1 && print_group(stdout, a.argv[0])) {
            return MCUMGR_EXIT_OK;
        }
        if (a.argc == 1 && is_group(a.argv[0])) {
            return group_needs_command(a.argv[0]);
        }
        return unknown(a.argc, a.argv);
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
