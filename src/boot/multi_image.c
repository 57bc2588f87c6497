/* boot_go_multi(): the bootloader for up to BOOT_IMAGE_NUMBER image pairs, as MCUboot's
 * multi-image loader runs its per-image loop (context_boot_go()):
 *   1. each image: finish its interrupted swap (loader.c's boot_prepare(); the shared
 *      scratch's swap_info names the image it belongs to);
 *   2. each image: validate the secondary of the swap its trailers ask for, note the versions
 *      and the DEPENDENCY TLVs of the image it will run;
 *   3. cancel every swap when a dependency will not be met (dependency.c);
 *   4. each image: run its swap; then every swapped image's copy_done (and image_ok), only
 *      once all are in place;
 *   5. each image: validate the primary.
 * One boot_state (with its copy buffer) serves every image in turn; what has to outlive a
 * phase is in struct multi_image, sized by BOOT_IMAGE_NUMBER. */
#include <string.h>

#include "boot_priv.h"
#include "dfukit/err.h"

#if BOOT_IMAGE_NUMBER > 1

/* Phase 2 for one image: validate its secondary when a swap is asked for, and note what the
 * dependency check needs of the image that will run after this boot. */
static int plan_image(struct boot_state *st, struct multi_image *m)
{
    struct image_header hdr;
    int err = image_header_read(st->pri, &hdr);
    if (err == DFU_EPOWER || err == DFU_EIO) {
        return err;
    }
    m->has_ver[0] = err == 0;
    m->ver[0] = hdr.ver;
    const struct flash_area *img = st->pri;
    struct flash_area win;
    if (!boot_is_upgrade(m->type)) {
        m->type = BOOT_SWAP_TYPE_NONE;
    } else {
        struct image_info info;
        err = boot_check_secondary(st, m->type, &info, &m->why);
        if (err) {
            return err;
        }
        m->size = info.layout.total_size;
        if (m->why == BOOT_REJECT_NONE && boot_swap_size(st, &m->size) != 0) {
            /* found before the dependency check counts on this swap; both slots stay */
            m->why = BOOT_REJECT_TOO_LARGE;
        }
        if (m->why != BOOT_REJECT_NONE) {
            m->type = BOOT_SWAP_TYPE_NONE;
            m->done = BOOT_SWAP_TYPE_FAIL;
        } else {
            m->has_ver[1] = true;
            m->ver[1] = info.hdr.ver;
            hdr = info.hdr;
            err = boot_secondary_image(st, m->type, &win, &img);
            if (err) {
                return err;
            }
        }
    }
    if (img == st->pri && !m->has_ver[0]) {
        return 0;  /* no image: nothing it could depend on */
    }
    err = image_read_dependencies(img, &hdr, m->deps, BOOT_MAX_DEPENDENCIES);
    if (err == DFU_EPOWER || err == DFU_EIO) {
        return err;
    }
    m->dep_count = err < 0 ? BOOT_DEPS_UNREADABLE : (uint8_t)err;
    return 0;
}

static int check_config(const struct boot_config *cfg, const struct boot_rsp *rsp, size_t count)
{
    if (cfg->images == NULL || cfg->image_count < 2 || cfg->image_count > BOOT_IMAGE_NUMBER ||
        count != cfg->image_count || rsp == NULL || cfg->primary != NULL ||
        cfg->secondary != NULL || cfg->strategy >= BOOT_STRATEGY_DIRECT_XIP ||
        cfg->sec_cnt != NULL) {
        return DFU_EINVAL;
    }
    return 0;
}

static int multi_go(const struct boot_config *cfg, struct boot_rsp *rsp, size_t count)
{
    int err = check_config(cfg, rsp, count);
    if (err) {
        return err;
    }
    struct boot_state st;
    struct multi_image m[BOOT_IMAGE_NUMBER];
    memset(m, 0, sizeof m);
    const uint8_t n = cfg->image_count;
    /* Every pair is checked before anything is written. */
    for (uint8_t i = 0; i < n && !err; i++) {
        memset(&rsp[i], 0, sizeof rsp[i]);
        err = boot_state_init(&st, cfg, i);
    }
    for (uint8_t i = 0; i < n && !err; i++) {
        err = boot_state_init(&st, cfg, i);
        if (!err) {
            err = boot_prepare(&st, &m[i].bs, false, &m[i].type, &m[i].done);
        }
        if (boot_is_upgrade(m[i].done)) {
            m[i].finish = m[i].done;  /* resumed: its copy_done waits for the others */
        }
    }
    for (uint8_t i = 0; i < n && !err; i++) {
        err = boot_state_init(&st, cfg, i);
        if (!err) {
            err = plan_image(&st, &m[i]);
        }
    }
    if (err) {
        return err;
    }
    boot_deps_settle(m, n, cfg->downgrade_use_build);
    for (uint8_t i = 0; i < n && !err; i++) {
        if (boot_is_upgrade(m[i].type)) {
            err = boot_state_init(&st, cfg, i);
            if (!err) {
                err = boot_perform_swap(&st, &m[i].bs, m[i].type, m[i].size, false,
                                        &m[i].done, &m[i].why);
            }
            if (!err && m[i].done == m[i].type && cfg->strategy != BOOT_STRATEGY_OVERWRITE) {
                m[i].finish = m[i].type;
            }
        }
    }
    /* Only now that every image is in place does any trailer say its swap is done: a cut
     * before this resumes the swaps rather than taking an image for tested and unconfirmed
     * (MCUboot writes each image's copy_done after its own swap). */
    for (uint8_t i = 0; i < n && !err; i++) {
        if (m[i].finish != 0) {
            err = boot_state_init(&st, cfg, i);
            if (!err) {
                err = boot_finish_swap(&st, m[i].finish);
            }
        }
    }
    int none = 0;
    for (uint8_t i = 0; i < n && !err; i++) {
        err = boot_state_init(&st, cfg, i);
        if (!err) {
            err = boot_validate_primary(&st, &rsp[i], m[i].done, m[i].why);
        }
        if (err == DFU_ENOENT) {
            none = err;
            err = 0;
        }
    }
    return err ? err : none;
}
#endif

int boot_go_multi(const struct boot_config *cfg, struct boot_rsp *rsp, size_t count)
{
    if (cfg == NULL) {
        return DFU_EINVAL;
    }
    if (cfg->images == NULL && cfg->image_count == 0) {
        return count == 1 ? boot_go(cfg, rsp) : DFU_EINVAL;  /* a single-image config */
    }
#if BOOT_IMAGE_NUMBER > 1
    return multi_go(cfg, rsp, count);
#else
    (void)rsp;
    return DFU_EINVAL;
#endif
}
