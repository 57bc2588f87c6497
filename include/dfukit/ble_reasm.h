/* Reassembly of SMP packets split across BLE writes or notifications (Zephyr's smp_transport.rst).
 * There is no extra framing: the first fragment carries the 8-byte SMP header, whose length field
 * says how many bytes follow. Portable and heap-free; the buffer belongs to the caller. */
#ifndef DFUKIT_BLE_REASM_H
#define DFUKIT_BLE_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ble_reasm {
    uint8_t *buf;
    uint32_t cap;
    uint32_t got;       /* bytes of the packet in progress */
    uint32_t want;      /* header + declared length; 0 when idle */
    uint32_t pending;   /* length of a complete packet in buf, 0 if none */
};

void ble_reasm_init(struct ble_reasm *r, uint8_t *buf, size_t cap);
/* Drops a partial packet (the client disabled notifications or disconnected). */
void ble_reasm_reset(struct ble_reasm *r);
/* True while a packet is partly received. */
bool ble_reasm_busy(const struct ble_reasm *r);

/* Adds one fragment. Returns the packet length (> 0) when it completes the packet (the packet
 * is in buf until the next call), 0 when more fragments are expected, or an error, after
 * which the partial packet is dropped:
 *   DFU_EBADMSG   a first fragment shorter than the 8-byte header, or an empty fragment
 *   DFU_ENOSPC    the declared size (or the fragment) does not fit the buffer
 *                 (Zephyr answers ATT "value not allowed")
 *   DFU_EOVERFLOW the fragment carries more bytes than the header declared */
int ble_reasm_push(struct ble_reasm *r, const uint8_t *frag, size_t n);

#endif
