/* Helpers for the imgtool tests: vector files, in-memory signing with the vectors' ARGS, and
 * an image comparison that tolerates only a different signature TLV. */
#ifndef IMGTOOL_TEST_UTIL_H
#define IMGTOOL_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfukit/imgbuild.h"
#include "dfukit/keys.h"

#define VEC DFU_VECTORS_DIR "/imgtool/"

/* Reads a whole file (malloc'd); fails the test when it cannot. */
uint8_t *tu_read(const char *path, size_t *len);
/* Loads a key PEM; fails the test when it cannot. */
struct keys_key *tu_key(const char *path);
/* The vectors' ARGS: --header-size 0x200 --align 8 --slot-size 0x60000 --version 1.2.3+4
 * --pad-header. */
void tu_vector_opts(struct imgbuild_opts *o);
/* Loads input.bin with o and creates the image; fails the test on error. */
void tu_sign_input(struct imgbuild *b, const struct imgbuild_opts *o);
/* Renders a padded image (what imgbuild_save writes for --pad) into a malloc'd buffer. */
uint8_t *tu_padded(const struct imgbuild *b, const struct imgbuild_opts *o, size_t *len);
/* Asserts that a and b are the same image except for the value (and so the length) of the
 * signature TLV sig_type and the unprotected area's total that follows from it. Trailing
 * bytes after the TLV area (padding, trailer) must agree as well: the same count of bytes
 * from the end of the file, and erased fill in between. */
void tu_assert_same_but_sig(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                            uint16_t sig_type);
/* Captures what fn writes to a FILE into a malloc'd NUL-terminated buffer. */
char *tu_capture(int (*fn)(FILE *f, void *arg), void *arg, size_t *len, int *rc);

#endif
