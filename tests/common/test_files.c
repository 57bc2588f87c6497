/* See test_files.h. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_files.h"

uint8_t *tf_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fail_msg("cannot read %s: %s", path, strerror(errno));
    }
    size_t cap = 65536, n = 0;
    uint8_t *buf = malloc(cap + 1);
    assert_non_null(buf);
    for (;;) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) {
            break;
        }
        cap *= 2;
        buf = realloc(buf, cap + 1);
        assert_non_null(buf);
    }
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (err != 0) {
        fail_msg("cannot read %s: %s", path, strerror(err));
    }
    buf[n] = 0;
    if (len != NULL) {
        *len = n;
    }
    return buf;
}
