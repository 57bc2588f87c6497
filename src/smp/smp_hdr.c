/* The 8-byte SMP header (Zephyr's smp_protocol.rst): byte 0 = (version << 3) | op, then
 * flags, length, group (big-endian), sequence number and command id. */
#include "dfukit/bytes.h"
#include "dfukit/err.h"
#include "dfukit/smp.h"

void smp_hdr_encode(uint8_t out[SMP_HDR_SIZE], const struct smp_hdr *h)
{
    out[0] = (uint8_t)(((h->version & 0x3u) << 3) | (h->op & 0x7u));
    out[1] = h->flags;
    store16_be(out + 2, h->len);
    store16_be(out + 4, h->group);
    out[6] = h->seq;
    out[7] = h->id;
}

int smp_hdr_decode(struct smp_hdr *out, const uint8_t *buf, size_t len)
{
    if (buf == NULL || len < SMP_HDR_SIZE) {
        return DFU_EBADMSG;
    }
    out->version = (uint8_t)((buf[0] >> 3) & 0x3u);
    out->op = (uint8_t)(buf[0] & 0x7u);
    out->flags = buf[1];
    out->len = load16_be(buf + 2);
    out->group = load16_be(buf + 4);
    out->seq = buf[6];
    out->id = buf[7];
    return 0;
}
