/* FS group (8): file upload, download, status, hash/checksum, supported hashes and close, over
 * the filesystem port (server_ports.h). Wire behaviour follows Zephyr's fs_mgmt:
 * one open-file context kept between requests; an upload at offset 0 truncates; a wrong
 * offset is FILE_OFFSET_NOT_VALID with "len" = the offset expected; a download chunk is sized
 * by the server and the first reply carries the file length. Heap-free, OS-free. */
#include "crc32.h"

#include <string.h>

#include "dfukit/bytes.h"
#include "dfukit/crypto.h"
#include "dfukit/err.h"
#include "dfukit/server.h"

/* Bytes a download or hash reads at a time when hashing; stack-resident. */
#ifndef FS_MGMT_HASH_CHUNK
#define FS_MGMT_HASH_CHUNK 128u
#endif
/* Response bytes kept free around a download chunk: keys "off", "data", "len", their values,
 * the bstr head and room for an "err" map. */
#define FS_DL_OVERHEAD 48u

#define FS_CRC32_SIZE 4u
#define FS_SHA256_SIZE 32u

/* ---- context ------------------------------------------------------------------------------ */

static struct fs_mgmt_state *fs_state(struct smp_server *srv)
{
    return srv->group_state[SMP_GROUP_FS];
}

static const struct fs_port *fs_port(struct smp_server *srv)
{
    const struct fs_port *p = srv->port != NULL ? srv->port->fs : NULL;
    return (p != NULL && p->ops != NULL) ? p : NULL;
}

static uint32_t fs_now(const struct fs_mgmt_state *st)
{
    return st->now_ms != NULL ? st->now_ms(st->clock_arg) : 0;
}

void fs_mgmt_attach(struct smp_server *srv, struct fs_mgmt_state *st,
                    uint32_t (*now_ms)(void *arg), void *clock_arg)
{
    memset(st, 0, sizeof(*st));
    st->mode = FS_MGMT_IDLE;
    st->handle = -1;
    st->idle_ms = FS_MGMT_IDLE_MS;
    st->now_ms = now_ms;
    st->clock_arg = clock_arg;
    srv->group_state[SMP_GROUP_FS] = st;
}

void fs_mgmt_close_file(struct smp_server *srv)
{
    struct fs_mgmt_state *st = fs_state(srv);
    const struct fs_port *port = fs_port(srv);
    if (st == NULL || st->mode == FS_MGMT_IDLE) {
        return;
    }
    if (port != NULL && st->handle >= 0) {
        port->ops->close(port->ctx, st->handle);
    }
    st->mode = FS_MGMT_IDLE;
    st->handle = -1;
    st->off = 0;
    st->len = 0;
    st->len_known = false;
    st->path[0] = '\0';
}

void fs_mgmt_poll(struct smp_server *srv)
{
    struct fs_mgmt_state *st = fs_state(srv);
    if (st != NULL && st->mode != FS_MGMT_IDLE && st->now_ms != NULL &&
        (uint32_t)(fs_now(st) - st->last_ms) >= st->idle_ms) {
        fs_mgmt_close_file(srv);
    }
}

/* Common start of every file command: the port, and the name copied NUL-terminated. */
static int fs_take_name(struct mgmt_ctx *ctx, const struct smp_cbor_str *name,
                        char path[FS_PORT_PATH_MAX + 1])
{
    if (name->len == 0 || name->len > FS_PORT_PATH_MAX ||
        memchr(name->ptr, '\0', name->len) != NULL) {
        mgmt_set_rsn(ctx, "bad file name");
        return SMP_ERR_EINVAL;
    }
    memcpy(path, name->ptr, name->len);
    path[name->len] = '\0';
    return 0;
}

static int fs_need_port(struct mgmt_ctx *ctx, bool need_state)
{
    if (fs_port(ctx->srv) == NULL || (need_state && fs_state(ctx->srv) == NULL)) {
        mgmt_set_rsn(ctx, "no filesystem");
        return SMP_ERR_ENOTSUP;
    }
    return 0;
}

/* Size of a file for reading commands, as a group code (0 ok). */
static int fs_file_size(const struct fs_port *port, const char *path, uint32_t *size)
{
    struct fs_port_stat s;
    int rc = port->ops->stat(port->ctx, path, &s);
    switch (rc) {
    case 0:
        break;
    case DFU_EINVAL:
        return FS_ERR_FILE_INVALID_NAME;
    case DFU_ENOENT:
        return FS_ERR_FILE_NOT_FOUND;
    case DFU_EPERM:
        return FS_ERR_FILE_OPEN_FAILED;  /* refused by the port: a symlink, not a file */
    default:
        return FS_ERR_UNKNOWN;
    }
    if (s.is_dir) {
        return FS_ERR_FILE_IS_DIRECTORY;
    }
    *size = s.size;
    return 0;
}

static int open_err(int rc, bool writing)
{
    switch (rc) {
    case DFU_EINVAL:
        return FS_ERR_FILE_INVALID_NAME;
    case DFU_ENOENT:
        return writing ? FS_ERR_MOUNT_POINT_NOT_FOUND : FS_ERR_FILE_NOT_FOUND;
    case DFU_EPERM:
        return writing ? FS_ERR_READ_ONLY_FILESYSTEM : FS_ERR_FILE_OPEN_FAILED;
    default:
        return FS_ERR_FILE_OPEN_FAILED;
    }
}

/* ---- upload (2/8/0) ---------------------------------------------------------------------- */

/* 0 when `need` more bytes fit the filesystem (the existing file at path counted as free when
 * `replacing`); else the group error for no space: FILE_WRITE_FAILED, Zephyr's answer when
 * the filesystem runs full. */
static int fs_check_room(struct mgmt_ctx *ctx, const char *path, uint32_t need, bool replacing)
{
    const struct fs_port *port = fs_port(ctx->srv);
    if (port->ops->free_space == NULL) {
        return 0;
    }
    uint32_t room;
    if (port->ops->free_space(port->ctx, &room) != 0) {
        return mgmt_group_err(ctx, FS_ERR_UNKNOWN);
    }
    struct fs_port_stat s;
    if (replacing && port->ops->stat(port->ctx, path, &s) == 0 && !s.is_dir) {
        room = s.size > UINT32_MAX - room ? UINT32_MAX : room + s.size;
    }
    if (need > room) {
        mgmt_set_rsn(ctx, "not enough space on the file system");
        return mgmt_group_err(ctx, FS_ERR_FILE_WRITE_FAILED);
    }
    return 0;
}

static int fs_upload(struct mgmt_ctx *ctx)
{
    uint64_t off = 0, len = 0;
    struct smp_cbor_str name = {0}, data = {0};
    struct smp_cbor_map_entry keys[] = {
        {"off", smp_cbor_dec_uint64, &off, false},
        {"name", smp_cbor_dec_tstr, &name, false},
        {"data", smp_cbor_dec_bstr, &data, false},
        {"len", smp_cbor_dec_uint64, &len, false},
    };
    int rc = fs_need_port(ctx, true);
    if (rc) {
        return rc;
    }
    rc = mgmt_decode(ctx, keys, 4);
    if (rc) {
        return rc;
    }
    if (!keys[0].found || !keys[1].found) {
        mgmt_set_rsn(ctx, "off and name required");
        return SMP_ERR_EINVAL;
    }
    if (off == 0 && !keys[3].found) {
        mgmt_set_rsn(ctx, "len required at off 0");
        return SMP_ERR_EINVAL;
    }
    if (len > UINT32_MAX || off > UINT32_MAX || data.len > UINT32_MAX - off) {
        mgmt_set_rsn(ctx, "file too large");
        return SMP_ERR_EINVAL;
    }
    if (off == 0 && data.len > len) {
        mgmt_set_rsn(ctx, "data beyond len");
        return SMP_ERR_EINVAL;  /* refused before the file is touched */
    }
    char path[FS_PORT_PATH_MAX + 1];
    rc = fs_take_name(ctx, &name, path);
    if (rc) {
        return rc;
    }
    struct smp_server *srv = ctx->srv;
    struct fs_mgmt_state *st = fs_state(srv);
    const struct fs_port *port = fs_port(srv);

    if (st->mode != FS_MGMT_UPLOAD || strcmp(st->path, path) != 0) {
        fs_mgmt_close_file(srv);
    }
    if (off == 0) {
        /* A new file must fit whole (the one it replaces counts as free): refused before the
         * file is opened or truncated, so nothing half-written is left. */
        rc = fs_check_room(ctx, path, (uint32_t)len, true);
        if (rc) {
            fs_mgmt_close_file(srv);
            return rc;
        }
    }
    bool fresh = st->mode == FS_MGMT_IDLE;
    uint32_t existing = 0;
    if (fresh) {
        struct fs_port_stat s;
        rc = port->ops->stat(port->ctx, path, &s);
        if (rc == 0 && s.is_dir) {
            return mgmt_group_err(ctx, FS_ERR_FILE_IS_DIRECTORY);
        }
        if (rc != 0 && rc != DFU_ENOENT) {
            return mgmt_group_err(ctx, open_err(rc, true));
        }
        existing = rc == 0 ? s.size : 0;
        if (off > 0 && off != existing) {
            /* Resuming at the wrong place: answer before anything is created or opened. */
            smp_cbor_put_kv_uint(ctx->enc, "len", existing);
            return mgmt_group_err(ctx, FS_ERR_FILE_OFFSET_NOT_VALID);
        }
        int h = port->ops->open(port->ctx, path, FS_PORT_WRITE);
        if (h < 0) {
            return mgmt_group_err(ctx, open_err(h, true));
        }
        st->mode = FS_MGMT_UPLOAD;
        st->handle = h;
        memcpy(st->path, path, strlen(path) + 1);
        /* Resuming after the context was lost: the file holds what was written so far. */
        st->off = off > 0 ? existing : 0;
        st->len = 0;
        st->len_known = false;
    }
    if (off == 0) {
        rc = port->ops->truncate(port->ctx, st->handle, 0);
        if (rc) {
            fs_mgmt_close_file(srv);
            return mgmt_group_err(ctx, FS_ERR_FILE_TRUNCATE_FAILED);
        }
        st->off = 0;
        st->len = (uint32_t)len;
        st->len_known = true;
    } else if (off != st->off) {
        uint32_t expected = st->off;
        fs_mgmt_close_file(srv);
        smp_cbor_put_kv_uint(ctx->enc, "len", expected);
        return mgmt_group_err(ctx, FS_ERR_FILE_OFFSET_NOT_VALID);
    }
    if (st->len_known && data.len > st->len - st->off) {
        mgmt_set_rsn(ctx, "data beyond len");
        return SMP_ERR_EINVAL;
    }
    if (data.len > 0 && !st->len_known) {
        /* Resumed without "len": each chunk must fit, so the file never outgrows the bound. */
        rc = fs_check_room(ctx, path, (uint32_t)data.len, false);
        if (rc) {
            fs_mgmt_close_file(srv);
            return rc;
        }
    }
    if (data.len > 0) {
        rc = port->ops->write(port->ctx, st->handle, st->off, data.ptr, (uint32_t)data.len);
        if (rc) {
            fs_mgmt_close_file(srv);
            return mgmt_group_err(ctx, FS_ERR_FILE_WRITE_FAILED);
        }
        st->off += (uint32_t)data.len;
    }
    if (!smp_cbor_put_kv_uint(ctx->enc, "off", st->off)) {
        return SMP_ERR_EMSGSIZE;
    }
    if (st->len_known && st->off >= st->len) {
        fs_mgmt_close_file(srv);  /* complete */
    } else {
        st->last_ms = fs_now(st);
    }
    return MGMT_OK;
}

/* ---- download (0/8/0) -------------------------------------------------------------------- */

static int fs_download(struct mgmt_ctx *ctx)
{
    uint64_t off = 0;
    struct smp_cbor_str name = {0};
    struct smp_cbor_map_entry keys[] = {
        {"off", smp_cbor_dec_uint64, &off, false},
        {"name", smp_cbor_dec_tstr, &name, false},
    };
    int rc = fs_need_port(ctx, true);
    if (rc) {
        return rc;
    }
    rc = mgmt_decode(ctx, keys, 2);
    if (rc) {
        return rc;
    }
    if (!keys[0].found || !keys[1].found) {
        mgmt_set_rsn(ctx, "off and name required");
        return SMP_ERR_EINVAL;
    }
    char path[FS_PORT_PATH_MAX + 1];
    rc = fs_take_name(ctx, &name, path);
    if (rc) {
        return rc;
    }
    struct smp_server *srv = ctx->srv;
    struct fs_mgmt_state *st = fs_state(srv);
    const struct fs_port *port = fs_port(srv);

    if (st->mode != FS_MGMT_DOWNLOAD || strcmp(st->path, path) != 0) {
        fs_mgmt_close_file(srv);
        uint32_t size = 0;
        rc = fs_file_size(port, path, &size);
        if (rc) {
            return mgmt_group_err(ctx, rc);
        }
        int h = port->ops->open(port->ctx, path, FS_PORT_READ);
        if (h < 0) {
            return mgmt_group_err(ctx, open_err(h, false));
        }
        st->mode = FS_MGMT_DOWNLOAD;
        st->handle = h;
        memcpy(st->path, path, strlen(path) + 1);
        st->len = size;
        st->off = 0;
    }
    if (off > st->len) {
        fs_mgmt_close_file(srv);
        return mgmt_group_err(ctx, FS_ERR_FILE_OFFSET_LARGER_THAN_FILE);
    }
    /* The chunk: what is left, bounded by the chunk buffer and the response room. */
    size_t room = ctx->enc->cap > ctx->enc->len ? ctx->enc->cap - ctx->enc->len : 0;
    uint32_t chunk = st->len - (uint32_t)off;
    if (chunk > FS_MGMT_DL_CHUNK_MAX) {
        chunk = FS_MGMT_DL_CHUNK_MAX;
    }
    if (room < FS_DL_OVERHEAD + 1u) {
        return SMP_ERR_EMSGSIZE;
    }
    if (chunk > room - FS_DL_OVERHEAD) {
        chunk = (uint32_t)(room - FS_DL_OVERHEAD);
    }
    uint8_t buf[FS_MGMT_DL_CHUNK_MAX];
    int n = port->ops->read(port->ctx, st->handle, (uint32_t)off, buf, chunk);
    if (n < 0) {
        fs_mgmt_close_file(srv);
        return mgmt_group_err(ctx, FS_ERR_FILE_READ_FAILED);
    }
    bool ok = smp_cbor_put_kv_uint(ctx->enc, "off", off) &&
              smp_cbor_put_kv_bstr(ctx->enc, "data", buf, (size_t)n) &&
              (off != 0 || smp_cbor_put_kv_uint(ctx->enc, "len", st->len));
    if (!ok) {
        return SMP_ERR_EMSGSIZE;
    }
    st->off = (uint32_t)off + (uint32_t)n;
    if (st->off >= st->len) {
        fs_mgmt_close_file(srv);  /* complete */
    } else {
        st->last_ms = fs_now(st);
    }
    return MGMT_OK;
}

/* ---- status (0/8/1) ---------------------------------------------------------------------- */

static int fs_status(struct mgmt_ctx *ctx)
{
    struct smp_cbor_str name = {0};
    struct smp_cbor_map_entry keys[] = {{"name", smp_cbor_dec_tstr, &name, false}};
    int rc = fs_need_port(ctx, false);
    if (rc) {
        return rc;
    }
    rc = mgmt_decode(ctx, keys, 1);
    if (rc) {
        return rc;
    }
    char path[FS_PORT_PATH_MAX + 1];
    rc = fs_take_name(ctx, &name, path);
    if (rc) {
        return rc;
    }
    uint32_t size = 0;
    rc = fs_file_size(fs_port(ctx->srv), path, &size);
    if (rc) {
        return mgmt_group_err(ctx, rc);
    }
    return smp_cbor_put_kv_uint(ctx->enc, "len", size) ? MGMT_OK : SMP_ERR_EMSGSIZE;
}

/* ---- hash/checksum (0/8/2) and supported types (0/8/3) ------------------------------------ */

enum fs_hash_type { FS_HASH_CRC32, FS_HASH_SHA256 };

struct fs_hash_desc {
    const char *name;
    enum fs_hash_type type;
    bool bytes;     /* output is a bstr (else a uint) */
    uint8_t size;
};

/* The first entry is the default, as in Zephyr when crc32 is built. */
static const struct fs_hash_desc fs_hashes[] = {
    {"crc32", FS_HASH_CRC32, false, FS_CRC32_SIZE},
    {"sha256", FS_HASH_SHA256, true, FS_SHA256_SIZE},
};
#define FS_HASH_COUNT (sizeof(fs_hashes) / sizeof(fs_hashes[0]))

/* Hashes up to len bytes at off; *done gets the bytes actually hashed (a shorter file ends
 * early). Returns a group code. */
static int fs_hash_file(const struct fs_port *port, int h, const struct fs_hash_desc *d,
                        uint32_t off, uint32_t len, uint8_t out[FS_SHA256_SIZE], uint32_t *done)
{
    struct crypto_hash hc;
    uint32_t crc = 0;
    if (d->type == FS_HASH_SHA256 && crypto_hash_start(&hc, CRYPTO_SHA256) != 0) {
        return FS_ERR_UNKNOWN;
    }
    uint8_t buf[FS_MGMT_HASH_CHUNK];
    *done = 0;
    while (*done < len) {
        uint32_t want = len - *done < sizeof(buf) ? len - *done : (uint32_t)sizeof(buf);
        int n = port->ops->read(port->ctx, h, off + *done, buf, want);
        if (n < 0) {
            if (d->type == FS_HASH_SHA256) {
                crypto_hash_abort(&hc);
            }
            return FS_ERR_FILE_READ_FAILED;
        }
        if (n == 0) {
            break;
        }
        if (d->type == FS_HASH_SHA256) {
            if (crypto_hash_update(&hc, buf, (size_t)n) != 0) {
                crypto_hash_abort(&hc);
                return FS_ERR_UNKNOWN;
            }
        } else {
            crc = crc32_ieee(crc, buf, (size_t)n);
        }
        *done += (uint32_t)n;
    }
    if (d->type == FS_HASH_SHA256) {
        return crypto_hash_finish(&hc, out) == 0 ? 0 : FS_ERR_UNKNOWN;
    }
    out[0] = (uint8_t)(crc >> 24);
    out[1] = (uint8_t)(crc >> 16);
    out[2] = (uint8_t)(crc >> 8);
    out[3] = (uint8_t)crc;
    return 0;
}

static int fs_hash(struct mgmt_ctx *ctx)
{
    struct smp_cbor_str name = {0}, type = {0};
    uint64_t off = 0, len = UINT64_MAX;
    struct smp_cbor_map_entry keys[] = {
        {"name", smp_cbor_dec_tstr, &name, false},
        {"type", smp_cbor_dec_tstr, &type, false},
        {"off", smp_cbor_dec_uint64, &off, false},
        {"len", smp_cbor_dec_uint64, &len, false},
    };
    int rc = fs_need_port(ctx, false);
    if (rc) {
        return rc;
    }
    rc = mgmt_decode(ctx, keys, 4);
    if (rc) {
        return rc;
    }
    if (len == 0) {
        mgmt_set_rsn(ctx, "len 0");
        return SMP_ERR_EINVAL;
    }
    char path[FS_PORT_PATH_MAX + 1];
    rc = fs_take_name(ctx, &name, path);
    if (rc) {
        return rc;
    }
    const struct fs_hash_desc *d = keys[1].found ? NULL : &fs_hashes[0];
    for (size_t i = 0; d == NULL && i < FS_HASH_COUNT; i++) {
        if (smp_cbor_str_eq(&type, fs_hashes[i].name)) {
            d = &fs_hashes[i];
        }
    }
    if (d == NULL) {
        return mgmt_group_err(ctx, FS_ERR_CHECKSUM_HASH_NOT_FOUND);
    }
    const struct fs_port *port = fs_port(ctx->srv);
    uint32_t size = 0;
    rc = fs_file_size(port, path, &size);
    if (rc) {
        return mgmt_group_err(ctx, rc);
    }
    if (size <= off) {
        return mgmt_group_err(ctx, size == 0 ? FS_ERR_FILE_EMPTY
                                             : FS_ERR_FILE_OFFSET_LARGER_THAN_FILE);
    }
    uint32_t span = size - (uint32_t)off;
    if (len < span) {
        span = (uint32_t)len;
    }
    int h = port->ops->open(port->ctx, path, FS_PORT_READ);
    if (h < 0) {
        return mgmt_group_err(ctx, open_err(h, false));
    }
    uint8_t out[FS_SHA256_SIZE];
    uint32_t done = 0;
    rc = fs_hash_file(port, h, d, (uint32_t)off, span, out, &done);
    port->ops->close(port->ctx, h);
    if (rc) {
        return mgmt_group_err(ctx, rc);
    }
    bool ok = smp_cbor_put_kv_tstr(ctx->enc, "type", d->name) &&
              (off == 0 || smp_cbor_put_kv_uint(ctx->enc, "off", off)) &&
              smp_cbor_put_kv_uint(ctx->enc, "len", done);
    if (d->bytes) {
        ok = ok && smp_cbor_put_kv_bstr(ctx->enc, "output", out, d->size);
    } else {
        ok = ok && smp_cbor_put_kv_uint(ctx->enc, "output", load32_be(out));
    }
    return ok ? MGMT_OK : SMP_ERR_EMSGSIZE;
}

static int fs_hash_types(struct mgmt_ctx *ctx)
{
    struct smp_cbor_enc *e = ctx->enc;
    bool ok = smp_cbor_put_tstr(e, "types") && smp_cbor_put_map(e, FS_HASH_COUNT);
    for (size_t i = 0; i < FS_HASH_COUNT; i++) {
        ok = ok && smp_cbor_put_tstr(e, fs_hashes[i].name) && smp_cbor_put_map(e, 2) &&
             smp_cbor_put_kv_uint(e, "format", fs_hashes[i].bytes ? 1 : 0) &&
             smp_cbor_put_kv_uint(e, "size", fs_hashes[i].size);
    }
    return ok ? MGMT_OK : SMP_ERR_EMSGSIZE;
}

/* ---- close (2/8/4) ----------------------------------------------------------------------- */

static int fs_close_cmd(struct mgmt_ctx *ctx)
{
    int rc = fs_need_port(ctx, true);
    if (rc) {
        return rc;
    }
    fs_mgmt_close_file(ctx->srv);
    return MGMT_OK;
}

static const struct mgmt_handler fs_handlers[] = {
    [0] = {.read = fs_download, .write = fs_upload},
    [1] = {.read = fs_status, .write = NULL},
    [2] = {.read = fs_hash, .write = NULL},
    [3] = {.read = fs_hash_types, .write = NULL},
    [4] = {.read = NULL, .write = fs_close_cmd},
};

const struct mgmt_group fs_mgmt_group = {
    .id = SMP_GROUP_FS,
    .handlers = fs_handlers,
    .count = sizeof(fs_handlers) / sizeof(fs_handlers[0]),
    .name = "fs mgmt",
};
