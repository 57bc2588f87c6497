/* Image group (1): state read/write, erase and slot info (the rules of
 * Zephyr's img_mgmt_state.c in swap modes, the application running from slot 0; with several
 * image pairs each is listed, tested and confirmed in its own slots, as Zephyr's
 * CONFIG_MCUMGR_GRP_IMG_UPDATABLE_IMAGE_NUMBER > 1; direct-xip, one image, in img_xip.c). The
 * trailers are read and written only through the bootloader core's public API (boot.h). */
#include <string.h>

#include "dfukit/boot.h"
#include "dfukit/crypto.h"
#include "dfukit/err.h"
#include "img_priv.h"

unsigned img_image_count(const struct smp_server *srv)
{
    const struct server_port *p = srv->port;
    if (p == NULL || p->images == NULL || p->image_count == 0) {
        return 1;
    }
    return p->image_count < SERVER_IMG_MAX_IMAGES ? p->image_count : SERVER_IMG_MAX_IMAGES;
}

const struct flash_area *img_slot_area(const struct smp_server *srv, unsigned slot)
{
    const struct server_port *p = srv->port;
    if (p == NULL) {
        return NULL;
    }
    if (p->images != NULL && p->image_count > 0) {
        if (slot / 2u >= img_image_count(srv)) {
            return NULL;
        }
        const struct boot_image_pair *pair = &p->images[slot / 2u];
        return slot % 2u == 0 ? pair->primary : pair->secondary;
    }
    return slot == 0 ? p->slot_primary : slot == 1 ? p->slot_secondary : NULL;
}

bool img_pair(const struct smp_server *srv, unsigned image, const struct flash_area **pri,
              const struct flash_area **sec)
{
    const struct flash_area *p = img_slot_area(srv, IMG_ACTIVE_SLOT(image));
    const struct flash_area *q = img_slot_area(srv, IMG_UPLOAD_SLOT(image));
    if (pri != NULL) {
        *pri = p;
    }
    if (sec != NULL) {
        *sec = q;
    }
    return p != NULL && q != NULL;
}

int img_read_info(const struct smp_server *srv, unsigned slot, struct img_slot_info *out)
{
    const struct flash_area *fa = img_slot_area(srv, slot);
    if (fa == NULL) {
        return IMG_ERR_INVALID_SLOT;
    }
    if (image_header_read(fa, &out->hdr) != 0) {
        return IMG_ERR_NO_IMAGE;
    }
    struct image_tlv_iter it;
    if (image_tlv_iter_begin(&it, fa, &out->hdr, IMAGE_TLV_SHA256, false) != 0) {
        return IMG_ERR_NO_TLVS;
    }
    bool found = false;
    struct image_tlv tlv;
    int r;
    while ((r = image_tlv_iter_next(&it, &tlv)) == 0) {
        if (found) {
            return IMG_ERR_TLV_MULTIPLE_HASHES_FOUND;
        }
        if (tlv.len != IMG_HASH_LEN) {
            return IMG_ERR_TLV_INVALID_SIZE;
        }
        if (flash_area_read(fa, tlv.off, out->hash, IMG_HASH_LEN) != 0) {
            return IMG_ERR_FLASH_READ_FAILED;
        }
        found = true;
    }
    if (r < 0) {
        return IMG_ERR_INVALID_TLV;
    }
    return found ? 0 : IMG_ERR_HASH_NOT_FOUND;
}

int img_next_boot(const struct smp_server *srv, unsigned image, unsigned *slot,
                  enum img_next_boot *type)
{
    const struct flash_area *pri, *sec;
    struct boot_swap_state ps, ss;
    if (!img_pair(srv, image, &pri, &sec)) {
        return DFU_EIO;
    }
    if (img_xip_mode(srv)) {
        return img_xip_next_boot(srv, slot, type);
    }
    if (boot_read_swap_state(pri, &ps) != 0 || boot_read_swap_state(sec, &ss) != 0) {
        return DFU_EIO;
    }
    *slot = IMG_UPLOAD_SLOT(image);
    switch (boot_swap_type_of(&ps, &ss)) {
    case BOOT_SWAP_TYPE_TEST:
        *type = IMG_NEXT_TEST;
        break;
    case BOOT_SWAP_TYPE_PERM:
        *type = IMG_NEXT_NORMAL;
        break;
    case BOOT_SWAP_TYPE_REVERT:
        *type = IMG_NEXT_REVERT;
        break;
    default:
        *slot = IMG_ACTIVE_SLOT(image);
        *type = IMG_NEXT_NORMAL;
        break;
    }
    return 0;
}

bool img_slot_in_use(const struct smp_server *srv, unsigned slot)
{
    unsigned nbs, active = IMG_ACTIVE_SLOT(slot / 2u);
    enum img_next_boot type;
    if (slot == active || img_next_boot(srv, slot / 2u, &nbs, &type) != 0) {
        return true;  /* the running slot, or trailers we cannot read: hands off */
    }
    if (srv->port->boot.mode == SERVER_BOOT_MODE_DIRECT_XIP) {
        return false;  /* as Zephyr: only the running slot is in use */
    }
    if (slot == nbs && (type == IMG_NEXT_REVERT || type == IMG_NEXT_TEST)) {
        return true;
    }
    return type == IMG_NEXT_NORMAL && nbs != active;
}

int img_hash_area(struct smp_server *srv, const struct flash_area *fa, uint32_t len,
                  uint8_t out[IMG_HASH_LEN])
{
    struct crypto_hash h;
    int err = crypto_hash_start(&h, CRYPTO_SHA256);
    for (uint32_t off = 0; err == 0 && off < len;) {
        uint32_t n = len - off < sizeof(srv->scratch) ? len - off : (uint32_t)sizeof(srv->scratch);
        err = flash_area_read(fa, off, srv->scratch, n);
        if (err == 0) {
            err = crypto_hash_update(&h, srv->scratch, n);
        }
        off += n;
    }
    if (err != 0) {
        crypto_hash_abort(&h);
        return err;
    }
    return crypto_hash_finish(&h, out);
}

static bool put_flag(struct mgmt_ctx *ctx, const char *key, bool v)
{
    if (!v && ctx->srv->cfg.image_frugal_list) {
        return true;
    }
    return smp_cbor_put_kv_bool(ctx->enc, key, v);
}

static bool encode_slot(struct mgmt_ctx *ctx, unsigned image, unsigned slot,
                        const struct img_slot_info *info, uint8_t flags)
{
    struct smp_cbor_enc *e = ctx->enc;
    char ver[32];
    if (image_version_format(ver, sizeof(ver), &info->hdr.ver, true) < 0) {
        memcpy(ver, "<\?\?\?>", 6);
    }
    return smp_cbor_put_map_open(e) && smp_cbor_put_kv_uint(e, "image", image) &&
           smp_cbor_put_kv_uint(e, "slot", slot) && smp_cbor_put_kv_tstr(e, "version", ver) &&
           smp_cbor_put_kv_bstr(e, "hash", info->hash, IMG_HASH_LEN) &&
           put_flag(ctx, "bootable", (info->hdr.flags & IMAGE_F_NON_BOOTABLE) == 0) &&
           put_flag(ctx, "pending", (flags & BOOT_SLOT_F_PENDING) != 0) &&
           put_flag(ctx, "confirmed", (flags & BOOT_SLOT_F_CONFIRMED) != 0) &&
           put_flag(ctx, "active", (flags & BOOT_SLOT_F_ACTIVE) != 0) &&
           put_flag(ctx, "permanent", (flags & BOOT_SLOT_F_PERMANENT) != 0) &&
           smp_cbor_put_end(e);
}

/* {"images": [...], ("splitStatus": 0)}: the reply of state read and state write, image by
 * image, each image's slots as "slot" 0 and 1 (Zephyr's slot % 2). Slots without a listable
 * image are left out. */
static int encode_state(struct mgmt_ctx *ctx)
{
    unsigned count = img_image_count(ctx->srv);
    uint8_t flags[SERVER_IMG_MAX_IMAGES][2];
    for (unsigned image = 0; image < count; image++) {
        const struct flash_area *pri, *sec;
        if (!img_pair(ctx->srv, image, &pri, &sec)) {
            return SMP_ERR_ENOTSUP;
        }
        if ((img_xip_mode(ctx->srv) ? img_xip_slot_flags(ctx->srv, flags[image])
                                    : boot_slot_flags(pri, sec, flags[image])) != 0) {
            return mgmt_group_err(ctx, IMG_ERR_FLASH_READ_FAILED);
        }
    }
    struct smp_cbor_enc *e = ctx->enc;
    bool ok = smp_cbor_put_tstr(e, "images") && smp_cbor_put_array_open(e);
    for (unsigned image = 0; ok && image < count; image++) {
        unsigned base = IMG_ACTIVE_SLOT(image);
        /* A single-slot device (MCUboot-style serial recovery: both ports name one area)
         * lists its one slot once. */
        unsigned nslots = img_slot_area(ctx->srv, base) == img_slot_area(ctx->srv, base + 1) ? 1 : 2;
        unsigned active = ctx->srv->port->active_slot & 1u;  /* direct-xip: slot 1 may run */
        for (unsigned n = 0; ok && n < nslots; n++) {
            unsigned slot = nslots == 2 ? n ^ active : n;  /* listed in slot order */
            struct img_slot_info info;
            if (img_read_info(ctx->srv, base + slot, &info) == 0) {
                ok = encode_slot(ctx, image, slot ^ active, &info, flags[image][slot]);
            }
        }
    }
    ok = ok && smp_cbor_put_end(e) &&
         (ctx->srv->cfg.image_frugal_list || smp_cbor_put_kv_int(e, "splitStatus", 0));
    return ok ? MGMT_OK : SMP_ERR_EMSGSIZE;
}

/* 0/1/0 {} */
static int img_state_read(struct mgmt_ctx *ctx)
{
    return encode_state(ctx);
}

static int find_by_hash(const struct smp_server *srv, const uint8_t *hash)
{
    for (unsigned slot = 0; slot < 2u * img_image_count(srv); slot++) {
        struct img_slot_info info;
        if (img_read_info(srv, slot, &info) == 0 && memcmp(info.hash, hash, IMG_HASH_LEN) == 0) {
            return (int)slot;
        }
    }
    return -1;
}

/* Zephyr's img_mgmt_set_next_boot_slot(): which requests the current next-boot state allows.
 * Returns 0 with *change telling whether the trailers must change (false: already so), or an
 * image-group code. */
static int next_boot_allows(const struct smp_server *srv, unsigned slot, bool confirm,
                            bool *change)
{
    unsigned nbs, image = slot / 2u, active = IMG_ACTIVE_SLOT(image);
    enum img_next_boot type;
    *change = false;
    /* Another image's running slot is confirmed by that image, not over SMP (Zephyr's
     * default); its secondary may be confirmed (a permanent upgrade). */
    if (confirm && image != 0 && slot == active && !srv->cfg.image_confirm_any) {
        return IMG_ERR_IMAGE_CONFIRMATION_DENIED;
    }
    if (!confirm && slot == active) {
        return IMG_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED;
    }
    if (srv->port->boot.mode == SERVER_BOOT_MODE_DIRECT_XIP_REVERT) {
        *change = true;  /* Zephyr refuses nothing else there: the bootloader tries either */
        return 0;
    }
    if (img_next_boot(srv, image, &nbs, &type) != 0) {
        return IMG_ERR_FLASH_READ_FAILED;
    }
    switch (type) {
    case IMG_NEXT_TEST:
        return !confirm && slot == nbs ? 0 : IMG_ERR_IMAGE_ALREADY_PENDING;
    case IMG_NEXT_NORMAL:
        if (confirm && slot == nbs) {
            return 0;
        }
        if ((slot == active && nbs != active) || (!confirm && slot != active && slot == nbs)) {
            return IMG_ERR_IMAGE_ALREADY_PENDING;
        }
        *change = true;
        return 0;
    case IMG_NEXT_REVERT:
    default:
        if (confirm && slot == nbs) {
            return 0;
        }
        *change = confirm;
        return confirm ? 0 : IMG_ERR_IMAGE_ALREADY_PENDING;
    }
}

/* Writes the trailer change through the bootloader core (MCUboot's boot_set_next()). */
static int set_next(const struct smp_server *srv, unsigned slot, bool confirm)
{
    int err = slot % 2u == 0 ? boot_set_confirmed(img_slot_area(srv, slot))
                             : boot_set_pending(img_slot_area(srv, slot), confirm);
    switch (err) {
    case 0: return 0;
    case DFU_EIO:
    case DFU_EPOWER: return IMG_ERR_FLASH_WRITE_FAILED;
    case DFU_ENOENT:
    case DFU_EBADMSG: return IMG_ERR_INVALID_IMAGE_HEADER_MAGIC;
    default: return IMG_ERR_UNKNOWN;
    }
}

/* 2/1/0 {("hash": bstr), ("confirm": bool)} -> the new state */
static int img_state_write(struct mgmt_ctx *ctx)
{
    struct smp_cbor_str hash = {NULL, 0};
    bool confirm = false;
    struct smp_cbor_map_entry keys[] = {
        {"hash", smp_cbor_dec_bstr, &hash, false},
        {"confirm", smp_cbor_dec_bool, &confirm, false},
    };
    int rc = mgmt_decode(ctx, keys, 2);
    if (rc != MGMT_OK) {
        return rc;
    }
    if (!img_pair(ctx->srv, 0, NULL, NULL)) {
        return SMP_ERR_ENOTSUP;
    }
    int slot;
    if (hash.len == 0) {
        if (!confirm) {
            mgmt_set_rsn(ctx, "test needs a hash");
            return mgmt_group_err(ctx, IMG_ERR_INVALID_HASH);
        }
        slot = (int)IMG_ACTIVE_SLOT(0);  /* the application's image, as Zephyr */
    } else if (hash.len != IMG_HASH_LEN) {
        return mgmt_group_err(ctx, IMG_ERR_INVALID_HASH);
    } else if ((slot = find_by_hash(ctx->srv, hash.ptr)) < 0) {
        return mgmt_group_err(ctx, IMG_ERR_HASH_NOT_FOUND);
    }
    bool change;
    int verdict = next_boot_allows(ctx->srv, (unsigned)slot, confirm, &change);
    if (verdict == 0 && change) {
        verdict = set_next(ctx->srv, (unsigned)slot, confirm);
    }
    if (verdict != 0) {
        return mgmt_group_err(ctx, verdict);
    }
    return encode_state(ctx);
}

/* 2/1/5 {("slot": uint)} -> {} */
static int img_erase(struct mgmt_ctx *ctx)
{
    uint32_t slot = 1;
    struct smp_cbor_map_entry keys[] = {{"slot", smp_cbor_dec_uint32, &slot, false}};
    int rc = mgmt_decode(ctx, keys, 1);
    if (rc != MGMT_OK) {
        return rc;
    }
    const struct flash_area *fa = img_slot_area(ctx->srv, slot);
    if (fa == NULL) {
        return slot >= 2u * img_image_count(ctx->srv) ? mgmt_group_err(ctx, IMG_ERR_INVALID_SLOT)
                                                      : SMP_ERR_ENOTSUP;
    }
    /* Zephyr refuses only a valid image in use; the running slot is refused always, so an
     * erase can never take the application away. */
    struct img_slot_info info;
    if (slot == IMG_ACTIVE_SLOT(slot / 2u) ||
        (img_read_info(ctx->srv, slot, &info) == 0 && img_slot_in_use(ctx->srv, slot))) {
        return mgmt_group_err(ctx, IMG_ERR_NO_FREE_SLOT);
    }
    img_mgmt_upload_reset(ctx->srv);
    int erased = flash_area_is_erased(fa, 0, fa->size, ctx->srv->scratch,
                                      (uint32_t)sizeof(ctx->srv->scratch));
    if (erased < 0) {
        return mgmt_group_err(ctx, IMG_ERR_FLASH_READ_FAILED);
    }
    if (erased == 0) {
        if (flash_area_erase(fa, 0, fa->size) != 0) {
            return mgmt_group_err(ctx, IMG_ERR_FLASH_ERASE_FAILED);
        }
        ctx->srv->counters.img_sectors_erased += flash_area_sector_count(fa);
    }
    return MGMT_OK;
}

/* One image's {"image": n, "slots": [{"slot", "size"}...], "max_image_size": room}. */
static bool encode_slot_info(struct mgmt_ctx *ctx, unsigned image, uint32_t room)
{
    const struct flash_area *pri, *sec;
    (void)img_pair(ctx->srv, image, &pri, &sec);  /* img_slot_info() checked both */
    /* A single-slot device (serial recovery) has only slot 0, which uploads go to. */
    bool single = sec == pri;
    struct smp_cbor_enc *e = ctx->enc;
    return smp_cbor_put_map(e, 3) && smp_cbor_put_kv_uint(e, "image", image) &&
           smp_cbor_put_tstr(e, "slots") && smp_cbor_put_array(e, single ? 1 : 2) &&
           smp_cbor_put_map(e, 2) && smp_cbor_put_kv_uint(e, "slot", 0) &&
           smp_cbor_put_kv_uint(e, "size", pri->size) &&
           (single || (smp_cbor_put_map(e, 2) && smp_cbor_put_kv_uint(e, "slot", 1) &&
                       smp_cbor_put_kv_uint(e, "size", sec->size))) &&
           smp_cbor_put_kv_uint(e, "max_image_size", room);
}

/* 0/1/6 {} -> {"images": [{"image": 0, "slots": [{"slot", "size"}...], "max_image_size"}...]} */
static int img_slot_info(struct mgmt_ctx *ctx)
{
    unsigned count = img_image_count(ctx->srv);
    uint32_t room[SERVER_IMG_MAX_IMAGES];
    for (unsigned image = 0; image < count; image++) {
        const struct flash_area *sec;
        if (!img_pair(ctx->srv, image, NULL, &sec)) {
            return SMP_ERR_ENOTSUP;
        }
        /* Zephyr's key: the largest image the bootloader takes in the upload slot. */
        if (img_image_room(ctx->srv, sec, &room[image]) != 0) {
            return mgmt_group_err(ctx, IMG_ERR_FLASH_CONFIG_QUERY_FAIL);
        }
    }
    bool ok = smp_cbor_put_tstr(ctx->enc, "images") && smp_cbor_put_array(ctx->enc, count);
    for (unsigned image = 0; ok && image < count; image++) {
        ok = encode_slot_info(ctx, image, room[image]);
    }
    return ok ? MGMT_OK : SMP_ERR_EMSGSIZE;
}

static const struct mgmt_handler img_handlers[] = {
    [IMG_ID_STATE] = {img_state_read, img_state_write},
    [IMG_ID_UPLOAD] = {NULL, img_upload},
    [IMG_ID_ERASE] = {NULL, img_erase},
    [IMG_ID_SLOT_INFO] = {img_slot_info, NULL},
};

const struct mgmt_group img_mgmt_group = {
    .id = SMP_GROUP_IMAGE,
    .handlers = img_handlers,
    .count = sizeof(img_handlers) / sizeof(img_handlers[0]),
    .name = "img",
};
