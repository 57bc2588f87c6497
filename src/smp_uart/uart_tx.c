/* Transmit side: each SMP response as its own console frames (Zephyr's split rule). */
#include "dfukit/smp.h"
#include "dfukit/smp_uart.h"

int smp_uart_send(struct smp_uart *u, const uint8_t *rsp, size_t len)
{
    const struct serial_frame_cfg fc = { .frame_max = SERIAL_FRAME_MAX_DEFAULT,
                                         .split = SERIAL_SPLIT_ZEPHYR };
    size_t pos = 0;
    while (pos + SMP_HDR_SIZE <= len) {
        struct smp_hdr h;
        if (smp_hdr_decode(&h, rsp + pos, len - pos) != 0 || h.len > len - pos - SMP_HDR_SIZE) {
            break;
        }
        size_t msg = SMP_HDR_SIZE + h.len;
        struct serial_frame_enc e;
        if (serial_frame_enc_init(&e, rsp + pos, msg, &fc) != 0) {
            break;
        }
        int n;
        while ((n = serial_frame_enc_next(&e, u->frame, sizeof u->frame)) > 0) {
            int rc = u->cfg.port->output(u->cfg.port->ctx, u->frame, (size_t)n);
            if (rc < 0) {
                return rc;
            }
        }
        pos += msg;
    }
    return 0;
}
