/* The encryption library: the ECIES derivation against OpenSSL's own HKDF, seal/open, the
 * payload transform at any offset, the RSA-OAEP and AES-KW unwraps, the crypto port's
 * primitives against published test vectors, and upstream imgtool's two encrypted reference
 * images (unwrapped with their exchange keys and decrypted to the exact plaintext input.bin).
 * Built three times: on the OpenSSL backend (enc_lib), on the BearSSL one (enc_lib_bearssl), and
 * with ENC_SCHEMES set to ECIES-P256 alone as dfuboot-enc is (enc_lib_ec256_only), where the
 * other schemes' keys are DFU_ENOTSUP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "dfukit/crypto.h"
#include "dfukit/enc.h"
#include "dfukit/err.h"
#include "ramflash.h"
#include "test_files.h"

#define VEC DFU_VECTORS_DIR "/imgtool/"

/* What an unwrap that works returns in this build: 0, or DFU_ENOTSUP for a scheme left out. */
#define BUILT(scheme, rc) (ENC_HAS_SCHEME(scheme) ? (rc) : DFU_ENOTSUP)

/* The DER inside a PEM file (PKCS#8 "PRIVATE KEY"). malloc'd. */
static uint8_t *pem_der(const char *path, size_t *len)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long n = 0;
    assert_int_equal(PEM_read(f, &name, &header, &data, &n), 1);
    fclose(f);
    uint8_t *out = malloc((size_t)n);
    memcpy(out, data, (size_t)n);
    *len = (size_t)n;
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    return out;
}

/* RFC 5869 HKDF by OpenSSL (an implementation that is not ours). */
static void openssl_hkdf(const uint8_t *ikm, size_t ikm_len, uint8_t *out, size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
    OSSL_PARAM p[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikm_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)ENC_ECIES_INFO, 16),
        OSSL_PARAM_construct_end(),
    };
    assert_int_equal(EVP_KDF_derive(ctx, out, out_len, p), 1);
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
}

static void test_kdf_is_rfc5869_hkdf(void **state)
{
    (void)state;
    uint8_t shared[32], kek[32], mac[32], want[64];
    for (int i = 0; i < 32; i++) {
        shared[i] = (uint8_t)(i * 7 + 1);
    }
    for (size_t key_len = 16; key_len <= 32; key_len += 16) {
        openssl_hkdf(shared, sizeof shared, want, key_len + 32);
        assert_int_equal(enc_ecies_kdf(shared, sizeof shared, key_len, kek, mac), 0);
        assert_memory_equal(kek, want, key_len);
        assert_memory_equal(mac, want + key_len, 32);
    }
    assert_int_equal(enc_ecies_kdf(shared, sizeof shared, 24, kek, mac), DFU_EINVAL);
}

static void test_seal_open(void **state)
{
    (void)state;
    uint8_t shared[32] = {1, 2, 3}, key[16], tag[32], cipher[16], back[16];
    for (int i = 0; i < 16; i++) {
        key[i] = (uint8_t)(0xa0 + i);
    }
    assert_int_equal(enc_ecies_seal(shared, 32, key, 16, tag, cipher), 0);
    assert_memory_not_equal(cipher, key, 16);
    assert_int_equal(enc_ecies_open(shared, 32, tag, cipher, 16, back), 0);
    assert_memory_equal(back, key, 16);
    shared[0] ^= 1;  /* another device key: another shared secret */
    assert_int_equal(enc_ecies_open(shared, 32, tag, cipher, 16, back), DFU_ESIG);
    shared[0] ^= 1;
    cipher[3] ^= 0x10;
    assert_int_equal(enc_ecies_open(shared, 32, tag, cipher, 16, back), DFU_ESIG);
}

/* Any split of a buffer gives the same bytes as one call, header and TLV bytes untouched. */
static void test_payload_xor_any_offset(void **state)
{
    (void)state;
    struct enc_key k = {.len = 16};
    for (int i = 0; i < 16; i++) {
        k.bytes[i] = (uint8_t)i;
    }
    struct image_header hdr = {.hdr_size = 0x20, .img_size = 1000};
    static uint8_t whole[1200], parts[1200];
    for (size_t i = 0; i < sizeof whole; i++) {
        whole[i] = parts[i] = (uint8_t)(i * 31);
    }
    assert_int_equal(enc_payload_xor(&k, &hdr, 0, whole, sizeof whole), 0);
    for (uint32_t off = 0; off < sizeof parts;) {
        uint32_t n = 1 + (off * 13) % 37;
        if (n > sizeof parts - off) {
            n = (uint32_t)sizeof parts - off;
        }
        assert_int_equal(enc_payload_xor(&k, &hdr, off, parts + off, n), 0);
        off += n;
    }
    assert_memory_equal(whole, parts, sizeof whole);
    for (size_t i = 0; i < sizeof whole; i++) {
        bool payload = i >= 0x20 && i < 0x20 + 1000;
        if (!payload) {
            assert_int_equal(whole[i], (uint8_t)(i * 31));
        }
    }
    assert_memory_not_equal(whole + 0x20, parts, 16);
    /* The keystream is AES-CTR from counter 0 at the payload start. */
    uint8_t ks[16] = {0};
    static const uint8_t iv[12];
    assert_int_equal(crypto_aes_ctr(k.bytes, 16, iv, 0, ks, 16), 0);
    for (int i = 0; i < 16; i++) {
        assert_int_equal(whole[0x20 + i], (uint8_t)((uint8_t)((0x20 + i) * 31) ^ ks[i]));
    }
}

/* A reference image in RAM flash; *key from its exchange key. */
struct loaded {
    uint8_t *img;
    size_t len;
    struct ramflash rf;
    struct flash_area fa;
    struct image_header hdr;
};

static void load(struct loaded *l, const char *name)
{
    l->img = tf_read_file(name, &l->len);
    size_t size = (l->len + 4095) / 4096 * 4096;
    l->img = realloc(l->img, size);
    memset(l->img + l->len, 0xff, size - l->len);
    ramflash_init(&l->rf, l->img, (uint32_t)size, 4096, 8, 0xff);
    l->fa = ramflash_area(&l->rf, 0, (uint32_t)size, 1);
    assert_int_equal(image_header_read(&l->fa, &l->hdr), 0);
}

static void check_reference(const char *image, const char *keyfile, enum enc_scheme scheme)
{
    struct loaded l;
    load(&l, image);
    size_t der_len, plain_len;
    uint8_t *der = pem_der(keyfile, &der_len);
    uint8_t *plain = tf_read_file(VEC "input.bin", &plain_len);
    struct enc_exchange_key xk = {scheme, der, der_len};
    struct enc_key key;
    assert_int_equal(enc_image_key_len(&l.hdr), 16);
    int rc = enc_image_key(&l.fa, &l.hdr, &xk, &key);
    assert_int_equal(rc, BUILT(scheme, 0));
    if (rc != 0) {
        assert_int_equal(key.len, 0);
        free(plain);
        free(der);
        free(l.img);
        return;
    }
    assert_int_equal(key.len, 16);
    uint8_t *body = l.img + l.hdr.hdr_size;
    assert_int_equal(l.hdr.img_size, plain_len);
    assert_memory_not_equal(body, plain, 64);
    /* Decrypt in odd-sized pieces, as a copy through a small buffer would. */
    for (uint32_t off = 0; off < l.len;) {
        uint32_t n = l.len - off < 1000 ? (uint32_t)l.len - off : 1000;
        assert_int_equal(enc_payload_xor(&key, &l.hdr, off, l.img + off, n), 0);
        off += n;
    }
    assert_memory_equal(body, plain, plain_len);
    free(plain);
    free(der);
    free(l.img);
}

static void test_reference_ec256(void **state)
{
    (void)state;
    check_reference(VEC "signed-ecdsa-p256-enc-ec256.bin", VEC "enckey-ecdsa-p256.pem",
                    ENC_SCHEME_EC256);
}

static void test_reference_x25519(void **state)
{
    (void)state;
    check_reference(VEC "signed-ed25519-enc-x25519.bin", VEC "key-x25519.pem", ENC_SCHEME_X25519);
}

/* Another exchange key of the right kind: the tag does not verify. Of the wrong kind: refused. */
static void test_reference_wrong_key(void **state)
{
    (void)state;
    struct loaded l;
    load(&l, VEC "signed-ecdsa-p256-enc-ec256.bin");
    size_t len;
    uint8_t *der = pem_der(VEC "key-ecdsa-p256.pem", &len);
    struct enc_exchange_key xk = {ENC_SCHEME_EC256, der, len};
    struct enc_key key;
    assert_int_equal(enc_image_key(&l.fa, &l.hdr, &xk, &key), DFU_ESIG);
    free(der);
    der = pem_der(VEC "key-x25519.pem", &len);
    xk = (struct enc_exchange_key){ENC_SCHEME_X25519, der, len};
    assert_int_equal(enc_image_key(&l.fa, &l.hdr, &xk, &key), DFU_ENOENT);  /* no X25519 TLV */
    xk.scheme = ENC_SCHEME_EC256;
    assert_int_equal(enc_image_key(&l.fa, &l.hdr, &xk, &key), DFU_EINVAL);  /* not a P-256 key */
    free(der);
    free(l.img);
}

/* Hex string to bytes; returns the length. */
static size_t unhex(const char *h, uint8_t *out)
{
    size_t n = 0;
    for (; h[0] && h[1]; h += 2) {
        unsigned v;
        assert_int_equal(sscanf(h, "%2x", &v), 1);
        out[n++] = (uint8_t)v;
    }
    return n;
}

/* RFC 4231 test case 2, RFC 7748 section 6.1, RFC 3394 section 4.1, SP 800-38A F.5.1. */
static void test_port_vectors(void **state)
{
    (void)state;
    uint8_t a[64], b[64], c[64], out[64];
    assert_int_equal(crypto_hmac_sha256((const uint8_t *)"Jefe", 4, "what do ya want for nothing?",
                                        28, out), 0);
    unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", a);
    assert_memory_equal(out, a, 32);

    unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", a);
    unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", b);
    unhex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", c);
    assert_int_equal(crypto_x25519(a, b, out), 0);
    assert_memory_equal(out, c, 32);

    unhex("000102030405060708090a0b0c0d0e0f", a);
    size_t n = unhex("1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5", b);
    unhex("00112233445566778899aabbccddeeff", c);
    assert_int_equal(crypto_aes_kw_unwrap(a, 16, b, n, out), 0);
    assert_memory_equal(out, c, 16);
    b[5] ^= 1;
    assert_int_equal(crypto_aes_kw_unwrap(a, 16, b, n, out), DFU_ESIG);
    b[5] ^= 1;
    /* the same through the key-TLV unwrap, as an ENC_KW image carries it */
    struct enc_exchange_key kw = {ENC_SCHEME_KW, a, 16};
    struct enc_key key;
    assert_int_equal(enc_unwrap(&kw, IMAGE_TLV_ENC_KW, b, n, 16, &key),
                     BUILT(ENC_SCHEME_KW, 0));
    if (ENC_HAS_SCHEME(ENC_SCHEME_KW)) {
        assert_memory_equal(key.bytes, c, 16);
    }

    unhex("2b7e151628aed2a6abf7158809cf4f3c", a);
    unhex("f0f1f2f3f4f5f6f7f8f9fafb", b);
    n = unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51", out);
    unhex("874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff", c);
    assert_int_equal(crypto_aes_ctr(a, 16, b, 0xfcfdfeff, out, n), 0);
    assert_memory_equal(out, c, n);
}

/* ENC_RSA2048: an AES key wrapped by OpenSSL with OAEP (SHA-256, MGF1-SHA-256), as imgtool
 * does, unwraps with the PKCS#1 private key DER; another key's does not. */
static void test_rsa_oaep_unwrap(void **state)
{
    (void)state;
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    assert_non_null(pkey);
    uint8_t aes[16], wrapped[256];
    for (int i = 0; i < 16; i++) {
        aes[i] = (uint8_t)(0x5a ^ i);
    }
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);
    size_t wlen = sizeof wrapped;
    assert_int_equal(EVP_PKEY_encrypt_init(ctx), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()), 1);
    assert_int_equal(EVP_PKEY_encrypt(ctx, wrapped, &wlen, aes, 16), 1);
    assert_int_equal(wlen, 256);
    EVP_PKEY_CTX_free(ctx);
    unsigned char *der = NULL;
    int der_len = i2d_PrivateKey(pkey, &der);
    assert_true(der_len > 0);
    struct enc_exchange_key xk = {ENC_SCHEME_RSA_OAEP, der, (size_t)der_len};
    struct enc_key key;
    assert_int_equal(enc_unwrap(&xk, IMAGE_TLV_ENC_RSA2048, wrapped, wlen, 16, &key),
                     BUILT(ENC_SCHEME_RSA_OAEP, 0));
    if (ENC_HAS_SCHEME(ENC_SCHEME_RSA_OAEP)) {
        assert_memory_equal(key.bytes, aes, 16);
    }
    wrapped[100] ^= 0x40;
    assert_int_equal(enc_unwrap(&xk, IMAGE_TLV_ENC_RSA2048, wrapped, wlen, 16, &key),
                     BUILT(ENC_SCHEME_RSA_OAEP, DFU_ESIG));
    OPENSSL_free(der);
    EVP_PKEY_free(pkey);
}

static void test_tlv_lengths(void **state)
{
    (void)state;
    assert_int_equal(enc_tlv_len(ENC_SCHEME_EC256, 16), 113);
    assert_int_equal(enc_tlv_len(ENC_SCHEME_X25519, 16), 80);
    assert_int_equal(enc_tlv_len(ENC_SCHEME_EC256, 32), 129);
    assert_int_equal(enc_tlv_len(ENC_SCHEME_RSA_OAEP, 16), 256);
    assert_int_equal(enc_tlv_len(ENC_SCHEME_KW, 16), 24);
    assert_int_equal(enc_tlv_len(ENC_SCHEME_KW, 20), DFU_EINVAL);
    struct image_header h = {.flags = IMAGE_F_ENCRYPTED_AES128 | IMAGE_F_ENCRYPTED_AES256};
    assert_int_equal(enc_image_key_len(&h), DFU_EBADMSG);
    h.flags = IMAGE_F_ENCRYPTED_AES256;
    assert_int_equal(enc_image_key_len(&h), 32);
    h.flags = 0;
    assert_int_equal(enc_image_key_len(&h), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kdf_is_rfc5869_hkdf),
        cmocka_unit_test(test_seal_open),
        cmocka_unit_test(test_payload_xor_any_offset),
        cmocka_unit_test(test_reference_ec256),
        cmocka_unit_test(test_reference_x25519),
        cmocka_unit_test(test_reference_wrong_key),
        cmocka_unit_test(test_tlv_lengths),
        cmocka_unit_test(test_port_vectors),
        cmocka_unit_test(test_rsa_oaep_unwrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
