/* Local files for uploads and downloads. Downloads are written atomically: a failed or
 * interrupted transfer never leaves a half-written file behind. A failure is explained in the
 * OS's words ("No such file or directory", "Is a directory"). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "dfukit/err.h"
#include "dfukit/hostfile.h"
#include "mcumgr.h"

#define MCUMGR_FILE_MAX (64u << 20)

static int last_errno; /* errno of the last failed read or write */

int mcumgr_read_file(const char *path, uint8_t **out, size_t *len)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        last_errno = EISDIR; /* fopen() opens a directory; say so before reading it */
        return DFU_EIO;
    }
    errno = 0;
    int err = hostfile_read(path, MCUMGR_FILE_MAX, out, len);
    last_errno = errno;
    return err;
}

int mcumgr_write_file(const char *path, const uint8_t *data, size_t len)
{
    errno = 0;
    int err = hostfile_write_atomic(path, data, len);
    last_errno = errno;
    return err;
}

const char *mcumgr_file_strerror(int err)
{
    if (err == DFU_ERANGE) {
        return "larger than 64 MiB";
    }
    if (err == DFU_ENOMEM) {
        return "out of memory";
    }
    if (err == DFU_ENOENT) {
        return strerror(ENOENT);
    }
    return last_errno ? strerror(last_errno) : dfu_strerror(err);
}
