/* Image group (1): list, upload (windowed, resumable, and the one-step upgrade), test,
 * confirm, erase, slot-info. `image list` prints the Go tool's exact text. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dfukit/err.h"
#include "dfukit/smp_cbor.h"
#include "mcumgr.h"

enum { IMG_STATE = 0, IMG_UPLOAD = 1, IMG_ERASE = 5, IMG_SLOT_INFO = 6 };

static const uint8_t empty_map[] = {0xa0};

static int hex_decode(const char *s, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = strlen(s);
    if (n % 2 || n / 2 > cap) {
        return DFU_EINVAL;
    }
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1 || !strchr("0123456789abcdefABCDEF", s[2 * i]) ||
            !strchr("0123456789abcdefABCDEF", s[2 * i + 1])) {
            return DFU_EINVAL;
        }
        out[i] = (uint8_t)v;
    }
    *len = n / 2;
    return 0;
}

static int image_list(struct mcumgr *m)
{
    struct client_rsp rsp;
    int rc = mcumgr_call(m, "image list", SMP_OP_READ, SMP_GROUP_IMAGE, IMG_STATE, empty_map,
                         1, &rsp);
    if (rc) {
        return rc;
    }
    if (!mcumgr_json(m, &rsp)) {
        client_print_image_list(stdout, rsp.root);
    }
    client_rsp_free(&rsp);
    return MCUMGR_EXIT_OK;
}

/* State write: test (confirm=false) or confirm, with or without a hash. Prints the new state
 * unless quiet. */
static int state_write(struct mcumgr *m, const char *what, const uint8_t *hash, size_t hlen,
                       bool confirm, bool print)
{
    uint8_t buf[128];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, buf, sizeof(buf));
    bool ok = smp_cbor_put_map(&e, hlen ? 2 : 1);
    if (hlen) {
        ok = ok && smp_cbor_put_kv_bstr(&e, "hash", hash, hlen);
    }
    ok = ok && smp_cbor_put_kv_bool(&e, "confirm", confirm);
    if (!ok || smp_cbor_enc_error(&e)) {
        return mcumgr_fail(what, "request too large");
    }
    struct client_rsp rsp;
    int rc = mcumgr_call(m, what, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_STATE, buf, e.len, &rsp);
    if (rc) {
        return rc;
    }
    if (print && !mcumgr_json(m, &rsp)) {
        client_print_image_list(stdout, rsp.root);
    }
    client_rsp_free(&rsp);
    return MCUMGR_EXIT_OK;
}

static int image_test_confirm(struct mcumgr *m, struct mcumgr_args *a, bool confirm)
{
    const char *what = confirm ? "image confirm" : "image test";
    uint8_t hash[64];
    size_t hlen = 0;
    if (!confirm && a->argc < 1) {
        return mcumgr_usage("image test HASH");
    }
    if (a->argc >= 1 && hex_decode(a->argv[0], hash, sizeof(hash), &hlen) != 0) {
        return mcumgr_fail(what, "invalid hash '%s' (hex expected)", a->argv[0]);
    }
    return state_write(m, what, hash, hlen, confirm, true);
}

static int image_erase(struct mcumgr *m, struct mcumgr_args *a)
{
    const char *slot = mcumgr_opt_value(a, "--slot", "-s");
    uint8_t buf[32];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, buf, sizeof(buf));
    bool ok;
    if (slot) {
        char *end;
        unsigned long v = strtoul(slot, &end, 10);
        if (*end || !slot[0] || v > 255) {
            return mcumgr_fail("image erase", "invalid slot '%s'", slot);
        }
        ok = smp_cbor_put_map(&e, 1) && smp_cbor_put_kv_uint(&e, "slot", v);
    } else {
        ok = smp_cbor_put_map(&e, 0);
    }
    if (!ok || smp_cbor_enc_error(&e)) {
        return mcumgr_fail("image erase", "request too large");
    }
    struct client_rsp rsp;
    int rc = mcumgr_call(m, "image erase", SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ERASE, buf, e.len,
                         &rsp);
    if (rc) {
        return rc;
    }
    if (!mcumgr_json(m, &rsp)) {
        printf("Done\n");
    }
    client_rsp_free(&rsp);
    return MCUMGR_EXIT_OK;
}

static int slot_info(struct mcumgr *m)
{
    struct client_rsp rsp;
    int rc = mcumgr_call(m, "image slot-info", SMP_OP_READ, SMP_GROUP_IMAGE, IMG_SLOT_INFO,
                         empty_map, 1, &rsp);
    if (rc) {
        return rc;
    }
    if (!mcumgr_json(m, &rsp)) {
        const cbor_item_t *imgs = client_map_get(rsp.root, "images");
        size_t n = imgs && cbor_isa_array(imgs) ? cbor_array_size(imgs) : 0;
        for (size_t i = 0; i < n; i++) {
            const cbor_item_t *img = cbor_array_handle(imgs)[i];
            uint64_t image = 0, max = 0;
            client_get_uint(img, "image", &image);
            printf("image %" PRIu64 ":\n", image);
            const cbor_item_t *slots = client_map_get(img, "slots");
            size_t ns = slots && cbor_isa_array(slots) ? cbor_array_size(slots) : 0;
            for (size_t k = 0; k < ns; k++) {
                const cbor_item_t *sl = cbor_array_handle(slots)[k];
                uint64_t slot = 0, size = 0, up;
                client_get_uint(sl, "slot", &slot);
                client_get_uint(sl, "size", &size);
                printf("    slot %" PRIu64 ": size %" PRIu64, slot, size);
                if (client_get_uint(sl, "upload_image_id", &up)) {
                    printf(", upload image id %" PRIu64, up);
                }
                printf("\n");
            }
            if (client_get_uint(img, "max_image_size", &max)) {
                printf("    max image size: %" PRIu64 "\n", max);
            }
        }
    }
    client_rsp_free(&rsp);
    return MCUMGR_EXIT_OK;
}

/* The state entry of the given image number that is not active (the uploaded one), or the
 * active one when want_active. Copies its hash. */
static bool find_slot_hash(const cbor_item_t *root, uint32_t image, bool want_active,
                           uint8_t hash[64], size_t *hlen)
{
    const cbor_item_t *imgs = client_map_get(root, "images");
    size_t n = imgs && cbor_isa_array(imgs) ? cbor_array_size(imgs) : 0;
    for (size_t i = 0; i < n; i++) {
        const cbor_item_t *img = cbor_array_handle(imgs)[i];
        uint64_t num = 0;
        bool active = false;
        const uint8_t *h;
        size_t hl;
        client_get_uint(img, "image", &num);
        client_get_bool(img, "active", &active);
        if (num == image && active == want_active && client_get_bytes(img, "hash", &h, &hl) &&
            hl > 0 && hl <= 64) {
            memcpy(hash, h, hl);
            *hlen = hl;
            return true;
        }
    }
    return false;
}

static int read_state(struct mcumgr *m, const char *what, struct client_rsp *rsp)
{
    return mcumgr_call(m, what, SMP_OP_READ, SMP_GROUP_IMAGE, IMG_STATE, empty_map, 1, rsp);
}

static void step(const struct mcumgr *m, const char *name, double t0, const char *detail)
{
    if (!m->json) {
        printf("%-8s %6.2f s  %s\n", name, mcumgr_now() - t0, detail);
        fflush(stdout);
    }
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

/* After a reset: polls until the device answers from its new boot. The image was pending
 * before the reset; once the bootloader has acted on it nothing is pending any more (a board
 * that answers with the image still pending has not rebooted yet). */
static int wait_for_board(struct mcumgr *m, double budget_s)
{
    struct client_session *s = mcumgr_session(m);
    if (!s) {
        return MCUMGR_EXIT_ERR;
    }
    double until = mcumgr_now() + budget_s;
    while (mcumgr_now() < until) {
        struct client_rsp rsp;
        int rc = client_request(s, SMP_OP_READ, SMP_GROUP_IMAGE, IMG_STATE, empty_map, 1, &rsp,
                                1000);
        if (rc == 0) {
            bool done = !client_rsp_failed(&rsp) && !any_pending(rsp.root);
            client_rsp_free(&rsp);
            if (done) {
                return MCUMGR_EXIT_OK;
            }
            struct timespec ts = {0, 100 * 1000000L}; /* still the old boot: poll again */
            nanosleep(&ts, NULL);
        }
    }
    return mcumgr_fail("wait", "the board did not come back within %.0f s", budget_s);
}

/* image upload FILE, optionally followed by mark / reset / wait / check / confirm. */
static int image_upload(struct mcumgr *m, struct mcumgr_args *a)
{
    static const char usage[] =
        "image upload FILE [-n IMAGE] [-u] [-w WINDOW] [--test|--confirm] [--reset [--wait]]";
    const char *v;
    struct client_upload_opts o;
    memset(&o, 0, sizeof(o));
    if ((v = mcumgr_opt_value(a, "--image", "-n"))) {
        o.image = (uint32_t)strtoul(v, NULL, 10);
    }
    if ((v = mcumgr_opt_value(a, "--maxwinsize", "-w")) ||
        (v = mcumgr_opt_value(a, "--window", NULL))) {
        long w = strtol(v, NULL, 10);
        if (w < 1 || w > 32) {
            return mcumgr_fail("image upload", "window must be 1..32");
        }
        o.window = (unsigned)w;
    }
    if ((v = mcumgr_opt_value(a, "--chunk", NULL))) {
        o.chunk_max = (size_t)strtoul(v, NULL, 10);
    }
    o.upgrade = mcumgr_opt_flag(a, "--upgrade", "-u");
    mcumgr_opt_flag(a, "--noerase", "-e"); /* the slot is erased by the first chunk anyway */
    bool test = mcumgr_opt_flag(a, "--test", NULL);
    bool confirm = mcumgr_opt_flag(a, "--confirm", NULL);
    bool reset = mcumgr_opt_flag(a, "--reset", NULL);
    bool wait = mcumgr_opt_flag(a, "--wait", NULL) || (reset && confirm);
    int rc = mcumgr_no_more_opts(a, usage);
    if (rc) {
        return rc;
    }
    if (a->argc != 1) {
        return mcumgr_usage(usage);
    }
    if (test && confirm && !reset) {
        return mcumgr_fail("image upload", "--test and --confirm together need --reset");
    }
    uint8_t *data;
    size_t len;
    int err = mcumgr_read_file(a->argv[0], &data, &len);
    if (err) {
        return mcumgr_fail("image upload", "cannot read %s: %s", a->argv[0], dfu_strerror(err));
    }
    if (len == 0) {
        free(data);
        return mcumgr_fail("image upload", "%s is empty", a->argv[0]);
    }
    struct client_session *s = mcumgr_session(m);
    if (!s) {
        free(data);
        return MCUMGR_EXIT_ERR;
    }
    bool steps = test || confirm || reset;
    struct mcumgr_progress prog;
    mcumgr_progress_init(&prog, m, "upload");
    o.data = data;
    o.len = len;
    o.progress = mcumgr_progress_cb;
    o.progress_arg = &prog;
    struct client_upload_stats st;
    struct client_deverr derr;
    double t0 = mcumgr_now();
    err = client_image_upload(s, &o, &st, &derr);
    free(data);
    if (err) {
        if (err == DFU_ESIG) {
            return mcumgr_fail("image upload", "the device's hash of the upload does not match");
        }
        return mcumgr_fail_rc("image upload", err, &derr);
    }
    double dt = mcumgr_now() - t0;
    char detail[200];
    snprintf(detail, sizeof(detail), "%zu bytes, %.1f KiB/s, %zu B/chunk, window %u%s", len,
             dt > 0 ? (double)len / dt / 1024.0 : 0.0, st.chunk_data, st.window,
             st.resumed_from ? " (resumed)" : "");
    if (m->json && !steps) {
        printf("{\"bytes\": %zu, \"seconds\": %.3f, \"chunk\": %zu, \"window\": %u, "
               "\"resumed_from\": %zu, \"requests\": %u, \"retransmits\": %u, \"resyncs\": %u}\n",
               len, dt, st.chunk_data, st.window, st.resumed_from, st.requests, st.retransmits,
               st.resyncs);
    }
    if (st.resumed_from && !m->quiet && !m->json) {
        fprintf(stderr, "upload resumed at offset %zu\n", st.resumed_from);
    }
    if (!steps) {
        if (!m->json) {
            printf("Done\n");
        }
        return MCUMGR_EXIT_OK;
    }
    step(m, "upload", t0, detail);

    /* the hash of the image just written: the non-active slot of this image number */
    double t = mcumgr_now();
    struct client_rsp rsp;
    if ((rc = read_state(m, "image list", &rsp))) {
        return rc;
    }
    uint8_t hash[64];
    size_t hlen = 0;
    bool found = find_slot_hash(rsp.root, o.image, false, hash, &hlen);
    client_rsp_free(&rsp);
    if (!found) {
        return mcumgr_fail("image upload", "the uploaded image is not listed by the device");
    }
    char hex[130];
    for (size_t i = 0; i < hlen; i++) {
        snprintf(hex + 2 * i, 3, "%02x", hash[i]);
    }
    bool mark_confirm = confirm && !reset;
    if (test || confirm) {
        rc = state_write(m, mark_confirm ? "image confirm" : "image test", hash, hlen,
                         mark_confirm, false);
        if (rc) {
            return rc;
        }
        snprintf(detail, sizeof(detail), "%s %s", mark_confirm ? "confirmed" : "marked for test",
                 hex);
        step(m, mark_confirm ? "confirm" : "test", t, detail);
    }
    if (!reset) {
        return MCUMGR_EXIT_OK;
    }
    t = mcumgr_now();
    uint8_t rbuf[] = {0xa0};
    if ((rc = mcumgr_call(m, "reset", SMP_OP_WRITE, SMP_GROUP_OS, 5, rbuf, 1, &rsp))) {
        return rc;
    }
    client_rsp_free(&rsp);
    step(m, "reset", t, "reset sent");
    if (!wait) {
        return MCUMGR_EXIT_OK;
    }
    t = mcumgr_now();
    if ((rc = wait_for_board(m, 60.0))) {
        return rc;
    }
    step(m, "wait", t, "board answers again");
    t = mcumgr_now();
    if ((rc = read_state(m, "image list", &rsp))) {
        return rc;
    }
    uint8_t active[64];
    size_t alen = 0;
    found = find_slot_hash(rsp.root, o.image, true, active, &alen);
    client_rsp_free(&rsp);
    if (!found || alen != hlen || memcmp(active, hash, hlen) != 0) {
        return mcumgr_fail("image upload", "the new image is not running (reverted?)");
    }
    step(m, "check", t, "new image is active");
    if (confirm) {
        t = mcumgr_now();
        if ((rc = state_write(m, "image confirm", NULL, 0, true, false))) {
            return rc;
        }
        step(m, "confirm", t, "running image confirmed");
    }
    if (m->json) {
        printf("{\"hash\": \"%s\", \"active\": true, \"confirmed\": %s}\n", hex,
               confirm ? "true" : "false");
    }
    return MCUMGR_EXIT_OK;
}

int mcumgr_cmd_image(struct mcumgr *m, struct mcumgr_args *a)
{
    static const char usage[] = "image list|upload|test|confirm|erase|slot-info ...";
    if (a->argc < 1) {
        return mcumgr_usage(usage);
    }
    const char *sub = a->argv[0];
    struct mcumgr_args rest = {a->argc - 1, a->argv + 1};
    if (strcmp(sub, "list") == 0) {
        return image_list(m);
    }
    if (strcmp(sub, "upload") == 0) {
        return image_upload(m, &rest);
    }
    if (strcmp(sub, "test") == 0) {
        return image_test_confirm(m, &rest, false);
    }
    if (strcmp(sub, "confirm") == 0) {
        return image_test_confirm(m, &rest, true);
    }
    if (strcmp(sub, "erase") == 0) {
        return image_erase(m, &rest);
    }
    if (strcmp(sub, "slot-info") == 0) {
        return slot_info(m);
    }
    return mcumgr_usage(usage);
}
