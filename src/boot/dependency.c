/* Image dependencies at boot, as MCUboot's boot_verify_dependencies(): every image's
 * DEPENDENCY TLVs (those of the image it will run after this boot: the secondary's when it
 * swaps in or reverts, else the primary's) must find each image they name at the minimum
 * version, as that image will be after this boot. One that does not, or names an image this
 * bootloader does not have, cancels every swap of this boot (tests, permanent ones and
 * reverts alike), so images that were uploaded together move together or not at all; the
 * secondaries stay pending for a later boot. MCUboot's design.md describes an older, per-image
 * variant (cancel one, check again); its loader.c has cancelled them all since. */
#include "boot_priv.h"

#if BOOT_IMAGE_NUMBER > 1

/* The version image m will have after this boot; NULL when that slot holds no image. */
static const struct image_version *version_after(const struct multi_image *m)
{
    int slot = boot_is_upgrade(m->type) ? 1 : 0;
    return m->has_ver[slot] ? &m->ver[slot] : NULL;
}

static bool deps_met(const struct multi_image *m, uint8_t i, uint8_t count, bool use_build)
{
    if (m[i].dep_count == BOOT_DEPS_UNREADABLE) {
        return false;  /* a dependency we cannot read may be one that is not met */
    }
    for (uint8_t d = 0; d < m[i].dep_count; d++) {
        const struct image_dependency *dep = &m[i].deps[d];
        if (dep->image_id >= count) {
            return false;  /* names an image this bootloader does not have */
        }
        const struct image_version *v = version_after(&m[dep->image_id]);
        if (v == NULL || image_version_cmp(v, &dep->ver, use_build) < 0) {
            return false;
        }
    }
    return true;
}

void boot_deps_settle(struct multi_image *m, uint8_t count, bool use_build)
{
    bool met = true;
    for (uint8_t i = 0; i < count && met; i++) {
        met = deps_met(m, i, count, use_build);
    }
    for (uint8_t i = 0; i < count && !met; i++) {
        if (boot_is_upgrade(m[i].type)) {
            m[i].type = BOOT_SWAP_TYPE_NONE;  /* nothing of it moves */
            m[i].why = BOOT_REJECT_DEPENDENCY;
        }
    }
}
#endif
