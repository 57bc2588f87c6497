/* hostfile: whole-file reads with a size cap, atomic writes with the right modes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "dfukit/hostfile.h"

#define DIR DFU_TEST_TMP "/util_hostfile"

static int setup(void **state)
{
    (void)state;
    mkdir(DFU_TEST_TMP, 0777);
    mkdir(DIR, 0777);
    return 0;
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 0777;
}

static void test_round_trip_and_modes(void **state)
{
    (void)state;
    mode_t old = umask(022);
    const char text[] = "hello\nworld";
    assert_int_equal(hostfile_write_atomic(DIR "/a.txt", text, sizeof(text) - 1), 0);
    assert_int_equal(mode_of(DIR "/a.txt"), 0644);
    assert_int_equal(hostfile_write_private(DIR "/key.pem", text, sizeof(text) - 1), 0);
    assert_int_equal(mode_of(DIR "/key.pem"), 0600);
    umask(old);

    uint8_t *buf;
    size_t len;
    assert_int_equal(hostfile_read(DIR "/a.txt", 1024, &buf, &len), 0);
    assert_int_equal(len, sizeof(text) - 1);
    assert_memory_equal(buf, text, len);
    assert_int_equal(buf[len], 0); /* NUL-terminated for text parsers */
    free(buf);
}

static void test_read_errors(void **state)
{
    (void)state;
    uint8_t *buf = (uint8_t *)1;
    size_t len = 7;
    assert_int_equal(hostfile_read(DIR "/missing", 1024, &buf, &len), DFU_ENOENT);
    assert_null(buf);
    assert_int_equal(len, 0);

    /* one byte over the cap is refused; exactly the cap is fine */
    static uint8_t big[70000];
    memset(big, 'x', sizeof(big));
    assert_int_equal(hostfile_write_atomic(DIR "/big", big, sizeof(big)), 0);
    assert_int_equal(hostfile_read(DIR "/big", sizeof(big) - 1, &buf, &len), DFU_ERANGE);
    assert_null(buf);
    assert_int_equal(hostfile_read(DIR "/big", sizeof(big), &buf, &len), 0);
    assert_int_equal(len, sizeof(big));
    free(buf);

    assert_int_equal(hostfile_read(DIR, 1024, &buf, &len), DFU_EIO); /* a directory */
}

/* A write that cannot complete leaves the old file as it was and no temporary behind. */
static void test_failed_write_keeps_old_file(void **state)
{
    (void)state;
    assert_int_equal(hostfile_write_atomic(DIR "/keep", "old", 3), 0);
    /* the target is a directory: the rename fails after the data was written */
    mkdir(DIR "/adir", 0777);
    assert_int_equal(hostfile_write_atomic(DIR "/adir", "new", 3), DFU_EIO);
    assert_int_equal(hostfile_write_atomic(DIR "/nodir/x", "new", 3), DFU_EIO);

    uint8_t *buf;
    size_t len;
    assert_int_equal(hostfile_read(DIR "/keep", 16, &buf, &len), 0);
    assert_int_equal(len, 3);
    assert_memory_equal(buf, "old", 3);
    free(buf);

    /* nothing but our files in the folder: no stray .tmp */
    FILE *ls = popen("ls -A " DIR " | grep -c tmp", "r");
    assert_non_null(ls);
    int n = -1;
    assert_int_equal(fscanf(ls, "%d", &n), 1);
    pclose(ls);
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_and_modes),
        cmocka_unit_test(test_read_errors),
        cmocka_unit_test(test_failed_write_keeps_old_file),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
