/* Streaming deframer for SMP over a serial console (serial in Zephyr's smp_transport.rst; Zephyr's
 * mcumgr_serial_process_frag made byte-driven). Each frame's base64 is decoded group by group
 * straight into the caller's buffer, so no line buffer is needed here. */
#include "dfukit/err.h"
#include "dfukit/serial_frame.h"

enum deframe_state {
    ST_LINE = 0,    /* line start or console text: looking for a marker */
    ST_MARK_START,  /* saw 0x06 */
    ST_MARK_CONT,   /* saw 0x04 */
    ST_FRAME,       /* inside a frame's base64 */
    ST_SKIP,        /* rest of a dropped frame's line */
};

void serial_deframer_init(struct serial_deframer *d, uint8_t *buf, size_t cap)
{
    d->buf = buf;
    d->cap = cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
    d->stats = (struct serial_deframe_stats){0};
    serial_deframer_reset(d);
}

void serial_deframer_reset(struct serial_deframer *d)
{
    d->got = 0;
    d->want = 0;
    d->crc = 0;
    d->len_hi = 0;
    d->state = ST_LINE;
    d->nquad = 0;
    d->active = false;
    d->text = false;
    d->frame_pad = false;
    d->cr = false;
    d->pending = 0;
}

/* Drops the packet in progress; the rest of the current line is skipped silently. */
static void drop(struct serial_deframer *d, uint32_t *counter)
{
    (*counter)++;
    d->active = false;
    d->state = ST_SKIP;
}

static void frame_begin(struct serial_deframer *d, bool first)
{
    d->stats.frames++;
    d->nquad = 0;
    d->frame_pad = false;
    d->cr = false;
    d->text = false;
    if (first) {
        if (d->active) {
            d->stats.orphans++; /* the previous packet never completed */
        }
        d->active = true;
        d->got = 0;
        d->want = 0;
        d->crc = 0;
    } else if (!d->active) {
        drop(d, &d->stats.orphans);
        return;
    }
    d->state = ST_FRAME;
}

/* One decoded byte of the raw stream len16 || packet || crc16. */
static void raw_byte(struct serial_deframer *d, uint8_t b)
{
    if (d->got == 0) {
        d->len_hi = b;
        d->got = 1;
        return;
    }
    if (d->got == 1) {
        uint32_t field = ((uint32_t)d->len_hi << 8) | b;
        if (field < 3) {
            drop(d, &d->stats.bad_length);
            return;
        }
        if (field - 2 > d->cap) {
            drop(d, &d->stats.too_long);
            return;
        }
        d->want = field + 2;
        d->got = 2;
        return;
    }
    if (d->got >= d->want) {
        drop(d, &d->stats.too_long); /* more data than the length field declares */
        return;
    }
    if (d->got - 2 < d->want - 4) {
        d->buf[d->got - 2] = b;
    }
    d->crc = crc16_xmodem(d->crc, &b, 1);
    d->got++;
}

static void frame_char(struct serial_deframer *d, uint8_t c)
{
    if (d->cr || d->frame_pad) {
        drop(d, &d->stats.bad_base64); /* data after '\r' or after padding */
        return;
    }
    d->quad[d->nquad++] = c;
    if (d->nquad < 4) {
        return;
    }
    d->nquad = 0;
    uint8_t out[3];
    int n = base64_decode_quad(out, d->quad);
    if (n < 0) {
        drop(d, &d->stats.bad_base64);
        return;
    }
    d->frame_pad = n < 3;
    for (int i = 0; i < n && d->state == ST_FRAME; i++) {
        raw_byte(d, out[i]);
    }
}

/* '\n' closes a frame: the packet completes here or waits for a continuation. */
static size_t frame_end(struct serial_deframer *d)
{
    if (d->nquad != 0) {
        drop(d, &d->stats.bad_base64);
    } else if (d->got < 2) {
        drop(d, &d->stats.bad_length); /* the first frame must carry the length field */
    }
    if (d->state != ST_FRAME) {
        d->state = ST_LINE;
        return 0;
    }
    d->state = ST_LINE;
    if (d->got < d->want) {
        return 0;
    }
    d->active = false;
    if (d->crc != 0) {
        d->stats.bad_crc++;
        return 0;
    }
    d->stats.packets++;
    d->pending = d->want - 4;
    return d->pending;
}

/* Characters allowed in a frame's body. */
static bool is_b64_char(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '/' || c == '=';
}

size_t serial_deframer_byte(struct serial_deframer *d, uint8_t b)
{
    d->pending = 0;
    switch (d->state) {
    case ST_FRAME:
        if (b == '\n') {
            return frame_end(d);
        }
        if (b == '\r') {
            d->cr = true;
        } else if (b == SERIAL_FRAME_START_0 || b == SERIAL_FRAME_CONT_0) {
            /* A marker inside a frame: this line lost its end. */
            drop(d, &d->stats.orphans);
            d->state = b == SERIAL_FRAME_START_0 ? ST_MARK_START : ST_MARK_CONT;
        } else if (is_b64_char(b)) {
            frame_char(d, b);
        } else {
            drop(d, &d->stats.bad_base64);
        }
        return 0;
    case ST_MARK_START:
    case ST_MARK_CONT:
        if ((d->state == ST_MARK_START && b == SERIAL_FRAME_START_1) ||
            (d->state == ST_MARK_CONT && b == SERIAL_FRAME_CONT_1)) {
            frame_begin(d, d->state == ST_MARK_START);
            return 0;
        }
        d->state = ST_LINE;
        d->text = true;
        break; /* look at b again as console text */
    default:
        break;
    }
    /* ST_LINE / ST_SKIP: console text; markers are recognised anywhere (logs never
     * carry raw 0x06 / 0x04 bytes), '\r' is ignored. */
    if (b == SERIAL_FRAME_START_0) {
        d->state = ST_MARK_START;
    } else if (b == SERIAL_FRAME_CONT_0) {
        d->state = ST_MARK_CONT;
    } else if (b == '\n') {
        if (d->text && d->state == ST_LINE) {
            d->stats.text_lines++;
        }
        d->text = false;
        d->state = ST_LINE;
    } else if (b != '\r' && d->state == ST_LINE) {
        d->text = true;
    }
    return 0;
}

size_t serial_deframer_feed(struct serial_deframer *d, const uint8_t *in, size_t n, size_t *used)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = serial_deframer_byte(d, in[i]);
        if (len > 0) {
            *used = i + 1;
            return len;
        }
    }
    *used = n;
    d->pending = 0;
    return 0;
}
