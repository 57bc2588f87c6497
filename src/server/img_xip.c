/* Image state in direct-xip (boot.mode DIRECT_XIP[_REVERT]), as Zephyr's img_mgmt_state.c
 * under CONFIG_MCUBOOT_BOOTLOADER_MODE_DIRECT_XIP[_WITH_REVERT]: the bootloader starts the
 * higher version where it is, so the trailers do not choose what boots next, the versions do.
 * Slots are numbered as in img.c: 0 the running one (the port's slot_primary), 1 the other. */
#include "dfukit/err.h"
#include "img_priv.h"

/* Zephyr's read_directxip_state(): what a slot's trailer tells the revert bootloader. */
enum xip_try { XIP_UNSET, XIP_ONCE, XIP_REVERT, XIP_FOREVER };

static int xip_try_of(const struct flash_area *fa, enum xip_try *out)
{
    struct boot_swap_state t;
    int err = boot_read_swap_state(fa, &t);
    if (err) {
        return err;
    }
    *out = t.magic != BOOT_MAGIC_GOOD      ? XIP_UNSET
           : t.image_ok == BOOT_FLAG_SET  ? XIP_FOREVER
           : t.copy_done == BOOT_FLAG_SET ? XIP_REVERT
                                          : XIP_ONCE;
    return 0;
}

bool img_xip_mode(const struct smp_server *srv)
{
    int m = srv->port != NULL ? srv->port->boot.mode : SERVER_BOOT_MODE_UNKNOWN;
    return m == SERVER_BOOT_MODE_DIRECT_XIP || m == SERVER_BOOT_MODE_DIRECT_XIP_REVERT;
}

/* Zephyr's img_mgmt_get_next_boot_slot() for direct-xip: plain, the other slot when it holds
 * a higher version, always a normal boot; with revert, the running image tried and not
 * confirmed reverts to the other, and a higher other runs next when marked (once: a test). */
int img_xip_next_boot(const struct smp_server *srv, unsigned *slot, enum img_next_boot *type)
{
    struct img_slot_info act, oth;
    int rca = img_read_info(srv, 0, &act), rco = img_read_info(srv, 1, &oth);
    bool newer = rca == 0 && rco == 0 &&
                 image_version_cmp(&act.hdr.ver, &oth.hdr.ver, srv->port->version_cmp_use_build) < 0;
    *slot = IMG_ACTIVE_SLOT(0);
    *type = IMG_NEXT_NORMAL;
    if (srv->port->boot.mode == SERVER_BOOT_MODE_DIRECT_XIP) {
        *slot = newer ? 1 : IMG_ACTIVE_SLOT(0);
        return 0;
    }
    enum xip_try ta, to;
    if (rca != 0 || (rco != 0 && rco != IMG_ERR_NO_IMAGE) ||
        xip_try_of(img_slot_area(srv, 0), &ta) != 0 || xip_try_of(img_slot_area(srv, 1), &to) != 0 ||
        rco == IMG_ERR_NO_IMAGE) {
        return 0;  /* what the bootloader does is unknown, or only this image is there */
    }
    if (ta == XIP_REVERT) {
        *slot = 1;
        *type = IMG_NEXT_REVERT;
    } else if (to == XIP_UNSET) {
        *type = ta == XIP_ONCE ? IMG_NEXT_TEST : IMG_NEXT_NORMAL;
    } else if (newer && (to == XIP_FOREVER || to == XIP_ONCE)) {
        *slot = 1;
        *type = to == XIP_ONCE ? IMG_NEXT_TEST : IMG_NEXT_NORMAL;
    }
    return 0;
}

/* Zephyr's img_mgmt_state_read() flags from the next boot: the running slot active, and
 * confirmed unless it reverts; the other pending (and permanent on a normal boot) when it
 * runs next, or confirmed when it is what a revert goes back to. */
int img_xip_slot_flags(const struct smp_server *srv, uint8_t flags[2])
{
    unsigned nbs;
    enum img_next_boot type;
    int err = img_xip_next_boot(srv, &nbs, &type);
    if (err) {
        return err;
    }
    flags[0] = BOOT_SLOT_F_ACTIVE | (type != IMG_NEXT_REVERT ? BOOT_SLOT_F_CONFIRMED : 0);
    flags[1] = nbs == IMG_ACTIVE_SLOT(0) ? 0
               : type == IMG_NEXT_NORMAL  ? BOOT_SLOT_F_PENDING | BOOT_SLOT_F_PERMANENT
               : type == IMG_NEXT_REVERT  ? BOOT_SLOT_F_CONFIRMED
                                          : BOOT_SLOT_F_PENDING;
    return 0;
}
