/* UART0 receive by interrupt into a ring buffer (mps2.h). Its own file: only programs that
 * call mps2_uart_rx_irq_start() link it (the vector table's entry is weak). */
#include "mps2.h"
#include "uart_regs.h"

#if (MPS2_UART_RX_RING & (MPS2_UART_RX_RING - 1)) != 0
#error "MPS2_UART_RX_RING must be a power of two"
#endif
static uint8_t rx_ring[MPS2_UART_RX_RING];
static volatile uint32_t rx_head, rx_tail;  /* head: the interrupt's; tail: the reader's */
static volatile bool rx_stopped;              /* the ring was full: interrupt off */

/* Moves waiting bytes into the ring while there is room; a full ring turns the interrupt off
 * (the byte stays in the UART) until mps2_uart_read() has made room. */
static void rx_take(void)
{
    while (UART_STATE & UART_STATE_RXFULL) {
        if (rx_head - rx_tail == MPS2_UART_RX_RING) {
            UART_CTRL &= ~UART_CTRL_RX_INTEN;
            rx_stopped = true;
            return;
        }
        rx_ring[rx_head % MPS2_UART_RX_RING] = (uint8_t)UART_DATA;
        rx_head++;
    }
}

void mps2_uart0_rx_handler(void)
{
    UART_INTCLEAR = UART_INT_RX;
    rx_take();
}

/* Turns the interrupt on and takes the byte that may already wait: the UART raises its RX
 * interrupt only for a byte that arrives while it is on. Done with interrupts held off so the
 * handler does not race it (a byte arriving after this interrupts as usual). */
static void rx_arm(void)
{
    __asm volatile("cpsid i" ::: "memory");
    rx_stopped = false;
    UART_CTRL |= UART_CTRL_RX_INTEN;
    rx_take();
    __asm volatile("cpsie i" ::: "memory");
}

void mps2_uart_rx_irq_start(void)
{
    NVIC_ISER0 = 1u << UART0_RX_IRQ;
    rx_arm();
}

size_t mps2_uart_read(uint8_t *buf, size_t cap)
{
    size_t n = 0;
    while (n < cap && rx_tail != rx_head) {
        buf[n++] = rx_ring[rx_tail % MPS2_UART_RX_RING];
        rx_tail++;
    }
    if (rx_stopped) {
        rx_arm();  /* the ring was full: there is room again */
    }
    return n;
}
