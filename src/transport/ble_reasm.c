/* BLE reassembly by the SMP header's length (Zephyr smp_reassembly.c): the first fragment
 * must hold the whole 8-byte header; later fragments are appended until the declared size is
 * reached. Any inconsistency drops the partial packet, as smp_bt does. */
#include "dfukit/ble_reasm.h"
#include "dfukit/bytes.h"
#include "dfukit/err.h"
#include "dfukit/smp.h"

void ble_reasm_init(struct ble_reasm *r, uint8_t *buf, size_t cap)
{
    r->buf = buf;
    r->cap = cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
    ble_reasm_reset(r);
}

void ble_reasm_reset(struct ble_reasm *r)
{
    r->got = 0;
    r->want = 0;
    r->pending = 0;
}

bool ble_reasm_busy(const struct ble_reasm *r)
{
    return r->want != 0;
}

int ble_reasm_push(struct ble_reasm *r, const uint8_t *frag, size_t n)
{
    r->pending = 0;
    if (n == 0) {
        ble_reasm_reset(r);
        return DFU_EBADMSG;
    }
    if (r->want == 0) {
        if (n < SMP_HDR_SIZE) {
            return DFU_EBADMSG;
        }
        uint32_t total = SMP_HDR_SIZE + (uint32_t)load16_be(frag + 2);
        if (total > r->cap || n > r->cap) {
            return DFU_ENOSPC;
        }
        if (n > total) {
            return DFU_EOVERFLOW;
        }
        r->want = total;
        r->got = 0;
    } else if (n > r->want - r->got) {
        ble_reasm_reset(r);
        return DFU_EOVERFLOW;
    }
    for (size_t i = 0; i < n; i++) {
        r->buf[r->got + i] = frag[i];
    }
    r->got += (uint32_t)n;
    if (r->got < r->want) {
        return 0;
    }
    r->pending = r->got;
    r->want = 0;
    r->got = 0;
    return (int)r->pending;
}
