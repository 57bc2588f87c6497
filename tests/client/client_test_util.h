/* Helpers for the client tests: vector files and hex. */
#ifndef CLIENT_TEST_UTIL_H
#define CLIENT_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "test_files.h"

/* Lines of a vector file that do not start with '#', joined with '\n' (the last line keeps
 * the file's own ending). Heap string. */
char *ctu_strip_comments(const char *text);
/* Hex (whitespace ignored) into out; returns the byte count. */
size_t ctu_hex(const char *hex, uint8_t *out, size_t cap);
/* The hex after `prefix` on the first line that contains it. Heap string. */
char *ctu_find_after(const char *text, const char *prefix);

#endif
