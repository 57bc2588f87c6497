/* Pull decoder: libcbor's streaming decoder reads one item head per call into a struct
 * smp_cbor_item; everything above (skipping, typed reads, key tables) is built on that. No
 * allocation, and every length is bounded by the buffer before it is used. */
#include <string.h>

#include <cbor.h>

#include "dfukit/err.h"
#include "dfukit/smp_cbor.h"

/* ---- libcbor callbacks: each fills the item it was given ---- */

static void set_uint(void *ctx, uint64_t v)
{
    struct smp_cbor_item *it = ctx;
    it->type = SMP_CBOR_UINT;
    it->u = v;
}
static void cb_u8(void *ctx, uint8_t v) { set_uint(ctx, v); }
static void cb_u16(void *ctx, uint16_t v) { set_uint(ctx, v); }
static void cb_u32(void *ctx, uint32_t v) { set_uint(ctx, v); }
static void cb_u64(void *ctx, uint64_t v) { set_uint(ctx, v); }

static void set_neg(void *ctx, uint64_t v)
{
    struct smp_cbor_item *it = ctx;
    it->type = SMP_CBOR_NEGINT;
    it->u = v;
}
static void cb_n8(void *ctx, uint8_t v) { set_neg(ctx, v); }
static void cb_n16(void *ctx, uint16_t v) { set_neg(ctx, v); }
static void cb_n32(void *ctx, uint32_t v) { set_neg(ctx, v); }
static void cb_n64(void *ctx, uint64_t v) { set_neg(ctx, v); }

static void set_str(void *ctx, enum smp_cbor_type type, bool indef, cbor_data data, size_t len)
{
    struct smp_cbor_item *it = ctx;
    it->type = type;
    it->indef = indef;
    it->data = data;
    it->len = len;
    it->u = len;
}
static void cb_bstr(void *ctx, cbor_data data, size_t len) { set_str(ctx, SMP_CBOR_BSTR, false, data, len); }
static void cb_bstr_indef(void *ctx) { set_str(ctx, SMP_CBOR_BSTR, true, NULL, 0); }
static void cb_tstr(void *ctx, cbor_data data, size_t len) { set_str(ctx, SMP_CBOR_TSTR, false, data, len); }
static void cb_tstr_indef(void *ctx) { set_str(ctx, SMP_CBOR_TSTR, true, NULL, 0); }

static void set_container(void *ctx, enum smp_cbor_type type, bool indef, uint64_t n)
{
    struct smp_cbor_item *it = ctx;
    it->type = type;
    it->indef = indef;
    it->u = n;
}
static void cb_array(void *ctx, size_t n) { set_container(ctx, SMP_CBOR_ARRAY, false, n); }
static void cb_array_indef(void *ctx) { set_container(ctx, SMP_CBOR_ARRAY, true, 0); }
static void cb_map(void *ctx, size_t n) { set_container(ctx, SMP_CBOR_MAP, false, n); }
static void cb_map_indef(void *ctx) { set_container(ctx, SMP_CBOR_MAP, true, 0); }

static void cb_tag(void *ctx, uint64_t v)
{
    struct smp_cbor_item *it = ctx;
    it->type = SMP_CBOR_TAG;
    it->u = v;
}
static void cb_float(void *ctx, float v)
{
    struct smp_cbor_item *it = ctx;
    it->type = SMP_CBOR_FLOAT;
    it->f = v;
}
static void cb_double(void *ctx, double v)
{
    struct smp_cbor_item *it = ctx;
    it->type = SMP_CBOR_FLOAT;
    it->f = v;
}
static void cb_undef(void *ctx) { ((struct smp_cbor_item *)ctx)->type = SMP_CBOR_UNDEF; }
static void cb_null(void *ctx) { ((struct smp_cbor_item *)ctx)->type = SMP_CBOR_NULL; }
static void cb_bool(void *ctx, bool v)
{
    struct smp_cbor_item *it = ctx;
    it->type = SMP_CBOR_BOOL;
    it->b = v;
}
static void cb_break(void *ctx) { ((struct smp_cbor_item *)ctx)->type = SMP_CBOR_BREAK; }

/* libcbor names: `byte_string`/`string` are definite, `*_start` indefinite; for containers
 * `array_start`/`map_start` are definite and `indef_*_start` indefinite. */
static const struct cbor_callbacks item_callbacks = {
    .uint8 = cb_u8, .uint16 = cb_u16, .uint32 = cb_u32, .uint64 = cb_u64,
    .negint8 = cb_n8, .negint16 = cb_n16, .negint32 = cb_n32, .negint64 = cb_n64,
    .byte_string = cb_bstr, .byte_string_start = cb_bstr_indef,
    .string = cb_tstr, .string_start = cb_tstr_indef,
    .array_start = cb_array, .indef_array_start = cb_array_indef,
    .map_start = cb_map, .indef_map_start = cb_map_indef,
    .tag = cb_tag,
    .float2 = cb_float, .float4 = cb_float, .float8 = cb_double,
    .undefined = cb_undef, .null = cb_null, .boolean = cb_bool,
    .indef_break = cb_break,
};

void smp_cbor_dec_init(struct smp_cbor_dec *d, const uint8_t *buf, size_t len)
{
    d->buf = buf;
    d->len = buf != NULL ? len : 0;
    d->off = 0;
}

/* Decodes the head at d->off; *used = bytes it occupies (string data included). */
static int decode_head(const struct smp_cbor_dec *d, struct smp_cbor_item *out, size_t *used)
{
    if (d->off >= d->len) {
        return DFU_EBADMSG;
    }
    memset(out, 0, sizeof(*out));
    out->type = SMP_CBOR_BREAK + 1;  /* "nothing called back" marker */
    size_t avail = d->len - d->off;
    struct cbor_decoder_result r = cbor_stream_decode(d->buf + d->off, avail, &item_callbacks, out);
    if (r.status != CBOR_DECODER_FINISHED || r.read == 0 || r.read > avail ||
        out->type > SMP_CBOR_BREAK) {
        return DFU_EBADMSG;
    }
    /* Definite string data must lie inside what was read (libcbor guarantees it; we check). */
    if ((out->type == SMP_CBOR_BSTR || out->type == SMP_CBOR_TSTR) && !out->indef &&
        (out->len > r.read || (out->len > 0 && out->data != d->buf + d->off + (r.read - out->len)))) {
        return DFU_EBADMSG;
    }
    *used = r.read;
    return 0;
}

int smp_cbor_peek(const struct smp_cbor_dec *d, struct smp_cbor_item *out)
{
    size_t used;
    return decode_head(d, out, &used);
}

int smp_cbor_next(struct smp_cbor_dec *d, struct smp_cbor_item *out)
{
    size_t used;
    int err = decode_head(d, out, &used);
    if (err == 0) {
        d->off += used;
    }
    return err;
}

static int skip_depth(struct smp_cbor_dec *d, unsigned depth);

/* Indefinite string: definite chunks of the same major type until the break. */
static int skip_chunks(struct smp_cbor_dec *d, enum smp_cbor_type type)
{
    for (;;) {
        struct smp_cbor_item it;
        int err = smp_cbor_next(d, &it);
        if (err != 0) {
            return err;
        }
        if (it.type == SMP_CBOR_BREAK) {
            return 0;
        }
        if (it.type != type || it.indef) {
            return DFU_EBADMSG;
        }
    }
}

/* Entries of a container: `items` items when definite, up to the break when indefinite. */
static int skip_entries(struct smp_cbor_dec *d, bool indef, uint64_t items, unsigned depth)
{
    if (depth >= SMP_CBOR_MAX_DEPTH) {
        return DFU_EBADMSG;
    }
    if (!indef) {
        /* Each item takes at least one byte, so an absurd count fails when data runs out. */
        for (uint64_t i = 0; i < items; i++) {
            int err = skip_depth(d, depth + 1);
            if (err != 0) {
                return err;
            }
        }
        return 0;
    }
    for (uint64_t i = 0;; i++) {
        struct smp_cbor_item it;
        int err = smp_cbor_peek(d, &it);
        if (err != 0) {
            return err;
        }
        if (it.type == SMP_CBOR_BREAK) {
            /* A map's break may not split a key from its value. */
            if ((items == 2 && (i % 2) != 0)) {
                return DFU_EBADMSG;
            }
            return smp_cbor_next(d, &it);
        }
        err = skip_depth(d, depth + 1);
        if (err != 0) {
            return err;
        }
    }
}

static int skip_depth(struct smp_cbor_dec *d, unsigned depth)
{
    struct smp_cbor_item it;
    int err = smp_cbor_next(d, &it);
    if (err != 0) {
        return err;
    }
    switch (it.type) {
    case SMP_CBOR_BSTR:
    case SMP_CBOR_TSTR:
        return it.indef ? skip_chunks(d, it.type) : 0;
    case SMP_CBOR_ARRAY:
        return skip_entries(d, it.indef, it.indef ? 1 : it.u, depth);
    case SMP_CBOR_MAP:
        if (!it.indef && it.u > UINT64_MAX / 2) {
            return DFU_EBADMSG;
        }
        return skip_entries(d, it.indef, it.indef ? 2 : it.u * 2, depth);
    case SMP_CBOR_TAG:
        if (depth + 1 >= SMP_CBOR_MAX_DEPTH) {
            return DFU_EBADMSG;
        }
        return skip_depth(d, depth + 1);
    case SMP_CBOR_BREAK:
        return DFU_EBADMSG;
    default:
        return 0;
    }
}

int smp_cbor_skip(struct smp_cbor_dec *d)
{
    size_t saved = d->off;
    int err = skip_depth(d, 0);
    if (err != 0) {
        d->off = saved;
    }
    return err;
}

/* Reads the next item and checks its type; the decoder does not move on a type mismatch. */
static int next_of(struct smp_cbor_dec *d, enum smp_cbor_type type, struct smp_cbor_item *it)
{
    int err = smp_cbor_peek(d, it);
    if (err != 0) {
        return err;
    }
    if (it->type != type) {
        return DFU_EINVAL;
    }
    return smp_cbor_next(d, it);
}

int smp_cbor_get_uint(struct smp_cbor_dec *d, uint64_t *out)
{
    struct smp_cbor_item it;
    int err = next_of(d, SMP_CBOR_UINT, &it);
    if (err == 0) {
        *out = it.u;
    }
    return err;
}

int smp_cbor_get_int(struct smp_cbor_dec *d, int64_t *out)
{
    struct smp_cbor_item it;
    int err = smp_cbor_peek(d, &it);
    if (err != 0) {
        return err;
    }
    if ((it.type != SMP_CBOR_UINT && it.type != SMP_CBOR_NEGINT) || it.u > (uint64_t)INT64_MAX) {
        return DFU_EINVAL;
    }
    *out = it.type == SMP_CBOR_UINT ? (int64_t)it.u : -1 - (int64_t)it.u;
    return smp_cbor_next(d, &it);
}

int smp_cbor_get_bool(struct smp_cbor_dec *d, bool *out)
{
    struct smp_cbor_item it;
    int err = next_of(d, SMP_CBOR_BOOL, &it);
    if (err == 0) {
        *out = it.b;
    }
    return err;
}

static int get_string(struct smp_cbor_dec *d, enum smp_cbor_type type, struct smp_cbor_str *out)
{
    struct smp_cbor_item it;
    int err = smp_cbor_peek(d, &it);
    if (err != 0) {
        return err;
    }
    if (it.type != type || it.indef) {
        return DFU_EINVAL;
    }
    out->ptr = it.data;
    out->len = it.len;
    return smp_cbor_next(d, &it);
}

int smp_cbor_get_tstr(struct smp_cbor_dec *d, struct smp_cbor_str *out)
{
    return get_string(d, SMP_CBOR_TSTR, out);
}

int smp_cbor_get_bstr(struct smp_cbor_dec *d, struct smp_cbor_str *out)
{
    return get_string(d, SMP_CBOR_BSTR, out);
}

static int copy_string(struct smp_cbor_dec *d, enum smp_cbor_type type, uint8_t *buf, size_t cap)
{
    size_t saved = d->off;
    struct smp_cbor_item it;
    int err = next_of(d, type, &it);
    if (err != 0) {
        return err;
    }
    size_t total = 0;
    bool more = it.indef;
    if (!it.indef) {
        if (it.len > cap) {
            d->off = saved;
            return DFU_ENOSPC;
        }
        if (it.len > 0) {
            memcpy(buf, it.data, it.len);
        }
        total = it.len;
    }
    while (more) {
        err = smp_cbor_next(d, &it);
        if (err == 0 && it.type == SMP_CBOR_BREAK) {
            break;
        }
        if (err == 0 && (it.type != type || it.indef)) {
            err = DFU_EBADMSG;
        } else if (err == 0 && it.len > cap - total) {
            err = DFU_ENOSPC;
        }
        if (err != 0) {
            d->off = saved;
            return err;
        }
        if (it.len > 0) {
            memcpy(buf + total, it.data, it.len);
        }
        total += it.len;
    }
    if (total > (size_t)INT32_MAX) {
        d->off = saved;
        return DFU_ENOSPC;
    }
    return (int)total;
}

int smp_cbor_copy_tstr(struct smp_cbor_dec *d, char *buf, size_t cap)
{
    int n = copy_string(d, SMP_CBOR_TSTR, (uint8_t *)buf, cap);
    if (n >= 0 && (size_t)n < cap) {
        buf[n] = '\0';
    }
    return n;
}

int smp_cbor_copy_bstr(struct smp_cbor_dec *d, uint8_t *buf, size_t cap)
{
    return copy_string(d, SMP_CBOR_BSTR, buf, cap);
}

static int enter(struct smp_cbor_dec *d, enum smp_cbor_type type, struct smp_cbor_container *c)
{
    struct smp_cbor_item it;
    int err = next_of(d, type, &it);
    if (err != 0) {
        return err;
    }
    c->indef = it.indef;
    c->left = it.u;
    return 0;
}

int smp_cbor_enter_map(struct smp_cbor_dec *d, struct smp_cbor_container *c)
{
    return enter(d, SMP_CBOR_MAP, c);
}

int smp_cbor_enter_array(struct smp_cbor_dec *d, struct smp_cbor_container *c)
{
    return enter(d, SMP_CBOR_ARRAY, c);
}

int smp_cbor_more(struct smp_cbor_dec *d, struct smp_cbor_container *c)
{
    if (!c->indef) {
        if (c->left == 0) {
            return 0;
        }
        c->left--;
        return 1;
    }
    struct smp_cbor_item it;
    int err = smp_cbor_peek(d, &it);
    if (err != 0) {
        return err;
    }
    if (it.type == SMP_CBOR_BREAK) {
        err = smp_cbor_next(d, &it);
        return err != 0 ? err : 0;
    }
    return 1;
}

bool smp_cbor_str_eq(const struct smp_cbor_str *s, const char *lit)
{
    size_t n = strlen(lit);
    return s->len == n && (n == 0 || memcmp(s->ptr, lit, n) == 0);
}

static struct smp_cbor_map_entry *find_entry(struct smp_cbor_map_entry *entries, size_t count,
                                             const struct smp_cbor_str *key)
{
    for (size_t i = 0; i < count; i++) {
        if (entries[i].key != NULL && smp_cbor_str_eq(key, entries[i].key)) {
            return &entries[i];
        }
    }
    return NULL;
}

int smp_cbor_decode_map(struct smp_cbor_dec *d, struct smp_cbor_map_entry *entries, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        entries[i].found = false;
    }
    struct smp_cbor_container c;
    int err = smp_cbor_enter_map(d, &c);
    int more;
    while (err == 0 && (more = smp_cbor_more(d, &c)) != 0) {
        if (more < 0) {
            return more;
        }
        struct smp_cbor_item key;
        err = smp_cbor_peek(d, &key);
        if (err != 0) {
            return err;
        }
        struct smp_cbor_map_entry *e = NULL;
        if (key.type == SMP_CBOR_TSTR && !key.indef) {
            struct smp_cbor_str k = {key.data, key.len};
            e = find_entry(entries, count, &k);
            err = smp_cbor_next(d, &key);
        } else {
            err = smp_cbor_skip(d);  /* a key that is not a plain text string */
        }
        if (err != 0) {
            return err;
        }
        if (e == NULL) {
            err = smp_cbor_skip(d);
        } else if (e->found) {
            err = DFU_EBADMSG;
        } else {
            err = e->decode(d, e->out);
            e->found = err == 0;
        }
    }
    return err;
}

int smp_cbor_dec_uint64(struct smp_cbor_dec *d, void *out)
{
    return smp_cbor_get_uint(d, out);
}

int smp_cbor_dec_uint32(struct smp_cbor_dec *d, void *out)
{
    struct smp_cbor_item it;
    int err = smp_cbor_peek(d, &it);
    if (err != 0) {
        return err;
    }
    if (it.type != SMP_CBOR_UINT || it.u > UINT32_MAX) {
        return DFU_EINVAL;
    }
    *(uint32_t *)out = (uint32_t)it.u;
    return smp_cbor_next(d, &it);
}

int smp_cbor_dec_int64(struct smp_cbor_dec *d, void *out)
{
    return smp_cbor_get_int(d, out);
}

int smp_cbor_dec_bool(struct smp_cbor_dec *d, void *out)
{
    return smp_cbor_get_bool(d, out);
}

int smp_cbor_dec_tstr(struct smp_cbor_dec *d, void *out)
{
    return smp_cbor_get_tstr(d, out);
}

int smp_cbor_dec_bstr(struct smp_cbor_dec *d, void *out)
{
    return smp_cbor_get_bstr(d, out);
}
