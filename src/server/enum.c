/* Enum group (10): count, list, single and details over the groups registered with the
 * dispatcher (struct smp_server.groups). Heap-free, OS-free. */
#include <string.h>

#include "dfukit/err.h"
#include "dfukit/server.h"

/* Group ids a details request may name (Zephyr's ..._BUFFER_TYPE_STACK_ENTRIES). */
#ifndef ENUM_MGMT_DETAILS_MAX
#define ENUM_MGMT_DETAILS_MAX SERVER_MAX_GROUPS
#endif

/* 0/10/0 {} -> {"count"} */
static int enum_count(struct mgmt_ctx *ctx)
{
    int rc = mgmt_decode(ctx, NULL, 0);
    if (rc) {
        return rc;
    }
    return smp_cbor_put_kv_uint(ctx->enc, "count", ctx->srv->group_count) ? MGMT_OK
                                                                          : SMP_ERR_EMSGSIZE;
}

/* 0/10/1 {} -> {"groups": [id, ...]} */
static int enum_list(struct mgmt_ctx *ctx)
{
    int rc = mgmt_decode(ctx, NULL, 0);
    if (rc) {
        return rc;
    }
    const struct smp_server *srv = ctx->srv;
    bool ok = smp_cbor_put_tstr(ctx->enc, "groups") &&
              smp_cbor_put_array(ctx->enc, srv->group_count);
    for (uint16_t i = 0; ok && i < srv->group_count; i++) {
        ok = smp_cbor_put_uint(ctx->enc, srv->groups[i]->id);
    }
    return ok ? MGMT_OK : SMP_ERR_EMSGSIZE;
}

/* 0/10/2 {("index")} -> {"group", ("end": true)} */
static int enum_single(struct mgmt_ctx *ctx)
{
    uint32_t index = 0;
    struct smp_cbor_map_entry keys[] = {{"index", smp_cbor_dec_uint32, &index, false}};
    int rc = mgmt_decode(ctx, keys, 1);
    if (rc) {
        return rc;
    }
    const struct smp_server *srv = ctx->srv;
    if (index >= srv->group_count) {
        return mgmt_group_err(ctx, ENUM_ERR_INDEX_TOO_LARGE);
    }
    bool ok = smp_cbor_put_kv_uint(ctx->enc, "group", srv->groups[index]->id) &&
              (index + 1u < srv->group_count || smp_cbor_put_kv_bool(ctx->enc, "end", true));
    return ok ? MGMT_OK : SMP_ERR_EMSGSIZE;
}

struct enum_filter {
    uint16_t ids[ENUM_MGMT_DETAILS_MAX];
    size_t count;
    bool too_many;
};

static int enum_dec_groups(struct smp_cbor_dec *d, void *out)
{
    struct enum_filter *f = out;
    struct smp_cbor_container c;
    int rc = smp_cbor_enter_array(d, &c);
    if (rc) {
        return rc;
    }
    while ((rc = smp_cbor_more(d, &c)) == 1) {
        uint64_t id;
        rc = smp_cbor_get_uint(d, &id);
        if (rc) {
            return rc;
        }
        if (f->count == ENUM_MGMT_DETAILS_MAX) {
            f->too_many = true;
            return DFU_EINVAL;  /* stops decoding; the handler reports TOO_MANY_GROUP_ENTRIES */
        }
        f->ids[f->count++] = id > UINT16_MAX ? UINT16_MAX : (uint16_t)id;
    }
    return rc;
}

static bool enum_selected(const struct enum_filter *f, bool filtered, uint16_t id)
{
    if (!filtered) {
        return true;
    }
    for (size_t i = 0; i < f->count; i++) {
        if (f->ids[i] == id) {
            return true;
        }
    }
    return false;
}

/* 0/10/3 {("groups": [id, ...])} -> {"groups": [{"group", ("name"), "handlers"}, ...]} */
static int enum_details(struct mgmt_ctx *ctx)
{
    struct enum_filter f;
    f.count = 0;
    f.too_many = false;
    struct smp_cbor_map_entry keys[] = {{"groups", enum_dec_groups, &f, false}};
    int rc = mgmt_decode(ctx, keys, 1);
    if (f.too_many) {
        return mgmt_group_err(ctx, ENUM_ERR_TOO_MANY_GROUP_ENTRIES);
    }
    if (rc) {
        return rc;
    }
    /* An empty list asks for everything, as in Zephyr. */
    bool filtered = keys[0].found && f.count > 0;
    const struct smp_server *srv = ctx->srv;
    size_t n = 0;
    for (uint16_t i = 0; i < srv->group_count; i++) {
        n += enum_selected(&f, filtered, srv->groups[i]->id);
    }
    struct smp_cbor_enc *e = ctx->enc;
    bool ok = smp_cbor_put_tstr(e, "groups") && smp_cbor_put_array(e, n);
    for (uint16_t i = 0; ok && i < srv->group_count; i++) {
        const struct mgmt_group *g = srv->groups[i];
        if (!enum_selected(&f, filtered, g->id)) {
            continue;
        }
        ok = smp_cbor_put_map(e, g->name != NULL ? 3 : 2) &&
             smp_cbor_put_kv_uint(e, "group", g->id) &&
             (g->name == NULL || smp_cbor_put_kv_tstr(e, "name", g->name)) &&
             smp_cbor_put_kv_uint(e, "handlers", g->count);
    }
    return ok ? MGMT_OK : SMP_ERR_EMSGSIZE;
}

static const struct mgmt_handler enum_handlers[] = {
    [ENUM_ID_COUNT] = {.read = enum_count, .write = NULL},
    [ENUM_ID_LIST] = {.read = enum_list, .write = NULL},
    [ENUM_ID_SINGLE] = {.read = enum_single, .write = NULL},
    [ENUM_ID_DETAILS] = {.read = enum_details, .write = NULL},
};

const struct mgmt_group enum_mgmt_group = {
    .id = SMP_GROUP_ENUM,
    .handlers = enum_handlers,
    .count = 4,
    .name = "enum mgmt",
};
