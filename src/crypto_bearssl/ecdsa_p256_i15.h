/* ECDSA-P256 verify alone (ecdsa_p256_i15.c): BearSSL's i15 code with the curve fixed. */
#ifndef DFUKIT_ECDSA_P256_I15_H
#define DFUKIT_ECDSA_P256_I15_H

#include <stddef.h>
#include <stdint.h>

/* 1 when sig (ASN.1 DER, sig_len bytes) is a valid signature of the 32-byte digest by the
 * uncompressed point q (04 || X || Y, 65 bytes), else 0. */
uint32_t ecdsa_p256_i15_verify(const uint8_t digest[32], const uint8_t q[65], const void *sig,
                               size_t sig_len);

#endif
