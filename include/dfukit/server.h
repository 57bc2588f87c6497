/* Device-side SMP (mcumgr) server: a dispatcher over const handler tables, one table per group
 * (os.c, img.c; fs.c, shell.c, stat.c, settings.c, enum.c over the ports of server_ports.h),
 * and the port the integrator fills (clock, reset, OS strings, slots, the other groups' ports).
 *
 * No heap: the caller owns struct smp_server and everything the port points at. Sizes are
 * compile-time configuration (#define before including, or -D), named after Zephyr's Kconfig
 * options where there is one.
 *
 * A handler sees the request header, a decoder positioned on the request map and an encoder
 * inside the (already opened) response map: it writes only its key/value pairs. It returns
 *   MGMT_OK                          success, the pairs written are the response;
 *   an SMP v1 code (enum smp_err > 0) a protocol-level error: the response becomes {"rc": N};
 *   mgmt_group_err(ctx, code)        a group error: v2 requests get the pairs written so far plus
 *                                    "err": {"group", "rc"}; v1 requests get {"rc": translated}. */
#ifndef DFUKIT_SERVER_H
#define DFUKIT_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfukit/flash.h"
#include "dfukit/server_ports.h"
#include "dfukit/smp.h"
#include "dfukit/smp_cbor.h"

/* Size of one SMP buffer (header included) and how many the transports may use: what
 * "MCUmgr parameters" (0/0/6) advertises, as Zephyr's MCUMGR_TRANSPORT_NETBUF_SIZE/_COUNT.
 * The build passes the project's values to every user of this header (src/server/CMakeLists). */
#ifndef SMP_BUF_SIZE
#define SMP_BUF_SIZE 384
#endif
#ifndef SMP_BUF_COUNT
#define SMP_BUF_COUNT 4
#endif
#if SMP_BUF_COUNT < 1 || SMP_BUF_COUNT > 32 || SMP_BUF_SIZE < 64
#error "SMP_BUF_COUNT must be 1..32 and SMP_BUF_SIZE at least 64"
#endif
/* Groups one server can hold. */
#ifndef SERVER_MAX_GROUPS
#define SERVER_MAX_GROUPS 12
#endif
/* Longest "rsn" text kept for a verbose error response. */
#ifndef SERVER_RSN_MAX
#define SERVER_RSN_MAX 48
#endif
/* Largest flash write alignment the image upload buffers (struct flash_dev.write_align). */
#ifndef SERVER_IMG_ALIGN_MAX
#define SERVER_IMG_ALIGN_MAX 32
#endif
/* Scratch for reading a slot (image header, TLVs, hashing the upload for "match"). */
#ifndef SERVER_IMG_SCRATCH
#define SERVER_IMG_SCRATCH 256
#endif
/* An image upload belongs to the peer that started it; after this long without a request from
 * it, another peer may start its own (needs server_port.uptime_ms). A finished upload keeps its
 * owner's claim for as long, so a peer that lost the race cannot replace it unseen. */
#ifndef SERVER_IMG_UPLOAD_IDLE_MS
#define SERVER_IMG_UPLOAD_IDLE_MS 30000u
#endif
/* Image pairs the image group handles at most (server_port.image_count). */
#ifndef SERVER_IMG_MAX_IMAGES
#define SERVER_IMG_MAX_IMAGES 4
#endif
/* Address bytes of a peer identity (an IPv6 address and port fit). */
#ifndef SMP_PEER_ADDR_MAX
#define SMP_PEER_ADDR_MAX 20
#endif

/* ------------------------------------------------------------------------------------------ */
/* Handlers and groups                                                                        */
/* ------------------------------------------------------------------------------------------ */

#define MGMT_OK 0
/* Returned (through mgmt_group_err) after a group error was recorded. A value no dfu_err has
 * (err.h), so an error code a handler leaks is never taken for a recorded group error. */
#define MGMT_GROUP_ERR (-1000)

struct smp_server;

/* Who sent a packet: the link and the link's address of the peer (UDP: source address and
 * port; serial: the port; BLE: the connection handle), as the transport knows it. Two peers
 * are the same when every field is. All zero: the default peer of server_process(). */
enum smp_peer_link {
    SMP_PEER_DEFAULT = 0,
    SMP_PEER_SERIAL = 1,
    SMP_PEER_UDP = 2,
    SMP_PEER_BLE = 3,
};

struct smp_peer {
    uint8_t link;                      /* enum smp_peer_link */
    uint8_t addr_len;                  /* <= SMP_PEER_ADDR_MAX */
    uint8_t addr[SMP_PEER_ADDR_MAX];
};

bool smp_peer_equal(const struct smp_peer *a, const struct smp_peer *b);

/* What a handler gets for one request. */
struct mgmt_ctx {
    struct smp_server *srv;
    const struct smp_hdr *hdr;   /* the request header */
    struct smp_cbor_dec dec;     /* positioned on the request map (an empty payload reads as {}) */
    struct smp_cbor_enc *enc;    /* inside the open response map: write key/value pairs only */
    const struct smp_peer *peer; /* who sent the request (never NULL) */
    uint16_t err_group;          /* set by mgmt_group_err() */
    uint16_t err_rc;
    const char *rsn;             /* set by mgmt_set_rsn() */
};

typedef int (*mgmt_handler_fn)(struct mgmt_ctx *ctx);

/* Command `id` of a group is handlers[id]; a NULL function means the op is not supported. */
struct mgmt_handler {
    mgmt_handler_fn read;   /* op 0 */
    mgmt_handler_fn write;  /* op 2 */
};

struct mgmt_group {
    uint16_t id;                         /* enum smp_group, or >= SMP_GROUP_PERUSER */
    const struct mgmt_handler *handlers;
    uint16_t count;
    const char *name;                    /* for the enum group's details; may be NULL */
};

/* Records a group error {hdr->group, group_rc} and returns MGMT_GROUP_ERR. */
int mgmt_group_err(struct mgmt_ctx *ctx, int group_rc);
/* Reason text for the "rsn" key (sent when the server config asks for verbose errors). The
 * string must outlive the request (a literal). */
void mgmt_set_rsn(struct mgmt_ctx *ctx, const char *rsn);
/* Decodes the request map with a key table: 0, or SMP_ERR_EINVAL on malformed input or a value
 * of the wrong type (ready to be returned by the handler). */
int mgmt_decode(struct mgmt_ctx *ctx, struct smp_cbor_map_entry *entries, size_t count);
/* Maps a dfukit error (err.h) to the SMP v1 code a handler returns for it. */
int mgmt_err_from_dfu(int dfu_err);

/* ------------------------------------------------------------------------------------------ */
/* Port                                                                                       */
/* ------------------------------------------------------------------------------------------ */

/* Calendar time as the datetime command carries it (no time zone: the RTC keeps local time). */
struct server_datetime {
    uint16_t year;
    uint8_t month;    /* 1..12 */
    uint8_t day;      /* 1..31 */
    uint8_t hour;     /* 0..23 */
    uint8_t minute;
    uint8_t second;   /* 0..59 */
    uint32_t usec;    /* 0..999999 */
};

/* One thread for taskstat (0/0/2). Stack figures count 4-byte words, as Zephyr reports. */
struct server_task_info {
    const char *name;
    uint32_t prio, tid, state, stkuse, stksiz, cswcnt, runtime, last_checkin, next_checkin;
};

/* One memory pool for mpstat (0/0/3). */
struct server_mempool_info {
    const char *name;
    uint32_t blksiz, nblks, nfree, min;
};

/* Strings for os/app info (0/0/7), one per format letter; NULL prints "unknown". */
struct server_os_info {
    const char *kernel_name;        /* s, e.g. "Zephyr" */
    const char *node_name;          /* n */
    const char *kernel_release;     /* r */
    const char *kernel_version;     /* v */
    const char *build_time;         /* b */
    const char *machine;            /* m */
    const char *processor;          /* p */
    const char *hardware_platform;  /* i */
    const char *os_name;            /* o */
};

/* Bootloader modes of bootloader info (0/0/8, query "mode"). */
enum server_boot_mode {
    SERVER_BOOT_MODE_UNKNOWN = -1,
    SERVER_BOOT_MODE_SINGLE_APP = 0,
    SERVER_BOOT_MODE_SWAP_SCRATCH = 1,
    SERVER_BOOT_MODE_OVERWRITE_ONLY = 2,
    SERVER_BOOT_MODE_SWAP_MOVE = 3,
    SERVER_BOOT_MODE_DIRECT_XIP = 4,
    SERVER_BOOT_MODE_DIRECT_XIP_REVERT = 5,
    SERVER_BOOT_MODE_RAM_LOAD = 6,
    SERVER_BOOT_MODE_SWAP_OFFSET = 9,   /* MCUboot's MCUBOOT_MODE_SWAP_USING_OFFSET */
};

struct server_boot_info {
    const char *name;    /* "MCUboot"; NULL: bootloader info is not supported */
    int mode;            /* enum server_boot_mode */
    bool no_downgrade;
    /* Its trailers have MCUboot's encryption-key fields (a bootloader with encrypted-image
     * support, boot_config.enc_key): the upload room is less by them. */
    bool enc_trailer;
};

/* Everything the server needs from the board. NULL functions and pointers mean "not there":
 * the commands that need them answer ENOTSUP. All functions get `ctx`. */
struct server_port {
    void *ctx;

    /* Clock: DFU_ENOENT from get when the clock was never set (RTC_NOT_SET). */
    int (*datetime_get)(void *ctx, struct server_datetime *out);
    int (*datetime_set)(void *ctx, const struct server_datetime *dt);

    /* Reset request (0/0/5), called before the response goes out. Return 0 to accept (the
     * port resets once the response is sent; server_reset_requested() tells the loop too) or
     * a negative error to veto (DFU_EBUSY -> EBUSY); `force` asks the port not to veto. */
    int (*reset_request)(void *ctx, bool force);

    /* Threads and memory pools by index: 0 and *out filled, 1 past the last. */
    int (*task_get)(void *ctx, uint32_t idx, struct server_task_info *out);
    int (*mempool_get)(void *ctx, uint32_t idx, struct server_mempool_info *out);

    /* Monotonic milliseconds since boot (wrapping); NULL: no clock, so an image upload never
     * goes idle and only its own peer (or an image erase, or a reset) ends it. */
    uint32_t (*uptime_ms)(void *ctx);

    struct server_os_info os;
    struct server_boot_info boot;

    /* Image group: the running image's slot and the upload slot (single image, swap modes:
     * the application runs from the primary slot). The trailers are those of boot.h. */
    const struct flash_area *slot_primary;
    const struct flash_area *slot_secondary;
    /* Direct-XIP (boot.mode DIRECT_XIP[_REVERT]): the number of the slot the application runs
     * from (boot_rsp.slot). slot_primary is then that slot's area and slot_secondary the other
     * one's, where uploads go (Zephyr's img_mgmt in direct-xip); image list reports each under
     * its own number. 0 in the swap modes. */
    uint8_t active_slot;
    /* Multi-image (Zephyr's CONFIG_MCUMGR_GRP_IMG_UPDATABLE_IMAGE_NUMBER > 1, swap modes):
     * image_count pairs (at most SERVER_IMG_MAX_IMAGES), image n's primary and secondary being
     * Zephyr's slots 2n and 2n + 1; images[0] is the application's, which runs from its
     * primary. slot_primary/slot_secondary are then not used. NULL or 0: the single image. */
    const struct boot_image_pair *images;
    uint8_t image_count;
    bool version_cmp_use_build;     /* "upgrade" compares the build number too */

    /* Ports of the other groups (server_ports.h). */
    const struct fs_port *fs;
    const struct shell_port *shell;
    const struct stat_registry *stats;
    struct settings_store *settings;
};

/* Runtime configuration; a zeroed struct means the defaults. */
struct server_config {
    uint16_t buf_size;      /* advertised/enforced response size; 0 or > SMP_BUF_SIZE: SMP_BUF_SIZE */
    uint16_t buf_count;     /* 0 or > SMP_BUF_COUNT: SMP_BUF_COUNT */
    bool verbose_err;       /* add "rsn" to error responses */
    bool no_image_check;    /* do not hash the upload for "match" at the end */
    bool image_frugal_list; /* state read: only true flags, no splitStatus */
    /* Image upload: erase sector by sector as the data reaches it (Zephyr's
     * CONFIG_IMG_ERASE_PROGRESSIVELY). Off (Zephyr's default): the first chunk erases the
     * sectors the whole image will take, and the trailer's, before it is answered. */
    bool erase_progressively;
    /* Multi-image: a state write may confirm the primary of an image other than the
     * application's (Zephyr's CONFIG_MCUMGR_GRP_IMG_ALLOW_CONFIRM_NON_ACTIVE_IMAGE_ANY). Off
     * (Zephyr's default): IMAGE_CONFIRMATION_DENIED; its secondary may be confirmed either way. */
    bool image_confirm_any;
};

/* ------------------------------------------------------------------------------------------ */
/* Server instance                                                                            */
/* ------------------------------------------------------------------------------------------ */

/* The single image-upload context (Zephyr's g_img_mgmt_state). */
struct server_img_upload {
    bool active;
    bool finished;                /* the owner's upload completed: its claim lasts the idle time */
    struct smp_peer owner;        /* the peer whose upload this is */
    uint32_t last_ms;             /* uptime of its last request */
    uint32_t off;                 /* bytes accepted: the next offset expected */
    uint32_t size;                /* total image length ("len") */
    uint8_t image;                /* the image whose secondary slot it goes to */
    uint8_t sha[32];              /* client's SHA-256 of the whole file (may be truncated) */
    uint8_t sha_len;
    uint32_t erased_to;           /* [0, erased_to) erased during this upload */
    uint32_t trailer_from;        /* sectors from here to the slot end were erased at start */
    uint8_t pend[SERVER_IMG_ALIGN_MAX];  /* bytes not yet written (below the write alignment) */
    uint32_t pend_len;
};

/* SMP traffic counters, kept by the dispatcher (stat-group material). */
struct server_counters {
    uint32_t rx_packets;
    uint32_t rx_requests;
    uint32_t tx_responses;
    uint32_t rx_bytes;
    uint32_t tx_bytes;
    uint32_t errors;            /* responses carrying rc != 0 or err */
    uint32_t img_bytes_written;
    uint32_t img_sectors_erased;
};

struct smp_server {
    const struct server_port *port;
    struct server_config cfg;            /* normalised by server_init */
    const struct mgmt_group *groups[SERVER_MAX_GROUPS];
    uint16_t group_count;
    bool reset_requested;
    struct server_counters counters;
    struct server_img_upload upload;
    uint8_t scratch[SERVER_IMG_SCRATCH];
    /* Caller-owned state of other groups, indexed by group id (< SERVER_MAX_GROUPS), e.g. the
     * FS group's open-file context; set by the integrator or the group's own init. */
    void *group_state[SERVER_MAX_GROUPS];
    /* Request/response buffers for transports that want them (SMP_BUF_COUNT x SMP_BUF_SIZE). */
    uint8_t bufs[SMP_BUF_COUNT][SMP_BUF_SIZE];
    uint32_t bufs_used;                  /* bit i: bufs[i] handed out */
};

/* Initialises srv (no groups registered). port must outlive srv; cfg may be NULL. */
void server_init(struct smp_server *srv, const struct server_port *port,
                 const struct server_config *cfg);
/* Adds a group. DFU_EEXIST for an id already present, DFU_ENOSPC when full. */
int server_register_group(struct smp_server *srv, const struct mgmt_group *group);
/* The group with that id, or NULL. */
const struct mgmt_group *server_find_group(const struct smp_server *srv, uint16_t id);

/* Handles one received packet (one or more SMP requests back to back) and writes the
 * responses, one complete SMP message (header + CBOR) per request, back to back into rsp_buf
 * (each response limited to the configured buf_size). Returns the bytes written (0: nothing to
 * send, e.g. a packet shorter than one header, as Zephyr drops it), or DFU_ENOSPC when rsp_cap
 * cannot hold even an error response. Stops after the first request that failed. */
int server_process(struct smp_server *srv, const uint8_t *req, size_t req_len, uint8_t *rsp_buf,
                   size_t rsp_cap);

/* The same for a packet from a given peer (server_process() is the default peer). */
int server_process_from(struct smp_server *srv, const struct smp_peer *peer, const uint8_t *req,
                        size_t req_len, uint8_t *rsp_buf, size_t rsp_cap);

/* Same loop (from the default peer), but each response is built in rsp_buf (one SMP buffer is
 * enough) and passed to emit as soon as it is complete: one packet per response, as Zephyr's
 * transports send them.
 * Returns the total bytes emitted, or the first negative value emit returned. */
typedef int (*server_emit_fn)(void *arg, const uint8_t *rsp, size_t len);
int server_process_each(struct smp_server *srv, const uint8_t *req, size_t req_len,
                        uint8_t *rsp_buf, size_t rsp_cap, server_emit_fn emit, void *arg);

/* True once a reset was accepted; the integrator resets after sending the response. */
bool server_reset_requested(const struct smp_server *srv);

/* Transport buffers from srv->bufs, limited to cfg.buf_count: NULL when all are in use. */
uint8_t *server_buf_alloc(struct smp_server *srv);
void server_buf_free(struct smp_server *srv, uint8_t *buf);

/* The groups of this component. */
extern const struct mgmt_group os_mgmt_group;
extern const struct mgmt_group img_mgmt_group;

/* Upload state helpers other code may need (the FS group does not; the image group and tests
 * do): forget a half-done upload, as an erase or a reset of the upload does. */
void img_mgmt_upload_reset(struct smp_server *srv);

#endif
