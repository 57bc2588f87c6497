/* imgtool's file side: read raw or Intel HEX inputs, write outputs atomically (temporary file
 * in the same folder, then rename), pad to the slot with the trailer. Host only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dfukit/boot.h"
#include "dfukit/err.h"
#include "dfukit/hostfile.h"
#include "dfukit/imgbuild.h"

/* Inputs larger than this are refused (no MCUboot slot comes near it). */
#define IMGBUILD_MAX_FILE (512u * 1024u * 1024u)
/* Room kept after the payload for the TLV areas, so they are appended without a copy. */
#define IMGBUILD_TLV_ROOM (8u * 1024u)

bool imgbuild_is_hex_name(const char *path)
{
    /* Upstream: os.path.splitext(path)[1][1:].lower() == "hex". */
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    while (*name == '.') {
        name++;  /* a leading dot is not an extension */
    }
    const char *dot = strrchr(name, '.');
    return dot && strcasecmp(dot + 1, "hex") == 0;
}

/* Large buffers are filled once and then hashed: huge pages make the kernel's fill cheaper
 * (far fewer page faults), which is most of the cost of reading a big image. */
static void *alloc_big(size_t len)
{
    const size_t huge = 2u * 1024u * 1024u;
    if (len < 4 * huge) {
        return malloc(len);
    }
    void *p = NULL;
    if (posix_memalign(&p, huge, len) != 0) {
        return NULL;
    }
    madvise(p, len, MADV_HUGEPAGE);  /* a hint: failure only costs speed */
    return p;
}

/* Reads a whole file into a buffer with `front` spare bytes before the data and `back`
 * after it (room for the header padding and the TLVs, so signing copies nothing). Regular
 * files are sized with fstat; pipes and devices grow the buffer. */
static int read_all(const char *path, size_t front, size_t back, uint8_t **out, size_t *len,
                    size_t *cap_out, char *err, size_t err_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
        return DFU_ENOENT;
    }
    struct stat st;
    size_t cap = 1 << 16;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
        if ((uint64_t)st.st_size > IMGBUILD_MAX_FILE) {
            fclose(f);
            snprintf(err, err_len, "%s: file too large", path);
            return DFU_EINVAL;
        }
        cap = (size_t)st.st_size + 1;  /* +1: a read at the end proves the size held */
    }
    size_t n = 0;
    uint8_t *buf = alloc_big(front + cap + back);
    int rc = buf ? 0 : DFU_ENOMEM;
    while (rc == 0) {
        n += fread(buf + front + n, 1, cap - n, f);
        if (n < cap) {
            break;
        }
        if (cap >= IMGBUILD_MAX_FILE) {
            snprintf(err, err_len, "%s: file too large", path);
            rc = DFU_EINVAL;
            break;
        }
        uint8_t *nb = realloc(buf, front + cap * 2 + back);
        if (!nb) {
            rc = DFU_ENOMEM;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, err_len, "%s: read error", path);
        rc = DFU_EIO;
    }
    fclose(f);
    if (rc) {
        free(buf);
        if (rc == DFU_ENOMEM) {
            snprintf(err, err_len, "%s: out of memory", path);
        }
        return rc;
    }
    *out = buf;
    *len = n;
    if (cap_out) {
        *cap_out = front + cap + back;
    }
    return 0;
}

int imgbuild_read_file(const char *path, bool decode_hex, uint8_t **out, size_t *len,
                       uint32_t *base, bool *has_base, char *err, size_t err_len)
{
    uint8_t *raw;
    size_t n;
    int rc = read_all(path, 0, 0, &raw, &n, NULL, err, err_len);
    if (rc) {
        return rc;
    }
    *has_base = false;
    if (!decode_hex) {
        *out = raw;
        *len = n;
        return 0;
    }
    char msg[IMGBUILD_ERR_LEN];
    rc = ihex_parse((const char *)raw, n, out, len, base, msg, sizeof(msg));
    free(raw);
    if (rc) {
        snprintf(err, err_len, "%s: %s", path, msg);
        return rc;
    }
    *has_base = true;
    return 0;
}

void imgbuild_init(struct imgbuild *b)
{
    memset(b, 0, sizeof(*b));
}

void imgbuild_free(struct imgbuild *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

/* Finishes loading a buffer whose data starts at `pre` (the --pad-header room): fills that
 * room with the erased value and checks the header area. Takes ownership of buf. */
static int adopt(struct imgbuild *b, uint8_t *buf, size_t pre, size_t len, size_t cap,
                 const struct imgbuild_opts *o)
{
    /* --pad-header prepends header_size erased bytes; the header overwrites the first 32. */
    memset(buf, o->erased_val, pre);
    if (o->header_size > 0 && !o->pad_header) {
        for (size_t i = 0; i < o->header_size; i++) {
            if (i >= len || buf[i] != 0) {
                free(buf);
                snprintf(b->err, sizeof(b->err),
                         "Header padding was not requested and image does not start with zeros");
                return DFU_EINVAL;
            }
        }
    }
    free(b->data);
    b->data = buf;
    b->len = pre + len;
    b->cap = cap;
    if (b->has_base && pre && b->base != 0) {
        /* The header moves the start of a HEX input down (upstream skips a base of 0). */
        b->base -= (uint32_t)pre;
    }
    return 0;
}

int imgbuild_load_mem(struct imgbuild *b, const uint8_t *data, size_t len,
                      const struct imgbuild_opts *o)
{
    size_t pre = o->pad_header ? o->header_size : 0;
    if (len > IMGBUILD_MAX_FILE) {
        snprintf(b->err, sizeof(b->err), "input too large");
        return DFU_EINVAL;
    }
    size_t cap = pre + len + IMGBUILD_TLV_ROOM;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        snprintf(b->err, sizeof(b->err), "out of memory");
        return DFU_ENOMEM;
    }
    if (len) {
        memcpy(buf + pre, data, len);
    }
    return adopt(b, buf, pre, len, cap, o);
}

int imgbuild_load(struct imgbuild *b, const char *path, const struct imgbuild_opts *o)
{
    size_t pre = o->pad_header ? o->header_size : 0;
    if (imgbuild_is_hex_name(path)) {
        uint8_t *in;
        size_t len;
        uint32_t base = 0;
        bool has_base = false;
        int rc = imgbuild_read_file(path, true, &in, &len, &base, &has_base, b->err,
                                    sizeof(b->err));
        if (rc) {
            return rc;
        }
        b->has_base = has_base;
        b->base = base;
        rc = imgbuild_load_mem(b, in, len, o);
        free(in);
        return rc;
    }
    uint8_t *buf;
    size_t len, cap;
    int rc = read_all(path, pre, IMGBUILD_TLV_ROOM, &buf, &len, &cap, b->err, sizeof(b->err));
    if (rc) {
        return rc;
    }
    b->has_base = false;
    return adopt(b, buf, pre, len, cap, o);
}

static uint32_t eff_align(const struct imgbuild_opts *o)
{
    return o->align ? o->align : 1;
}

static uint32_t eff_max_align(const struct imgbuild_opts *o)
{
    if (o->max_align) {
        return o->max_align;
    }
    uint32_t a = eff_align(o);
    return a > IMGBUILD_DEFAULT_MAX_ALIGN ? a : IMGBUILD_DEFAULT_MAX_ALIGN;
}

static uint32_t align_up(uint32_t v, uint32_t a)
{
    return (v + a - 1) & ~(a - 1);
}

uint32_t imgbuild_trailer_size(const struct imgbuild_opts *o)
{
    uint32_t max_align = eff_max_align(o);
    uint32_t magic_align = align_up(16, max_align);
    if (o->overwrite_only) {
        return max_align * 2 + magic_align;
    }
    uint32_t sectors = o->max_sectors ? o->max_sectors : IMGBUILD_DEFAULT_MAX_SECTORS;
    /* Encrypted: two key fields (one per slot), each the AES key or with --save-enctlv the
     * whole key TLV, aligned. Upstream reserves 16 bytes even for AES-256; we reserve what
     * the bootloader writes (32), so an image that fits really leaves room for them. */
    uint32_t keys = 0;
    if (imgbuild_encrypting(o)) {
        size_t field = o->save_enctlv ? imgbuild_enc_tlv_len(o) : o->enc_keylen == 256 ? 32 : 16;
        keys = 2 * align_up((uint32_t)field, max_align);
    }
    /* status area + encryption keys + image_ok/copy_done/swap_info/swap_size + magic */
    return sectors * 3 * eff_align(o) + keys + max_align * 4 + magic_align;
}

int imgbuild_check_trailer(struct imgbuild *b, const struct imgbuild_opts *o)
{
    if (o->slot_size == 0) {
        return 0;
    }
    uint32_t tsize = imgbuild_trailer_size(o);
    if ((uint64_t)b->len + tsize > o->slot_size) {
        snprintf(b->err, sizeof(b->err),
                 "Image size (0x%zx) + trailer (0x%x) exceeds requested size 0x%x", b->len, tsize,
                 o->slot_size);
        return DFU_ENOSPC;
    }
    return 0;
}

/* Where the trailer's image_ok flag and magic go, relative to the slot end. */
static void trailer_marks(const struct imgbuild_opts *o, uint32_t *ok_back, uint32_t *max_align)
{
    *max_align = eff_max_align(o);
    *ok_back = align_up(16, *max_align) + *max_align;
}

static int save_hex(struct imgbuild *b, const char *path, const struct imgbuild_opts *o,
                    bool has_hex_addr, uint32_t hex_addr)
{
    if (!b->has_base && !has_hex_addr) {
        snprintf(b->err, sizeof(b->err),
                 "No address exists in input file neither was it provided by user");
        return DFU_EINVAL;
    }
    uint32_t base = has_hex_addr ? hex_addr : b->base;
    struct ihex_segment segs[3] = {{base, b->data, b->len}};
    size_t n = 1;
    uint8_t magic[16], flag[32];
    bool pad = (o->pad || o->confirm) && !b->is_vector;
    if (pad) {
        uint32_t ok_back, max_align;
        trailer_marks(o, &ok_back, &max_align);
        uint64_t slot_end = (uint64_t)base + o->slot_size;
        boot_magic_bytes(max_align, magic);
        if (o->confirm && !o->overwrite_only) {
            memset(flag, o->erased_val, max_align);
            flag[0] = 0x01;
            segs[n++] = (struct ihex_segment){(uint32_t)(slot_end - ok_back), flag, max_align};
        }
        segs[n++] = (struct ihex_segment){(uint32_t)(slot_end - 16), magic, 16};
    }
    char *text;
    size_t len;
    int rc = ihex_format(segs, n, &text, &len);
    if (rc) {
        snprintf(b->err, sizeof(b->err), "cannot format Intel HEX: %s", dfu_strerror(rc));
        return rc;
    }
    rc = hostfile_write_atomic(path, text, len);
    free(text);
    if (rc) {
        snprintf(b->err, sizeof(b->err), "%s: cannot write: %s", path, dfu_strerror(rc));
    }
    return rc;
}

int imgbuild_save(struct imgbuild *b, const char *path, const struct imgbuild_opts *o,
                  bool has_hex_addr, uint32_t hex_addr)
{
    if (imgbuild_is_hex_name(path)) {
        return save_hex(b, path, o, has_hex_addr, hex_addr);
    }
    bool pad = (o->pad || o->confirm) && !b->is_vector;
    uint8_t *out = b->data;
    size_t len = b->len;
    if (pad) {
        if (o->slot_size == 0) {
            snprintf(b->err, sizeof(b->err), "--pad needs a slot size");
            return DFU_EINVAL;
        }
        int rc = imgbuild_check_trailer(b, o);
        if (rc) {
            return rc;
        }
        out = malloc(o->slot_size);
        if (!out) {
            snprintf(b->err, sizeof(b->err), "out of memory");
            return DFU_ENOMEM;
        }
        uint32_t ok_back, max_align;
        trailer_marks(o, &ok_back, &max_align);
        memcpy(out, b->data, b->len);
        memset(out + b->len, o->erased_val, o->slot_size - b->len);
        boot_magic_bytes(max_align, out + o->slot_size - 16);
        if (o->confirm && !o->overwrite_only) {
            out[o->slot_size - ok_back] = 0x01;
        }
        len = o->slot_size;
    }
    int rc = hostfile_write_atomic(path, out, len);
    if (out != b->data) {
        free(out);
    }
    if (rc) {
        snprintf(b->err, sizeof(b->err), "%s: cannot write: %s", path, dfu_strerror(rc));
    }
    return rc;
}
