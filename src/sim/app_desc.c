/* The simulator app descriptor: how an application payload tells devsim to behave (normal,
 * crash, hang, self-confirm). Layout in sim.h and tools/devsim/README.md. */
#include <stdio.h>
#include <string.h>

#include "dfukit/bytes.h"
#include "dfukit/err.h"
#include "dfukit/sim.h"

#define CHECK_XOR 0x5a5aa5a5u

static const char *const behaviour_names[] = {
    [SIM_APP_NORMAL] = "normal",
    [SIM_APP_CRASH] = "crash",
    [SIM_APP_HANG] = "hang",
    [SIM_APP_SELF_CONFIRM] = "self-confirm",
};

int sim_app_behaviour_parse(const char *s, enum sim_app_behaviour *out)
{
    for (size_t i = 0; i < sizeof behaviour_names / sizeof behaviour_names[0]; i++) {
        if (strcmp(s, behaviour_names[i]) == 0) {
            *out = (enum sim_app_behaviour)i;
            return 0;
        }
    }
    return DFU_EINVAL;
}

const char *sim_app_behaviour_name(enum sim_app_behaviour b)
{
    return (unsigned)b < sizeof behaviour_names / sizeof behaviour_names[0] ? behaviour_names[b]
                                                                            : "?";
}

static uint32_t desc_check(const uint8_t *raw)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < 28; i++) {
        sum += raw[i];
    }
    return sum ^ CHECK_XOR;
}

void sim_app_desc_encode(uint8_t out[SIM_APP_DESC_SIZE], const struct sim_app_desc *d)
{
    memcpy(out, SIM_APP_MAGIC, 8);
    out[8] = SIM_APP_DESC_FORMAT;
    out[9] = (uint8_t)d->behaviour;
    store16_le(out + 10, SIM_APP_DESC_SIZE);
    store32_le(out + 12, d->fault_after_ms);
    out[16] = d->major;
    out[17] = d->minor;
    store16_le(out + 18, d->revision);
    store32_le(out + 20, d->build);
    store32_le(out + 24, d->payload_size);
    store32_le(out + 28, desc_check(out));
}

int sim_app_desc_decode(struct sim_app_desc *out, const uint8_t raw[SIM_APP_DESC_SIZE])
{
    if (memcmp(raw, SIM_APP_MAGIC, 8) != 0 || raw[8] != SIM_APP_DESC_FORMAT ||
        load16_le(raw + 10) != SIM_APP_DESC_SIZE || load32_le(raw + 28) != desc_check(raw) ||
        raw[9] > SIM_APP_SELF_CONFIRM) {
        return DFU_ENOENT;
    }
    out->behaviour = (enum sim_app_behaviour)raw[9];
    out->fault_after_ms = load32_le(raw + 12);
    out->major = raw[16];
    out->minor = raw[17];
    out->revision = load16_le(raw + 18);
    out->build = load32_le(raw + 20);
    out->payload_size = load32_le(raw + 24);
    return 0;
}

int sim_app_build(uint8_t *out, size_t size, struct sim_app_desc *d)
{
    if (size < SIM_APP_DESC_SIZE || size > UINT32_MAX) {
        return DFU_EINVAL;
    }
    d->payload_size = (uint32_t)size;
    sim_app_desc_encode(out, d);
    char banner[96];
    int n = snprintf(banner, sizeof banner, "devsim app %u.%u.%u+%u (%s)\n", d->major, d->minor,
                     d->revision, d->build, sim_app_behaviour_name(d->behaviour));
    size_t pos = SIM_APP_DESC_SIZE;
    size_t blen = n > 0 ? (size_t)n : 0;
    if (blen > size - pos) {
        blen = size - pos;
    }
    memcpy(out + pos, banner, blen);
    pos += blen;
    /* xorshift32 filler seeded from the descriptor: a different app always hashes differently. */
    uint32_t x = load32_le(out + 28) | 1u;
    for (; pos < size; pos++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out[pos] = (uint8_t)x;
    }
    return 0;
}

int sim_app_find(const struct flash_area *fa, uint32_t img_end, struct sim_app_desc *out)
{
    uint32_t end = img_end < SIM_APP_SCAN ? img_end : SIM_APP_SCAN;
    if (end > fa->size) {
        end = fa->size;
    }
    uint8_t buf[256 + SIM_APP_DESC_SIZE];
    /* Read overlapping windows so a descriptor straddling two reads is still seen. */
    for (uint32_t base = 0; base + SIM_APP_DESC_SIZE <= end; base += 256) {
        uint32_t len = end - base < sizeof buf ? end - base : (uint32_t)sizeof buf;
        int rc = flash_area_read(fa, base, buf, len);
        if (rc != 0) {
            return rc;
        }
        for (uint32_t i = 0; i + SIM_APP_DESC_SIZE <= len && i < 256; i += 4) {
            if (sim_app_desc_decode(out, buf + i) == 0) {
                return 0;
            }
        }
    }
    return DFU_ENOENT;
}
