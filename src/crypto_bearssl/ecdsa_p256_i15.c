/* ECDSA-P256 verify from BearSSL's generic i15 code (Debian's source, included here file by
 * file at build time, never copied), compiled as one unit with -fwhole-program
 * (CMakeLists.txt): the only entry point is ecdsa_p256_i15_verify, which names the curve as a
 * constant, so the compiler drops what P-256 verification never reaches (the P-384/P-521
 * curve tables, the vtable's other operations) and specialises the rest. */
#include "ec/ecdsa_i15_vrfy_asn1.c"
#include "ec/ecdsa_i15_vrfy_raw.c"
#include "ec/ecdsa_i15_bits.c"
#include "ec/ecdsa_atr.c"
#include "ec/ec_secp256r1.c"
#include "codec/ccopy.c"
#include "int/i15_add.c"
#include "int/i15_bitlen.c"
#include "int/i15_decmod.c"
#include "int/i15_decode.c"
#include "int/i15_encode.c"
#include "int/i15_fmont.c"
#include "int/i15_iszero.c"
#include "int/i15_modpow.c"
#include "int/i15_montmul.c"
#include "int/i15_muladd.c"
#include "int/i15_ninv15.c"
#include "int/i15_rshift.c"
#include "int/i15_sub.c"
#include "int/i15_tmont.c"
/* Last: its register macros (t1, t2, ...) would rename the other files' locals. Its
 * id_to_curve(curve) picks the curve's parameters from a table of all three curves; made
 * p256_curve(), whose `curve` is the constant below (function parameters named curve shadow
 * it), the parameters are compile-time constants, so the P-384/P-521 tables are never
 * referenced and drop out. */
enum { curve = BR_EC_secp256r1 };
#define id_to_curve(c) p256_curve()
#include "ec/ec_prime_i15.c"

#include "ecdsa_p256_i15.h"

/* The verify calls only muladd (x*Q + y*G); with the curve constant here, api_muladd is
 * specialised for P-256. The other operations are never called by a verify. */
static uint32_t p256_muladd(unsigned char *A, const unsigned char *B, size_t len,
                            const unsigned char *x, size_t xlen, const unsigned char *y,
                            size_t ylen, int curve)
{
    (void)curve;
    return api_muladd(A, B, len, x, xlen, y, ylen, BR_EC_secp256r1);
}

static const br_ec_impl p256_verify_impl = {
    .supported_curves = (uint32_t)1 << BR_EC_secp256r1,
    .muladd = p256_muladd,
};

__attribute__((externally_visible)) uint32_t
ecdsa_p256_i15_verify(const uint8_t digest[32], const uint8_t q[65], const void *sig,
                      size_t sig_len)
{
    br_ec_public_key pk = {.curve = BR_EC_secp256r1, .q = (unsigned char *)q, .qlen = 65};
    return br_ecdsa_i15_vrfy_asn1(&p256_verify_impl, digest, 32, &pk, sig, sig_len);
}
