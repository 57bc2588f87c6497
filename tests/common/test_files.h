/* Reading a test's data file: one helper for every cmocka test, so a missing or unreadable file
 * fails the test with its path and the OS reason instead of a bare assertion. */
#ifndef DFUKIT_TEST_FILES_H
#define DFUKIT_TEST_FILES_H

#include <stddef.h>
#include <stdint.h>

/* The whole file, NUL-terminated (the NUL is not counted in *len; len may be NULL); malloc'ed,
 * the caller frees. Fails the running test ("cannot read PATH: REASON") when it cannot. */
uint8_t *tf_read_file(const char *path, size_t *len);

#endif
