/* keygen, getpub, getpubhash, getpriv. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dfukit/err.h"
#include "dfukit/hostfile.h"
#include "dfukit/imgbuild.h"
#include "dfukit/keys.h"

struct pub_arg {
    const struct keys_key *key;
    enum keys_encoding enc;
    bool raw;
    bool minimal;
    const char *format;
    char err[256];
};

static int fill_pub(FILE *f, void *p)
{
    struct pub_arg *a = p;
    return keys_emit_public(f, a->key, a->enc);
}

/* Loads -k KEY or reports why not. */
static int load_key(const char *path, struct keys_key **key)
{
    char err[256];
    if (!path) {
        return cli_error(CLI_USAGE, "missing option -k/--key");
    }
    if (keys_load_pem(key, path, err, sizeof(err)) != 0) {
        return cli_error(CLI_FAIL, "%s", err);
    }
    return CLI_OK;
}

static int bad_option(char **argv)
{
    return cli_error(CLI_USAGE, "%s: invalid option or missing value: %s", argv[0],
                     argv[optind - 1]);
}

int cmd_keygen(int argc, char **argv)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, 'k'},  {"type", required_argument, NULL, 't'},
        {"password", no_argument, NULL, 'p'},   {"export", required_argument, NULL, 'e'},
        {NULL, 0, NULL, 0},
    };
    const char *path = NULL, *type_name = NULL, *export_path = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "k:t:pe:", opts, NULL)) != -1) {
        switch (c) {
        case 'k':
            path = optarg;
            break;
        case 't':
            type_name = optarg;
            break;
        case 'e':
            export_path = optarg;
            break;
        case 'p':
            return cli_error(CLI_USAGE, "password-protected keys (-p) are not supported");
        default:
            return bad_option(argv);
        }
    }
    if (!path || !type_name) {
        return cli_error(CLI_USAGE, "keygen needs -k/--key FILE and -t/--type TYPE");
    }
    enum keys_type type;
    if (keys_type_parse(&type, type_name) != 0) {
        return cli_error(CLI_USAGE,
                         "invalid key type '%s' (rsa-2048, rsa-3072, ecdsa-p256, ecdsa-p384, "
                         "ed25519, x25519)",
                         type_name);
    }
    struct keys_key *key;
    int rc = keys_generate(&key, type);
    if (rc) {
        return cli_error(CLI_FAIL, "key generation failed: %s", dfu_strerror(rc));
    }
    char *pem;
    size_t pem_len;
    rc = keys_private_pem(key, &pem, &pem_len);
    if (rc == 0) {
        rc = hostfile_write_private(path, pem, pem_len);
        explicit_bzero(pem, pem_len);  /* the private key: do not leave it in freed memory */
        free(pem);
    }
    if (rc) {
        keys_free(key);
        return cli_error(CLI_FAIL, "%s: cannot write key: %s", path, dfu_strerror(rc));
    }
    if (export_path) {
        /* -e/--export: the public key as PEM beside the private one. */
        struct pub_arg a = {.key = key, .enc = KEYS_ENC_PEM};
        rc = cli_emit(export_path, fill_pub, &a);
    }
    keys_free(key);
    return rc ? cli_error(CLI_FAIL, "%s: cannot write public key: %s", export_path,
                          dfu_strerror(rc))
              : CLI_OK;
}

static int fill_pubhash(FILE *f, void *p)
{
    struct pub_arg *a = p;
    return keys_emit_public_hash(f, a->key, a->raw);
}

int cmd_getpub(int argc, char **argv)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, 'k'},    {"encoding", required_argument, NULL, 'e'},
        {"lang", required_argument, NULL, 'l'},   {"output", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    const char *path = NULL, *enc = NULL, *lang = NULL, *out = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "k:e:l:o:", opts, NULL)) != -1) {
        switch (c) {
        case 'k':
            path = optarg;
            break;
        case 'e':
            enc = optarg;
            break;
        case 'l':
            lang = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        default:
            return bad_option(argv);
        }
    }
    if (enc && lang) {
        return cli_error(CLI_USAGE, "Please use only one of `--encoding/-e` or `--lang/-l`");
    }
    struct pub_arg a = {.enc = KEYS_ENC_LANG_C};
    if (lang) {
        if (strcmp(lang, "c") == 0) {
            a.enc = KEYS_ENC_LANG_C;
        } else if (strcmp(lang, "rust") == 0) {
            a.enc = KEYS_ENC_LANG_RUST;
        } else {
            return cli_error(CLI_USAGE, "invalid --lang '%s' (c, rust)", lang);
        }
    } else if (enc) {
        static const struct {
            const char *name;
            enum keys_encoding enc;
        } encs[] = {{"lang-c", KEYS_ENC_LANG_C},
                    {"lang-rust", KEYS_ENC_LANG_RUST},
                    {"pem", KEYS_ENC_PEM},
                    {"raw", KEYS_ENC_RAW}};
        size_t i = 0;
        while (i < 4 && strcmp(enc, encs[i].name) != 0) {
            i++;
        }
        if (i == 4) {
            return cli_error(CLI_USAGE, "invalid --encoding '%s' (lang-c, lang-rust, pem, raw)",
                             enc);
        }
        a.enc = encs[i].enc;
    }
    struct keys_key *key;
    int rc = load_key(path, &key);
    if (rc) {
        return rc;
    }
    a.key = key;
    rc = cli_emit(out, fill_pub, &a);
    keys_free(key);
    return rc ? cli_error(CLI_FAIL, "cannot write the public key: %s", dfu_strerror(rc)) : CLI_OK;
}

int cmd_getpubhash(int argc, char **argv)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, 'k'},
        {"encoding", required_argument, NULL, 'e'},
        {"output", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    const char *path = NULL, *enc = NULL, *out = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "k:e:o:", opts, NULL)) != -1) {
        switch (c) {
        case 'k':
            path = optarg;
            break;
        case 'e':
            enc = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        default:
            return bad_option(argv);
        }
    }
    struct pub_arg a = {0};
    if (enc && strcmp(enc, "raw") == 0) {
        a.raw = true;
    } else if (enc && strcmp(enc, "lang-c") != 0) {
        return cli_error(CLI_USAGE, "invalid --encoding '%s' (lang-c, raw)", enc);
    }
    struct keys_key *key;
    int rc = load_key(path, &key);
    if (rc) {
        return rc;
    }
    a.key = key;
    rc = cli_emit(out, fill_pubhash, &a);
    keys_free(key);
    return rc ? cli_error(CLI_FAIL, "cannot write the key hash: %s", dfu_strerror(rc)) : CLI_OK;
}

static int fill_priv(FILE *f, void *p)
{
    struct pub_arg *a = p;
    return keys_emit_private(f, a->key, a->minimal, a->format, a->err, sizeof(a->err));
}

int cmd_getpriv(int argc, char **argv)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, 'k'},
        {"minimal", no_argument, NULL, 'm'},
        {"format", required_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    const char *path = NULL;
    struct pub_arg a = {0};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "k:f:", opts, NULL)) != -1) {
        switch (c) {
        case 'k':
            path = optarg;
            break;
        case 'm':
            a.minimal = true;
            break;
        case 'f':
            if (strcmp(optarg, "openssl") != 0 && strcmp(optarg, "pkcs8") != 0) {
                return cli_error(CLI_USAGE, "invalid --format '%s' (openssl, pkcs8)", optarg);
            }
            a.format = optarg;
            break;
        default:
            return bad_option(argv);
        }
    }
    struct keys_key *key;
    int rc = load_key(path, &key);
    if (rc) {
        return rc;
    }
    a.key = key;
    /* Render fully before printing, so a refusal prints nothing but the error. */
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    rc = mem ? fill_priv(mem, &a) : DFU_ENOMEM;
    if (mem) {
        fclose(mem);
    }
    keys_free(key);
    if (rc == 0) {
        fwrite(text, 1, len, stdout);
    }
    free(text);
    if (rc) {
        return cli_error(a.err[0] ? CLI_USAGE : CLI_FAIL, "%s",
                         a.err[0] ? a.err : dfu_strerror(rc));
    }
    return CLI_OK;
}
