/* Whole-file reads and crash-safe writes for the host programs (imgtool, mcumgr, devsim):
 * one implementation, so every output file is written the same careful way. Host only. */
#ifndef DFUKIT_HOSTFILE_H
#define DFUKIT_HOSTFILE_H

#include <stddef.h>
#include <stdint.h>

/* Reads the whole file into a new heap buffer (NUL-terminated one byte past *len, so text can
 * be parsed in place). DFU_ENOENT when it does not exist, DFU_ERANGE when it is larger than
 * max bytes, DFU_EIO on read errors, DFU_ENOMEM. The caller frees *out. */
int hostfile_read(const char *path, size_t max, uint8_t **out, size_t *len);

/* Writes data to a temporary file beside path and renames it over path, so a failure or a
 * crash never leaves a half-written file (an existing file stays as it was). The new file
 * gets the usual mode (0666 less the umask). */
int hostfile_write_atomic(const char *path, const void *data, size_t len);
/* The same for secrets (private keys): the file is created 0600. */
int hostfile_write_private(const char *path, const void *data, size_t len);

#endif
