/* imgtool: MCUboot image and key tool, command-line compatible with upstream imgtool. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *desc;
} commands[] = {
    {"create", cmd_sign, "Alias of sign"},
    {"dumpinfo", cmd_dumpinfo, "Print header, TLV area and trailer information of a signed image"},
    {"getpriv", cmd_getpriv, "Dump private key from keypair"},
    {"getpub", cmd_getpub, "Dump public key from keypair"},
    {"getpubhash", cmd_getpubhash, "Dump the SHA256 hash of the public key"},
    {"keygen", cmd_keygen, "Generate pub/private keypair"},
    {"sign", cmd_sign, "Create a signed or unsigned image"},
    {"verify", cmd_verify, "Check that signed image can be verified by given key"},
    {"version", cmd_version, "Print imgtool version information"},
};

static void usage(FILE *f)
{
    fprintf(f, "Usage: imgtool COMMAND [ARGS]...\n\nCommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].desc);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            return commands[i].fn(argc - 1, argv + 1);
        }
    }
    return cli_error(CLI_USAGE, "no such command '%s' (try --help)", argv[1]);
}
