/* Internals shared by the bootloader core's files: trailer field access, status entries,
 * copy/erase helpers and the per-boot state. */
#ifndef DFUKIT_BOOT_PRIV_H
#define DFUKIT_BOOT_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "dfukit/boot.h"
#if BOOT_ENCRYPT
#include "dfukit/enc.h"
#endif

/* The strategy boot_go() runs: the configured one, or the build's BOOT_FIXED_STRATEGY, which
 * makes every strategy switch a constant so only that strategy's code is linked (a
 * bootloader carries one; the host library keeps all three). */
#ifdef BOOT_FIXED_STRATEGY
#define BOOT_STRATEGY_OF(cfg) ((enum boot_strategy)(BOOT_FIXED_STRATEGY))
#else
#define BOOT_STRATEGY_OF(cfg) ((cfg)->strategy)
#endif

/* A swap type that moves images (MCUboot's BOOT_IS_UPGRADE()): test, permanent or revert. */
static inline bool boot_is_upgrade(uint8_t type)
{
    return type == BOOT_SWAP_TYPE_TEST || type == BOOT_SWAP_TYPE_PERM ||
           type == BOOT_SWAP_TYPE_REVERT;
}

/* Where the status of an interrupted swap lives (MCUboot's BOOT_STATUS_SOURCE_[...]). */
enum boot_status_source {
    BOOT_STATUS_SOURCE_NONE = 0,
    BOOT_STATUS_SOURCE_SCRATCH = 1,
    BOOT_STATUS_SOURCE_PRIMARY = 2,
};

/* swap-move's two phases. */
enum boot_status_op { BOOT_OP_MOVE = 0, BOOT_OP_SWAP = 1 };

/* Progress of a swap. idx counts groups/sectors from 1; state counts the steps of that group
 * done so far (0 = none). A reset status is idx 1, state 0, op MOVE. */
struct boot_status {
    uint32_t idx;
    uint8_t state;
    uint8_t op;
    uint8_t swap_type;
    uint8_t source;
    uint32_t swap_size;
};

#if BOOT_ENCRYPT
/* An image taking part in a swap whose payload is encrypted outside the primary slot. */
struct boot_enc_image {
    bool on;
    struct enc_key key;
    struct image_header hdr;  /* where its payload is */
};
#endif
/* Images of a swap, for boot_copy_image_region(): the one that started in the primary slot
 * (it is encrypted on its way into the secondary) and the secondary's (decrypted on its way
 * out of it). */
#define BOOT_IMG_NONE (-1)
#define BOOT_IMG_PRIMARY 0
#define BOOT_IMG_SECONDARY 1

/* One boot: areas, trailer layouts and the work buffer (of one image pair at a time). */
struct boot_state {
    const struct boot_config *cfg;
#if BOOT_IMAGE_NUMBER > 1
    uint8_t image;  /* which pair: the image number swap_info records */
#endif
    const struct flash_area *pri;
    const struct flash_area *sec;
    const struct flash_area *scr;
    struct boot_trailer_layout tl_pri;
    struct boot_trailer_layout tl_sec;
    struct boot_trailer_layout tl_scr;
    uint8_t buf[BOOT_COPY_BUF_SIZE];
#if BOOT_ENCRYPT
    struct boot_enc_image enc[2];  /* BOOT_IMG_PRIMARY, BOOT_IMG_SECONDARY */
    enum boot_reject enc_why;      /* why the secondary's key did not unwrap */
#endif
};

/* The image the state is for (MCUboot's BOOT_CURR_IMG()): always 0 in a single-image build. */
#if BOOT_IMAGE_NUMBER > 1
#define BOOT_CURR_IMG(st) ((st)->image)
#else
#define BOOT_CURR_IMG(st) 0
#endif

/* Trailer writes: each field is one write of write_align bytes (the value, then the erased
 * value as padding), so on flash a field is either untouched or complete. */
int trailer_write_magic(const struct flash_area *fa, const struct boot_trailer_layout *tl);
int trailer_write_flag(const struct flash_area *fa, uint32_t off);
int trailer_write_swap_info(const struct flash_area *fa, const struct boot_trailer_layout *tl,
                            uint8_t swap_type, uint8_t image_num);
int trailer_write_swap_size(const struct flash_area *fa, const struct boot_trailer_layout *tl,
                            uint32_t swap_size);
/* DFU_ENOENT when the field is erased. */
int trailer_read_swap_size(const struct flash_area *fa, const struct boot_trailer_layout *tl,
                           uint32_t *out);
/* Reads magic/flags/swap_info with a given layout (max_align). */
int trailer_read_state(const struct flash_area *fa, const struct boot_trailer_layout *tl,
                       struct boot_swap_state *out);

/* Status entries: entry i holds value (1..3) in its first byte. */
int status_write(const struct flash_area *fa, const struct boot_trailer_layout *tl, uint32_t i,
                 uint8_t value);
/* Number of entries written before the first erased one. */
int status_count(const struct flash_area *fa, const struct boot_trailer_layout *tl,
                 uint32_t *out);

/* Erases [off, off+len) sector by sector from the end towards the start, so a trailer's magic
 * goes first. */
int boot_erase_region(const struct flash_area *fa, uint32_t off, uint32_t len);
/* Erases the sectors of fa that hold its trailer (from the end). */
int boot_erase_trailer_sectors(const struct flash_area *fa, const struct boot_trailer_layout *tl);
/* Offset of the first sector holding any trailer byte. */
int boot_first_trailer_sector_off(const struct flash_area *fa,
                                  const struct boot_trailer_layout *tl, uint32_t *out);
/* Copies len bytes from src+soff to dst+doff through st->buf (destination erased). */
int boot_copy_region(struct boot_state *st, const struct flash_area *src, uint32_t soff,
                     const struct flash_area *dst, uint32_t doff, uint32_t len);
/* The same for bytes of image img (BOOT_IMG_*) from its offset img_off on: when that image is
 * encrypted they go through its payload transform (decrypted out of the secondary, encrypted
 * into it). */
#if BOOT_ENCRYPT
int boot_copy_image_region(struct boot_state *st, const struct flash_area *src, uint32_t soff,
                           const struct flash_area *dst, uint32_t doff, uint32_t len, int img,
                           uint32_t img_off);
#else
#define boot_copy_image_region(st, src, soff, dst, doff, len, img, img_off) \
    boot_copy_region(st, src, soff, dst, doff, len)
#endif

/* Encrypted images (enc_swap.c). Without BOOT_ENCRYPT they are refused as before and these
 * hooks compile to nothing. */
#if BOOT_ENCRYPT
/* Validates the image in fa: an encrypted secondary on its decrypted payload (its key is
 * unwrapped into st->enc[BOOT_IMG_SECONDARY]; st->enc_why says why it would not), an
 * encrypted image in the primary as the plaintext it is there. */
int boot_image_validate(struct boot_state *st, const struct flash_area *fa,
                        const struct image_key *keys, size_t key_count, struct image_info *info);
/* Before a new swap or copy of this type: both images' keys from their key TLVs (swap-offset:
 * the secondary's image where that type takes it). DFU_EPERM when the primary's is encrypted
 * and does not unwrap (st->enc_why set). */
int boot_enc_start(struct boot_state *st, uint8_t type);
/* Before a resumed swap: keys from the status trailer's key fields, and where the payloads
 * are from the images' headers, wherever the progress in bs has put them. */
int boot_enc_resume(struct boot_state *st, const struct boot_status *bs);
/* Writes the keys of the encrypted images into fa's trailer key fields. */
int boot_enc_write_keys(struct boot_state *st, const struct flash_area *fa,
                        const struct boot_trailer_layout *tl);
/* The cause of an encrypted secondary's refusal, or BOOT_REJECT_NONE. */
enum boot_reject boot_enc_reject(struct boot_state *st, const struct flash_area *fa, int err);
#else
#define boot_image_validate(st, fa, keys, key_count, info) \
    image_validate(fa, keys, key_count, (st)->buf, sizeof (st)->buf, info)
static inline int boot_enc_start(struct boot_state *st, uint8_t type)
{
    (void)st;
    (void)type;
    return 0;
}
static inline int boot_enc_resume(struct boot_state *st, const struct boot_status *bs)
{
    (void)st;
    (void)bs;
    return 0;
}
static inline int boot_enc_write_keys(struct boot_state *st, const struct flash_area *fa,
                                      const struct boot_trailer_layout *tl)
{
    (void)st;
    (void)fa;
    (void)tl;
    return 0;
}
static inline enum boot_reject boot_enc_reject(struct boot_state *st, const struct flash_area *fa,
                                               int err)
{
    (void)st;
    (void)fa;
    (void)err;
    return BOOT_REJECT_NONE;
}
#endif

/* Writes a fresh trailer for a swap into fa (erased): swap_info, image_ok when the
 * secondary's is set (or force_image_ok), swap_size, then the magic last. */
int boot_status_init(struct boot_state *st, const struct flash_area *fa,
                     const struct boot_trailer_layout *tl, const struct boot_status *bs,
                     bool image_ok);

/* Strategies. Each runs (or resumes, from bs) a whole swap; bs->swap_size is the number of
 * bytes to exchange. They leave copy_done/image_ok to the caller. */
int swap_scratch_status_source(struct boot_state *st, uint8_t *source);
int swap_scratch_read_status(struct boot_state *st, struct boot_status *bs);
int swap_scratch_check(struct boot_state *st, uint32_t swap_size);
int swap_scratch_run(struct boot_state *st, struct boot_status *bs);
/* Sector groups a swap of swap_size bytes goes through (the last one starts at offset 0). */
int swap_scratch_group_count(struct boot_state *st, uint32_t swap_size, uint32_t *count);

int swap_move_read_status(struct boot_state *st, struct boot_status *bs);
int swap_move_check(struct boot_state *st, uint32_t swap_size);
int swap_move_fixup_revert(struct boot_state *st, struct boot_status *bs);
int swap_move_run(struct boot_state *st, struct boot_status *bs);
bool swap_move_revert_pending(const struct boot_swap_state *p, const struct boot_swap_state *s);

int swap_offset_read_status(struct boot_state *st, struct boot_status *bs);
int swap_offset_check(struct boot_state *st, uint32_t swap_size);
int swap_offset_run(struct boot_state *st, struct boot_status *bs);
/* The swap the trailers ask for in this mode: a revert also when the secondary holds
 * swap_move_fixup_revert()'s request (complete, or with its magic torn). */
uint8_t swap_offset_type(struct boot_state *st, const struct boot_swap_state *p,
                         const struct boot_swap_state *s, uint8_t type);

int overwrite_run(struct boot_state *st, uint32_t copy_size);

/* The whole boot for the direct-xip and ram-load strategies (direct_xip.c): st initialised. */
int direct_xip_go(struct boot_state *st, struct boot_rsp *rsp);
/* ram-load (ram_load.c): copies the image in slot (header hdr, total bytes) into the RAM
 * region at its load address and validates it there (with the security counter); *why says
 * why when it was refused (the region is then cleared there), else *addr and *sec_cnt are
 * the copy's. Flash errors pass up. */
int ram_load_image(struct boot_state *st, const struct flash_area *slot,
                   const struct image_header *hdr, uint32_t total, enum boot_reject *why,
                   uint32_t *addr, uint32_t *sec_cnt);

/* Security counter (sec_cnt_policy.c). check: DFU_EPERM when the image's SEC_CNT is below
 * the counter under BOOT_DOWNGRADE_SECURITY_COUNTER (0 otherwise; port errors pass up).
 * raise: the counter up to value when higher (0 without a port). */
int boot_sec_cnt_check(struct boot_state *st, const struct image_info *info);
int boot_sec_cnt_raise(struct boot_state *st, uint32_t value);

#if BOOT_IMAGE_NUMBER > 1
/* The phases of one image's boot (loader.c), which boot_go() runs in a row and
 * boot_go_multi() image by image between the phases (static in a single-image build). */
/* Sets st up for image pair `image` (cfg->images[image], or primary/secondary when images is
 * NULL), the shared scratch and the rest from cfg. */
int boot_state_init(struct boot_state *st, const struct boot_config *cfg, uint8_t image);
/* Finishes an interrupted swap (*done its type, *type NONE), or reads the swap the trailers
 * ask for into *type (*done NONE); *bs is the status a new swap starts from. Without finish
 * the swap's copy_done/image_ok are left to boot_finish_swap(). */
int boot_prepare(struct boot_state *st, struct boot_status *bs, bool finish, uint8_t *type,
                 uint8_t *done);
/* Validates the secondary for a swap of this type, as boot_go() does (erasing it when
 * invalid): 0 with *why NONE when it may go in (*info its image), or *why says why not. */
int boot_check_secondary(struct boot_state *st, uint8_t type, struct image_info *info,
                         enum boot_reject *why);
/* The bytes a swap exchanges for a secondary image of *size bytes (for a swap the larger of
 * the two images), into *size; DFU_ENOSPC when these slots cannot do that swap. */
int boot_swap_size(struct boot_state *st, uint32_t *size);
/* Runs the swap of a checked secondary whose image occupies size bytes; *done its type, or
 * FAIL with *why when the slots cannot do it (boot_swap_size()) or the primary's key does not
 * unwrap. finish: as boot_prepare(). */
int boot_perform_swap(struct boot_state *st, struct boot_status *bs, uint8_t type, uint32_t size,
                      bool finish, uint8_t *done, enum boot_reject *why);
/* The end of a swap of this type in the primary trailer: image_ok (permanent, revert), then
 * copy_done; what is there already is not written again. */
int boot_finish_swap(struct boot_state *st, uint8_t swap_type);
/* Validates the primary and fills *rsp (NULL: not wanted); DFU_ENOENT when not bootable. */
int boot_validate_primary(struct boot_state *st, struct boot_rsp *rsp, uint8_t done,
                          enum boot_reject sec_why);
/* Where the secondary's image of a swap of this type is (*img): st->sec, or for swap-offset's
 * new image the slot less its first sector (in *win); DFU_EINVAL when there is no such window. */
int boot_secondary_image(struct boot_state *st, uint8_t type, struct flash_area *win,
                         const struct flash_area **img);

/* What boot_go_multi() keeps of one image between its phases (multi_image.c). */
#define BOOT_DEPS_UNREADABLE 0xff  /* dep_count: the DEPENDENCY TLVs could not be read */
struct multi_image {
    struct boot_status bs;  /* the status a new swap starts from */
    uint8_t type;           /* the swap to run (NONE once refused or cancelled) */
    uint8_t done;           /* what this boot did, for boot_rsp.swap_type */
    uint8_t finish;         /* the swap whose copy_done is still to be written (0: none) */
    enum boot_reject why;   /* why the secondary was refused or its swap cancelled */
    uint32_t size;          /* bytes of the secondary's image */
    bool has_ver[2];        /* slot 0 / slot 1 hold an image header */
    struct image_version ver[2];
    uint8_t dep_count;      /* dependencies of the image that runs after this boot */
    struct image_dependency deps[BOOT_MAX_DEPENDENCIES];
};
/* Cancels every swap when some image's dependency will not be met (dependency.c). */
void boot_deps_settle(struct multi_image *m, uint8_t count, bool use_build);
#endif

/* Why the image in fa was refused, from the error validation (or the downgrade policy,
 * DFU_EPERM) gave. Uses st->buf. */
enum boot_reject boot_reject_of(struct boot_state *st, const struct flash_area *fa, int err);

#endif
