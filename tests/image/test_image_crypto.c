/* The OpenSSL crypto port: known-answer hashes, streaming equals one-shot, and the verify
 * functions refuse wrong keys, malformed keys and altered signatures with the documented codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "dfukit/crypto.h"
#include "dfukit/err.h"
#include "image_test_util.h"

/* FIPS 180-2 "abc" digests (first and last bytes). */
static void image_crypto_hash_known_answers(void **state)
{
    static const uint8_t sha256_abc[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae,
        0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61,
        0xf2, 0x00, 0x15, 0xad};
    uint8_t out[64];
    assert_int_equal(crypto_hash_size(CRYPTO_SHA256), 32);
    assert_int_equal(crypto_hash_size(CRYPTO_SHA384), 48);
    assert_int_equal(crypto_hash_size(CRYPTO_SHA512), 64);
    assert_int_equal(crypto_hash(CRYPTO_SHA256, "abc", 3, out), 0);
    assert_memory_equal(out, sha256_abc, 32);
    assert_int_equal(crypto_hash(CRYPTO_SHA384, "abc", 3, out), 0);
    assert_int_equal(out[0], 0xcb);
    assert_int_equal(out[47], 0xa7);
    assert_int_equal(crypto_hash(CRYPTO_SHA512, "abc", 3, out), 0);
    assert_int_equal(out[0], 0xdd);
    assert_int_equal(out[63], 0x9f);
    assert_int_equal(crypto_hash((enum crypto_hash_alg)7, "abc", 3, out), DFU_EINVAL);
}

static void image_crypto_hash_streaming(void **state)
{
    static uint8_t data[10000];
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)(i * 7);
    }
    for (int a = CRYPTO_SHA256; a <= CRYPTO_SHA512; a++) {
        uint8_t one[64], parts[64];
        struct crypto_hash h;
        assert_int_equal(crypto_hash((enum crypto_hash_alg)a, data, sizeof(data), one), 0);
        assert_int_equal(crypto_hash_start(&h, (enum crypto_hash_alg)a), 0);
        for (size_t off = 0, n = 1; off < sizeof(data); off += n, n = n * 2 + 1) {
            size_t left = sizeof(data) - off;
            assert_int_equal(crypto_hash_update(&h, data + off, n < left ? n : left), 0);
            if (n >= left) {
                break;
            }
        }
        assert_int_equal(crypto_hash_finish(&h, parts), 0);
        assert_memory_equal(one, parts, crypto_hash_size((enum crypto_hash_alg)a));
        /* A finished context is released: abort is harmless, reuse is refused. */
        crypto_hash_abort(&h);
        assert_int_equal(crypto_hash_update(&h, data, 1), DFU_EINVAL);
        assert_int_equal(crypto_hash_start(&h, (enum crypto_hash_alg)a), 0);
        crypto_hash_abort(&h);
    }
}

/* Signs a digest with a vector's private key (test-only), as imgtool does. */
static size_t sign_digest(const char *pem, const uint8_t *digest, size_t dlen, uint8_t *sig)
{
    FILE *f = fopen(pem, "r");
    assert_non_null(f);
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(k);
    size_t sl = 512;
    if (EVP_PKEY_is_a(k, "ED25519")) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        assert_int_equal(EVP_DigestSignInit(ctx, NULL, NULL, NULL, k), 1);
        assert_int_equal(EVP_DigestSign(ctx, sig, &sl, digest, dlen), 1);
        EVP_MD_CTX_free(ctx);
    } else {
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
        assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
        if (EVP_PKEY_is_a(k, "RSA")) {
            assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING), 1);
            assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, 32), 1);
        }
        assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, dlen == 48 ? EVP_sha384()
                                                                       : EVP_sha256()), 1);
        assert_int_equal(EVP_PKEY_sign(ctx, sig, &sl, digest, dlen), 1);
        EVP_PKEY_CTX_free(ctx);
    }
    EVP_PKEY_free(k);
    return sl;
}

static void image_crypto_verify_digest(void **state)
{
    static const struct {
        const char *name;
        enum crypto_sig_type type;
        size_t dlen;
    } cases[] = {
        {"rsa-2048", CRYPTO_SIG_RSA2048_PSS, 32}, {"rsa-3072", CRYPTO_SIG_RSA3072_PSS, 32},
        {"ecdsa-p256", CRYPTO_SIG_ECDSA_P256, 32}, {"ecdsa-p384", CRYPTO_SIG_ECDSA_P384, 48},
        {"ed25519", CRYPTO_SIG_ED25519, 32},
    };
    uint8_t digest[48];
    for (size_t i = 0; i < sizeof(digest); i++) {
        digest[i] = (uint8_t)(0xa5 ^ i);
    }
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        char path[256];
        uint8_t sig[512 + 8];
        size_t klen;
        snprintf(path, sizeof(path), VEC_DIR "key-%s.pem", cases[c].name);
        size_t sl = sign_digest(path, digest, cases[c].dlen, sig);
        snprintf(path, sizeof(path), VEC_DIR "pub-%s.pem", cases[c].name);
        uint8_t *key = util_pem_key_bytes(path, &klen);
        enum crypto_sig_type t = cases[c].type;
        assert_int_equal(crypto_verify_digest(t, key, klen, digest, cases[c].dlen, sig, sl), 0);
        /* Altered digest, altered signature, truncated signature. */
        digest[3] ^= 1;
        assert_int_equal(crypto_verify_digest(t, key, klen, digest, cases[c].dlen, sig, sl),
                         DFU_ESIG);
        digest[3] ^= 1;
        sig[sl / 2] ^= 0x40;
        assert_int_equal(crypto_verify_digest(t, key, klen, digest, cases[c].dlen, sig, sl),
                         DFU_ESIG);
        sig[sl / 2] ^= 0x40;
        assert_int_equal(crypto_verify_digest(t, key, klen, digest, cases[c].dlen, sig, sl - 1),
                         DFU_ESIG);
        /* Malformed key bytes: truncated, trailing garbage. */
        assert_int_equal(crypto_verify_digest(t, key, klen - 1, digest, cases[c].dlen, sig, sl),
                         DFU_EINVAL);
        uint8_t *longer = malloc(klen + 1);
        memcpy(longer, key, klen);
        longer[klen] = 0;
        assert_int_equal(crypto_verify_digest(t, longer, klen + 1, digest, cases[c].dlen, sig, sl),
                         DFU_EINVAL);
        free(longer);
        /* The key of the next case is of another kind (or size). */
        size_t o = (c + 1) % (sizeof(cases) / sizeof(cases[0]));
        size_t olen;
        snprintf(path, sizeof(path), VEC_DIR "pub-%s.pem", cases[o].name);
        uint8_t *other = util_pem_key_bytes(path, &olen);
        assert_int_equal(crypto_verify_digest(t, other, olen, digest, cases[c].dlen, sig, sl),
                         DFU_EINVAL);
        free(other);
        if (t == CRYPTO_SIG_ECDSA_P256 || t == CRYPTO_SIG_ECDSA_P384) {
            /* Zero padding after the DER (older imgtool) is accepted, anything else is not. */
            memset(sig + sl, 0, 8);
            assert_int_equal(crypto_verify_digest(t, key, klen, digest, cases[c].dlen, sig, sl + 8),
                             0);
            sig[sl + 7] = 1;
            assert_int_equal(crypto_verify_digest(t, key, klen, digest, cases[c].dlen, sig, sl + 8),
                             DFU_ESIG);
        }
        free(key);
    }
}

struct msg {
    const uint8_t *data;
    uint32_t len;
    int fail_at;  /* read offset that reports an I/O error, or -1 */
};

static int read_msg(void *arg, uint32_t off, void *buf, uint32_t len)
{
    struct msg *m = arg;
    if (m->fail_at >= 0 && off <= (uint32_t)m->fail_at && (uint32_t)m->fail_at < off + len) {
        return DFU_EIO;
    }
    assert_true(off + len <= m->len);
    memcpy(buf, m->data + off, len);
    return 0;
}

static void image_crypto_ed25519_pure(void **state)
{
    static uint8_t data[10000];
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)(i * 13 + 1);
    }
    uint8_t sig[64];
    size_t klen;
    assert_int_equal(sign_digest(VEC_DIR "key-ed25519.pem", data, sizeof(data), sig), 64);
    uint8_t *key = util_pem_key_bytes(VEC_DIR "pub-ed25519.pem", &klen);
    struct msg m = {data, sizeof(data), -1};
    assert_int_equal(crypto_verify_ed25519_pure(key, klen, read_msg, &m, m.len, sig), 0);
    assert_int_equal(crypto_verify_ed25519_pure(key, klen, read_msg, &m, m.len - 1, sig), DFU_ESIG);
    data[9999] ^= 1;
    assert_int_equal(crypto_verify_ed25519_pure(key, klen, read_msg, &m, m.len, sig), DFU_ESIG);
    data[9999] ^= 1;
    m.fail_at = 5000;
    assert_int_equal(crypto_verify_ed25519_pure(key, klen, read_msg, &m, m.len, sig), DFU_EIO);
    m.fail_at = -1;
    assert_int_equal(crypto_verify_ed25519_pure(key, klen - 1, read_msg, &m, m.len, sig),
                     DFU_EINVAL);
    free(key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(image_crypto_hash_known_answers),
        cmocka_unit_test(image_crypto_hash_streaming),
        cmocka_unit_test(image_crypto_verify_digest),
        cmocka_unit_test(image_crypto_ed25519_pure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
