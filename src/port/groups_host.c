/* Wiring of the FS, Shell, Stat, Settings and Enum groups over the host ports, as the
 * simulator's board runtime uses them (see port_host.h). */
#include <string.h>

#include "dfukit/err.h"
#include "port_host.h"

static const char *const nor_stat_names[] = {"reads", "bytes_read", "writes", "bytes_written",
                                             "erases"};

static uint64_t nor_stat_get(void *ctx, uint16_t idx)
{
    const struct nor_flash_stats *t = nor_flash_total(ctx);
    const uint64_t v[] = {t->reads, t->bytes_read, t->writes, t->bytes_written, t->erases};
    return idx < sizeof(v) / sizeof(v[0]) ? v[idx] : 0;
}

void port_stat_group_nor_flash(struct stat_group *out, const struct nor_flash *nf)
{
    memset(out, 0, sizeof(*out));
    out->name = "flash";
    out->field_names = nor_stat_names;
    out->field_count = sizeof(nor_stat_names) / sizeof(nor_stat_names[0]);
    out->get = nor_stat_get;
    out->ctx = (void *)(uintptr_t)nf;
}

static uint32_t groups_clock(void *arg)
{
    const struct port_groups *g = arg;
    return (uint32_t)g->cfg.uptime_ms(g->cfg.clock_arg);
}

int port_groups_start(struct port_groups *g, const struct port_groups_config *cfg,
                      struct smp_server *srv, struct server_port *port)
{
    memset(g, 0, sizeof(*g));
    g->cfg = *cfg;
    g->sandbox.root_fd = -1;
    for (int i = 0; i < PORT_FS_HANDLES; i++) {
        g->sandbox.fds[i] = -1;
    }
    int rc = 0;
    if (cfg->fs_root != NULL) {
        rc = port_fs_sandbox_open(&g->sandbox, cfg->fs_root, cfg->fs_mount);
        if (rc) {
            return rc;
        }
        g->sandbox.size_limit = cfg->fs_size;
        g->have_fs = true;
        g->fs = port_fs_sandbox_port(&g->sandbox);
        port->fs = &g->fs;
        fs_mgmt_attach(srv, &g->fs_state, cfg->uptime_ms != NULL ? groups_clock : NULL, g);
        rc = server_register_group(srv, &fs_mgmt_group);
    }
    if (rc == 0 && cfg->storage != NULL) {
        rc = settings_store_init(&g->settings, cfg->storage);
        if (rc == 0) {
            g->have_settings = true;
            port->settings = &g->settings;
            rc = server_register_group(srv, &settings_mgmt_group);
        }
    }
    if (rc == 0) {
        g->shell_sim = (struct port_shell_sim){
            .version = cfg->version,
            .uptime_ms = cfg->uptime_ms,
            .uptime_arg = cfg->clock_arg,
            .flash = cfg->flash,
            .parts = cfg->parts,
            .part_count = cfg->part_count,
            .settings = g->have_settings ? &g->settings : NULL,
        };
        g->shell = port_shell_sim_port(&g->shell_sim);
        port->shell = &g->shell;
        rc = server_register_group(srv, cfg->shell_legacy_rc ? &shell_mgmt_group_legacy
                                                             : &shell_mgmt_group);
    }
    if (rc == 0) {
        stat_registry_init(&g->stats);
        stat_group_init_smp(&g->smp_stats, srv);
        rc = stat_group_register(&g->stats, &g->smp_stats);
        if (rc == 0 && cfg->nor != NULL) {
            port_stat_group_nor_flash(&g->flash_stats, cfg->nor);
            rc = stat_group_register(&g->stats, &g->flash_stats);
        }
        port->stats = &g->stats;
    }
    if (rc == 0) {
        rc = server_register_group(srv, &stat_mgmt_group);
    }
    if (rc == 0) {
        rc = server_register_group(srv, &enum_mgmt_group);
    }
    return rc;
}

void port_groups_stop(struct port_groups *g)
{
    if (g->have_fs) {
        port_fs_sandbox_close(&g->sandbox);
        g->have_fs = false;
    }
}
