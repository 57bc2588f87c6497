/* verify, dumpinfo, version. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dfukit/err.h"
#include "dfukit/imgbuild.h"

#define IMGTOOL_COMPAT_VERSION "2.4.0"

int cmd_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, 'k'},
        {NULL, 0, NULL, 0},
    };
    const char *key_path = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "k:", opts, NULL)) != -1) {
        if (c != 'k') {
            return cli_error(CLI_USAGE, "verify: invalid option or missing value: %s",
                             argv[optind - 1]);
        }
        key_path = optarg;
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
    int rc = imgbuild_verify_file(path, key, &info, err, sizeof(err));
    keys_free(key);
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
