/* The QEMU mps2-an386 board (Cortex-M4): the peripherals dfuboot and the apps use, and the
 * flash map in the file-backed PSRAM. Addresses from ARM's AN386 application note and QEMU's
 * hw/arm/mps2.c: code SSRAM at 0x0 (where -kernel loads), data SSRAM at 0x20000000, PSRAM
 * at 0x21000000 (the machine's RAM: -M mps2-an386,memory-backend=... backs it with a file). */
#ifndef DFUKIT_MPS2_H
#define DFUKIT_MPS2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfukit/flash.h"

#define MPS2_PSRAM_BASE 0x21000000u
#define MPS2_UART0_BASE 0x40004000u
#define MPS2_WDOG_BASE 0x40008000u
#define MPS2_SYSCLK_HZ 25000000u

/* Flash map (offsets in the PSRAM "flash"): 1 MiB of 4 KiB sectors, write unit 4 bytes. */
#ifndef MPS2_FLASH_SIZE
#define MPS2_FLASH_SIZE 0x100000u
#endif
#define MPS2_SECTOR_SIZE 0x1000u
#define MPS2_WRITE_ALIGN 4u
#define MPS2_SLOT0_OFF 0x00000u
#define MPS2_SLOT1_OFF 0x60000u
#define MPS2_SLOT_SIZE 0x60000u
#define MPS2_SCRATCH_OFF 0xC0000u
#define MPS2_SCRATCH_SIZE 0x20000u
#define MPS2_STORAGE_OFF 0xE0000u
#define MPS2_STORAGE_SIZE 0x20000u

/* NOR flash over the PSRAM window: erase sets 4 KiB sectors to 0xff, a write must be aligned
 * and land on erased bytes (else DFU_EINVAL, nothing changed), as a real driver checks. */
struct mps2_flash_stats {
    uint32_t reads, writes, erases;
};
extern struct mps2_flash_stats mps2_flash_stats;
extern const struct flash_dev mps2_flash;
extern const struct flash_area mps2_slot0, mps2_slot1, mps2_scratch, mps2_storage;

/* CMSDK APB UART0 (polled). */
void mps2_uart_init(void);
void mps2_uart_putc(char c);
void mps2_uart_puts(const char *s);
void mps2_uart_put_dec(uint32_t v);  /* decimal, no sign */
/* -1 when no byte is waiting. */
int mps2_uart_getc(void);

/* UART0 receive by interrupt: the RX interrupt moves each byte into a ring buffer of
 * MPS2_UART_RX_RING bytes that the port owns, so bytes keep coming while the program is busy.
 * After mps2_uart_rx_irq_start(), mps2_uart_read() takes what has arrived (not
 * mps2_uart_getc()). A full ring leaves the next byte in the UART until there is room (QEMU's
 * pty then waits; a real line would overrun). */
#ifndef MPS2_UART_RX_RING
#define MPS2_UART_RX_RING 512u  /* a power of two */
#endif
void mps2_uart_rx_irq_start(void);
size_t mps2_uart_read(uint8_t *buf, size_t cap);
void mps2_uart0_rx_handler(void);  /* IRQ 0 of mps2-an386 (startup.c's vector table) */

/* CMSDK APB watchdog: reset after about 2 x timeout_ms without a feed. */
void mps2_wdog_start(uint32_t timeout_ms);
void mps2_wdog_feed(void);

/* SysTick at 1 kHz (clock.c): mps2_millis() counts from mps2_clock_start(). */
void mps2_clock_start(void);
uint32_t mps2_millis(void);
void mps2_systick_handler(void);

/* SYSRESETREQ through the SCB: QEMU resets the machine (PSRAM kept, -kernel reloaded). */
_Noreturn void mps2_sysreset(void);

/* ARM semihosting SYS_EXIT (ADP_Stopped_ApplicationExit): QEMU, run with
 * -semihosting-config enable=on, exits with status 0. Tests and benchmarks end runs with it. */
_Noreturn void mps2_semihost_exit(void);

/* Stack painting (DFU_STACK_PAINT builds): the reset handler fills the free RAM below the
 * stack with a pattern; mps2_stack_used() is the deepest the stack has reached since. */
uint32_t mps2_stack_used(void);

/* Starts the image whose vector table is at vtor: VTOR, MSP, jump to its reset handler. */
_Noreturn void mps2_chain_load(uint32_t vtor);

#endif
