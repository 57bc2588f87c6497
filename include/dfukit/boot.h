/* Bootloader core: MCUboot-compatible trailer, swap-type table, swap strategies with
 * power-fail-safe resume, and the public API the running application uses (set pending,
 * confirm, read slot state), which writes the same trailer bytes as MCUboot's public API.
 * No heap, no OS: flash through flash.h, crypto through crypto.h. */
#ifndef DFUKIT_BOOT_H
#define DFUKIT_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include "dfukit/flash.h"
#include "dfukit/image.h"

#ifndef BOOT_MAX_ALIGN
#define BOOT_MAX_ALIGN 8   /* trailer field granularity, as MCUboot's default */
#endif
#define BOOT_MAGIC_SIZE 16

/* Values as MCUboot's BOOT_SWAP_TYPE_[...] */
enum boot_swap_type {
    BOOT_SWAP_TYPE_NONE = 1,
    BOOT_SWAP_TYPE_TEST = 2,
    BOOT_SWAP_TYPE_PERM = 3,
    BOOT_SWAP_TYPE_REVERT = 4,
    BOOT_SWAP_TYPE_FAIL = 5,
    BOOT_SWAP_TYPE_PANIC = 0xff,
};

enum boot_magic_state { BOOT_MAGIC_GOOD = 1, BOOT_MAGIC_BAD = 2, BOOT_MAGIC_UNSET = 3 };
enum boot_flag_state { BOOT_FLAG_SET = 1, BOOT_FLAG_BAD = 2, BOOT_FLAG_UNSET = 3 };

/* A slot's trailer, decoded. */
struct boot_swap_state {
    uint8_t magic;      /* enum boot_magic_state */
    uint8_t swap_type;  /* low nibble of swap_info; enum boot_swap_type, NONE when unset */
    uint8_t copy_done;  /* enum boot_flag_state */
    uint8_t image_ok;   /* enum boot_flag_state */
    uint8_t image_num;  /* high nibble of swap_info */
};

/* Reads the trailer at the end of a slot. */
int boot_read_swap_state(const struct flash_area *slot, struct boot_swap_state *out);

/* The swap the next boot will do for these two trailers (the decision table). */
enum boot_swap_type boot_swap_type_of(const struct boot_swap_state *primary,
                                      const struct boot_swap_state *secondary);

/* Running application: mark the secondary slot for a test swap (permanent = false) or a
 * permanent one, as boot_set_pending() in MCUboot: magic (and image_ok when permanent) into
 * the secondary trailer. DFU_ENOENT when the secondary holds no image header. */
int boot_set_pending(const struct flash_area *secondary, bool permanent);

/* Running application: confirm the image in the primary slot (image_ok = 1 in its trailer;
 * writes magic too when the trailer is blank, as MCUboot's boot_set_confirmed()). */
int boot_set_confirmed(const struct flash_area *primary);

#endif
