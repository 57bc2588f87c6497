/* Internal shape of a loaded key, shared by keys.c, keys_emit.c and sign.c. */
#ifndef DFUKIT_KEYS_PRIV_H
#define DFUKIT_KEYS_PRIV_H

#include <stdbool.h>

#include <openssl/evp.h>

#include "dfukit/keys.h"

struct keys_key {
    EVP_PKEY *pkey;
    enum keys_type type;
    bool priv;  /* false: loaded from a public-key PEM */
};

#endif
