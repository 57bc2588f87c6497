/* Port interfaces of the SMP server's FS, Shell, Stat and Settings groups, and the two small
 * device-side services those groups sit on (the stat registry and the settings store).
 *
 * A port is a table of operations plus a context pointer, filled by whoever integrates the
 * server: the simulator's host implementations live in src/port/ (library dfu_port), a real
 * board would provide its own. Device-side code sees only these declarations: no OS headers,
 * no heap; every buffer is caller-owned and every size is a compile-time constant below.
 *
 * Errors follow err.h: 0 ok, negative DFU_E*; positive values only for counts. */
#ifndef DFUKIT_SERVER_PORTS_H
#define DFUKIT_SERVER_PORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfukit/flash.h"

/* ---------------------------------------------------------------------------------------- */
/* Filesystem port (FS group, 8)                                                            */
/* ---------------------------------------------------------------------------------------- */

/* Longest path the FS group accepts, without the terminating NUL (Zephyr's
 * CONFIG_MCUMGR_GRP_FS_PATH_LEN). Longer names are refused before they reach the port. */
#ifndef FS_PORT_PATH_MAX
#define FS_PORT_PATH_MAX 64
#endif

enum fs_port_mode {
    FS_PORT_READ = 1,   /* the file must exist */
    FS_PORT_WRITE = 2,  /* read/write; created when missing, never truncated by open */
};

struct fs_port_stat {
    uint32_t size;  /* bytes (files larger than 4 GiB are reported as DFU_EOVERFLOW) */
    bool is_dir;
};

/* Paths are NUL-terminated, at most FS_PORT_PATH_MAX bytes, as the client sent them (Zephyr
 * style "/lfs1/dir/file"); what they mean is the port's business. Handles are small
 * non-negative ints chosen by the port. Error contract, and the FS group's wire codes for it:
 *   DFU_EINVAL  name not acceptable (escapes the sandbox, "..", too long)   FILE_INVALID_NAME
 *   DFU_ENOENT  the file, or a directory on its path, does not exist        FILE_NOT_FOUND
 *                                                  (upload: MOUNT_POINT_NOT_FOUND)
 *   DFU_EPERM   refused: a symlink, not a regular file, read-only           FILE_OPEN_FAILED
 *                                                  (upload: READ_ONLY_FILESYSTEM)
 *   DFU_ENOSPC  no free handle or no space left; DFU_EIO anything else      FILE_OPEN_FAILED,
 *               or the failed operation's code (READ/WRITE/TRUNCATE_FAILED) or UNKNOWN. */
struct fs_port_ops {
    /* Opens path; returns a handle >= 0. */
    int (*open)(void *ctx, const char *path, enum fs_port_mode mode);
    /* Reads up to len bytes at off; returns the count (0 at or past the end). */
    int (*read)(void *ctx, int handle, uint32_t off, void *buf, uint32_t len);
    /* Writes all len bytes at off; returns 0. */
    int (*write)(void *ctx, int handle, uint32_t off, const void *buf, uint32_t len);
    /* Sets the file size to len (required: the group has no delete-and-recreate fallback). */
    int (*truncate)(void *ctx, int handle, uint32_t len);
    int (*stat)(void *ctx, const char *path, struct fs_port_stat *out);
    void (*close)(void *ctx, int handle);
    /* Bytes the filesystem can still take (Zephyr: fs_statvfs); NULL: no bound. The FS group
     * refuses an upload that would not fit before it touches the file. */
    int (*free_space)(void *ctx, uint32_t *out);
};

struct fs_port {
    const struct fs_port_ops *ops;
    void *ctx;
};

/* ---------------------------------------------------------------------------------------- */
/* Shell port (Shell group, 9)                                                              */
/* ---------------------------------------------------------------------------------------- */

#ifndef SHELL_PORT_ARGV_MAX
#define SHELL_PORT_ARGV_MAX 16    /* arguments per command, the command name included */
#endif
#ifndef SHELL_PORT_LINE_MAX
#define SHELL_PORT_LINE_MAX 256   /* bytes of all arguments together, one NUL each */
#endif
#ifndef SHELL_PORT_OUT_MAX
#define SHELL_PORT_OUT_MAX 512    /* bytes of captured output returned to the client */
#endif

/* Exit status of a command the shell does not know (Zephyr's shell returns -ENOEXEC). */
#define SHELL_PORT_RET_NOT_FOUND (-8)

struct shell_port {
    /* Runs argv[0] with its arguments (argc >= 1, every string NUL-terminated). Writes at most
     * out_size bytes of output to out (cut silently when longer) and stores the count in
     * *out_len and the command's exit status in *ret. Returns 0 when a command ran, whatever
     * its status, negative only when the shell itself failed. */
    int (*exec)(void *ctx, int argc, const char *const argv[], char *out, size_t out_size,
                size_t *out_len, int *ret);
    void *ctx;
};

/* ---------------------------------------------------------------------------------------- */
/* Stat registry (Stat group, 2)                                                            */
/* ---------------------------------------------------------------------------------------- */

#ifndef STAT_REGISTRY_MAX
#define STAT_REGISTRY_MAX 8       /* stat groups one registry holds */
#endif
#ifndef STAT_NAME_MAX
#define STAT_NAME_MAX 32          /* longest group name, NUL not counted */
#endif

/* A named set of counters owned by some subsystem (the SMP core's frames in/out, the flash
 * driver's operations, ...). The registry only keeps the pointer: the group must outlive it.
 * Values come from `get` when set, else from values[idx]. */
struct stat_group {
    const char *name;
    const char *const *field_names;
    uint16_t field_count;
    const volatile uint32_t *values;
    uint64_t (*get)(void *ctx, uint16_t idx);
    void *ctx;
};

struct stat_registry {
    const struct stat_group *groups[STAT_REGISTRY_MAX];
    uint16_t count;
};

void stat_registry_init(struct stat_registry *reg);
/* DFU_EINVAL for a group without a usable name or values, DFU_EEXIST for a name already
 * registered, DFU_ENOSPC when the registry is full. */
int stat_group_register(struct stat_registry *reg, const struct stat_group *group);
/* The group called name[0..name_len), or NULL. */
const struct stat_group *stat_group_find(const struct stat_registry *reg, const char *name,
                                         size_t name_len);
uint64_t stat_group_value(const struct stat_group *group, uint16_t idx);

/* ---------------------------------------------------------------------------------------- */
/* Settings store (Settings group, 3)                                                       */
/* ---------------------------------------------------------------------------------------- */

#ifndef SETTINGS_NAME_MAX
#define SETTINGS_NAME_MAX 32      /* key buffer; keys are at most SETTINGS_NAME_MAX-1 bytes */
#endif
#ifndef SETTINGS_VAL_MAX
#define SETTINGS_VAL_MAX 64       /* bytes of one value */
#endif
#ifndef SETTINGS_ENTRIES_MAX
#define SETTINGS_ENTRIES_MAX 16   /* keys held in RAM at once */
#endif

/* One runtime value. `dirty`: differs from what is stored on flash (save writes it). */
struct settings_entry {
    char name[SETTINGS_NAME_MAX];
    uint8_t val[SETTINGS_VAL_MAX];
    uint16_t val_len;
    uint8_t name_len;
    bool used;
    bool dirty;
};

/* A key/value store in the shape of Zephyr's settings subsystem: a runtime table in RAM
 * (read/write act on it), persisted to an append-only log in a flash partition by save and
 * delete, reloaded by load (and at init, so values survive a reset). Caller-owned, no heap.
 * The log format is documented in src/server/settings.c. */
struct settings_store {
    const struct flash_area *fa;
    struct settings_entry entries[SETTINGS_ENTRIES_MAX];
    uint32_t seq;            /* generation of the active sector */
    uint32_t sector_idx;     /* index of the active sector in the area */
    uint32_t sector_off;     /* its area offset and size */
    uint32_t sector_size;
    uint32_t write_off;      /* next free record offset, relative to the sector */
    uint32_t commits;        /* number of commit calls (observable) */
    void (*on_commit)(void *arg);
    void *commit_arg;
};

/* Mounts the store on fa (at least two sectors, sector-aligned, each holding the largest
 * record) and loads the stored values; a partition without a valid sector is formatted.
 * Clears *st: set on_commit/commit_arg afterwards. */
int settings_store_init(struct settings_store *st, const struct flash_area *fa);
/* Key rules for every call below: 1..SETTINGS_NAME_MAX-1 bytes without NUL; DFU_ERANGE when
 * longer, DFU_EINVAL when empty or holding a NUL. */
/* Copies up to buf_size bytes of the value of name and returns the full value length;
 * DFU_ENOENT when there is no such key. */
int settings_store_get(const struct settings_store *st, const char *name, size_t name_len,
                       void *buf, size_t buf_size);
/* Sets the runtime value (not yet persisted). DFU_EOVERFLOW: the value is longer than
 * SETTINGS_VAL_MAX; DFU_ENOSPC: the RAM table is full. */
int settings_store_set(struct settings_store *st, const char *name, size_t name_len,
                       const void *val, size_t val_len);
/* Removes the key from RAM and from flash (a tombstone record). DFU_ENOENT when absent. */
int settings_store_delete(struct settings_store *st, const char *name, size_t name_len);
/* Persists every changed value. DFU_ENOSPC when the live set no longer fits a sector. */
int settings_store_save(struct settings_store *st);
/* Reloads the stored values into RAM (unsaved changes to stored keys are dropped). */
int settings_store_load(struct settings_store *st);
/* Tells the application the values are complete (calls on_commit) and counts it. */
void settings_store_commit(struct settings_store *st);
/* Calls fn for every runtime value in table order until it returns false. */
typedef bool (*settings_visit_fn)(void *arg, const char *name, const uint8_t *val,
                                  size_t val_len);
void settings_store_foreach(const struct settings_store *st, settings_visit_fn fn, void *arg);

/* ---------------------------------------------------------------------------------------- */
/* The groups over these ports (register them with server_register_group, server.h)         */
/* ---------------------------------------------------------------------------------------- */

struct mgmt_group;
struct smp_server;

extern const struct mgmt_group fs_mgmt_group;            /* 8: needs port->fs and an FS state */
extern const struct mgmt_group shell_mgmt_group;         /* 9: {"o", "ret"}; needs port->shell */
extern const struct mgmt_group shell_mgmt_group_legacy;  /* 9: {"o", "rc"} (older Zephyr) */
extern const struct mgmt_group stat_mgmt_group;          /* 2: port->stats */
extern const struct mgmt_group settings_mgmt_group;      /* 3: port->settings */
extern const struct mgmt_group enum_mgmt_group;          /* 10: the server's registered groups */

/* The FS group's single open-file context (one upload or download at a time), caller-owned
 * and attached to a server. The file stays open between requests; it is closed when the
 * transfer completes, on the close command (2/8/4), when another file is named, or when
 * fs_mgmt_poll() finds it idle for idle_ms (needs now_ms). */
#ifndef FS_MGMT_IDLE_MS
#define FS_MGMT_IDLE_MS 4000u
#endif
/* Largest download chunk; the actual chunk also fits the response buffer. */
#ifndef FS_MGMT_DL_CHUNK_MAX
#define FS_MGMT_DL_CHUNK_MAX 512u
#endif

enum fs_mgmt_mode { FS_MGMT_IDLE, FS_MGMT_UPLOAD, FS_MGMT_DOWNLOAD };

struct fs_mgmt_state {
    uint8_t mode;                    /* enum fs_mgmt_mode */
    bool len_known;                  /* upload: "len" was given at offset 0 */
    int handle;
    char path[FS_PORT_PATH_MAX + 1];
    uint32_t off;                    /* upload: bytes written; download: next offset */
    uint32_t len;                    /* upload: announced total; download: file size */
    uint32_t last_ms;                /* time of the last request on the open file */
    uint32_t idle_ms;
    uint32_t (*now_ms)(void *arg);   /* monotonic milliseconds; NULL: no idle timeout */
    void *clock_arg;
};

/* Clears st (idle_ms = FS_MGMT_IDLE_MS) and attaches it to srv (srv->group_state[8]). */
void fs_mgmt_attach(struct smp_server *srv, struct fs_mgmt_state *st,
                    uint32_t (*now_ms)(void *arg), void *clock_arg);
/* Closes the open file when idle for idle_ms; call from the integrator's loop. */
void fs_mgmt_poll(struct smp_server *srv);
/* Closes the open file now (also what 2/8/4 does). */
void fs_mgmt_close_file(struct smp_server *srv);

/* A stat group named "smp" over the dispatcher's traffic counters (server.h's struct
 * server_counters: rx_packets, rx_requests, tx_responses, rx_bytes, tx_bytes, errors,
 * img_bytes_written, img_sectors_erased). srv must outlive the group. */
void stat_group_init_smp(struct stat_group *out, const struct smp_server *srv);

#endif
