/* imgtool: MCUboot image and key tool, command-line compatible with upstream imgtool. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define SIGN_USAGE                                                                             \
    "[-k KEY] -v VERSION -H HEADER_SIZE -S SLOT_SIZE [--pad-header] [--pad] [--confirm|--test]\n"\
    "       [--align 1|2|4|8|16|32] [--max-align 8|16|32] [-M MAX_SECTORS] [--overwrite-only]\n" \
    "       [-s N|auto] [-d \"(ID,VERSION)...\"] [--public-key-format hash|full] [-L ADDR]\n"    \
    "       [-F ADDR] [-R 0|0xff] [-x ADDR] [--custom-tlv TAG VALUE] [--custom-tlv-file TAG\n"   \
    "       FILE] [--pure] [--boot-record SW_TYPE] [--non-bootable] [--sha auto|256|384|512]\n"  \
    "       [--pad-sig] [--vector-to-sign payload|digest] [--sig-out FILE] [--fix-sig FILE\n"    \
    "       --fix-sig-pubkey FILE] INFILE OUTFILE\n"                                            \
    "       INFILE and OUTFILE are Intel HEX when their names end in .hex, raw binary otherwise"

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *desc;
    const char *usage;
} commands[] = {
    {"create", cmd_sign, "Alias of sign", SIGN_USAGE},
    {"dumpinfo", cmd_dumpinfo, "Print header, TLV area and trailer information of a signed image",
     "IMGFILE"},
    {"getpriv", cmd_getpriv, "Dump private key from keypair",
     "-k KEY [--minimal] [-f openssl|pkcs8]"},
    {"getpub", cmd_getpub, "Dump public key from keypair",
     "-k KEY [-e lang-c|lang-rust|pem|raw | -l c|rust] [-o OUTFILE]"},
    {"getpubhash", cmd_getpubhash, "Dump the SHA256 hash of the public key",
     "-k KEY [-e lang-c|raw] [-o OUTFILE]"},
    {"keygen", cmd_keygen, "Generate pub/private keypair",
     "-k KEYFILE -t rsa-2048|rsa-3072|ecdsa-p256|ecdsa-p384|ed25519|x25519 [-e PUBFILE]"},
    {"sign", cmd_sign, "Create a signed or unsigned image", SIGN_USAGE},
    {"verify", cmd_verify, "Check that signed image can be verified by given key",
     "[-k KEY] IMGFILE"},
    {"version", cmd_version, "Print imgtool version information", ""},
};

static bool wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            return true;
        }
    }
    return false;
}

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
            if (wants_help(argc - 1, argv + 1)) {
                printf("Usage: imgtool %s %s\n\n  %s\n", commands[i].name, commands[i].usage,
                       commands[i].desc);
                return CLI_OK;
            }
            return commands[i].fn(argc - 1, argv + 1);
        }
    }
    return cli_error(CLI_USAGE, "no such command '%s' (try --help)", argv[1]);
}
