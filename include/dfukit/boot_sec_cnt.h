/* A security counter kept in a flash area, for struct boot_sec_cnt_port (boot.h): an
 * append-only log of counter values, as an OTP counter burns fuses, so no update ever erases
 * and a power cut at any point leaves the old value or the new one.
 *
 * Entry i lives at i x BOOT_SEC_CNT_ENTRY_SIZE(write_align): u32le value, u32le ~value, then
 * erased padding up to the write alignment (one write). The counter is the highest value of
 * the complete entries (an entry torn by a cut does not check and is skipped); an area with
 * none reads 0. When the area is full the counter can no longer rise (DFU_ENOSPC), as a fuse
 * counter runs out. */
#ifndef DFUKIT_BOOT_SEC_CNT_H
#define DFUKIT_BOOT_SEC_CNT_H

#include <stdint.h>

#include "dfukit/boot.h"
#include "dfukit/flash.h"

#define BOOT_SEC_CNT_ENTRY_SIZE(write_align) ((write_align) > 8u ? (write_align) : 8u)

/* The counter in fa (a struct flash_area *, as the port's arg). */
int boot_sec_cnt_flash_read(void *fa, uint32_t *out);
/* Raises the counter to value: a new entry when value is higher, nothing otherwise. */
int boot_sec_cnt_flash_update(void *fa, uint32_t value);

/* The port over fa. */
static inline struct boot_sec_cnt_port boot_sec_cnt_flash_port(struct flash_area *fa)
{
    return (struct boot_sec_cnt_port){ boot_sec_cnt_flash_read, boot_sec_cnt_flash_update, fa };
}

#endif
