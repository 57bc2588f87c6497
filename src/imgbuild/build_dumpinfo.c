/* `imgtool dumpinfo`: upstream's human-readable report (scripts/imgtool/dumpinfo.py), byte for
 * byte. The image is parsed and bounds-checked completely before anything is printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/boot.h"
#include "dfukit/bytes.h"
#include "dfukit/err.h"
#include "dfukit/imgbuild.h"

#define LINE_LENGTH 60


/* Upstream's TLV_VALUES names (image.py), used for "type: NAME (0x..)". */
static const char *tlv_name(uint16_t type)
{
    static const struct {
        uint16_t type;
        const char *name;
    } names[] = {
        {0x01, "KEYHASH"},   {0x02, "PUBKEY"},     {0x03, "KEYID"},
        {0x10, "SHA256"},    {0x11, "SHA384"},     {0x12, "SHA512"},
        {0x20, "RSA2048"},   {0x22, "ECDSASIG"},   {0x23, "RSA3072"},
        {0x24, "ED25519"},   {0x25, "SIG_PURE"},   {0x30, "ENCRSA2048"},
        {0x31, "ENCKW"},     {0x32, "ENCEC256"},   {0x33, "ENCX25519"},
        {0x40, "DEPENDENCY"}, {0x50, "SEC_CNT"},   {0x60, "BOOT_RECORD"},
        {0x70, "DECOMP_SIZE"}, {0x71, "DECOMP_SHA"}, {0x72, "DECOMP_SIGNATURE"},
        {0x73, "COMP_DEC_SIZE"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (names[i].type == type) {
            return names[i].name;
        }
    }
    return "UNKNOWN";
}

/* Header flags in upstream's IMAGE_F order. */
static const struct {
    const char *name;
    uint32_t bit;
} FLAGS[] = {
    {"PIC", 0x1},         {"ENCRYPTED_AES128", 0x4}, {"ENCRYPTED_AES256", 0x8},
    {"NON_BOOTABLE", 0x10}, {"RAM_LOAD", 0x20},      {"ROM_FIXED", 0x100},
    {"COMPRESSED_LZMA1", 0x200}, {"COMPRESSED_LZMA2", 0x400},
    {"COMPRESSED_ARM_THUMB", 0x800},
};

/* "#### text ####...#" padded to the line length. */
static void row(FILE *out, const char *text)
{
    int n = fprintf(out, "#### %s ", text);
    for (int i = n; i < LINE_LENGTH; i++) {
        fputc('#', out);
    }
    fputc('\n', out);
}

static void rule(FILE *out)
{
    for (int i = 0; i < LINE_LENGTH; i++) {
        fputc('#', out);
    }
    fputc('\n', out);
}

static void frame(FILE *out, const char *header, const char *content)
{
    row(out, header);
    fprintf(out, "|%*s|\n", LINE_LENGTH - 2, "");
    int clen = (int)strlen(content);
    int offset = (LINE_LENGTH - clen) / 2;
    int pre = offset;  /* "|" + (offset - 1) spaces */
    int post = LINE_LENGTH - pre - clen - 1;
    fprintf(out, "|%*s%s%*s|\n", offset - 1, "", content, post, "");
    fprintf(out, "|%*s|\n", LINE_LENGTH - 2, "");
    rule(out);
}

struct tlv_area {
    size_t info_off;   /* offset of the info */
    uint16_t magic, tot;
    size_t end;        /* info_off + tot */
};

/* Checks that every TLV of an area lies inside the file (upstream walks while off < end). */
static int check_area(const uint8_t *img, size_t len, const struct tlv_area *a, char *err,
                      size_t err_len)
{
    size_t off = a->info_off + IMAGE_TLV_INFO_SIZE;
    while (off < a->end) {
        if (off + 4 > len) {
            snprintf(err, err_len, "truncated image: TLV header at 0x%zx past the end of the file",
                     off);
            return DFU_EBADMSG;
        }
        size_t tlen = load16_le(img + off + 2);
        if (off + 4 + tlen > len) {
            snprintf(err, err_len,
                     "truncated image: TLV 0x%x at 0x%zx has length 0x%zx past the end of the file",
                     load16_le(img + off), off, tlen);
            return DFU_EBADMSG;
        }
        off += 4 + tlen;
    }
    return 0;
}

/* Reads the info of the TLV area ("what": its name in the message) at off and checks it. */
static int read_area(const uint8_t *img, size_t len, size_t off, const char *what,
                     struct tlv_area *a, char *err, size_t err_len)
{
    if (off + IMAGE_TLV_INFO_SIZE > len) {
        snprintf(err, err_len, "truncated image: %s at 0x%zx is past the end of the file", what,
                 off);
        return DFU_EBADMSG;
    }
    a->info_off = off;
    a->magic = load16_le(img + off);
    a->tot = load16_le(img + off + 2);
    a->end = off + a->tot;
    return check_area(img, len, a, err, err_len);
}

static void print_tlvs(FILE *out, const uint8_t *img, const struct tlv_area *a)
{
    size_t off = a->info_off + IMAGE_TLV_INFO_SIZE;
    const int indent = LINE_LENGTH / 8;
    while (off < a->end) {
        uint16_t type = load16_le(img + off), tlen = load16_le(img + off + 2);
        const uint8_t *data = img + off + 4;
        fprintf(out, "%*s -", indent, "");
        for (int i = 1; i < 45; i++) {
            fputc('-', out);
        }
        fputc('\n', out);
        fprintf(out, "%*s type: %s (0x%x)\n", indent, "", tlv_name(type), type);
        fprintf(out, "%*s len:  0x%x\n", indent, "", tlen);
        fprintf(out, "%*s data: ", indent, "");
        for (size_t j = 0; j < tlen; j++) {
            fprintf(out, "0x%02x ", data[j]);
            if ((j + 1) % 8 == 0 && j + 1 != tlen) {
                fprintf(out, "\n%*s", indent + 7, "");
            }
        }
        fputc('\n', out);
        off += 4 + tlen;
    }
}

static void print_status(FILE *out, const char *label, uint8_t v)
{
    static const char *const names[] = {NULL, "SET", "BAD", "UNSET", "ANY"};
    if (v >= 1 && v <= 4) {
        fprintf(out, "%s %s (0x%x)\n", label, names[v], v);
    } else {
        fprintf(out, "%s INVALID (0x%x)\n", label, v);
    }
}

int imgbuild_dumpinfo(FILE *out, const char *name, const uint8_t *img, size_t len, char *err,
                      size_t err_len)
{
    if (len < 28) {
        snprintf(err, err_len, "truncated image: %zu bytes, shorter than the image header", len);
        return DFU_EBADMSG;
    }
    uint32_t magic = load32_le(img), load_addr = load32_le(img + 4);
    uint16_t hdr_size = load16_le(img + 8), prot_size = load16_le(img + 10);
    uint32_t img_size = load32_le(img + 12), flags = load32_le(img + 16);
    struct image_version v = {img[20], img[21], load16_le(img + 22), load32_le(img + 24)};

    /* Both TLV areas, as upstream finds them (protected one only when the header says so). */
    size_t off = (size_t)hdr_size + img_size;
    struct tlv_area prot = {0}, unprot = {0};
    if (prot_size != 0) {
        int rc = read_area(img, len, off, "protected TLV area", &prot, err, err_len);
        if (rc) {
            return rc;
        }
        /* Upstream continues after the last TLV it walked. */
        size_t p = off + IMAGE_TLV_INFO_SIZE;
        while (p < prot.end) {
            p += 4 + load16_le(img + p + 2);
        }
        off = p;
    }
    int rc = read_area(img, len, off, "TLV area", &unprot, err, err_len);
    if (rc) {
        return rc;
    }

    /* Trailer: anything after the TLV area, read backwards from the end of the file. */
    bool has_trailer = len > unprot.end;
    bool trailer_ok = false, encrypted = false;
    uint32_t max_align = 0, swap_size = 0;
    uint8_t image_ok = 0, copy_done = 0, swap_info = 0;
    const uint8_t *tmagic = NULL;
    if (has_trailer) {
        if (len < 16) {
            snprintf(err, err_len, "truncated image: no room for a trailer magic");
            return DFU_EBADMSG;
        }
        tmagic = img + len - 16;
        /* the max-align 8 magic, or u16 max_align + the tail every other max-align shares */
        uint8_t magic8[BOOT_MAGIC_SIZE], magic16[BOOT_MAGIC_SIZE];
        boot_magic_bytes(8, magic8);
        boot_magic_bytes(16, magic16);
        if (memcmp(tmagic, magic8, BOOT_MAGIC_SIZE) == 0) {
            max_align = 8;
        } else if (memcmp(tmagic + 2, magic16 + 2, BOOT_MAGIC_SIZE - 2) == 0) {
            max_align = load16_le(tmagic);
        }
        if (max_align) {
            size_t back = 16 + (max_align > 16 ? max_align - 16 : 0) + 4 * (size_t)max_align;
            if (back > len) {
                snprintf(err, err_len, "truncated image: trailer larger than the file");
                return DFU_EBADMSG;
            }
            size_t t = len - 16 - (max_align > 16 ? max_align - 16 : 0);
            t -= max_align;
            image_ok = img[t];
            t -= max_align;
            copy_done = img[t];
            t -= max_align;
            swap_info = img[t];
            t -= max_align;
            swap_size = load32_le(img + t);
            encrypted = (flags & (IMAGE_F_ENCRYPTED_AES128 | IMAGE_F_ENCRYPTED_AES256)) != 0;
            trailer_ok = true;
        } else {
            fprintf(out, "Warning: the trailer magic value is invalid!\n");
        }
    }

    fprintf(out, "Printing content of signed image: %s \n\n", name);
    row(out, "Image header (offset: 0x0)");
    fprintf(out, "magic:              0x%x\n", magic);
    fprintf(out, "load_addr:          0x%x\n", load_addr);
    fprintf(out, "hdr_size:           0x%x\n", hdr_size);
    fprintf(out, "protected_tlv_size: 0x%x\n", prot_size);
    fprintf(out, "img_size:           0x%x\n", img_size);
    fputs("flags:              ", out);
    if (flags == 0) {
        fputs("0x0", out);
    } else {
        bool first = true;
        for (size_t i = 0; i < sizeof(FLAGS) / sizeof(FLAGS[0]); i++) {
            if (flags & FLAGS[i].bit) {
                fprintf(out, "%s%s (0x%x)", first ? "" : "\n                    ", FLAGS[i].name,
                        FLAGS[i].bit);
                first = false;
            }
        }
    }
    fputc('\n', out);
    char ver[48];
    image_version_format_plus(ver, sizeof(ver), &v);
    fprintf(out, "version:            %s\n", ver);
    rule(out);

    char text[96], content[96];
    snprintf(text, sizeof(text), "Payload (offset: 0x%x)", hdr_size);
    snprintf(content, sizeof(content), "FW image (size: 0x%x Bytes)", img_size);
    frame(out, text, content);

    size_t sect = (size_t)hdr_size + img_size;
    if (prot_size != 0) {
        snprintf(text, sizeof(text), "Protected TLV area (offset: 0x%zx)", sect);
        row(out, text);
        fprintf(out, "magic:     0x%x\n", prot.magic);
        fprintf(out, "area size: 0x%x\n", prot.tot);
        print_tlvs(out, img, &prot);
        rule(out);
    }
    sect += prot_size;
    snprintf(text, sizeof(text), "TLV area (offset: 0x%zx)", sect);
    row(out, text);
    fprintf(out, "magic:     0x%x\n", unprot.magic);
    fprintf(out, "area size: 0x%x\n", unprot.tot);
    print_tlvs(out, img, &unprot);
    rule(out);

    if (has_trailer) {
        row(out, "Image trailer (offset: unknown)");
        fputs("(Note: some fields may not be used, depending on the update \nstrategy)\n\n", out);
        fputs("swap status: (len: unknown)\n", out);
        if (encrypted) {
            uint32_t key_field = ((16 + max_align - 1) / max_align * max_align) * 2;
            fprintf(out, "enc. keys:   (len: 0x%x, if BOOT_SWAP_SAVE_ENCTLV is unset)\n",
                    key_field);
        } else {
            fputs("enc. keys:   Image not encrypted\n", out);
        }
        if (trailer_ok) {
            if (swap_size == 0xffffffffu) {
                fputs("swap size:   unknown\n", out);
            } else {
                fprintf(out, "swap size:   0x%x octal: %u\n", swap_size, swap_size);
            }
            print_status(out, "swap_info:  ", swap_info);
            print_status(out, "copy_done:  ", copy_done);
            print_status(out, "image_ok:   ", image_ok);
        }
        fputs("boot magic:  ", out);
        for (int i = 0; i < 16; i++) {
            fprintf(out, "0x%02x ", tmagic[i]);
            if (i == 7) {
                fputs("\n             ", out);
            }
        }
        fputs("\n\n", out);
    }
    row(out, "End of Image ");
    return ferror(out) ? DFU_EIO : 0;
}
