/* Internal: CBOR size arithmetic for sizing requests. */
#ifndef CLIENT_CHUNK_H
#define CLIENT_CHUNK_H

#include <stddef.h>
#include <stdint.h>

#include "dfukit/client.h"

size_t client_cbor_uint_size(uint64_t v);
/* Largest n such that fixed + bstr head(n) + n <= pkt_max (0 if none). */
size_t client_fit_bstr(size_t pkt_max, size_t fixed);

#endif
