/* Local files for uploads and downloads. Downloads are written atomically: a failed or
 * interrupted transfer never leaves a half-written file behind. */
#include "dfukit/hostfile.h"
#include "mcumgr.h"

#define MCUMGR_FILE_MAX (64u << 20)

int mcumgr_read_file(const char *path, uint8_t **out, size_t *len)
{
    return hostfile_read(path, MCUMGR_FILE_MAX, out, len);
}

int mcumgr_write_file(const char *path, const uint8_t *data, size_t len)
{
    return hostfile_write_atomic(path, data, len);
}
