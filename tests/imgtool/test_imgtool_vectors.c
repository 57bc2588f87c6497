/* imgtool against upstream's reference files (tests/vectors/imgtool): signing with the
 * vectors' ARGS, verify, dumpinfo, getpub, Intel HEX output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/bytes.h"
#include "dfukit/err.h"
#include "imgtool_test_util.h"

static const char *const sign_types[] = {"rsa-2048", "rsa-3072", "ecdsa-p256", "ecdsa-p384",
                                         "ed25519"};
static const char *const all_types[] = {"rsa-2048",   "rsa-3072", "ecdsa-p256",
                                        "ecdsa-p384", "ed25519",  "x25519"};
#define N(a) (sizeof(a) / sizeof((a)[0]))

static char *path_of(char *buf, size_t len, const char *fmt, const char *t)
{
    snprintf(buf, len, fmt, t);
    return buf;
}

static uint16_t sig_tlv_of(const char *type)
{
    enum keys_type t;
    assert_int_equal(keys_type_parse(&t, type), 0);
    return keys_sig_tlv(t);
}

/* Our sign of input.bin with ARGS equals the reference outside the signature TLV; in full for
 * Ed25519 (deterministic signatures). */
static void test_sign_matches_reference(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(sign_types); i++) {
        char p[512];
        struct imgbuild_opts o;
        tu_vector_opts(&o);
        o.key = tu_key(path_of(p, sizeof(p), VEC "key-%s.pem", sign_types[i]));
        struct imgbuild b;
        tu_sign_input(&b, &o);
        size_t rlen;
        uint8_t *ref = tu_read(path_of(p, sizeof(p), VEC "signed-%s.bin", sign_types[i]), &rlen);
        tu_assert_same_but_sig(b.data, b.len, ref, rlen, sig_tlv_of(sign_types[i]));
        if (strcmp(sign_types[i], "ed25519") == 0) {
            assert_int_equal(b.len, rlen);
            assert_memory_equal(b.data, ref, rlen);
        }
        /* And it verifies with the key. */
        struct image_info info;
        char err[256];
        assert_int_equal(imgbuild_verify(b.data, b.len, o.key, &info, err, sizeof(err)), 0);
        free(ref);
        imgbuild_free(&b);
        keys_free((struct keys_key *)o.key);
    }
}

/* ARGS --pad --confirm: padded to the slot, magic and image_ok at the slot end. */
static void test_pad_confirm_matches_reference(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(sign_types); i++) {
        char p[512];
        struct imgbuild_opts o;
        tu_vector_opts(&o);
        o.pad = o.confirm = true;
        o.key = tu_key(path_of(p, sizeof(p), VEC "key-%s.pem", sign_types[i]));
        struct imgbuild b;
        tu_sign_input(&b, &o);
        size_t len, rlen;
        uint8_t *img = tu_padded(&b, &o, &len);
        uint8_t *ref =
            tu_read(path_of(p, sizeof(p), VEC "signed-%s-pad-confirm.bin", sign_types[i]), &rlen);
        assert_int_equal(len, 0x60000);
        tu_assert_same_but_sig(img, len, ref, rlen, sig_tlv_of(sign_types[i]));
        if (strcmp(sign_types[i], "ed25519") == 0) {
            assert_memory_equal(img, ref, rlen);
        }
        free(img);
        free(ref);
        imgbuild_free(&b);
        keys_free((struct keys_key *)o.key);
    }
}

/* --pure: SHA512 + SIG_PURE + Ed25519 over the image itself, identical to upstream. */
static void test_pure_identical(void **state)
{
    (void)state;
    struct imgbuild_opts o;
    tu_vector_opts(&o);
    o.pure = true;
    o.key = tu_key(VEC "key-ed25519.pem");
    struct imgbuild b;
    tu_sign_input(&b, &o);
    size_t rlen;
    uint8_t *ref = tu_read(VEC "signed-ed25519-pure.bin", &rlen);
    assert_int_equal(b.len, rlen);
    assert_memory_equal(b.data, ref, rlen);
    free(ref);
    imgbuild_free(&b);
    keys_free((struct keys_key *)o.key);
}

/* --pure with a key that is not Ed25519 is refused. */
static void test_pure_needs_ed25519(void **state)
{
    (void)state;
    struct imgbuild_opts o;
    tu_vector_opts(&o);
    o.pure = true;
    o.key = tu_key(VEC "key-ecdsa-p256.pem");
    struct imgbuild b;
    imgbuild_init(&b);
    assert_int_equal(imgbuild_load(&b, VEC "input.bin", &o), 0);
    assert_int_equal(imgbuild_create(&b, &o), DFU_EINVAL);
    assert_non_null(strstr(b.err, "ed25519"));
    imgbuild_free(&b);
    keys_free((struct keys_key *)o.key);
}

/* -x 0x10000 to .hex: decoded, the same image at 0x10000; and the records before the
 * signature are the same lines as upstream's file. */
static void test_hex_output_matches_reference(void **state)
{
    (void)state;
    struct imgbuild_opts o;
    tu_vector_opts(&o);
    o.key = tu_key(VEC "key-ecdsa-p256.pem");
    struct imgbuild b;
    tu_sign_input(&b, &o);
    struct ihex_segment seg = {0x10000, b.data, b.len};
    char *text;
    size_t tlen;
    assert_int_equal(ihex_format(&seg, 1, &text, &tlen), 0);

    size_t rlen;
    uint8_t *ref = tu_read(VEC "signed-ecdsa-p256.hex", &rlen);
    uint8_t *rbin, *obin;
    size_t rblen, oblen;
    uint32_t rbase, obase;
    char err[256];
    assert_int_equal(ihex_parse((const char *)ref, rlen, &rbin, &rblen, &rbase, err, sizeof(err)),
                     0);
    assert_int_equal(ihex_parse(text, tlen, &obin, &oblen, &obase, err, sizeof(err)), 0);
    assert_int_equal(rbase, 0x10000);
    assert_int_equal(obase, 0x10000);
    tu_assert_same_but_sig(obin, oblen, rbin, rblen, IMAGE_TLV_ECDSA_SIG);
    /* Text identical up to the record holding the start of the unprotected TLV area. */
    size_t unprot = 0x200 + 0x19000;
    size_t same_lines = 1 + unprot / 16 + 1;  /* 04 records: 0x1 and 0x2 */
    size_t pos = 0, lines = 0;
    while (pos < tlen && pos < rlen && lines < same_lines - 1) {
        assert_int_equal(text[pos], ref[pos]);
        if (text[pos] == '\n') {
            lines++;
        }
        pos++;
    }
    assert_int_equal(lines, same_lines - 1);
    free(text);
    free(ref);
    free(rbin);
    free(obin);
    imgbuild_free(&b);
    keys_free((struct keys_key *)o.key);
}

/* The writer reproduces upstream's Intel HEX exactly: parse + format is the identity. */
static void test_hex_writer_reproduces_reference(void **state)
{
    (void)state;
    size_t rlen;
    uint8_t *ref = tu_read(VEC "signed-ecdsa-p256.hex", &rlen);
    uint8_t *bin;
    size_t blen;
    uint32_t base;
    char err[256];
    assert_int_equal(ihex_parse((const char *)ref, rlen, &bin, &blen, &base, err, sizeof(err)), 0);
    struct ihex_segment seg = {base, bin, blen};
    char *text;
    size_t tlen;
    assert_int_equal(ihex_format(&seg, 1, &text, &tlen), 0);
    assert_int_equal(tlen, rlen);
    assert_memory_equal(text, ref, rlen);
    free(text);
    free(bin);
    free(ref);
}

/* Every reference image verifies with its private and its public key, and not with another
 * type's key. */
static void test_verify_references(void **state)
{
    (void)state;
    static const char *const images[] = {
        "rsa-2048",   "rsa-2048-pad-confirm",   "rsa-3072",   "rsa-3072-pad-confirm",
        "ecdsa-p256", "ecdsa-p256-pad-confirm", "ecdsa-p384", "ecdsa-p384-pad-confirm",
        "ed25519",    "ed25519-pad-confirm",    "ed25519-pure",
    };
    for (size_t i = 0; i < N(images); i++) {
        char p[512], type[32];
        snprintf(type, sizeof(type), "%s", images[i]);
        char *dash = strstr(type, "-pad");
        dash = dash ? dash : strstr(type, "-pure");
        if (dash) {
            *dash = 0;
        }
        size_t len;
        uint8_t *img = tu_read(path_of(p, sizeof(p), VEC "signed-%s.bin", images[i]), &len);
        struct keys_key *priv = tu_key(path_of(p, sizeof(p), VEC "key-%s.pem", type));
        struct keys_key *pub = tu_key(path_of(p, sizeof(p), VEC "pub-%s.pem", type));
        struct image_info info;
        char err[256];
        assert_int_equal(imgbuild_verify(img, len, priv, &info, err, sizeof(err)), 0);
        assert_int_equal(imgbuild_verify(img, len, pub, &info, err, sizeof(err)), 0);
        assert_int_equal(info.hdr.ver.build, 4);
        /* A key of another type (and so another key hash) is refused. */
        const char *other = strcmp(type, "ed25519") == 0 ? "ecdsa-p256" : "ed25519";
        struct keys_key *wrong = tu_key(path_of(p, sizeof(p), VEC "key-%s.pem", other));
        assert_int_equal(imgbuild_verify(img, len, wrong, &info, err, sizeof(err)), DFU_ESIG);
        assert_true(strlen(err) > 0 && strchr(err, '\n') == NULL);
        keys_free(priv);
        keys_free(pub);
        keys_free(wrong);
        free(img);
    }
}

/* A key of the same type but another key: refused too. */
static void test_verify_same_type_other_key(void **state)
{
    (void)state;
    struct keys_key *other;
    assert_int_equal(keys_generate(&other, KEYS_ECDSA_P256), 0);
    size_t len;
    uint8_t *img = tu_read(VEC "signed-ecdsa-p256.bin", &len);
    struct image_info info;
    char err[256];
    assert_int_equal(imgbuild_verify(img, len, other, &info, err, sizeof(err)), DFU_ESIG);
    free(img);
    keys_free(other);
}

struct dump_arg {
    const char *name;
    const uint8_t *img;
    size_t len;
    char err[256];
};

static int dump_fn(FILE *f, void *p)
{
    struct dump_arg *a = p;
    return imgbuild_dumpinfo(f, a->name, a->img, a->len, a->err, sizeof(a->err));
}

/* dumpinfo of every reference equals upstream's text byte for byte. */
static void test_dumpinfo_references(void **state)
{
    (void)state;
    static const char *const images[] = {
        "rsa-2048",   "rsa-2048-pad-confirm",   "rsa-3072",   "rsa-3072-pad-confirm",
        "ecdsa-p256", "ecdsa-p256-pad-confirm", "ecdsa-p384", "ecdsa-p384-pad-confirm",
        "ed25519",    "ed25519-pad-confirm",    "ed25519-pure",
    };
    for (size_t i = 0; i < N(images); i++) {
        char p[512], name[128];
        size_t len, tlen, olen;
        uint8_t *img = tu_read(path_of(p, sizeof(p), VEC "signed-%s.bin", images[i]), &len);
        uint8_t *txt = tu_read(path_of(p, sizeof(p), VEC "dumpinfo-signed-%s.txt", images[i]),
                               &tlen);
        snprintf(name, sizeof(name), "signed-%s.bin", images[i]);
        struct dump_arg a = {name, img, len, ""};
        int rc;
        char *out = tu_capture(dump_fn, &a, &olen, &rc);
        assert_int_equal(rc, 0);
        assert_int_equal(olen, tlen);
        assert_memory_equal(out, txt, tlen);
        free(out);
        free(img);
        free(txt);
    }
}

struct emit_arg {
    const struct keys_key *key;
    enum keys_encoding enc;
};

static int emit_fn(FILE *f, void *p)
{
    struct emit_arg *a = p;
    return keys_emit_public(f, a->key, a->enc);
}

/* getpub -e pem and -l c equal the reference files for every key type. */
static void test_getpub_references(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(all_types); i++) {
        char p[512];
        struct keys_key *k = tu_key(path_of(p, sizeof(p), VEC "key-%s.pem", all_types[i]));
        static const struct {
            enum keys_encoding enc;
            const char *fmt;
        } forms[] = {{KEYS_ENC_PEM, VEC "pub-%s.pem"}, {KEYS_ENC_LANG_C, VEC "pub-%s.c"}};
        for (size_t f = 0; f < N(forms); f++) {
            size_t rlen, olen;
            uint8_t *ref = tu_read(path_of(p, sizeof(p), forms[f].fmt, all_types[i]), &rlen);
            struct emit_arg a = {k, forms[f].enc};
            int rc;
            char *out = tu_capture(emit_fn, &a, &olen, &rc);
            assert_int_equal(rc, 0);
            assert_int_equal(olen, rlen);
            assert_memory_equal(out, ref, rlen);
            free(out);
            free(ref);
        }
        /* A public-key PEM gives the same public bytes as its private key. */
        struct keys_key *pub = tu_key(path_of(p, sizeof(p), VEC "pub-%s.pem", all_types[i]));
        uint8_t a[KEYS_PUB_MAX], b[KEYS_PUB_MAX];
        int na = keys_public_bytes(k, a, sizeof(a)), nb = keys_public_bytes(pub, b, sizeof(b));
        assert_true(na > 0);
        assert_int_equal(na, nb);
        assert_memory_equal(a, b, (size_t)na);
        assert_false(keys_is_private(pub));
        assert_true(keys_is_private(k));
        keys_free(pub);
        keys_free(k);
    }
}

/* The KEYHASH TLV in the references is SHA-256 of the key bytes (SHA-384 for P-384). */
static void test_keyhash_matches_reference(void **state)
{
    (void)state;
    char p[512];
    for (size_t i = 0; i < N(sign_types); i++) {
        size_t len;
        uint8_t *img = tu_read(path_of(p, sizeof(p), VEC "signed-%s.bin", sign_types[i]), &len);
        struct keys_key *k = tu_key(path_of(p, sizeof(p), VEC "key-%s.pem", sign_types[i]));
        uint8_t pub[KEYS_PUB_MAX], h[64];
        int n = keys_public_bytes(k, pub, sizeof(pub));
        bool p384 = strcmp(sign_types[i], "ecdsa-p384") == 0;
        assert_int_equal(crypto_hash(p384 ? CRYPTO_SHA384 : CRYPTO_SHA256, pub, (size_t)n, h), 0);
        /* KEYHASH follows the hash TLV in the unprotected area. */
        size_t off = 0x19200 + 4;
        off += 4 + load16_le(img + off + 2);
        assert_int_equal(load16_le(img + off), IMAGE_TLV_KEYHASH);
        assert_memory_equal(img + off + 4, h, p384 ? 48 : 32);
        keys_free(k);
        free(img);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_matches_reference),
        cmocka_unit_test(test_pad_confirm_matches_reference),
        cmocka_unit_test(test_pure_identical),
        cmocka_unit_test(test_pure_needs_ed25519),
        cmocka_unit_test(test_hex_output_matches_reference),
        cmocka_unit_test(test_hex_writer_reproduces_reference),
        cmocka_unit_test(test_verify_references),
        cmocka_unit_test(test_verify_same_type_other_key),
        cmocka_unit_test(test_dumpinfo_references),
        cmocka_unit_test(test_getpub_references),
        cmocka_unit_test(test_keyhash_matches_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
