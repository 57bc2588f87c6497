/* Base64 (RFC 4648 §4, standard alphabet, '=' padding). Like Zephyr's decoder, the unused
 * bits of a padded group are not checked. */
#include <limits.h>

#include "dfukit/err.h"
#include "dfukit/serial_frame.h"

static const char b64_alphabet[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Value of a base64 character, -1 for '=' and -2 for anything else. */
static int b64_value(uint8_t c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return c == '=' ? -1 : -2;
}

size_t base64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

size_t base64_encode(char *out, const uint8_t *in, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        size_t left = n - i;
        uint32_t v = (uint32_t)in[i] << 16;
        if (left > 1) {
            v |= (uint32_t)in[i + 1] << 8;
        }
        if (left > 2) {
            v |= in[i + 2];
        }
        out[o++] = b64_alphabet[(v >> 18) & 63];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = left > 1 ? b64_alphabet[(v >> 6) & 63] : '=';
        out[o++] = left > 2 ? b64_alphabet[v & 63] : '=';
    }
    return o;
}

int base64_decode_quad(uint8_t out[3], const uint8_t in[4])
{
    int v[4];
    for (int i = 0; i < 4; i++) {
        v[i] = b64_value(in[i]);
        if (v[i] == -2) {
            return DFU_EBADMSG;
        }
    }
    /* Padding may only fill the last one or two places: "xx==" or "xxx=". */
    if (v[0] < 0 || v[1] < 0 || (v[2] < 0 && v[3] >= 0)) {
        return DFU_EBADMSG;
    }
    uint32_t bits = ((uint32_t)v[0] << 18) | ((uint32_t)v[1] << 12);
    if (v[2] < 0) {
        out[0] = (uint8_t)(bits >> 16);
        return 1;
    }
    bits |= (uint32_t)v[2] << 6;
    if (v[3] < 0) {
        out[0] = (uint8_t)(bits >> 16);
        out[1] = (uint8_t)(bits >> 8);
        return 2;
    }
    bits |= (uint32_t)v[3];
    out[0] = (uint8_t)(bits >> 16);
    out[1] = (uint8_t)(bits >> 8);
    out[2] = (uint8_t)bits;
    return 3;
}

int base64_decode(uint8_t *out, size_t cap, const char *in, size_t n)
{
    if (n % 4 != 0) {
        return DFU_EBADMSG;
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        uint8_t tmp[3];
        int got = base64_decode_quad(tmp, (const uint8_t *)in + i);
        if (got < 0) {
            return got;
        }
        if (got < 3 && i + 4 != n) {
            return DFU_EBADMSG; /* padding before the end */
        }
        if ((size_t)got > cap - o) {
            return DFU_ENOMEM;
        }
        for (int k = 0; k < got; k++) {
            out[o++] = tmp[k];
        }
    }
    if (o > (size_t)INT_MAX) {
        return DFU_ERANGE;
    }
    return (int)o;
}
