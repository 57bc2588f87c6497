/* The recovery tables: where the status of an interrupted swap is read from (swap-scratch's
 * source table, one case per row and for the primary-wins rule), and what swap-move reads as
 * a swap in progress. Uses the core's internal header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "boot_priv.h"
#include "dfukit/err.h"
#include "fixture.h"

struct senv {
    struct fx f;
    struct boot_state st;
};

static void senv_open(struct senv *e, enum boot_strategy s)
{
    fx_open(&e->f, s, FX_UNIFORM_4K, 8, 0xff);
    fx_erase(&e->f, &e->f.pri);
    fx_erase(&e->f, &e->f.sec);
    fx_erase(&e->f, &e->f.scr);
    memset(&e->st, 0, sizeof(e->st));
    e->st.cfg = &e->f.cfg;
    e->st.pri = &e->f.pri;
    e->st.sec = &e->f.sec;
    e->st.scr = &e->f.scr;
    assert_int_equal(boot_trailer_layout_of(&e->f.pri, 384, &e->st.tl_pri), 0);
    assert_int_equal(boot_trailer_layout_of(&e->f.sec, 384, &e->st.tl_sec), 0);
    assert_int_equal(boot_trailer_layout_of(&e->f.scr, 3, &e->st.tl_scr), 0);
}

/* A trailer as a swap writes it: swap_info, swap_size, magic; then n status entries. */
static void trailer(struct senv *e, const struct flash_area *fa, const struct boot_trailer_layout *tl,
                    uint8_t type, uint32_t entries)
{
    struct boot_status bs = {1, 0, 0, type, 0, 12345};
    assert_int_equal(boot_status_init(&e->st, fa, tl, &bs, false), 0);
    for (uint32_t i = 0; i < entries; i++) {
        assert_int_equal(status_write(fa, tl, i, (uint8_t)(i % 3 + 1)), 0);
    }
}

static uint8_t source(struct senv *e)
{
    uint8_t s;
    assert_int_equal(swap_scratch_status_source(&e->st, &s), 0);
    return s;
}

static void test_scratch_rows(void **state)
{
    (void)state;
    struct senv e;
    senv_open(&e, BOOT_STRATEGY_SWAP_SCRATCH);
    /* nothing anywhere: none */
    assert_int_equal(source(&e), BOOT_STATUS_SOURCE_NONE);
    /* row 2: primary good, copy_done unset, scratch not good */
    trailer(&e, &e.f.pri, &e.st.tl_pri, BOOT_SWAP_TYPE_TEST, 4);
    assert_int_equal(source(&e), BOOT_STATUS_SOURCE_PRIMARY);
    struct boot_status bs;
    assert_int_equal(swap_scratch_read_status(&e.st, &bs), 0);
    assert_int_equal(bs.idx, 2);
    assert_int_equal(bs.state, 1);
    assert_int_equal(bs.swap_type, BOOT_SWAP_TYPE_TEST);
    assert_int_equal(bs.swap_size, 12345);
    /* row 1: ... and copy_done set: the swap finished */
    assert_int_equal(trailer_write_flag(&e.f.pri, e.st.tl_pri.copy_done_off), 0);
    assert_int_equal(source(&e), BOOT_STATUS_SOURCE_NONE);
    /* row 3: a good scratch wins over a finished primary (a new swap is staging) */
    trailer(&e, &e.f.scr, &e.st.tl_scr, BOOT_SWAP_TYPE_REVERT, 1);
    assert_int_equal(source(&e), BOOT_STATUS_SOURCE_SCRATCH);
    assert_int_equal(swap_scratch_read_status(&e.st, &bs), 0);
    assert_int_equal(bs.idx, 1);
    assert_int_equal(bs.state, 1);
    assert_int_equal(bs.swap_type, BOOT_SWAP_TYPE_REVERT);
    /* ... and over an erased or torn primary trailer */
    fx_erase(&e.f, &e.f.pri);
    assert_int_equal(source(&e), BOOT_STATUS_SOURCE_SCRATCH);
    /* primary wins once it records all of group 1 (the scratch erase was cut) */
    trailer(&e, &e.f.pri, &e.st.tl_pri, BOOT_SWAP_TYPE_REVERT, 2);
    assert_int_equal(source(&e), BOOT_STATUS_SOURCE_SCRATCH);
    assert_int_equal(status_write(&e.f.pri, &e.st.tl_pri, 2, 3), 0);
    assert_int_equal(source(&e), BOOT_STATUS_SOURCE_PRIMARY);
    fx_close(&e.f);
}

static void test_padded_primary(void **state)
{
    (void)state;
    /* imgtool --pad --confirm: good magic, image_ok, no swap_size: not a swap in progress */
    struct senv e;
    senv_open(&e, BOOT_STRATEGY_SWAP_SCRATCH);
    assert_int_equal(trailer_write_flag(&e.f.pri, e.st.tl_pri.image_ok_off), 0);
    assert_int_equal(trailer_write_magic(&e.f.pri, &e.st.tl_pri), 0);
    struct boot_status bs;
    assert_int_equal(swap_scratch_read_status(&e.st, &bs), 0);
    assert_int_equal(bs.idx, 1);
    assert_int_equal(bs.state, 0);
    assert_int_equal(bs.swap_type, BOOT_SWAP_TYPE_NONE);
    fx_close(&e.f);
}

static void test_move_status(void **state)
{
    (void)state;
    struct senv e;
    senv_open(&e, BOOT_STRATEGY_SWAP_MOVE);
    struct boot_status bs;
    assert_int_equal(swap_move_read_status(&e.st, &bs), 0);
    assert_int_equal(bs.source, BOOT_STATUS_SOURCE_NONE);
    /* three moves done */
    trailer(&e, &e.f.pri, &e.st.tl_pri, BOOT_SWAP_TYPE_PERM, 3);
    assert_int_equal(swap_move_read_status(&e.st, &bs), 0);
    assert_int_equal(bs.source, BOOT_STATUS_SOURCE_PRIMARY);
    assert_int_equal(bs.op, BOOT_OP_MOVE);
    assert_int_equal(bs.idx, 4);
    /* a good secondary trailer means the swap has not begun */
    assert_int_equal(trailer_write_magic(&e.f.sec, &e.st.tl_sec), 0);
    assert_int_equal(swap_move_read_status(&e.st, &bs), 0);
    assert_int_equal(bs.source, BOOT_STATUS_SOURCE_NONE);
    fx_erase(&e.f, &e.f.sec);
    /* swap phase: entries after the move area, two per sector */
    assert_int_equal(status_write(&e.f.pri, &e.st.tl_pri, BOOT_MAX_IMG_SECTORS + 2, 1), 0);
    assert_int_equal(swap_move_read_status(&e.st, &bs), 0);
    assert_int_equal(bs.op, BOOT_OP_SWAP);
    assert_int_equal(bs.idx, 2);
    assert_int_equal(bs.state, 1);
    assert_int_equal(status_write(&e.f.pri, &e.st.tl_pri, BOOT_MAX_IMG_SECTORS + 3, 2), 0);
    assert_int_equal(swap_move_read_status(&e.st, &bs), 0);
    assert_int_equal(bs.idx, 3);
    assert_int_equal(bs.state, 0);
    /* revert pending with a torn secondary magic (swap-move's fixup was cut) */
    struct boot_swap_state p = {BOOT_MAGIC_GOOD, BOOT_SWAP_TYPE_TEST, BOOT_FLAG_SET, BOOT_FLAG_UNSET, 0};
    struct boot_swap_state s = {BOOT_MAGIC_BAD, BOOT_SWAP_TYPE_NONE, BOOT_FLAG_UNSET, BOOT_FLAG_SET, 0};
    assert_true(swap_move_revert_pending(&p, &s));
    p.image_ok = BOOT_FLAG_SET;
    assert_false(swap_move_revert_pending(&p, &s));
    fx_close(&e.f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scratch_rows),
        cmocka_unit_test(test_padded_primary),
        cmocka_unit_test(test_move_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
