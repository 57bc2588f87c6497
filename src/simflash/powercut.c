/* Power-cut wrapper: a flash_dev over another that fails at the N-th write or erase, leaving
 * that operation half done, and stays dead until powered on. See include/dfukit/simflash.h. */
#include "dfukit/simflash.h"

#include <stdlib.h>

#include "dfukit/err.h"

/* Counts one write/erase; true when this one is where the power fails. */
static bool cut_now(struct powercut *pc)
{
    pc->ops++;
    if (pc->cut_at != 0 && pc->ops == pc->cut_at) {
        pc->dead = true;
        pc->cuts++;
        return true;
    }
    return false;
}

static int pc_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    struct powercut *pc = ctx;
    if (pc->dead) {
        return DFU_EPOWER;
    }
    return pc->lower->ops->read(pc->lower->ctx, off, buf, len);
}

static int pc_write(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    struct powercut *pc = ctx;
    if (pc->dead) {
        return DFU_EPOWER;
    }
    if (!cut_now(pc)) {
        return pc->lower->ops->write(pc->lower->ctx, off, buf, len);
    }
    /* Torn write: the first half of the words got programmed. */
    uint32_t align = pc->lower->write_align;
    uint32_t part = (len / 2) / align * align;
    if (pc->tear && part > 0 && off % align == 0) {
        (void)pc->lower->ops->write(pc->lower->ctx, off, buf, part);
    }
    return DFU_EPOWER;
}

static int pc_erase(void *ctx, uint32_t off, uint32_t len)
{
    struct powercut *pc = ctx;
    if (pc->dead) {
        return DFU_EPOWER;
    }
    if (!cut_now(pc)) {
        return pc->lower->ops->erase(pc->lower->ctx, off, len);
    }
    if (!pc->tear || len < 2) {
        return DFU_EPOWER;
    }
    /* Torn erase: one half of the range reads erased, the other keeps its old bytes (the
     * upper half erased by default, the lower one with erase_low_first). Done as a full
     * erase followed by programming the old half back. */
    uint32_t align = pc->lower->write_align;
    uint32_t keep = (len / 2) / align * align;
    uint32_t keep_off = pc->erase_low_first ? off + len - keep : off;
    uint8_t *old = malloc(keep > 0 ? keep : 1);
    if (old == NULL) {
        return DFU_EPOWER;
    }
    int err = pc->lower->ops->read(pc->lower->ctx, keep_off, old, keep);
    if (err == 0) {
        err = pc->lower->ops->erase(pc->lower->ctx, off, len);
    }
    if (err == 0 && keep > 0) {
        (void)pc->lower->ops->write(pc->lower->ctx, keep_off, old, keep);
    }
    free(old);
    return DFU_EPOWER;
}

static const struct flash_ops powercut_flash_ops = {
    .read = pc_read,
    .write = pc_write,
    .erase = pc_erase,
};

void powercut_init(struct powercut *pc, const struct flash_dev *lower)
{
    pc->dev = *lower;
    pc->dev.ops = &powercut_flash_ops;
    pc->dev.ctx = pc;
    pc->lower = lower;
    pc->ops = 0;
    pc->cut_at = 0;
    pc->dead = false;
    pc->tear = true;
    pc->erase_low_first = false;
    pc->cuts = 0;
}

void powercut_arm(struct powercut *pc, uint64_t n)
{
    pc->cut_at = n == 0 ? 0 : pc->ops + n;
}

void powercut_power_on(struct powercut *pc)
{
    pc->dead = false;
    pc->cut_at = 0;
}

bool powercut_is_dead(const struct powercut *pc) { return pc->dead; }

uint64_t powercut_ops(const struct powercut *pc) { return pc->ops; }
