/* CBOR item heads: encode the shortest form, decode every well-formed one. See
 * smp_cbor_head.h. */
#include "smp_cbor_head.h"

#include <string.h>

#include "dfukit/err.h"

size_t cbor_head_put(uint8_t *out, size_t room, unsigned major, uint64_t v)
{
    size_t n = v < 24 ? 1 : v <= 0xff ? 2 : v <= 0xffff ? 3 : v <= 0xffffffffu ? 5 : 9;
    if (n > room) {
        return 0;
    }
    uint8_t ai = n == 1 ? (uint8_t)v : n == 2 ? 24 : n == 3 ? 25 : n == 5 ? 26 : 27;
    out[0] = (uint8_t)(major << 5 | ai);
    for (size_t i = 1; i < n; i++) {
        out[i] = (uint8_t)(v >> (8 * (n - 1 - i)));  /* big-endian */
    }
    return n;
}

/* IEEE 754 half precision (RFC 8949 appendix D). */
static double half_to_double(uint16_t h)
{
    unsigned exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    double v;
    if (exp == 31) {
        v = mant == 0 ? __builtin_inf() : __builtin_nan("");
    } else {
        /* subnormal: mant * 2^-24; normal: (1024 + mant) * 2^(exp - 25) */
        int e = exp == 0 ? -24 : (int)exp - 25;
        v = exp == 0 ? mant : 1024 + mant;
        for (; e > 0; e--) {
            v *= 2;
        }
        for (; e < 0; e++) {
            v /= 2;
        }
    }
    return (h & 0x8000) ? -v : v;
}

static int simple(uint8_t ai, uint64_t arg, struct smp_cbor_item *out)
{
    switch (ai) {
    case 20:
    case 21: out->type = SMP_CBOR_BOOL; out->b = ai == 21; return 0;
    case 22: out->type = SMP_CBOR_NULL; return 0;
    case 23: out->type = SMP_CBOR_UNDEF; return 0;
    case 25: out->type = SMP_CBOR_FLOAT; out->f = half_to_double((uint16_t)arg); return 0;
    case 26: {
        uint32_t bits = (uint32_t)arg;
        float f;
        memcpy(&f, &bits, sizeof f);
        out->type = SMP_CBOR_FLOAT;
        out->f = f;
        return 0;
    }
    case 27:
        memcpy(&out->f, &arg, sizeof out->f);
        out->type = SMP_CBOR_FLOAT;
        return 0;
    case 31: out->type = SMP_CBOR_BREAK; return 0;
    default: return DFU_EBADMSG;  /* unassigned or two-byte simple values */
    }
}

int cbor_head_get(const uint8_t *buf, size_t len, struct smp_cbor_item *out, size_t *used)
{
    if (len == 0) {
        return DFU_EBADMSG;
    }
    memset(out, 0, sizeof(*out));
    unsigned major = buf[0] >> 5;
    uint8_t ai = buf[0] & 0x1f;
    size_t n = ai < 24 ? 0 : ai == 24 ? 1 : ai == 25 ? 2 : ai == 26 ? 4 : ai == 27 ? 8 : 0;
    if (ai >= 28 && ai <= 30) {
        return DFU_EBADMSG;
    }
    if (n >= len) {
        return DFU_EBADMSG;
    }
    uint64_t arg = ai < 24 ? ai : 0;
    for (size_t i = 1; i <= n; i++) {
        arg = arg << 8 | buf[i];
    }
    size_t hdr = 1 + n;
    bool indef = ai == 31;
    switch (major) {
    case CBOR_MAJOR_UINT:
    case CBOR_MAJOR_NEGINT:
    case CBOR_MAJOR_TAG:
        if (indef) {
            return DFU_EBADMSG;
        }
        out->type = major == CBOR_MAJOR_UINT ? SMP_CBOR_UINT
                    : major == CBOR_MAJOR_NEGINT ? SMP_CBOR_NEGINT : SMP_CBOR_TAG;
        out->u = arg;
        break;
    case CBOR_MAJOR_BSTR:
    case CBOR_MAJOR_TSTR:
        out->type = major == CBOR_MAJOR_BSTR ? SMP_CBOR_BSTR : SMP_CBOR_TSTR;
        out->indef = indef;
        if (!indef) {
            if (arg > len - hdr) {
                return DFU_EBADMSG;
            }
            out->data = buf + hdr;
            out->len = (size_t)arg;
            out->u = arg;
            hdr += (size_t)arg;
        }
        break;
    case CBOR_MAJOR_ARRAY:
    case CBOR_MAJOR_MAP:
        out->type = major == CBOR_MAJOR_ARRAY ? SMP_CBOR_ARRAY : SMP_CBOR_MAP;
        out->indef = indef;
        out->u = indef ? 0 : arg;
        break;
    default:
        if (simple(ai, arg, out) != 0) {
            return DFU_EBADMSG;
        }
        break;
    }
    *used = hdr;
    return 0;
}
