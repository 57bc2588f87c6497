/* UART0, watchdog, reset and chain-load on mps2-an386. Register offsets from ARM's CMSDK
 * peripheral reference (APB UART, APB watchdog) and the ARMv7-M SCB. */
#include "mps2.h"
#include "uart_regs.h"

#define WDOG_LOAD REG(MPS2_WDOG_BASE + 0x000)
#define WDOG_CTRL REG(MPS2_WDOG_BASE + 0x008)
#define WDOG_INTCLR REG(MPS2_WDOG_BASE + 0x00C)
#define WDOG_LOCK REG(MPS2_WDOG_BASE + 0xC00)
#define WDOG_UNLOCK_KEY 0x1ACCE551u
#define WDOG_CTRL_INTEN 0x1u
#define WDOG_CTRL_RESEN 0x2u

#define SCB_VTOR REG(0xE000ED08u)
#define SCB_AIRCR REG(0xE000ED0Cu)
#define AIRCR_SYSRESETREQ (0x05FAu << 16 | 0x4u)

void mps2_uart_init(void)
{
    UART_BAUDDIV = MPS2_SYSCLK_HZ / 115200u;
    UART_CTRL = 0x3u;  /* TX and RX enabled */
}

void mps2_uart_putc(char c)
{
    while (UART_STATE & UART_STATE_TXFULL) {
    }
    UART_DATA = (uint8_t)c;
}

void mps2_uart_puts(const char *s)
{
    while (*s != '\0') {
        mps2_uart_putc(*s++);
    }
}

void mps2_uart_put_dec(uint32_t v)
{
    char buf[11];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0) {
        mps2_uart_putc(buf[--n]);
    }
}

int mps2_uart_getc(void)
{
    return (UART_STATE & UART_STATE_RXFULL) ? (int)(UART_DATA & 0xffu) : -1;
}

/* The counter counts down at SYSCLK; the first expiry raises the interrupt, the second one
 * (interrupt still pending) resets: a missed feed resets after twice the load. */
void mps2_wdog_start(uint32_t timeout_ms)
{
    WDOG_LOCK = WDOG_UNLOCK_KEY;
    WDOG_LOAD = MPS2_SYSCLK_HZ / 1000u * timeout_ms;
    WDOG_CTRL = WDOG_CTRL_INTEN | WDOG_CTRL_RESEN;
    WDOG_LOCK = 0;
}

void mps2_wdog_feed(void)
{
    WDOG_LOCK = WDOG_UNLOCK_KEY;
    WDOG_INTCLR = 1;  /* also reloads the counter */
    WDOG_LOCK = 0;
}

_Noreturn void mps2_sysreset(void)
{
    __asm volatile("dsb");
    SCB_AIRCR = AIRCR_SYSRESETREQ;
    __asm volatile("dsb");
    for (;;) {
    }
}

_Noreturn void mps2_semihost_exit(void)
{
    register uint32_t r0 __asm("r0") = 0x18;     /* SYS_EXIT */
    register uint32_t r1 __asm("r1") = 0x20026;  /* ADP_Stopped_ApplicationExit */
    __asm volatile("bkpt 0xab" : : "r"(r0), "r"(r1));
    for (;;) {
    }
}

_Noreturn void mps2_chain_load(uint32_t vtor)
{
    const volatile uint32_t *vt = (const volatile uint32_t *)vtor;
    uint32_t sp = vt[0], pc = vt[1];
    SCB_VTOR = vtor;
    __asm volatile("dsb\n isb\n msr msp, %0\n bx %1\n" : : "r"(sp), "r"(pc) : "memory");
    __builtin_unreachable();
}
