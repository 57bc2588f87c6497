/* Link emulation: a seeded PRNG so every injected fault is reproducible, serial bit errors,
 * UDP loss/duplication/reordering decisions, and UART pacing at baud/10 bytes per second. */
#include "dfukit/sim.h"

void sim_rng_seed(struct sim_rng *r, uint64_t seed)
{
    r->s = seed ? seed : 0x9e3779b97f4a7c15u;
}

/* xorshift64*: small, fast and good enough for fault schedules. */
uint32_t sim_rng_next(struct sim_rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return (uint32_t)((r->s * 0x2545f4914f6cdd1du) >> 32);
}

bool sim_rng_chance(struct sim_rng *r, double p)
{
    if (p <= 0.0) {
        return false;
    }
    if (p >= 1.0) {
        return true;
    }
    return (double)sim_rng_next(r) < p * 4294967296.0;
}

uint32_t sim_link_corrupt(struct sim_rng *r, double ber, uint8_t *buf, size_t len)
{
    uint32_t flips = 0;
    if (ber <= 0.0) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            if (sim_rng_chance(r, ber)) {
                buf[i] ^= (uint8_t)(1u << bit);
                flips++;
            }
        }
    }
    return flips;
}

enum sim_udp_fate sim_udp_fate_of(struct sim_rng *r, const struct sim_udp_faults *f)
{
    /* Always draw three numbers so one rate does not shift the schedule of the others. */
    bool drop = sim_rng_chance(r, f->drop);
    bool dup = sim_rng_chance(r, f->duplicate);
    bool hold = sim_rng_chance(r, f->reorder);
    if (drop) {
        return SIM_UDP_DROP;
    }
    if (dup) {
        return SIM_UDP_DUPLICATE;
    }
    return hold ? SIM_UDP_HOLD : SIM_UDP_DELIVER;
}

void sim_pacer_init(struct sim_pacer *p, uint32_t baud, bool enabled)
{
    p->byte_ns = enabled && baud ? 10000000000u / baud : 0;
    p->t_ns = 0;
    p->backlog = false;
}

size_t sim_pacer_take(struct sim_pacer *p, uint64_t now_us, size_t want)
{
    if (p->byte_ns == 0) {
        return want;
    }
    uint64_t now = now_us * 1000u;
    /* A line that had nothing to send does not bank time: after idle, one byte is ready
     * right away and the rest follow at the byte rate. */
    if (!p->backlog && p->t_ns + p->byte_ns < now) {
        p->t_ns = now - p->byte_ns;
    }
    uint64_t n = now > p->t_ns ? (now - p->t_ns) / p->byte_ns : 0;
    if (n > want) {
        n = want;
    }
    p->t_ns += n * p->byte_ns;
    p->backlog = n < want;
    return (size_t)n;
}

uint64_t sim_pacer_next_us(const struct sim_pacer *p, uint64_t now_us)
{
    if (p->byte_ns == 0) {
        return now_us;
    }
    uint64_t at = (p->t_ns + p->byte_ns + 999) / 1000;
    return at > now_us ? at : now_us;
}
