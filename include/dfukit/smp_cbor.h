/* Heap-free CBOR helpers for SMP payloads, shared by the device server and the host client.
 *
 * Encoding goes through libcbor's cbor_encode_* into a caller buffer; an overflow is sticky
 * (every later put fails) so calls chain: `ok = put(a) && put(b) && put(c);` and one check of
 * smp_cbor_enc_error() at the end gives DFU_ENOSPC, which the server reports as EMSGSIZE.
 *
 * Decoding is a small pull decoder over a caller buffer, one item head at a time, driven by
 * libcbor's cbor_stream_decode (never cbor_load, which allocates). Maps and arrays may be
 * definite or indefinite. smp_cbor_decode_map() takes a key -> decoder table (the idiom of
 * zcbor_map_decode_bulk): unknown keys are skipped with their whole value, nested or not;
 * a value of the wrong type is an error. Every length is checked against the buffer. */
#ifndef DFUKIT_SMP_CBOR_H
#define DFUKIT_SMP_CBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deepest nesting the helpers follow (encoder frames, skipped values). Deeper input is
 * refused as malformed (DFU_EBADMSG), so a hostile payload cannot exhaust the stack. */
#ifndef SMP_CBOR_MAX_DEPTH
#define SMP_CBOR_MAX_DEPTH 8
#endif

/* ------------------------------------------------------------------------------------------ */
/* Encoder                                                                                    */
/* ------------------------------------------------------------------------------------------ */

enum smp_cbor_frame_kind {
    SMP_CBOR_FRAME_DEFINITE,  /* count given up front; closes itself after `left` items */
    SMP_CBOR_FRAME_INDEF,     /* BF/9F ... FF; closed by smp_cbor_put_end() */
    SMP_CBOR_FRAME_COUNTED,   /* header patched by smp_cbor_put_end() with the items written */
};

struct smp_cbor_frame {
    uint8_t kind;       /* enum smp_cbor_frame_kind */
    bool is_map;
    uint32_t start;     /* COUNTED: offset of the reserved 1-byte header */
    uint64_t n;         /* DEFINITE: items still expected; COUNTED: items written so far */
};

struct smp_cbor_enc {
    uint8_t *buf;
    size_t cap;
    size_t len;         /* bytes written */
    int err;            /* 0, DFU_ENOSPC (buffer full) or DFU_EINVAL (misuse: depth, odd map) */
    uint8_t depth;      /* open frames */
    struct smp_cbor_frame frames[SMP_CBOR_MAX_DEPTH];
};

void smp_cbor_enc_init(struct smp_cbor_enc *e, uint8_t *buf, size_t cap);
/* Drops everything written (keeps the buffer). */
void smp_cbor_enc_reset(struct smp_cbor_enc *e);
/* 0 when every put succeeded and every opened container is closed; else the first error
 * (DFU_ENOSPC on overflow, DFU_EINVAL on unbalanced containers). */
int smp_cbor_enc_error(const struct smp_cbor_enc *e);

/* Each returns true when the item was written (and every earlier put succeeded). */
bool smp_cbor_put_uint(struct smp_cbor_enc *e, uint64_t v);
bool smp_cbor_put_int(struct smp_cbor_enc *e, int64_t v);
bool smp_cbor_put_bool(struct smp_cbor_enc *e, bool v);
bool smp_cbor_put_null(struct smp_cbor_enc *e);
bool smp_cbor_put_tstr(struct smp_cbor_enc *e, const char *s);             /* NUL-terminated */
bool smp_cbor_put_tstrn(struct smp_cbor_enc *e, const char *s, size_t len);
bool smp_cbor_put_bstr(struct smp_cbor_enc *e, const void *data, size_t len);
/* Definite containers: n entries (map: n key/value pairs) follow and close it. */
bool smp_cbor_put_map(struct smp_cbor_enc *e, size_t n_pairs);
bool smp_cbor_put_array(struct smp_cbor_enc *e, size_t n_items);
/* Indefinite containers (BF / 9F), closed by smp_cbor_put_end() with FF. */
bool smp_cbor_put_map_indef(struct smp_cbor_enc *e);
bool smp_cbor_put_array_indef(struct smp_cbor_enc *e);
/* Counted containers: written as definite ones whose count is fixed by smp_cbor_put_end()
 * (the header grows in place when the count needs more than one byte). Use when the number
 * of entries is known only after writing them. */
bool smp_cbor_put_map_open(struct smp_cbor_enc *e);
bool smp_cbor_put_array_open(struct smp_cbor_enc *e);
/* Closes the innermost indefinite or counted container. */
bool smp_cbor_put_end(struct smp_cbor_enc *e);

/* Key/value shorthands for maps with text keys. */
bool smp_cbor_put_kv_uint(struct smp_cbor_enc *e, const char *key, uint64_t v);
bool smp_cbor_put_kv_int(struct smp_cbor_enc *e, const char *key, int64_t v);
bool smp_cbor_put_kv_bool(struct smp_cbor_enc *e, const char *key, bool v);
bool smp_cbor_put_kv_tstr(struct smp_cbor_enc *e, const char *key, const char *s);
bool smp_cbor_put_kv_tstrn(struct smp_cbor_enc *e, const char *key, const char *s, size_t len);
bool smp_cbor_put_kv_bstr(struct smp_cbor_enc *e, const char *key, const void *data, size_t len);

/* ------------------------------------------------------------------------------------------ */
/* Decoder                                                                                    */
/* ------------------------------------------------------------------------------------------ */

enum smp_cbor_type {
    SMP_CBOR_UINT,
    SMP_CBOR_NEGINT,   /* value is -1 - u */
    SMP_CBOR_BSTR,     /* definite: data/len; indefinite: chunks follow, then BREAK */
    SMP_CBOR_TSTR,
    SMP_CBOR_ARRAY,    /* definite: u items follow; indefinite: items then BREAK */
    SMP_CBOR_MAP,      /* definite: u pairs follow */
    SMP_CBOR_TAG,      /* u = tag number; the tagged item follows */
    SMP_CBOR_BOOL,
    SMP_CBOR_NULL,
    SMP_CBOR_UNDEF,
    SMP_CBOR_FLOAT,    /* f holds the value (half, single or double) */
    SMP_CBOR_BREAK,
};

/* One item head. For definite strings the data is part of the item (data/len point into the
 * decoder's buffer); containers and tags are heads only: their contents follow. */
struct smp_cbor_item {
    enum smp_cbor_type type;
    bool indef;
    uint64_t u;
    bool b;
    double f;
    const uint8_t *data;
    size_t len;
};

struct smp_cbor_dec {
    const uint8_t *buf;
    size_t len;
    size_t off;  /* next item head */
};

/* A string view into the decoder's buffer (not NUL-terminated). */
struct smp_cbor_str {
    const uint8_t *ptr;
    size_t len;
};

void smp_cbor_dec_init(struct smp_cbor_dec *d, const uint8_t *buf, size_t len);
/* Reads the next item head. DFU_EBADMSG on malformed or truncated input. */
int smp_cbor_next(struct smp_cbor_dec *d, struct smp_cbor_item *out);
/* The next item head without consuming it. */
int smp_cbor_peek(const struct smp_cbor_dec *d, struct smp_cbor_item *out);
/* Skips one complete item, nested contents included (depth bounded by SMP_CBOR_MAX_DEPTH). */
int smp_cbor_skip(struct smp_cbor_dec *d);

/* Typed reads of the next item. DFU_EINVAL when the item has another type (or a value out of
 * the requested range), DFU_EBADMSG when the input is malformed. */
int smp_cbor_get_uint(struct smp_cbor_dec *d, uint64_t *out);
int smp_cbor_get_int(struct smp_cbor_dec *d, int64_t *out);
int smp_cbor_get_bool(struct smp_cbor_dec *d, bool *out);
/* Definite-length strings only (a view into the buffer); an indefinite one is DFU_EINVAL. */
int smp_cbor_get_tstr(struct smp_cbor_dec *d, struct smp_cbor_str *out);
int smp_cbor_get_bstr(struct smp_cbor_dec *d, struct smp_cbor_str *out);
/* Definite or indefinite strings, copied into buf. Returns the length (excluding the NUL a text
 * string gets when room remains), DFU_ENOSPC when longer than cap. */
int smp_cbor_copy_tstr(struct smp_cbor_dec *d, char *buf, size_t cap);
int smp_cbor_copy_bstr(struct smp_cbor_dec *d, uint8_t *buf, size_t cap);

/* Walking containers by hand: enter, then loop while smp_cbor_more() returns 1. */
struct smp_cbor_container {
    bool indef;
    uint64_t left;  /* definite: entries left (map: pairs) */
};
int smp_cbor_enter_map(struct smp_cbor_dec *d, struct smp_cbor_container *c);
int smp_cbor_enter_array(struct smp_cbor_dec *d, struct smp_cbor_container *c);
/* 1 when another entry (array item or map pair) follows, 0 at the end (the break of an
 * indefinite container is consumed), negative on malformed input. */
int smp_cbor_more(struct smp_cbor_dec *d, struct smp_cbor_container *c);

/* Key -> decoder tables. A decoder reads one value into `out` and returns 0, DFU_EINVAL for a
 * wrong type, DFU_EBADMSG for malformed input. */
typedef int (*smp_cbor_decode_fn)(struct smp_cbor_dec *d, void *out);

struct smp_cbor_map_entry {
    const char *key;            /* text key */
    smp_cbor_decode_fn decode;
    void *out;
    bool found;                 /* set by smp_cbor_decode_map() */
};

/* Decodes a whole map (definite or indefinite) at the decoder: known keys go to their
 * decoder, anything else (unknown text keys, non-text keys) is skipped with its value. Clears
 * and sets `found`. A key seen twice is DFU_EBADMSG. Trailing bytes after the map are left. */
int smp_cbor_decode_map(struct smp_cbor_dec *d, struct smp_cbor_map_entry *entries, size_t count);

/* Decoders for the tables. */
int smp_cbor_dec_uint64(struct smp_cbor_dec *d, void *out);  /* uint64_t */
int smp_cbor_dec_uint32(struct smp_cbor_dec *d, void *out);  /* uint32_t, range-checked */
int smp_cbor_dec_int64(struct smp_cbor_dec *d, void *out);   /* int64_t */
int smp_cbor_dec_bool(struct smp_cbor_dec *d, void *out);    /* bool */
int smp_cbor_dec_tstr(struct smp_cbor_dec *d, void *out);    /* struct smp_cbor_str, definite */
int smp_cbor_dec_bstr(struct smp_cbor_dec *d, void *out);    /* struct smp_cbor_str, definite */

/* Compares a string view with a NUL-terminated string. */
bool smp_cbor_str_eq(const struct smp_cbor_str *s, const char *lit);

#endif
