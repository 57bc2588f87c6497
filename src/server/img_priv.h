/* Shared by the image group's files (img.c: state, erase, slot info; img_upload.c: upload). */
#ifndef DFUKIT_SERVER_IMG_PRIV_H
#define DFUKIT_SERVER_IMG_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "dfukit/boot.h"
#include "dfukit/image.h"
#include "dfukit/server.h"

#define IMG_HASH_LEN 32
/* Slots are numbered as Zephyr's: image n has slots 2n (primary) and 2n + 1 (secondary).
 * Swap modes: each image runs from its primary. */
#define IMG_ACTIVE_SLOT(image) (2u * (image))
#define IMG_UPLOAD_SLOT(image) (2u * (image) + 1u)

/* What the next boot does (Zephyr's img_mgmt_next_boot_type). */
enum img_next_boot { IMG_NEXT_NORMAL, IMG_NEXT_TEST, IMG_NEXT_REVERT };

/* A slot's image as the state commands see it. */
struct img_slot_info {
    struct image_header hdr;
    uint8_t hash[IMG_HASH_LEN];   /* the SHA256 TLV */
};

/* Image pairs the port has (1 for a single image). */
unsigned img_image_count(const struct smp_server *srv);
/* The flash area of a slot (Zephyr's numbering), NULL when the port has none. */
const struct flash_area *img_slot_area(const struct smp_server *srv, unsigned slot);
/* 0 and *out filled for a listable image; else the image-group code why not (NO_IMAGE,
 * NO_TLVS, HASH_NOT_FOUND, TLV_INVALID_SIZE, TLV_MULTIPLE_HASHES_FOUND, FLASH_READ_FAILED). */
/* Image `image`'s running and upload slots (slots 2n and 2n+1; either out pointer may be
 * NULL); false when the port lacks either. */
bool img_pair(const struct smp_server *srv, unsigned image, const struct flash_area **pri,
              const struct flash_area **sec);
int img_read_info(const struct smp_server *srv, unsigned slot, struct img_slot_info *out);
/* The slot the next boot runs for an image and how; negative when the trailers cannot be
 * read. */
int img_next_boot(const struct smp_server *srv, unsigned image, unsigned *slot,
                  enum img_next_boot *type);
/* Direct-xip (img_xip.c; one image): true in the port's boot modes DIRECT_XIP[_REVERT]; there
 * the next boot (img_next_boot() passes to img_xip_next_boot()) and the listed flags (slot 0
 * the running one) follow Zephyr's img_mgmt for those modes. */
bool img_xip_mode(const struct smp_server *srv);
int img_xip_next_boot(const struct smp_server *srv, unsigned *slot, enum img_next_boot *type);
int img_xip_slot_flags(const struct smp_server *srv, uint8_t flags[2]);
/* True when the slot may not be written or erased (active, pending, or the revert target). */
bool img_slot_in_use(const struct smp_server *srv, unsigned slot);
/* SHA-256 over [0, len) of fa through the server's scratch buffer. */
int img_hash_area(struct smp_server *srv, const struct flash_area *fa, uint32_t len,
                  uint8_t out[IMG_HASH_LEN]);

/* The room the bootloader leaves for an image in fa (boot_image_room() for the port's boot
 * mode): what slot info reports as max_image_size and the largest upload accepted. */
int img_image_room(const struct smp_server *srv, const struct flash_area *fa, uint32_t *out);

int img_upload(struct mgmt_ctx *ctx);

#endif
