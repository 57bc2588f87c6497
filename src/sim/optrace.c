/* Board time of each flash write/erase, recorded by a pass-through flash layer. The bootloader
 * runs in one go (flash operations are instant on the host) and its board time is waited out
 * afterwards; when the board is stopped or reset during that wait, the operation that was in
 * progress is found here, and the boot is replayed from a snapshot with the power cut there
 * (device.c), so the flash ends half swapped as the real chip's would. */
#include <stdlib.h>

#include "dfukit/err.h"
#include "sim_priv.h"

static int record(struct sim_optrace *t, int rc)
{
    if (t->on && t->n < SIM_OPTRACE_MAX) {
        t->done_us[t->n++] = nor_flash_time_us(t->nor) - t->t0_us;
    }
    return rc;
}

static int tr_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    struct sim_optrace *t = ctx;
    return t->lower->ops->read(t->lower->ctx, off, buf, len);
}

static int tr_write(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    struct sim_optrace *t = ctx;
    return record(t, t->lower->ops->write(t->lower->ctx, off, buf, len));
}

static int tr_erase(void *ctx, uint32_t off, uint32_t len)
{
    struct sim_optrace *t = ctx;
    return record(t, t->lower->ops->erase(t->lower->ctx, off, len));
}

static const struct flash_ops optrace_ops = {
    .read = tr_read,
    .write = tr_write,
    .erase = tr_erase,
};

void sim_optrace_init(struct sim_optrace *t, const struct flash_dev *lower, struct nor_flash *nor)
{
    t->dev = *lower;
    t->dev.ops = &optrace_ops;
    t->dev.ctx = t;
    t->lower = lower;
    t->nor = nor;
    t->on = false;
    t->n = 0;
}

void sim_optrace_start(struct sim_optrace *t)
{
    t->on = true;
    t->n = 0;
    t->t0_us = nor_flash_time_us(t->nor);
}

void sim_optrace_stop(struct sim_optrace *t)
{
    t->on = false;
}

uint64_t sim_optrace_op_at(const struct sim_optrace *t, uint64_t elapsed_us)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->done_us[i] > elapsed_us) {
            return i + 1;
        }
    }
    return 0;
}
