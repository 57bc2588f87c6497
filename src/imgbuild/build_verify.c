/* `imgtool verify`: the device-side validator (image_validate) run over the file held in RAM
 * behind a read-only flash area, plus a host-side diagnosis so a refusal names its cause. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dfukit/bytes.h"
#include "dfukit/enc.h"
#include "dfukit/err.h"
#include "dfukit/flash.h"
#include "dfukit/imgbuild.h"

struct ram_flash {
    const uint8_t *img;
    size_t len;
};

static int ram_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    const struct ram_flash *r = ctx;
    if (off > r->len || len > r->len - off) {
        return DFU_ERANGE;
    }
    memcpy(buf, r->img + off, len);
    return 0;
}

static int ram_write(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    (void)ctx;
    (void)off;
    (void)buf;
    (void)len;
    return DFU_EPERM;  /* verification never writes */
}

static int ram_erase(void *ctx, uint32_t off, uint32_t len)
{
    (void)ctx;
    (void)off;
    (void)len;
    return DFU_EPERM;
}

static const struct flash_ops ram_ops = {ram_read, ram_write, ram_erase};

/* The same over an open file: chunks come straight from the page cache with pread, so a
 * large image is never copied whole into memory. */
static int file_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    int fd = *(const int *)ctx;
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pread(fd, p, len, off);
        if (n <= 0) {
            return DFU_EIO;
        }
        p += n;
        off += (uint32_t)n;
        len -= (uint32_t)n;
    }
    return 0;
}

static const struct flash_ops file_ops = {file_read, ram_write, ram_erase};

/* Walks the layout by hand to name what is wrong with an image image_validate refused. */
static void diagnose(const uint8_t *img, size_t len, int rc, bool keyed, char *err,
                     size_t err_len)
{
    if (len < IMAGE_HEADER_SIZE) {
        snprintf(err, err_len, "truncated image: %zu bytes, shorter than the 32-byte header", len);
        return;
    }
    if (load32_le(img) != IMAGE_MAGIC) {
        snprintf(err, err_len, "Invalid image magic; is this an MCUboot image?");
        return;
    }
    uint16_t hdr_size = load16_le(img + 8), prot = load16_le(img + 10);
    uint32_t img_size = load32_le(img + 12);
    uint64_t end = (uint64_t)hdr_size + img_size + prot;
    if (hdr_size < IMAGE_HEADER_SIZE) {
        snprintf(err, err_len, "header size 0x%x is smaller than the 32-byte header", hdr_size);
        return;
    }
    if (end + IMAGE_TLV_INFO_SIZE > len) {
        snprintf(err, err_len,
                 "truncated image: header sizes point past the end of the file (0x%llx > 0x%zx)",
                 (unsigned long long)(end + IMAGE_TLV_INFO_SIZE), len);
        return;
    }
    uint64_t off = (uint64_t)hdr_size + img_size;
    if (prot) {
        if (load16_le(img + off) != IMAGE_TLV_PROT_INFO_MAGIC || load16_le(img + off + 2) != prot) {
            snprintf(err, err_len, "bad protected TLV area info at 0x%llx",
                     (unsigned long long)off);
            return;
        }
        for (uint64_t p = off + 4; p < end;) {
            if (p + 4 > end) {
                snprintf(err, err_len, "protected TLV at 0x%llx is cut short",
                         (unsigned long long)p);
                return;
            }
            uint16_t type = load16_le(img + p), tlen = load16_le(img + p + 2);
            if (p + 4 + tlen > end) {
                snprintf(err, err_len,
                         "protected TLV 0x%x at 0x%llx: length 0x%x points past its area", type,
                         (unsigned long long)p, tlen);
                return;
            }
            if (!image_tlv_protected_allowed(type)) {
                snprintf(err, err_len, "unknown TLV 0x%x in the protected area", type);
                return;
            }
            p += 4 + tlen;
        }
    }
    if (load16_le(img + end) != IMAGE_TLV_INFO_MAGIC) {
        snprintf(err, err_len, "Invalid TLV info magic; is this an MCUboot image?");
        return;
    }
    uint64_t uend = end + load16_le(img + end + 2);
    if (uend > len) {
        snprintf(err, err_len,
                 "truncated image: TLV area length points past the end of the file (0x%llx > "
                 "0x%zx)",
                 (unsigned long long)uend, len);
        return;
    }
    for (uint64_t p = end + 4; p < uend;) {
        uint16_t type = p + 4 <= uend ? load16_le(img + p) : 0;
        uint16_t tlen = p + 4 <= uend ? load16_le(img + p + 2) : 0;
        if (p + 4 > uend || p + 4 + tlen > uend) {
            snprintf(err, err_len, "TLV 0x%x at 0x%llx: length points past the TLV area", type,
                     (unsigned long long)p);
            return;
        }
        p += 4 + tlen;
    }
    if (rc == DFU_ENOTSUP &&
        (load32_le(img + 16) & (IMAGE_F_ENCRYPTED_AES128 | IMAGE_F_ENCRYPTED_AES256))) {
        snprintf(err, err_len,
                 "encrypted image: its hash covers the plaintext, so it cannot be checked "
                 "without the device's decryption key (give it with --enckey)");
        return;
    }
    if (rc == DFU_ESIG) {
        snprintf(err, err_len,
                 keyed ? "image hash or signature does not verify with the given key"
                       : "Image has an invalid hash");
        return;
    }
    snprintf(err, err_len, "malformed image (%s)", dfu_strerror(rc));
}

/* A read-only flash area of len (<= UINT32_MAX) bytes served by ops/ctx. */
struct area {
    struct flash_sector_run run;
    struct flash_dev dev;
    struct flash_area fa;
};

static void area_init(struct area *a, const struct flash_ops *ops, void *ctx, size_t len)
{
    a->run = (struct flash_sector_run){1, (uint32_t)len};
    a->dev = (struct flash_dev){
        .ops = ops, .ctx = ctx, .size = (uint32_t)len, .write_align = 1,
        .erased_val = 0xff, .runs = &a->run, .run_count = 1,
    };
    a->fa = (struct flash_area){.dev = &a->dev, .off = 0, .size = (uint32_t)len, .id = 0};
}

/* Runs image_validate (image_validate_decrypted for a decrypted copy) over a flash area of
 * len bytes served by ops/ctx. */
static int validate_area(const struct flash_ops *ops, void *ctx, size_t len,
                         const struct keys_key *key, bool decrypted, struct image_info *info,
                         char *err, size_t err_len)
{
    if (len > UINT32_MAX) {
        snprintf(err, err_len, "image too large");
        return DFU_ERANGE;
    }
    uint8_t pub[KEYS_PUB_MAX];
    struct image_key ik = {0};
    if (key) {
        int n = keys_public_bytes(key, pub, sizeof(pub));
        if (n < 0) {
            snprintf(err, err_len, "cannot encode the public key");
            return n;
        }
        ik.der = pub;
        ik.len = (size_t)n;
    }
    struct area a;
    area_init(&a, ops, ctx, len);
    /* A large scratch buffer: the hash runs over big chunks, as fast as openssl dgst. */
    uint32_t tmp_len = 64 * 1024;
    uint8_t *tmp = malloc(tmp_len);
    if (!tmp) {
        snprintf(err, err_len, "out of memory");
        return DFU_ENOMEM;
    }
    int rc = (decrypted ? image_validate_decrypted : image_validate)(&a.fa, key ? &ik : NULL,
                                                                      key ? 1 : 0, tmp, tmp_len,
                                                                      info);
    free(tmp);
    return rc;
}

int imgbuild_verify(const uint8_t *img, size_t len, const struct keys_key *key,
                    struct image_info *info, char *err, size_t err_len)
{
    if (len > UINT32_MAX) {
        snprintf(err, err_len, "image too large");
        return DFU_ERANGE;
    }
    struct ram_flash ram = {img, len};
    int rc = validate_area(&ram_ops, &ram, len, key, false, info, err, err_len);
    if (rc && rc != DFU_ENOMEM) {
        diagnose(img, len, rc, key != NULL, err, err_len);
    }
    return rc;
}

int imgbuild_verify_file(const char *path, const struct keys_key *key, struct image_info *info,
                         char *err, size_t err_len)
{
    uint8_t *img;
    size_t len;
    uint32_t base;
    bool has_base;
    if (!imgbuild_is_hex_name(path)) {
        int fd = open(path, O_RDONLY);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
            int rc = validate_area(&file_ops, &fd, (size_t)st.st_size, key, false, info, err,
                                   err_len);
            close(fd);
            if (rc == 0) {
                return 0;
            }
            /* Refused: read it whole to name the problem. */
        } else if (fd >= 0) {
            close(fd);
        }
    }
    int rc = imgbuild_read_file(path, imgbuild_is_hex_name(path), &img, &len, &base, &has_base,
                                err, err_len);
    if (rc) {
        return rc;
    }
    rc = imgbuild_verify(img, len, key, info, err, err_len);
    free(img);
    return rc;
}

/* The one-line cause of a failed key unwrap. */
static void unwrap_error(int rc, enum enc_scheme scheme, char *err, size_t err_len)
{
    static const char *const names[] = {"ENC_RSA2048", "ENC_KW", "ENC_EC256", "ENC_X25519"};
    const char *name = scheme >= ENC_SCHEME_RSA_OAEP && scheme <= ENC_SCHEME_X25519
                           ? names[scheme - ENC_SCHEME_RSA_OAEP]
                           : "?";
    if (rc == DFU_ENOENT) {
        snprintf(err, err_len, "the image has no %s key TLV: it was encrypted for another kind "
                               "of key", name);
    } else if (rc == DFU_ESIG) {
        snprintf(err, err_len, "the image's AES key does not unwrap with this key (%s): it was "
                               "encrypted for another key", name);
    } else {
        snprintf(err, err_len, "cannot unwrap the image's AES key (%s: %s)", name,
                 dfu_strerror(rc));
    }
}

int imgbuild_verify_enc(const uint8_t *img, size_t len, const struct keys_key *key,
                        const struct enc_exchange_key *xk, struct image_info *info, char *err,
                        size_t err_len)
{
    struct image_header hdr;
    if (len < IMAGE_HEADER_SIZE || len > UINT32_MAX || image_header_decode(&hdr, img) != 0 ||
        enc_image_key_len(&hdr) <= 0) {
        return imgbuild_verify(img, len, key, info, err, err_len);  /* nothing to decrypt */
    }
    /* The structure first (image_validate stops at the hash of an encrypted image). */
    int rc = imgbuild_verify(img, len, key, info, err, err_len);
    if (rc != DFU_ENOTSUP) {
        return rc;
    }
    struct ram_flash ram = {img, len};
    struct area a;
    area_init(&a, &ram_ops, &ram, len);
    struct enc_key aes;
    rc = enc_image_key(&a.fa, &hdr, xk, &aes);
    if (rc) {
        unwrap_error(rc, xk->scheme, err, err_len);
        return rc;
    }
    uint8_t *plain = malloc(len);
    if (!plain) {
        memset(&aes, 0, sizeof(aes));
        snprintf(err, err_len, "out of memory");
        return DFU_ENOMEM;
    }
    memcpy(plain, img, len);
    rc = enc_payload_xor(&aes, &hdr, 0, plain, (uint32_t)len);
    memset(&aes, 0, sizeof(aes));
    ram.img = plain;
    rc = rc ? rc : validate_area(&ram_ops, &ram, len, key, true, info, err, err_len);
    free(plain);
    if (rc == DFU_ESIG) {
        snprintf(err, err_len,
                 key ? "the decrypted image's hash or signature does not verify (damaged "
                       "ciphertext, or not signed by this key)"
                     : "the decrypted image has an invalid hash (damaged ciphertext)");
    } else if (rc && rc != DFU_ENOMEM) {
        snprintf(err, err_len, "cannot check the decrypted image (%s)", dfu_strerror(rc));
    }
    return rc;
}
