/* The mbedTLS build configuration of sha256_mbedtls.c: SHA-256 alone, in mbedTLS's small
 * variant (the 64 rounds in a loop rather than unrolled). */
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER
