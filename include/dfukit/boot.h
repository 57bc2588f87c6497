/* Bootloader core: MCUboot-compatible trailer, swap-type table, swap strategies with
 * power-fail-safe resume, and the public API the running application uses (set pending,
 * confirm, read slot state), which writes the same trailer bytes as MCUboot's public API.
 * No heap, no OS: flash through flash.h, crypto through crypto.h. */
#ifndef DFUKIT_BOOT_H
#define DFUKIT_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfukit/flash.h"
#include "dfukit/image.h"

struct enc_exchange_key;  /* dfukit/enc.h */

#ifndef BOOT_MAX_ALIGN
#define BOOT_MAX_ALIGN 8   /* trailer field granularity, as MCUboot's default */
#endif
#define BOOT_MAGIC_SIZE 16

/* Sectors a slot may have; sizes the swap status area (MCUboot's BOOT_MAX_IMG_SECTORS, whose
 * Zephyr default is 128). Must match the MCUboot build whose flash state we share. */
#ifndef BOOT_MAX_IMG_SECTORS
#define BOOT_MAX_IMG_SECTORS 128
#endif
/* Stack buffer of boot_go(): the unit of copies and hashing. */
#ifndef BOOT_COPY_BUF_SIZE
#define BOOT_COPY_BUF_SIZE 1024
#endif
/* Status entries per sector (group): three for swap-scratch; swap-move uses one per move
 * step and two per swap step, in the same space. */
#define BOOT_STATUS_STATE_COUNT 3
/* Encrypted images (MCUboot's MCUBOOT_ENC_IMAGES): the bootloader decrypts an encrypted
 * secondary while it validates and installs it (src/enc). Host builds of this library set
 * BOOT_ENCRYPT=1 (src/boot/CMakeLists.txt); a bootloader without it refuses encrypted images.
 * BOOT_ENC_KEY_SIZE is the AES key a trailer key field holds (MCUboot's BOOT_ENC_KEY_SIZE:
 * 16 for AES-128, 32 when built for AES-256); an image with a longer key is refused. */
#ifndef BOOT_ENCRYPT
#define BOOT_ENCRYPT 0
#endif
#ifndef BOOT_ENC_KEY_SIZE
#define BOOT_ENC_KEY_SIZE 16
#endif
/* A bootloader build may set BOOT_FIXED_STRATEGY (an enum boot_strategy value) when compiling
 * this library: boot_go() then runs only that strategy (any other configured is DFU_EINVAL)
 * and the other strategies are not linked. */

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

/* Trailer geometry
 * ----------------
 * From the end of the area backwards (offsets area-relative), as MCUboot lays it out:
 *   magic (16 bytes; written as a max_align-rounded unit ending at the area end),
 *   image_ok, copy_done, swap_info, swap_size (one max_align unit each),
 *   with encryption configured, two key fields (slot 0's image, then slot 1's: each
 *   BOOT_ENC_KEY_SIZE rounded up to max_align; MCUboot's boot_enc_key_off()),
 *   swap status (status_entries units of write_align bytes).
 * max_align is max(BOOT_MAX_ALIGN, write_align) (Zephyr raises MCUboot's to the flash write
 * block). The magic is 77 c2 95 f3 60 d2 ef 7f 35 52 50 0f 2c b6 79 80 for max_align 8, and
 * u16le(max_align) + 2d e1 5d 29 41 0b 8d 77 67 9c 11 0f 1f 8a otherwise. */
struct boot_trailer_layout {
    uint32_t write_align;
    uint32_t max_align;
    uint32_t magic_off;       /* area size - 16 */
    uint32_t image_ok_off;
    uint32_t copy_done_off;
    uint32_t swap_info_off;
    uint32_t swap_size_off;
    uint32_t status_off;      /* first status entry */
    uint32_t status_entries;
    uint32_t size;            /* whole trailer: area size - status_off */
    /* BOOT_ENCRYPT builds only (a build without it leaves them as they were): */
    uint32_t enc_key_size;    /* one key field (0: none) */
    uint32_t enc_key_off[2];  /* key of the image that started in slot 0 / slot 1 */
};

uint32_t boot_max_align(const struct flash_area *fa);
/* The 16 magic bytes for a max_align. */
void boot_magic_bytes(uint32_t max_align, uint8_t out[BOOT_MAGIC_SIZE]);
/* Trailer size for a write alignment and status entry count (boot_trailer_sz()). */
uint32_t boot_trailer_size(uint32_t write_align, uint32_t status_entries);
/* Layout of an area's trailer with status_entries entries (slots: 3 x BOOT_MAX_IMG_SECTORS;
 * scratch: 3). DFU_ENOSPC when it does not fit in the area. */
int boot_trailer_layout_of(const struct flash_area *fa, uint32_t status_entries,
                           struct boot_trailer_layout *out);
/* The same with the two encryption-key fields when enc_keys (a board with encryption; ignored
 * without BOOT_ENCRYPT). */
int boot_trailer_layout_ext(const struct flash_area *fa, uint32_t status_entries, bool enc_keys,
                            struct boot_trailer_layout *out);

/* Reads the trailer at the end of a slot. */
int boot_read_swap_state(const struct flash_area *slot, struct boot_swap_state *out);

/* The swap the next boot will do for these two trailers (the decision table). */
enum boot_swap_type boot_swap_type_of(const struct boot_swap_state *primary,
                                      const struct boot_swap_state *secondary);

/* Running application: mark the secondary slot for a test swap (permanent = false) or a
 * permanent one, as boot_set_pending() in MCUboot: magic (and image_ok when permanent) then
 * swap_info into the secondary trailer; nothing when the magic is already good; a bad magic
 * erases the slot and returns DFU_EBADMSG. DFU_ENOENT when the secondary holds no image
 * header. */
int boot_set_pending(const struct flash_area *secondary, bool permanent);

/* Running application: confirm the image in the primary slot, as MCUboot's
 * boot_set_confirmed(): image_ok = 1 when the magic is good and image_ok unset; a blank
 * trailer is already confirmed (nothing written); a bad magic is DFU_EBADMSG. */
int boot_set_confirmed(const struct flash_area *primary);

/* Slot state as mcumgr's image list reports it (Zephyr img_mgmt_state_flags()). */
#define BOOT_SLOT_F_PENDING 0x01u
#define BOOT_SLOT_F_CONFIRMED 0x02u
#define BOOT_SLOT_F_ACTIVE 0x04u
#define BOOT_SLOT_F_PERMANENT 0x08u
/* Flags of slot 0 (primary, the running one) and slot 1 from the two trailers. */
int boot_slot_flags(const struct flash_area *primary, const struct flash_area *secondary,
                    uint8_t flags[2]);

/* Bootloader entry
 * ---------------- */
enum boot_strategy {
    BOOT_STRATEGY_OVERWRITE = 0,     /* copy secondary over primary; no revert */
    BOOT_STRATEGY_SWAP_SCRATCH = 1,  /* swap sector groups through a scratch area */
    BOOT_STRATEGY_SWAP_MOVE = 2,     /* shift primary up one sector, then swap; no scratch */
    BOOT_STRATEGY_SWAP_OFFSET = 3,   /* new image one sector into the secondary; no move pass */
    /* MCUboot's MCUBOOT_DIRECT_XIP: each image is linked for its slot and runs from there;
     * the highest valid version boots, nothing is copied (src/boot/direct_xip.c). */
    BOOT_STRATEGY_DIRECT_XIP = 4,
    /* The same with MCUBOOT_DIRECT_XIP_REVERT: the chosen slot gets copy_done; a slot chosen
     * before (copy_done) and still not confirmed (image_ok) is erased and the other runs. */
    BOOT_STRATEGY_DIRECT_XIP_REVERT = 5,
    /* MCUboot's MCUBOOT_RAM_LOAD: chosen as direct-xip does (highest valid version, no
     * revert), then copied into the RAM region (boot_config.ram) at its header's load address
     * (flag IMAGE_F_RAM_LOAD, imgtool sign --load-addr) and validated again there
     * (src/boot/ram_load.c). boot_rsp.image_off is then that RAM address. */
    BOOT_STRATEGY_RAM_LOAD = 6,
};

/* Where an upload goes in the secondary slot: for swap-offset the slot less its first sector
 * (as Zephyr's boot_get_image_start_offset()), the trailer at the same place; for the others
 * the slot itself. DFU_ENOSPC when the slot is a single sector. */
int boot_image_area(const struct flash_area *slot, enum boot_strategy strategy,
                    struct flash_area *out);

/* The room the bootloader leaves for an image in a slot of equal-sized sectors: the slot less
 * its trailer (3 x BOOT_MAX_IMG_SECTORS status entries), and for swap-move also less the
 * sector below the trailer that the move needs free; for swap-offset, slot is the image area
 * (boot_image_area()) and the image stays below the sector holding the trailer. The largest
 * image boot_go() will install there; the SMP server refuses larger uploads with it.
 * DFU_ENOSPC when nothing fits. */
int boot_image_room(const struct flash_area *slot, enum boot_strategy strategy, uint32_t *out);
/* The same for a bootloader configured for encryption (enc_keys: trailers with key fields). */
int boot_image_room_ext(const struct flash_area *slot, enum boot_strategy strategy, bool enc_keys,
                        uint32_t *out);

enum boot_downgrade {
    BOOT_DOWNGRADE_ALLOW = 0,
    BOOT_DOWNGRADE_VERSION = 1,      /* refuse a secondary older than the primary */
    BOOT_DOWNGRADE_SECURITY_COUNTER = 2,  /* refuse a SEC_CNT below the stored counter */
};

/* A monotonic hardware security counter (MCUboot's MCUBOOT_HW_ROLLBACK_PROT port). */
struct boot_sec_cnt_port {
    int (*read)(void *arg, uint32_t *out);
    int (*update)(void *arg, uint32_t value);  /* never lowers the counter */
    void *arg;
};

/* Size setting: 0 leaves out the downgrade policy and the security counter port (as MCUboot
 * without MCUBOOT_DOWNGRADE_PREVENTION / MCUBOOT_HW_ROLLBACK_PROT); a config asking for
 * either is then DFU_EINVAL. */
#ifndef BOOT_DOWNGRADE_POLICY
#define BOOT_DOWNGRADE_POLICY 1
#endif

/* Image pairs one bootloader handles (MCUboot's BOOT_IMAGE_NUMBER). */
#ifndef BOOT_IMAGE_NUMBER
#define BOOT_IMAGE_NUMBER 1        /* the host library (src/boot/CMakeLists.txt) sets 4 */
#endif
/* DEPENDENCY TLVs the bootloader reads from one image; an image with more is refused. */
#ifndef BOOT_MAX_DEPENDENCIES
#define BOOT_MAX_DEPENDENCIES 8
#endif
struct boot_image_pair {
    const struct flash_area *primary;
    const struct flash_area *secondary;
};

/* A zeroed config (plus the areas) means: overwrite-only, hash-only validation, primary
 * validated on every boot, downgrades allowed. */
struct boot_config {
    enum boot_strategy strategy;
    const struct flash_area *primary;
    const struct flash_area *secondary;
    const struct flash_area *scratch;     /* swap-scratch only */
    const struct image_key *keys;         /* trusted keys; key_count 0: hash-only */
    size_t key_count;
    bool skip_primary_validation;         /* trust the primary without hashing it each boot */
    enum boot_downgrade downgrade;
    bool downgrade_use_build;             /* compare the build number too */
    const struct boot_sec_cnt_port *sec_cnt;  /* needed for BOOT_DOWNGRADE_SECURITY_COUNTER */
    /* The device's key-exchange key (BOOT_ENCRYPT builds). Non-NULL: encrypted secondaries are
     * decrypted with it and every trailer has MCUboot's two key fields; NULL: encrypted
     * images are refused and trailers have no key fields. */
    const struct enc_exchange_key *enc_key;
    /* ram-load only: the RAM region images are loaded into, as an area the bootloader may
     * write (erase = clear), and the address its first byte has on the target. */
    const struct flash_area *ram;
    uint32_t ram_addr;
    /* Multi-image: image_count (2..BOOT_IMAGE_NUMBER) pairs, image i's slots images[i];
     * primary/secondary must then be NULL. 0: the single pair primary/secondary. The scratch
     * area is shared; keys, downgrade policy (per image, against its own primary) and
     * encryption apply to every image. Not with direct-xip, ram-load or a security counter
     * port (one counter cannot serve several images): boot_go_multi() refuses those with
     * DFU_EINVAL. */
    const struct boot_image_pair *images;
    uint8_t image_count;
};

/* Why the bootloader refused an image. Validation is image_validate()'s; these only name its
 * cause, for a log or a status LED (the library prints nothing). */
enum boot_reject {
    BOOT_REJECT_NONE = 0,
    BOOT_REJECT_NO_IMAGE,       /* no image header magic (erased, or other data) */
    BOOT_REJECT_BAD_HEADER,     /* malformed header (hdr_size, protect_tlv_size) */
    BOOT_REJECT_BAD_TLV,        /* malformed TLV area, or a TLV the policy refuses */
    BOOT_REJECT_TOO_LARGE,      /* past the slot, into its trailer, or more than a swap moves */
    BOOT_REJECT_HASH,           /* the hash TLV differs from the computed hash */
    BOOT_REJECT_UNKNOWN_KEY,    /* no KEYHASH/PUBKEY TLV names a trusted key */
    BOOT_REJECT_BAD_SIGNATURE,  /* a trusted key is named, its signature does not verify */
    BOOT_REJECT_DOWNGRADE,      /* older than the primary (BOOT_DOWNGRADE_VERSION) */
    BOOT_REJECT_ENCRYPTED,      /* encrypted image (decryption not supported) */
    BOOT_REJECT_NON_BOOTABLE,   /* header flag IMAGE_F_NON_BOOTABLE: never started, kept */
    BOOT_REJECT_ENC_KEY,        /* encrypted: the key TLV does not unwrap with our key */
    BOOT_REJECT_ENC_HASH,       /* encrypted: the decrypted payload does not match the hash */
    BOOT_REJECT_REFUSED,        /* refused, cause not looked for (BOOT_REJECT_REASONS 0) */
    BOOT_REJECT_SECURITY_COUNTER,  /* SEC_CNT below the hardware counter (DOWNGRADE: version) */
    BOOT_REJECT_WRONG_SLOT,     /* direct-xip: ROM_FIXED load address is not this slot's */
    BOOT_REJECT_NOT_CONFIRMED,  /* direct-xip-revert: tested once and not confirmed */
    BOOT_REJECT_LOAD_ADDR,      /* ram-load: no RAM_LOAD flag, or it does not fit the RAM region */
    BOOT_REJECT_DEPENDENCY,   /* a DEPENDENCY TLV names an image version that will not be there */
    BOOT_REJECT_NOT_MARKED,   /* direct-xip-revert: neither marked for test nor confirmed */
};
/* Size setting: 0 leaves out the search for a refusal's cause (a second hash-only pass and
 * the key lookup), for a bootloader that reports nothing: every refusal is then
 * BOOT_REJECT_REFUSED. The verdict is the same either way. */
#ifndef BOOT_REJECT_REASONS
#define BOOT_REJECT_REASONS 1
#endif

/* A short English text ("bad signature"). Never NULL. */
const char *boot_reject_str(enum boot_reject r);

/* What to start. */
struct boot_rsp {
    uint8_t slot;                    /* 0: the primary slot */
    const struct flash_area *area;
    uint32_t image_off;              /* device offset of the image header */
    struct image_header hdr;
    enum boot_swap_type swap_type;   /* what this boot did: NONE, TEST, PERM, REVERT, FAIL;
                                      * PANIC: a recorded swap was unusable and ignored */
    /* Why the secondary was refused (swap type FAIL): as MCUboot, an invalid secondary is
     * erased, unless it is a valid image refused by policy while the primary is not valid, or
     * an image marked non-bootable. BOOT_REJECT_NONE when nothing was refused. */
    enum boot_reject secondary_reject;
    /* Why the primary was refused: set when boot_go() returns DFU_ENOENT. */
    enum boot_reject primary_reject;
};

/* Runs the bootloader: finishes an interrupted swap, validates and performs a pending one
 * (or reverts an unconfirmed one), then validates the primary. 0 and *rsp filled: start that
 * image. DFU_ENOENT: nothing bootable (*rsp has the reject reasons). DFU_EINVAL: unusable configuration or incompatible
 * slots. Flash errors (DFU_EIO, DFU_EPOWER) are passed up; calling boot_go() again after
 * power returns resumes where it stopped. Never erases the last valid image. */
int boot_go(const struct boot_config *cfg, struct boot_rsp *rsp);
/* boot_go() takes single-image configs only: a multi-image one (images set, primary and
 * secondary NULL) is DFU_EINVAL there. */

/* Multi-image boot: does what boot_go() does for every image, in image order, with the
 * dependency check between validation and the swaps; rsp[i] is image i's (count must be the
 * configured image count). 0 when every image is bootable.
 * As MCUboot's multi-image loader:
 *   1. every image's interrupted swap is finished first (the shared scratch's swap_info says
 *      whose it is: its image number nibble);
 *   2. every image's pending swap is decided and its secondary validated (refused ones erased
 *      as boot_go() does);
 *   3. dependencies (MCUboot's loader.c boot_verify_dependencies()): each image's DEPENDENCY
 *      TLVs, of the image it will run after this boot (its secondary's when it swaps in or
 *      reverts, else its primary's), are checked against the version each named image will
 *      have after this boot (likewise; the build number counts when downgrade_use_build is
 *      set, as MCUBOOT_VERSION_CMP_USE_BUILD_NUMBER). One not met, naming an image
 *      >= image_count, or unreadable cancels every swap of this boot (test, permanent and
 *      revert): those images get rsp[i].swap_type NONE and secondary_reject
 *      BOOT_REJECT_DEPENDENCY, their slots stay byte for byte as they were and the secondary
 *      stays pending, to be tried again on the next boot. So a pair uploaded together swaps
 *      together or not at all, and an unconfirmed image does not revert while a confirmed one
 *      needs it;
 *   4. the remaining swaps run, image by image; copy_done (and image_ok) of each is written
 *      only after the last one, so a power cut anywhere resumes the whole set (MCUboot
 *      writes them per image: a cut in image 1's swap made image 0 look tested once and
 *      unconfirmed, and the next boot reverted it); then every primary is validated.
 * DFU_ENOENT when some image has nothing bootable (its rsp says why; the others' rsp are
 * filled). An image_count of 0 is boot_go() with count 1. */
int boot_go_multi(const struct boot_config *cfg, struct boot_rsp *rsp, size_t count);

#endif
