/* Intel HEX reader and writer. The writer reproduces Python intelhex's layout (what upstream
 * imgtool uses), so our .hex output matches upstream's line for line. Host only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/err.h"
#include "dfukit/imgbuild.h"

/* Largest address span we accept in one file (guards the dense buffers below). */
#define IHEX_MAX_SPAN (64u * 1024u * 1024u)

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

/* One record's bytes of data, decoded; addresses are absolute. */
struct rec_sink {
    uint8_t *data;    /* dense over [lo, hi] after the first pass */
    uint8_t *seen;    /* one bit per address of data: written by an earlier record */
    uint64_t lo, hi;  /* hi exclusive */
    bool any;
};

/* Marks [a, a + count) as written; the first address some earlier record wrote is refused, as
 * Python intelhex (upstream imgtool's reader) refuses it, instead of the later record winning. */
static int claim(struct rec_sink *sink, uint64_t a, size_t count, size_t line, char *err,
                 size_t err_len)
{
    for (size_t i = 0; i < count; i++) {
        uint64_t bit = a + i - sink->lo;
        uint8_t mask = (uint8_t)(1u << (bit & 7));
        if (sink->seen[bit >> 3] & mask) {
            snprintf(err, err_len, "Hex file has data overlap at address 0x%llX on line %zu",
                     (unsigned long long)(a + i), line);
            return DFU_EBADMSG;
        }
        sink->seen[bit >> 3] |= mask;
    }
    return 0;
}

/* Walks the records; with sink->data NULL it only records the address range. */
static int walk(const char *text, size_t len, struct rec_sink *sink, char *err, size_t err_len)
{
    size_t pos = 0, line = 0;
    uint32_t upper = 0;  /* from record 02 (segment << 4) or 04 (linear << 16) */
    bool eof = false;
    while (pos < len && !eof) {
        line++;
        size_t end = pos;
        while (end < len && text[end] != '\n') {
            end++;
        }
        size_t l_end = end;
        while (l_end > pos && (text[l_end - 1] == '\r' || text[l_end - 1] == ' ' ||
                               text[l_end - 1] == '\t')) {
            l_end--;
        }
        size_t n = l_end - pos;
        const char *s = text + pos;
        pos = end + 1;
        if (n == 0) {
            continue;
        }
        if (s[0] != ':' || n < 11 || (n - 1) % 2 != 0 || (n - 1) / 2 > 260) {
            snprintf(err, err_len, "Intel HEX line %zu: not a valid record", line);
            return DFU_EBADMSG;
        }
        uint8_t rec[260];
        size_t rn = (n - 1) / 2;
        uint8_t sum = 0;
        for (size_t i = 0; i < rn; i++) {
            int h = hexval(s[1 + 2 * i]), l = hexval(s[2 + 2 * i]);
            if (h < 0 || l < 0) {
                snprintf(err, err_len, "Intel HEX line %zu: bad hex digit", line);
                return DFU_EBADMSG;
            }
            rec[i] = (uint8_t)(h << 4 | l);
            sum = (uint8_t)(sum + rec[i]);
        }
        if (rec[0] + 5u != rn) {
            snprintf(err, err_len, "Intel HEX line %zu: record length does not match", line);
            return DFU_EBADMSG;
        }
        if (sum != 0) {
            snprintf(err, err_len, "Intel HEX line %zu: checksum error", line);
            return DFU_EBADMSG;
        }
        uint8_t count = rec[0], type = rec[3];
        uint32_t addr16 = (uint32_t)rec[1] << 8 | rec[2];
        switch (type) {
        case 0x00: {
            uint64_t a = (uint64_t)upper + addr16;
            if (a + count > 0x100000000ull) {
                snprintf(err, err_len, "Intel HEX line %zu: data past 4 GiB", line);
                return DFU_EBADMSG;
            }
            if (count == 0) {
                break;
            }
            if (!sink->data) {
                if (!sink->any || a < sink->lo) {
                    sink->lo = a;
                }
                if (!sink->any || a + count > sink->hi) {
                    sink->hi = a + count;
                }
                sink->any = true;
            } else {
                int rc = claim(sink, a, count, line, err, err_len);
                if (rc) {
                    return rc;
                }
                memcpy(sink->data + (a - sink->lo), rec + 4, count);
            }
            break;
        }
        case 0x01:
            eof = true;
            break;
        case 0x02:
        case 0x04:
            if (count != 2) {
                snprintf(err, err_len, "Intel HEX line %zu: bad address record", line);
                return DFU_EBADMSG;
            }
            upper = ((uint32_t)rec[4] << 8 | rec[5]) << (type == 0x02 ? 4 : 16);
            break;
        case 0x03:
        case 0x05:
            break;  /* start address: not part of the image */
        default:
            snprintf(err, err_len, "Intel HEX line %zu: unknown record type %02x", line, type);
            return DFU_EBADMSG;
        }
    }
    if (!eof) {
        snprintf(err, err_len, "Intel HEX: missing end-of-file record");
        return DFU_EBADMSG;
    }
    return 0;
}

int ihex_parse(const char *text, size_t len, uint8_t **out, size_t *out_len, uint32_t *base,
               char *err, size_t err_len)
{
    struct rec_sink sink = {0};
    int rc = walk(text, len, &sink, err, err_len);
    if (rc) {
        return rc;
    }
    if (!sink.any) {
        snprintf(err, err_len, "Intel HEX: no data records");
        return DFU_EBADMSG;
    }
    if (sink.hi - sink.lo > IHEX_MAX_SPAN) {
        snprintf(err, err_len, "Intel HEX: data spans more than %u MiB", IHEX_MAX_SPAN >> 20);
        return DFU_ERANGE;
    }
    size_t span = (size_t)(sink.hi - sink.lo);
    sink.data = malloc(span);
    sink.seen = calloc(span / 8 + 1, 1);
    if (!sink.data || !sink.seen) {
        free(sink.data);
        free(sink.seen);
        return DFU_ENOMEM;
    }
    memset(sink.data, 0xff, span);  /* intelhex pads holes with 0xff */
    rc = walk(text, len, &sink, err, err_len);
    free(sink.seen);
    if (rc) {
        free(sink.data);
        return rc;
    }
    *out = sink.data;
    *out_len = span;
    *base = (uint32_t)sink.lo;
    return 0;
}

/* Growable text buffer for the writer. */
struct text {
    char *s;
    size_t len, cap;
    bool oom;
};

static void put_record(struct text *t, const uint8_t *rec, size_t n)
{
    if (t->oom) {
        return;
    }
    size_t need = 1 + 2 * (n + 1) + 1;
    if (t->len + need + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4096;
        while (cap < t->len + need + 1) {
            cap *= 2;
        }
        char *s = realloc(t->s, cap);
        if (!s) {
            t->oom = true;
            return;
        }
        t->s = s;
        t->cap = cap;
    }
    static const char digits[] = "0123456789ABCDEF";
    uint8_t sum = 0;
    t->s[t->len++] = ':';
    for (size_t i = 0; i <= n; i++) {
        uint8_t b = i < n ? rec[i] : (uint8_t)(0x100 - sum);
        sum = (uint8_t)(sum + b);
        t->s[t->len++] = digits[b >> 4];
        t->s[t->len++] = digits[b & 15];
    }
    t->s[t->len++] = '\n';
    t->s[t->len] = '\0';
}

int ihex_format(const struct ihex_segment *segs, size_t count, char **out, size_t *out_len)
{
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t i = 0; i < count; i++) {
        if (segs[i].len == 0) {
            continue;
        }
        if ((uint64_t)segs[i].addr + segs[i].len > 0x100000000ull) {
            return DFU_ERANGE;
        }
        lo = segs[i].addr < lo ? segs[i].addr : lo;
        hi = segs[i].addr + segs[i].len > hi ? segs[i].addr + segs[i].len : hi;
    }
    struct text t = {0};
    if (lo < hi) {
        if (hi - lo > IHEX_MAX_SPAN) {
            return DFU_ERANGE;
        }
        size_t span = (size_t)(hi - lo);
        uint8_t *data = calloc(span, 1), *have = calloc(span, 1);
        if (!data || !have) {
            free(data);
            free(have);
            return DFU_ENOMEM;
        }
        for (size_t i = 0; i < count; i++) {
            memcpy(data + (segs[i].addr - lo), segs[i].data, segs[i].len);
            memset(have + (segs[i].addr - lo), 1, segs[i].len);
        }
        /* Same walk as intelhex: an extended linear address record whenever the upper 16
         * bits change (only when any address is above 64 KiB), then records of up to 16
         * bytes that stop at holes and at 64 KiB boundaries. */
        bool need_offset = hi - 1 > 0xffff;
        uint64_t cur = lo;
        while (cur < hi) {
            uint32_t high = (uint32_t)(cur >> 16);
            if (need_offset) {
                uint8_t rec[6] = {2, 0, 0, 4, (uint8_t)(high >> 8), (uint8_t)high};
                put_record(&t, rec, sizeof(rec));
            }
            while (cur < hi && (uint32_t)(cur >> 16) == high) {
                uint32_t low = (uint32_t)(cur & 0xffff);
                size_t n = 0;
                uint8_t rec[4 + 16];
                while (n < 16 && cur + n < hi && low + n <= 0xffff && have[cur + n - lo]) {
                    rec[4 + n] = data[cur + n - lo];
                    n++;
                }
                rec[0] = (uint8_t)n;
                rec[1] = (uint8_t)(low >> 8);
                rec[2] = (uint8_t)low;
                rec[3] = 0;
                put_record(&t, rec, 4 + n);
                cur += n;
                while (cur < hi && !have[cur - lo]) {
                    cur++;  /* skip the hole to the next given byte */
                }
            }
        }
        free(data);
        free(have);
    }
    uint8_t eof[4] = {0, 0, 0, 1};
    put_record(&t, eof, sizeof(eof));
    if (t.oom) {
        free(t.s);
        return DFU_ENOMEM;
    }
    *out = t.s;
    *out_len = t.len;
    return 0;
}
