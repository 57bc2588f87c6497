/* The swap-type decision table: each row, then every combination of trailer states against
 * the rules as MCUboot applies them (bootutil's swap table); and the slot flags mcumgr shows for
 * each outcome. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/boot.h"

static struct boot_swap_state st(uint8_t magic, uint8_t image_ok, uint8_t copy_done)
{
    struct boot_swap_state s = {magic, BOOT_SWAP_TYPE_NONE, copy_done, image_ok, 0};
    return s;
}

static void test_row_test(void **state)
{
    (void)state;
    struct boot_swap_state p = st(BOOT_MAGIC_GOOD, BOOT_FLAG_SET, BOOT_FLAG_SET);
    struct boot_swap_state s = st(BOOT_MAGIC_GOOD, BOOT_FLAG_UNSET, BOOT_FLAG_UNSET);
    assert_int_equal(boot_swap_type_of(&p, &s), BOOT_SWAP_TYPE_TEST);
    p = st(BOOT_MAGIC_UNSET, BOOT_FLAG_UNSET, BOOT_FLAG_UNSET);
    assert_int_equal(boot_swap_type_of(&p, &s), BOOT_SWAP_TYPE_TEST);
}

static void test_row_perm(void **state)
{
    (void)state;
    struct boot_swap_state p = st(BOOT_MAGIC_BAD, BOOT_FLAG_BAD, BOOT_FLAG_UNSET);
    struct boot_swap_state s = st(BOOT_MAGIC_GOOD, BOOT_FLAG_SET, BOOT_FLAG_UNSET);
    assert_int_equal(boot_swap_type_of(&p, &s), BOOT_SWAP_TYPE_PERM);
    /* a bad image_ok in the secondary matches neither test nor permanent */
    s.image_ok = BOOT_FLAG_BAD;
    assert_int_equal(boot_swap_type_of(&p, &s), BOOT_SWAP_TYPE_NONE);
}

static void test_row_revert(void **state)
{
    (void)state;
    struct boot_swap_state p = st(BOOT_MAGIC_GOOD, BOOT_FLAG_UNSET, BOOT_FLAG_SET);
    struct boot_swap_state s = st(BOOT_MAGIC_UNSET, BOOT_FLAG_UNSET, BOOT_FLAG_UNSET);
    assert_int_equal(boot_swap_type_of(&p, &s), BOOT_SWAP_TYPE_REVERT);
    p.image_ok = BOOT_FLAG_SET;  /* confirmed */
    assert_int_equal(boot_swap_type_of(&p, &s), BOOT_SWAP_TYPE_NONE);
    p.image_ok = BOOT_FLAG_UNSET;
    p.copy_done = BOOT_FLAG_UNSET;  /* never swapped in (e.g. --pad without --confirm) */
    assert_int_equal(boot_swap_type_of(&p, &s), BOOT_SWAP_TYPE_NONE);
}

static void test_row_none(void **state)
{
    (void)state;
    struct boot_swap_state p = st(BOOT_MAGIC_UNSET, BOOT_FLAG_UNSET, BOOT_FLAG_UNSET);
    struct boot_swap_state s = p;
    assert_int_equal(boot_swap_type_of(&p, &s), BOOT_SWAP_TYPE_NONE);
    s.magic = BOOT_MAGIC_BAD;
    assert_int_equal(boot_swap_type_of(&p, &s), BOOT_SWAP_TYPE_NONE);
}

/* All 3^5 combinations against the rules written out independently. */
static void test_all_combinations(void **state)
{
    (void)state;
    static const uint8_t magics[] = {BOOT_MAGIC_GOOD, BOOT_MAGIC_BAD, BOOT_MAGIC_UNSET};
    static const uint8_t flags[] = {BOOT_FLAG_SET, BOOT_FLAG_BAD, BOOT_FLAG_UNSET};
    int counts[6] = {0};
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            for (int c = 0; c < 3; c++)
                for (int d = 0; d < 3; d++)
                    for (int e = 0; e < 3; e++) {
                        struct boot_swap_state p = st(magics[a], flags[c], flags[e]);
                        struct boot_swap_state s = st(magics[b], flags[d], BOOT_FLAG_UNSET);
                        int want = BOOT_SWAP_TYPE_NONE;
                        if (s.magic == BOOT_MAGIC_GOOD && s.image_ok == BOOT_FLAG_UNSET) {
                            want = BOOT_SWAP_TYPE_TEST;
                        } else if (s.magic == BOOT_MAGIC_GOOD && s.image_ok == BOOT_FLAG_SET) {
                            want = BOOT_SWAP_TYPE_PERM;
                        } else if (p.magic == BOOT_MAGIC_GOOD && s.magic == BOOT_MAGIC_UNSET &&
                                   p.image_ok == BOOT_FLAG_UNSET && p.copy_done == BOOT_FLAG_SET) {
                            want = BOOT_SWAP_TYPE_REVERT;
                        }
                        assert_int_equal(boot_swap_type_of(&p, &s), want);
                        counts[want]++;
                    }
    /* secondary good+unset: 1*1 * 27 primary states = 27 each for test and perm */
    assert_int_equal(counts[BOOT_SWAP_TYPE_TEST], 27);
    assert_int_equal(counts[BOOT_SWAP_TYPE_PERM], 27);
    assert_int_equal(counts[BOOT_SWAP_TYPE_REVERT], 3);  /* any secondary image_ok */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_row_test),
        cmocka_unit_test(test_row_perm),
        cmocka_unit_test(test_row_revert),
        cmocka_unit_test(test_row_none),
        cmocka_unit_test(test_all_combinations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
