/* sign (alias create): upstream imgtool's options, parsed into struct imgbuild_opts. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "dfukit/err.h"
#include "dfukit/hostfile.h"
#include "dfukit/imgbuild.h"
#include "dfukit/serial_frame.h"

#define MAX_DEPS 32
#define MAX_CUSTOM 32

enum {
    OPT_PAD_HEADER = 256, OPT_PAD, OPT_CONFIRM, OPT_ALIGN, OPT_MAX_ALIGN, OPT_OVERWRITE_ONLY,
    OPT_PUBKEY_FORMAT, OPT_CUSTOM_TLV, OPT_CUSTOM_TLV_FILE, OPT_PURE, OPT_BOOT_RECORD,
    OPT_NON_BOOTABLE, OPT_SHA, OPT_VECTOR, OPT_SIG_OUT, OPT_FIX_SIG, OPT_FIX_SIG_PUBKEY,
    OPT_PAD_SIG, OPT_SAVE_ENCTLV, OPT_ENCRYPT_KEYLEN, OPT_COMPRESSION, OPT_TEST,
};

static const struct option sign_opts[] = {
    {"key", required_argument, NULL, 'k'},
    {"version", required_argument, NULL, 'v'},
    {"header-size", required_argument, NULL, 'H'},
    {"pad-header", no_argument, NULL, OPT_PAD_HEADER},
    {"slot-size", required_argument, NULL, 'S'},
    {"pad", no_argument, NULL, OPT_PAD},
    {"confirm", no_argument, NULL, OPT_CONFIRM},
    {"test", no_argument, NULL, OPT_TEST},
    {"align", required_argument, NULL, OPT_ALIGN},
    {"max-align", required_argument, NULL, OPT_MAX_ALIGN},
    {"max-sectors", required_argument, NULL, 'M'},
    {"overwrite-only", no_argument, NULL, OPT_OVERWRITE_ONLY},
    {"security-counter", required_argument, NULL, 's'},
    {"dependencies", required_argument, NULL, 'd'},
    {"public-key-format", required_argument, NULL, OPT_PUBKEY_FORMAT},
    {"load-addr", required_argument, NULL, 'L'},
    {"rom-fixed", required_argument, NULL, 'F'},
    {"erased-val", required_argument, NULL, 'R'},
    {"hex-addr", required_argument, NULL, 'x'},
    {"custom-tlv", required_argument, NULL, OPT_CUSTOM_TLV},
    {"custom-tlv-file", required_argument, NULL, OPT_CUSTOM_TLV_FILE},
    {"pure", no_argument, NULL, OPT_PURE},
    {"boot-record", required_argument, NULL, OPT_BOOT_RECORD},
    {"non-bootable", no_argument, NULL, OPT_NON_BOOTABLE},
    {"sha", required_argument, NULL, OPT_SHA},
    {"vector-to-sign", required_argument, NULL, OPT_VECTOR},
    {"sig-out", required_argument, NULL, OPT_SIG_OUT},
    {"fix-sig", required_argument, NULL, OPT_FIX_SIG},
    {"fix-sig-pubkey", required_argument, NULL, OPT_FIX_SIG_PUBKEY},
    {"pad-sig", no_argument, NULL, OPT_PAD_SIG},
    {"endian", required_argument, NULL, 'e'},
    {"encrypt", required_argument, NULL, 'E'},
    {"encrypt-keylen", required_argument, NULL, OPT_ENCRYPT_KEYLEN},
    {"clear", no_argument, NULL, 'c'},
    {"save-enctlv", no_argument, NULL, OPT_SAVE_ENCTLV},
    {"compression", required_argument, NULL, OPT_COMPRESSION},
    {NULL, 0, NULL, 0},
};

/* Everything the command owns while it runs; released in one place. */
struct sign_ctx {
    struct imgbuild_opts o;
    struct image_dependency deps[MAX_DEPS];
    struct imgbuild_tlv custom[MAX_CUSTOM];
    uint8_t *custom_buf[MAX_CUSTOM];
    const char *key_path, *fix_sig_path, *fix_sig_pubkey_path, *sig_out, *enc_path;
    const char *in, *out;
    bool has_version, has_header, has_slot, has_hex_addr, want_test;
    uint32_t hex_addr;
    struct keys_key *key, *fix_pub;
    uint8_t *fix_sig;
    struct cli_enckey enc;
};

static void ctx_free(struct sign_ctx *c)
{
    for (size_t i = 0; i < MAX_CUSTOM; i++) {
        free(c->custom_buf[i]);
    }
    keys_free(c->key);
    keys_free(c->fix_pub);
    free(c->fix_sig);
    cli_enckey_free(&c->enc);
}

static int parse_int(const char *opt, const char *s, uint32_t *out)
{
    if (!cli_parse_u32(s, out)) {
        return cli_error(CLI_USAGE,
                         "%s: %s is not a valid integer. Please use code literals prefixed with "
                         "0b/0B, 0o/0O, or 0x/0X as necessary.",
                         opt, s);
    }
    return 0;
}

static int parse_version(const char *s, struct image_version *v)
{
    if (image_version_parse(v, s) != 0) {
        return cli_error(CLI_USAGE,
                         "Invalid version number '%s', should be maj.min.rev+build with later "
                         "parts optional",
                         s);
    }
    return 0;
}

/* "(id,maj.min.rev+build), (id, ...)": every "(digits" must come with ", version)". */
static int parse_deps(struct sign_ctx *c, const char *s)
{
    const char *p = s;
    size_t found = 0;
    while ((p = strchr(p, '(')) != NULL) {
        p++;
        if (*p < '0' || *p > '9') {
            continue;
        }
        uint32_t id = 0;
        while (*p >= '0' && *p <= '9') {
            id = id * 10 + (uint32_t)(*p++ - '0');
            if (id > 255) {
                return cli_error(CLI_USAGE, "dependency image id too large in: %s", s);
            }
        }
        const char *q = p;
        if (*q++ != ',') {
            return cli_error(CLI_USAGE,
                             "There's a mismatch between the number of dependency images and "
                             "versions in: %s",
                             s);
        }
        while (*q == ' ' || *q == '\t') {
            q++;
        }
        char ver[48];
        size_t n = 0;
        while (((*q >= '0' && *q <= '9') || *q == '.' || *q == '+') && n + 1 < sizeof(ver)) {
            ver[n++] = *q++;
        }
        ver[n] = 0;
        if (n == 0 || *q != ')') {
            return cli_error(CLI_USAGE,
                             "There's a mismatch between the number of dependency images and "
                             "versions in: %s",
                             s);
        }
        if (c->o.dep_count >= MAX_DEPS) {
            return cli_error(CLI_USAGE, "too many dependencies (at most %d)", MAX_DEPS);
        }
        struct image_dependency *d = &c->deps[c->o.dep_count];
        d->image_id = (uint8_t)id;
        int rc = parse_version(ver, &d->ver);
        if (rc) {
            return rc;
        }
        c->o.dep_count++;
        found++;
        p = q + 1;
    }
    if (found == 0) {
        return cli_error(CLI_USAGE, "Image dependency format is invalid: %s", s);
    }
    return 0;
}

/* Upstream's TLV_VALUES: tags a custom TLV may not take. */
static bool predefined_tlv(uint32_t tag)
{
    static const uint16_t known[] = {0x01, 0x02, 0x03, 0x10, 0x11, 0x12, 0x20, 0x22, 0x23,
                                     0x24, 0x25, 0x30, 0x31, 0x32, 0x33, 0x40, 0x50, 0x60,
                                     0x70, 0x71, 0x72, 0x73};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (known[i] == tag) {
            return true;
        }
    }
    return false;
}

/* --custom-tlv TAG VALUE / --custom-tlv-file TAG FILE: the second word follows the option. */
static int parse_custom(struct sign_ctx *c, int argc, char **argv, const char *tag_s,
                        bool from_file)
{
    const char *opt = from_file ? "--custom-tlv-file" : "--custom-tlv";
    if (optind >= argc) {
        return cli_error(CLI_USAGE, "%s needs two values: TAG %s", opt,
                         from_file ? "FILE" : "VALUE");
    }
    const char *val = argv[optind++];
    uint32_t tag;
    int rc = parse_int(opt, tag_s, &tag);
    if (rc) {
        return rc;
    }
    for (size_t i = 0; i < c->o.custom_count; i++) {
        if (c->custom[i].tag == tag) {
            return cli_error(CLI_USAGE, "Custom TLV 0x%x already exists.", tag);
        }
    }
    if (predefined_tlv(tag)) {
        return cli_error(CLI_USAGE, "Custom TLV 0x%x conflicts with predefined TLV.", tag);
    }
    if (tag < 0xa0 || tag > 0xfffe) {
        return cli_error(CLI_USAGE,
                         "Invalid custom TLV type value '0x%04x', allowed value should be "
                         "between 0x00a0 and 0xfffe",
                         tag);
    }
    if (c->o.custom_count >= MAX_CUSTOM) {
        return cli_error(CLI_USAGE, "too many custom TLVs (at most %d)", MAX_CUSTOM);
    }
    size_t i = c->o.custom_count;
    uint8_t *buf = NULL;
    size_t len = 0;
    if (from_file) {
        char err[IMGBUILD_ERR_LEN];
        uint32_t base;
        bool has_base;
        rc = imgbuild_read_file(val, false, &buf, &len, &base, &has_base, err, sizeof(err));
        if (rc) {
            return cli_error(CLI_FAIL, "%s", err);
        }
    } else if (strncmp(val, "0x", 2) == 0) {
        size_t hex = strlen(val + 2);
        if (hex % 2) {
            return cli_error(CLI_USAGE, "Custom TLV length is odd.");
        }
        buf = malloc(hex / 2 + 1);
        if (!buf) {
            return cli_error(CLI_FAIL, "out of memory");
        }
        for (size_t j = 0; j < hex / 2; j++) {
            char two[3] = {val[2 + 2 * j], val[3 + 2 * j], 0};
            char *end;
            unsigned long b = strtoul(two, &end, 16);
            if (*end || two[0] == '+' || two[0] == '-' || two[0] == ' ') {
                free(buf);
                return cli_error(CLI_USAGE, "Custom TLV value is not valid hex: %s", val);
            }
            buf[j] = (uint8_t)b;
        }
        len = hex / 2;
    } else {
        len = strlen(val);
        buf = malloc(len + 1);
        if (!buf) {
            return cli_error(CLI_FAIL, "out of memory");
        }
        memcpy(buf, val, len);
    }
    if (len > 0xffff - 8) {
        free(buf);
        return cli_error(CLI_USAGE, "custom TLV 0x%x is too long (%zu bytes)", tag, len);
    }
    c->custom_buf[i] = buf;
    c->custom[i] = (struct imgbuild_tlv){(uint16_t)tag, buf, len};
    c->o.custom_count++;
    return 0;
}

static int parse_args(struct sign_ctx *c, int argc, char **argv)
{
    struct imgbuild_opts *o = &c->o;
    o->erased_val = 0xff;
    o->deps = c->deps;
    o->custom = c->custom;
    int ch, rc = 0;
    opterr = 0;
    while (rc == 0 && (ch = getopt_long(argc, argv, "k:v:H:S:M:s:d:L:F:R:x:e:E:c", sign_opts,
                                        NULL)) != -1) {
        uint32_t v;
        switch (ch) {
        case 'k':
            c->key_path = optarg;
            break;
        case 'v':
            rc = parse_version(optarg, &o->version);
            c->has_version = true;
            break;
        case 'H':
            rc = parse_int("-H/--header-size", optarg, &o->header_size);
            if (rc == 0 && (o->header_size < IMAGE_HEADER_SIZE || o->header_size > 0xffff)) {
                rc = cli_error(CLI_USAGE, "Minimum value for -H/--header-size is 32");
            }
            c->has_header = true;
            break;
        case OPT_PAD_HEADER:
            o->pad_header = true;
            break;
        case 'S':
            rc = parse_int("-S/--slot-size", optarg, &o->slot_size);
            c->has_slot = true;
            break;
        case OPT_PAD:
            o->pad = true;
            break;
        case OPT_CONFIRM:
            o->confirm = true;
            o->pad = true;  /* a confirmed image needs its trailer */
            break;
        case OPT_TEST:
            /* The counterpart of --confirm: trailer magic with image_ok unset, so the image
             * placed in the secondary slot is taken for a test swap (and reverts unless the
             * new application confirms itself). */
            c->want_test = true;
            o->pad = true;
            break;
        case OPT_ALIGN:
            if (!cli_parse_u32(optarg, &v) || v == 0 || v > 32 || (v & (v - 1))) {
                rc = cli_error(CLI_USAGE, "invalid --align '%s' (1, 2, 4, 8, 16, 32)", optarg);
            }
            o->align = v;
            break;
        case OPT_MAX_ALIGN:
            if (!cli_parse_u32(optarg, &v) || (v != 8 && v != 16 && v != 32)) {
                rc = cli_error(CLI_USAGE, "invalid --max-align '%s' (8, 16, 32)", optarg);
            }
            o->max_align = v;
            break;
        case 'M':
            rc = parse_int("-M/--max-sectors", optarg, &o->max_sectors);
            break;
        case OPT_OVERWRITE_ONLY:
            o->overwrite_only = true;
            break;
        case 's':
            if (strcasecmp(optarg, "auto") == 0) {
                o->sec_cnt_auto = true;
            } else {
                rc = parse_int("-s/--security-counter", optarg, &o->sec_cnt);
                o->has_sec_cnt = true;
            }
            break;
        case 'd':
            rc = parse_deps(c, optarg);
            break;
        case OPT_PUBKEY_FORMAT:
            if (strcmp(optarg, "full") == 0) {
                o->public_key_full = true;
            } else if (strcmp(optarg, "hash") != 0) {
                rc = cli_error(CLI_USAGE, "invalid --public-key-format '%s' (hash, full)", optarg);
            }
            break;
        case 'L':
            rc = parse_int("-L/--load-addr", optarg, &o->load_addr);
            break;
        case 'F':
            rc = parse_int("-F/--rom-fixed", optarg, &o->rom_fixed);
            o->has_rom_fixed = true;
            break;
        case 'R':
            if (strcmp(optarg, "0") == 0 || strcmp(optarg, "0xff") == 0) {
                o->erased_val = optarg[1] ? 0xff : 0x00;
            } else {
                rc = cli_error(CLI_USAGE, "invalid -R/--erased-val '%s' (0, 0xff)", optarg);
            }
            break;
        case 'x':
            rc = parse_int("-x/--hex-addr", optarg, &c->hex_addr);
            c->has_hex_addr = true;
            break;
        case OPT_CUSTOM_TLV:
        case OPT_CUSTOM_TLV_FILE:
            rc = parse_custom(c, argc, argv, optarg, ch == OPT_CUSTOM_TLV_FILE);
            break;
        case OPT_PURE:
            o->pure = true;
            break;
        case OPT_BOOT_RECORD:
            o->boot_record = optarg;
            break;
        case OPT_NON_BOOTABLE:
            o->non_bootable = true;
            break;
        case OPT_SHA:
            if (strcmp(optarg, "auto") == 0) {
                o->sha = 0;
            } else if (strcmp(optarg, "256") == 0 || strcmp(optarg, "384") == 0 ||
                       strcmp(optarg, "512") == 0) {
                o->sha = (unsigned)atoi(optarg);
            } else {
                rc = cli_error(CLI_USAGE, "invalid --sha '%s' (auto, 256, 384, 512)", optarg);
            }
            break;
        case OPT_VECTOR:
            if (strcmp(optarg, "payload") == 0) {
                o->vector = IMGBUILD_VECTOR_PAYLOAD;
            } else if (strcmp(optarg, "digest") == 0) {
                o->vector = IMGBUILD_VECTOR_DIGEST;
            } else {
                rc = cli_error(CLI_USAGE, "invalid --vector-to-sign '%s' (payload, digest)",
                               optarg);
            }
            break;
        case OPT_SIG_OUT:
            c->sig_out = optarg;
            break;
        case OPT_FIX_SIG:
            c->fix_sig_path = optarg;
            break;
        case OPT_FIX_SIG_PUBKEY:
            c->fix_sig_pubkey_path = optarg;
            break;
        case OPT_PAD_SIG:
            o->pad_sig = true;
            break;
        case 'e':
            if (strcmp(optarg, "little") != 0) {
                rc = cli_error(CLI_USAGE, "only little-endian images are supported (-e %s)",
                               optarg);
            }
            break;
        case 'E':
            c->enc_path = optarg;
            break;
        case 'c':
            o->enc_clear = true;
            break;
        case OPT_ENCRYPT_KEYLEN:
            if (strcmp(optarg, "128") != 0 && strcmp(optarg, "256") != 0) {
                rc = cli_error(CLI_USAGE, "invalid --encrypt-keylen '%s' (128, 256)", optarg);
            }
            o->enc_keylen = (unsigned)atoi(optarg);
            break;
        case OPT_SAVE_ENCTLV:
            o->save_enctlv = true;
            break;
        case OPT_COMPRESSION:
            if (strcmp(optarg, "disabled") != 0) {
                rc = cli_error(CLI_USAGE, "image compression is not supported");
            }
            break;
        default:
            rc = cli_error(CLI_USAGE, "sign: invalid option or missing value: %s",
                           argv[optind - 1]);
            break;
        }
    }
    if (rc) {
        return rc;
    }
    if (!c->has_version || !c->has_header || !c->has_slot) {
        return cli_error(CLI_USAGE,
                         "sign needs -v/--version, -H/--header-size and -S/--slot-size");
    }
    if (c->want_test && c->o.confirm) {
        return cli_error(CLI_USAGE, "sign: --test and --confirm contradict each other");
    }
    if (argc - optind != 2) {
        return cli_error(CLI_USAGE, "sign needs INFILE and OUTFILE");
    }
    c->in = argv[optind];
    c->out = argv[optind + 1];
    return 0;
}

static int load_keys(struct sign_ctx *c)
{
    char err[256];
    if (c->key_path && keys_load_pem(&c->key, c->key_path, err, sizeof(err)) != 0) {
        return cli_error(CLI_FAIL, "%s", err);
    }
    if (c->key_path && (c->fix_sig_path || c->fix_sig_pubkey_path)) {
        return cli_error(CLI_USAGE, "Cannot use --key with --fix-sig or --fix-sig-pubkey");
    }
    if (c->fix_sig_path || (c->o.vector != IMGBUILD_VECTOR_NONE && c->fix_sig_pubkey_path)) {
        if (!c->fix_sig_pubkey_path) {
            return cli_error(CLI_USAGE, "public key of the fixed signature is not specified");
        }
        if (keys_load_pem(&c->fix_pub, c->fix_sig_pubkey_path, err, sizeof(err)) != 0) {
            return cli_error(CLI_FAIL, "%s", err);
        }
        c->o.fix_sig_pubkey = c->fix_pub;
    }
    if (c->fix_sig_path) {
        uint8_t *raw;
        size_t len;
        uint32_t base;
        bool has_base;
        if (imgbuild_read_file(c->fix_sig_path, false, &raw, &len, &base, &has_base, err,
                               sizeof(err)) != 0) {
            return cli_error(CLI_FAIL, "%s", err);
        }
        int rc = cli_base64_decode((const char *)raw, len, &c->fix_sig, &c->o.fix_sig_len);
        free(raw);
        if (rc || c->o.fix_sig_len == 0) {
            return cli_error(CLI_FAIL, "%s: not a base64 signature", c->fix_sig_path);
        }
        c->o.fix_sig = c->fix_sig;
    }
    c->o.key = c->key;
    if (c->enc_path) {
        int rc = cli_enckey_load(&c->enc, c->enc_path);
        if (rc) {
            return rc;
        }
        c->o.enc_key = c->enc.key;
        c->o.enc_kek = c->enc.kek_len ? c->enc.kek : NULL;
        c->o.enc_kek_len = c->enc.kek_len;
    }
    return 0;
}

/* --sig-out: the signature as one base64 string, as upstream writes it. */
static int write_sig(const struct imgbuild *b, const char *path)
{
    char text[(KEYS_SIG_MAX + 2) / 3 * 4 + 1];
    size_t n = base64_encode(text, b->sig, b->sig_len);
    return hostfile_write_atomic(path, text, n);
}

int cmd_sign(int argc, char **argv)
{
    struct sign_ctx c = {0};
    struct imgbuild b;
    imgbuild_init(&b);
    int rc = parse_args(&c, argc, argv);
    if (rc == 0) {
        rc = load_keys(&c);
    }
    if (rc == 0 && c.sig_out && !c.key && !c.fix_sig) {
        rc = cli_error(CLI_USAGE, "--sig-out needs a signature: give -k/--key or --fix-sig");
    }
    if (rc == 0 && (imgbuild_load(&b, c.in, &c.o) != 0 || imgbuild_create(&b, &c.o) != 0 ||
                    imgbuild_save(&b, c.out, &c.o, c.has_hex_addr, c.hex_addr) != 0)) {
        rc = cli_error(CLI_FAIL, "%s", b.err);
    }
    if (rc == 0 && c.sig_out && write_sig(&b, c.sig_out) != 0) {
        rc = cli_error(CLI_FAIL, "%s: cannot write the signature", c.sig_out);
    }
    imgbuild_free(&b);
    ctx_free(&c);
    return rc;
}
