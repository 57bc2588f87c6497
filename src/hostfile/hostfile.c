/* Whole-file I/O for the host programs; see hostfile.h. */
#include "dfukit/hostfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dfukit/err.h"

int hostfile_read(const char *path, size_t max, uint8_t **out, size_t *len)
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
        if (n + 1 >= cap) {
            size_t want = cap ? cap * 2 : 65536;
            uint8_t *q = realloc(buf, want);
            if (!q) {
                err = DFU_ENOMEM;
                break;
            }
            buf = q;
            cap = want;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (n > max) {
            err = DFU_ERANGE;
            break;
        }
        if (got == 0) {
            if (ferror(f)) {
                err = DFU_EIO;
            }
            break;
        }
    }
    fclose(f);
    if (err) {
        free(buf);
        return err;
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return 0;
}

static int write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp) {
        return DFU_ENOMEM;
    }
    snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return DFU_EIO;
    }
    /* mkstemp makes the file 0600; give it the mode an ordinary create would. */
    mode_t mask = umask(0);
    umask(mask);
    int rc = fchmod(fd, mode & ~mask) == 0 ? 0 : DFU_EIO;
    const uint8_t *p = data;
    size_t left = len;
    while (rc == 0 && left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            rc = DFU_EIO;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (close(fd) != 0) {
        rc = DFU_EIO;
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = DFU_EIO;
    }
    if (rc) {
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

int hostfile_write_atomic(const char *path, const void *data, size_t len)
{
    return write_atomic(path, data, len, 0666);
}

int hostfile_write_private(const char *path, const void *data, size_t len)
{
    return write_atomic(path, data, len, 0600);
}
