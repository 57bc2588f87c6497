/* Error convention for every dfukit library: 0 on success, a negated errno-style code on
 * failure, positive values only for counts. Wire errors of SMP have their own enums (smp.h)
 * and are translated at the protocol boundary, nowhere else. */
#ifndef DFUKIT_ERR_H
#define DFUKIT_ERR_H

enum dfu_err {
    DFU_OK = 0,
    DFU_EPERM = -1,      /* not allowed in this state */
    DFU_ENOENT = -2,     /* no such image / key / file */
    DFU_EIO = -5,        /* the flash (or port) reported a failure */
    DFU_ENOMEM = -12,    /* a caller-supplied buffer is too small */
    DFU_EBUSY = -16,
    DFU_EEXIST = -17,
    DFU_EINVAL = -22,    /* bad argument */
    DFU_ENOSPC = -28,    /* does not fit (slot, buffer) */
    DFU_ERANGE = -34,    /* a length/offset from outside is out of bounds */
    DFU_EBADMSG = -74,   /* malformed input: header, TLV, frame, CBOR */
    DFU_EOVERFLOW = -75,
    DFU_ENOTSUP = -95,
    DFU_ETIMEDOUT = -110,
    DFU_ESIG = -129,     /* hash or signature does not verify */
    DFU_EPOWER = -130,   /* simulated power cut: the device is dead until powered on */
};

/* A short English name for an error code ("flash I/O error"). Never NULL. */
const char *dfu_strerror(int err);

#endif
