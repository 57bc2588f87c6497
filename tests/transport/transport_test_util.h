/* Helpers shared by the transport tests. */
#ifndef TRANSPORT_TEST_UTIL_H
#define TRANSPORT_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "dfukit/serial_frame.h"

/* Hex text (no separators) into bytes; returns the count, -1 on bad hex or overflow. */
int tt_unhex(uint8_t *out, size_t cap, const char *hex, size_t hex_len);
/* A Python bytes literal body (between the quotes of b'...') into bytes. */
int tt_unrepr(uint8_t *out, size_t cap, const char *s, size_t len);

/* Runs all of in through a fresh deframer (buffer cap) in chunks of `chunk` bytes (0: all at
 * once) and collects the packets back to back in out, their lengths in lens. Returns the
 * number of packets. */
int tt_deframe_all(const uint8_t *in, size_t n, size_t chunk, size_t cap, uint8_t *out,
                   size_t out_cap, size_t *lens, int max_pkts, struct serial_deframe_stats *stats);

/* A deterministic pseudo-random generator for test data (xorshift32). */
uint32_t tt_rand(uint32_t *state);

#endif
