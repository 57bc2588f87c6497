/* Image upload (2/1/1; Zephyr's img_mgmt_upload + img_mgmt_upload_inspect): one upload
 * context owned by the peer that started it, first-chunk checks, resume by sha, the expected
 * offset on a mismatch, overrun refusal, the optional "upgrade" version check, the image's
 * sectors erased at the first chunk (Zephyr's default) or sector by sector as the data reaches
 * them (erase_progressively), writes buffered to the flash alignment, and "match" against the
 * client's SHA-256 at the end. An upload goes to the secondary slot of its "image" (0 when
 * absent; an image the port has not: NO_FREE_SLOT, as Zephyr). Any error forgets the upload. Internal functions return 0 or
 * the image-group code (enum smp_img_err) the request fails with. */
#include <string.h>

#include "dfukit/bytes.h"
#include "dfukit/err.h"
#include "img_priv.h"

struct upload_req {
    uint32_t image;
    struct smp_cbor_str data;
    uint64_t len;
    uint64_t off;
    struct smp_cbor_str sha;
    bool upgrade;
};

void img_mgmt_upload_reset(struct smp_server *srv)
{
    memset(&srv->upload, 0, sizeof(srv->upload));
}

/* Erases the sectors the trailer falls in (unless blank), so an old magic cannot make the new
 * image pending before it is tested. Sets trailer_from. */
static int erase_trailer(struct smp_server *srv, const struct flash_area *fa)
{
    struct boot_trailer_layout tl;
    uint32_t tsize = boot_trailer_layout_ext(fa, BOOT_STATUS_STATE_COUNT * BOOT_MAX_IMG_SECTORS,
                                             srv->port->boot.enc_trailer, &tl) == 0
                         ? tl.size
                         : fa->size;
    struct flash_sector s;
    if (tsize > fa->size) {
        tsize = fa->size;
    }
    if (flash_area_sector_at(fa, fa->size - tsize, &s) != 0) {
        return IMG_ERR_FLASH_ERASE_FAILED;
    }
    srv->upload.trailer_from = s.off;
    for (uint32_t off = s.off; off < fa->size; off += s.size) {
        if (flash_area_sector_at(fa, off, &s) != 0 || s.size == 0) {
            return IMG_ERR_FLASH_ERASE_FAILED;
        }
        int blank = flash_area_is_erased(fa, s.off, s.size, srv->scratch,
                                         (uint32_t)sizeof(srv->scratch));
        if (blank < 0) {
            return IMG_ERR_FLASH_READ_FAILED;
        }
        if (blank == 0) {
            if (flash_area_erase(fa, s.off, s.size) != 0) {
                return IMG_ERR_FLASH_ERASE_FAILED;
            }
            srv->counters.img_sectors_erased++;
        }
    }
    return 0;
}

/* Erases, sector by sector, what lies below `end` and was not erased in this upload. */
static int erase_up_to(struct smp_server *srv, const struct flash_area *fa, uint32_t end)
{
    struct server_img_upload *up = &srv->upload;
    while (up->erased_to < end) {
        if (up->erased_to >= up->trailer_from) {
            up->erased_to = fa->size;  /* erased when the upload started */
            break;
        }
        struct flash_sector s;
        if (flash_area_sector_at(fa, up->erased_to, &s) != 0 || s.size == 0 ||
            flash_area_erase(fa, s.off, s.size) != 0) {
            return IMG_ERR_FLASH_ERASE_FAILED;
        }
        srv->counters.img_sectors_erased++;
        up->erased_to = s.off + s.size;
    }
    return 0;
}

static int program(struct smp_server *srv, const struct flash_area *fa, uint32_t off,
                   const uint8_t *data, uint32_t len)
{
    int rc = erase_up_to(srv, fa, off + len);
    if (rc != 0) {
        return rc;
    }
    if (flash_area_write(fa, off, data, len) != 0) {
        return IMG_ERR_FLASH_WRITE_FAILED;
    }
    srv->counters.img_bytes_written += len;
    return 0;
}

/* Appends data at upload.off: whole aligned runs go straight to flash, a tail shorter than
 * the write alignment waits in upload.pend. */
static int write_data(struct smp_server *srv, const struct flash_area *fa, const uint8_t *data,
                      uint32_t len)
{
    struct server_img_upload *up = &srv->upload;
    uint32_t align = flash_area_align(fa);
    uint32_t pos = up->off - up->pend_len;  /* flash offset of pend[0], aligned */
    while (len > 0) {
        if (up->pend_len > 0 || len < align) {
            uint32_t take = align - up->pend_len < len ? align - up->pend_len : len;
            memcpy(up->pend + up->pend_len, data, take);
            up->pend_len += take;
            data += take;
            len -= take;
            if (up->pend_len == align) {
                int rc = program(srv, fa, pos, up->pend, align);
                if (rc != 0) {
                    return rc;
                }
                pos += align;
                up->pend_len = 0;
            }
        } else {
            uint32_t run = len - len % align;
            int rc = program(srv, fa, pos, data, run);
            if (rc != 0) {
                return rc;
            }
            pos += run;
            data += run;
            len -= run;
        }
    }
    return 0;
}

/* Writes the last partial unit, padded with the erased value. */
static int flush_pending(struct smp_server *srv, const struct flash_area *fa)
{
    struct server_img_upload *up = &srv->upload;
    uint32_t align = flash_area_align(fa);
    if (up->pend_len == 0) {
        return 0;
    }
    memset(up->pend + up->pend_len, flash_area_erased_val(fa), align - up->pend_len);
    int rc = program(srv, fa, up->off - up->pend_len, up->pend, align);
    up->pend_len = 0;
    return rc;
}

static bool sha_matches(struct smp_server *srv, const struct flash_area *fa)
{
    uint8_t digest[IMG_HASH_LEN];
    return srv->upload.sha_len == IMG_HASH_LEN &&
           img_hash_area(srv, fa, srv->upload.size, digest) == 0 &&
           memcmp(digest, srv->upload.sha, IMG_HASH_LEN) == 0;
}

/* What a successful upload request is answered with. */
enum upload_reply {
    UPLOAD_REPLY_OFF,        /* {"off"}: go on from there */
    UPLOAD_REPLY_MATCH,      /* complete: {"off", "match": true} */
    UPLOAD_REPLY_NO_MATCH,   /* complete: {"off", "match": false} */
};

/* The room the bootloader leaves for an image in the upload slot (boot.h). */
int img_image_room(const struct smp_server *srv, const struct flash_area *fa, uint32_t *out)
{
    enum boot_strategy strategy = srv->port->boot.mode == SERVER_BOOT_MODE_SWAP_MOVE
                                      ? BOOT_STRATEGY_SWAP_MOVE
                                  : srv->port->boot.mode == SERVER_BOOT_MODE_SWAP_OFFSET
                                      ? BOOT_STRATEGY_SWAP_OFFSET  /* fa: the image area */
                                      : BOOT_STRATEGY_OVERWRITE;
    return boot_image_room_ext(fa, strategy, srv->port->boot.enc_trailer, out);
}

/* First-chunk checks in Zephyr's order; 0 with *resume telling whether the upload in progress
 * (same sha) goes on, or an image-group code. */
static int inspect_first(struct mgmt_ctx *ctx, const struct upload_req *req, bool len_found,
                         const struct flash_area *fa, bool *resume)
{
    struct smp_server *srv = ctx->srv;
    *resume = false;
    if (req->data.len < IMAGE_HEADER_SIZE) {
        return IMG_ERR_INVALID_IMAGE_HEADER;
    }
    if (!len_found) {
        return IMG_ERR_INVALID_LENGTH;
    }
    if (load32_le(req->data.ptr) != IMAGE_MAGIC) {
        return IMG_ERR_INVALID_IMAGE_HEADER_MAGIC;
    }
    if (req->sha.len > sizeof(srv->upload.sha)) {
        return IMG_ERR_INVALID_HASH;
    }
    if (req->sha.len > 0 && srv->upload.active && srv->upload.sha_len == req->sha.len &&
        memcmp(srv->upload.sha, req->sha.ptr, req->sha.len) == 0) {
        *resume = true;
        return 0;
    }
    if (fa == NULL || img_slot_in_use(srv, IMG_UPLOAD_SLOT(req->image))) {
        return IMG_ERR_NO_FREE_SLOT;
    }
    uint32_t room;
    if (img_image_room(srv, fa, &room) != 0 || req->len > room) {
        mgmt_set_rsn(ctx, "image larger than the slot's room");
        return IMG_ERR_INVALID_IMAGE_TOO_LARGE;
    }
    if (req->data.len > req->len) {
        return IMG_ERR_INVALID_IMAGE_DATA_OVERRUN;
    }
    if (flash_area_align(fa) > SERVER_IMG_ALIGN_MAX) {
        return IMG_ERR_FLASH_CONFIG_QUERY_FAIL;
    }
    if (req->upgrade) {
        /* Against the running version of the image uploaded to (Zephyr compares with the
         * application's, image 0's, whatever the image: no use for another core's). */
        struct image_header cur, next;
        if (image_header_read(img_slot_area(srv, IMG_ACTIVE_SLOT(req->image)), &cur) != 0) {
            return IMG_ERR_VERSION_GET_FAILED;
        }
        if (image_header_decode(&next, req->data.ptr) != 0) {
            return IMG_ERR_INVALID_IMAGE_HEADER;
        }
        bool use_build = srv->port->version_cmp_use_build;
        if (image_version_cmp(&cur.ver, &next.ver, use_build) >= 0) {
            mgmt_set_rsn(ctx, "current version is newer");
            return IMG_ERR_CURRENT_VERSION_IS_NEWER;
        }
    }
    return 0;
}

/* Starts a fresh upload at offset 0: the new context, "already there", the erase policy. */
static int start(struct smp_server *srv, const struct upload_req *req,
                 const struct flash_area *fa, enum upload_reply *reply)
{
    struct server_img_upload *up = &srv->upload;
    img_mgmt_upload_reset(srv);
    up->active = true;
    up->size = (uint32_t)req->len;
    up->image = (uint8_t)req->image;
    up->sha_len = (uint8_t)req->sha.len;
    if (req->sha.len > 0) {
        memcpy(up->sha, req->sha.ptr, req->sha.len);
    }
    if (!srv->cfg.no_image_check && up->sha_len == IMG_HASH_LEN && sha_matches(srv, fa)) {
        up->off = up->size;  /* already there: nothing to send */
        *reply = UPLOAD_REPLY_MATCH;
        return 0;
    }
    int rc = erase_trailer(srv, fa);
    if (rc == 0 && !srv->cfg.erase_progressively) {
        rc = erase_up_to(srv, fa, up->size);  /* the whole image's sectors, before replying */
    }
    return rc;
}

static int upload(struct mgmt_ctx *ctx, const struct upload_req *req, bool off_found,
                  bool len_found, enum upload_reply *reply)
{
    struct smp_server *srv = ctx->srv;
    struct server_img_upload *up = &srv->upload;
    const struct flash_area *fa = img_slot_area(srv, IMG_UPLOAD_SLOT(up->image));

    *reply = UPLOAD_REPLY_OFF;
    if (!off_found) {
        return IMG_ERR_INVALID_OFFSET;
    }
    if (req->off == 0) {
        bool resume;
        /* A fresh upload goes to its image's secondary (NULL: no such image); resuming one
         * keeps the slot it had. */
        fa = req->image < img_image_count(srv) ? img_slot_area(srv, IMG_UPLOAD_SLOT(req->image))
                                               : NULL;
        int rc = inspect_first(ctx, req, len_found, fa, &resume);
        if (rc != 0 || resume) {
            return rc;
        }
        rc = start(srv, req, fa, reply);
        if (rc != 0 || *reply != UPLOAD_REPLY_OFF) {
            return rc;
        }
    } else {
        if (!up->active || req->off != up->off) {
            return 0;  /* lost or repeated chunk: tell the client where to go on */
        }
        if (req->off + req->data.len > up->size) {
            return IMG_ERR_INVALID_IMAGE_DATA_OVERRUN;
        }
    }
    if (req->data.len > 0) {
        int rc = write_data(srv, fa, req->data.ptr, (uint32_t)req->data.len);
        if (rc != 0) {
            return rc;
        }
        up->off += (uint32_t)req->data.len;
    }
    if (up->off == up->size) {
        int rc = flush_pending(srv, fa);
        if (rc != 0) {
            return rc;
        }
        bool match = !srv->cfg.no_image_check && sha_matches(srv, fa);
        *reply = match ? UPLOAD_REPLY_MATCH : UPLOAD_REPLY_NO_MATCH;
    }
    return 0;
}

static uint32_t uptime_ms(const struct smp_server *srv)
{
    return srv->port->uptime_ms != NULL ? srv->port->uptime_ms(srv->port->ctx) : 0;
}

/* An upload in progress belongs to its peer: another one may take it over only at offset 0,
 * and only once it went idle or to resume it by its full SHA-256 (the same image: a client
 * that came back on a new UDP port); never with a chunk, whose data at the expected offset
 * would mix two images in the slot. A finished upload keeps that claim for the idle time
 * (when the port has a clock), so a client whose first chunk was lost while another upload
 * ran cannot start over and replace the image that client was just told it had uploaded. */
static bool taken_by_another(const struct mgmt_ctx *ctx, const struct upload_req *req,
                             bool off_found, uint32_t now)
{
    const struct smp_server *srv = ctx->srv;
    const struct server_img_upload *up = &srv->upload;
    if ((!up->active && !up->finished) || smp_peer_equal(&up->owner, ctx->peer)) {
        return false;
    }
    if (!off_found || req->off != 0) {
        return true;
    }
    bool idle = srv->port->uptime_ms != NULL && now - up->last_ms >= SERVER_IMG_UPLOAD_IDLE_MS;
    bool same_image = req->sha.len == IMG_HASH_LEN && up->sha_len == IMG_HASH_LEN &&
                      memcmp(req->sha.ptr, up->sha, IMG_HASH_LEN) == 0;
    return !idle && !same_image;
}

/* Forgets the completed upload but, with a clock, keeps its owner's claim (see above). */
static void finish(struct smp_server *srv, const struct smp_peer *owner, uint32_t now)
{
    struct server_img_upload *up = &srv->upload;
    uint8_t sha[sizeof(up->sha)];
    uint8_t sha_len = up->sha_len;
    memcpy(sha, up->sha, sizeof(sha));
    img_mgmt_upload_reset(srv);
    if (srv->port->uptime_ms != NULL) {
        up->finished = true;
        up->owner = *owner;
        up->last_ms = now;
        up->sha_len = sha_len;
        memcpy(up->sha, sha, sizeof(sha));
    }
}

/* 2/1/1 {("image"), ("len"), "off", ("sha"), "data", ("upgrade")} -> {"off", ("match")} */
int img_upload(struct mgmt_ctx *ctx)
{
    struct upload_req req;
    memset(&req, 0, sizeof(req));
    struct smp_cbor_map_entry keys[] = {
        {"image", smp_cbor_dec_uint32, &req.image, false},
        {"data", smp_cbor_dec_bstr, &req.data, false},
        {"len", smp_cbor_dec_uint64, &req.len, false},
        {"off", smp_cbor_dec_uint64, &req.off, false},
        {"sha", smp_cbor_dec_bstr, &req.sha, false},
        {"upgrade", smp_cbor_dec_bool, &req.upgrade, false},
    };
    int rc = mgmt_decode(ctx, keys, sizeof(keys) / sizeof(keys[0]));
    if (rc != MGMT_OK) {
        return rc;
    }
    struct smp_server *srv = ctx->srv;
    if (!img_pair(srv, 0, NULL, NULL)) {
        return SMP_ERR_ENOTSUP;
    }
    uint32_t now = uptime_ms(srv);
    if (taken_by_another(ctx, &req, keys[3].found, now)) {
        mgmt_set_rsn(ctx, "another peer's upload is in progress");
        return SMP_ERR_EBUSY;  /* as Zephyr's busy answer: rc, on v1 and v2 alike */
    }
    enum upload_reply reply;
    rc = upload(ctx, &req, keys[3].found, keys[2].found, &reply);
    if (rc != 0) {
        img_mgmt_upload_reset(srv);
        return mgmt_group_err(ctx, rc);
    }
    uint32_t off = srv->upload.off;
    if (reply == UPLOAD_REPLY_OFF) {
        if (srv->upload.active) {
            srv->upload.owner = *ctx->peer;
            srv->upload.last_ms = now;
        }
        return smp_cbor_put_kv_uint(ctx->enc, "off", off) ? MGMT_OK : SMP_ERR_EMSGSIZE;
    }
    finish(srv, ctx->peer, now);
    bool ok = smp_cbor_put_kv_uint(ctx->enc, "off", off) &&
              (srv->cfg.no_image_check ||
               smp_cbor_put_kv_bool(ctx->enc, "match", reply == UPLOAD_REPLY_MATCH));
    return ok ? MGMT_OK : SMP_ERR_EMSGSIZE;
}
