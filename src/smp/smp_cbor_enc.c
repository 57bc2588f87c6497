/* CBOR encoder over a caller buffer: smp_cbor_head.c writes each head, this file tracks
 * overflow and the open containers (so counted maps can be closed with the right count). */
#include <string.h>

#include "dfukit/err.h"
#include "dfukit/smp_cbor.h"
#include "smp_cbor_head.h"

void smp_cbor_enc_init(struct smp_cbor_enc *e, uint8_t *buf, size_t cap)
{
    e->buf = buf;
    e->cap = buf != NULL ? cap : 0;
    smp_cbor_enc_reset(e);
}

void smp_cbor_enc_reset(struct smp_cbor_enc *e)
{
    e->len = 0;
    e->err = 0;
    e->depth = 0;
}

int smp_cbor_enc_error(const struct smp_cbor_enc *e)
{
    if (e->err != 0) {
        return e->err;
    }
    return e->depth != 0 ? DFU_EINVAL : 0;
}

static bool fail(struct smp_cbor_enc *e, int err)
{
    if (e->err == 0) {
        e->err = err;
    }
    return false;
}

/* Counts one finished item in the innermost container; a definite one closes when full. */
static void account(struct smp_cbor_enc *e)
{
    if (e->depth == 0) {
        return;
    }
    struct smp_cbor_frame *f = &e->frames[e->depth - 1];
    if (f->kind == SMP_CBOR_FRAME_DEFINITE) {
        if (--f->n == 0) {
            e->depth--;
        }
    } else if (f->kind == SMP_CBOR_FRAME_COUNTED) {
        f->n++;
    }
}

/* Appends bytes a head writer produced (0 written means no room). */
static bool wrote(struct smp_cbor_enc *e, size_t n)
{
    if (n == 0) {
        return fail(e, DFU_ENOSPC);
    }
    e->len += n;
    return true;
}

static uint8_t *tail(struct smp_cbor_enc *e) { return e->buf + e->len; }
static size_t room(const struct smp_cbor_enc *e) { return e->cap - e->len; }

/* One fixed byte (simple values, indefinite starts, break): 1, or 0 when there is no room. */
static size_t put_byte(struct smp_cbor_enc *e, uint8_t b)
{
    if (room(e) == 0) {
        return 0;
    }
    *tail(e) = b;
    return 1;
}

static bool head_done(struct smp_cbor_enc *e, size_t n)
{
    if (!wrote(e, n)) {
        return false;
    }
    account(e);
    return true;
}

bool smp_cbor_put_uint(struct smp_cbor_enc *e, uint64_t v)
{
    return e->err == 0 && head_done(e, cbor_head_put(tail(e), room(e), CBOR_MAJOR_UINT, v));
}

bool smp_cbor_put_int(struct smp_cbor_enc *e, int64_t v)
{
    if (v >= 0) {
        return smp_cbor_put_uint(e, (uint64_t)v);
    }
    return e->err == 0 && head_done(e, cbor_head_put(tail(e), room(e), CBOR_MAJOR_NEGINT, (uint64_t)(-1 - v)));
}

bool smp_cbor_put_bool(struct smp_cbor_enc *e, bool v)
{
    return e->err == 0 && head_done(e, put_byte(e, v ? CBOR_TRUE : CBOR_FALSE));
}

bool smp_cbor_put_null(struct smp_cbor_enc *e)
{
    return e->err == 0 && head_done(e, put_byte(e, CBOR_NULL));
}

static bool put_string(struct smp_cbor_enc *e, bool text, const void *data, size_t len)
{
    if (e->err != 0) {
        return false;
    }
    size_t n = cbor_head_put(tail(e), room(e), text ? CBOR_MAJOR_TSTR : CBOR_MAJOR_BSTR, len);
    if (n == 0 || len > room(e) - n) {
        return fail(e, DFU_ENOSPC);
    }
    if (len > 0) {
        memcpy(tail(e) + n, data, len);
    }
    return head_done(e, n + len);
}

bool smp_cbor_put_tstr(struct smp_cbor_enc *e, const char *s)
{
    return put_string(e, true, s, s != NULL ? strlen(s) : 0);
}

bool smp_cbor_put_tstrn(struct smp_cbor_enc *e, const char *s, size_t len)
{
    return put_string(e, true, s, len);
}

bool smp_cbor_put_bstr(struct smp_cbor_enc *e, const void *data, size_t len)
{
    return put_string(e, false, data, len);
}

/* Opens a container frame after its head was written at `start` (n bytes). */
static bool open_frame(struct smp_cbor_enc *e, size_t start, size_t n, enum smp_cbor_frame_kind kind,
                       bool is_map, uint64_t count)
{
    if (e->depth >= SMP_CBOR_MAX_DEPTH) {
        return fail(e, DFU_EINVAL);
    }
    if (!wrote(e, n)) {
        return false;
    }
    account(e);
    if (kind == SMP_CBOR_FRAME_DEFINITE && count == 0) {
        return true;  /* empty: complete already */
    }
    struct smp_cbor_frame *f = &e->frames[e->depth++];
    f->kind = (uint8_t)kind;
    f->is_map = is_map;
    f->start = (uint32_t)start;
    f->n = kind == SMP_CBOR_FRAME_DEFINITE ? count : 0;
    return true;
}

bool smp_cbor_put_map(struct smp_cbor_enc *e, size_t n_pairs)
{
    if (e->err != 0) {
        return false;
    }
    if (n_pairs > SIZE_MAX / 2) {
        return fail(e, DFU_EINVAL);
    }
    size_t start = e->len;
    return open_frame(e, start, cbor_head_put(tail(e), room(e), CBOR_MAJOR_MAP, n_pairs),
                      SMP_CBOR_FRAME_DEFINITE, true, (uint64_t)n_pairs * 2);
}

bool smp_cbor_put_array(struct smp_cbor_enc *e, size_t n_items)
{
    if (e->err != 0) {
        return false;
    }
    size_t start = e->len;
    return open_frame(e, start, cbor_head_put(tail(e), room(e), CBOR_MAJOR_ARRAY, n_items),
                      SMP_CBOR_FRAME_DEFINITE, false, n_items);
}

bool smp_cbor_put_map_indef(struct smp_cbor_enc *e)
{
    if (e->err != 0) {
        return false;
    }
    size_t start = e->len;
    return open_frame(e, start, put_byte(e, CBOR_INDEF_MAP), SMP_CBOR_FRAME_INDEF,
                      true, 0);
}

bool smp_cbor_put_array_indef(struct smp_cbor_enc *e)
{
    if (e->err != 0) {
        return false;
    }
    size_t start = e->len;
    return open_frame(e, start, put_byte(e, CBOR_INDEF_ARRAY),
                      SMP_CBOR_FRAME_INDEF, false, 0);
}

/* A counted container reserves a one-byte head (count 0) and patches it when closed. */
bool smp_cbor_put_map_open(struct smp_cbor_enc *e)
{
    if (e->err != 0) {
        return false;
    }
    size_t start = e->len;
    return open_frame(e, start, cbor_head_put(tail(e), room(e), CBOR_MAJOR_MAP, 0), SMP_CBOR_FRAME_COUNTED,
                      true, 0);
}

bool smp_cbor_put_array_open(struct smp_cbor_enc *e)
{
    if (e->err != 0) {
        return false;
    }
    size_t start = e->len;
    return open_frame(e, start, cbor_head_put(tail(e), room(e), CBOR_MAJOR_ARRAY, 0),
                      SMP_CBOR_FRAME_COUNTED, false, 0);
}

static bool close_counted(struct smp_cbor_enc *e, const struct smp_cbor_frame *f)
{
    if (f->is_map && (f->n % 2) != 0) {
        return fail(e, DFU_EINVAL);  /* a key without its value */
    }
    uint64_t count = f->is_map ? f->n / 2 : f->n;
    uint8_t head[9];
    size_t n = cbor_head_put(head, sizeof(head), f->is_map ? CBOR_MAJOR_MAP : CBOR_MAJOR_ARRAY, count);
    size_t grow = n - 1;
    if (grow > room(e)) {
        return fail(e, DFU_ENOSPC);
    }
    uint8_t *at = e->buf + f->start;
    if (grow > 0) {
        memmove(at + n, at + 1, e->len - f->start - 1);
    }
    memcpy(at, head, n);
    e->len += grow;
    return true;
}

bool smp_cbor_put_end(struct smp_cbor_enc *e)
{
    if (e->err != 0) {
        return false;
    }
    if (e->depth == 0) {
        return fail(e, DFU_EINVAL);
    }
    struct smp_cbor_frame *f = &e->frames[e->depth - 1];
    if (f->kind == SMP_CBOR_FRAME_DEFINITE) {
        return fail(e, DFU_EINVAL);
    }
    if (f->kind == SMP_CBOR_FRAME_INDEF) {
        if (f->is_map && (f->n % 2) != 0) {
            return fail(e, DFU_EINVAL);
        }
        if (!wrote(e, put_byte(e, CBOR_BREAK_BYTE))) {
            return false;
        }
    } else if (!close_counted(e, f)) {
        return false;
    }
    e->depth--;
    return true;
}

bool smp_cbor_put_kv_uint(struct smp_cbor_enc *e, const char *key, uint64_t v)
{
    return smp_cbor_put_tstr(e, key) && smp_cbor_put_uint(e, v);
}

bool smp_cbor_put_kv_int(struct smp_cbor_enc *e, const char *key, int64_t v)
{
    return smp_cbor_put_tstr(e, key) && smp_cbor_put_int(e, v);
}

bool smp_cbor_put_kv_bool(struct smp_cbor_enc *e, const char *key, bool v)
{
    return smp_cbor_put_tstr(e, key) && smp_cbor_put_bool(e, v);
}

bool smp_cbor_put_kv_tstr(struct smp_cbor_enc *e, const char *key, const char *s)
{
    return smp_cbor_put_tstr(e, key) && smp_cbor_put_tstr(e, s);
}

bool smp_cbor_put_kv_tstrn(struct smp_cbor_enc *e, const char *key, const char *s, size_t len)
{
    return smp_cbor_put_tstr(e, key) && smp_cbor_put_tstrn(e, s, len);
}

bool smp_cbor_put_kv_bstr(struct smp_cbor_enc *e, const char *key, const void *data, size_t len)
{
    return smp_cbor_put_tstr(e, key) && smp_cbor_put_bstr(e, data, len);
}
