/* The security counter's append-only flash log (include/dfukit/boot_sec_cnt.h). */
#include <string.h>

#include "dfukit/boot_sec_cnt.h"
#include "dfukit/bytes.h"
#include "dfukit/err.h"

#define ENTRY_MAX BOOT_SEC_CNT_ENTRY_SIZE(32u)

/* Scans the log: the highest complete value into *value (0 when none) and the first erased
 * entry into *next (the entry count when the area is full). */
static int scan(const struct flash_area *fa, uint32_t *value, uint32_t *next)
{
    uint32_t esize = BOOT_SEC_CNT_ENTRY_SIZE(flash_area_align(fa));
    uint32_t count = fa->size / esize;
    uint8_t e[ENTRY_MAX];
    uint8_t erased[ENTRY_MAX];
    memset(erased, flash_area_erased_val(fa), esize);
    *value = 0;
    for (uint32_t i = 0; i < count; i++) {
        int err = flash_area_read(fa, i * esize, e, esize);
        if (err) {
            return err;
        }
        if (memcmp(e, erased, esize) == 0) {
            *next = i;
            return 0;
        }
        uint32_t v = load32_le(e);
        if (v == ~load32_le(e + 4) && v > *value) {
            *value = v;
        }
    }
    *next = count;
    return 0;
}

int boot_sec_cnt_flash_read(void *arg, uint32_t *out)
{
    uint32_t next;
    return scan(arg, out, &next);
}

int boot_sec_cnt_flash_update(void *arg, uint32_t value)
{
    const struct flash_area *fa = arg;
    uint32_t now, next;
    int err = scan(fa, &now, &next);
    if (err || value <= now) {
        return err;
    }
    uint32_t esize = BOOT_SEC_CNT_ENTRY_SIZE(flash_area_align(fa));
    if (next >= fa->size / esize) {
        return DFU_ENOSPC;
    }
    uint8_t e[ENTRY_MAX];
    memset(e, flash_area_erased_val(fa), esize);
    store32_le(e, value);
    store32_le(e + 4, ~value);
    return flash_area_write(fa, next * esize, e, esize);
}
