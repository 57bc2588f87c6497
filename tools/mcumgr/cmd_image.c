/* Image group (1): list, upload (windowed, resumable, and the one-step upgrade), test,
 * confirm, erase, slot-info. `image list` prints the Go tool's exact text. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/err.h"
#include "mcumgr.h"

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

/* A state response (list, test, confirm): the Go tool's text, or JSON. */
static int print_state(struct mcumgr *m, int rc, struct client_rsp *rsp,
                       const struct client_deverr *err)
{
    if (rc) {
        return mcumgr_fail_rc(m->what, rc, err);
    }
    if (!mcumgr_json(m, rsp)) {
        mcumgr_print_image_list(stdout, rsp->root);
    }
    client_rsp_free(rsp);
    return MCUMGR_EXIT_OK;
}

int mcumgr_cmd_image_list(struct mcumgr *m, struct mcumgr_args *a)
{
    int rc = mcumgr_no_more_opts(a, NULL);
    if (rc) {
        return rc;
    }
    struct client_session *s = mcumgr_session(m);
    if (!s) {
        return MCUMGR_EXIT_ERR;
    }
    struct client_rsp rsp;
    struct client_deverr err;
    return print_state(m, client_image_state_read(s, &rsp, &err), &rsp, &err);
}

static int image_test_confirm(struct mcumgr *m, struct mcumgr_args *a, bool confirm)
{
    uint8_t hash[64];
    size_t hlen = 0;
    if (!confirm && a->argc != 1) {
        return mcumgr_usage(NULL);
    }
    if (a->argc > 1) {
        return mcumgr_usage(NULL);
    }
    if (a->argc == 1 && hex_decode(a->argv[0], hash, sizeof(hash), &hlen) != 0) {
        return mcumgr_fail_usage(m->what, "invalid hash \"%s\" (hex digits expected)",
                                 a->argv[0]);
    }
    struct client_session *s = mcumgr_session(m);
    if (!s) {
        return MCUMGR_EXIT_ERR;
    }
    struct client_rsp rsp;
    struct client_deverr err;
    int rc = client_image_state_write(s, hash, hlen, confirm, &rsp, &err);
    return print_state(m, rc, &rsp, &err);
}

int mcumgr_cmd_image_test(struct mcumgr *m, struct mcumgr_args *a)
{
    return image_test_confirm(m, a, false);
}

int mcumgr_cmd_image_confirm(struct mcumgr *m, struct mcumgr_args *a)
{
    return image_test_confirm(m, a, true);
}

int mcumgr_cmd_image_erase(struct mcumgr *m, struct mcumgr_args *a)
{
    unsigned long slot = 0;
    const char *v = mcumgr_opt_value(a, "--slot", "-s");
    int rc = v ? mcumgr_parse_uint("--slot", v, 0, 255, &slot) : 0;
    if (rc || (rc = mcumgr_no_more_opts(a, NULL))) {
        return rc;
    }
    struct client_session *s = mcumgr_session(m);
    if (!s) {
        return MCUMGR_EXIT_ERR;
    }
    struct client_deverr err;
    if ((rc = client_image_erase(s, v ? (int)slot : -1, &err))) {
        return mcumgr_fail_rc(m->what, rc, &err);
    }
    printf(m->json ? "{}\n" : "Done\n");
    return MCUMGR_EXIT_OK;
}

int mcumgr_cmd_image_slot_info(struct mcumgr *m, struct mcumgr_args *a)
{
    int rc = mcumgr_no_more_opts(a, NULL);
    if (rc) {
        return rc;
    }
    struct client_session *s = mcumgr_session(m);
    if (!s) {
        return MCUMGR_EXIT_ERR;
    }
    struct client_rsp rsp;
    struct client_deverr err;
    if ((rc = client_image_slot_info(s, &rsp, &err))) {
        return mcumgr_fail_rc(m->what, rc, &err);
    }
    if (!mcumgr_json(m, &rsp)) {
        const cbor_item_t *imgs = client_map_get(rsp.root, "images");
        for (size_t i = 0; i < cbor_array_size(imgs); i++) {
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

static void print_step(void *arg, const char *step, double seconds, const char *detail)
{
    const struct mcumgr *m = arg;
    if (!m->json) {
        printf("%-8s %6.2f s  %s\n", step, seconds, detail);
        fflush(stdout);
    }
}

/* Names why an upload or upgrade failed; returns the exit code. link_max: the largest packet
 * the link carries (client_xport.link_max), 0 = no limit of its own. */
static int upload_failed(const char *file, size_t len, int err, const struct client_upgrade_result *r,
                         const struct client_deverr *derr, size_t link_max)
{
    static const char *what = "image upload";
    const struct client_upload_stats *st = &r->upload;
    const char *step = r->failed_step ? r->failed_step : "upload";
    if (err == DFU_ENOSPC && r->too_large) {
        return mcumgr_fail(what, "%s is %zu bytes, more than the %" PRIu32
                           " bytes slot %" PRIu32 " can hold (max_image_size); nothing sent",
                           file, len, r->room.max_image_size, r->room.slot);
    }
    if (err == DFU_ENOSPC && link_max && r->upload.packet == link_max) {
        /* only a BLE link without the device's reassembly is this small: one write a packet */
        return mcumgr_fail(what, "the link's %zu-byte writes (ATT MTU - 3) cannot hold an SMP "
                           "upload request, and the device does not reassemble packets over "
                           "several writes: enable reassembly on the device "
                           "(CONFIG_MCUMGR_TRANSPORT_BT_REASSEMBLY) or use a larger ATT MTU",
                           link_max);
    }
    if (err == CLIENT_EDEVICE && !derr->has_group_err && derr->rc == SMP_ERR_EBUSY &&
        r->busy_finished) {
        return mcumgr_fail(what, "slot %" PRIu32 " holds an image another client has just "
                           "uploaded; the device keeps it for that client for its upload idle "
                           "time (try again later, or free the slot with: mcumgr image erase)",
                           r->room.slot);
    }
    if (err == CLIENT_EDEVICE && !derr->has_group_err && derr->rc == SMP_ERR_EBUSY) {
        return mcumgr_fail(what, "the device is busy with another client's upload (EBUSY, 10); "
                           "try again when it has finished");
    }
    if (err == CLIENT_EDEVICE && derr->has_group_err && derr->group == SMP_GROUP_IMAGE &&
        derr->group_rc == IMG_ERR_INVALID_IMAGE_TOO_LARGE) {
        return mcumgr_fail(what, "the device refused %s as too large for slot %" PRIu32
                           " (INVALID_IMAGE_TOO_LARGE, 30)", file, r->room.slot);
    }
    if (err == CLIENT_EDEVICE && derr->has_group_err && derr->group == SMP_GROUP_IMAGE &&
        derr->group_rc == IMG_ERR_CURRENT_VERSION_IS_NEWER) {
        return mcumgr_fail(what, "the device runs a version as new as or newer than %s's "
                           "(CURRENT_VERSION_IS_NEWER, 27; nothing written)", file);
    }
    if (err == DFU_ETIMEDOUT && strcmp(step, "upload") == 0 && st->packet_unanswered) {
        return mcumgr_fail(what, "no reply to the first chunk in packets of %zu bytes or more, "
                           "while the device answers small requests", st->packet_unanswered);
    }
    if (err == DFU_ETIMEDOUT && strcmp(step, "upload") == 0 && st->device_silent) {
        return mcumgr_fail(what, "no reply to the first chunk (%zu-byte packet), nor to a small "
                           "request: the device stopped answering", st->packet);
    }
    if (err == DFU_ESIG && strcmp(step, "upload") == 0) {
        switch (r->verdict) {
        case CLIENT_UPLOAD_OTHER_IMAGE:
            return mcumgr_fail(what, "slot %" PRIu32 " now holds another image (busy device?)",
                               r->slot);
        case CLIENT_UPLOAD_NO_IMAGE:
            return mcumgr_fail(what, "slot %" PRIu32 " holds no image after the upload "
                               "(busy device?)", r->slot);
        case CLIENT_UPLOAD_UNVERIFIED:
            return mcumgr_fail(what, "the device did not report the uploaded image's hash; "
                               "cannot tell whether slot %" PRIu32 " holds %s", r->slot, file);
        default:
            return mcumgr_fail(what, "the device's hash of the upload does not match %s", file);
        }
    }
    if (err == DFU_ESIG && r->boot == CLIENT_BOOT_REFUSED) {
        return mcumgr_fail(what, "the bootloader refused the new image at boot (it is gone from "
                           "slot %" PRIu32 "); %s still runs", r->slot, r->running_version);
    }
    if (err == DFU_ESIG && r->boot == CLIENT_BOOT_REVERTED) {
        return mcumgr_fail(what, "the new image was reverted: it booted without being confirmed, "
                           "and %s runs again", r->running_version);
    }
    const char *where = strcmp(step, "upload") != 0 ? step : what;
    if (err == DFU_ENOENT && strcmp(step, "image list") == 0) {
        return mcumgr_fail(where, "the uploaded image is not listed by the device");
    }
    return mcumgr_fail_rc(where, err, derr);
}

/* image upload FILE, optionally followed by mark / reset / wait / check / confirm. */
int mcumgr_image_upload(struct mcumgr *m, struct mcumgr_args *a)
{
    static const char usage[] =
        "image upload FILE [-n IMAGE] [-u] [-w WINDOW] [--max-packet BYTES] [--test|--confirm] "
        "[--reset [--wait]]";
    struct client_upload_opts o;
    memset(&o, 0, sizeof(o));
    unsigned long n = 0, w = 0, chunk = 0;
    int rc;
    if ((rc = mcumgr_opt_uint(a, "--image", "-n", 0, 255, &n)) ||
        (rc = mcumgr_opt_uint(a, "--maxwinsize", "-w", 1, 32, &w)) ||
        (rc = mcumgr_opt_uint(a, "--window", NULL, 1, 32, &w)) ||
        (rc = mcumgr_opt_uint(a, "--chunk", NULL, 1, 65535, &chunk))) {
        return rc;
    }
    unsigned long max_packet = 0;
    if ((rc = mcumgr_opt_uint(a, "--max-packet", NULL, CLIENT_UPLOAD_PACKET_MIN, 65535,
                              &max_packet))) {
        return rc;
    }
    o.image = (uint32_t)n;
    o.window = (unsigned)w;
    o.chunk_max = (size_t)chunk;
    o.max_packet = (size_t)max_packet;
    o.upgrade = mcumgr_opt_flag(a, "--upgrade", "-u");
    mcumgr_opt_flag(a, "--noerase", "-e"); /* the slot is erased by the first chunk anyway */
    bool test = mcumgr_opt_flag(a, "--test", NULL);
    bool confirm = mcumgr_opt_flag(a, "--confirm", NULL);
    bool reset = mcumgr_opt_flag(a, "--reset", NULL);
    bool wait = mcumgr_opt_flag(a, "--wait", NULL) || (reset && confirm);
    rc = mcumgr_no_more_opts(a, usage);
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
        return mcumgr_fail("image upload", "cannot read %s: %s", a->argv[0],
                           mcumgr_file_strerror(err));
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
    struct mcumgr_progress prog;
    mcumgr_progress_init(&prog, m, "upload");
    o.data = data;
    o.len = len;
    o.timeout_ms = s->timeout_ms; /* -t: later chunks, and when to probe an unanswered first */
    o.progress = mcumgr_progress_cb;
    o.resumed = mcumgr_progress_resumed;
    o.progress_arg = &prog;
    struct client_upgrade_opts u = {
        .upload = o, .test = test, .confirm = confirm, .reset = reset, .wait = wait,
        .step = test || confirm || reset ? print_step : NULL, .step_arg = m,
    };
    struct client_upgrade_result r;
    struct client_deverr derr;
    double t0 = mcumgr_now();
    mcumgr_progress_catch_interrupt(&prog, "image upload");
    err = client_upgrade(s, &u, &r, &derr);
    mcumgr_progress_release_interrupt();
    double dt = mcumgr_now() - t0;
    free(data);
    const struct client_upload_stats *st = &r.upload;
    if (st->packet_unanswered && st->packet < st->packet_unanswered && !m->json) {
        /* the fallback found a size: say it, and how to start there next time */
        mcumgr_fail("image upload", "no reply to %zu-byte packets; %zu-byte packets work "
                    "(use --max-packet %zu next time)", st->packet_unanswered, st->packet,
                    st->packet);
    }
    if (err) {
        return upload_failed(a->argv[0], len, err, &r, &derr, s->xp.link_max);
    }
    if (m->json) {
        char hex[2 * sizeof(r.hash) + 1] = "";
        for (size_t i = 0; i < r.hash_len; i++) {
            snprintf(hex + 2 * i, 3, "%02x", r.hash[i]);
        }
        printf("{\"bytes\": %zu, \"seconds\": %.3f, \"chunk\": %zu, \"window\": %u, "
               "\"resumed_from\": %zu, \"requests\": %u, \"retransmits\": %u, "
               "\"resyncs\": %u, \"packet\": %zu", len, dt, st->chunk_data, st->window,
               st->resumed_from, st->requests, st->retransmits, st->resyncs, st->packet);
        printf(", \"resent_gap\": %u, \"resent_behind\": %u, \"resent_timeout\": %u, "
               "\"resent_other\": %u, \"needless\": %u", st->resent_gap, st->resent_behind,
               st->resent_timeout, st->resent_other, st->needless);
        printf(", \"probes\": %u", st->probes);
        if (r.hash_len) {
            printf(", \"hash\": \"%s\", \"active\": %s, \"confirmed\": %s", hex,
                   r.active ? "true" : "false", r.confirmed ? "true" : "false");
        }
        printf("}\n");
    } else if (!u.step) {
        printf("Done\n");
    }
    return MCUMGR_EXIT_OK;
}

/* `upgrade FILE [--test]`: the guide's whole flow in one command, i.e. `image upload --reset`
 * with --confirm (upload, test, reset, wait, check, confirm) unless --test asks for one test
 * boot only (then it waits and checks too). */
int mcumgr_cmd_upgrade(struct mcumgr *m, struct mcumgr_args *a)
{
    char *argv[64];
    int n = 0;
    if (a->argc > 60) {
        return mcumgr_usage("upgrade FILE [--test] [-n IMAGE] [-w WINDOW]");
    }
    bool test = false;
    for (int i = 0; i < a->argc; i++) {
        if (strcmp(a->argv[i], "--test") == 0) {
            test = true;
        }
        argv[n++] = a->argv[i];
    }
    static char reset[] = "--reset", confirm[] = "--confirm", wait[] = "--wait";
    argv[n++] = reset;
    argv[n++] = test ? wait : confirm;
    struct mcumgr_args up = {n, argv};
    return mcumgr_image_upload(m, &up);
}
