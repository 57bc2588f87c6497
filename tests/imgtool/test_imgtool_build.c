/* imgtool library behaviour beyond the reference files: key round trips, the rarer sign
 * options (bytes derived from upstream's image.py), tampering, malformed images and keys,
 * Intel HEX corner cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "dfukit/boot.h"
#include "dfukit/bytes.h"
#include "dfukit/err.h"
#include "dfukit/hostfile.h"
#include "imgtool_test_util.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define TMP DFU_TEST_TMP "/imgtool_build"

/* A deterministic 6000-byte input, its first 0x200 bytes zero (room for the header): header
 * area and body together, so the TLVs start at sizeof(body). */
static uint8_t body[6000];

static int setup(void **state)
{
    (void)state;
    uint32_t x = 0x12345678;
    for (size_t i = 0; i < sizeof(body); i++) {
        x = x * 1103515245u + 12345u;
        body[i] = i < 0x200 ? 0 : (uint8_t)(x >> 16);
    }
    mkdir(DFU_TEST_TMP, 0755);
    mkdir(TMP, 0755);
    return 0;
}

static void base_opts(struct imgbuild_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->header_size = 0x200;
    o->slot_size = 0x4000;
    o->align = 8;
    o->erased_val = 0xff;
    o->version = (struct image_version){1, 2, 3, 0};
}

/* Builds an image of `body` (header area already zero) and fails the test on error. */
static void build(struct imgbuild *b, const struct imgbuild_opts *o)
{
    imgbuild_init(b);
    if (imgbuild_load_mem(b, body, sizeof(body), o) != 0 || imgbuild_create(b, o) != 0) {
        fail_msg("build: %s", b->err);
    }
}

static int verify(const uint8_t *img, size_t len, const struct keys_key *k, char *err)
{
    struct image_info info;
    return imgbuild_verify(img, len, k, &info, err, 256);
}

/* Finds a TLV (protected or not) and returns its value offset, or 0. */
static size_t find_tlv(const uint8_t *img, uint16_t type, uint16_t *len)
{
    size_t off = (size_t)load16_le(img + 8) + load32_le(img + 12);
    for (int area = 0; area < 2; area++) {
        uint16_t magic = load16_le(img + off);
        if (area == 0 && magic != IMAGE_TLV_PROT_INFO_MAGIC) {
            continue;
        }
        size_t end = off + load16_le(img + off + 2);
        for (size_t p = off + 4; p < end; p += 4 + load16_le(img + p + 2)) {
            if (load16_le(img + p) == type) {
                *len = load16_le(img + p + 2);
                return p + 4;
            }
        }
        off = end;
    }
    return 0;
}

/* keygen -> save PEM -> load -> sign -> verify, for every signing type; x25519 keys load but
 * cannot sign. */
static void test_keygen_sign_verify_roundtrip(void **state)
{
    (void)state;
    static const enum keys_type types[] = {KEYS_RSA2048, KEYS_RSA3072, KEYS_ECDSA_P256,
                                           KEYS_ECDSA_P384, KEYS_ED25519, KEYS_X25519};
    for (size_t i = 0; i < N(types); i++) {
        char path[256], err[256];
        snprintf(path, sizeof(path), TMP "/key-%s.pem", keys_type_name(types[i]));
        struct keys_key *gen, *k;
        assert_int_equal(keys_generate(&gen, types[i]), 0);
        char *text;
        size_t text_len;
        assert_int_equal(keys_private_pem(gen, &text, &text_len), 0);
        assert_int_equal(hostfile_write_atomic(path, text, text_len), 0);
        free(text);
        keys_free(gen);
        assert_int_equal(keys_load_pem(&k, path, err, sizeof(err)), 0);
        assert_int_equal(keys_get_type(k), types[i]);
        assert_true(keys_is_private(k));
        size_t len;
        uint8_t *pem = tu_read(path, &len);
        assert_memory_equal(pem, "-----BEGIN PRIVATE KEY-----\n", 28);
        free(pem);

        struct imgbuild_opts o;
        base_opts(&o);
        o.key = k;
        struct imgbuild b;
        imgbuild_init(&b);
        assert_int_equal(imgbuild_load_mem(&b, body, sizeof(body), &o), 0);
        if (types[i] == KEYS_X25519) {
            assert_int_equal(imgbuild_create(&b, &o), DFU_EINVAL);
            assert_non_null(strstr(b.err, "cannot sign"));
        } else {
            assert_int_equal(imgbuild_create(&b, &o), 0);
            assert_int_equal(verify(b.data, b.len, k, err), 0);
            struct keys_key *other;
            assert_int_equal(keys_generate(&other, types[i] == KEYS_RSA3072 ? KEYS_RSA2048
                                                                           : types[i]),
                             0);
            assert_int_equal(verify(b.data, b.len, other, err), DFU_ESIG);
            keys_free(other);
        }
        imgbuild_free(&b);
        keys_free(k);
    }
}

/* Every single-byte change in the header, the protected TLVs or (sampled) the body, and in
 * the signature, makes verification fail. */
static void test_tamper_fails(void **state)
{
    (void)state;
    static const char *const keys[] = {VEC "key-ecdsa-p256.pem", VEC "key-ed25519.pem"};
    for (size_t k = 0; k < N(keys); k++) {
        struct imgbuild_opts o;
        base_opts(&o);
        o.key = tu_key(keys[k]);
        o.pure = k == 1;
        o.sec_cnt_auto = true;
        struct image_dependency dep = {1, {2, 3, 4, 5}};
        o.deps = &dep;
        o.dep_count = 1;
        uint8_t val[3] = {1, 2, 3};
        struct imgbuild_tlv custom = {0xa5, val, sizeof(val)};
        o.custom = &custom;
        o.custom_count = 1;
        struct imgbuild b;
        build(&b, &o);
        char err[256];
        assert_int_equal(verify(b.data, b.len, o.key, err), 0);
        size_t hashed = sizeof(body) + load16_le(b.data + 10);
        assert_true(load16_le(b.data + 10) > 0);
        size_t tested = 0;
        for (size_t i = 0; i < hashed; i++) {
            bool sample = i < 0x40 || i >= sizeof(body) || i % 53 == 0;
            if (!sample) {
                continue;
            }
            uint8_t save = b.data[i];
            b.data[i] ^= (uint8_t)(1u << (i % 8));
            assert_int_not_equal(verify(b.data, b.len, o.key, err), 0);
            assert_null(strchr(err, '\n'));
            b.data[i] = save;
            tested++;
        }
        assert_true(tested > 150);
        /* The signature itself. */
        uint16_t slen;
        size_t soff = find_tlv(b.data, IMAGE_TLV_ECDSA_SIG, &slen);
        soff = soff ? soff : find_tlv(b.data, IMAGE_TLV_ED25519, &slen);
        assert_true(soff > 0);
        b.data[soff + slen / 2] ^= 0x40;
        assert_int_not_equal(verify(b.data, b.len, o.key, err), 0);
        imgbuild_free(&b);
        keys_free((struct keys_key *)o.key);
    }
}

/* Truncation and lengths pointing past the end: a one-line error naming the problem. */
static void test_malformed_images(void **state)
{
    (void)state;
    struct imgbuild_opts o;
    base_opts(&o);
    o.key = tu_key(VEC "key-ed25519.pem");
    struct imgbuild b;
    build(&b, &o);
    char err[256];
    const size_t cuts[] = {0, 16, 31, 0x100, b.len - 70, b.len - 1};
    for (size_t i = 0; i < N(cuts); i++) {
        assert_int_not_equal(verify(b.data, cuts[i], o.key, err), 0);
        assert_non_null(strstr(err, "truncated"));
        assert_null(strchr(err, '\n'));
    }
    uint8_t *img = malloc(b.len);
    /* img_size far past the end */
    memcpy(img, b.data, b.len);
    store32_le(img + 12, 0x00ffffff);
    assert_int_not_equal(verify(img, b.len, o.key, err), 0);
    assert_non_null(strstr(err, "past the end"));
    /* TLV area total past the end */
    memcpy(img, b.data, b.len);
    size_t info = sizeof(body);
    store16_le(img + info + 2, (uint16_t)(load16_le(img + info + 2) + 40));
    assert_int_not_equal(verify(img, b.len, o.key, err), 0);
    assert_non_null(strstr(err, "past the end"));
    /* one TLV's length past its area */
    memcpy(img, b.data, b.len);
    store16_le(img + info + 6, 0x7000);
    assert_int_not_equal(verify(img, b.len, o.key, err), 0);
    assert_non_null(strstr(err, "past"));
    /* bad magic */
    memcpy(img, b.data, b.len);
    img[0] ^= 1;
    assert_int_not_equal(verify(img, b.len, o.key, err), 0);
    assert_non_null(strstr(err, "magic"));
    free(img);
    imgbuild_free(&b);
    keys_free((struct keys_key *)o.key);
}

/* A well-hashed image whose protected area holds a TLV type MCUboot does not know is refused
 * and named; the same image with a vendor-range type passes (hash-only check). */
static void test_unknown_protected_tlv(void **state)
{
    (void)state;
    struct imgbuild_opts o;
    base_opts(&o);
    uint8_t val[4] = {9, 9, 9, 9};
    struct imgbuild_tlv custom = {0xa0, val, sizeof(val)};
    o.custom = &custom;
    o.custom_count = 1;
    struct imgbuild b;
    build(&b, &o);
    char err[256];
    assert_int_equal(verify(b.data, b.len, NULL, err), 0);
    uint16_t len;
    size_t voff = find_tlv(b.data, 0xa0, &len);
    assert_true(voff > 0);
    store16_le(b.data + voff - 4, 0x45);
    /* Re-hash so only the unknown type is wrong. */
    size_t hashed = sizeof(body) + load16_le(b.data + 10);
    size_t hoff = find_tlv(b.data, IMAGE_TLV_SHA256, &len);
    assert_int_equal(crypto_hash(CRYPTO_SHA256, b.data, hashed, b.data + hoff), 0);
    assert_int_not_equal(verify(b.data, b.len, NULL, err), 0);
    assert_non_null(strstr(err, "unknown TLV 0x45 in the protected area"));
    imgbuild_free(&b);
}

/* Protected TLVs in upstream's order and encodings: SEC_CNT, BOOT_RECORD, DEPENDENCY, custom. */
static void test_protected_tlv_bytes(void **state)
{
    (void)state;
    struct imgbuild_opts o;
    base_opts(&o);
    o.key = tu_key(VEC "key-ed25519.pem");
    o.sec_cnt_auto = true;
    o.boot_record = "SPE";
    struct image_dependency deps[2] = {{1, {2, 3, 4, 5}}, {0, {1, 0, 0, 0}}};
    o.deps = deps;
    o.dep_count = 2;
    uint8_t v1[2] = {0x12, 0x34};
    struct imgbuild_tlv custom[2] = {{0xa2, v1, 2}, {0x1a0, (const uint8_t *)"hi", 2}};
    o.custom = custom;
    o.custom_count = 2;
    struct imgbuild b;
    build(&b, &o);
    uint8_t pub[KEYS_PUB_MAX], signer[32];
    int n = keys_public_bytes(o.key, pub, sizeof(pub));
    assert_int_equal(crypto_hash(CRYPTO_SHA256, pub, (size_t)n, signer), 0);

    uint8_t expect[256];
    size_t e = 0;
#define PUT(...)                                                \
    do {                                                        \
        const uint8_t x_[] = {__VA_ARGS__};                     \
        memcpy(expect + e, x_, sizeof(x_));                     \
        e += sizeof(x_);                                        \
    } while (0)
    PUT(0x50, 0x00, 0x04, 0x00, 0x03, 0x00, 0x02, 0x01);  /* SEC_CNT 0x01020003 */
    /* BOOT_RECORD: CBOR {1: "SPE", 4: "1.2.3", 5: h'signer', 6: "SHA256", 2: h'00*32'} */
    PUT(0x60, 0x00, 0, 0x00);
    size_t br_len_at = e - 2;
    size_t br = e;
    PUT(0xa5, 0x01, 0x63, 'S', 'P', 'E', 0x04, 0x65, '1', '.', '2', '.', '3', 0x05, 0x58, 32);
    memcpy(expect + e, signer, 32);
    e += 32;
    PUT(0x06, 0x66, 'S', 'H', 'A', '2', '5', '6', 0x02, 0x58, 32);
    memset(expect + e, 0, 32);
    e += 32;
    expect[br_len_at] = (uint8_t)(e - br);
    PUT(0x40, 0x00, 0x0c, 0x00, 1, 0, 0, 0, 2, 3, 4, 0, 5, 0, 0, 0);
    PUT(0x40, 0x00, 0x0c, 0x00, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0);
    PUT(0xa2, 0x00, 0x02, 0x00, 0x12, 0x34);
    PUT(0xa0, 0x01, 0x02, 0x00, 'h', 'i');
#undef PUT
    size_t prot = sizeof(body);
    assert_int_equal(load16_le(b.data + 10), e + 4);
    assert_int_equal(load16_le(b.data + prot), IMAGE_TLV_PROT_INFO_MAGIC);
    assert_int_equal(load16_le(b.data + prot + 2), e + 4);
    assert_memory_equal(b.data + prot + 4, expect, e);
    char err[256];
    assert_int_equal(verify(b.data, b.len, o.key, err), 0);
    imgbuild_free(&b);
    keys_free((struct keys_key *)o.key);
}

/* Header fields: RAM_LOAD with -L, ROM_FIXED with -F, NON_BOOTABLE, and -L with -F refused. */
static void test_header_flags(void **state)
{
    (void)state;
    struct imgbuild_opts o;
    base_opts(&o);
    o.load_addr = 0x20000000;
    o.non_bootable = true;
    struct imgbuild b;
    build(&b, &o);
    assert_int_equal(load32_le(b.data + 4), 0x20000000);
    assert_int_equal(load32_le(b.data + 16), IMAGE_F_RAM_LOAD | IMAGE_F_NON_BOOTABLE);
    assert_int_equal(load32_le(b.data + 12), sizeof(body) - 0x200);
    assert_int_equal(b.data[20], 1);
    assert_int_equal(load16_le(b.data + 22), 3);
    imgbuild_free(&b);

    base_opts(&o);
    o.has_rom_fixed = true;
    o.rom_fixed = 0x8000;
    build(&b, &o);
    assert_int_equal(load32_le(b.data + 4), 0x8000);
    assert_int_equal(load32_le(b.data + 16), IMAGE_F_ROM_FIXED);
    imgbuild_free(&b);

    o.load_addr = 0x100;
    imgbuild_init(&b);
    assert_int_equal(imgbuild_load_mem(&b, body, sizeof(body), &o), 0);
    assert_int_equal(imgbuild_create(&b, &o), DFU_EINVAL);
    assert_non_null(strstr(b.err, "rom_fixed and load_addr"));
    imgbuild_free(&b);
}

/* No key: only the hash TLV; full public key: PUBKEY TLV, still verifiable. */
static void test_key_tlv_forms(void **state)
{
    (void)state;
    struct imgbuild_opts o;
    base_opts(&o);
    struct imgbuild b;
    build(&b, &o);
    size_t info = sizeof(body);
    assert_int_equal(load16_le(b.data + info + 2), 4 + 4 + 32);
    assert_int_equal(load16_le(b.data + info + 4), IMAGE_TLV_SHA256);
    char err[256];
    assert_int_equal(verify(b.data, b.len, NULL, err), 0);
    imgbuild_free(&b);

    o.key = tu_key(VEC "key-ecdsa-p256.pem");
    o.public_key_full = true;
    build(&b, &o);
    uint16_t len;
    size_t off = find_tlv(b.data, IMAGE_TLV_PUBKEY, &len);
    uint8_t pub[KEYS_PUB_MAX];
    int n = keys_public_bytes(o.key, pub, sizeof(pub));
    assert_int_equal(len, n);
    assert_memory_equal(b.data + off, pub, len);
    assert_int_equal(find_tlv(b.data, IMAGE_TLV_KEYHASH, &len), 0);
    assert_int_equal(verify(b.data, b.len, o.key, err), 0);
    imgbuild_free(&b);
    keys_free((struct keys_key *)o.key);
}

/* --sha: Ed25519 may use 512 (64-byte hash and key hash), P-256 may not use 384; P-384
 * defaults to SHA-384. */
static void test_sha_selection(void **state)
{
    (void)state;
    struct imgbuild_opts o;
    base_opts(&o);
    o.key = tu_key(VEC "key-ed25519.pem");
    o.sha = 512;
    struct imgbuild b;
    build(&b, &o);
    uint16_t len;
    assert_true(find_tlv(b.data, IMAGE_TLV_SHA512, &len) > 0);
    assert_int_equal(len, 64);
    assert_true(find_tlv(b.data, IMAGE_TLV_KEYHASH, &len) > 0);
    assert_int_equal(len, 64);
    char err[256];
    assert_int_equal(verify(b.data, b.len, o.key, err), 0);
    imgbuild_free(&b);
    keys_free((struct keys_key *)o.key);

    o.key = tu_key(VEC "key-ecdsa-p256.pem");
    o.sha = 384;
    imgbuild_init(&b);
    assert_int_equal(imgbuild_load_mem(&b, body, sizeof(body), &o), 0);
    assert_int_equal(imgbuild_create(&b, &o), DFU_EINVAL);
    assert_non_null(strstr(b.err, "--sha 384"));
    imgbuild_free(&b);
    keys_free((struct keys_key *)o.key);

    o.sha = 0;
    o.key = tu_key(VEC "key-ecdsa-p384.pem");
    build(&b, &o);
    assert_true(find_tlv(b.data, IMAGE_TLV_SHA384, &len) > 0);
    assert_int_equal(verify(b.data, b.len, o.key, err), 0);
    imgbuild_free(&b);
    keys_free((struct keys_key *)o.key);
}

/* Trailer layout: magic per max-align, image_ok position, overwrite-only, erased value 0. */
static void test_trailer_variants(void **state)
{
    (void)state;
    static const struct {
        uint32_t align, max_align;
        bool overwrite_only;
        uint8_t erased;
    } cases[] = {{8, 0, false, 0xff}, {16, 0, false, 0xff}, {4, 32, false, 0xff},
                 {8, 0, true, 0xff},  {8, 0, false, 0x00}};
    for (size_t i = 0; i < N(cases); i++) {
        struct imgbuild_opts o;
        base_opts(&o);
        o.align = cases[i].align;
        o.max_align = cases[i].max_align;
        o.overwrite_only = cases[i].overwrite_only;
        o.erased_val = cases[i].erased;
        o.pad = o.confirm = true;
        o.pad_header = true;
        o.slot_size = 0x8000;
        struct imgbuild b;
        build(&b, &o);
        size_t len;
        uint8_t *img = tu_padded(&b, &o, &len);
        assert_int_equal(len, 0x8000);
        uint32_t ma = cases[i].max_align ? cases[i].max_align
                                         : (cases[i].align > 8 ? cases[i].align : 8);
        uint8_t magic[16];
        boot_magic_bytes(ma, magic);
        assert_memory_equal(img + len - 16, magic, 16);
        if (ma == 8) {
            assert_int_equal(magic[0], 0x77);
        } else {
            assert_int_equal(load16_le(magic), ma);
            assert_int_equal(magic[2], 0x2d);
        }
        uint32_t magic_area = (16 + ma - 1) / ma * ma;
        uint8_t ok = img[len - magic_area - ma];
        assert_int_equal(ok, cases[i].overwrite_only ? cases[i].erased : 0x01);
        /* Everything between the TLVs and the magic, image_ok aside, is erased. */
        size_t end = b.len;
        for (size_t j = end; j < len - 16; j++) {
            if (j != len - magic_area - ma) {
                assert_int_equal(img[j], cases[i].erased);
            }
        }
        /* Header padding uses the erased value too. */
        assert_int_equal(img[0x100], cases[i].erased);
        uint32_t expect_tsize = cases[i].overwrite_only
                                    ? ma * 2 + magic_area
                                    : 128 * 3 * cases[i].align + ma * 4 + magic_area;
        assert_int_equal(imgbuild_trailer_size(&o), expect_tsize);
        free(img);
        imgbuild_free(&b);
    }
}

/* The image plus the trailer must fit the slot. */
static void test_slot_too_small(void **state)
{
    (void)state;
    struct imgbuild_opts o;
    base_opts(&o);
    o.slot_size = 0x1800;  /* body fits, the trailer (3*128*8 + ...) does not */
    struct imgbuild b;
    imgbuild_init(&b);
    assert_int_equal(imgbuild_load_mem(&b, body, sizeof(body), &o), 0);
    assert_int_equal(imgbuild_create(&b, &o), DFU_ENOSPC);
    assert_non_null(strstr(b.err, "exceeds requested size 0x1800"));
    imgbuild_free(&b);
    o.max_sectors = 2;  /* a smaller status area makes it fit */
    build(&b, &o);
    imgbuild_free(&b);
}

/* Without --pad-header the header area must be zeros. */
static void test_header_area_must_be_zero(void **state)
{
    (void)state;
    struct imgbuild_opts o;
    base_opts(&o);
    uint8_t data[0x300] = {0};
    data[0x10] = 1;
    struct imgbuild b;
    imgbuild_init(&b);
    assert_int_equal(imgbuild_load_mem(&b, data, sizeof(data), &o), DFU_EINVAL);
    assert_non_null(strstr(b.err, "Header padding was not requested"));
    o.pad_header = true;
    assert_int_equal(imgbuild_load_mem(&b, data, sizeof(data), &o), 0);
    assert_int_equal(b.len, 0x500);
    imgbuild_free(&b);
}

/* External signing: the payload and digest vectors, then the signature fed back with its
 * public key gives the same image as signing with the key. */
static void test_external_signing(void **state)
{
    (void)state;
    struct imgbuild_opts o;
    base_opts(&o);
    o.key = tu_key(VEC "key-ecdsa-p256.pem");
    o.sec_cnt = 7;
    o.has_sec_cnt = true;
    struct imgbuild signed_img;
    build(&signed_img, &o);
    size_t hashed = sizeof(body) + load16_le(signed_img.data + 10);

    struct imgbuild_opts v = o;
    v.key = NULL;
    v.fix_sig_pubkey = tu_key(VEC "pub-ecdsa-p256.pem");
    v.vector = IMGBUILD_VECTOR_PAYLOAD;
    struct imgbuild b;
    build(&b, &v);
    assert_true(b.is_vector);
    assert_int_equal(b.len, hashed);
    assert_memory_equal(b.data, signed_img.data, hashed);
    imgbuild_free(&b);

    v.vector = IMGBUILD_VECTOR_DIGEST;
    build(&b, &v);
    uint8_t digest[32];
    assert_int_equal(crypto_hash(CRYPTO_SHA256, signed_img.data, hashed, digest), 0);
    assert_int_equal(b.len, 32);
    assert_memory_equal(b.data, digest, 32);
    imgbuild_free(&b);

    v.vector = IMGBUILD_VECTOR_NONE;
    v.fix_sig = signed_img.sig;
    v.fix_sig_len = signed_img.sig_len;
    build(&b, &v);
    assert_int_equal(b.len, signed_img.len);
    assert_memory_equal(b.data, signed_img.data, b.len);
    imgbuild_free(&b);

    /* Key and fixed signature together are refused. */
    v.key = o.key;
    imgbuild_init(&b);
    assert_int_equal(imgbuild_load_mem(&b, body, sizeof(body), &v), 0);
    assert_int_equal(imgbuild_create(&b, &v), DFU_EINVAL);
    imgbuild_free(&b);
    imgbuild_free(&signed_img);
    keys_free((struct keys_key *)o.key);
    keys_free((struct keys_key *)v.fix_sig_pubkey);
}

/* --pad-sig pads ECDSA signatures to 72 (P-256) bytes; MCUboot still accepts them. */
static void test_pad_sig(void **state)
{
    (void)state;
    struct imgbuild_opts o;
    base_opts(&o);
    o.key = tu_key(VEC "key-ecdsa-p256.pem");
    o.pad_sig = true;
    struct imgbuild b;
    build(&b, &o);
    uint16_t len;
    assert_true(find_tlv(b.data, IMAGE_TLV_ECDSA_SIG, &len) > 0);
    assert_int_equal(len, 72);
    imgbuild_free(&b);
    keys_free((struct keys_key *)o.key);
}

/* Malformed keys: missing file, not PEM, corrupt PEM body, unsupported type. */
static void test_bad_keys(void **state)
{
    (void)state;
    struct keys_key *k = NULL;
    char err[256];
    assert_int_equal(keys_load_pem(&k, TMP "/no-such-key.pem", err, sizeof(err)), DFU_ENOENT);
    assert_non_null(strstr(err, "no-such-key.pem"));
    static const struct {
        const char *text, *expect;
    } bad[] = {
        {"hello, not a key\n", "not a PEM"},
        {"-----BEGIN PRIVATE KEY-----\nAAAA!!!!\n-----END PRIVATE KEY-----\n", "malformed PEM"},
        {"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIGZHTEqmEUsHQUSIs442aJbI5ZJqwFUvO4iZ\n"
         "-----END PRIVATE KEY-----\n",
         "malformed PEM"},
    };
    for (size_t i = 0; i < N(bad); i++) {
        char path[256];
        snprintf(path, sizeof(path), TMP "/bad-%zu.pem", i);
        assert_int_equal(hostfile_write_atomic(path, bad[i].text, strlen(bad[i].text)), 0);
        assert_int_not_equal(keys_load_pem(&k, path, err, sizeof(err)), 0);
        assert_non_null(strstr(err, bad[i].expect));
        assert_null(strchr(err, '\n'));
    }
    /* RSA-1024: a valid PEM, refused as a size MCUboot cannot use. */
    EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    assert_non_null(small);
    FILE *f = fopen(TMP "/rsa1024.pem", "w");
    assert_non_null(f);
    assert_int_equal(PEM_write_PrivateKey(f, small, NULL, NULL, 0, NULL, NULL), 1);
    fclose(f);
    EVP_PKEY_free(small);
    assert_int_equal(keys_load_pem(&k, TMP "/rsa1024.pem", err, sizeof(err)), DFU_ENOTSUP);
    assert_non_null(strstr(err, "RSA-1024"));
}

/* Keys in the traditional forms ("RSA PRIVATE KEY", "EC PRIVATE KEY") load too. */
static void test_traditional_pem(void **state)
{
    (void)state;
    static const char *const names[] = {"rsa-2048", "ecdsa-p256"};
    for (size_t i = 0; i < N(names); i++) {
        char path[256], err[256];
        snprintf(path, sizeof(path), VEC "key-%s.pem", names[i]);
        struct keys_key *k = tu_key(path);
        FILE *in = fopen(path, "r");
        assert_non_null(in);
        EVP_PKEY *pkey = PEM_read_PrivateKey(in, NULL, NULL, NULL);
        fclose(in);
        assert_non_null(pkey);
        snprintf(path, sizeof(path), TMP "/trad-%s.pem", names[i]);
        BIO *out = BIO_new_file(path, "w");
        assert_non_null(out);
        assert_int_equal(
            PEM_write_bio_PrivateKey_traditional(out, pkey, NULL, NULL, 0, NULL, NULL), 1);
        BIO_free(out);
        EVP_PKEY_free(pkey);
        size_t len;
        uint8_t *pem = tu_read(path, &len);
        assert_non_null(strstr((const char *)pem, i == 0 ? "BEGIN RSA PRIVATE KEY"
                                                         : "BEGIN EC PRIVATE KEY"));
        free(pem);
        struct keys_key *t;
        assert_int_equal(keys_load_pem(&t, path, err, sizeof(err)), 0);
        assert_int_equal(keys_get_type(t), keys_get_type(k));
        uint8_t a[KEYS_PUB_MAX], b[KEYS_PUB_MAX];
        int na = keys_public_bytes(k, a, sizeof(a)), nb = keys_public_bytes(t, b, sizeof(b));
        assert_int_equal(na, nb);
        assert_memory_equal(a, b, (size_t)na);
        keys_free(t);
        keys_free(k);
    }
}

struct priv_arg {
    const struct keys_key *key;
    bool minimal;
    const char *format;
    char err[256];
};

static int priv_fn(FILE *f, void *p)
{
    struct priv_arg *a = p;
    return keys_emit_private(f, a->key, a->minimal, a->format, a->err, sizeof(a->err));
}

static int hash_fn(FILE *f, void *p)
{
    return keys_emit_public_hash(f, p, true);
}

/* getpriv lengths as upstream computes them; getpubhash raw is the reference KEYHASH. */
static void test_getpriv_getpubhash(void **state)
{
    (void)state;
    struct keys_key *ec = tu_key(VEC "key-ecdsa-p256.pem");
    struct priv_arg a = {ec, false, NULL, ""};
    size_t len;
    int rc;
    char *out = tu_capture(priv_fn, &a, &len, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "const unsigned int enc_priv_key_len = 138;\n"));
    assert_memory_equal(out, "/* Autogenerated by imgtool.py, do not edit. */\n"
                             "const unsigned char enc_priv_key[] = {\n    0x30, 0x81, 0x87,",
                        98);
    free(out);
    a.minimal = true;
    out = tu_capture(priv_fn, &a, &len, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "enc_priv_key_len = 67;\n"));
    assert_non_null(strstr(out, "{\n    0x30, 0x41,"));
    free(out);
    a.minimal = false;
    a.format = "openssl";
    out = tu_capture(priv_fn, &a, &len, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "enc_priv_key_len = 121;\n"));
    free(out);

    size_t rlen;
    uint8_t *ref = tu_read(VEC "signed-ecdsa-p256.bin", &rlen);
    char *h = tu_capture(hash_fn, ec, &len, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(len, 32);
    assert_memory_equal(h, ref + 0x19200 + 4 + 4 + 32 + 4, 32);
    free(h);
    free(ref);
    keys_free(ec);

    struct keys_key *ed = tu_key(VEC "key-ed25519.pem");
    struct priv_arg e = {ed, false, NULL, ""};
    out = tu_capture(priv_fn, &e, &len, &rc);
    assert_int_not_equal(rc, 0);
    assert_string_equal(e.err, "Operation not supported with ed25519 keys");
    free(out);
    keys_free(ed);

    struct keys_key *rsa = tu_key(VEC "key-rsa-2048.pem");
    struct priv_arg r = {rsa, true, NULL, ""};
    out = tu_capture(priv_fn, &r, &len, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "{\n    0x30, 0x82,"));
    free(out);
    r.format = "pkcs8";
    out = tu_capture(priv_fn, &r, &len, &rc);
    assert_int_not_equal(rc, 0);
    assert_string_equal(r.err, "rsa does not support pkcs8");
    free(out);
    keys_free(rsa);
}

/* Intel HEX: holes filled with 0xff, 02 segment records, and errors for bad input. */
static void test_ihex_parse(void **state)
{
    (void)state;
    const char *good = ":020000021000EC\n"   /* segment 0x1000 -> base 0x10000 */
                       ":0400000001020304F2\n"
                       ":02000800AABB91\r\n"
                       ":00000001FF\n";
    uint8_t *bin;
    size_t len;
    uint32_t base;
    char err[256];
    assert_int_equal(ihex_parse(good, strlen(good), &bin, &len, &base, err, sizeof(err)), 0);
    assert_int_equal(base, 0x10000);
    assert_int_equal(len, 10);
    const uint8_t expect[10] = {1, 2, 3, 4, 0xff, 0xff, 0xff, 0xff, 0xaa, 0xbb};
    assert_memory_equal(bin, expect, 10);
    free(bin);
    static const struct {
        const char *text, *expect;
    } bad[] = {
        {":0400000001020304F3\n:00000001FF\n", "checksum"},
        {":0400000001020304F2\n", "end-of-file"},
        {":0500000001020304F2\n:00000001FF\n", "length"},
        {":04000000010203G4F2\n:00000001FF\n", "hex digit"},
        {"0400000001020304F2\n:00000001FF\n", "not a valid record"},
        {":00000001FF\n", "no data"},
        /* two bytes 64 MiB + 64 KiB apart: refused before any large allocation */
        {":0100000000FF\n:020000040401F5\n:0100000000FF\n:00000001FF\n", "spans more than 64 MiB"},
    };
    for (size_t i = 0; i < N(bad); i++) {
        assert_int_not_equal(
            ihex_parse(bad[i].text, strlen(bad[i].text), &bin, &len, &base, err, sizeof(err)), 0);
        assert_non_null(strstr(err, bad[i].expect));
    }
}

/* Records that write the same address twice are refused at the first such address, with
 * Python intelhex's text (what upstream imgtool shows); adjacent records are not overlaps. */
static void test_ihex_overlap(void **state)
{
    (void)state;
    static const struct {
        const char *text, *expect;
    } cases[] = {
        {":0400000001020304F2\n:02000200AABB97\n:00000001FF\n",
         "Hex file has data overlap at address 0x2 on line 2"},
        /* the same 0x10003 reached through a segment and then a linear address record */
        {":020000021000EC\n:0400000001020304F2\n:020000040001F9\n\n:020003000707ED\n"
         ":00000001FF\n",
         "Hex file has data overlap at address 0x10003 on line 5"},
        {":10FFF000000102030405060708090A0B0C0D0E0F89\n:01FFFC0009FB\n:00000001FF\n",
         "Hex file has data overlap at address 0xFFFC on line 2"},
    };
    uint8_t *bin;
    size_t len;
    uint32_t base;
    char err[256];
    for (size_t i = 0; i < N(cases); i++) {
        assert_int_equal(ihex_parse(cases[i].text, strlen(cases[i].text), &bin, &len, &base, err,
                                    sizeof(err)),
                         DFU_EBADMSG);
        assert_string_equal(err, cases[i].expect);
    }
    const char *adjacent = ":0400000001020304F2\n:02000400AABB95\n:00000001FF\n";
    assert_int_equal(ihex_parse(adjacent, strlen(adjacent), &bin, &len, &base, err, sizeof(err)), 0);
    assert_int_equal(len, 6);
    free(bin);
}

/* Intel HEX writer: 16-byte records, split at holes and 64 KiB boundaries, 04 records when
 * the upper address changes, later segments overriding earlier ones. */
static void test_ihex_format(void **state)
{
    (void)state;
    uint8_t a[20], b2[2] = {0xee, 0xdd};
    for (size_t i = 0; i < sizeof(a); i++) {
        a[i] = (uint8_t)i;
    }
    struct ihex_segment segs[] = {{0xfff8, a, sizeof(a)}, {0x10010, b2, 2}, {0xfff8, b2, 1}};
    char *text;
    size_t len;
    assert_int_equal(ihex_format(segs, N(segs), &text, &len), 0);
    /* Checksums from the Intel HEX definition (two's complement of the byte sum). */
    const char *expect = ":020000040000FA\n"
                         ":08FFF800EE01020304050607F7\n"
                         ":020000040001F9\n"
                         ":0C00000008090A0B0C0D0E0F1011121352\n"
                         ":02001000EEDD23\n"
                         ":00000001FF\n";
    assert_int_equal(len, strlen(expect));
    assert_memory_equal(text, expect, len);
    /* Below 64 KiB no extended address record at all. */
    free(text);
    struct ihex_segment low = {0x100, a, 4};
    assert_int_equal(ihex_format(&low, 1, &text, &len), 0);
    assert_string_equal(text, ":0401000000010203F5\n:00000001FF\n");
    free(text);
}

/* A failed save leaves nothing behind; a good one leaves only the output. */
static void test_save_is_atomic(void **state)
{
    (void)state;
    struct imgbuild_opts o;
    base_opts(&o);
    struct imgbuild b;
    build(&b, &o);
    assert_int_not_equal(imgbuild_save(&b, TMP "/no/such/dir/out.bin", &o, false, 0), 0);
    /* .hex without any address: refused before writing. */
    assert_int_not_equal(imgbuild_save(&b, TMP "/out-noaddr.hex", &o, false, 0), 0);
    assert_int_not_equal(access(TMP "/out-noaddr.hex", F_OK), 0);
    assert_non_null(strstr(b.err, "No address"));
    assert_int_equal(imgbuild_save(&b, TMP "/out.hex", &o, true, 0x8000), 0);
    size_t len;
    uint8_t *hex = tu_read(TMP "/out.hex", &len);
    uint8_t *bin;
    size_t blen;
    uint32_t base;
    char err[256];
    assert_int_equal(ihex_parse((const char *)hex, len, &bin, &blen, &base, err, sizeof(err)), 0);
    assert_int_equal(base, 0x8000);
    assert_int_equal(blen, b.len);
    assert_memory_equal(bin, b.data, blen);
    free(bin);
    free(hex);
    imgbuild_free(&b);
}

/* An Intel HEX input keeps its address: a .hex output needs no -x, and --pad-header moves
 * the start down by the header size (as upstream adjusts base_addr). */
static void test_hex_input_address(void **state)
{
    (void)state;
    struct ihex_segment seg = {0x20000, body, sizeof(body)};
    char *text;
    size_t len;
    assert_int_equal(ihex_format(&seg, 1, &text, &len), 0);
    assert_int_equal(hostfile_write_atomic(TMP "/in.hex", text, len), 0);
    free(text);
    for (int pad = 0; pad < 2; pad++) {
        struct imgbuild_opts o;
        base_opts(&o);
        o.pad_header = pad == 1;
        o.slot_size = 0x8000;
        struct imgbuild b;
        imgbuild_init(&b);
        assert_int_equal(imgbuild_load(&b, TMP "/in.hex", &o), 0);
        assert_true(b.has_base);
        assert_int_equal(b.base, pad ? 0x20000 - 0x200 : 0x20000);
        assert_int_equal(imgbuild_create(&b, &o), 0);
        assert_int_equal(imgbuild_save(&b, TMP "/out-in.hex", &o, false, 0), 0);
        uint8_t *hex = tu_read(TMP "/out-in.hex", &len);
        uint8_t *bin;
        size_t blen;
        uint32_t base;
        char err[256];
        assert_int_equal(ihex_parse((const char *)hex, len, &bin, &blen, &base, err, sizeof(err)),
                         0);
        assert_int_equal(base, b.base);
        assert_int_equal(blen, b.len);
        assert_memory_equal(bin, b.data, blen);
        free(bin);
        free(hex);
        imgbuild_free(&b);
    }
}

/* dumpinfo and verify on corrupted layouts (random header/TLV length fields, truncations,
 * a trailer of garbage) never crash (ASan) and, when they refuse, say why in one line. */
static void test_corrupt_layouts_are_handled(void **state)
{
    (void)state;
    size_t len;
    uint8_t *ref = tu_read(VEC "signed-ecdsa-p256-pad-confirm.bin", &len);
    size_t keep = 0x19200 + 0x97 + 0x2000;  /* image, TLVs and some padding */
    memcpy(ref + keep - 16, ref + len - 16, 16);  /* keep a valid trailer magic at the end */
    uint8_t *img = malloc(keep);
    struct keys_key *k = tu_key(VEC "key-ecdsa-p256.pem");
    uint32_t x = 1;
    /* Offsets of the fields a malformed image lies about. */
    static const size_t fields[] = {8, 9, 10, 11, 12, 13, 14, 15, 0x19200, 0x19202, 0x19203,
                                    0x19206, 0x19207, 0x1922a, 0x1922b, 0x1924e, 0x1924f};
    int refused = 0;
    for (int i = 0; i < 400; i++) {
        memcpy(img, ref, keep);
        size_t n = keep;
        x = x * 1103515245u + 12345u;
        img[fields[(x >> 8) % N(fields)]] = (uint8_t)(x >> 20);
        if (i % 3 == 0) {
            n = (x >> 4) % keep;
        }
        if (i % 7 == 0) {
            memset(img + n - (n > 40 ? 40 : n), (int)(x & 0xff), n > 40 ? 40 : n);
        }
        char err[256] = "";
        struct image_info info;
        int rc = imgbuild_verify(img, n, k, &info, err, sizeof(err));
        if (rc) {
            refused++;
            assert_true(rc < 0);
            assert_true(err[0] != 0);
            assert_null(strchr(err, '\n'));
        }
        char *text = NULL;
        size_t tlen = 0;
        FILE *f = open_memstream(&text, &tlen);
        assert_non_null(f);
        err[0] = 0;
        rc = imgbuild_dumpinfo(f, "x.bin", img, n, err, sizeof(err));
        fclose(f);
        free(text);
        assert_true(rc == 0 || (rc < 0 && err[0] != 0 && !strchr(err, '\n')));
    }
    assert_true(refused > 300);
    keys_free(k);
    free(img);
    free(ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keygen_sign_verify_roundtrip),
        cmocka_unit_test(test_tamper_fails),
        cmocka_unit_test(test_malformed_images),
        cmocka_unit_test(test_unknown_protected_tlv),
        cmocka_unit_test(test_protected_tlv_bytes),
        cmocka_unit_test(test_header_flags),
        cmocka_unit_test(test_key_tlv_forms),
        cmocka_unit_test(test_sha_selection),
        cmocka_unit_test(test_trailer_variants),
        cmocka_unit_test(test_slot_too_small),
        cmocka_unit_test(test_header_area_must_be_zero),
        cmocka_unit_test(test_external_signing),
        cmocka_unit_test(test_pad_sig),
        cmocka_unit_test(test_bad_keys),
        cmocka_unit_test(test_traditional_pem),
        cmocka_unit_test(test_getpriv_getpubhash),
        cmocka_unit_test(test_ihex_parse),
        cmocka_unit_test(test_ihex_overlap),
        cmocka_unit_test(test_ihex_format),
        cmocka_unit_test(test_save_is_atomic),
        cmocka_unit_test(test_hex_input_address),
        cmocka_unit_test(test_corrupt_layouts_are_handled),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
