/* imgtool's encryption (sign -E, verify --enckey) at the library level: upstream's two
 * encrypted reference images verify on their plaintext; what we encrypt, for every key
 * exchange and both AES key sizes, unwraps and decrypts with the device library (src/enc) to
 * the exact plaintext and verifies; a wrong key and a flipped ciphertext byte are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/bytes.h"
#include "dfukit/enc.h"
#include "dfukit/err.h"
#include "imgtool_test_util.h"
#include "ramflash.h"

#define SLOT 0x60000u
#define HDR 0x200u

/* The device's view of an exchange key: its PKCS#8 DER, as getpriv prints it. */
struct devkey {
    struct enc_exchange_key xk;
    uint8_t *der;
};

static void devkey_from_pem(struct devkey *d, const struct keys_key *k)
{
    size_t len;
    assert_int_equal(keys_private_der(k, &d->der, &len), 0);
    d->xk = (struct enc_exchange_key){(enum enc_scheme)keys_enc_tlv(keys_get_type(k)), d->der,
                                      len};
}

/* The image's plaintext as the bootloader gets it: the key TLV unwrapped with the device key,
 * the payload decrypted in a slot-sized flash copy. Returns the unwrap result; on success
 * plain holds the image with its payload decrypted. */
static int device_decrypt(const uint8_t *img, size_t len, const struct enc_exchange_key *xk,
                          uint8_t *plain)
{
    memset(plain, 0xff, SLOT);
    memcpy(plain, img, len);
    struct ramflash rf;
    ramflash_init(&rf, plain, SLOT, 0x1000, 8, 0xff);
    struct flash_area fa = ramflash_area(&rf, 0, SLOT, 1);
    struct image_header hdr;
    assert_int_equal(image_header_read(&fa, &hdr), 0);
    struct enc_key key;
    int rc = enc_image_key(&fa, &hdr, xk, &key);
    if (rc == 0) {
        assert_int_equal(enc_payload_xor(&key, &hdr, 0, plain, (uint32_t)len), 0);
    }
    return rc;
}

static void test_reference_images_verify_decrypted(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {VEC "signed-ecdsa-p256-enc-ec256.bin", VEC "enckey-ecdsa-p256.pem", VEC "pub-ecdsa-p256.pem"},
        {VEC "signed-ed25519-enc-x25519.bin", VEC "key-x25519.pem", VEC "pub-ed25519.pem"},
    };
    size_t in_len;
    uint8_t *input = tu_read(VEC "input.bin", &in_len);
    uint8_t *plain = malloc(SLOT);
    for (size_t i = 0; i < 2; i++) {
        size_t len;
        uint8_t *img = tu_read(cases[i][0], &len);
        struct keys_key *xkey = tu_key(cases[i][1]), *sig = tu_key(cases[i][2]);
        struct devkey d;
        devkey_from_pem(&d, xkey);
        struct image_info info;
        char err[IMGBUILD_ERR_LEN];
        assert_int_equal(imgbuild_verify_enc(img, len, sig, &d.xk, &info, err, sizeof(err)), 0);
        assert_int_equal(info.key_index, 0);
        /* Without the key the hash cannot be checked, and the reason is given. */
        assert_int_equal(imgbuild_verify(img, len, sig, &info, err, sizeof(err)), DFU_ENOTSUP);
        assert_non_null(strstr(err, "cannot be checked without the device's decryption key"));
        /* Our decryption gives exactly input.bin. */
        assert_int_equal(device_decrypt(img, len, &d.xk, plain), 0);
        assert_memory_equal(plain + HDR, input, in_len);
        free(d.der);
        keys_free(xkey);
        keys_free(sig);
        free(img);
    }
    free(plain);
    free(input);
}

/* Signs input.bin with the vectors' ARGS and -E for the given exchange key or KEK. */
static void sign_enc(struct imgbuild *b, const struct keys_key *sig, const struct keys_key *xk,
                     const uint8_t *kek, size_t kek_len, unsigned keylen, bool clear)
{
    struct imgbuild_opts o;
    tu_vector_opts(&o);
    o.key = sig;
    o.enc_key = xk;
    o.enc_kek = kek;
    o.enc_kek_len = kek_len;
    o.enc_keylen = keylen;
    o.enc_clear = clear;
    tu_sign_input(b, &o);
}

/* Every scheme and key size: the TLV sizes, the header flag, decryption by the device library
 * to the exact plaintext, verify --enckey, and refusal of another key and of a flipped byte. */
static void test_ours_decrypt_with_the_device_library(void **state)
{
    (void)state;
    size_t in_len;
    uint8_t *input = tu_read(VEC "input.bin", &in_len);
    uint8_t *plain = malloc(SLOT);
    struct keys_key *p256, *p256b, *x25519, *x25519b, *rsa, *rsab;
    struct keys_key *ed = tu_key(VEC "key-ed25519.pem");
    assert_int_equal(keys_generate(&p256, KEYS_ECDSA_P256), 0);
    assert_int_equal(keys_generate(&p256b, KEYS_ECDSA_P256), 0);
    assert_int_equal(keys_generate(&x25519, KEYS_X25519), 0);
    assert_int_equal(keys_generate(&x25519b, KEYS_X25519), 0);
    assert_int_equal(keys_generate(&rsa, KEYS_RSA2048), 0);
    assert_int_equal(keys_generate(&rsab, KEYS_RSA2048), 0);
    uint8_t kek[32], kek_other[32];
    assert_int_equal(keys_random(kek, sizeof(kek)), 0);
    memcpy(kek_other, kek, sizeof(kek));
    kek_other[0] ^= 1;
    const struct {
        const struct keys_key *sig, *xk, *other;
        size_t kek_len;
        uint16_t tlv;
        size_t tlv_len[2];  /* AES-128, AES-256 */
    } cases[] = {
        {p256, p256, p256b, 0, IMAGE_TLV_ENC_EC256, {113, 129}},
        {ed, x25519, x25519b, 0, IMAGE_TLV_ENC_X25519, {80, 96}},
        {rsa, rsa, rsab, 0, IMAGE_TLV_ENC_RSA2048, {256, 256}},
        {ed, NULL, NULL, 16, IMAGE_TLV_ENC_KW, {24, 40}},
        {ed, NULL, NULL, 32, IMAGE_TLV_ENC_KW, {24, 40}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (unsigned k = 0; k < 2; k++) {
            unsigned keylen = k ? 256 : 128;
            struct imgbuild b;
            sign_enc(&b, cases[i].sig, cases[i].xk, cases[i].xk ? NULL : kek, cases[i].kek_len,
                     keylen, false);
            assert_int_equal(load32_le(b.data + 16),
                             k ? IMAGE_F_ENCRYPTED_AES256 : IMAGE_F_ENCRYPTED_AES128);
            /* The key TLV is the last one, of upstream's length. */
            size_t tl = cases[i].tlv_len[k];
            assert_int_equal(load16_le(b.data + b.len - tl - 4), cases[i].tlv);
            assert_int_equal(load16_le(b.data + b.len - tl - 2), tl);
            assert_memory_not_equal(b.data + HDR, input, in_len);

            struct devkey d = {0};
            if (cases[i].xk) {
                devkey_from_pem(&d, cases[i].xk);
            } else {
                d.xk = (struct enc_exchange_key){ENC_SCHEME_KW, kek, cases[i].kek_len};
            }
            assert_int_equal(device_decrypt(b.data, b.len, &d.xk, plain), 0);
            assert_memory_equal(plain + HDR, input, in_len);
            struct image_info info;
            char err[IMGBUILD_ERR_LEN];
            assert_int_equal(
                imgbuild_verify_enc(b.data, b.len, cases[i].sig, &d.xk, &info, err, sizeof(err)),
                0);

            /* Another device key of the same kind: the unwrap fails (ECIES tag, OAEP
             * padding, KW integrity check). */
            struct devkey o = {0};
            if (cases[i].other) {
                devkey_from_pem(&o, cases[i].other);
            } else {
                o.xk = (struct enc_exchange_key){ENC_SCHEME_KW, kek_other, cases[i].kek_len};
            }
            assert_int_equal(
                imgbuild_verify_enc(b.data, b.len, cases[i].sig, &o.xk, &info, err, sizeof(err)),
                DFU_ESIG);
            assert_non_null(strstr(err, "does not unwrap with this key"));
            /* A key of another kind finds no key TLV of its scheme. */
            struct devkey w;
            devkey_from_pem(&w, cases[i].tlv == IMAGE_TLV_ENC_EC256 ? x25519 : p256);
            assert_int_equal(
                imgbuild_verify_enc(b.data, b.len, cases[i].sig, &w.xk, &info, err, sizeof(err)),
                DFU_ENOENT);
            assert_non_null(strstr(err, "encrypted for another kind of key"));
            free(w.der);
            /* A flipped ciphertext byte: the plaintext hash no longer matches. */
            b.data[HDR + 1000] ^= 0x40;
            assert_int_equal(
                imgbuild_verify_enc(b.data, b.len, cases[i].sig, &d.xk, &info, err, sizeof(err)),
                DFU_ESIG);
            assert_non_null(strstr(err, "damaged ciphertext"));
            free(o.der);
            free(d.der);
            imgbuild_free(&b);
        }
    }
    keys_free(p256);
    keys_free(p256b);
    keys_free(x25519);
    keys_free(x25519b);
    keys_free(rsa);
    keys_free(rsab);
    keys_free(ed);
    free(plain);
    free(input);
}

/* --clear: flagged and keyed, the payload left as it was; the key still unwraps. */
static void test_clear_keeps_the_payload(void **state)
{
    (void)state;
    size_t in_len;
    uint8_t *input = tu_read(VEC "input.bin", &in_len);
    struct keys_key *x = tu_key(VEC "pub-x25519.pem"), *ed = tu_key(VEC "key-ed25519.pem");
    struct imgbuild b;
    sign_enc(&b, ed, x, NULL, 0, 128, true);
    assert_int_equal(load32_le(b.data + 16), IMAGE_F_ENCRYPTED_AES128);
    assert_memory_equal(b.data + HDR, input, in_len);
    assert_int_equal(load16_le(b.data + b.len - 84), IMAGE_TLV_ENC_X25519);
    imgbuild_free(&b);
    keys_free(x);
    keys_free(ed);
    free(input);
}

static int emit_priv(FILE *f, void *arg)
{
    char err[128];
    return keys_emit_private(f, arg, false, NULL, err, sizeof(err));
}

/* getpriv prints the exchange key as the C array the bootloader compiles in: those bytes,
 * taken as the device key, decrypt upstream's reference images to input.bin. */
static void test_getpriv_array_is_the_device_key(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {VEC "signed-ecdsa-p256-enc-ec256.bin", VEC "enckey-ecdsa-p256.pem"},
        {VEC "signed-ed25519-enc-x25519.bin", VEC "key-x25519.pem"},
    };
    size_t in_len;
    uint8_t *input = tu_read(VEC "input.bin", &in_len);
    uint8_t *plain = malloc(SLOT);
    for (size_t i = 0; i < 2; i++) {
        struct keys_key *k = tu_key(cases[i][1]);
        size_t tlen;
        int rc;
        char *text = tu_capture(emit_priv, k, &tlen, &rc);
        assert_int_equal(rc, 0);
        assert_non_null(strstr(text, "const unsigned char enc_priv_key[] = {"));
        uint8_t der[256];
        size_t n = 0;
        for (char *p = strstr(text, "{"); (p = strstr(p, "0x")) != NULL && n < sizeof(der); p += 2) {
            der[n++] = (uint8_t)strtoul(p, NULL, 16);
        }
        struct enc_exchange_key xk = {(enum enc_scheme)keys_enc_tlv(keys_get_type(k)), der, n};
        size_t len;
        uint8_t *img = tu_read(cases[i][0], &len);
        assert_int_equal(device_decrypt(img, len, &xk, plain), 0);
        assert_memory_equal(plain + HDR, input, in_len);
        free(img);
        free(text);
        keys_free(k);
    }
    free(plain);
    free(input);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_images_verify_decrypted),
        cmocka_unit_test(test_ours_decrypt_with_the_device_library),
        cmocka_unit_test(test_clear_keeps_the_payload),
        cmocka_unit_test(test_getpriv_array_is_the_device_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
