/* imgtool: MCUboot image and key tool, command-line compatible with upstream imgtool.
 * The command table is the one source of the dispatch, the help and the man page. Help
 * contract (shared with mcumgr and devsim, read by scripts/gen-man.sh): `imgtool --help` the
 * overview; `imgtool help --commands` one "NAME<TAB>summary" line per command; `imgtool help
 * NAME` and `imgtool NAME --help` that command's usage, starting "Usage: imgtool NAME". */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dfukit/cli.h"
#include "usage.h"

static int cmd_help(int argc, char **argv);

static const struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
    const char *usage; /* after "Usage: imgtool NAME" (usage.c) */
} commands[] = {
    {"create", cmd_sign, "Alias of sign", usage_sign},
    {"dumpinfo", cmd_dumpinfo, "Print header, TLV area and trailer information of a signed image",
     usage_dumpinfo},
    {"getpriv", cmd_getpriv, "Dump private key from keypair", usage_getpriv},
    {"getpub", cmd_getpub, "Dump public key from keypair", usage_getpub},
    {"getpubhash", cmd_getpubhash, "Dump the SHA256 hash of the public key", usage_getpubhash},
    {"help", cmd_help, "Show the overview, a command's usage or the list of commands", usage_help},
    {"keygen", cmd_keygen, "Generate pub/private keypair", usage_keygen},
    {"sign", cmd_sign, "Create a signed or unsigned image", usage_sign},
    {"verify", cmd_verify, "Check that signed image can be verified by given key", usage_verify},
    {"version", cmd_version, "Print imgtool version information", usage_version},
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void overview(FILE *f)
{
    fprintf(f, "Usage: imgtool COMMAND [ARGS]...\n\n"
               "MCUboot image and key tool, command-line compatible with upstream imgtool.\n\n"
               "Commands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++) {
        fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(f, "\nRun \"imgtool COMMAND --help\" or \"imgtool help COMMAND\" for a command's "
               "options.\n");
}

static void command_usage(const struct command *c)
{
    printf("Usage: imgtool %s%s%s", c->name, c->usage[0] == '\n' ? "" : " ", c->usage);
}

/* The command the user most likely meant (cli_nearest's rule), or NULL. */
static const struct command *nearest(const char *word)
{
    const char *names[N_COMMANDS];
    for (size_t i = 0; i < N_COMMANDS; i++) {
        names[i] = commands[i].name;
    }
    int i = cli_nearest(word, names, N_COMMANDS);
    return i < 0 ? NULL : &commands[i];
}

static const struct command *find(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(name, commands[i].name) == 0) {
            return &commands[i];
        }
    }
    return NULL;
}

static int unknown_command(const char *name)
{
    const struct command *near = nearest(name);
    if (near) {
        return cli_error(CLI_USAGE, "unknown command \"%s\"; did you mean \"%s\"?", name,
                         near->name);
    }
    return cli_error(CLI_USAGE, "unknown command \"%s\" (imgtool help --commands lists them)",
                     name);
}

static bool is_help_flag(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

static int cmd_help(int argc, char **argv)
{
    if (argc == 1) {
        overview(stdout);
        return CLI_OK;
    }
    if (argc != 2) {
        return cli_error(CLI_USAGE, "help takes at most one COMMAND (or --commands)");
    }
    if (strcmp(argv[1], "--commands") == 0) {
        for (size_t i = 0; i < N_COMMANDS; i++) {
            printf("%s\t%s\n", commands[i].name, commands[i].summary);
        }
        return CLI_OK;
    }
    const struct command *c = is_help_flag(argv[1]) ? find("help") : find(argv[1]);
    if (!c) {
        return unknown_command(argv[1]);
    }
    command_usage(c);
    return CLI_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        overview(stderr);
        return CLI_USAGE;
    }
    if (is_help_flag(argv[1])) {
        overview(stdout);
        return CLI_OK;
    }
    const struct command *c = find(argv[1]);
    if (!c) {
        return unknown_command(argv[1]);
    }
    for (int i = 2; i < argc; i++) {
        if (is_help_flag(argv[i])) {
            command_usage(c);
            return CLI_OK;
        }
    }
    return c->fn(argc - 1, argv + 1);
}
