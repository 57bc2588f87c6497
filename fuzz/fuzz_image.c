/* libFuzzer harness for the image parser and validator: the input is a slot's contents, read
 * through a flash area, walked by every image_* reader and validated with one trusted
 * Ed25519 key (the vectors' pub-ed25519). Invariants that must hold for any input abort. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/err.h"
#include "dfukit/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* tests/vectors/imgtool/pub-ed25519.c: SubjectPublicKeyInfo DER. */
static const uint8_t trusted_ed25519[] = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00, 0xca, 0x88, 0x11,
    0xb8, 0x50, 0xfc, 0x93, 0x39, 0xe4, 0x39, 0x80, 0x01, 0x5e, 0x7f, 0x9e, 0x5e, 0xab, 0x75,
    0x1d, 0xf7, 0xd0, 0x1b, 0xdb, 0x90, 0x73, 0x3a, 0xb0, 0xe9, 0x97, 0xed, 0xde, 0xc5,
};

struct input {
    const uint8_t *data;
    uint32_t size;
};

static int in_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    const struct input *in = ctx;
    if (off > in->size || len > in->size - off) {
        abort(); /* the area's bounds check must have caught this */
    }
    memcpy(buf, in->data + off, len);
    return 0;
}

static int in_write(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    abort(); /* validation never writes */
}

static int in_erase(void *ctx, uint32_t off, uint32_t len)
{
    abort();
}

static const struct flash_ops in_ops = {in_read, in_write, in_erase};

static void walk_tlvs(const struct flash_area *fa, const struct image_header *hdr, bool prot_only)
{
    struct image_tlv_iter it;
    struct image_tlv tlv;
    if (image_tlv_iter_begin(&it, fa, hdr, IMAGE_TLV_ANY, prot_only) != 0) {
        return;
    }
    int err;
    while ((err = image_tlv_iter_next(&it, &tlv)) == 0) {
        uint32_t end = tlv.is_protected ? it.layout.prot_off + it.layout.prot_size
                                        : it.layout.total_size;
        if ((uint64_t)tlv.off + tlv.len > end || end > fa->size || (prot_only && !tlv.is_protected)) {
            abort();
        }
    }
    if (err != 1 && err != DFU_EBADMSG) {
        abort();
    }
}

/* Version text: whatever parses must format back to the same value. */
static void version_roundtrip(const uint8_t *data, size_t size)
{
    char text[40], again[40];
    struct image_version v, w;
    size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
    memcpy(text, data, n);
    text[n] = '\0';
    if (image_version_parse(&v, text) != 0) {
        return;
    }
    if (image_version_format_plus(again, sizeof(again), &v) <= 0 ||
        image_version_parse(&w, again) != 0 || image_version_cmp(&v, &w, true) != 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > UINT32_MAX) {
        return 0;
    }
    struct input in = {data, (uint32_t)size};
    struct flash_sector_run run = {1, (uint32_t)size ? (uint32_t)size : 1};
    struct flash_dev dev = {&in_ops, &in, (uint32_t)size, 1, 0xff, &run, 1};
    struct flash_area fa = {&dev, 0, (uint32_t)size, 1};
    struct image_header hdr;
    struct image_layout layout;

    version_roundtrip(data, size);
    if (image_header_read(&fa, &hdr) == 0 && image_layout_read(&fa, &hdr, &layout) == 0) {
        if (layout.total_size > size || layout.unprot_off + layout.unprot_size != layout.total_size) {
            abort();
        }
        walk_tlvs(&fa, &hdr, false);
        walk_tlvs(&fa, &hdr, true);
        enum crypto_hash_alg alg;
        uint32_t cnt;
        struct image_dependency deps[4];
        (void)image_hash_alg(&fa, &hdr, &alg);
        (void)image_read_security_counter(&fa, &hdr, &cnt);
        int n = image_read_dependencies(&fa, &hdr, deps, 4);
        if (n > 4) {
            abort();
        }
    }
    uint8_t tmp[64];
    struct image_key key = {trusted_ed25519, sizeof(trusted_ed25519)};
    struct image_info info;
    int err = image_validate(&fa, &key, 1, tmp, sizeof(tmp), &info);
    if (err == 0 && (info.key_index != 0 || info.layout.total_size > size)) {
        abort();
    }
    (void)image_validate(&fa, NULL, 0, tmp, sizeof(tmp), &info);
    return 0;
}
