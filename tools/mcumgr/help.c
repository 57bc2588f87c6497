/* Help and mistakes, from the command table: the overview, one command's usage, the command
 * list of the help contract (`help --commands`: NAME<TAB>summary), a group's commands, and the
 * nearest command to a mistyped one. */
#include <string.h>

#include "dfukit/cli.h"
#include "mcumgr.h"

static const char flags_text[] =
    "Flags (anywhere on the command line):\n"
    "  -c, --conn NAME         connection profile (see conn add)\n"
    "      --conntype TYPE     serial | udp | ble (overrides the profile)\n"
    "      --connstring S      e.g. dev=/dev/ttyACM0,baud=115200 or [127.0.0.1]:1337\n"
    "      --connextra S       appended to the connstring\n"
    "  -t, --timeout SECONDS   per request, more than 0 and at most 3600 (default 10)\n"
    "  -r, --tries N           attempts per request, 1 to 100 (default 1)\n"
    "  -l, --loglevel LEVEL    debug dumps every packet\n"
    "      --json              machine-readable output\n"
    "  -q, --quiet             no progress output\n"
    "  -h, --help              this text, or a command's usage\n";

void mcumgr_print_overview(FILE *f)
{
    fprintf(f, "Usage: mcumgr [flags] COMMAND [args]\n\nCommands:\n");
    size_t n;
    const struct mcumgr_cmd *commands = mcumgr_commands(&n);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "  %-18s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(f, "\n%s\nRun \"mcumgr help COMMAND\" for a command's options.\n", flags_text);
}

void mcumgr_print_usage(FILE *f, const struct mcumgr_cmd *c)
{
    fprintf(f, "Usage: mcumgr %s", c->usage);
    /* the flags matter to the commands that talk to a device */
    if (strcmp(c->name, "version") != 0 && strcmp(c->name, "help") != 0 &&
        strncmp(c->name, "conn ", 5) != 0) {
        fprintf(f, "\n%s", flags_text);
    }
}

void mcumgr_print_command_list(FILE *f)
{
    size_t n;
    const struct mcumgr_cmd *commands = mcumgr_commands(&n);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s\t%s\n", commands[i].name, commands[i].summary);
    }
}

const char *mcumgr_suggest(const char *typed)
{
    /* the whole name ("image upload") and its first word ("image") are candidates */
    static char words[MCUMGR_MAX_COMMANDS][32];  /* the returned name may point here */
    const char *cands[2 * MCUMGR_MAX_COMMANDS];
    size_t n, k = 0;
    const struct mcumgr_cmd *commands = mcumgr_commands(&n);
    for (size_t i = 0; i < n && i < MCUMGR_MAX_COMMANDS; i++) {
        cands[k++] = commands[i].name;
        snprintf(words[i], sizeof(words[i]), "%s", commands[i].name);
        char *sp = strchr(words[i], ' ');
        if (sp != NULL) {
            *sp = '\0';
            cands[k++] = words[i];
        }
    }
    int best = cli_nearest(typed, cands, k);
    return best < 0 ? NULL : cands[best];
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
int mcumgr_cmd_help(struct mcumgr *m, struct mcumgr_args *a)
{
    (void)m;
    int argc = a->argc;
    char **argv = a->argv;
    if (argc == 0) {
        mcumgr_print_overview(stdout);
        return MCUMGR_EXIT_OK;
    }
    if (strcmp(argv[0], "--commands") == 0) {
        mcumgr_print_command_list(stdout);
        return MCUMGR_EXIT_OK;
    }
    int words; /* words after the name are ignored, as with NAME --help */
    const struct mcumgr_cmd *c = mcumgr_find_command(argc, argv, &words);
    if (c) {
        mcumgr_print_usage(stdout, c);
        return MCUMGR_EXIT_OK;
    }
    if (argc == 1 && print_group(stdout, argv[0])) {
        return MCUMGR_EXIT_OK;
    }
    return unknown(argc, argv);
}

int mcumgr_not_a_command(bool help, int argc, char **argv)
{
    if (help && argc == 1 && print_group(stdout, argv[0])) {
        return MCUMGR_EXIT_OK;
    }
    if (argc == 1 && is_group(argv[0])) {
        return group_needs_command(argv[0]);
    }
    return unknown(argc, argv);
}
