/* Test-only helpers; see image_test_util.h. Uses OpenSSL and stdio freely. */
#include "image_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "dfukit/bytes.h"
#include "dfukit/crypto.h"

static EVP_PKEY *read_pem(const char *path, int private_key)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fail_msg("cannot open %s", path);
    }
    EVP_PKEY *k = private_key ? PEM_read_PrivateKey(f, NULL, NULL, NULL)
                              : PEM_read_PUBKEY(f, NULL, NULL, NULL);
    fclose(f);
    if (k == NULL) {
        fail_msg("cannot read key %s", path);
    }
    return k;
}

static uint8_t *key_bytes(EVP_PKEY *k, size_t *len)
{
    unsigned char *der = NULL;
    /* i2d_PublicKey writes the type-specific form: PKCS#1 RSAPublicKey for RSA. */
    int n = EVP_PKEY_is_a(k, "RSA") ? i2d_PublicKey(k, &der) : i2d_PUBKEY(k, &der);
    assert_true(n > 0);
    uint8_t *out = malloc((size_t)n);
    assert_non_null(out);
    memcpy(out, der, (size_t)n);
    OPENSSL_free(der);
    *len = (size_t)n;
    return out;
}

uint8_t *util_pem_key_bytes(const char *path, size_t *len)
{
    size_t n;
    uint8_t *text = tf_read_file(path, &n);
    int is_private = strstr((char *)text, "PRIVATE KEY") != NULL;
    free(text);
    EVP_PKEY *k = read_pem(path, is_private);
    uint8_t *out = key_bytes(k, len);
    EVP_PKEY_free(k);
    return out;
}

uint8_t *util_c_array_bytes(const char *path, size_t *len)
{
    size_t n;
    char *text = (char *)tf_read_file(path, &n);
    uint8_t *out = malloc(n);
    assert_non_null(out);
    size_t count = 0;
    char *p = strchr(text, '{');
    assert_non_null(p);
    while ((p = strstr(p, "0x")) != NULL && p < strchr(text, '}')) {
        out[count++] = (uint8_t)strtoul(p, &p, 16);
    }
    free(text);
    *len = count;
    return out;
}

void util_flash_load(struct util_flash *f, const uint8_t *data, size_t len)
{
    uint32_t sector = 4096;
    uint32_t size = (uint32_t)((len + sector - 1) / sector * sector);
    if (size == 0) {
        size = sector;
    }
    f->mem = malloc(size);
    assert_non_null(f->mem);
    memset(f->mem, 0xff, size);
    memcpy(f->mem, data, len);
    ramflash_init(&f->rf, f->mem, size, sector, 8, 0xff);
    f->fa = ramflash_area(&f->rf, 0, (uint32_t)len, 1);
}

void util_flash_free(struct util_flash *f)
{
    free(f->mem);
    f->mem = NULL;
}

static size_t put_tlv(uint8_t *p, uint16_t type, uint16_t len, const uint8_t *val)
{
    store16_le(p, type);
    store16_le(p + 2, len);
    if (len) {
        memcpy(p + 4, val, len);
    }
    return 4u + len;
}

/* Signs msg as the image signer would: Ed25519 over msg, ECDSA over the digest msg. */
static size_t sign(EVP_PKEY *k, const uint8_t *msg, size_t msg_len, uint8_t *sig)
{
    size_t sig_len = 512;
    if (EVP_PKEY_is_a(k, "ED25519")) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        assert_int_equal(EVP_DigestSignInit(ctx, NULL, NULL, NULL, k), 1);
        assert_int_equal(EVP_DigestSign(ctx, sig, &sig_len, msg, msg_len), 1);
        EVP_MD_CTX_free(ctx);
    } else {
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
        assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
        assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()), 1);
        assert_int_equal(EVP_PKEY_sign(ctx, sig, &sig_len, msg, msg_len), 1);
        EVP_PKEY_CTX_free(ctx);
    }
    return sig_len;
}

uint8_t *util_build_image(const struct util_image_opts *o, size_t *len)
{
    size_t prot_len = 0;
    for (size_t i = 0; i < o->prot_count; i++) {
        prot_len += 4u + o->prot[i].len;
    }
    size_t prot_size = prot_len ? prot_len + 4 : 0;
    size_t hashed = o->hdr_size + o->body_len + prot_size;
    uint8_t *img = calloc(1, hashed + 2048);
    assert_non_null(img);

    struct image_header h = {.magic = IMAGE_MAGIC, .hdr_size = o->hdr_size,
                             .protect_tlv_size = (uint16_t)prot_size, .img_size = o->body_len,
                             .flags = o->flags, .ver = o->ver};
    image_header_encode(img, &h);
    for (uint32_t i = 0; i < o->body_len; i++) {
        img[o->hdr_size + i] = (uint8_t)(i * 31u + 7u);
    }
    size_t off = o->hdr_size + o->body_len;
    if (prot_size) {
        store16_le(img + off, IMAGE_TLV_PROT_INFO_MAGIC);
        store16_le(img + off + 2, (uint16_t)prot_size);
        off += 4;
        for (size_t i = 0; i < o->prot_count; i++) {
            off += put_tlv(img + off, o->prot[i].type, o->prot[i].len, o->prot[i].val);
        }
    }
    size_t info = off;
    off += 4;
    enum crypto_hash_alg alg = o->pure ? CRYPTO_SHA512 : CRYPTO_SHA256;
    uint8_t digest[64];
    assert_int_equal(crypto_hash(alg, img, hashed, digest), 0);
    off += put_tlv(img + off, o->pure ? IMAGE_TLV_SHA512 : IMAGE_TLV_SHA256,
                   (uint16_t)crypto_hash_size(alg), digest);
    if (o->pure) {
        uint8_t one = 1;
        off += put_tlv(img + off, IMAGE_TLV_SIG_PURE, 1, &one);
    }
    if (o->key_pem && o->sig != UTIL_SIG_NONE) {
        EVP_PKEY *k = read_pem(o->key_pem, 1);
        size_t kl;
        uint8_t *kb = key_bytes(k, &kl);
        if (o->sig == UTIL_SIG_KEYHASH) {
            uint8_t kh[64];
            assert_int_equal(crypto_hash(alg, kb, kl, kh), 0);
            off += put_tlv(img + off, IMAGE_TLV_KEYHASH, (uint16_t)crypto_hash_size(alg), kh);
        } else {
            off += put_tlv(img + off, IMAGE_TLV_PUBKEY, (uint16_t)kl, kb);
        }
        uint8_t sig[512];
        size_t sl = o->pure ? sign(k, img, hashed, sig)
                            : sign(k, digest, crypto_hash_size(alg), sig);
        off += put_tlv(img + off, EVP_PKEY_is_a(k, "ED25519") ? IMAGE_TLV_ED25519
                                                              : IMAGE_TLV_ECDSA_SIG,
                       (uint16_t)sl, sig);
        free(kb);
        EVP_PKEY_free(k);
    }
    store16_le(img + info, IMAGE_TLV_INFO_MAGIC);
    store16_le(img + info + 2, (uint16_t)(off - info));
    *len = off;
    return img;
}

static const char *hash_names[] = {"type: SHA256 (", "type: SHA384 (", "type: SHA512 ("};

size_t util_dumpinfo_hash(const char *path, uint8_t out[64])
{
    size_t n;
    char *text = (char *)tf_read_file(path, &n);
    char *p = NULL;
    for (size_t i = 0; i < 3 && p == NULL; i++) {
        p = strstr(text, hash_names[i]);
    }
    size_t count = 0;
    if (p != NULL) {
        p = strstr(p, "data:");
        assert_non_null(p);
        char *end = strstr(p, "------");
        char *end2 = strstr(p, "#####");
        if (end == NULL || (end2 != NULL && end2 < end)) {
            end = end2;
        }
        while ((p = strstr(p, "0x")) != NULL && p < end && count < 64) {
            out[count++] = (uint8_t)strtoul(p, &p, 16);
        }
    }
    free(text);
    return count;
}

size_t util_dumpinfo_tlvs(const char *path, uint16_t *types, uint16_t *lens, size_t max)
{
    size_t n;
    char *text = (char *)tf_read_file(path, &n);
    size_t count = 0;
    char *p = text;
    while ((p = strstr(p, "type: ")) != NULL && count < max) {
        char *paren = strstr(p, "(0x");
        assert_non_null(paren);
        types[count] = (uint16_t)strtoul(paren + 1, NULL, 16);
        char *l = strstr(p, "len:  0x");
        assert_non_null(l);
        lens[count] = (uint16_t)strtoul(l + 6, NULL, 16);
        count++;
        p = l;
    }
    free(text);
    return count;
}
