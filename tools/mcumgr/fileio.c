/* Reading and writing whole local files for uploads and downloads. */
#include <errno.h>
#include <stdlib.h>

#include "dfukit/err.h"
#include "mcumgr.h"

#define MCUMGR_FILE_MAX (64u << 20)

int mcumgr_read_file(const char *path, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        return errno == ENOENT ? DFU_ENOENT : DFU_EIO;
    }
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    int err = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            if (cap > MCUMGR_FILE_MAX * 2) {
                err = DFU_ERANGE;
                break;
            }
            uint8_t *q = realloc(buf, cap);
            if (!q) {
                err = DFU_ENOMEM;
                break;
            }
            buf = q;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                err = DFU_EIO;
            }
            break;
        }
        if (n > MCUMGR_FILE_MAX) {
            err = DFU_ERANGE;
            break;
        }
    }
    fclose(f);
    if (err) {
        free(buf);
        return err;
    }
    *out = buf;
    *len = n;
    return 0;
}

int mcumgr_write_file(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        return DFU_EIO;
    }
    int err = fwrite(data, 1, len, f) == len ? 0 : DFU_EIO;
    if (fclose(f) != 0) {
        err = DFU_EIO;
    }
    return err;
}
