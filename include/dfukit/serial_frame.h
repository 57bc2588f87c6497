/* SMP over a serial console (Zephyr's smp_transport.rst): CRC-16/XMODEM, base64, the 0x06 0x09 /
 * 0x04 0x14 frame encoder and a streaming deframer; a model of Zephyr's UART line buffers; and the
 * raw binary UART mode. Portable and heap-free: every buffer belongs to the caller.
 *
 * Wire format of one SMP packet:
 *   raw   = len16_be (SMP packet length + 2) || SMP packet || crc16_be (over the SMP packet)
 *   lines = base64(raw) cut into frames; the first frame is 0x06 0x09 + base64 + '\n', each
 *           continuation 0x04 0x14 + base64 + '\n'; every frame's base64 is a multiple of 4
 *           characters and the receiver decodes each frame on its own. */
#ifndef DFUKIT_SERIAL_FRAME_H
#define DFUKIT_SERIAL_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- CRC-16/XMODEM (poly 0x1021, init 0, no reflection): "123456789" -> 0x31C3 ---- */

/* Continues a CRC: pass 0 to start. The CRC over data followed by its own big-endian CRC
 * is 0, which is how the receiver checks a packet. */
uint16_t crc16_xmodem(uint16_t crc, const uint8_t *data, size_t len);

/* ---- Base64, RFC 4648 standard alphabet with '=' padding ---- */

/* 4 * ceil(n / 3). */
size_t base64_encoded_len(size_t n);
/* Writes base64_encoded_len(n) characters (no NUL) to out; returns that count. */
size_t base64_encode(char *out, const uint8_t *in, size_t n);
/* Decodes n characters (a multiple of 4; '=' only at the end). Returns the byte count,
 * DFU_EBADMSG for anything that is not such base64, DFU_ENOMEM if out (cap bytes) is short. */
int base64_decode(uint8_t *out, size_t cap, const char *in, size_t n);
/* One group of 4 characters -> 1..3 bytes; DFU_EBADMSG if not valid. */
int base64_decode_quad(uint8_t out[3], const uint8_t in[4]);

/* ---- Frame encoder ---- */

#define SERIAL_FRAME_START_0 0x06
#define SERIAL_FRAME_START_1 0x09
#define SERIAL_FRAME_CONT_0 0x04
#define SERIAL_FRAME_CONT_1 0x14

#ifndef SERIAL_FRAME_MAX_DEFAULT
#define SERIAL_FRAME_MAX_DEFAULT 127 /* bytes per frame incl. marker and '\n': 124 base64 chars */
#endif
#define SERIAL_FRAME_MAX_MIN 11       /* at least 8 base64 characters per frame */
#define SERIAL_PACKET_MAX 65533       /* the length field counts packet + CRC in 16 bits */

enum serial_split {
    /* Client side: cut the base64 text every (frame_max - 3) chars rounded down to 4, like
     * the Go mcumgr and smpclient (one long line when frame_max is large). */
    SERIAL_SPLIT_PLAIN = 0,
    /* Device side, Zephyr's rule: 3-byte groups, and the CRC never crosses a frame
     * boundary (a data byte moves to the next frame with it). */
    SERIAL_SPLIT_ZEPHYR = 1,
    /* Client side: as many frames as PLAIN, with the bytes spread evenly over them (3-byte
     * groups), so no frame is short: a receiver that empties its line buffers only now and
     * then (a device between flash erase steps) gets fewer lines in the same time. */
    SERIAL_SPLIT_EVEN = 2,
};

struct serial_frame_cfg {
    uint32_t frame_max; /* 0 means SERIAL_FRAME_MAX_DEFAULT; otherwise >= SERIAL_FRAME_MAX_MIN */
    uint8_t split;      /* enum serial_split */
};

/* Iterates over the frames of one packet, one frame per call; the packet must stay valid
 * until the last frame is taken. */
struct serial_frame_enc {
    const uint8_t *pkt;
    uint32_t pkt_len;
    uint32_t raw_len;   /* 2 + pkt_len + 2 */
    uint32_t raw_off;   /* raw bytes already emitted */
    uint32_t group_max; /* raw bytes per frame (multiple of 3) */
    uint16_t crc;
    uint8_t split;
};

/* DFU_EINVAL for a bad config, DFU_ERANGE for an empty or too long packet. */
int serial_frame_enc_init(struct serial_frame_enc *e, const uint8_t *pkt, size_t len,
                          const struct serial_frame_cfg *cfg);
/* Writes the next frame (marker, base64, '\n') to out. Returns its length, 0 when the packet
 * is done, DFU_ENOMEM if cap is smaller than the frame (the encoder does not advance). */
int serial_frame_enc_next(struct serial_frame_enc *e, uint8_t *out, size_t cap);

/* Bytes all frames of a len-byte packet take on the wire (0 if the config or length is bad). */
size_t serial_frame_encoded_size(size_t len, const struct serial_frame_cfg *cfg);
/* All frames of one packet into out. Returns the byte count or a negative error as above. */
int serial_frame_encode(uint8_t *out, size_t cap, const uint8_t *pkt, size_t len,
                        const struct serial_frame_cfg *cfg);

/* ---- Streaming deframer ----
 * Fed with bytes as they arrive (any chunking). Console text that is not a frame is skipped,
 * a leading '\r' on a line and a '\r' before the '\n' are tolerated, a 0x06 0x09 marker
 * starts a new packet (even in the middle of a line), a continuation with no packet in
 * progress is dropped; bad base64, more bytes than the length field, a packet larger than the
 * buffer, or a bad CRC drop the whole packet silently (counted in stats). */

struct serial_deframe_stats {
    uint32_t frames;        /* frame lines seen (start or continuation) */
    uint32_t packets;       /* complete packets with a good CRC */
    uint32_t bad_base64;
    uint32_t bad_crc;
    uint32_t too_long;      /* length field too big for the buffer, or more data than declared */
    uint32_t bad_length;    /* first frame without a length field, or a length below 3 */
    uint32_t orphans;       /* continuation with no packet in progress, or packet cut short */
    uint32_t text_lines;    /* non-frame console lines skipped */
};

struct serial_deframer {
    uint8_t *buf;       /* caller's buffer for the SMP packet (CRC not stored) */
    uint32_t cap;
    uint32_t got;       /* raw bytes of the current packet decoded (length field included) */
    uint32_t want;      /* raw bytes expected: 2 + length field, 0 while unknown */
    uint16_t crc;
    uint8_t len_hi;
    uint8_t state;
    uint8_t quad[4];
    uint8_t nquad;
    bool active;        /* a packet is in progress */
    bool text;          /* the current non-frame line has content (counted at '\n') */
    bool frame_pad;     /* this frame already ended with '=' padding */
    bool cr;            /* a '\r' was seen in this frame */
    uint32_t pending;   /* length of a complete packet waiting in buf (0 if none) */
    struct serial_deframe_stats stats;
};

/* buf (cap bytes) receives each SMP packet; cap bounds the accepted packet size. */
void serial_deframer_init(struct serial_deframer *d, uint8_t *buf, size_t cap);
/* Forgets any partial packet and line (stats are kept). */
void serial_deframer_reset(struct serial_deframer *d);
/* Consumes bytes from in up to and including the one that completes a packet. Sets *used
 * to the bytes consumed and returns the packet length (> 0, the packet is in buf until the
 * next call) or 0 when all n bytes were consumed without completing one. */
size_t serial_deframer_feed(struct serial_deframer *d, const uint8_t *in, size_t n, size_t *used);
/* One byte; returns a packet length or 0 as above. */
size_t serial_deframer_byte(struct serial_deframer *d, uint8_t b);

/* ---- Zephyr-like UART line buffers (uart_mcumgr) ----
 * count buffers of size bytes ('\n' included). Bytes fill the current buffer until '\n'; the
 * line then waits for the application. A line longer than size, or one that starts while no
 * buffer is free, is discarded up to its '\n'. The application takes lines oldest first. */

#ifndef SERIAL_LINEBUF_MAX_COUNT
#define SERIAL_LINEBUF_MAX_COUNT 32
#endif

struct serial_linebuf_stats {
    uint32_t lines;         /* lines handed to the application */
    uint32_t too_long;
    uint32_t no_buffer;
};

struct serial_linebuf {
    uint8_t *mem;       /* count * size bytes, caller-owned */
    uint32_t size;
    uint32_t count;
    uint32_t head;      /* oldest ready line */
    uint32_t ready;     /* lines waiting for the application */
    uint32_t fill;      /* bytes in the buffer being filled */
    bool filling;       /* a buffer is taken for the current line */
    bool ignoring;      /* discarding up to '\n' */
    uint32_t len[SERIAL_LINEBUF_MAX_COUNT];
    struct serial_linebuf_stats stats;
};

/* DFU_EINVAL if size is 0 or count is 0 or above SERIAL_LINEBUF_MAX_COUNT. */
int serial_linebuf_init(struct serial_linebuf *lb, uint8_t *mem, size_t size, size_t count);
void serial_linebuf_push(struct serial_linebuf *lb, const uint8_t *in, size_t n);
/* The oldest complete line (with its '\n'): true and sets *line and *len; false if none. */
bool serial_linebuf_peek(const struct serial_linebuf *lb, const uint8_t **line, size_t *len);
/* Frees the oldest complete line (no-op if none). */
void serial_linebuf_release(struct serial_linebuf *lb);

/* ---- Raw binary UART mode ----
 * No base64, CRC or markers: a packet is the 8-byte SMP header plus its declared length. A
 * declared size over the buffer or an op above 3 drops the bytes gathered so far; the
 * caller calls raw_deframer_resync() when the line has been idle for its input timeout, to
 * throw away a partial packet (garbage) and start clean. */

struct raw_deframer {
    uint8_t *buf;
    uint32_t cap;
    uint32_t got;
    uint32_t want;      /* 0 until the header is in */
    uint32_t pending;
    uint32_t dropped;   /* packets thrown away (bad header, too long, resync) */
};

void raw_deframer_init(struct raw_deframer *r, uint8_t *buf, size_t cap);
void raw_deframer_resync(struct raw_deframer *r);
/* Same contract as serial_deframer_feed(). */
size_t raw_deframer_feed(struct raw_deframer *r, const uint8_t *in, size_t n, size_t *used);

#endif
