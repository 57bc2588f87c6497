/* Host implementations of the server's ports, used by the simulator (devsim) and the tests:
 * a sandboxed directory as the FS group's filesystem and a small shell with real commands.
 * Host code: POSIX and libc are fine here, never in src/server. */
#ifndef DFUKIT_PORT_HOST_H
#define DFUKIT_PORT_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "dfukit/flash.h"
#include "dfukit/server_ports.h"

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
};

/* Opens (creating when missing, one level) the sandbox root directory, and the mount
 * directory `mount` inside it when not NULL ("lfs1"). DFU_EIO with errno kept on failure. */
int port_fs_sandbox_open(struct port_fs_sandbox *sb, const char *root, const char *mount);
/* Closes every open handle and the root. */
void port_fs_sandbox_close(struct port_fs_sandbox *sb);
/* The port table over sb. */
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

#endif
