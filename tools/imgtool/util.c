/* Parsing and output helpers shared by the imgtool commands. */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dfukit/err.h"
#include "dfukit/hostfile.h"
#include "dfukit/imgbuild.h"
#include "dfukit/serial_frame.h"

int cli_error(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("imgtool: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

bool cli_parse_u32(const char *s, uint32_t *out)
{
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
    } else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
        base = 8;
    } else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
        base = 2;
    } else if (s[0] == '0' && s[1] != '\0') {
        return false;  /* Python refuses "010" in base 0 */
    }
    const char *p = base == 10 ? s : s + 2;
    if (*p == '\0') {
        return false;
    }
    uint64_t v = 0;
    for (; *p; p++) {
        unsigned d;
        if (*p >= '0' && *p <= '9') {
            d = (unsigned)(*p - '0');
        } else if (*p >= 'a' && *p <= 'f') {
            d = (unsigned)(*p - 'a' + 10);
        } else if (*p >= 'A' && *p <= 'F') {
            d = (unsigned)(*p - 'A' + 10);
        } else {
            return false;
        }
        if (d >= base) {
            return false;
        }
        v = v * base + d;
        if (v > UINT32_MAX) {
            return false;
        }
    }
    *out = (uint32_t)v;
    return true;
}

/* Signature files are base64 text, possibly wrapped over lines: drop the white space and
 * hand the rest to the project's one base64 codec (serial_frame.h). */
int cli_base64_decode(const char *in, size_t len, uint8_t **out, size_t *out_len)
{
    char *text = malloc(len + 1);
    uint8_t *buf = malloc(len / 4 * 3 + 3);
    if (!text || !buf) {
        free(text);
        free(buf);
        return DFU_ENOMEM;
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isspace((unsigned char)in[i])) {
            text[n++] = in[i];
        }
    }
    int rc = base64_decode(buf, len / 4 * 3 + 3, text, n);
    free(text);
    if (rc < 0) {
        free(buf);
        return DFU_EBADMSG;
    }
    *out = buf;
    *out_len = (size_t)rc;
    return 0;
}

int cli_emit(const char *path, int (*fill)(FILE *f, void *arg), void *arg)
{
    if (!path) {
        int rc = fill(stdout, arg);
        fflush(stdout);
        return rc;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem) {
        return DFU_ENOMEM;
    }
    int rc = fill(mem, arg);
    if (fclose(mem) != 0 && rc == 0) {
        rc = DFU_EIO;
    }
    if (rc == 0) {
        rc = hostfile_write_atomic(path, text, len);
    }
    free(text);
    return rc;
}
