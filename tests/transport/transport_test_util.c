#include "transport_test_util.h"

#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int tt_unhex(uint8_t *out, size_t cap, const char *hex, size_t hex_len)
{
    if (hex_len % 2 != 0 || hex_len / 2 > cap) {
        return -1;
    }
    for (size_t i = 0; i < hex_len; i += 2) {
        int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            return -1;
        }
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return (int)(hex_len / 2);
}

int tt_unrepr(uint8_t *out, size_t cap, const char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (o >= cap) {
            return -1;
        }
        if (s[i] != '\\') {
            out[o++] = (uint8_t)s[i];
            continue;
        }
        if (++i >= len) {
            return -1;
        }
        switch (s[i]) {
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case '\\': out[o++] = '\\'; break;
        case '\'': out[o++] = '\''; break;
        case 'x':
            if (i + 2 >= len || tt_unhex(out + o, 1, s + i + 1, 2) != 1) {
                return -1;
            }
            o++;
            i += 2;
            break;
        default: return -1;
        }
    }
    return (int)o;
}

int tt_deframe_all(const uint8_t *in, size_t n, size_t chunk, size_t cap, uint8_t *out,
                   size_t out_cap, size_t *lens, int max_pkts, struct serial_deframe_stats *stats)
{
    uint8_t *buf = malloc(cap ? cap : 1);
    struct serial_deframer d;
    serial_deframer_init(&d, buf, cap);
    int count = 0;
    size_t o = 0, off = 0;
    while (off < n) {
        size_t step = chunk == 0 || chunk > n - off ? n - off : chunk;
        size_t pos = 0;
        while (pos < step) {
            size_t used;
            size_t len = serial_deframer_feed(&d, in + off + pos, step - pos, &used);
            pos += used;
            if (len > 0 && count < max_pkts && len <= out_cap - o) {
                memcpy(out + o, buf, len);
                o += len;
                lens[count++] = len;
            }
        }
        off += step;
    }
    if (stats) {
        *stats = d.stats;
    }
    free(buf);
    return count;
}

uint32_t tt_rand(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}
