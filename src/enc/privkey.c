/* The 32-byte private scalar inside the key DER that imgtool writes for the exchange keys:
 * PKCS#8 (RFC 5208) around an RFC 5915 ECPrivateKey for P-256, or around an OCTET STRING for
 * X25519 (RFC 8410). Only the fields on the way are read; everything is bounds-checked. */
#include <string.h>

#include "dfukit/enc.h"
#include "dfukit/err.h"

struct der {
    const uint8_t *p;
    const uint8_t *end;
};

/* Reads one element of the given tag; its contents go to *in. */
static int der_take(struct der *d, uint8_t tag, struct der *in)
{
    if (d->end - d->p < 2 || d->p[0] != tag) {
        return DFU_EINVAL;
    }
    size_t len = d->p[1];
    const uint8_t *v = d->p + 2;
    if (len & 0x80) {
        size_t n = len & 0x7f;
        if (n == 0 || n > 2 || (size_t)(d->end - v) < n) {
            return DFU_EINVAL;
        }
        len = 0;
        for (size_t i = 0; i < n; i++) {
            len = len << 8 | *v++;
        }
    }
    if ((size_t)(d->end - v) < len) {
        return DFU_EINVAL;
    }
    in->p = v;
    in->end = v + len;
    d->p = v + len;
    return 0;
}

static bool der_is(const struct der *d, const uint8_t *want, size_t len)
{
    return (size_t)(d->end - d->p) == len && memcmp(d->p, want, len) == 0;
}

static const uint8_t oid_ec_public_key[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
static const uint8_t oid_prime256v1[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
static const uint8_t oid_x25519[] = {0x2b, 0x65, 0x6e};
static const uint8_t version0[] = {0x00};
static const uint8_t version1[] = {0x01};

/* ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING privateKey, ... }. */
static int ec_private_key(struct der d, uint8_t out[32])
{
    struct der seq, v, key;
    if (der_take(&d, 0x30, &seq) || der_take(&seq, 0x02, &v) || !der_is(&v, version1, 1) ||
        der_take(&seq, 0x04, &key) || key.end - key.p != 32) {
        return DFU_EINVAL;
    }
    memcpy(out, key.p, 32);
    return 0;
}

int enc_private_scalar(enum enc_scheme scheme, const uint8_t *der, size_t len, uint8_t out[32])
{
    struct der d = {der, der + len}, seq, v, alg, oid, param, priv, inner;
    if (der == NULL || (scheme != ENC_SCHEME_EC256 && scheme != ENC_SCHEME_X25519)) {
        return DFU_EINVAL;
    }
    if (scheme == ENC_SCHEME_EC256 && len > 2 && der[0] == 0x30 && ec_private_key(d, out) == 0) {
        return 0;  /* SEC1 "EC PRIVATE KEY" */
    }
    /* PrivateKeyInfo: SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING privateKey } */
    if (der_take(&d, 0x30, &seq) || d.p != d.end || der_take(&seq, 0x02, &v) ||
        !der_is(&v, version0, 1) || der_take(&seq, 0x30, &alg) || der_take(&alg, 0x06, &oid) ||
        der_take(&seq, 0x04, &priv)) {
        return DFU_EINVAL;
    }
    if (scheme == ENC_SCHEME_EC256) {
        if (!der_is(&oid, oid_ec_public_key, sizeof oid_ec_public_key) ||
            der_take(&alg, 0x06, &param) || !der_is(&param, oid_prime256v1, sizeof oid_prime256v1)) {
            return DFU_EINVAL;
        }
        return ec_private_key(priv, out);
    }
    if (!der_is(&oid, oid_x25519, sizeof oid_x25519) || der_take(&priv, 0x04, &inner) ||
        inner.end - inner.p != 32) {
        return DFU_EINVAL;
    }
    memcpy(out, inner.p, 32);
    return 0;
}
