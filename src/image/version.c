/* Image versions: MCUboot's comparison, mcumgr's and imgtool's text forms, imgtool's parser.
 * No stdio here (device-safe): numbers are formatted by hand. */
#include "dfukit/err.h"
#include "dfukit/image.h"

static int cmp_u32(uint32_t a, uint32_t b)
{
    return (a > b) - (a < b);
}

int image_version_cmp(const struct image_version *a, const struct image_version *b, bool use_build)
{
    int c = cmp_u32(a->major, b->major);
    if (c == 0) {
        c = cmp_u32(a->minor, b->minor);
    }
    if (c == 0) {
        c = cmp_u32(a->revision, b->revision);
    }
    if (c == 0 && use_build) {
        c = cmp_u32(a->build, b->build);
    }
    return c;
}

/* Appends an optional separator and a decimal number at *pos; false when it does not fit
 * (the terminating NUL included). */
static bool put_num(char *buf, size_t len, size_t *pos, char sep, uint32_t v)
{
    char digits[10];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    size_t need = n + (sep ? 1 : 0);
    if (len - *pos <= need) {
        return false;
    }
    if (sep) {
        buf[(*pos)++] = sep;
    }
    while (n > 0) {
        buf[(*pos)++] = digits[--n];
    }
    buf[*pos] = '\0';
    return true;
}

static int format(char *buf, size_t len, const struct image_version *v, char build_sep,
                  bool with_build)
{
    size_t pos = 0;
    if (buf == NULL || len == 0) {
        return DFU_ENOSPC;
    }
    buf[0] = '\0';
    bool ok = put_num(buf, len, &pos, 0, v->major) && put_num(buf, len, &pos, '.', v->minor) &&
              put_num(buf, len, &pos, '.', v->revision) &&
              (!with_build || put_num(buf, len, &pos, build_sep, v->build));
    if (!ok) {
        buf[0] = '\0';
        return DFU_ENOSPC;
    }
    return (int)pos;
}

int image_version_format(char *buf, size_t len, const struct image_version *v, bool with_build)
{
    return format(buf, len, v, '.', with_build && v->build != 0);
}

int image_version_format_plus(char *buf, size_t len, const struct image_version *v)
{
    return format(buf, len, v, '+', true);
}

/* One decimal field as imgtool accepts it: "0" or digits without a leading zero, <= max. */
static bool parse_field(const char **s, uint32_t max, uint32_t *out)
{
    const char *p = *s;
    uint64_t v = 0;
    if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9')) {
        return false;
    }
    while (*p >= '0' && *p <= '9') {
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > max) {
            return false;
        }
        p++;
    }
    *s = p;
    *out = (uint32_t)v;
    return true;
}

int image_version_parse(struct image_version *out, const char *s)
{
    uint32_t f[4] = {0, 0, 0, 0};
    static const uint32_t max[4] = {UINT8_MAX, UINT8_MAX, UINT16_MAX, UINT32_MAX};
    static const char sep[4] = {0, '.', '.', '+'};
    if (s == NULL) {
        return DFU_EINVAL;
    }
    for (int i = 0; i < 4; i++) {
        if (i > 0) {
            if (*s == '\0') {
                break;
            }
            if (*s != sep[i]) {
                return DFU_EINVAL;
            }
            s++;
        }
        if (!parse_field(&s, max[i], &f[i])) {
            return DFU_EINVAL;
        }
    }
    if (*s != '\0') {
        return DFU_EINVAL;
    }
    out->major = (uint8_t)f[0];
    out->minor = (uint8_t)f[1];
    out->revision = (uint16_t)f[2];
    out->build = f[3];
    return 0;
}
