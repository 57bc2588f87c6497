/* The flash as board time passes. The code on the board runs in one go (flash operations are
 * instant on the host), but a real chip takes its time: while this layer holds operations back,
 * writes and erases go to a RAM copy of the chip (what the code reads back) and are logged with
 * the board time at which each completes; the event loop hands them down to the chip (the
 * mmap'ed file) when that time has passed on the wall clock. Whatever ends devsim, the file then
 * holds what the chip held at that moment: the operation in progress at a SIGKILL is not in it,
 * and a stop or reset cuts it as a power loss does (torn by the power-cut wrapper).
 * The copy is brought up to date block by block as the held operations touch it, so holding
 * costs little for a request that writes one chunk. See sim_priv.h. */
#include <stdlib.h>
#include <string.h>

#include "dfukit/err.h"
#include "sim_priv.h"

#define OP_ERASE SIZE_MAX  /* sim_flash_op.data_off of an erase */

/* Brings the copy's blocks in [off, off+len) up to date with the chip (before they are used). */
static void sync_range(struct sim_optrace *t, uint32_t off, uint32_t len)
{
    uint32_t size = t->nor->dev.size;
    if (len == 0 || off >= size) {
        return;
    }
    uint32_t end = len > size - off ? size : off + len;
    for (uint32_t b = off / SIM_OPTRACE_BLOCK; b <= (end - 1) / SIM_OPTRACE_BLOCK; b++) {
        if (!t->fresh[b]) {
            uint32_t o = b * SIM_OPTRACE_BLOCK;
            uint32_t n = size - o < SIM_OPTRACE_BLOCK ? size - o : SIM_OPTRACE_BLOCK;
            memcpy(nor_flash_mem(&t->copy) + o, nor_flash_mem(t->nor) + o, n);
            t->fresh[b] = 1;
        }
    }
}

/* mem grown to more than *cap units, at least need (realloc'ed, doubling); NULL when memory
 * runs out (mem is kept). */
static void *grow(void *mem, size_t *cap, size_t need, size_t unit)
{
    size_t n = *cap ? *cap : 256;
    while (n < need) {
        n *= 2;
    }
    void *p = realloc(mem, n * unit);
    if (p != NULL) {
        *cap = n;
    }
    return p;
}

/* Makes room in the log for one more operation (and a write's len bytes), before the copy
 * does it, so an operation done is an operation logged. */
static int reserve(struct sim_optrace *t, uint32_t data_len)
{
    if (t->n + 1 > t->cap) {
        struct sim_flash_op *ops = grow(t->ops, &t->cap, t->n + 1, sizeof t->ops[0]);
        if (ops == NULL) {
            return DFU_ENOMEM;
        }
        t->ops = ops;
    }
    if (t->data_len + data_len > t->data_cap) {
        uint8_t *data = grow(t->data, &t->data_cap, t->data_len + data_len, 1);
        if (data == NULL) {
            return DFU_ENOMEM;
        }
        t->data = data;
    }
    return 0;
}

/* Logs an operation the copy has just done (its board time is the copy's clock now). */
static void log_op(struct sim_optrace *t, uint32_t off, const void *buf, uint32_t len)
{
    struct sim_flash_op *op = &t->ops[t->n++];
    op->done_us = nor_flash_time_us(&t->copy);
    op->off = off;
    op->len = len;
    op->data_off = OP_ERASE;
    if (buf != NULL) {
        op->data_off = t->data_len;
        memcpy(t->data + t->data_len, buf, len);
        t->data_len += len;
    }
}

static int tr_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    struct sim_optrace *t = ctx;
    if (t->on) {
        sync_range(t, off, len);
        return t->copy.dev.ops->read(t->copy.dev.ctx, off, buf, len);
    }
    return t->lower->ops->read(t->lower->ctx, off, buf, len);
}

static int tr_write(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    struct sim_optrace *t = ctx;
    if (!t->on) {
        return t->lower->ops->write(t->lower->ctx, off, buf, len);
    }
    int err = reserve(t, len);
    if (!err) {
        sync_range(t, off, len);
        err = t->copy.dev.ops->write(t->copy.dev.ctx, off, buf, len);
    }
    if (!err) {
        log_op(t, off, buf, len);
    }
    return err;
}

static int tr_erase(void *ctx, uint32_t off, uint32_t len)
{
    struct sim_optrace *t = ctx;
    if (!t->on) {
        return t->lower->ops->erase(t->lower->ctx, off, len);
    }
    int err = reserve(t, 0);
    if (!err) {
        sync_range(t, off, len);
        err = t->copy.dev.ops->erase(t->copy.dev.ctx, off, len);
    }
    if (!err) {
        log_op(t, off, NULL, len);
    }
    return err;
}

static const struct flash_ops optrace_ops = {
    .read = tr_read,
    .write = tr_write,
    .erase = tr_erase,
};

void sim_optrace_init(struct sim_optrace *t, const struct flash_dev *lower, struct nor_flash *nor)
{
    memset(t, 0, sizeof *t);
    t->dev = *lower;
    t->dev.ops = &optrace_ops;
    t->dev.ctx = t;
    t->lower = lower;
    t->nor = nor;
}

int sim_optrace_hold(struct sim_optrace *t)
{
    if (t->on) {
        return DFU_EBUSY;
    }
    const struct nor_flash *nor = t->nor;
    if (t->fresh == NULL) {
        struct nor_flash_config cfg = {
            .path = NULL,
            .write_align = nor->dev.write_align,
            .erased_val = nor->dev.erased_val,
            .runs = nor->runs,
            .run_count = nor->dev.run_count,
            .timing = nor->timing,
        };
        int err = nor_flash_open(&t->copy, &cfg);
        if (err) {
            return err;
        }
        t->blocks = (nor->dev.size + SIM_OPTRACE_BLOCK - 1) / SIM_OPTRACE_BLOCK;
        t->fresh = malloc(t->blocks);
        if (t->fresh == NULL) {
            nor_flash_close(&t->copy);
            return DFU_ENOMEM;
        }
    }
    memset(t->fresh, 0, t->blocks);  /* the chip may have changed since: every block is stale */
    nor_flash_reset_stats(&t->copy);  /* board time 0 */
    t->n = t->applied = t->data_len = 0;
    t->on = true;
    return 0;
}

bool sim_optrace_holding(const struct sim_optrace *t) { return t->on; }

size_t sim_optrace_count(const struct sim_optrace *t) { return t->n; }

uint64_t sim_optrace_busy_us(const struct sim_optrace *t)
{
    return t->n > 0 ? t->ops[t->n - 1].done_us : 0;
}

uint64_t sim_optrace_erase_us(const struct sim_optrace *t)
{
    return t->on ? nor_flash_erase_time_us(&t->copy) : 0;
}

uint64_t sim_optrace_next_us(const struct sim_optrace *t)
{
    return t->on && t->applied < t->n ? t->ops[t->applied].done_us : UINT64_MAX;
}

/* Hands the next held operation down to the chip. */
static void apply_next(struct sim_optrace *t)
{
    const struct sim_flash_op *op = &t->ops[t->applied++];
    if (op->data_off == OP_ERASE) {
        (void)t->lower->ops->erase(t->lower->ctx, op->off, op->len);
    } else {
        (void)t->lower->ops->write(t->lower->ctx, op->off, t->data + op->data_off, op->len);
    }
}

void sim_optrace_apply(struct sim_optrace *t, uint64_t board_us)
{
    while (t->on && t->applied < t->n && t->ops[t->applied].done_us <= board_us) {
        apply_next(t);
    }
}

static void stop_holding(struct sim_optrace *t)
{
    t->on = false;
    t->n = t->applied = t->data_len = 0;
}

void sim_optrace_release(struct sim_optrace *t)
{
    if (!t->on) {
        return;
    }
    sim_optrace_apply(t, UINT64_MAX);
    stop_holding(t);
}

uint64_t sim_optrace_cut(struct sim_optrace *t, uint64_t board_us, struct powercut *pc)
{
    if (!t->on) {
        return 0;
    }
    sim_optrace_apply(t, board_us);
    uint64_t op = 0;
    if (t->applied < t->n) {
        /* The operation in progress: the power fails while the chip does it. */
        op = t->applied + 1;
        powercut_power_on(pc);
        powercut_arm(pc, 1);
        apply_next(t);
        powercut_power_on(pc);
    }
    stop_holding(t);
    return op;
}

void sim_optrace_drop(struct sim_optrace *t)
{
    stop_holding(t);
    if (t->fresh != NULL) {
        nor_flash_close(&t->copy);
    }
    free(t->fresh);
    free(t->ops);
    free(t->data);
    t->fresh = NULL;
    t->ops = NULL;
    t->data = NULL;
    t->cap = t->data_cap = t->blocks = 0;
}
