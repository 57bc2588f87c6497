/* When the simulated nRF52840's CPU runs during a flash stall of the app, which decides whether
 * the UART driver can move lines out of the line buffers: never inside a whole-page erase, at
 * each step boundary of a partial erase, always during word writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "sim_priv.h"

static struct sim_dev *stalled_dev(uint32_t partial_ms)
{
    struct sim_dev *d = calloc(1, sizeof *d);
    assert_non_null(d);
    d->state = SIM_RUNNING;
    d->stalled = true;
    d->board.partial_erase_ms = partial_ms;
    d->halt_start_us = 1000;
    d->halt_end_us = 86000;  /* one 85 ms page erase */
    return d;
}

static void whole_page_erase_halts_the_cpu(void **state)
{
    (void)state;
    struct sim_dev *d = stalled_dev(0);
    assert_true(sim_dev_cpu_runs_at(d, 999));
    assert_false(sim_dev_cpu_runs_at(d, 1000));
    assert_false(sim_dev_cpu_runs_at(d, 85999));
    assert_true(sim_dev_cpu_runs_at(d, 86000));
    assert_false(sim_dev_cpu_ran(d, 1000, 85999));
    assert_true(sim_dev_cpu_ran(d, 500, 2000));   /* before the erase began */
    assert_true(sim_dev_cpu_ran(d, 80000, 86000)); /* once it is over */
    assert_false(sim_dev_cpu_ran(d, 2000, 2000));
    free(d);
}

static void partial_erase_runs_the_cpu_at_each_step(void **state)
{
    (void)state;
    struct sim_dev *d = stalled_dev(3);
    assert_false(sim_dev_cpu_runs_at(d, 2500));
    assert_false(sim_dev_cpu_ran(d, 1000, 3999));
    assert_true(sim_dev_cpu_ran(d, 1000, 4000));
    assert_false(sim_dev_cpu_ran(d, 4000, 6999));
    assert_true(sim_dev_cpu_ran(d, 6999, 7000));
    assert_true(sim_dev_cpu_ran(d, 4000, 40000));
    free(d);
}

static void writes_leave_the_cpu_running(void **state)
{
    (void)state;
    struct sim_dev *d = stalled_dev(0);
    d->halt_end_us = d->halt_start_us;  /* no erase in this stall */
    assert_true(sim_dev_cpu_runs_at(d, 1000));
    assert_true(sim_dev_cpu_ran(d, 1000, 1001));
    free(d);
}

static void only_a_stalled_running_app(void **state)
{
    (void)state;
    struct sim_dev *d = stalled_dev(3);
    d->stalled = false;  /* the app takes requests itself */
    assert_false(sim_dev_cpu_runs_at(d, 500));
    assert_false(sim_dev_cpu_ran(d, 500, 90000));
    d->stalled = true;
    d->state = SIM_FAULTED;  /* a crashed app's driver does not run */
    assert_false(sim_dev_cpu_runs_at(d, 500));
    assert_false(sim_dev_cpu_ran(d, 500, 90000));
    d->state = SIM_RECOVERY;  /* the bootloader takes lines only when it is not busy */
    assert_false(sim_dev_cpu_ran(d, 500, 90000));
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_page_erase_halts_the_cpu),
        cmocka_unit_test(partial_erase_runs_the_cpu_at_each_step),
        cmocka_unit_test(writes_leave_the_cpu_running),
        cmocka_unit_test(only_a_stalled_running_app),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
