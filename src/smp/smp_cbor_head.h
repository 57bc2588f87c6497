/* CBOR item heads (RFC 8949 section 3): the one place that knows the initial byte and its
 * argument. The encoder and the pull decoder of smp_cbor.h build on it; no allocation, no
 * library, so the same code runs on the device and on the host. */
#ifndef DFUKIT_SMP_CBOR_HEAD_H
#define DFUKIT_SMP_CBOR_HEAD_H

#include <stddef.h>
#include <stdint.h>

#include "dfukit/smp_cbor.h"

enum {
    CBOR_MAJOR_UINT = 0,
    CBOR_MAJOR_NEGINT = 1,
    CBOR_MAJOR_BSTR = 2,
    CBOR_MAJOR_TSTR = 3,
    CBOR_MAJOR_ARRAY = 4,
    CBOR_MAJOR_MAP = 5,
    CBOR_MAJOR_TAG = 6,
    CBOR_MAJOR_SIMPLE = 7,
};
#define CBOR_FALSE 0xf4u
#define CBOR_TRUE 0xf5u
#define CBOR_NULL 0xf6u
#define CBOR_INDEF_ARRAY 0x9fu
#define CBOR_INDEF_MAP 0xbfu
#define CBOR_BREAK_BYTE 0xffu

/* Writes the shortest head of major type `major` with argument v: bytes written, 0 when it
 * does not fit in room. */
size_t cbor_head_put(uint8_t *out, size_t room, unsigned major, uint64_t v);

/* Decodes the item head at buf (definite string data included, which must lie within len).
 * 0 and *out, *used set; DFU_EBADMSG for truncated or malformed input (reserved additional
 * information, an indefinite length where none may be, an unassigned simple value). */
int cbor_head_get(const uint8_t *buf, size_t len, struct smp_cbor_item *out, size_t *used);

#endif
