/* Device backend of the crypto port's encryption primitives (include/dfukit/crypto.h) on
 * BearSSL: AES-CTR (constant-time "ct" AES), HMAC-SHA256, ECDH P-256 (i15, as the ECDSA
 * verifier), X25519 (c25519 i15), RSA-OAEP (i15; the key through BearSSL's DER decoder), and
 * RFC 3394 AES key unwrap, which BearSSL lacks, over single-block AES decryption. Large
 * contexts are static: the bootloader unwraps one key at a time. */
#include <string.h>

#include "bearssl_block.h"
#include "bearssl_ec.h"
#include "bearssl_hash.h"
#include "bearssl_hmac.h"
#include "bearssl_rsa.h"
#include "bearssl_x509.h"
#include "dfukit/crypto.h"
#include "dfukit/err.h"

int crypto_aes_ctr(const uint8_t *key, size_t key_len, const uint8_t iv[12], uint32_t block,
                   uint8_t *buf, size_t len)
{
    br_aes_ct_ctr_keys ctx;
    if (key_len != 16 && key_len != 32) {
        return DFU_EINVAL;
    }
    br_aes_ct_ctr_init(&ctx, key, key_len);
    br_aes_ct_ctr_run(&ctx, iv, block, buf, len);
    memset(&ctx, 0, sizeof ctx);
    return 0;
}

int crypto_hmac_sha256(const uint8_t *key, size_t key_len, const void *data, size_t len,
                       uint8_t out[32])
{
    br_hmac_key_context kc;
    br_hmac_context hc;
    br_hmac_key_init(&kc, &br_sha256_vtable, key, key_len);
    br_hmac_init(&hc, &kc, 0);
    br_hmac_update(&hc, data, len);
    br_hmac_out(&hc, out);
    memset(&kc, 0, sizeof kc);
    memset(&hc, 0, sizeof hc);
    return 0;
}

int crypto_ecdh_p256(const uint8_t priv[32], const uint8_t peer[65], uint8_t shared[32])
{
    uint8_t point[65];
    memcpy(point, peer, sizeof point);
    /* mul() checks the point is on the curve and the scalar in range; point <- priv * point */
    uint32_t ok = br_ec_prime_i15.mul(point, sizeof point, priv, 32, BR_EC_secp256r1);
    memcpy(shared, point + 1, 32);
    memset(point, 0, sizeof point);
    return ok == 1 ? 0 : DFU_ESIG;
}

int crypto_x25519(const uint8_t priv[32], const uint8_t peer[32], uint8_t shared[32])
{
    uint8_t u[32];
    memcpy(u, peer, sizeof u);
    br_ec_c25519_i15.mul(u, sizeof u, priv, 32, BR_EC_curve25519);  /* clamps the scalar */
    uint8_t any = 0;
    for (size_t i = 0; i < sizeof u; i++) {
        any |= u[i];
    }
    memcpy(shared, u, sizeof u);
    memset(u, 0, sizeof u);
    return any ? 0 : DFU_ESIG;
}

static br_skey_decoder_context skey;

int crypto_rsa_oaep_decrypt(const uint8_t *priv, size_t priv_len, const uint8_t *in,
                            size_t in_len, uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t buf[256];
    br_skey_decoder_init(&skey);
    br_skey_decoder_push(&skey, priv, priv_len);
    const br_rsa_private_key *sk = br_skey_decoder_last_error(&skey) == 0 &&
                                           br_skey_decoder_key_type(&skey) == BR_KEYTYPE_RSA
                                       ? br_skey_decoder_get_rsa(&skey)
                                       : NULL;
    int err = sk == NULL ? DFU_EINVAL : in_len != sizeof buf ? DFU_ESIG : 0;
    size_t n = in_len;
    if (!err) {
        memcpy(buf, in, in_len);
        err = br_rsa_i15_oaep_decrypt(&br_sha256_vtable, NULL, 0, sk, buf, &n) == 1 && n <= cap
                  ? 0
                  : DFU_ESIG;
    }
    if (!err) {
        memcpy(out, buf, n);
        *out_len = n;
    }
    memset(buf, 0, sizeof buf);
    memset(&skey, 0, sizeof skey);
    return err;
}

/* RFC 3394 section 2.2.2 (index-based unwrap) with the default IV A6A6A6A6A6A6A6A6. */
int crypto_aes_kw_unwrap(const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len,
                         uint8_t *out)
{
    if ((kek_len != 16 && kek_len != 32) || in_len < 24 || in_len % 8 != 0 || in_len > 1024) {
        return DFU_EINVAL;
    }
    br_aes_ct_cbcdec_keys dec;
    br_aes_ct_cbcdec_init(&dec, kek, kek_len);
    size_t n = in_len / 8 - 1;
    uint8_t a[8], b[16], iv[16];
    memcpy(a, in, 8);
    memmove(out, in + 8, n * 8);
    for (int j = 5; j >= 0; j--) {
        for (size_t i = n; i >= 1; i--) {
            uint64_t t = (uint64_t)n * (uint64_t)j + i;
            memcpy(b, a, 8);
            for (int k = 0; k < 8; k++) {
                b[7 - k] ^= (uint8_t)(t >> (8 * k));
            }
            memcpy(b + 8, out + (i - 1) * 8, 8);
            memset(iv, 0, sizeof iv);  /* one CBC block with a zero IV: plain AES decryption */
            br_aes_ct_cbcdec_run(&dec, iv, b, sizeof b);
            memcpy(a, b, 8);
            memcpy(out + (i - 1) * 8, b + 8, 8);
        }
    }
    uint8_t diff = 0;
    for (int k = 0; k < 8; k++) {
        diff |= (uint8_t)(a[k] ^ 0xa6);
    }
    memset(&dec, 0, sizeof dec);
    memset(b, 0, sizeof b);
    if (diff) {
        memset(out, 0, n * 8);
        return DFU_ESIG;
    }
    return 0;
}
