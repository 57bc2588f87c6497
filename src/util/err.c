#include "dfukit/err.h"

const char *dfu_strerror(int err)
{
    switch (err) {
    case DFU_OK: return "success";
    case DFU_EPERM: return "not allowed in this state";
    case DFU_ENOENT: return "not found";
    case DFU_EIO: return "flash I/O error";
    case DFU_ENOMEM: return "buffer too small";
    case DFU_EBUSY: return "busy";
    case DFU_EEXIST: return "already exists";
    case DFU_EINVAL: return "invalid argument";
    case DFU_ENOSPC: return "does not fit";
    case DFU_ERANGE: return "length or offset out of bounds";
    case DFU_EBADMSG: return "malformed data";
    case DFU_EOVERFLOW: return "value too large";
    case DFU_ENOTSUP: return "not supported";
    case DFU_ETIMEDOUT: return "timed out";
    case DFU_ESIG: return "hash or signature does not verify";
    case DFU_EPOWER: return "power cut";
    default: return "unknown error";
    }
}
