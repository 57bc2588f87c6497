/* verify, dumpinfo, version. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dfukit/enc.h"
#include "dfukit/err.h"
#include "dfukit/imgbuild.h"

#define IMGTOOL_COMPAT_VERSION "2.4.0"

/* --enckey: the whole image in memory, its AES key unwrapped with the device key, a decrypted
 * copy checked. */
static int verify_decrypting(const char *path, const struct keys_key *key, const char *enc_path,
                             struct image_info *info, char *err, size_t err_len)
{
    struct cli_enckey e = {0};
    int rc = cli_enckey_load(&e, enc_path);
    if (rc) {
        return rc;  /* an exit code: already reported */
    }
    uint8_t *der = NULL;
    struct enc_exchange_key xk = {ENC_SCHEME_KW, e.kek, e.kek_len};
    if (e.key) {
        xk.scheme = (enum enc_scheme)keys_enc_tlv(keys_get_type(e.key));
        if (xk.scheme == 0 || !keys_is_private(e.key) ||
            keys_private_der(e.key, &der, &xk.len) != 0) {
            cli_enckey_free(&e);
            return cli_error(CLI_FAIL,
                             "%s: --enckey needs the device's private ecdsa-p256, x25519 or "
                             "rsa-2048 key, or its raw AES key",
                             enc_path);
        }
        xk.der = der;
    }
    uint8_t *img;
    size_t len;
    uint32_t base;
    bool has_base;
    rc = imgbuild_read_file(path, imgbuild_is_hex_name(path), &img, &len, &base, &has_base, err,
                            err_len);
    if (rc == 0) {
        rc = imgbuild_verify_enc(img, len, key, &xk, info, err, err_len);
        free(img);
    }
    if (der) {
        memset(der, 0, xk.len);
        free(der);
    }
    cli_enckey_free(&e);
    return rc;
}

int cmd_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, 'k'},
        {"enckey", required_argument, NULL, 'K'},
        {NULL, 0, NULL, 0},
    };
    const char *key_path = NULL, *enc_path = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "k:", opts, NULL)) != -1) {
        if (c == 'k') {
            key_path = optarg;
        } else if (c == 'K') {
            enc_path = optarg;
        } else {
            return cli_error(CLI_USAGE, "verify: invalid option or missing value: %s",
                             argv[optind - 1]);
        }
    }
    if (argc - optind != 1) {
        return cli_error(CLI_USAGE, "verify needs exactly one IMGFILE");
    }
    const char *path = argv[optind];
    char err[IMGBUILD_ERR_LEN];
    struct keys_key *key = NULL;
    if (key_path && keys_load_pem(&key, key_path, err, sizeof(err)) != 0) {
        return cli_error(CLI_FAIL, "%s", err);
    }
    struct image_info info;
    int rc = enc_path ? verify_decrypting(path, key, enc_path, &info, err, sizeof(err))
                      : imgbuild_verify_file(path, key, &info, err, sizeof(err));
    keys_free(key);
    if (rc > 0) {
        return rc;  /* the key file's error, already printed */
    }
    if (rc) {
        return cli_error(CLI_FAIL, "%s: %s", path, err);
    }
    char ver[48];
    image_version_format_plus(ver, sizeof(ver), &info.hdr.ver);
    printf("Image was correctly validated\nImage version: %s\nImage digest: ", ver);
    for (size_t i = 0; i < info.hash_len; i++) {
        printf("%02x", info.hash[i]);
    }
    printf("\n");
    return CLI_OK;
}

int cmd_dumpinfo(int argc, char **argv)
{
    static const struct option opts[] = {
        {"outfile", required_argument, NULL, 'o'},
        {"silent", no_argument, NULL, 's'},
        {"format", required_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:sf:", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            break;  /* upstream ignores it too */
        case 'o':
            return cli_error(CLI_USAGE, "dumpinfo -o/--outfile (YAML) is not supported");
        case 'f':
            if (strcmp(optarg, "human") != 0) {
                return cli_error(CLI_USAGE, "dumpinfo supports only --format human");
            }
            break;
        default:
            return cli_error(CLI_USAGE, "dumpinfo: invalid option or missing value: %s",
                             argv[optind - 1]);
        }
    }
    if (argc - optind != 1) {
        return cli_error(CLI_USAGE, "dumpinfo needs exactly one IMGFILE");
    }
    const char *path = argv[optind];
    char err[IMGBUILD_ERR_LEN];
    uint8_t *img;
    size_t len;
    uint32_t base;
    bool has_base;
    int rc = imgbuild_read_file(path, imgbuild_is_hex_name(path), &img, &len, &base, &has_base,
                                err, sizeof(err));
    if (rc) {
        return cli_error(CLI_FAIL, "%s", err);
    }
    const char *slash = strrchr(path, '/');
    /* Render fully first: a malformed image prints only the error. */
    char *text = NULL;
    size_t tlen = 0;
    FILE *mem = open_memstream(&text, &tlen);
    rc = mem ? imgbuild_dumpinfo(mem, slash ? slash + 1 : path, img, len, err, sizeof(err))
             : DFU_ENOMEM;
    if (mem) {
        fclose(mem);
    }
    free(img);
    if (rc == 0) {
        fwrite(text, 1, tlen, stdout);
    }
    free(text);
    return rc ? cli_error(CLI_FAIL, "%s: %s", path, err) : CLI_OK;
}

int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("%s\n", IMGTOOL_COMPAT_VERSION);
    return CLI_OK;
}
