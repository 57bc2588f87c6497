/* Assertions shared by the devsim end-to-end tests; see e2e_steps.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "e2e_steps.h"

void board_assert_logged(struct board *b, const char *needle, int count)
{
    if (!board_wait_log(b, needle, count, 20000)) {
        board_dump_log(b);
        fail_msg("devsim did not log '%s' x%d", needle, count);
    }
}

void board_upload_file(struct smp_tc *c, const char *path, uint8_t hash[32])
{
    size_t len;
    uint8_t *img = read_whole(path, &len);
    assert_non_null(img);
    assert_int_equal(image_hash_of(img, len, hash), 0);
    int rc = smp_tc_image_upload(c, img, len);
    free(img);
    assert_int_equal(rc, 0);
}
