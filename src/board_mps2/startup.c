/* Reset handler and vector table of every mps2 program: copy .data, zero .bss, call main().
 * Faults reset the board, so a crashing image ends in a watchdog/SYSRESETREQ reset as on a
 * product, never in a hang. */
#include <stdint.h>
#include <string.h>

#include "mps2.h"

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __stack_top[];
int main(void);

void mps2_reset_handler(void);
void mps2_fault_handler(void);

#define STACK_PAINT 0xa5a5a5a5u

#ifdef DFU_STACK_PAINT
/* Paints from the end of .bss to a little below the current stack pointer (this function's
 * own frame is not yet in use there). */
static void paint_stack(void)
{
    uint32_t *p = __bss_end;
    uint32_t *sp;
    __asm volatile("mov %0, sp" : "=r"(sp));
    while (p < sp - 16) {
        *p++ = STACK_PAINT;
    }
}
#endif

uint32_t mps2_stack_used(void)
{
    const uint32_t *p = __bss_end;
    while (p < __stack_top && *p == STACK_PAINT) {
        p++;
    }
    return (uint32_t)((char *)__stack_top - (char *)p);
}

void mps2_reset_handler(void)
{
#ifdef DFU_STACK_PAINT
    paint_stack();
#endif
    memcpy(__data_start, __data_load, (size_t)((char *)__data_end - (char *)__data_start));
    memset(__bss_start, 0, (size_t)((char *)__bss_end - (char *)__bss_start));
    main();
    for (;;) {
    }
}

void mps2_fault_handler(void)
{
    mps2_sysreset();
}

/* SysTick does nothing unless the program links clock.c (mps2_clock_start). */
static void ignore_handler(void)
{
}
void mps2_systick_handler(void) __attribute__((weak, alias("ignore_handler")));
/* The same for UART0's receive interrupt (periph.c, mps2_uart_rx_irq_start). */
void mps2_uart0_rx_handler(void) __attribute__((weak, alias("ignore_handler")));

/* Size setting: MPS2_VECTORS 4 ends the table at HardFault, for a program that enables no
 * other exception (MemManage, BusFault and UsageFault are off after reset and escalate to
 * HardFault; no SVC, PendSV, SysTick or UART interrupt). */
#ifndef MPS2_VECTORS
#define MPS2_VECTORS 17
#endif

/* Initial MSP, reset, NMI, HardFault, MemManage, BusFault, UsageFault, ..., SysTick, IRQ 0. */
__attribute__((section(".isr_vector"), used)) static void (*const vectors[MPS2_VECTORS])(void) = {
    (void (*)(void))__stack_top, mps2_reset_handler, mps2_fault_handler, mps2_fault_handler,
#if MPS2_VECTORS > 4
    mps2_fault_handler, mps2_fault_handler, mps2_fault_handler,
    [15] = mps2_systick_handler, [16] = mps2_uart0_rx_handler,
#endif
};
