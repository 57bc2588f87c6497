/* Key generation, PEM load/save and MCUboot public-key bytes over OpenSSL 3 (host only). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "dfukit/err.h"
#include "dfukit/keys.h"
#include "keys_priv.h"

static const char *const type_names[] = {
    [KEYS_RSA2048] = "rsa-2048",     [KEYS_RSA3072] = "rsa-3072",
    [KEYS_ECDSA_P256] = "ecdsa-p256", [KEYS_ECDSA_P384] = "ecdsa-p384",
    [KEYS_ED25519] = "ed25519",       [KEYS_X25519] = "x25519",
};

int keys_type_parse(enum keys_type *out, const char *name)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
        if (strcmp(name, type_names[i]) == 0) {
            *out = (enum keys_type)i;
            return 0;
        }
    }
    return DFU_EINVAL;
}

const char *keys_type_name(enum keys_type type)
{
    return (unsigned)type < sizeof(type_names) / sizeof(type_names[0]) ? type_names[type] : "?";
}

static struct keys_key *wrap(EVP_PKEY *pkey, enum keys_type type, bool priv)
{
    struct keys_key *k = calloc(1, sizeof(*k));
    if (!k) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    k->pkey = pkey;
    k->type = type;
    k->priv = priv;
    return k;
}

int keys_generate(struct keys_key **out, enum keys_type type)
{
    EVP_PKEY *pkey = NULL;
    switch (type) {
    case KEYS_RSA2048:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
        break;
    case KEYS_RSA3072:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
        break;
    case KEYS_ECDSA_P256:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        break;
    case KEYS_ECDSA_P384:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
        break;
    case KEYS_ED25519:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        break;
    case KEYS_X25519:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
        break;
    default:
        return DFU_EINVAL;
    }
    if (!pkey) {
        return DFU_EIO;
    }
    *out = wrap(pkey, type, true);
    return *out ? 0 : DFU_ENOMEM;
}

/* Maps an OpenSSL key onto the kinds MCUboot knows. */
static int classify(EVP_PKEY *pkey, enum keys_type *type, char *err, size_t err_len,
                    const char *path)
{
    switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA: {
        int bits = EVP_PKEY_get_bits(pkey);
        if (bits == 2048 || bits == 3072) {
            *type = bits == 2048 ? KEYS_RSA2048 : KEYS_RSA3072;
            return 0;
        }
        snprintf(err, err_len, "%s: RSA-%d keys are not supported (2048 or 3072 only)", path,
                 bits);
        return DFU_ENOTSUP;
    }
    case EVP_PKEY_EC: {
        char group[64] = "";
        size_t glen = 0;
        EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &glen);
        if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0) {
            *type = KEYS_ECDSA_P256;
            return 0;
        }
        if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0) {
            *type = KEYS_ECDSA_P384;
            return 0;
        }
        snprintf(err, err_len, "%s: EC curve %s is not supported (P-256 or P-384 only)", path,
                 group[0] ? group : "(unknown)");
        return DFU_ENOTSUP;
    }
    case EVP_PKEY_ED25519:
        *type = KEYS_ED25519;
        return 0;
    case EVP_PKEY_X25519:
        *type = KEYS_X25519;
        return 0;
    default:
        snprintf(err, err_len, "%s: unsupported key type", path);
        return DFU_ENOTSUP;
    }
}

/* Refuses to prompt: encrypted keys are reported, not asked for. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    *(int *)u = 1;
    return -1;
}

static EVP_PKEY *decode_public(const unsigned char *pem, size_t len)
{
    EVP_PKEY *pkey = NULL;
    OSSL_DECODER_CTX *dctx =
        OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", NULL, NULL, EVP_PKEY_PUBLIC_KEY, NULL, NULL);
    if (!dctx) {
        return NULL;
    }
    const unsigned char *p = pem;
    size_t left = len;
    if (!OSSL_DECODER_from_data(dctx, &p, &left)) {
        pkey = NULL;
    }
    OSSL_DECODER_CTX_free(dctx);
    return pkey;
}

/* Reads a whole (small) file; the caller frees. */
static int slurp(const char *path, unsigned char **out, size_t *len, char *err, size_t err_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_len, "%s: cannot open key file: %s", path, strerror(errno));
        return DFU_ENOENT;
    }
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            break;
        }
        if (cap >= (1u << 20)) {
            free(buf);
            fclose(f);
            snprintf(err, err_len, "%s: key file too large", path);
            return DFU_EINVAL;
        }
        unsigned char *nb = realloc(buf, cap * 2 + 1);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int ioerr = ferror(f);
    fclose(f);
    if (!buf || ioerr) {
        free(buf);
        snprintf(err, err_len, "%s: cannot read key file", path);
        return DFU_EIO;
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return 0;
}

int keys_load_pem(struct keys_key **out, const char *path, char *err, size_t err_len)
{
    unsigned char *pem;
    size_t len;
    int rc = slurp(path, &pem, &len, err, err_len);
    if (rc) {
        return rc;
    }
    if (!strstr((const char *)pem, "-----BEGIN ")) {
        free(pem);
        snprintf(err, err_len, "%s: not a PEM key file (no '-----BEGIN' line)", path);
        return DFU_EBADMSG;
    }
    bool priv = true;
    int encrypted = 0;
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *pkey = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, &encrypted) : NULL;
    BIO_free(bio);
    if (!pkey && !encrypted) {
        pkey = decode_public(pem, len);
        priv = false;
    }
    free(pem);
    if (!pkey) {
        snprintf(err, err_len,
                 encrypted ? "%s: password-protected keys are not supported"
                           : "%s: malformed PEM: no private or public key could be decoded",
                 path);
        return DFU_EBADMSG;
    }
    enum keys_type type;
    rc = classify(pkey, &type, err, err_len, path);
    if (rc) {
        EVP_PKEY_free(pkey);
        return rc;
    }
    *out = wrap(pkey, type, priv);
    return *out ? 0 : DFU_ENOMEM;
}

int keys_private_pem(const struct keys_key *key, char **pem, size_t *len)
{
    if (!key->priv) {
        return DFU_EINVAL;
    }
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio || !PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL, NULL)) {
        BIO_free(bio);
        return DFU_EIO;
    }
    char *data;
    long n = BIO_get_mem_data(bio, &data);
    char *out = n > 0 ? malloc((size_t)n + 1) : NULL;
    if (out) {
        memcpy(out, data, (size_t)n);
        out[n] = '\0';
        *pem = out;
        *len = (size_t)n;
    }
    BIO_free(bio);
    return out ? 0 : DFU_ENOMEM;
}

void keys_free(struct keys_key *key)
{
    if (key) {
        EVP_PKEY_free(key->pkey);
        free(key);
    }
}

enum keys_type keys_get_type(const struct keys_key *key) { return key->type; }

bool keys_is_private(const struct keys_key *key) { return key->priv; }

int keys_public_bytes(const struct keys_key *key, uint8_t *out, size_t cap)
{
    /* RSA: PKCS#1 RSAPublicKey (what MCUboot embeds); others: SubjectPublicKeyInfo. */
    bool rsa = key->type == KEYS_RSA2048 || key->type == KEYS_RSA3072;
    int len = rsa ? i2d_PublicKey(key->pkey, NULL) : i2d_PUBKEY(key->pkey, NULL);
    if (len <= 0) {
        return DFU_EIO;
    }
    if ((size_t)len > cap) {
        return DFU_ENOMEM;
    }
    unsigned char *p = out;
    len = rsa ? i2d_PublicKey(key->pkey, &p) : i2d_PUBKEY(key->pkey, &p);
    return len > 0 ? len : DFU_EIO;
}
