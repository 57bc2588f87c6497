/* A minimal application for the bootloader tests: prints the version from its own MCUboot
 * header (so the image imgtool signed says which one runs) and ends the QEMU run through
 * semihosting. The crash flavour (TEST_APP_CRASH) starts the watchdog and never feeds it,
 * as an image that hangs at start: the watchdog resets and dfuboot reverts. */
#include <stdint.h>

#include "dfukit/image.h"
#include "mps2.h"

int main(void)
{
    mps2_uart_init();
    struct image_header hdr;
    if (image_header_decode(&hdr, (const uint8_t *)(MPS2_PSRAM_BASE + MPS2_SLOT0_OFF)) != 0) {
        mps2_uart_puts("app: no header in slot 0\r\n");
        mps2_semihost_exit();
    }
#ifdef TEST_APP_CRASH
    mps2_uart_puts("app: crashing\r\n");
    mps2_wdog_start(50);
    for (;;) {
    }
#endif
    mps2_uart_puts("app: running v");
    mps2_uart_put_dec(hdr.ver.major);
    mps2_uart_putc('.');
    mps2_uart_put_dec(hdr.ver.minor);
    mps2_uart_putc('.');
    mps2_uart_put_dec(hdr.ver.revision);
    mps2_uart_puts("\r\n");
    mps2_semihost_exit();
}
