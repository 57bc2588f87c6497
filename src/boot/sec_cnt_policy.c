/* The security-counter downgrade policy (MCUboot's MCUBOOT_HW_ROLLBACK_PROT) for every
 * strategy: an image whose SEC_CNT (0 without the TLV) is below the port's counter is refused,
 * and the counter is raised to a running image's SEC_CNT when the strategy's rule says so
 * (loader.c: a confirmed primary; direct_xip.c: see there). */
#include "boot_priv.h"
#include "dfukit/err.h"

int boot_sec_cnt_check(struct boot_state *st, const struct image_info *info)
{
    const struct boot_sec_cnt_port *port = st->cfg->sec_cnt;
    if (!BOOT_DOWNGRADE_POLICY || st->cfg->downgrade != BOOT_DOWNGRADE_SECURITY_COUNTER) {
        return 0;
    }
    uint32_t now;
    int err = port->read(port->arg, &now);
    if (err) {
        return err;
    }
    return (info->has_sec_cnt ? info->sec_cnt : 0) < now ? DFU_EPERM : 0;
}

int boot_sec_cnt_raise(struct boot_state *st, uint32_t value)
{
    const struct boot_sec_cnt_port *port = st->cfg->sec_cnt;
    if (!BOOT_DOWNGRADE_POLICY || port == NULL || port->update == NULL) {
        return 0;
    }
    uint32_t now;
    int err = port->read(port->arg, &now);
    if (!err && value > now) {
        err = port->update(port->arg, value);
    }
    return err;
}
