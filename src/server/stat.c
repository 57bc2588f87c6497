/* Stat group (2): group list and read over a registry of named counter sets (struct
 * stat_registry, server_ports.h), plus the "smp" stat group over the dispatcher's counters.
 * Heap-free, OS-free. */
#include <string.h>

#include "dfukit/err.h"
#include "dfukit/server.h"

void stat_registry_init(struct stat_registry *reg)
{
    memset(reg, 0, sizeof(*reg));
}

const struct stat_group *stat_group_find(const struct stat_registry *reg, const char *name,
                                         size_t name_len)
{
    for (uint16_t i = 0; reg != NULL && i < reg->count; i++) {
        const struct stat_group *g = reg->groups[i];
        if (strlen(g->name) == name_len && memcmp(g->name, name, name_len) == 0) {
            return g;
        }
    }
    return NULL;
}

int stat_group_register(struct stat_registry *reg, const struct stat_group *group)
{
    if (group == NULL || group->name == NULL || group->name[0] == '\0' ||
        strlen(group->name) > STAT_NAME_MAX || (group->field_count > 0 &&
        (group->field_names == NULL || (group->values == NULL && group->get == NULL)))) {
        return DFU_EINVAL;
    }
    for (uint16_t i = 0; i < group->field_count; i++) {
        if (group->field_names[i] == NULL) {
            return DFU_EINVAL;
        }
    }
    if (stat_group_find(reg, group->name, strlen(group->name)) != NULL) {
        return DFU_EEXIST;
    }
    if (reg->count >= STAT_REGISTRY_MAX) {
        return DFU_ENOSPC;
    }
    reg->groups[reg->count++] = group;
    return 0;
}

uint64_t stat_group_value(const struct stat_group *group, uint16_t idx)
{
    if (idx >= group->field_count) {
        return 0;
    }
    return group->get != NULL ? group->get(group->ctx, idx) : group->values[idx];
}

/* ---- the "smp" group over struct server_counters ------------------------------------------ */

static const char *const smp_counter_names[] = {
    "rx_packets", "rx_requests", "tx_responses", "rx_bytes",
    "tx_bytes", "errors", "img_bytes_written", "img_sectors_erased",
};

static uint64_t smp_counter_get(void *ctx, uint16_t idx)
{
    const struct server_counters *c = &((const struct smp_server *)ctx)->counters;
    const uint32_t v[] = {c->rx_packets, c->rx_requests, c->tx_responses, c->rx_bytes,
                          c->tx_bytes, c->errors, c->img_bytes_written, c->img_sectors_erased};
    return idx < sizeof(v) / sizeof(v[0]) ? v[idx] : 0;
}

void stat_group_init_smp(struct stat_group *out, const struct smp_server *srv)
{
    memset(out, 0, sizeof(*out));
    out->name = "smp";
    out->field_names = smp_counter_names;
    out->field_count = sizeof(smp_counter_names) / sizeof(smp_counter_names[0]);
    out->get = smp_counter_get;
    out->ctx = (void *)(uintptr_t)srv;
}

/* ---- handlers ------------------------------------------------------------------------------ */

static const struct stat_registry *stat_reg(const struct mgmt_ctx *ctx)
{
    return ctx->srv->port != NULL ? ctx->srv->port->stats : NULL;
}

/* 0/2/0 {"name"} -> {"name", "fields": {field: uint}} */
static int stat_read(struct mgmt_ctx *ctx)
{
    struct smp_cbor_str name = {0};
    struct smp_cbor_map_entry keys[] = {{"name", smp_cbor_dec_tstr, &name, false}};
    int rc = mgmt_decode(ctx, keys, 1);
    if (rc) {
        return rc;
    }
    if (!keys[0].found) {
        mgmt_set_rsn(ctx, "name required");
        return SMP_ERR_EINVAL;
    }
    const struct stat_group *g =
        stat_group_find(stat_reg(ctx), (const char *)name.ptr, name.len);
    if (g == NULL) {
        return mgmt_group_err(ctx, STAT_ERR_INVALID_GROUP);
    }
    struct smp_cbor_enc *e = ctx->enc;
    bool ok = smp_cbor_put_kv_tstr(e, "name", g->name) && smp_cbor_put_tstr(e, "fields") &&
              smp_cbor_put_map(e, g->field_count);
    for (uint16_t i = 0; ok && i < g->field_count; i++) {
        ok = smp_cbor_put_kv_uint(e, g->field_names[i], stat_group_value(g, i));
    }
    return ok ? MGMT_OK : SMP_ERR_EMSGSIZE;
}

/* 0/2/1 {} -> {"stat_list": [name, ...]} */
static int stat_list(struct mgmt_ctx *ctx)
{
    int rc = mgmt_decode(ctx, NULL, 0);
    if (rc) {
        return rc;
    }
    const struct stat_registry *reg = stat_reg(ctx);
    uint16_t n = reg != NULL ? reg->count : 0;
    struct smp_cbor_enc *e = ctx->enc;
    bool ok = smp_cbor_put_tstr(e, "stat_list") && smp_cbor_put_array(e, n);
    for (uint16_t i = 0; ok && i < n; i++) {
        ok = smp_cbor_put_tstr(e, reg->groups[i]->name);
    }
    return ok ? MGMT_OK : SMP_ERR_EMSGSIZE;
}

static const struct mgmt_handler stat_handlers[] = {
    [STAT_ID_READ] = {.read = stat_read, .write = NULL},
    [STAT_ID_LIST] = {.read = stat_list, .write = NULL},
};

const struct mgmt_group stat_mgmt_group = {
    .id = SMP_GROUP_STAT,
    .handlers = stat_handlers,
    .count = 2,
    .name = "stat mgmt",
};
