/* The flash as board time passes (optrace.c): while held, the code reads its own writes back
 * but the chip (the bytes of the flash file) has only the operations whose board time has
 * passed; a cut tears the operation in progress and drops the rest; release hands all down. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dfukit/err.h"
#include "sim_priv.h"

/* 4 sectors of 4 KiB, nRF52840 timing: an erase takes 85000 us, a 4-byte word 41 us. */
static const struct flash_sector_run runs[] = { { 4, 4096 } };

struct env {
    struct nor_flash nor;
    struct powercut pc;
    struct sim_optrace t;
};

static void env_open(struct env *e)
{
    struct nor_flash_config c = { NULL, 4, 0xff, runs, 1, NOR_FLASH_TIMING_NRF52840 };
    assert_int_equal(nor_flash_open(&e->nor, &c), 0);
    memset(nor_flash_mem(&e->nor), 0x5a, 4 * 4096);  /* old data everywhere */
    powercut_init(&e->pc, &e->nor.dev);
    sim_optrace_init(&e->t, &e->pc.dev, &e->nor);
}

static void env_close(struct env *e)
{
    sim_optrace_drop(&e->t);
    nor_flash_close(&e->nor);
}

static int op_write(struct env *e, uint32_t off, const void *buf, uint32_t len)
{
    return e->t.dev.ops->write(e->t.dev.ctx, off, buf, len);
}

static int op_erase(struct env *e, uint32_t off, uint32_t len)
{
    return e->t.dev.ops->erase(e->t.dev.ctx, off, len);
}

static int op_read(struct env *e, uint32_t off, void *buf, uint32_t len)
{
    return e->t.dev.ops->read(e->t.dev.ctx, off, buf, len);
}

static bool chip_is(struct env *e, uint32_t off, uint8_t v, uint32_t len)
{
    const uint8_t *m = nor_flash_mem(&e->nor);
    for (uint32_t i = 0; i < len; i++) {
        if (m[off + i] != v) {
            return false;
        }
    }
    return true;
}

/* Sector 1 erased (done at 85000 us), then 8 bytes written at its start (done at 85082 us). */
static void erase_then_write(struct env *e)
{
    assert_int_equal(sim_optrace_hold(&e->t), 0);
    assert_int_equal(op_erase(e, 4096, 4096), 0);
    static const uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    assert_int_equal(op_write(e, 4096, data, 8), 0);
    uint8_t back[8];
    assert_int_equal(op_read(e, 4096, back, 8), 0);
    assert_memory_equal(back, data, 8);  /* the code sees its writes at once */
    assert_int_equal(sim_optrace_count(&e->t), 2);
    assert_int_equal(sim_optrace_busy_us(&e->t), 85082);
    assert_int_equal(sim_optrace_erase_us(&e->t), 85000);
    assert_true(chip_is(e, 4096, 0x5a, 4096));  /* the chip has nothing yet */
}

static void operations_reach_the_chip_as_board_time_passes(void **state)
{
    (void)state;
    struct env e;
    env_open(&e);
    erase_then_write(&e);
    assert_int_equal(sim_optrace_next_us(&e.t), 85000);
    sim_optrace_apply(&e.t, 84999);
    assert_true(chip_is(&e, 4096, 0x5a, 4096));
    sim_optrace_apply(&e.t, 85000);
    assert_true(chip_is(&e, 4096, 0xff, 4096));  /* the erase is done, the write is not */
    assert_int_equal(sim_optrace_next_us(&e.t), 85082);
    sim_optrace_release(&e.t);
    assert_false(sim_optrace_holding(&e.t));
    assert_int_equal(nor_flash_mem(&e.nor)[4096 + 7], 8);
    assert_true(chip_is(&e, 4096 + 8, 0xff, 4096 - 8));
    assert_int_equal(sim_optrace_next_us(&e.t), UINT64_MAX);
    /* not holding: straight to the chip */
    static const uint8_t w[4] = { 9, 9, 9, 9 };
    assert_int_equal(op_write(&e, 8192 - 4, w, 4), 0);
    assert_true(chip_is(&e, 8192 - 4, 9, 4));
    env_close(&e);
}

static void a_cut_tears_the_operation_in_progress(void **state)
{
    (void)state;
    struct env e;
    env_open(&e);
    erase_then_write(&e);
    /* power lost 40 ms into the erase: half the sector erased, no write */
    assert_int_equal(sim_optrace_cut(&e.t, 40000, &e.pc), 1);
    assert_false(sim_optrace_holding(&e.t));
    assert_true(chip_is(&e, 4096, 0x5a, 2048));
    assert_true(chip_is(&e, 4096 + 2048, 0xff, 2048));
    assert_false(powercut_is_dead(&e.pc));  /* the next power-on finds a working chip */
    /* a new hold sees the chip as it now is */
    assert_int_equal(sim_optrace_hold(&e.t), 0);
    uint8_t b[2];
    assert_int_equal(op_read(&e, 4096 + 2047, b, 2), 0);
    assert_int_equal(b[0], 0x5a);
    assert_int_equal(b[1], 0xff);
    /* the code's writes follow NOR rules on the copy: not over old data */
    static const uint8_t w[4] = { 1, 1, 1, 1 };
    assert_int_equal(op_write(&e, 4096, w, 4), DFU_EINVAL);
    assert_int_equal(sim_optrace_count(&e.t), 0);
    /* a cut after everything completed tears nothing */
    assert_int_equal(op_write(&e, 4096 + 2048, w, 4), 0);
    assert_int_equal(sim_optrace_cut(&e.t, 1000000, &e.pc), 0);
    assert_true(chip_is(&e, 4096 + 2048, 1, 4));
    env_close(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(operations_reach_the_chip_as_board_time_passes),
        cmocka_unit_test(a_cut_tears_the_operation_in_progress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
