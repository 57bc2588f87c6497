/* imgtool command line: one cmd_<verb> per subcommand, shared parsing helpers. The work is
 * done by the dfu_keys and dfu_imgbuild libraries; this layer only parses and prints. */
#ifndef IMGTOOL_CLI_H
#define IMGTOOL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes: 0 ok, 1 the operation failed, 2 bad usage (as click does). */
#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

int cmd_keygen(int argc, char **argv);
int cmd_getpub(int argc, char **argv);
int cmd_getpubhash(int argc, char **argv);
int cmd_getpriv(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_dumpinfo(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* Prints "imgtool: <message>" on stderr; returns code. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Python's int(s, 0): 0x/0o/0b prefixes, decimal without leading zeros. */
bool cli_parse_u32(const char *s, uint32_t *out);
/* Base64 as Python's b64decode (characters outside the alphabet are skipped). *out malloc'ed. */
int cli_base64_decode(const char *in, size_t len, uint8_t **out, size_t *out_len);
/* Writes what fill() prints to path atomically, or to stdout when path is NULL. */
int cli_emit(const char *path, int (*fill)(FILE *f, void *arg), void *arg);

/* -E / --enckey FILE: a PEM exchange key (P-256, X25519, RSA-2048), or a file holding
 * exactly 16 or 32 raw bytes: an AES key-wrap key (ENC_KW). */
struct keys_key;
struct cli_enckey {
    struct keys_key *key;
    uint8_t kek[32];
    size_t kek_len;  /* 0 unless a raw AES key was given */
};
/* Prints the one-line error itself; returns 0 or an exit code. */
int cli_enckey_load(struct cli_enckey *e, const char *path);
void cli_enckey_free(struct cli_enckey *e);

#endif
