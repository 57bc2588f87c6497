/* CMSDK APB UART0 registers (ARM's CMSDK peripheral reference), for periph.c and uart_rx.c. */
#ifndef DFUKIT_MPS2_UART_REGS_H
#define DFUKIT_MPS2_UART_REGS_H

#include "mps2.h"

#define REG(addr) (*(volatile uint32_t *)(addr))

#define UART_DATA REG(MPS2_UART0_BASE + 0x00)
#define UART_STATE REG(MPS2_UART0_BASE + 0x04)
#define UART_CTRL REG(MPS2_UART0_BASE + 0x08)
#define UART_INTCLEAR REG(MPS2_UART0_BASE + 0x0C)
#define UART_BAUDDIV REG(MPS2_UART0_BASE + 0x10)
#define UART_STATE_TXFULL 0x1u
#define UART_STATE_RXFULL 0x2u
#define UART_CTRL_RX_INTEN 0x8u
#define UART_INT_RX 0x2u
#define NVIC_ISER0 REG(0xE000E100u)
#define UART0_RX_IRQ 0u  /* QEMU hw/arm/mps2.c: UART0 RX is IRQ 0 */

#endif
