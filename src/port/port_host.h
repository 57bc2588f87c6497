/* Host implementations of the server's ports, used by the simulator (devsim) and the tests:
 * a sandboxed directory as the FS group's filesystem and a small shell with real commands.
 * Host code: POSIX and libc are fine here, never in src/server. */
#ifndef DFUKIT_PORT_HOST_H
#define DFUKIT_PORT_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "dfukit/flash.h"
#include "dfukit/server.h"
#include "dfukit/server_ports.h"
#include "dfukit/simflash.h"

/* ---- Sandbox filesystem ------------------------------------------------------------------
 * Every path names a file inside the sandbox root, whatever the client sends:
 *  - a leading '/' is dropped: the root plays the part of Zephyr's mount table, so the
 *    Zephyr path "/lfs1/log.txt" is <root>/lfs1/log.txt (port_fs_sandbox_open can create
 *    the "lfs1" mount directory for that);
 *  - empty components ("a//b") are skipped; "." and ".." components are refused (DFU_EINVAL);
 *  - every component is opened with openat(O_NOFOLLOW) relative to the directory before it,
 *    so no symlink is followed, inside or out (DFU_EPERM), and only regular files are opened;
 *  - directories are never created by the FS group: a missing one is DFU_ENOENT. */

#ifndef PORT_FS_HANDLES
#define PORT_FS_HANDLES 4
#endif

struct port_fs_sandbox {
    int root_fd;
    int fds[PORT_FS_HANDLES];
    uint32_t size_limit;   /* bytes all files together may hold; 0: no bound */
};

/* Opens (creating when missing, one level) the sandbox root directory, and the mount
 * directory `mount` inside it when not NULL ("lfs1"). DFU_EIO with errno kept on failure. */
int port_fs_sandbox_open(struct port_fs_sandbox *sb, const char *root, const char *mount);
/* Closes every open handle and the root. */
void port_fs_sandbox_close(struct port_fs_sandbox *sb);
/* The port table over sb. Its free_space is size_limit less the sizes of every regular file
 * under the root (UINT32_MAX without a limit). */
struct fs_port port_fs_sandbox_port(struct port_fs_sandbox *sb);

/* ---- Simulator shell ---------------------------------------------------------------------
 * Commands: help, echo, version, uptime, flash info, settings list, settings read <name>.
 * Every field is optional; a command whose data is missing says so and returns -ENOTSUP. */

struct port_shell_partition {
    const char *name;
    const struct flash_area *fa;
};

struct port_shell_sim {
    const char *version;                      /* "dfukit 0.1.0 (nrf52840dk)" */
    uint64_t (*uptime_ms)(void *arg);
    void *uptime_arg;
    const struct flash_dev *flash;
    const struct port_shell_partition *parts;
    size_t part_count;
    const struct settings_store *settings;
};

struct shell_port port_shell_sim_port(struct port_shell_sim *sh);
/* The shell's exec operation, callable directly. */
int port_shell_sim_exec(void *ctx, int argc, const char *const argv[], char *out, size_t out_size,
                        size_t *out_len, int *ret);

/* ---- Stat group over an emulated NOR flash ---------------------------------------------
 * Fields reads, bytes_read, writes, bytes_written, erases: nor_flash_total(nf), live. */
void port_stat_group_nor_flash(struct stat_group *out, const struct nor_flash *nf);

/* ---- Everything at once, for the simulator ------------------------------------------------
 * Opens the ports, fills the server port's fs/shell/stats/settings and registers the FS,
 * Shell, Stat, Settings and Enum groups on a server already set up with server_init() (the
 * enum group last, after the caller's own groups if they were registered first). A group
 * whose port is not configured (NULL fs_root, NULL storage) is left out. */
struct port_groups_config {
    const char *fs_root;                    /* sandbox directory; NULL: no FS group */
    const char *fs_mount;                   /* mount directory created inside, e.g. "lfs1" */
    uint32_t fs_size;                       /* bytes the FS may hold; 0: no bound */
    const struct flash_area *storage;       /* settings partition; NULL: no Settings group */
    const char *version;                    /* for the shell's "version" */
    uint64_t (*uptime_ms)(void *arg);       /* shell "uptime" and the FS idle timeout */
    void *clock_arg;
    const struct flash_dev *flash;          /* shell "flash info" */
    const struct port_shell_partition *parts;
    size_t part_count;
    const struct nor_flash *nor;            /* NULL: no "flash" stat group */
    bool shell_legacy_rc;                   /* shell answers "rc" instead of "ret" */
};

struct port_groups {
    struct port_groups_config cfg;
    struct port_fs_sandbox sandbox;
    bool have_fs;
    struct fs_port fs;
    struct fs_mgmt_state fs_state;
    struct port_shell_sim shell_sim;
    struct shell_port shell;
    struct settings_store settings;
    bool have_settings;
    struct stat_registry stats;
    struct stat_group smp_stats;
    struct stat_group flash_stats;
};

/* 0, or the first error (the sandbox cannot be opened, the storage partition is unusable,
 * the server is full); the caller should then port_groups_stop(). */
int port_groups_start(struct port_groups *g, const struct port_groups_config *cfg,
                      struct smp_server *srv, struct server_port *port);
/* Closes the sandbox (open files included). The flash keeps the settings. */
void port_groups_stop(struct port_groups *g);

#endif
