/* Image state helpers and the one-step upgrade (issue 6): upload, mark for test (or confirm),
 * reset, wait for the board to come back, check that the new image runs, confirm it. Each step
 * is reported with its duration through a callback; the library prints nothing. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dfukit/client.h"
#include "dfukit/err.h"
#include "dfukit/smp_cbor.h"

int client_image_state_read(struct client_session *s, struct client_rsp *rsp,
                            struct client_deverr *err)
{
    return client_call(s, SMP_OP_READ, SMP_GROUP_IMAGE, IMG_ID_STATE, SMP_EMPTY_MAP,
                       SMP_EMPTY_MAP_LEN, rsp, err);
}

int client_image_state_write(struct client_session *s, const uint8_t *hash, size_t hash_len,
                             bool confirm, struct client_rsp *rsp, struct client_deverr *err)
{
    uint8_t buf[128];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, buf, sizeof(buf));
    bool ok = smp_cbor_put_map(&e, hash_len ? 2 : 1);
    if (hash_len) {
        ok = ok && smp_cbor_put_kv_bstr(&e, "hash", hash, hash_len);
    }
    ok = ok && smp_cbor_put_kv_bool(&e, "confirm", confirm);
    if (!ok || smp_cbor_enc_error(&e)) {
        return DFU_EINVAL;
    }
    return client_call(s, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ID_STATE, buf, e.len, rsp, err);
}

bool client_state_find(const cbor_item_t *root, uint32_t image, bool active, uint8_t *hash,
                       size_t cap, size_t *hash_len)
{
    const cbor_item_t *imgs = client_map_get(root, "images");
    size_t n = imgs && cbor_isa_array(imgs) ? cbor_array_size(imgs) : 0;
    for (size_t i = 0; i < n; i++) {
        const cbor_item_t *img = cbor_array_handle(imgs)[i];
        uint64_t num = 0;
        bool act = false;
        const uint8_t *h;
        size_t hl;
        client_get_uint(img, "image", &num);
        client_get_bool(img, "active", &act);
        if (num == image && act == active && client_get_bytes(img, "hash", &h, &hl) && hl > 0 &&
            hl <= cap) {
            memcpy(hash, h, hl);
            *hash_len = hl;
            return true;
        }
    }
    return false;
}

/* After EBUSY: does the image's inactive slot list a whole image? Then another client's
 * upload has finished there (a half-done one is not listed) and the device keeps it for that
 * client for a while; else an upload is in progress. */
static bool slot_holds_image(struct client_session *s, uint32_t image)
{
    struct client_rsp rsp;
    if (client_image_state_read(s, &rsp, NULL) != 0) {
        return false;
    }
    uint8_t h[64];
    size_t hl;
    bool found = client_state_find(rsp.root, image, false, h, sizeof(h), &hl);
    client_rsp_free(&rsp);
    return found;
}

static bool any_pending(const cbor_item_t *root)
{
    const cbor_item_t *imgs = client_map_get(root, "images");
    size_t n = imgs && cbor_isa_array(imgs) ? cbor_array_size(imgs) : 0;
    for (size_t i = 0; i < n; i++) {
        bool pending = false;
        if (client_get_bool(cbor_array_handle(imgs)[i], "pending", &pending) && pending) {
            return true;
        }
    }
    return false;
}

int client_wait_reboot(struct client_session *s, int budget_ms)
{
    double until = client_now_s() + budget_ms / 1000.0;
    while (client_now_s() < until) {
        struct client_rsp rsp;
        int rc = client_request(s, SMP_OP_READ, SMP_GROUP_IMAGE, IMG_ID_STATE, SMP_EMPTY_MAP,
                                SMP_EMPTY_MAP_LEN, &rsp, 1000);
        if (rc == 0) {
            /* an image was pending before the reset; the new boot has acted on it */
            bool done = !client_rsp_failed(&rsp) && !any_pending(rsp.root);
            client_rsp_free(&rsp);
            if (done) {
                return 0;
            }
            struct timespec ts = {0, 100 * 1000000L}; /* still the old boot: ask again soon */
            nanosleep(&ts, NULL);
        }
    }
    return DFU_ETIMEDOUT;
}

static void hexstr(char *out, const uint8_t *h, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[h[i] >> 4];
        out[2 * i + 1] = digits[h[i] & 15];
    }
    out[2 * n] = '\0';
}

static void report(const struct client_upgrade_opts *o, const char *step, double t0,
                   const char *detail)
{
    if (o->step) {
        o->step(o->step_arg, step, client_now_s() - t0, detail);
    }
}

/* Erase budget per 4 KiB of slot for the first reply (about 3x an nRF52840's 85 ms), on top
 * of a fixed margin for the link. */
#define UPGRADE_ERASE_MS_PER_4K 250
#define UPGRADE_FIRST_MARGIN_MS 5000

/* One entry of a state response's image list. */
size_t client_state_slots(const cbor_item_t *root, struct client_slot_state *out, size_t max)
{
    const cbor_item_t *imgs = client_map_get(root, "images");
    size_t n = imgs && cbor_isa_array(imgs) ? cbor_array_size(imgs) : 0, k = 0;
    for (size_t i = 0; i < n && k < max; i++) {
        const cbor_item_t *img = cbor_array_handle(imgs)[i];
        struct client_slot_state *e = &out[k++];
        memset(e, 0, sizeof(*e));
        uint64_t v = 0;
        if (client_get_uint(img, "image", &v)) {
            e->image = (uint32_t)v;
        }
        if (client_get_uint(img, "slot", &v)) {
            e->slot = (uint32_t)v;
        }
        client_get_bool(img, "active", &e->active);
        client_get_bool(img, "confirmed", &e->confirmed);
        client_get_bool(img, "pending", &e->pending);
        client_get_bool(img, "permanent", &e->permanent);
        client_get_bool(img, "bootable", &e->bootable);
        const uint8_t *h;
        size_t hl;
        if (client_get_bytes(img, "hash", &h, &hl) && hl <= sizeof(e->hash)) {
            memcpy(e->hash, h, hl);
            e->hash_len = hl;
        }
        client_get_text(img, "version", e->version, sizeof(e->version));
    }
    return k;
}

static bool same_hash(const struct client_slot_state *e, const uint8_t *h, size_t n)
{
    return e->hash_len == n && n > 0 && memcmp(e->hash, h, n) == 0;
}

/* After the upload: does the target slot list the file's hash? Without a file hash (no
 * MCUboot image) or a state list, the last chunk's match decides. */
static int verify_upload(struct client_session *s, const struct client_upload_opts *o,
                         struct client_upgrade_result *r, struct client_deverr *err)
{
    const struct client_upload_stats *st = &r->upload;
    uint8_t fh[sizeof(r->hash)];
    size_t fhl = 0;
    bool matched = st->match_reported && st->match;
    r->slot = r->room.slot;
    if (client_image_file_hash(o->data, o->len, fh, sizeof(fh), &fhl) != 0) {
        r->verdict = matched ? CLIENT_UPLOAD_VERIFIED : CLIENT_UPLOAD_UNVERIFIED;
        return matched ? 0 : DFU_ESIG;
    }
    struct client_rsp rsp;
    int rc = client_image_state_read(s, &rsp, err);
    if (rc == CLIENT_EDEVICE) {
        r->verdict = matched ? CLIENT_UPLOAD_VERIFIED : CLIENT_UPLOAD_UNVERIFIED;
        return matched ? 0 : DFU_ESIG;
    }
    if (rc) {
        return rc;
    }
    struct client_slot_state e[CLIENT_STATE_SLOTS_MAX];
    size_t n = client_state_slots(rsp.root, e, CLIENT_STATE_SLOTS_MAX);
    const struct client_slot_state *target = NULL, *found = NULL;
    /* the slot uploads go to: one not running, or the one slot-info names (a single-slot
     * device runs nothing from it) */
    for (size_t i = 0; i < n; i++) {
        if (e[i].image == o->image && (!e[i].active || e[i].slot == r->room.slot)) {
            target = target ? target : &e[i];
            found = found || !same_hash(&e[i], fh, fhl) ? found : &e[i];
        }
    }
    if (found) {
        r->verdict = CLIENT_UPLOAD_VERIFIED;
        r->slot = found->slot;
        memcpy(r->hash, fh, fhl);
        r->hash_len = fhl;
    } else {
        r->verdict = target && target->hash_len ? CLIENT_UPLOAD_OTHER_IMAGE : CLIENT_UPLOAD_NO_IMAGE;
        r->slot = target ? target->slot : r->room.slot;
    }
    client_rsp_free(&rsp);
    return found ? 0 : DFU_ESIG;
}

/* After the reset: the new image runs, was refused (our boot core erases an invalid
 * secondary, so it is gone), or ran unconfirmed and came back to its slot (reverted). */
static int check_boot(struct client_session *s, uint32_t image, struct client_upgrade_result *r,
                      struct client_deverr *err)
{
    struct client_rsp rsp;
    int rc = client_image_state_read(s, &rsp, err);
    if (rc) {
        return rc;
    }
    struct client_slot_state e[CLIENT_STATE_SLOTS_MAX];
    size_t n = client_state_slots(rsp.root, e, CLIENT_STATE_SLOTS_MAX);
    bool listed = false;
    for (size_t i = 0; i < n; i++) {
        if (e[i].image != image) {
            continue;
        }
        if (e[i].active) {
            snprintf(r->running_version, sizeof(r->running_version), "%s", e[i].version);
            r->active = same_hash(&e[i], r->hash, r->hash_len);
        } else {
            listed = listed || same_hash(&e[i], r->hash, r->hash_len);
        }
    }
    client_rsp_free(&rsp);
    r->boot = r->active ? CLIENT_BOOT_RUNNING : listed ? CLIENT_BOOT_REVERTED : CLIENT_BOOT_REFUSED;
    return r->active ? 0 : DFU_ESIG;
}

int client_upgrade(struct client_session *s, const struct client_upgrade_opts *o,
                   struct client_upgrade_result *r, struct client_deverr *err)
{
    memset(r, 0, sizeof(*r));
    memset(err, 0, sizeof(*err));
    char detail[256];
    r->failed_step = "upload";
    struct client_upload_opts uo = o->upload;
    /* the room first: a file that cannot fit is refused before any of it is sent */
    int rc = client_upload_room_read(s, uo.image, &r->room);
    if (rc && rc != DFU_ENOTSUP) {
        return rc;
    }
    if (r->room.has_max_image_size && uo.len > r->room.max_image_size) {
        r->too_large = true;
        return DFU_ENOSPC;
    }
    if (uo.first_timeout_ms <= 0 && r->room.has_slot_size) {
        uo.first_timeout_ms = UPGRADE_FIRST_MARGIN_MS +
                              (int)((r->room.slot_size + 4095u) / 4096u) * UPGRADE_ERASE_MS_PER_4K;
    }
    double t = client_now_s();
    rc = client_image_upload(s, &uo, &r->upload, err);
    if (rc == DFU_ESIG) {
        r->verdict = CLIENT_UPLOAD_MISMATCH;
    }
    if (rc == CLIENT_EDEVICE && !err->has_group_err && err->rc == SMP_ERR_EBUSY) {
        r->busy_finished = slot_holds_image(s, uo.image);
    }
    if (rc) {
        return rc;
    }
    double dt = client_now_s() - t;
    if ((rc = verify_upload(s, &uo, r, err))) {
        return rc;
    }
    /* the rate counts what this run sent; nothing sent, no rate */
    size_t sent = uo.len - r->upload.resumed_from;
    if (sent == 0) {
        snprintf(detail, sizeof(detail), "%zu bytes, all already on the device", uo.len);
    } else {
        snprintf(detail, sizeof(detail), "%zu bytes, %.1f KiB/s, %zu B/chunk, window %u%s",
                 uo.len, dt > 0 ? (double)sent / dt / 1024.0 : 0.0, r->upload.chunk_data,
                 r->upload.window, r->upload.resumed_from ? " (resumed)" : "");
    }
    report(o, "upload", t, detail);
    if (!o->test && !o->confirm && !o->reset) {
        r->failed_step = NULL;
        return 0; /* a plain upload: nothing else is asked */
    }

    /* verified by match only (no MCUboot hash in the file): the image just written is the
     * one of this image number that is not running */
    struct client_rsp rsp;
    if (r->hash_len == 0) {
        r->failed_step = "image list";
        if ((rc = client_image_state_read(s, &rsp, err))) {
            return rc;
        }
        bool found = client_state_find(rsp.root, o->upload.image, false, r->hash,
                                       sizeof(r->hash), &r->hash_len);
        client_rsp_free(&rsp);
        if (!found) {
            return DFU_ENOENT;
        }
    }
    char hex[2 * sizeof(r->hash) + 1];
    hexstr(hex, r->hash, r->hash_len);
    bool mark_confirm = o->confirm && !o->reset;
    if (o->test || o->confirm) {
        r->failed_step = mark_confirm ? "image confirm" : "image test";
        t = client_now_s();
        if ((rc = client_image_state_write(s, r->hash, r->hash_len, mark_confirm, &rsp, err))) {
            return rc;
        }
        client_rsp_free(&rsp);
        snprintf(detail, sizeof(detail), "%s %s", mark_confirm ? "confirmed" : "marked for test",
                 hex);
        report(o, mark_confirm ? "confirm" : "test", t, detail);
        r->confirmed = mark_confirm;
    }
    if (!o->reset) {
        r->failed_step = NULL;
        return 0;
    }
    r->failed_step = "reset";
    t = client_now_s();
    if ((rc = client_os_reset(s, false, err))) {
        return rc;
    }
    report(o, "reset", t, "reset sent");
    if (!o->wait && !o->confirm) {
        r->failed_step = NULL;
        return 0;
    }
    r->failed_step = "wait";
    t = client_now_s();
    if ((rc = client_wait_reboot(s, o->wait_ms > 0 ? o->wait_ms : 60000))) {
        return rc;
    }
    report(o, "wait", t, "board answers again");
    r->failed_step = "check";
    t = client_now_s();
    if ((rc = check_boot(s, o->upload.image, r, err))) {
        return rc;
    }
    report(o, "check", t, "new image is active");
    if (o->confirm) {
        r->failed_step = "image confirm";
        t = client_now_s();
        if ((rc = client_image_state_write(s, NULL, 0, true, &rsp, err))) {
            return rc;
        }
        client_rsp_free(&rsp);
        r->confirmed = true;
        report(o, "confirm", t, "running image confirmed");
    }
    r->failed_step = NULL;
    return 0;
}
