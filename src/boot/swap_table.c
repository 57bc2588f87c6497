/* The swap-type decision: which swap the bootloader does for a pair of trailers. Same rows,
 * same order as MCUboot's boot_swap_tables[]; the secondary's trailer takes priority, and
 * anything that matches no row means NONE. FAIL and PANIC come from later steps (an invalid
 * secondary, an unreadable flash), never from this table. */
#include <stddef.h>

#include "boot_priv.h"

#define ANY 0xff  /* matches any magic or flag state */

struct swap_row {
    uint8_t magic_primary;
    uint8_t magic_secondary;
    uint8_t image_ok_primary;
    uint8_t image_ok_secondary;
    uint8_t copy_done_primary;
    uint8_t swap_type;
};

static const struct swap_row swap_rows[] = {
    /*             | primary | secondary |
     * ------------+---------+-----------|
     *       magic | Any     | Good      |
     *    image_ok | Any     | Unset     |
     *   copy_done | Any     | N/A       |
     * ------------+---------+-----------'
     * swap: test (run the secondary once; revert unless it confirms itself)
     */
    {ANY, BOOT_MAGIC_GOOD, ANY, BOOT_FLAG_UNSET, ANY, BOOT_SWAP_TYPE_TEST},
    /*             | primary | secondary |
     * ------------+---------+-----------|
     *       magic | Any     | Good      |
     *    image_ok | Any     | 0x01      |
     *   copy_done | Any     | N/A       |
     * ------------+---------+-----------'
     * swap: permanent
     */
    {ANY, BOOT_MAGIC_GOOD, ANY, BOOT_FLAG_SET, ANY, BOOT_SWAP_TYPE_PERM},
    /*             | primary | secondary |
     * ------------+---------+-----------|
     *       magic | Good    | Unset     |
     *    image_ok | Unset   | Any       |
     *   copy_done | 0x01    | N/A       |
     * ------------+---------+-----------'
     * swap: revert (a tested image that did not confirm itself)
     */
    {BOOT_MAGIC_GOOD, BOOT_MAGIC_UNSET, BOOT_FLAG_UNSET, ANY, BOOT_FLAG_SET, BOOT_SWAP_TYPE_REVERT},
};

static int match(uint8_t want, uint8_t have) { return want == ANY || want == have; }

enum boot_swap_type boot_swap_type_of(const struct boot_swap_state *primary,
                                      const struct boot_swap_state *secondary)
{
    for (size_t i = 0; i < sizeof(swap_rows) / sizeof(swap_rows[0]); i++) {
        const struct swap_row *r = &swap_rows[i];
        if (match(r->magic_primary, primary->magic) &&
            match(r->magic_secondary, secondary->magic) &&
            match(r->image_ok_primary, primary->image_ok) &&
            match(r->image_ok_secondary, secondary->image_ok) &&
            match(r->copy_done_primary, primary->copy_done)) {
            return (enum boot_swap_type)r->swap_type;
        }
    }
    return BOOT_SWAP_TYPE_NONE;
}
