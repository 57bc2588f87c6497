/* Internal to dfu_imgbuild: what build.c and build_enc.c share. */
#ifndef DFUKIT_IMGBUILD_PRIV_H
#define DFUKIT_IMGBUILD_PRIV_H

#include "dfukit/imgbuild.h"

/* Appends bytes to the image buffer (grows it). */
int imgbuild_append(struct imgbuild *b, const uint8_t *p, size_t len);

/* -E: refuses what cannot be encrypted (message in b->err). */
int imgbuild_enc_check(struct imgbuild *b, const struct imgbuild_opts *o);
/* The header flag: IMAGE_F_ENCRYPTED_AES128 or _AES256, 0 without -E. */
uint32_t imgbuild_enc_flag(const struct imgbuild_opts *o);
/* Pads the body (after the header) with the erased value to a multiple of the AES block. */
int imgbuild_enc_pad(struct imgbuild *b, const struct imgbuild_opts *o);
/* Draws the image's AES key, writes its key TLV value to val (imgbuild_enc_tlv_len bytes)
 * and, unless --clear, encrypts the img_size body bytes after hdr_size in place. */
int imgbuild_enc_seal(struct imgbuild *b, const struct imgbuild_opts *o, uint8_t *val);

#endif
