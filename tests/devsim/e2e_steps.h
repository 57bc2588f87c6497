/* Assertions shared by the devsim end-to-end tests (cmocka): one copy, not one per file. */
#ifndef DFUKIT_TESTS_E2E_STEPS_H
#define DFUKIT_TESTS_E2E_STEPS_H

#include <stdint.h>

#include "harness.h"
#include "smp_test_client.h"

/* Fails the test (after dumping the board's log) unless devsim logs needle count times
 * within 20 s. */
void board_assert_logged(struct board *b, const char *needle, int count);
/* Uploads the image file through c and returns its image hash (SHA256 TLV) in hash. */
void board_upload_file(struct smp_tc *c, const char *path, uint8_t hash[32]);

#endif
