/* The image upload engine (Zephyr's smp_group_1.rst): chunks sized to fill the device's net_buf, a
 * window of up to buf_count - 1 requests in flight matched by sequence number, resync from
 * the offset the device returns, resume by the file's SHA-256, a long budget for the first
 * reply (the device erases the slot first) and short timeouts after, with bounded retries.
 * A first chunk the link cannot carry is told from a slow one by a small request, and the
 * packet size falls back to the largest one that gets through. On a lossy link no loss waits
 * for a timeout where an answer reveals it: a lost request is resent as soon as the next
 * answer names its offset (fast retransmit), a lost answer is covered by the next one's
 * cumulative offset, and duplicated or overtaken packets are told apart by sequence number
 * and offset, so they cause no resend. On a link that drops a damaged request without a word
 * but keeps the order (serial), an overdue answer is asked about with an empty chunk (a probe)
 * rather than waited out: its answer comes after everything sent before it was handled and
 * names the offset the device expects. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chunk.h"
#include "dfukit/client.h"
#include "dfukit/crypto.h"
#include "dfukit/err.h"
#include "dfukit/smp_cbor.h"

#define UPLOAD_WINDOW_MAX 32
#define UPLOAD_FIRST_TIMEOUT_MS 60000
#define UPLOAD_TIMEOUT_MS 2500
#define UPLOAD_RETRIES 5
#define UPLOAD_RESTARTS_MAX 3
#define UPLOAD_RTO_MIN_MS 150
#define UPLOAD_GROW_AFTER 64
#define UPLOAD_GROW_AFTER_MAX 4096
#define UPLOAD_RETRIES_MAX 16
#define UPLOAD_EXTRA_MIN_MS 20
#define UPLOAD_REORDER_MIN_MS 5
#define UPLOAD_PROBE_MIN_MS 20

struct inflight {
    bool used;
    uint8_t seq;
    unsigned epoch;     /* resync generation it was sent in */
    size_t off, len;
    int64_t sent_ms;
    int64_t grace_ms;   /* opens a new flash page: the device may erase it first */
    bool behind_opener; /* sent while a page-opening request was unanswered */
    uint32_t order;     /* send order */
};

/* Why the upload went back to an offset it had sent already (for the resend counters). */
enum rewind { REWIND_OTHER, REWIND_GAP, REWIND_TIMEOUT };

struct upload {
    struct client_session *s;
    const struct client_upload_opts *o;
    struct client_upload_stats *st;
    uint8_t sha[32];
    size_t pkt_max;
    uint8_t *pkt;       /* CBOR payload scratch, pkt_max bytes */
    struct inflight fl[UPLOAD_WINDOW_MAX];
    unsigned window, nfl, epoch;
    uint32_t sent;      /* requests sent so far (send order) */
    size_t next, acked;
    size_t sent_end;    /* the furthest any chunk sent reached */
    enum rewind rewind; /* why next last went back, and to where */
    size_t rewind_off;
    size_t first_sent;  /* the most data any first chunk of this run carried */
    /* retransmission timeout from measured round trips (TCP's rule), so a request lost
     * while the device was busy costs a few round trips, not the full timeout */
    double srtt, rttvar;
    bool have_rtt;
    int rto, rto_max;
    /* congestion window (AIMD): a device whose input buffers overflow while it is busy
     * (serial line buffers) loses requests; halving on loss finds what it can take */
    double cwnd;
    unsigned clean;     /* answers in a row without a loss since the window last changed */
    unsigned grow_after; /* clean answers before the window grows by one */
    bool probing;       /* the window just grew: a loss now means the device cannot take it */
    /* serial: once the device has lost a request sent behind a chunk that opened a new flash
     * page (it stops taking input while it erases), nothing follows such a chunk until it is
     * answered. Until then the window runs across pages, as a device that keeps taking lines
     * during the erase (partial erase) would only be slowed down by the wait. Other losses
     * (a garbled line) shrink the window instead. */
    size_t page;
    bool erase_deaf;
    bool barrier;
    size_t suspect_page; /* the page of the last single loss behind an opener (0: none) */
    /* limited transmit (RFC 3042's idea): when no answer has come for two round trips, one
     * more chunk goes out beyond the window, up to the device's buffers. Its answer tells a
     * lost request (the device names the offset it waits for) or lost answers (its offset
     * covers them) long before the retransmission timeout. */
    bool extra;         /* that chunk is out; cleared by the next answer */
    /* a gap named while later requests of this generation are still unanswered: the missing
     * chunk may only have been overtaken on the way (reordering), so nothing is sent until
     * the next answer tells lost from late */
    bool holding;
    /* reordering (RACK's idea, RFC 8985): once the link has shown that it delivers a request
     * after the one behind it (the answer to a chunk taken for lost came after all), a gap
     * with nothing sent behind it waits a reordering window for the missing chunk's answer
     * before anything goes again; until then every such gap is a loss at once */
    int64_t min_rtt;
    bool reordering;
    bool late_valid;     /* the request at the last gap named: its number and end */
    uint8_t late_seq;
    size_t late_end;
    int64_t hold_until;  /* the reordering window ends */
    size_t hold_off;
    /* probe (probe_overdue links): an empty chunk at acked, one at a time. The device handles
     * requests in order and answers any chunk with the offset it expects, so the probe's
     * answer settles every request sent before it: what ends at or before that offset was
     * taken, the rest is lost. A probe behind a slow erase costs its few bytes, no resend,
     * so it goes out long before the retransmission timeout. */
    bool probe_ok;       /* the link drops silently, and the device took the empty chunks */
    bool probe_out;
    uint8_t probe_seq;
    uint32_t probe_order; /* requests of a lower send order went before it */
    unsigned probe_epoch;
    size_t probe_next;   /* where the upload stood when it went */
    int64_t probe_ms;    /* when the last one went */
};

static void on_loss(struct upload *u)
{
    /* never below two while the device takes two: with a request behind each one, a lost
     * request shows in the next answer instead of costing a timeout */
    double floor = u->window >= 2 ? 2 : 1;
    u->cwnd = u->cwnd / 2 < floor ? floor : u->cwnd / 2;
    u->clean = 0;
    if (u->probing && u->grow_after < UPLOAD_GROW_AFTER_MAX) {
        u->grow_after *= 2; /* that size failed again: try it less often */
    }
    u->probing = false;
}

static void rtt_sample(struct upload *u, int64_t sample)
{
    double r = (double)sample;
    if (!u->have_rtt || sample < u->min_rtt) {
        u->min_rtt = sample;
    }
    if (!u->have_rtt) {
        u->srtt = r;
        u->rttvar = r / 2;
        u->have_rtt = true;
    } else {
        double d = r > u->srtt ? r - u->srtt : u->srtt - r;
        u->rttvar = 0.75 * u->rttvar + 0.25 * d;
        u->srtt = 0.875 * u->srtt + 0.125 * r;
    }
    double rto = u->srtt + 4 * u->rttvar;
    int lo = u->s->xp.rto_min_ms > UPLOAD_RTO_MIN_MS ? u->s->xp.rto_min_ms : UPLOAD_RTO_MIN_MS;
    lo = lo > u->rto_max ? u->rto_max : lo;
    u->rto = rto < lo ? lo : rto > u->rto_max ? u->rto_max : (int)rto;
}

/* Does the chunk [off, off + len) reach into a flash page the upload has not written yet? */
static bool opens_page(const struct upload *u, size_t off, size_t len)
{
    return u->page && off > 0 && (off + len - 1) / u->page != (off - 1) / u->page;
}

/* Data bytes of the chunk at off at the current packet size. */
static size_t chunk_len(const struct upload *u, size_t off)
{
    const struct client_upload_opts *o = u->o;
    size_t d = client_upload_chunk_fit(u->pkt_max, off, o->len, o->image, o->upgrade);
    return o->chunk_max && d > o->chunk_max ? o->chunk_max : d;
}

/* Counts a chunk sent at off as a resend, by the reason the upload went back there. */
static void count_resend(struct upload *u, size_t off, size_t len)
{
    struct client_upload_stats *st = u->st;
    if (off < u->sent_end) {
        if (u->rewind == REWIND_GAP) {
            *(off == u->rewind_off ? &st->resent_gap : &st->resent_behind) += 1;
        } else {
            *(u->rewind == REWIND_TIMEOUT ? &st->resent_timeout : &st->resent_other) += 1;
        }
    }
    if (off + len > u->sent_end) {
        u->sent_end = off + len;
    }
}

/* Encodes and sends an upload request with d data bytes at off; returns its sequence number
 * or a negative error. */
static int send_upload(struct upload *u, size_t off, size_t d)
{
    const struct client_upload_opts *o = u->o;
    bool first = off == 0;
    size_t pairs = 2 + (o->image ? 1 : 0) + (first ? 2 + (o->upgrade ? 1 : 0) : 0);
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, u->pkt, u->pkt_max - SMP_HDR_SIZE);
    bool ok = smp_cbor_put_map(&e, pairs);
    if (o->image) {
        ok = ok && smp_cbor_put_kv_uint(&e, "image", o->image);
    }
    if (first) {
        ok = ok && smp_cbor_put_kv_uint(&e, "len", o->len) &&
             smp_cbor_put_kv_bstr(&e, "sha", u->sha, sizeof(u->sha));
    }
    ok = ok && smp_cbor_put_kv_uint(&e, "off", off) &&
         smp_cbor_put_kv_bstr(&e, "data", o->data + off, d);
    if (first && o->upgrade) {
        ok = ok && smp_cbor_put_kv_bool(&e, "upgrade", true);
    }
    int err = smp_cbor_enc_error(&e);
    if (!ok || err) {
        return err ? err : DFU_ENOSPC;
    }
    return client_send(u->s, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ID_UPLOAD, u->pkt, e.len);
}

/* Encodes and sends the chunk at off; returns its data length or a negative error. */
static int send_chunk(struct upload *u, size_t off)
{
    size_t d = chunk_len(u, off);
    if (d == 0) {
        return DFU_ENOSPC; /* the device's buffer cannot hold even one byte of data */
    }
    int seq = send_upload(u, off, d);
    if (seq < 0) {
        return seq;
    }
    bool behind = false;
    for (unsigned i = 0; i < UPLOAD_WINDOW_MAX; i++) {
        behind = behind || (u->fl[i].used && opens_page(u, u->fl[i].off, u->fl[i].len));
    }
    for (unsigned i = 0; i < UPLOAD_WINDOW_MAX; i++) {
        if (!u->fl[i].used) {
            u->fl[i] = (struct inflight){true, (uint8_t)seq, u->epoch, off, d, client_now_ms(), 0, behind,
                                         u->sent++};
            /* an erase delays its answer (and those of the requests behind it) by about a
             * round trip: one more timeout's worth before calling anything lost */
            if (opens_page(u, off, d)) {
                u->fl[i].grace_ms = u->rto;
            }
            u->nfl++;
            break;
        }
    }
    u->st->requests++;
    count_resend(u, off, (size_t)d);
    if (d > u->st->chunk_data) {
        u->st->chunk_data = d;
    }
    return (int)d;
}

static void drop_inflight(struct upload *u)
{
    memset(u->fl, 0, sizeof(u->fl));
    u->nfl = 0;
}

static struct inflight *find_inflight(struct upload *u, uint8_t seq)
{
    for (unsigned i = 0; i < UPLOAD_WINDOW_MAX; i++) {
        if (u->fl[i].used && u->fl[i].seq == seq) {
            return &u->fl[i];
        }
    }
    return NULL;
}

/* How many requests may be in flight now: the congestion window, one more for limited
 * transmit, and one more while a page-opening chunk waits for its answer on a device that
 * keeps taking lines while it erases (partial erase): its answer comes only after the erase,
 * and without that one the line would stand idle meanwhile. A device that loses input while
 * it erases gets nothing behind an opener instead (the page barrier). */
static unsigned send_limit(const struct upload *u)
{
    unsigned n = (unsigned)u->cwnd + (u->extra ? 1u : 0u);
    for (unsigned i = 0; i < UPLOAD_WINDOW_MAX && !u->erase_deaf; i++) {
        if (u->fl[i].used && opens_page(u, u->fl[i].off, u->fl[i].len)) {
            n++;
            break;
        }
    }
    return n < u->window ? n : u->window;
}

/* The oldest request's send time (now when none is in flight, so a wait stays bounded), plus
 * with grace the erase grace while a page-opening request is in flight (those behind it wait
 * too). */
static int64_t oldest_sent(const struct upload *u, bool with_grace)
{
    int64_t t = client_now_ms(), grace = 0;
    for (unsigned i = 0; i < UPLOAD_WINDOW_MAX; i++) {
        if (u->fl[i].used && u->fl[i].sent_ms < t) {
            t = u->fl[i].sent_ms;
        }
        if (u->fl[i].used && u->fl[i].grace_ms > grace) {
            grace = u->fl[i].grace_ms;
        }
    }
    return with_grace ? t + grace : t;
}

/* How long limited transmit waits after the newest request for an answer: two round trips,
 * and never so little that a scheduling hiccup passes for a loss. */
static int64_t extra_wait(const struct upload *u)
{
    int64_t w = 2 * (int64_t)u->srtt + 1;
    return w < UPLOAD_EXTRA_MIN_MS ? UPLOAD_EXTRA_MIN_MS : w;
}

/* How long a gap waits for a reordered chunk: two of the quickest round trips (the late chunk
 * is taken right after the one that overtook it). */
static int64_t reorder_wait(const struct upload *u)
{
    int64_t w = 2 * u->min_rtt;
    return w < UPLOAD_REORDER_MIN_MS ? UPLOAD_REORDER_MIN_MS : w;
}

/* The newest request's send time (now when none is in flight). */
static int64_t last_sent(const struct upload *u)
{
    int64_t t = 0;
    for (unsigned i = 0; i < UPLOAD_WINDOW_MAX; i++) {
        if (u->fl[i].used && u->fl[i].sent_ms > t) {
            t = u->fl[i].sent_ms;
        }
    }
    return t ? t : client_now_ms();
}

/* When the next probe is due, in ms from now (-1: none may go now). The answers come in order,
 * so all are overdue once the oldest request's is: a round trip and two deviations after it
 * was sent (or after the last probe), ahead of the retransmission timeout's four and its
 * erase grace. */
static int64_t probe_due(const struct upload *u, int64_t now)
{
    if (!u->probe_ok || u->probe_out || !u->have_rtt || u->nfl == 0 || u->acked == 0 ||
        u->nfl >= u->s->buf_count || u->barrier) {
        /* never at off 0 (a new upload), into a full set of device buffers, or behind a page
         * opener on a device deaf while it erases (it would lose the probe) */
        return -1;
    }
    int64_t w = (int64_t)(u->srtt + 2 * u->rttvar) + 1;
    int64_t oldest = oldest_sent(u, false);
    int64_t from = oldest > u->probe_ms ? oldest : u->probe_ms;
    int64_t at = from + (w < UPLOAD_PROBE_MIN_MS ? UPLOAD_PROBE_MIN_MS : w) - now;
    return at > 0 ? at : 0;
}

/* Sends a probe: an empty chunk at the last confirmed offset. */
static int send_probe(struct upload *u)
{
    int seq = send_upload(u, u->acked, 0);
    if (seq < 0) {
        return seq;
    }
    u->probe_out = true;
    u->probe_seq = (uint8_t)seq;
    u->probe_order = u->sent;
    u->probe_epoch = u->epoch;
    u->probe_next = u->next;
    u->probe_ms = client_now_ms();
    u->st->probes++;
    return 0;
}

/* One size the first chunk was sent at. */
struct first_try {
    uint8_t seq;
    size_t packet;
};

/* Accepts the answer to one of the first-chunk tries: it tells where a resumed upload stands,
 * and the size that try was sent at works. */
static int first_answer(struct upload *u, const struct first_try *t, struct client_rsp *rsp,
                        struct client_deverr *err)
{
    uint64_t off;
    if (client_rsp_failed(rsp)) {
        *err = rsp->err;
        return CLIENT_EDEVICE;
    }
    if (!client_get_uint(rsp->root, "off", &off) || off > u->o->len) {
        return DFU_EBADMSG;
    }
    u->acked = u->next = (size_t)off;
    /* more than any first chunk of this run carried: the device held part of the file
     * already. An offset at or below that is this run's own (a serial recovery rounds it down to its write
     * alignment: 948 for 951), not a resume. */
    if (off > u->first_sent) {
        u->st->resumed_from = (size_t)off;
    }
    u->pkt_max = t->packet;
    if (u->st->packet_unanswered <= t->packet) {
        u->st->packet_unanswered = 0; /* a late answer: that size worked after all */
    }
    bool match;
    if (off == u->o->len && client_get_bool(rsp->root, "match", &match)) {
        u->st->match_reported = true;
        u->st->match = match;
    }
    return 0;
}

/* Sends the first chunk again at size (the device answers it as a resume by our SHA-256,
 * writing nothing) with a small request right behind it. The device answers in order, so the
 * small request's answer coming first means the chunk was lost. *verdict: 1 works, -1 lost,
 * 0 nothing came back within the timeout. */
static int try_size(struct upload *u, size_t size, int *verdict, struct client_deverr *err)
{
    *verdict = 0;
    u->pkt_max = size;
    drop_inflight(u);
    int n = send_chunk(u, 0);
    if (n < 0) {
        return n;
    }
    struct first_try t = {u->fl[0].seq, size};
    u->first_sent = (size_t)n > u->first_sent ? (size_t)n : u->first_sent;
    drop_inflight(u);
    int probe = client_send(u->s, SMP_OP_READ, SMP_GROUP_OS, OS_ID_MCUMGR_PARAMS, SMP_EMPTY_MAP,
                            SMP_EMPTY_MAP_LEN);
    if (probe < 0) {
        return probe;
    }
    int64_t deadline = client_now_ms() + u->rto_max;
    while (*verdict == 0) {
        int64_t left = deadline - client_now_ms();
        struct client_rsp rsp;
        int e = left > 0 ? client_recv(u->s, &rsp, (int)left) : DFU_ETIMEDOUT;
        if (e == DFU_EBADMSG) {
            continue;
        }
        if (e == DFU_ETIMEDOUT) {
            return 0;
        }
        if (e) {
            return e;
        }
        if (rsp.hdr.seq == t.seq && rsp.hdr.group == SMP_GROUP_IMAGE &&
            rsp.hdr.id == IMG_ID_UPLOAD) {
            int rc = first_answer(u, &t, &rsp, err);
            client_rsp_free(&rsp);
            if (rc) {
                return rc;
            }
            *verdict = 1;
        } else {
            *verdict = rsp.hdr.seq == (uint8_t)probe && rsp.hdr.group == SMP_GROUP_OS &&
                       rsp.hdr.id == OS_ID_MCUMGR_PARAMS ? -1 : 0;
            client_rsp_free(&rsp);
        }
    }
    return 0;
}

/* After the fallback found a size that works (lo) below one that got no reply (hi). First
 * hi itself once more: a chunk lost for another reason (a line dropped while the device
 * erased for someone else) says nothing about its size. Then a binary search for the largest
 * working size. The erase is behind us, so no step waits for a timeout unless the device
 * stops answering, which ends the search at the size known to work. */
static int refine_packet(struct upload *u, size_t lo, size_t hi, struct client_deverr *err)
{
    int verdict;
    int rc = u->acked < u->o->len ? try_size(u, hi, &verdict, err) : 0;
    if (rc || (u->acked < u->o->len && verdict > 0)) {
        return rc; /* hi works after all: no fallback (first_answer cleared the record) */
    }
    if (u->acked < u->o->len && verdict == 0) {
        hi = lo + 1; /* no answer at all: keep what is known to work */
    }
    while (hi - lo > 1 && u->acked < u->o->len) {
        size_t mid = lo + (hi - lo) / 2;
        if ((rc = try_size(u, mid, &verdict, err))) {
            return rc;
        }
        if (verdict == 0) {
            break;
        }
        if (verdict > 0) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    u->pkt_max = lo;
    u->st->packet_unanswered = hi;
    return 0;
}

/* The first chunk, alone on the link until it is answered. A device that erases the slot
 * first answers late, one whose link cannot carry the packet never: when timeout_ms passes
 * without a reply, a small request (mcumgr params) asks which. Answered: the chunk was lost,
 * so it goes again at half the packet size. Not answered: the device is busy, and the chunk
 * gets the whole first-reply budget. Each try is remembered, so a late answer to a larger
 * one still counts (that size worked after all). */
static int first_chunk(struct upload *u, struct client_deverr *err)
{
    int budget = u->o->first_timeout_ms > 0 ? u->o->first_timeout_ms : UPLOAD_FIRST_TIMEOUT_MS;
    int wait = u->rto_max;
    int retries = u->o->retries > 0 ? u->o->retries : UPLOAD_RETRIES;
    struct first_try tried[UPLOAD_RETRIES_MAX + 1];
    unsigned ntried = 0;
    unsigned tries = (unsigned)retries + 1 > UPLOAD_RETRIES_MAX + 1 ? UPLOAD_RETRIES_MAX + 1
                                                                    : (unsigned)retries + 1;
    for (;;) {
        drop_inflight(u);
        int n = send_chunk(u, 0);
        if (n < 0) {
            return n;
        }
        tried[ntried++] = (struct first_try){u->fl[0].seq, u->pkt_max};
        u->first_sent = (size_t)n > u->first_sent ? (size_t)n : u->first_sent;
        drop_inflight(u); /* answers are matched against tried[] here */
        if (ntried > 1) {
            u->st->retransmits++;
        }
        int64_t sent = client_now_ms();
        int64_t deadline = sent + wait;
        int probe = -1;
        bool lost = false;
        while (!lost) {
            int64_t left = deadline - client_now_ms();
            struct client_rsp rsp;
            int e = left > 0 ? client_recv(u->s, &rsp, (int)left) : DFU_ETIMEDOUT;
            if (e == DFU_EBADMSG) {
                continue;
            }
            if (e == DFU_ETIMEDOUT) {
                if (probe >= 0) {
                    u->st->device_silent = true; /* not even the small request came back */
                    return DFU_ETIMEDOUT;
                }
                probe = client_send(u->s, SMP_OP_READ, SMP_GROUP_OS, OS_ID_MCUMGR_PARAMS, SMP_EMPTY_MAP,
                                    SMP_EMPTY_MAP_LEN);
                if (probe < 0) {
                    return probe;
                }
                int64_t busy_until = sent + budget, probe_until = client_now_ms() + wait;
                deadline = busy_until > probe_until ? busy_until : probe_until;
                continue;
            }
            if (e) {
                return e;
            }
            const struct first_try *t = NULL;
            for (unsigned i = 0; i < ntried && rsp.hdr.group == SMP_GROUP_IMAGE &&
                                 rsp.hdr.id == IMG_ID_UPLOAD; i++) {
                t = rsp.hdr.seq == tried[i].seq ? &tried[i] : t;
            }
            if (t) {
                int rc = first_answer(u, t, &rsp, err);
                client_rsp_free(&rsp);
                size_t hi = u->st->packet_unanswered;
                if (rc == 0 && hi > t->packet + 1) {
                    rc = refine_packet(u, t->packet, hi, err);
                }
                return rc;
            }
            lost = probe >= 0 && rsp.hdr.seq == (uint8_t)probe && rsp.hdr.group == SMP_GROUP_OS &&
                   rsp.hdr.id == OS_ID_MCUMGR_PARAMS;
            client_rsp_free(&rsp);
        }
        /* the device answers small requests but not this chunk: it cannot take the packet */
        u->st->packet_unanswered = u->pkt_max;
        if (ntried >= tries || u->pkt_max <= CLIENT_UPLOAD_PACKET_MIN) {
            return DFU_ETIMEDOUT;
        }
        u->pkt_max = u->pkt_max / 2 < CLIENT_UPLOAD_PACKET_MIN ? CLIENT_UPLOAD_PACKET_MIN
                                                                : u->pkt_max / 2;
    }
}

/* Was the request at off (the one the device still expects) sent behind a page opener? */
static bool lost_behind_opener(const struct inflight *fl, unsigned n, unsigned epoch, size_t off)
{
    for (unsigned i = 0; i < n; i++) {
        if (fl[i].used && fl[i].epoch == epoch && fl[i].off == off && fl[i].behind_opener) {
            return true;
        }
    }
    return false;
}

/* Is a request of this resync generation that starts at off still in flight? */
static bool awaited(const struct upload *u, size_t off)
{
    for (unsigned i = 0; i < UPLOAD_WINDOW_MAX; i++) {
        if (u->fl[i].used && u->fl[i].epoch == u->epoch && u->fl[i].off == off) {
            return true;
        }
    }
    return false;
}

/* Is a request of this resync generation sent after the one of that send order unanswered? */
static bool sent_after(const struct upload *u, uint32_t order)
{
    for (unsigned i = 0; i < UPLOAD_WINDOW_MAX; i++) {
        if (u->fl[i].used && u->fl[i].epoch == u->epoch && u->fl[i].order > order) {
            return true;
        }
    }
    return false;
}

/* Goes on from off, the offset the device expects (everything sent after the gap is dropped by
 * the device). gap: a chunk before the answered one went missing, a loss; otherwise the device
 * was ahead of a needless repeat. */
static void resync(struct upload *u, size_t off, bool gap, const struct inflight *lost,
                   unsigned nlost)
{
    bool behind = lost_behind_opener(u->fl, UPLOAD_WINDOW_MAX, u->epoch, off) ||
                  lost_behind_opener(lost, nlost, u->epoch, off);
    /* A device deaf while it erases loses every request that arrives meanwhile; a damaged line
     * loses one, and the request right behind it names the gap. So one request lost behind a
     * page opener is an erase only when it happens again at the next page. */
    unsigned gone = 0;
    for (unsigned i = 0; i < nlost; i++) {
        gone += lost[i].epoch == u->epoch && lost[i].behind_opener;
    }
    size_t at = u->page ? off / u->page : 0;
    bool erase = behind && (gone >= 2 || (u->suspect_page && at == u->suspect_page + 1));
    if (gap && behind && !erase) {
        u->suspect_page = at;
    }
    u->holding = false;
    u->hold_until = 0;
    u->epoch++;
    u->st->resyncs++;
    u->next = off;
    u->rewind = gap ? REWIND_GAP : REWIND_OTHER;
    u->rewind_off = off;
    if (gap && erase) {
        u->erase_deaf = true;
    } else if (gap) {
        on_loss(u);
    }
}

/* The device confirmed everything before off. */
static void advance(struct upload *u, const struct client_rsp *rsp, uint64_t off, int *stalls)
{
    if (off > u->acked) {
        u->acked = (size_t)off;
        *stalls = 0;
        if (u->o->progress) {
            u->o->progress(u->o->progress_arg, u->acked, u->o->len);
        }
    }
    bool match;
    if (off == u->o->len && client_get_bool(rsp->root, "match", &match)) {
        u->st->match_reported = true;
        u->st->match = match;
    }
}

/* The answer to the chunk a gap was named at, after all: the link reordered it, and the device
 * took it and dropped the chunk that overtook it. While the upload holds for it, it goes on
 * from the device's offset without counting a loss. */
static void on_late(struct upload *u, const struct client_rsp *rsp, int *stalls)
{
    uint64_t off;
    u->late_valid = false;
    if (client_rsp_failed(rsp) || !client_get_uint(rsp->root, "off", &off) ||
        off < u->late_end || off > u->o->len) {
        return;
    }
    u->reordering = true;
    if (u->holding) {
        resync(u, (size_t)off, false, NULL, 0);
        advance(u, rsp, off, stalls);
    }
}

/* The probe's answer: every request sent before it was handled. What ends at or before the
 * device's offset was taken (its answer was lost), the rest is gone, and when that left a gap
 * in this resync generation the upload goes on from the device's offset at once. A device
 * that refuses the empty chunk gets no more of them. */
static void on_probe(struct upload *u, const struct client_rsp *rsp, int *stalls)
{
    uint64_t off;
    u->probe_out = false;
    if (client_rsp_failed(rsp) || !client_get_uint(rsp->root, "off", &off) || off > u->o->len ||
        (off == 0 && u->acked > 0)) {
        u->probe_ok = false; /* not understood, or the upload is gone: the chunks will tell */
        return;
    }
    for (unsigned i = 0; i < UPLOAD_WINDOW_MAX; i++) {
        struct inflight *f = &u->fl[i];
        if (f->used && f->order < u->probe_order) {
            f->used = false;
            u->nfl--;
        }
    }
    if (u->barrier && u->nfl == 0) {
        u->barrier = false;
    }
    advance(u, rsp, off, stalls);
    if (u->probe_epoch == u->epoch && off < u->probe_next) {
        /* a damaged line, not an erase: a device deaf while it erases shows that by the
         * answers behind its page openers, and nothing of those is known here */
        resync(u, (size_t)off, true, NULL, 0);
    }
    if (u->next < u->acked) {
        u->next = u->acked;
    }
}

/* Handles one response of the pipelined phase. */
static int on_response(struct upload *u, struct client_rsp *rsp, struct client_deverr *err,
                       unsigned *restarts, int *stalls)
{
    if (rsp->hdr.group != SMP_GROUP_IMAGE || rsp->hdr.id != IMG_ID_UPLOAD) {
        return 0;
    }
    if (u->probe_out && rsp->hdr.seq == u->probe_seq) {
        on_probe(u, rsp, stalls);
        return 0;
    }
    struct inflight *f = find_inflight(u, rsp->hdr.seq);
    if (!f && u->late_valid && rsp->hdr.seq == u->late_seq) {
        on_late(u, rsp, stalls);
    }
    if (!f) {
        return 0; /* a late or duplicated answer to something we gave up on */
    }
    struct inflight req = *f;
    f->used = false;
    u->nfl--;
    if (u->probe_out && req.order >= u->probe_order) {
        u->probe_out = false; /* answered in order, the probe would have come first: it was lost */
    }
    /* What was sent before it and is still unanswered no longer holds a place in the window
     * nor a timeout: the device answers in the order it takes requests and its offsets are
     * cumulative, so a late answer would say nothing this one does not (and a request still on
     * its way is judged by the answers after it). On an ordered link those requests are lost
     * (kept for the erase check below). */
    struct inflight older[UPLOAD_WINDOW_MAX];
    unsigned nolder = 0;
    for (unsigned i = 0; i < UPLOAD_WINDOW_MAX; i++) {
        if (u->fl[i].used && u->fl[i].order < req.order) {
            older[nolder++] = u->fl[i];
            u->fl[i].used = false;
            u->nfl--;
        }
    }
    bool ordered = u->s->xp.ordered;
    unsigned nlost = ordered ? nolder : 0;
    const struct inflight *lost = older;
    if (client_rsp_failed(rsp)) {
        *err = rsp->err;
        return CLIENT_EDEVICE;
    }
    uint64_t off;
    if (!client_get_uint(rsp->root, "off", &off) || off > u->o->len) {
        return DFU_EBADMSG;
    }
    if (off == 0 && u->acked > 0) {
        /* the device lost the upload (reboot, another client): start over with len and sha */
        if (++*restarts > UPLOAD_RESTARTS_MAX) {
            return DFU_EIO;
        }
        drop_inflight(u);
        u->epoch++;
        u->acked = u->next = 0;
        u->rewind = REWIND_OTHER;
        u->holding = false;
        u->probe_out = false;
        return 1; /* caller runs the first-chunk step again */
    }
    if (req.epoch == u->epoch && off == req.off + req.len) {
        rtt_sample(u, client_now_ms() - req.sent_ms);
        /* grow slowly: a window the device could not take is tried again only after a long
         * clean run, so a device that overflows at window 2 mostly runs at 1 */
        if (++u->clean >= u->grow_after) {
            u->probing = false; /* the last growth held */
            if (u->cwnd < u->window) {
                u->cwnd += 1;
                u->clean = 0;
                u->probing = true;
            }
        }
    }
    /* the offset covers whatever ends at or before it: a lost answer costs nothing */
    for (unsigned i = 0; i < UPLOAD_WINDOW_MAX; i++) {
        if (u->fl[i].used && u->fl[i].off + u->fl[i].len <= off) {
            u->fl[i].used = false;
            u->nfl--;
        }
    }
    if (u->barrier && u->nfl == 0) {
        u->barrier = false;
    }
    advance(u, rsp, off, stalls);
    if (req.epoch == u->epoch && off != req.off + req.len && off < u->next &&
        (off < req.off || !awaited(u, (size_t)off))) {
        /* The device expects off, which nothing in flight will bring (fast retransmit): a
         * chunk before this one went missing, and the device drops everything sent after it,
         * so the upload goes on from there at once. Only answers to this resync generation
         * count: the others still in flight were sent behind the gap and say the same. A
         * device ahead of this request (it was a needless repeat) is followed without
         * counting a loss. */
        bool gap = off <= req.off;
        const struct inflight *missing = NULL;
        for (unsigned i = 0; gap && !ordered && i < nolder; i++) {
            missing = older[i].epoch == u->epoch && older[i].off == off ? &older[i] : missing;
        }
        /* on a link that reorders, the missing chunk may be late, not lost: the next answer
         * tells (it names the same offset, or the one after the late chunk), or with nothing
         * sent behind, the late chunk's own answer within the reordering window */
        if (gap && !u->holding && !ordered &&
            (sent_after(u, req.order) || (missing && u->reordering))) {
            /* bounded: a next answer that was lost too tells nothing */
            u->holding = true;
            u->hold_until = client_now_ms() + reorder_wait(u);
            u->hold_off = (size_t)off;
        } else {
            resync(u, (size_t)off, gap, lost, nlost);
        }
        if (missing) {
            u->late_valid = true;
            u->late_seq = missing->seq;
            u->late_end = missing->off + missing->len;
        }
    }
    if (u->next < u->acked) {
        u->next = u->acked;
    }
    if (off > req.off + req.len) {
        u->st->needless++; /* the device held this chunk already */
    }
    return 0;
}

int client_image_upload(struct client_session *s, const struct client_upload_opts *o,
                        struct client_upload_stats *st, struct client_deverr *err)
{
    struct client_upload_stats dummy;
    struct client_deverr derr;
    if (!st) {
        st = &dummy;
    }
    if (!err) {
        err = &derr;
    }
    memset(st, 0, sizeof(*st));
    memset(err, 0, sizeof(*err));
    if (!o->data || o->len == 0 || o->len > 0xffffffffu) {
        return DFU_EINVAL;
    }
    int rc = client_read_params(s);
    if (rc) {
        return rc;
    }
    struct upload u;
    memset(&u, 0, sizeof(u));
    u.s = s;
    u.o = o;
    u.st = st;
    u.pkt_max = client_max_packet(s);
    if (o->max_packet && o->max_packet < u.pkt_max) {
        u.pkt_max = o->max_packet < CLIENT_UPLOAD_PACKET_MIN ? CLIENT_UPLOAD_PACKET_MIN
                                                             : o->max_packet;
    }
    unsigned window = o->window;
    if (window == 0) {
        window = s->buf_count > 1 ? s->buf_count - 1 : 1;
        window += s->xp.link_queue;
    }
    u.window = window > UPLOAD_WINDOW_MAX ? UPLOAD_WINDOW_MAX : window;
    st->window = u.window;
    u.cwnd = u.window;
    u.grow_after = UPLOAD_GROW_AFTER;
    u.page = s->xp.page_barrier;
    u.probe_ok = s->xp.probe_overdue && s->xp.ordered;
    rc = crypto_hash(CRYPTO_SHA256, o->data, o->len, u.sha);
    if (rc) {
        return rc;
    }
    u.pkt = malloc(u.pkt_max);
    if (!u.pkt) {
        return DFU_ENOMEM;
    }
    u.rto = u.rto_max = o->timeout_ms > 0 ? o->timeout_ms : UPLOAD_TIMEOUT_MS;
    int retries = o->retries > 0 ? o->retries : UPLOAD_RETRIES;
    unsigned restarts = 0;
    int stalls = 0;
    rc = first_chunk(&u, err);
    st->packet = u.pkt_max;
    st->chunk_data = chunk_len(&u, 0); /* not the sizes the fallback gave up on */
    if (!rc && st->resumed_from && o->resumed) {
        o->resumed(o->progress_arg, st->resumed_from, o->len);
    }
    if (!rc && o->progress) {
        o->progress(o->progress_arg, u.acked, o->len);
    }
    while (!rc && u.acked < o->len) {
        /* an unanswered probe holds one of the device's buffers */
        while (!u.barrier && !u.holding && u.nfl < send_limit(&u) && u.next < o->len &&
               !(u.probe_out && u.nfl + 1 >= s->buf_count)) {
            int n = send_chunk(&u, u.next);
            if (n < 0) {
                rc = n;
                break;
            }
            u.barrier = u.erase_deaf && opens_page(&u, u.next, (size_t)n);
            u.next += (size_t)n;
        }
        if (rc) {
            break;
        }
        int64_t now = client_now_ms(), left = oldest_sent(&u, true) + u.rto - now;
        if (u.holding && u.hold_until && u.hold_until <= now) {
            /* no late answer: the chunk was lost */
            resync(&u, u.hold_off > u.acked ? u.hold_off : u.acked, true, NULL, 0);
            continue;
        }
        int64_t extra_at = u.have_rtt && !u.extra && !u.barrier && u.nfl > 0 && u.nfl < u.window &&
                                   u.next < o->len
                               ? last_sent(&u) + extra_wait(&u) - now
                               : left;
        int64_t hold_at = u.holding && u.hold_until ? u.hold_until - now : left;
        int64_t probe_at = probe_due(&u, now);
        probe_at = probe_at < 0 ? left : probe_at;
        int64_t wake = extra_at < left ? extra_at : left;
        wake = hold_at < wake ? hold_at : wake;
        wake = probe_at < wake ? probe_at : wake;
        struct client_rsp rsp;
        int e = wake > 0 ? client_recv(s, &rsp, (int)wake) : DFU_ETIMEDOUT;
        if (e == DFU_EBADMSG) {
            continue;
        }
        if (e == DFU_ETIMEDOUT && hold_at == wake && hold_at < left) {
            continue; /* the reordering window is over (handled above) */
        }
        if (e == DFU_ETIMEDOUT && probe_at < left) {
            rc = send_probe(&u);
            continue;
        }
        if (e == DFU_ETIMEDOUT && extra_at < left) {
            u.extra = true; /* the loop sends it */
            continue;
        }
        if (e == DFU_ETIMEDOUT) {
            /* give up on everything in flight and go on from what the device confirmed */
            if (++stalls > retries) {
                rc = DFU_ETIMEDOUT;
                break;
            }
            drop_inflight(&u);
            u.epoch++;
            u.next = u.acked;
            u.rewind = REWIND_TIMEOUT;
            u.holding = false;
            u.probe_out = false;
            st->retransmits++;
            u.rto = u.rto * 2 > u.rto_max ? u.rto_max : u.rto * 2; /* back off */
            u.barrier = false;
            on_loss(&u);
            continue;
        }
        if (e) {
            rc = e;
            break;
        }
        u.extra = false;
        int r = on_response(&u, &rsp, err, &restarts, &stalls);
        client_rsp_free(&rsp);
        if (r == 1) {
            r = first_chunk(&u, err);
        }
        rc = r;
    }
    if (!rc && st->match_reported && !st->match) {
        rc = DFU_ESIG; /* the device's hash of what it received differs from ours */
    }
    free(u.pkt);
    return rc;
}
