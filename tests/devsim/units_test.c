/* Unit tests of devsim's own parts: board profiles, the app descriptor, link emulation (PRNG,
 * bit errors, UDP fates, UART pacing), the event loop (timers, fds) and the pty symlink. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dfukit/err.h"
#include "dfukit/hostio.h"
#include "dfukit/sim.h"
#include "ramflash.h"

static void nrf52840dk_has_zephyr_map(void **state)
{
    (void)state;
    struct sim_board b;
    assert_int_equal(sim_board_find("nrf52840dk", &b), 0);
    assert_int_equal(b.flash_size, 0x100000);
    assert_int_equal(b.runs[0].size, 4096);
    assert_int_equal(b.write_align, 4);
    assert_int_equal(b.boot.off, 0x0);
    assert_int_equal(b.boot.size, 0xC000);
    assert_int_equal(b.slot0.off, 0xC000);
    assert_int_equal(b.slot0.size, 0x67000);
    assert_int_equal(b.slot1.off, 0x73000);
    assert_int_equal(b.slot1.size, 0x67000);
    assert_int_equal(b.scratch.off, 0xDA000);
    assert_int_equal(b.scratch.size, 0x1E000);
    assert_int_equal(b.storage.off, 0xF8000);
    assert_int_equal(b.storage.size, 0x8000);
    assert_int_equal(b.smp_buf_size, 384);
    assert_int_equal(b.smp_buf_count, 4);
    assert_true(b.timing_default);
    assert_int_equal(sim_board_check(&b, NULL, 0), 0);
}

static void every_profile_is_consistent(void **state)
{
    (void)state;
    size_t n = 0;
    for (const char *name; (name = sim_board_name(n)) != NULL; n++) {
        struct sim_board b;
        char why[80] = "";
        assert_int_equal(sim_board_find(name, &b), 0);
        assert_int_equal(sim_board_check(&b, why, sizeof why), 0);
    }
    assert_int_equal(n, 5);  /* nrf52840dk, nrf5340dk, stm32f4, generic, mps2-an386 */
    struct sim_board b;
    assert_int_equal(sim_board_find("nope", &b), DFU_ENOENT);
}

/* Two images: slots 2 and 3 take part in the layout checks; swap strategies only, no shared
 * security counter. */
static void nrf5340dk_has_two_images(void **state)
{
    (void)state;
    struct sim_board b;
    char why[80];
    struct sim_part p;
    assert_int_equal(sim_board_find("nrf5340dk", &b), 0);
    assert_int_equal(b.image_count, 2);
    assert_int_equal(sim_board_image_part(&b, 3, &p), 0);
    assert_int_equal(p.off, 0xB8000);
    assert_int_equal(p.size, 0x40000);
    b.slot3.off = 0xB0000;  /* overlaps slot 2 */
    assert_int_equal(sim_board_check(&b, why, sizeof why), DFU_EINVAL);
    assert_string_equal(why, "partitions overlap");
    assert_int_equal(sim_board_find("nrf5340dk", &b), 0);
    b.slot3.size = 0x3F000;
    assert_int_equal(sim_board_check(&b, why, sizeof why), DFU_EINVAL);
    assert_string_equal(why, "image 1 needs slot 2 and slot 3 of one size");
    assert_int_equal(sim_board_find("nrf5340dk", &b), 0);
    b.strategy = BOOT_STRATEGY_DIRECT_XIP;
    assert_int_equal(sim_board_check(&b, why, sizeof why), DFU_EINVAL);
    assert_string_equal(why, "two images need swap-move, swap-scratch or overwrite-only");
    assert_int_equal(sim_board_find("nrf5340dk", &b), 0);
    b.downgrade = BOOT_DOWNGRADE_SECURITY_COUNTER;
    assert_int_equal(sim_board_check(&b, why, sizeof why), DFU_EINVAL);
    assert_string_equal(why, "two images cannot share the one security counter");
    /* one image: slots 2 and 3 are not there */
    assert_int_equal(sim_board_find("nrf52840dk", &b), 0);
    assert_int_equal(sim_board_image_part(&b, 2, &p), DFU_ENOENT);
}

static void stm32f4_has_mixed_sectors(void **state)
{
    (void)state;
    struct sim_board b;
    assert_int_equal(sim_board_find("stm32f4", &b), 0);
    assert_int_equal(b.run_count, 3);
    assert_int_equal(b.runs[0].count * b.runs[0].size + b.runs[1].count * b.runs[1].size +
                         b.runs[2].count * b.runs[2].size,
                     0x100000);
    assert_int_equal(b.mem_base, 0x08000000);
    assert_int_equal(b.write_align, 1);
}

static void generic_layout_follows_flags(void **state)
{
    (void)state;
    struct sim_board b;
    assert_int_equal(sim_board_find("generic", &b), 0);
    b.runs[0].size = 0x2000;
    b.slot0.size = 0x11000;  /* rounded up to 0x12000 */
    b.boot.size = 0x4000;
    b.scratch.size = 0x2000;
    b.storage.size = 0;
    b.strategy = BOOT_STRATEGY_SWAP_MOVE;
    b.flash_size = 0;
    assert_int_equal(sim_board_layout_generic(&b), 0);
    assert_int_equal(b.slot0.off, 0x4000);
    assert_int_equal(b.slot0.size, 0x12000);
    assert_int_equal(b.slot1.off, 0x16000);
    assert_int_equal(b.scratch.size, 0);  /* swap-move has no scratch */
    assert_int_equal(b.flash_size, 0x28000);
    assert_int_equal(b.runs[0].count, 0x14);
    assert_int_equal(sim_board_check(&b, NULL, 0), 0);
}

static void check_rejects_bad_maps(void **state)
{
    (void)state;
    struct sim_board b;
    char why[80];
    assert_int_equal(sim_board_find("nrf52840dk", &b), 0);
    b.slot1.off = 0x70000;  /* overlaps slot 0 */
    assert_int_equal(sim_board_check(&b, why, sizeof why), DFU_EINVAL);
    assert_string_equal(why, "partitions overlap");
    assert_int_equal(sim_board_find("nrf52840dk", &b), 0);
    b.slot0.off = 0xC100;
    assert_int_equal(sim_board_check(&b, why, sizeof why), DFU_EINVAL);
    assert_string_equal(why, "a partition is not on sector boundaries");
    assert_int_equal(sim_board_find("nrf52840dk", &b), 0);
    b.write_align = 3;
    assert_int_equal(sim_board_check(&b, NULL, 0), DFU_EINVAL);
    assert_int_equal(sim_board_find("nrf52840dk", &b), 0);
    b.storage.size = 0x10000;  /* past the end of the flash */
    assert_int_equal(sim_board_check(&b, why, sizeof why), DFU_EINVAL);
    assert_string_equal(why, "a partition lies outside the flash");
    assert_int_equal(sim_board_find("nrf52840dk", &b), 0);
    b.line_count = 33;
    assert_int_equal(sim_board_check(&b, NULL, 0), DFU_EINVAL);
    assert_int_equal(sim_board_find("nrf52840dk", &b), 0);
    b.partial_erase_ms = 1;  /* Zephyr's floor is 2 ms */
    assert_int_equal(sim_board_check(&b, NULL, 0), DFU_EINVAL);
    b.partial_erase_ms = 43;  /* more than half the 85 ms page erase */
    assert_int_equal(sim_board_check(&b, NULL, 0), DFU_EINVAL);
    b.partial_erase_ms = 42;
    assert_int_equal(sim_board_check(&b, NULL, 0), 0);
    assert_int_equal(sim_board_find("nrf52840dk", &b), 0);
    b.slot1.size = 0x66000;
    assert_int_equal(sim_board_check(&b, why, sizeof why), DFU_EINVAL);
    assert_string_equal(why, "slot 0 and slot 1 differ in size");
}

static void strategy_names_round_trip(void **state)
{
    (void)state;
    const char *names[] = { "swap-scratch", "swap-move", "overwrite-only" };
    for (size_t i = 0; i < 3; i++) {
        enum boot_strategy s;
        assert_int_equal(sim_strategy_parse(names[i], &s), 0);
        assert_string_equal(sim_strategy_name(s), names[i]);
    }
    enum boot_strategy s;
    assert_int_equal(sim_strategy_parse("swap", &s), DFU_EINVAL);
}

static void desc_round_trips_and_rejects_damage(void **state)
{
    (void)state;
    struct sim_app_desc d = { .behaviour = SIM_APP_HANG, .fault_after_ms = 250, .major = 1,
                              .minor = 2, .revision = 3, .build = 4, .payload_size = 4096 };
    uint8_t raw[SIM_APP_DESC_SIZE];
    sim_app_desc_encode(raw, &d);
    assert_memory_equal(raw, "DEVSIMAP", 8);
    struct sim_app_desc got;
    assert_int_equal(sim_app_desc_decode(&got, raw), 0);
    assert_int_equal(got.behaviour, SIM_APP_HANG);
    assert_int_equal(got.fault_after_ms, 250);
    assert_int_equal(got.revision, 3);
    assert_int_equal(got.build, 4);
    assert_int_equal(got.payload_size, 4096);
    for (size_t i = 0; i < SIM_APP_DESC_SIZE; i++) {
        uint8_t bad[SIM_APP_DESC_SIZE];
        memcpy(bad, raw, sizeof bad);
        bad[i] ^= 0x40;
        assert_int_equal(sim_app_desc_decode(&got, bad), DFU_ENOENT);
    }
}

static void built_app_is_found_in_a_slot(void **state)
{
    (void)state;
    static uint8_t mem[0x4000];
    struct ramflash rf;
    memset(mem, 0xff, sizeof mem);
    ramflash_init(&rf, mem, sizeof mem, 0x1000, 4, 0xff);
    struct flash_area fa = ramflash_area(&rf, 0, sizeof mem, 1);
    struct sim_app_desc d = { .behaviour = SIM_APP_CRASH, .major = 2 };
    uint8_t app[1000];
    assert_int_equal(sim_app_build(app, sizeof app, &d), 0);
    assert_int_equal(d.payload_size, 1000);
    /* As signed with --pad-header: behind a 0x200-byte header. */
    memset(mem, 0, 0x200);
    memcpy(mem + 0x200, app, sizeof app);
    struct sim_app_desc got;
    assert_int_equal(sim_app_find(&fa, 0x200 + sizeof app, &got), 0);
    assert_int_equal(got.behaviour, SIM_APP_CRASH);
    assert_int_equal(got.major, 2);
    /* A scan that stops before the descriptor does not find it. */
    assert_int_equal(sim_app_find(&fa, 0x210, &got), DFU_ENOENT);
    /* Apps differ in their filler: another behaviour gives other bytes. */
    uint8_t other[1000];
    struct sim_app_desc d2 = { .behaviour = SIM_APP_NORMAL, .major = 2 };
    assert_int_equal(sim_app_build(other, sizeof other, &d2), 0);
    assert_memory_not_equal(app + 100, other + 100, 800);
    assert_int_equal(sim_app_build(other, 8, &d2), DFU_EINVAL);
}

static void behaviour_names(void **state)
{
    (void)state;
    enum sim_app_behaviour b;
    assert_int_equal(sim_app_behaviour_parse("self-confirm", &b), 0);
    assert_int_equal(b, SIM_APP_SELF_CONFIRM);
    assert_string_equal(sim_app_behaviour_name(SIM_APP_CRASH), "crash");
    assert_int_equal(sim_app_behaviour_parse("explode", &b), DFU_EINVAL);
}

static void rng_is_deterministic(void **state)
{
    (void)state;
    struct sim_rng a, b;
    sim_rng_seed(&a, 42);
    sim_rng_seed(&b, 42);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(sim_rng_next(&a), sim_rng_next(&b));
    }
    assert_false(sim_rng_chance(&a, 0.0));
    assert_true(sim_rng_chance(&a, 1.0));
}

static void bit_errors_follow_the_rate(void **state)
{
    (void)state;
    struct sim_rng r;
    sim_rng_seed(&r, 7);
    uint8_t buf[4096];
    memset(buf, 0, sizeof buf);
    assert_int_equal(sim_link_corrupt(&r, 0.0, buf, sizeof buf), 0);
    uint32_t flips = sim_link_corrupt(&r, 0.01, buf, sizeof buf);
    /* 32768 bits at 1%: about 328; allow a wide margin. */
    assert_in_range(flips, 200, 460);
    uint32_t ones = 0;
    for (size_t i = 0; i < sizeof buf; i++) {
        ones += (uint32_t)__builtin_popcount(buf[i]);
    }
    assert_int_equal(ones, flips);
}

static void udp_fates_follow_the_rates(void **state)
{
    (void)state;
    struct sim_rng r;
    sim_rng_seed(&r, 1);
    struct sim_udp_faults none = { 0 };
    for (int i = 0; i < 100; i++) {
        assert_int_equal(sim_udp_fate_of(&r, &none), SIM_UDP_DELIVER);
    }
    struct sim_udp_faults all_drop = { .drop = 1.0 };
    assert_int_equal(sim_udp_fate_of(&r, &all_drop), SIM_UDP_DROP);
    struct sim_udp_faults dup = { .duplicate = 1.0 };
    assert_int_equal(sim_udp_fate_of(&r, &dup), SIM_UDP_DUPLICATE);
    struct sim_udp_faults hold = { .reorder = 1.0 };
    assert_int_equal(sim_udp_fate_of(&r, &hold), SIM_UDP_HOLD);
    struct sim_udp_faults half = { .drop = 0.5 };
    int dropped = 0;
    for (int i = 0; i < 1000; i++) {
        dropped += sim_udp_fate_of(&r, &half) == SIM_UDP_DROP;
    }
    assert_in_range(dropped, 420, 580);
}

static void pacer_runs_at_baud_over_ten(void **state)
{
    (void)state;
    struct sim_pacer p;
    sim_pacer_init(&p, 115200, true);
    uint64_t t0 = 1000000;
    /* Idle line: one byte right away, no burst. */
    assert_int_equal(sim_pacer_take(&p, t0, 100), 1);
    assert_int_equal(sim_pacer_take(&p, t0, 100), 0);
    /* 10 ms later: 115.2 more bytes have had time to arrive. */
    assert_int_equal(sim_pacer_take(&p, t0 + 10000, 1000), 115);
    uint64_t next = sim_pacer_next_us(&p, t0 + 10000);
    assert_in_range(next, t0 + 10000, t0 + 10000 + 87);
    /* A busy line carries 11520 bytes a second: from t0 + 10 ms to t0 + 1010 ms. */
    size_t total = 0;
    for (uint64_t t = t0 + 11000; t <= t0 + 1010000; t += 1000) {
        total += sim_pacer_take(&p, t, 100000);
    }
    assert_in_range(total, 11519, 11521);
    struct sim_pacer off;
    sim_pacer_init(&off, 115200, false);
    assert_int_equal(sim_pacer_take(&off, t0, 5000), 5000);
}

static int fired[4];
static int order_pos;
static void on_timer(void *arg)
{
    fired[order_pos++] = (int)(intptr_t)arg;
}

static void loop_fires_timers_in_order(void **state)
{
    (void)state;
    static struct sim_loop l;
    sim_loop_init(&l);
    order_pos = 0;
    uint64_t now = sim_now_us();
    assert_true(sim_loop_timer_at(&l, now + 3000, on_timer, (void *)3) > 0);
    assert_true(sim_loop_timer_at(&l, now + 1000, on_timer, (void *)1) > 0);
    int id = sim_loop_timer_at(&l, now + 2000, on_timer, (void *)9);
    assert_true(sim_loop_timer_at(&l, now + 1000, on_timer, (void *)2) > 0);
    sim_loop_cancel(&l, id);
    while (order_pos < 3) {
        assert_int_equal(sim_loop_step(&l, 10000), 0);
    }
    assert_int_equal(fired[0], 1);
    assert_int_equal(fired[1], 2);
    assert_int_equal(fired[2], 3);
    assert_true(sim_now_us() >= now + 3000);
}

static int pipe_hits;
static void on_pipe(void *arg, int fd, short revents)
{
    char buf[8];
    (void)arg;
    if ((revents & POLLIN) && read(fd, buf, sizeof buf) > 0) {
        pipe_hits++;
    }
}

static void loop_dispatches_fds(void **state)
{
    (void)state;
    static struct sim_loop l;
    sim_loop_init(&l);
    int p[2];
    assert_int_equal(pipe(p), 0);
    pipe_hits = 0;
    assert_int_equal(sim_loop_watch(&l, p[0], POLLIN, on_pipe, NULL), 0);
    assert_int_equal(write(p[1], "x", 1), 1);
    assert_int_equal(sim_loop_step(&l, 100000), 0);
    assert_int_equal(pipe_hits, 1);
    /* Paused: the byte waits. */
    sim_loop_set_events(&l, p[0], 0);
    assert_int_equal(write(p[1], "y", 1), 1);
    assert_int_equal(sim_loop_step(&l, 1000), 0);
    assert_int_equal(pipe_hits, 1);
    sim_loop_set_events(&l, p[0], POLLIN);
    assert_int_equal(sim_loop_step(&l, 100000), 0);
    assert_int_equal(pipe_hits, 2);
    sim_loop_unwatch(&l, p[0]);
    assert_int_equal(l.nfds, 0);
    close(p[0]);
    close(p[1]);
}

static void loop_stop_returns_its_code(void **state)
{
    (void)state;
    static struct sim_loop l;
    sim_loop_init(&l);
    sim_loop_stop(&l, 3);
    assert_int_equal(sim_loop_run(&l), 3);
}

static void pty_link_follows_the_pty(void **state)
{
    (void)state;
    char dir[256], link[300];
    snprintf(dir, sizeof dir, "%s/devsim", DFU_TEST_TMP);
    mkdir(DFU_TEST_TMP, 0755);
    mkdir(dir, 0755);
    snprintf(link, sizeof link, "%s/units-tty", dir);
    unlink(link);
    struct sim_pty p;
    assert_int_equal(sim_pty_open(&p, link), 0);
    char target[64] = "";
    assert_true(readlink(link, target, sizeof target - 1) > 0);
    assert_string_equal(target, p.slave);
    /* Bytes written by the board come out of the slave. */
    int fd = -1;
    assert_int_equal(hostio_serial_open(&fd, link, 115200), 0);
    assert_int_equal(write(p.master, "hi\n", 3), 3);
    assert_int_equal(hostio_wait_readable(fd, 1000), 1);
    char buf[8] = "";
    assert_int_equal(hostio_read(fd, buf, sizeof buf), 3);
    assert_memory_equal(buf, "hi\n", 3);
    hostio_close(fd);
    sim_pty_close(&p);
    assert_int_equal(access(link, F_OK), -1);
    /* Never replaces a file that is not a symlink. */
    FILE *f = fopen(link, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(sim_pty_open(&p, link), DFU_EEXIST);
    assert_int_equal(access(link, F_OK), 0);
    unlink(link);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nrf52840dk_has_zephyr_map),
        cmocka_unit_test(every_profile_is_consistent),
        cmocka_unit_test(nrf5340dk_has_two_images),
        cmocka_unit_test(stm32f4_has_mixed_sectors),
        cmocka_unit_test(generic_layout_follows_flags),
        cmocka_unit_test(check_rejects_bad_maps),
        cmocka_unit_test(strategy_names_round_trip),
        cmocka_unit_test(desc_round_trips_and_rejects_damage),
        cmocka_unit_test(built_app_is_found_in_a_slot),
        cmocka_unit_test(behaviour_names),
        cmocka_unit_test(rng_is_deterministic),
        cmocka_unit_test(bit_errors_follow_the_rate),
        cmocka_unit_test(udp_fates_follow_the_rates),
        cmocka_unit_test(pacer_runs_at_baud_over_ten),
        cmocka_unit_test(loop_fires_timers_in_order),
        cmocka_unit_test(loop_dispatches_fds),
        cmocka_unit_test(loop_stop_returns_its_code),
        cmocka_unit_test(pty_link_follows_the_pty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
