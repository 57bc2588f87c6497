/* Milliseconds since reset from SysTick (25 MHz core clock, 1 kHz tick). */
#include "mps2.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

static volatile uint32_t ticks_ms;

void mps2_systick_handler(void)
{
    ticks_ms++;
}

void mps2_clock_start(void)
{
    SYST_RVR = MPS2_SYSCLK_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 0x7u;  /* processor clock, interrupt, enabled */
}

uint32_t mps2_millis(void)
{
    return ticks_ms;
}
