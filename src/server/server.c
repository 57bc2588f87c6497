/* Server instance: initialisation, the group table, transport buffers, and the helpers a
 * handler uses on its request context. */
#include <string.h>

#include "dfukit/err.h"
#include "dfukit/server.h"

void server_init(struct smp_server *srv, const struct server_port *port,
                 const struct server_config *cfg)
{
    memset(srv, 0, sizeof(*srv));
    srv->port = port;
    if (cfg != NULL) {
        srv->cfg = *cfg;
    }
    /* Runtime values may only shrink the compiled-in buffers. */
    if (srv->cfg.buf_size == 0 || srv->cfg.buf_size > SMP_BUF_SIZE) {
        srv->cfg.buf_size = SMP_BUF_SIZE;
    }
    if (srv->cfg.buf_count == 0 || srv->cfg.buf_count > SMP_BUF_COUNT) {
        srv->cfg.buf_count = SMP_BUF_COUNT;
    }
}

int server_register_group(struct smp_server *srv, const struct mgmt_group *group)
{
    if (group == NULL || (group->handlers == NULL && group->count != 0)) {
        return DFU_EINVAL;
    }
    if (server_find_group(srv, group->id) != NULL) {
        return DFU_EEXIST;
    }
    if (srv->group_count >= SERVER_MAX_GROUPS) {
        return DFU_ENOSPC;
    }
    srv->groups[srv->group_count++] = group;
    return 0;
}

const struct mgmt_group *server_find_group(const struct smp_server *srv, uint16_t id)
{
    for (uint16_t i = 0; i < srv->group_count; i++) {
        if (srv->groups[i]->id == id) {
            return srv->groups[i];
        }
    }
    return NULL;
}

bool server_reset_requested(const struct smp_server *srv)
{
    return srv->reset_requested;
}

uint8_t *server_buf_alloc(struct smp_server *srv)
{
    for (unsigned i = 0; i < srv->cfg.buf_count; i++) {
        if ((srv->bufs_used & (1u << i)) == 0) {
            srv->bufs_used |= (1u << i);
            return srv->bufs[i];
        }
    }
    return NULL;
}

void server_buf_free(struct smp_server *srv, uint8_t *buf)
{
    for (unsigned i = 0; i < SMP_BUF_COUNT; i++) {
        if (buf == srv->bufs[i]) {
            srv->bufs_used &= ~(1u << i);
            return;
        }
    }
}

int mgmt_group_err(struct mgmt_ctx *ctx, int group_rc)
{
    ctx->err_group = ctx->hdr->group;
    ctx->err_rc = (uint16_t)group_rc;
    return MGMT_GROUP_ERR;
}

void mgmt_set_rsn(struct mgmt_ctx *ctx, const char *rsn)
{
    ctx->rsn = rsn;
}

int mgmt_decode(struct mgmt_ctx *ctx, struct smp_cbor_map_entry *entries, size_t count)
{
    return smp_cbor_decode_map(&ctx->dec, entries, count) == 0 ? MGMT_OK : SMP_ERR_EINVAL;
}

int mgmt_err_from_dfu(int dfu_err)
{
    switch (dfu_err) {
    case DFU_OK: return SMP_ERR_EOK;
    case DFU_ENOENT: return SMP_ERR_ENOENT;
    case DFU_ENOMEM: return SMP_ERR_ENOMEM;
    case DFU_ENOSPC: return SMP_ERR_EMSGSIZE;
    case DFU_EBUSY: return SMP_ERR_EBUSY;
    case DFU_EPERM: return SMP_ERR_EACCESSDENIED;
    case DFU_EINVAL:
    case DFU_ERANGE:
    case DFU_EBADMSG:
    case DFU_EOVERFLOW: return SMP_ERR_EINVAL;
    case DFU_ENOTSUP: return SMP_ERR_ENOTSUP;
    case DFU_ETIMEDOUT: return SMP_ERR_ETIMEOUT;
    default: return SMP_ERR_EUNKNOWN;
    }
}
