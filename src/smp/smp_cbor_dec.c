/* Pull decoder: one item head per call (smp_cbor_head.c) into a struct smp_cbor_item; everything above (skipping, typed reads, key tables) is built on that. No
 * allocation, and every length is bounded by the buffer before it is used. */
#include <string.h>

#include "dfukit/err.h"
#include "dfukit/smp_cbor.h"
#include "smp_cbor_head.h"

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
    return cbor_head_get(d->buf + d->off, d->len - d->off, out, used);
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
