/* Settings: the store (a RAM table persisted to an append-only log in the storage partition)
 * and the SMP Settings group (3) over it. Heap-free, OS-free.
 *
 * On-flash format of the log
 * --------------------------
 * The partition is a ring of sectors (at least two). Exactly one sector is *active*: the valid
 * sector with the highest generation. It holds a complete picture of the stored values, so the
 * other sectors are never read. A = the device's write alignment, E = its erased value; every
 * multi-byte field is little-endian; roundup(x) rounds up to a multiple of A.
 *
 *   sector header, at sector offset 0, roundup(12) bytes:
 *     "DSv1" magic | u32 generation | u32 crc32(IEEE) of the 8 bytes before | pad E
 *   records, from offset roundup(12), back to back, each roundup(8 + n + v) bytes:
 *     u8 n (key length, 1..SETTINGS_NAME_MAX-1) | u8 kind (0x01 value, 0x02 deletion)
 *     | u16 v (value length, 0..SETTINGS_VAL_MAX; 0 for a deletion) | key | value
 *     | u32 crc32 of everything before it in the record | pad E
 *
 * The log ends at the first record whose 4 header bytes all read E. A record whose header is
 * plausible but whose crc fails was torn by a power cut: it is skipped. A header that is not
 * plausible ends the usable part of the sector (the next append rotates).
 *
 * Appending writes one record at the end; the target bytes are checked erased first. When the
 * record does not fit, the store rotates: the next sector of the ring is erased, the live
 * records of the active sector (the last record of each key, when it is a value) are copied
 * into it, and only then its header is written with generation + 1. A power cut before that
 * header leaves a sector without a valid header, which is ignored: the old active sector is
 * still complete. Keys are compared byte by byte; deletions need not survive a rotation,
 * because the new sector starts from the complete live set. */
#include "dfukit/server_ports.h"

#include <string.h>

#include "dfukit/bytes.h"
#include "dfukit/err.h"
#include "dfukit/server.h"
#include "crc32.h"

#define ST_MAGIC_0 'D'
#define ST_MAGIC_1 'S'
#define ST_MAGIC_2 'v'
#define ST_MAGIC_3 '1'
#define ST_HDR_BYTES 12u
#define ST_KIND_VALUE 0x01
#define ST_KIND_DELETE 0x02
#define ST_ALIGN_MAX 32u
/* The largest record before padding: header, longest key and value, crc. */
#define ST_REC_RAW_MAX (4u + (SETTINGS_NAME_MAX - 1u) + SETTINGS_VAL_MAX + 4u)
#define ST_REC_BUF ((ST_REC_RAW_MAX + ST_ALIGN_MAX - 1u) / ST_ALIGN_MAX * ST_ALIGN_MAX)

_Static_assert(SETTINGS_NAME_MAX >= 2 && SETTINGS_NAME_MAX <= 256, "key length must fit a u8");
_Static_assert(SETTINGS_VAL_MAX <= 0xffff, "value length must fit a u16");

/* A record as found on flash. */
struct st_rec {
    uint32_t off;       /* sector-relative */
    uint32_t size;      /* padded size */
    uint8_t name_len;
    uint8_t kind;
    uint16_t val_len;
};

static uint32_t align_up(const struct settings_store *st, uint32_t x)
{
    uint32_t a = flash_area_align(st->fa);
    return (x + a - 1u) / a * a;
}

static uint32_t hdr_size(const struct settings_store *st)
{
    return align_up(st, ST_HDR_BYTES);
}

static bool name_ok(const char *name, size_t name_len)
{
    return name_len > 0 && name_len < SETTINGS_NAME_MAX && memchr(name, '\0', name_len) == NULL;
}

/* Validates a key from outside: DFU_EINVAL empty or with a NUL, DFU_ERANGE too long. */
static int check_name(const char *name, size_t name_len)
{
    if (name_len >= SETTINGS_NAME_MAX) {
        return DFU_ERANGE;
    }
    return name_ok(name, name_len) ? 0 : DFU_EINVAL;
}

/* ---- RAM table ---------------------------------------------------------------------------- */

static struct settings_entry *entry_find(const struct settings_store *st, const char *name,
                                         size_t name_len)
{
    for (size_t i = 0; i < SETTINGS_ENTRIES_MAX; i++) {
        const struct settings_entry *e = &st->entries[i];
        if (e->used && e->name_len == name_len && memcmp(e->name, name, name_len) == 0) {
            return (struct settings_entry *)e;
        }
    }
    return NULL;
}

static int entry_put(struct settings_store *st, const char *name, size_t name_len,
                     const void *val, size_t val_len, bool dirty)
{
    struct settings_entry *e = entry_find(st, name, name_len);
    for (size_t i = 0; e == NULL && i < SETTINGS_ENTRIES_MAX; i++) {
        if (!st->entries[i].used) {
            e = &st->entries[i];
            memset(e, 0, sizeof(*e));
            memcpy(e->name, name, name_len);
            e->name_len = (uint8_t)name_len;
            e->used = true;
        }
    }
    if (e == NULL) {
        return DFU_ENOSPC;
    }
    if (val_len) {
        memcpy(e->val, val, val_len);
    }
    e->val_len = (uint16_t)val_len;
    e->dirty = dirty;
    return 0;
}

/* ---- log reading ------------------------------------------------------------------------- */

static bool all_equal(const uint8_t *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != v) {
            return false;
        }
    }
    return true;
}

enum rec_status { REC_OK, REC_TORN, REC_END, REC_GARBAGE };

/* Reads the record at sector offset off into buf (ST_REC_BUF bytes) and classifies it. */
static int rec_read(const struct settings_store *st, uint32_t off, uint8_t *buf,
                    struct st_rec *rec, enum rec_status *status)
{
    if (off + 8u > st->sector_size) {
        *status = REC_END;
        return 0;
    }
    int rc = flash_area_read(st->fa, st->sector_off + off, buf, 4);
    if (rc) {
        return rc;
    }
    if (all_equal(buf, 4, flash_area_erased_val(st->fa))) {
        *status = REC_END;
        return 0;
    }
    rec->off = off;
    rec->name_len = buf[0];
    rec->kind = buf[1];
    rec->val_len = load16_le(buf + 2);
    uint32_t raw = 4u + rec->name_len + rec->val_len + 4u;
    rec->size = align_up(st, raw);
    bool plausible = rec->name_len > 0 && rec->name_len < SETTINGS_NAME_MAX &&
                     rec->val_len <= SETTINGS_VAL_MAX &&
                     (rec->kind == ST_KIND_VALUE ||
                      (rec->kind == ST_KIND_DELETE && rec->val_len == 0)) &&
                     rec->size <= st->sector_size - off;
    if (!plausible) {
        *status = REC_GARBAGE;
        return 0;
    }
    rc = flash_area_read(st->fa, st->sector_off + off + 4u, buf + 4, raw - 4u);
    if (rc) {
        return rc;
    }
    uint32_t crc = crc32_ieee(0, buf, raw - 4u);
    bool intact = crc == load32_le(buf + raw - 4u) && name_ok((const char *)buf + 4, rec->name_len);
    *status = intact ? REC_OK : REC_TORN;
    return 0;
}

/* Does a later intact record of the active sector, starting at from, carry the same key? */
static int rec_superseded(const struct settings_store *st, uint32_t from, const uint8_t *name,
                          uint8_t name_len, bool *out)
{
    uint8_t buf[ST_REC_BUF];
    struct st_rec rec;
    enum rec_status status;
    uint32_t off = from;
    *out = false;
    while (off < st->write_off) {
        int rc = rec_read(st, off, buf, &rec, &status);
        if (rc) {
            return rc;
        }
        if (status == REC_END || status == REC_GARBAGE) {
            break;
        }
        if (status == REC_OK && rec.name_len == name_len && memcmp(buf + 4, name, name_len) == 0) {
            *out = true;
            return 0;
        }
        off += rec.size;
    }
    return 0;
}

/* Reads a sector header: generation when valid. */
static int sector_gen(const struct settings_store *st, uint32_t sec_off, bool *valid,
                      uint32_t *gen)
{
    uint8_t h[ST_HDR_BYTES];
    int rc = flash_area_read(st->fa, sec_off, h, sizeof(h));
    if (rc) {
        return rc;
    }
    *valid = h[0] == ST_MAGIC_0 && h[1] == ST_MAGIC_1 && h[2] == ST_MAGIC_2 && h[3] == ST_MAGIC_3 &&
             crc32_ieee(0, h, 8) == load32_le(h + 8);
    *gen = load32_le(h + 4);
    return 0;
}

/* Finds the end of the log of the active sector. */
static int find_write_off(struct settings_store *st)
{
    uint8_t buf[ST_REC_BUF];
    struct st_rec rec;
    enum rec_status status;
    uint32_t off = hdr_size(st);
    st->write_off = st->sector_size;  /* provisional, so rec_read may look everywhere */
    for (;;) {
        int rc = rec_read(st, off, buf, &rec, &status);
        if (rc) {
            return rc;
        }
        if (status == REC_END) {
            st->write_off = off;
            return 0;
        }
        if (status == REC_GARBAGE) {
            st->write_off = st->sector_size;  /* unusable tail: the next append rotates */
            return 0;
        }
        off += rec.size;
    }
}

/* ---- log writing ------------------------------------------------------------------------- */

static int write_header(const struct settings_store *st, uint32_t sec_off, uint32_t gen)
{
    uint8_t h[ST_ALIGN_MAX];
    uint32_t n = hdr_size(st);
    memset(h, flash_area_erased_val(st->fa), sizeof(h));
    h[0] = ST_MAGIC_0;
    h[1] = ST_MAGIC_1;
    h[2] = ST_MAGIC_2;
    h[3] = ST_MAGIC_3;
    store32_le(h + 4, gen);
    store32_le(h + 8, crc32_ieee(0, h, 8));
    return flash_area_write(st->fa, sec_off, h, n);
}

static int region_erased(const struct settings_store *st, uint32_t off, uint32_t len)
{
    uint8_t scratch[ST_ALIGN_MAX];
    return flash_area_is_erased(st->fa, st->sector_off + off, len, scratch, sizeof(scratch));
}

/* Builds a record in buf; returns its padded size. */
static uint32_t rec_build(const struct settings_store *st, uint8_t *buf, uint8_t kind,
                          const char *name, size_t name_len, const void *val, size_t val_len)
{
    uint32_t raw = (uint32_t)(4u + name_len + val_len + 4u);
    uint32_t size = align_up(st, raw);
    memset(buf, flash_area_erased_val(st->fa), size);
    buf[0] = (uint8_t)name_len;
    buf[1] = kind;
    store16_le(buf + 2, (uint16_t)val_len);
    memcpy(buf + 4, name, name_len);
    if (val_len) {
        memcpy(buf + 4 + name_len, val, val_len);
    }
    store32_le(buf + raw - 4u, crc32_ieee(0, buf, raw - 4u));
    return size;
}

/* Moves the live set of the active sector to the next sector of the ring. */
static int rotate(struct settings_store *st)
{
    uint32_t count = flash_area_sector_count(st->fa);
    uint32_t target_idx = (st->sector_idx + 1u) % count;
    struct flash_sector target;
    int rc = flash_area_sector(st->fa, target_idx, &target);
    if (rc) {
        return rc;
    }
    rc = flash_area_erase(st->fa, target.off, target.size);
    if (rc) {
        return rc;
    }
    uint8_t buf[ST_REC_BUF];
    struct st_rec rec;
    enum rec_status status;
    uint32_t dst = hdr_size(st);
    for (uint32_t off = hdr_size(st); off < st->write_off; off += rec.size) {
        rc = rec_read(st, off, buf, &rec, &status);
        if (rc) {
            return rc;
        }
        if (status == REC_END || status == REC_GARBAGE) {
            break;
        }
        if (status != REC_OK || rec.kind != ST_KIND_VALUE) {
            continue;
        }
        bool later;
        rc = rec_superseded(st, off + rec.size, buf + 4, rec.name_len, &later);
        if (rc) {
            return rc;
        }
        if (later) {
            continue;
        }
        if (rec.size > target.size - dst) {
            return DFU_ENOSPC;
        }
        /* rec_read filled buf with the raw record; the padding is rebuilt as erased bytes. */
        uint32_t raw = 4u + rec.name_len + rec.val_len + 4u;
        memset(buf + raw, flash_area_erased_val(st->fa), rec.size - raw);
        rc = flash_area_write(st->fa, target.off + dst, buf, rec.size);
        if (rc) {
            return rc;
        }
        dst += rec.size;
    }
    rc = write_header(st, target.off, st->seq + 1u);
    if (rc) {
        return rc;
    }
    st->seq++;
    st->sector_idx = target_idx;
    st->sector_off = target.off;
    st->sector_size = target.size;
    st->write_off = dst;
    return 0;
}

static int append(struct settings_store *st, uint8_t kind, const char *name, size_t name_len,
                  const void *val, size_t val_len)
{
    uint8_t buf[ST_REC_BUF];
    uint32_t size = rec_build(st, buf, kind, name, name_len, val, val_len);
    for (int attempt = 0; attempt < 2; attempt++) {
        if (size <= st->sector_size - st->write_off) {
            int erased = region_erased(st, st->write_off, size);
            if (erased < 0) {
                return erased;
            }
            if (erased) {
                int rc = flash_area_write(st->fa, st->sector_off + st->write_off, buf, size);
                if (rc) {
                    /* Whatever got programmed is now in the way: never write there again. */
                    st->write_off = st->sector_size;
                    return rc;
                }
                st->write_off += size;
                return 0;
            }
        }
        if (attempt == 0) {
            int rc = rotate(st);
            if (rc) {
                return rc;
            }
        }
    }
    return DFU_ENOSPC;
}

/* Formats: sector 0 becomes the active sector, generation 1. */
static int format(struct settings_store *st)
{
    struct flash_sector s;
    int rc = flash_area_sector(st->fa, 0, &s);
    if (rc == 0) {
        rc = flash_area_erase(st->fa, s.off, s.size);
    }
    if (rc == 0) {
        rc = write_header(st, s.off, 1);
    }
    if (rc) {
        return rc;
    }
    st->seq = 1;
    st->sector_idx = 0;
    st->sector_off = s.off;
    st->sector_size = s.size;
    st->write_off = hdr_size(st);
    return 0;
}

/* ---- public API -------------------------------------------------------------------------- */

int settings_store_load(struct settings_store *st)
{
    uint8_t buf[ST_REC_BUF];
    struct st_rec rec;
    enum rec_status status;
    int result = 0;
    for (uint32_t off = hdr_size(st); off < st->write_off; off += rec.size) {
        int rc = rec_read(st, off, buf, &rec, &status);
        if (rc) {
            return rc;
        }
        if (status == REC_END || status == REC_GARBAGE) {
            break;
        }
        if (status != REC_OK) {
            continue;
        }
        const char *name = (const char *)buf + 4;
        if (rec.kind == ST_KIND_VALUE) {
            if (entry_put(st, name, rec.name_len, buf + 4 + rec.name_len, rec.val_len, false)) {
                result = DFU_ENOSPC;  /* keep loading what fits */
            }
        } else {
            struct settings_entry *e = entry_find(st, name, rec.name_len);
            if (e != NULL) {
                e->used = false;
            }
        }
    }
    return result;
}

int settings_store_init(struct settings_store *st, const struct flash_area *fa)
{
    memset(st, 0, sizeof(*st));
    st->fa = fa;
    uint32_t count = flash_area_sector_count(fa);
    if (count < 2 || !flash_area_is_sector_aligned(fa) || flash_area_align(fa) > ST_ALIGN_MAX) {
        return DFU_EINVAL;
    }
    bool found = false;
    for (uint32_t i = 0; i < count; i++) {
        struct flash_sector s;
        int rc = flash_area_sector(fa, i, &s);
        if (rc) {
            return rc;
        }
        if (s.size < hdr_size(st) + ST_REC_BUF) {
            return DFU_EINVAL;  /* a sector must at least hold the largest record */
        }
        bool valid;
        uint32_t gen;
        rc = sector_gen(st, s.off, &valid, &gen);
        if (rc) {
            return rc;
        }
        if (valid && (!found || gen > st->seq)) {
            found = true;
            st->seq = gen;
            st->sector_idx = i;
            st->sector_off = s.off;
            st->sector_size = s.size;
        }
    }
    int rc = found ? find_write_off(st) : format(st);
    if (rc) {
        return rc;
    }
    return settings_store_load(st);
}

int settings_store_get(const struct settings_store *st, const char *name, size_t name_len,
                       void *buf, size_t buf_size)
{
    int rc = check_name(name, name_len);
    if (rc) {
        return rc;
    }
    const struct settings_entry *e = entry_find(st, name, name_len);
    if (e == NULL) {
        return DFU_ENOENT;
    }
    size_t n = e->val_len < buf_size ? e->val_len : buf_size;
    if (n) {
        memcpy(buf, e->val, n);
    }
    return e->val_len;
}

int settings_store_set(struct settings_store *st, const char *name, size_t name_len,
                       const void *val, size_t val_len)
{
    int rc = check_name(name, name_len);
    if (rc) {
        return rc;
    }
    if (val_len > SETTINGS_VAL_MAX) {
        return DFU_EOVERFLOW;
    }
    const struct settings_entry *e = entry_find(st, name, name_len);
    if (e != NULL && !e->dirty && e->val_len == val_len &&
        (val_len == 0 || memcmp(e->val, val, val_len) == 0)) {
        return 0;  /* unchanged: nothing to save */
    }
    return entry_put(st, name, name_len, val, val_len, true);
}

int settings_store_delete(struct settings_store *st, const char *name, size_t name_len)
{
    int rc = check_name(name, name_len);
    if (rc) {
        return rc;
    }
    struct settings_entry *e = entry_find(st, name, name_len);
    if (e == NULL) {
        return DFU_ENOENT;
    }
    rc = append(st, ST_KIND_DELETE, name, name_len, NULL, 0);
    if (rc) {
        return rc;
    }
    e->used = false;
    return 0;
}

int settings_store_save(struct settings_store *st)
{
    for (size_t i = 0; i < SETTINGS_ENTRIES_MAX; i++) {
        struct settings_entry *e = &st->entries[i];
        if (!e->used || !e->dirty) {
            continue;
        }
        int rc = append(st, ST_KIND_VALUE, e->name, e->name_len, e->val, e->val_len);
        if (rc) {
            return rc;
        }
        e->dirty = false;
    }
    return 0;
}

void settings_store_commit(struct settings_store *st)
{
    st->commits++;
    if (st->on_commit != NULL) {
        st->on_commit(st->commit_arg);
    }
}

void settings_store_foreach(const struct settings_store *st, settings_visit_fn fn, void *arg)
{
    for (size_t i = 0; i < SETTINGS_ENTRIES_MAX; i++) {
        const struct settings_entry *e = &st->entries[i];
        if (e->used && !fn(arg, e->name, e->val, e->val_len)) {
            return;
        }
    }
}

/* ---- Settings group (3) ------------------------------------------------------------------ */

static struct settings_store *settings_of(struct mgmt_ctx *ctx)
{
    return ctx->srv->port != NULL ? ctx->srv->port->settings : NULL;
}

/* Decodes the request with the key table, then checks the store and the "name" (first
 * entry, required): an SMP code, a group error, or 0. */
static int settings_begin(struct mgmt_ctx *ctx, struct smp_cbor_map_entry *keys, size_t count,
                          const struct smp_cbor_str *name)
{
    if (settings_of(ctx) == NULL) {
        mgmt_set_rsn(ctx, "no settings storage");
        return SMP_ERR_ENOTSUP;
    }
    int rc = mgmt_decode(ctx, keys, count);
    if (rc) {
        return rc;
    }
    if (!keys[0].found || name->len == 0 || memchr(name->ptr, '\0', name->len) != NULL) {
        mgmt_set_rsn(ctx, "bad name");
        return SMP_ERR_EINVAL;
    }
    if (name->len >= SETTINGS_NAME_MAX) {
        return mgmt_group_err(ctx, SETTINGS_ERR_KEY_TOO_LONG);
    }
    return 0;
}

/* "val" is a bstr in Zephyr; the Go mcumgr's "config" command sends a tstr: both are taken. */
static int settings_dec_val(struct smp_cbor_dec *d, void *out)
{
    struct smp_cbor_item it;
    int rc = smp_cbor_peek(d, &it);
    if (rc) {
        return rc;
    }
    return it.type == SMP_CBOR_TSTR ? smp_cbor_get_tstr(d, out) : smp_cbor_get_bstr(d, out);
}

/* 0/3/0 {"name", ("max_size")} -> {"val", ("max_size")} */
static int settings_read(struct mgmt_ctx *ctx)
{
    struct smp_cbor_str name = {0};
    uint32_t max_size = SETTINGS_VAL_MAX;
    struct smp_cbor_map_entry keys[] = {
        {"name", smp_cbor_dec_tstr, &name, false},
        {"max_size", smp_cbor_dec_uint32, &max_size, false},
    };
    int rc = settings_begin(ctx, keys, 2, &name);
    if (rc) {
        return rc;
    }
    bool limited = max_size > SETTINGS_VAL_MAX;
    if (limited) {
        max_size = SETTINGS_VAL_MAX;
    }
    uint8_t val[SETTINGS_VAL_MAX];
    int n = settings_store_get(settings_of(ctx), (const char *)name.ptr, name.len, val, max_size);
    if (n < 0) {
        return mgmt_group_err(ctx, n == DFU_ENOENT ? SETTINGS_ERR_KEY_NOT_FOUND
                                                   : SETTINGS_ERR_UNKNOWN);
    }
    size_t len = (size_t)n < max_size ? (size_t)n : max_size;
    bool ok = smp_cbor_put_kv_bstr(ctx->enc, "val", val, len) &&
              (!limited || smp_cbor_put_kv_uint(ctx->enc, "max_size", SETTINGS_VAL_MAX));
    return ok ? MGMT_OK : SMP_ERR_EMSGSIZE;
}

/* 2/3/0 {"name", "val"} -> {} */
static int settings_write(struct mgmt_ctx *ctx)
{
    struct smp_cbor_str name = {0}, val = {0};
    struct smp_cbor_map_entry keys[] = {
        {"name", smp_cbor_dec_tstr, &name, false},
        {"val", settings_dec_val, &val, false},
    };
    int rc = settings_begin(ctx, keys, 2, &name);
    if (rc) {
        return rc;
    }
    if (!keys[1].found) {
        mgmt_set_rsn(ctx, "val required");
        return SMP_ERR_EINVAL;
    }
    rc = settings_store_set(settings_of(ctx), (const char *)name.ptr, name.len, val.ptr, val.len);
    switch (rc) {
    case 0:
        return MGMT_OK;
    case DFU_EOVERFLOW:
        mgmt_set_rsn(ctx, "value too long");
        return SMP_ERR_EMSGSIZE;
    case DFU_ENOSPC:
        mgmt_set_rsn(ctx, "settings table full");
        return SMP_ERR_ENOMEM;
    default:
        return mgmt_group_err(ctx, SETTINGS_ERR_UNKNOWN);
    }
}

/* 2/3/1 {"name"} -> {} */
static int settings_delete(struct mgmt_ctx *ctx)
{
    struct smp_cbor_str name = {0};
    struct smp_cbor_map_entry keys[] = {{"name", smp_cbor_dec_tstr, &name, false}};
    int rc = settings_begin(ctx, keys, 1, &name);
    if (rc) {
        return rc;
    }
    rc = settings_store_delete(settings_of(ctx), (const char *)name.ptr, name.len);
    if (rc) {
        return mgmt_group_err(ctx, rc == DFU_ENOENT ? SETTINGS_ERR_KEY_NOT_FOUND
                                                    : SETTINGS_ERR_UNKNOWN);
    }
    return MGMT_OK;
}

static int settings_no_args(struct mgmt_ctx *ctx)
{
    if (settings_of(ctx) == NULL) {
        mgmt_set_rsn(ctx, "no settings storage");
        return SMP_ERR_ENOTSUP;
    }
    return mgmt_decode(ctx, NULL, 0);
}

/* 2/3/2 {} -> {} */
static int settings_commit(struct mgmt_ctx *ctx)
{
    int rc = settings_no_args(ctx);
    if (rc) {
        return rc;
    }
    settings_store_commit(settings_of(ctx));
    return MGMT_OK;
}

/* 0/3/3 {} -> {} */
static int settings_load(struct mgmt_ctx *ctx)
{
    int rc = settings_no_args(ctx);
    if (rc) {
        return rc;
    }
    rc = settings_store_load(settings_of(ctx));
    if (rc == DFU_ENOSPC) {
        mgmt_set_rsn(ctx, "settings table full");
        return SMP_ERR_ENOMEM;
    }
    return rc ? mgmt_group_err(ctx, SETTINGS_ERR_UNKNOWN) : MGMT_OK;
}

/* 2/3/3 {} -> {} */
static int settings_save(struct mgmt_ctx *ctx)
{
    int rc = settings_no_args(ctx);
    if (rc) {
        return rc;
    }
    rc = settings_store_save(settings_of(ctx));
    if (rc == DFU_ENOSPC) {
        mgmt_set_rsn(ctx, "settings storage full");
        return SMP_ERR_ENOMEM;
    }
    return rc ? mgmt_group_err(ctx, SETTINGS_ERR_UNKNOWN) : MGMT_OK;
}

static const struct mgmt_handler settings_handlers[] = {
    [0] = {.read = settings_read, .write = settings_write},
    [1] = {.read = NULL, .write = settings_delete},
    [2] = {.read = NULL, .write = settings_commit},
    [3] = {.read = settings_load, .write = settings_save},
};

const struct mgmt_group settings_mgmt_group = {
    .id = SMP_GROUP_SETTINGS,
    .handlers = settings_handlers,
    .count = 4,
    .name = "settings mgmt",
};
