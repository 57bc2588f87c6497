/* Serial frame encoder: packet -> 0x06 0x09 / 0x04 0x14 lines (Zephyr's smp_transport.rst).
 * The "raw" stream len16 || packet || crc16 is never built in memory; raw_byte() reads it
 * virtually, so the caller needs no buffer beyond the packet and one frame. */
#include "dfukit/err.h"
#include "dfukit/serial_frame.h"

static uint8_t raw_byte(const struct serial_frame_enc *e, uint32_t i)
{
    uint16_t field = (uint16_t)(e->pkt_len + 2);
    if (i < 2) {
        return i == 0 ? (uint8_t)(field >> 8) : (uint8_t)field;
    }
    if (i < 2 + e->pkt_len) {
        return e->pkt[i - 2];
    }
    return i == 2 + e->pkt_len ? (uint8_t)(e->crc >> 8) : (uint8_t)e->crc;
}

static uint32_t cfg_frame_max(const struct serial_frame_cfg *cfg)
{
    return (cfg == NULL || cfg->frame_max == 0) ? SERIAL_FRAME_MAX_DEFAULT : cfg->frame_max;
}

static int cfg_check(const struct serial_frame_cfg *cfg, size_t len)
{
    uint8_t split = cfg ? cfg->split : SERIAL_SPLIT_PLAIN;
    if (cfg_frame_max(cfg) < SERIAL_FRAME_MAX_MIN ||
        (split != SERIAL_SPLIT_PLAIN && split != SERIAL_SPLIT_ZEPHYR &&
         split != SERIAL_SPLIT_EVEN)) {
        return DFU_EINVAL;
    }
    if (len == 0 || len > SERIAL_PACKET_MAX) {
        return DFU_ERANGE;
    }
    return 0;
}

/* Everything but the packet bytes and CRC; cfg and len already checked. */
static void enc_setup(struct serial_frame_enc *e, size_t len, const struct serial_frame_cfg *cfg)
{
    e->pkt = NULL;
    e->pkt_len = (uint32_t)len;
    e->raw_len = (uint32_t)len + 4;
    e->raw_off = 0;
    /* Marker and newline are not encoded; 4 characters carry 3 bytes. */
    e->group_max = (cfg_frame_max(cfg) - 3) / 4 * 3;
    e->crc = 0;
    e->split = cfg ? cfg->split : SERIAL_SPLIT_PLAIN;
}

int serial_frame_enc_init(struct serial_frame_enc *e, const uint8_t *pkt, size_t len,
                          const struct serial_frame_cfg *cfg)
{
    int err = cfg_check(cfg, len);
    if (err) {
        return err;
    }
    enc_setup(e, len, cfg);
    e->pkt = pkt;
    e->crc = crc16_xmodem(0, pkt, len);
    return 0;
}

/* Raw bytes the next frame carries. */
static uint32_t frame_take(const struct serial_frame_enc *e)
{
    uint32_t left = e->raw_len - e->raw_off;
    if (left <= e->group_max) {
        return left;
    }
    if (e->split == SERIAL_SPLIT_EVEN) {
        uint32_t frames = (left + e->group_max - 1) / e->group_max;
        uint32_t groups = (left + 2) / 3;
        return (groups + frames - 1) / frames * 3;
    }
    /* Zephyr never lets the CRC straddle frames or travel alone: when one or both of its
     * bytes would spill over, the last data group moves to the next frame with it. */
    if (e->split == SERIAL_SPLIT_ZEPHYR && left - e->group_max <= 2) {
        return e->group_max - 3;
    }
    return e->group_max;
}

int serial_frame_enc_next(struct serial_frame_enc *e, uint8_t *out, size_t cap)
{
    if (e->raw_off >= e->raw_len) {
        return 0;
    }
    uint32_t take = frame_take(e);
    size_t frame_len = 2 + base64_encoded_len(take) + 1;
    if (frame_len > cap) {
        return DFU_ENOMEM;
    }
    bool first = e->raw_off == 0;
    out[0] = first ? SERIAL_FRAME_START_0 : SERIAL_FRAME_CONT_0;
    out[1] = first ? SERIAL_FRAME_START_1 : SERIAL_FRAME_CONT_1;
    size_t o = 2;
    for (uint32_t i = 0; i < take; i += 3) {
        uint8_t group[3];
        uint32_t n = take - i < 3 ? take - i : 3;
        for (uint32_t k = 0; k < n; k++) {
            group[k] = raw_byte(e, e->raw_off + i + k);
        }
        o += base64_encode((char *)out + o, group, n);
    }
    out[o++] = '\n';
    e->raw_off += take;
    return (int)o;
}

size_t serial_frame_encoded_size(size_t len, const struct serial_frame_cfg *cfg)
{
    struct serial_frame_enc e;
    if (cfg_check(cfg, len) != 0) {
        return 0;
    }
    enc_setup(&e, len, cfg);
    size_t total = 0;
    while (e.raw_off < e.raw_len) {
        uint32_t take = frame_take(&e);
        total += 3 + base64_encoded_len(take);
        e.raw_off += take;
    }
    return total;
}

int serial_frame_encode(uint8_t *out, size_t cap, const uint8_t *pkt, size_t len,
                        const struct serial_frame_cfg *cfg)
{
    struct serial_frame_enc e;
    int err = serial_frame_enc_init(&e, pkt, len, cfg);
    if (err) {
        return err;
    }
    size_t o = 0;
    int n;
    while ((n = serial_frame_enc_next(&e, out + o, cap - o)) > 0) {
        o += (size_t)n;
    }
    return n < 0 ? n : (int)o;
}
