/* Host SMP client: connection strings and profiles (the Go mcumgr's formats), a session that
 * matches responses to requests by sequence number over serial or UDP, one function per
 * command (request in, decoded reply out), the windowed image upload engine and file-system
 * transfers. The library never prints: it returns codes and decoded replies, and reports
 * progress through callbacks. Errors follow err.h (negative dfu_err, 0, counts). */
#ifndef DFUKIT_CLIENT_H
#define DFUKIT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cbor.h>

#include "dfukit/smp.h"

/* Connection strings
 * ------------------ */

enum client_conn_type {
    CLIENT_CONN_NONE = 0,
    CLIENT_CONN_SERIAL,
    CLIENT_CONN_UDP,
    CLIENT_CONN_BLE,
    CLIENT_CONN_EXEC,   /* a command's stdin/stdout (ssh + socat to a remote board) */
};

#define CLIENT_SERIAL_BAUD_DEFAULT 115200u
/* Serial "mtu" is the longest console line, marker and newline included (newtmgr since 2023;
 * the captured vectors show lines of mtu-4 base64 characters). */
#define CLIENT_SERIAL_MTU_DEFAULT 128u
#define CLIENT_UDP_PORT_DEFAULT 1337u

struct client_conn {
    enum client_conn_type type;
    char dev[256];        /* serial device path */
    uint32_t baud;
    uint32_t mtu;
    bool raw;             /* serial / exec: raw binary SMP instead of console frames */
    char cmd[512];        /* exec: the command, run by /bin/sh -c */
    char host[256];       /* udp: name or address, brackets removed */
    uint16_t port;
    char peer_name[128];  /* ble */
    char peer_id[128];    /* ble: the peer's address */
    char ctlr_name[32];   /* ble: the adapter, "hci0" when empty */
    uint32_t conn_timeout_ms; /* ble: how long discovery looks for the peer; 0 = default */
};

/* "serial", "udp", "ble" (and the Go tool's aliases) -> type. DFU_EINVAL when unknown. */
int client_conn_type_parse(const char *name, enum client_conn_type *out);
const char *client_conn_type_name(enum client_conn_type type);

/* Parses a connstring of the given type: serial "dev=PATH,baud=N,mtu=N,raw=1" or the bare
 * "PATH,115200"; exec "raw=1,mtu=N,cmd=COMMAND" (cmd= comes last and takes the rest, commas
 * included, as socat's addresses need them); udp "[addr]:port" or "host:port"; ble "peer_name=X" / "peer_id=X".
 * On failure returns DFU_EINVAL and writes a one-line reason to msg. */
int client_conn_parse(struct client_conn *out, enum client_conn_type type, const char *connstring,
                      char *msg, size_t msg_len);

/* Connection profiles (~/.mcumgr.cp.json, the Go tool's exact format)
 * -------------------------------------------------------------------- */

struct client_profile {
    char name[128];
    char type[32];
    char connstring[512];
};

struct client_profiles {
    struct client_profile *items; /* sorted by name */
    size_t count;
};

void client_profiles_init(struct client_profiles *p);
void client_profiles_free(struct client_profiles *p);
/* Parses the JSON array written by either tool. DFU_EBADMSG on malformed text. */
int client_profiles_parse(struct client_profiles *out, const char *json, size_t len);
/* The file text exactly as Go's json.MarshalIndent(list, "", "    ") writes it (no final
 * newline). Heap string, caller frees; NULL when out of memory. */
char *client_profiles_format(const struct client_profiles *p);
/* A missing file loads as an empty list. */
int client_profiles_load(struct client_profiles *out, const char *path);
int client_profiles_save(const struct client_profiles *p, const char *path);
/* Adds, or replaces the profile of the same name; keeps the list sorted. */
int client_profiles_put(struct client_profiles *p, const struct client_profile *prof);
/* DFU_ENOENT when no profile has that name. */
int client_profiles_remove(struct client_profiles *p, const char *name);
const struct client_profile *client_profiles_find(const struct client_profiles *p,
                                                  const char *name);
/* $HOME/.mcumgr.cp.json. DFU_ENOENT without HOME, DFU_ENOMEM when cap is too small. */
int client_profiles_path(char *out, size_t cap);

/* Transports: one whole SMP packet in, one out
 * -------------------------------------------- */

struct client_xport_ops {
    int (*send)(void *ctx, const uint8_t *pkt, size_t len);
    /* One whole SMP packet: its length, or DFU_ETIMEDOUT after timeout_ms. */
    int (*recv)(void *ctx, uint8_t *buf, size_t cap, int timeout_ms);
    void (*close)(void *ctx);
    /* Why the link itself failed (exec: "exec: ssh exited with status 255: ..."), NULL while
     * it has not; may be NULL. */
    const char *(*link_error)(void *ctx);
};

struct client_xport {
    const struct client_xport_ops *ops;
    void *ctx;
    /* Bytes the transport itself takes from the device's net_buf (serial: length + CRC = 4). */
    size_t buf_overhead;
    /* Largest packet the link carries regardless of the device (UDP datagram), 0 = none. */
    size_t link_max;
    /* Flash page size whose boundaries the upload engine watches (the device may erase a page
     * and stop reading a link that drops input meanwhile); 0 = never. */
    size_t page_barrier;
    /* Answers come in the order of the requests (one byte stream): a request still unanswered
     * when a later one is answered is lost. */
    bool ordered;
    /* The link loses a damaged request without a word (serial: the device's CRC refuses the
     * line) but keeps the order: when the newest answer is overdue, the upload asks where the
     * device stands with an empty chunk at the last confirmed offset (Zephyr's img_mgmt
     * answers any chunk with the offset it expects and writes nothing for no data) instead of
     * waiting out the retransmission timeout. */
    bool probe_overdue;
    /* Requests the link itself holds, in order and without loss, beyond the device's buffers
     * (BLE: link-layer flow control stops writes the device cannot take yet). The default
     * upload window grows by this, so the device never waits for the link after an erase. */
    unsigned link_queue;
    /* The shortest wait for an answer before the upload gives up on a request, 0 = the
     * engine's own: a link that loses nothing short of a drop (BLE) waits out a slow answer
     * behind a page erase instead of sending the window again. */
    int rto_min_ms;
};

/* Opens serial (termios + console framing), UDP, exec (a command started with /bin/sh -c,
 * console framing over its stdin/stdout, its stderr forwarded to ours), or BLE (BlueZ over the
 * D-Bus system bus: discovery, connect, the SMP characteristic). */
int client_xport_open(struct client_xport *out, const struct client_conn *conn, char *msg,
                      size_t msg_len);
void client_xport_close(struct client_xport *x);

/* Bridge: whole SMP packets between a serial board and UDP clients
 * ---------------------------------------------------------------- */

/* A relay, not a server: every answer is the board's. Each request's sequence number
 * remembers the client that sent it, and the board's answer with that number goes back to
 * that client alone (an answer nobody asked for is dropped). */
struct client_bridge;

struct client_bridge_stats {
    uint32_t requests;      /* datagrams passed to the board */
    uint32_t answers;       /* packets passed back to a client */
    uint32_t unmatched;     /* board packets no client's request was waiting for */
    uint32_t malformed;     /* datagrams shorter than an SMP header */
};

/* serial: a parsed serial connstring (dev, baud, raw); udp: "ADDR:PORT" to bind (the caller
 * picks loopback unless told otherwise). Writes a one-line reason to msg on failure. */
int client_bridge_open(struct client_bridge **out, const struct client_conn *serial,
                       const char *udp, char *msg, size_t msg_len);
/* The bound UDP address ("127.0.0.1:1337"; port 0 resolved). */
int client_bridge_local(const struct client_bridge *b, char *out, size_t cap);
/* Relays until *stop is set (looked at every 200 ms at most). 0, or DFU_EIO when the serial
 * port went away (msg says so). */
int client_bridge_run(struct client_bridge *b, const volatile int *stop, char *msg,
                      size_t msg_len);
void client_bridge_get_stats(const struct client_bridge *b, struct client_bridge_stats *out);
void client_bridge_close(struct client_bridge *b);

/* Session
 * ------- */

/* Frame dump hook for "-l debug": dir is "tx" or "rx". */
typedef void (*client_trace_fn)(void *arg, const char *dir, const uint8_t *pkt, size_t len);

struct client_session {
    struct client_xport xp;
    uint8_t seq;            /* next sequence number */
    uint8_t version;        /* SMP version sent: v2, falling back to v1 on UNSUPPORTED_TOO_NEW */
    int timeout_ms;         /* per request */
    int tries;              /* total attempts per request on timeout */
    uint32_t buf_size;      /* device net_buf size and count (0/0/6); 0 = unknown */
    uint32_t buf_count;
    bool params_read;
    client_trace_fn trace;
    void *trace_arg;
};

/* A device error: v1 "rc" or v2 "err {group, rc}". */
struct client_deverr {
    int rc;                 /* top-level rc, 0 if absent */
    bool has_group_err;
    uint16_t group;
    int group_rc;
};

struct client_rsp {
    struct smp_hdr hdr;
    cbor_item_t *root;      /* the decoded map (never NULL after success) */
    struct client_deverr err;
};

/* The device answered with an error: the details are in the struct client_deverr. A value no
 * enum dfu_err has, so a library error that leaks is never taken for a device's answer. */
#define CLIENT_EDEVICE (-1000)
/* The link went away (exec: the command ended): client_session_link_error() says why. */
#define CLIENT_ELINK (-1001)

void client_session_init(struct client_session *s, const struct client_xport *xp);
void client_session_close(struct client_session *s);
/* The transport's account of a failed link (see client_xport_ops.link_error), or NULL. */
const char *client_session_link_error(const struct client_session *s);

/* Sends one request and waits for the response with the same sequence number (other
 * packets are dropped), trying s->tries times. payload is a CBOR map. On success the caller
 * owns rsp and frees it with client_rsp_free(). Returns 0 even when the device answered with
 * an error; check client_rsp_failed(). */
int client_request(struct client_session *s, uint8_t op, uint16_t group, uint8_t id,
                   const uint8_t *payload, size_t len, struct client_rsp *rsp, int timeout_ms);
/* Lower level for pipelining: sends and returns the sequence number used (0..255). */
int client_send(struct client_session *s, uint8_t op, uint16_t group, uint8_t id,
                const uint8_t *payload, size_t len);
/* Receives the next response of any sequence number. DFU_ETIMEDOUT, DFU_EBADMSG. */
int client_recv(struct client_session *s, struct client_rsp *rsp, int timeout_ms);
void client_rsp_free(struct client_rsp *rsp);
bool client_rsp_failed(const struct client_rsp *rsp);

/* Decodes a response packet (header + CBOR map) and its error fields. Used by the session and
 * by the fuzz harness. DFU_EBADMSG on anything malformed. */
int client_rsp_decode(struct client_rsp *rsp, const uint8_t *pkt, size_t len);

/* Reads buffer size and count (0/0/6) once; keeps defaults when the device lacks it. */
int client_read_params(struct client_session *s);
/* Largest SMP packet (header included) the device and link accept. */
size_t client_max_packet(const struct client_session *s);

/* Response fields (NULL / false when missing or of another type)
 * --------------------------------------------------------------- */

const cbor_item_t *client_map_get(const cbor_item_t *map, const char *key);
bool client_get_uint(const cbor_item_t *map, const char *key, uint64_t *out);
bool client_get_int(const cbor_item_t *map, const char *key, int64_t *out);
bool client_get_bool(const cbor_item_t *map, const char *key, bool *out);
/* Text into a NUL-terminated buffer (truncated to fit). */
bool client_get_text(const cbor_item_t *map, const char *key, char *out, size_t cap);
/* Byte string: pointer into the item and its length. */
bool client_get_bytes(const cbor_item_t *map, const char *key, const uint8_t **data, size_t *len);
bool client_item_uint(const cbor_item_t *item, uint64_t *out);

/* "image test: IMAGE_ALREADY_PENDING (28)" / "echo: ENOTSUP (8)". */
void client_format_deverr(char *out, size_t cap, const char *what, const struct client_deverr *e);

/* The host's monotonic clock. */
double client_now_s(void);
int64_t client_now_ms(void);

/* Commands
 * --------
 * One request and its answer each. 0 on success; CLIENT_EDEVICE with *err filled when the
 * device answered with an error; DFU_ETIMEDOUT, DFU_EBADMSG (a reply without the fields the
 * command promises), DFU_EINVAL (arguments that do not fit a request) otherwise. rsp, when not
 * NULL, receives the whole decoded reply on success (for --json or fields the typed outputs do
 * not cover); the caller frees it with client_rsp_free(). err may be NULL. */

/* Sends a request and turns a device error into CLIENT_EDEVICE (the reply is freed then). */
int client_call(struct client_session *s, uint8_t op, uint16_t group, uint8_t id,
                const uint8_t *payload, size_t len, struct client_rsp *rsp,
                struct client_deverr *err);

/* OS group (0). echo: the device's answer into out (truncated to cap). */
int client_os_echo(struct client_session *s, const char *text, char *out, size_t cap,
                   struct client_rsp *rsp, struct client_deverr *err);
/* Task and memory-pool statistics: the reply's "tasks" map / pool maps, in rsp (required). */
int client_os_taskstat(struct client_session *s, struct client_rsp *rsp,
                       struct client_deverr *err);
int client_os_mpstat(struct client_session *s, struct client_rsp *rsp, struct client_deverr *err);
/* value NULL reads the device's date and time into out; otherwise sets it (RFC 3339 text). */
int client_os_datetime(struct client_session *s, const char *value, char *out, size_t cap,
                       struct client_rsp *rsp, struct client_deverr *err);
int client_os_reset(struct client_session *s, bool force, struct client_deverr *err);
/* The device's SMP buffer size and count (0/0/6). */
int client_os_params(struct client_session *s, uint32_t *buf_size, uint32_t *buf_count,
                     struct client_rsp *rsp, struct client_deverr *err);
/* Zephyr's `uname`-like text; format NULL for the device's default. */
int client_os_info(struct client_session *s, const char *format, char *out, size_t cap,
                   struct client_rsp *rsp, struct client_deverr *err);

struct client_bootloader_info {
    char bootloader[64];   /* "MCUboot"; empty when a query answered something else */
    bool has_mode, has_no_downgrade;
    int64_t mode;
    bool no_downgrade;
};
/* query NULL asks for the bootloader's name; "mode" for MCUboot's mode. */
int client_os_bootloader_info(struct client_session *s, const char *query,
                              struct client_bootloader_info *out, struct client_rsp *rsp,
                              struct client_deverr *err);

/* Image group (1) besides state and upload: erase a slot (slot < 0: the device's choice). */
int client_image_erase(struct client_session *s, int slot, struct client_deverr *err);
/* Slot sizes and max_image_size per image: the reply's "images" array, in rsp (required). */
int client_image_slot_info(struct client_session *s, struct client_rsp *rsp,
                           struct client_deverr *err);

/* Shell group (9): runs argv on the device's shell. out/out_len point into rsp (required);
 * *ret is the command's own return value (0 = it succeeded). */
int client_shell_exec(struct client_session *s, int argc, char *const argv[], int64_t *ret,
                      const uint8_t **out, size_t *out_len, struct client_rsp *rsp,
                      struct client_deverr *err);

/* Stat group (2): the reply's "stat_list" array / "fields" map, in rsp (required). */
int client_stat_list(struct client_session *s, struct client_rsp *rsp, struct client_deverr *err);
int client_stat_read(struct client_session *s, const char *group, struct client_rsp *rsp,
                     struct client_deverr *err);

/* Settings group (3). read: the value's bytes point into rsp (required); text is set when the
 * device sent a text string (the `config` command's servers) instead of bytes. */
int client_settings_read(struct client_session *s, const char *name, const uint8_t **val,
                         size_t *val_len, bool *text, struct client_rsp *rsp,
                         struct client_deverr *err);
/* write with as_text sends the value as a text string (the Go tool's `config VAR VALUE`). */
int client_settings_write(struct client_session *s, const char *name, const char *value,
                          bool as_text, struct client_deverr *err);
int client_settings_delete(struct client_session *s, const char *name, struct client_deverr *err);
int client_settings_commit(struct client_session *s, struct client_deverr *err);
int client_settings_load(struct client_session *s, struct client_deverr *err);
int client_settings_save(struct client_session *s, struct client_deverr *err);

/* Enumeration group (10). count: *count; list: the number of groups the device has, their
 * ids in groups (the first cap of them); details: the reply's "groups" array in rsp
 * (required). */
int client_enum_count(struct client_session *s, uint32_t *count, struct client_rsp *rsp,
                      struct client_deverr *err);
int client_enum_list(struct client_session *s, uint16_t *groups, size_t cap,
                     struct client_rsp *rsp, struct client_deverr *err);
int client_enum_details(struct client_session *s, struct client_rsp *rsp,
                        struct client_deverr *err);

/* Image upload engine
 * ------------------- */

typedef void (*client_progress_fn)(void *arg, size_t done, size_t total);

/* Smallest packet the first-chunk fallback tries (header included). */
#define CLIENT_UPLOAD_PACKET_MIN 128u

struct client_upload_opts {
    const uint8_t *data;
    size_t len;
    uint32_t image;          /* image number; sent only when non-zero */
    bool upgrade;            /* refuse older versions */
    unsigned window;         /* requests in flight; 0 = buf_count - 1 */
    size_t chunk_max;        /* data bytes per request cap; 0 = fill the packet */
    size_t max_packet;       /* SMP packet cap, header included; 0 = the device's buffer */
    int first_timeout_ms;    /* budget for the first reply (slot erase); 0 = default */
    int timeout_ms;          /* later chunks, and the wait before the first chunk is probed;
                              * 0 = default */
    int retries;             /* consecutive timeouts without progress, and first-chunk sizes
                              * tried; 0 = default */
    client_progress_fn progress;
    void *progress_arg;
    /* Called once, before the first progress call, when the device already held part of the
     * file: off is where this run goes on from. */
    client_progress_fn resumed;
};

struct client_upload_stats {
    size_t resumed_from;     /* offset the device reported for our SHA-256 (0: no resume) */
    unsigned requests;
    unsigned retransmits;
    unsigned resyncs;
    size_t chunk_data;       /* data bytes per full request */
    unsigned window;
    bool match_reported;
    bool match;
    size_t packet;           /* SMP packet size the upload ran with (header included) */
    /* The first chunk: the largest packet size that got no reply while the device answered
     * a small request (0: none). With packet < that size, the fallback found a size. */
    size_t packet_unanswered;
    bool device_silent;      /* the first chunk timed out and the device answered nothing */
    /* Chunks sent again, by why (requests = the first sends + these): the one the device named
     * as missing, those sent behind it before that showed (the device dropped them: it takes
     * chunks in order only), those given up on at a timeout, and the rest (first-chunk tries,
     * restarts). needless: answers showing the device held a resent chunk already. */
    unsigned resent_gap, resent_behind, resent_timeout, resent_other, needless;
    /* Empty chunks sent to ask where the device stands (probe_overdue links); not in requests. */
    unsigned probes;
};

/* Uploads an image; resumes when the device already holds part of the same file (by its
 * SHA-256). The first chunk is sent alone and waited for up to first_timeout_ms; when it
 * gets no reply within timeout_ms, a small request tells a device that dropped it (it
 * answers: the chunk is sent again at half the packet size, down to
 * CLIENT_UPLOAD_PACKET_MIN) from one still busy erasing (no answer: keep waiting).
 * CLIENT_EDEVICE with *err filled when the device refuses; DFU_ETIMEDOUT after the retries
 * are spent; DFU_ESIG when the device's match says its data differs from the file. */
int client_image_upload(struct client_session *s, const struct client_upload_opts *o,
                        struct client_upload_stats *st, struct client_deverr *err);

/* Data bytes that fit in a request of pkt_max bytes for an upload chunk at offset off. */
size_t client_upload_chunk_fit(size_t pkt_max, size_t off, size_t total, uint32_t image,
                               bool upgrade);

/* Image state and the one-step upgrade
 * ------------------------------------ */

/* One slot of a state response (2/1/0), as listed. */
struct client_slot_state {
    uint32_t image, slot;
    bool active, confirmed, pending, permanent, bootable;
    uint8_t hash[64];
    size_t hash_len;       /* 0: no hash listed */
    char version[32];
};
/* Slots of two images (four with CONFIG_UPDATEABLE_IMAGE_NUMBER 4) fit in this many. */
#define CLIENT_STATE_SLOTS_MAX 8
/* The listed slots of a state response, in order, up to max. */
size_t client_state_slots(const cbor_item_t *root, struct client_slot_state *out, size_t max);

/* State read / write (test: confirm=false with a hash; confirm: with or without one). On
 * success the caller frees rsp; a device error gives CLIENT_EDEVICE with *err filled. */
int client_image_state_read(struct client_session *s, struct client_rsp *rsp,
                            struct client_deverr *err);
int client_image_state_write(struct client_session *s, const uint8_t *hash, size_t hash_len,
                             bool confirm, struct client_rsp *rsp, struct client_deverr *err);
/* The hash of the active (or the not active) slot of an image number in a state response. */
bool client_state_find(const cbor_item_t *root, uint32_t image, bool active, uint8_t *hash,
                       size_t cap, size_t *hash_len);
/* After a reset: polls until the device answers from its new boot, i.e. with no image
 * pending any more. DFU_ETIMEDOUT after budget_ms. */
int client_wait_reboot(struct client_session *s, int budget_ms);

/* The room for an upload, from `image slot-info` (2/1/6): the target slot's size and the
 * largest image the device accepts there. has_* false when the device does not say.
 * DFU_ENOTSUP (no error out) when the device has no slot-info. */
struct client_upload_room {
    bool has_slot_size, has_max_image_size;
    uint32_t slot, slot_size, max_image_size;
};
int client_upload_room_read(struct client_session *s, uint32_t image,
                            struct client_upload_room *out);

/* The hash TLV of an MCUboot image file (what the device lists as the slot's hash).
 * DFU_ENOENT when the data is no MCUboot image whose hash TLV matches its bytes. */
int client_image_file_hash(const uint8_t *data, size_t len, uint8_t *hash, size_t cap,
                           size_t *hash_len);

typedef void (*client_step_fn)(void *arg, const char *step, double seconds, const char *detail);

struct client_upgrade_opts {
    struct client_upload_opts upload;
    bool test;       /* mark the new image for one test boot */
    bool confirm;    /* without reset: mark it permanent; with reset: confirm once it runs */
    bool reset;
    bool wait;       /* after the reset, wait and check that the new image runs */
    int wait_ms;     /* 0 = 60 s */
    client_step_fn step;
    void *step_arg;
};

/* What the device said about the target slot once the upload ended. */
enum client_upload_verdict {
    CLIENT_UPLOAD_VERIFIED = 0,  /* the slot lists the file's hash (or match true, no list) */
    CLIENT_UPLOAD_MISMATCH,      /* the last chunk's match was false */
    CLIENT_UPLOAD_OTHER_IMAGE,   /* the slot now holds another image */
    CLIENT_UPLOAD_NO_IMAGE,      /* the slot holds no image */
    CLIENT_UPLOAD_UNVERIFIED,    /* neither a match nor a hash to compare */
};

/* What the board did with the new image at the reset. */
enum client_boot_outcome {
    CLIENT_BOOT_NOT_CHECKED = 0,
    CLIENT_BOOT_RUNNING,         /* the new image is active */
    CLIENT_BOOT_REFUSED,         /* the bootloader rejected it: gone from its slot */
    CLIENT_BOOT_REVERTED,        /* it ran, was not confirmed, and is back in its slot */
};

struct client_upgrade_result {
    struct client_upload_stats upload;
    struct client_upload_room room;
    bool too_large;               /* refused locally: len > room.max_image_size */
    bool busy_finished;           /* EBUSY, and the slot holds another client's finished upload */
    enum client_upload_verdict verdict;
    uint32_t slot;                /* the slot the upload went to, as the state list says */
    uint8_t hash[64];         /* the new image's hash as the device lists it */
    size_t hash_len;
    bool active, confirmed;
    enum client_boot_outcome boot;
    char running_version[32];     /* after the reset: the active image's version */
    const char *failed_step;  /* NULL on success */
};

/* room check -> upload -> verify -> (test | confirm) -> reset -> wait -> check active ->
 * confirm, as asked. DFU_ENOSPC when the file exceeds the slot's max_image_size (nothing
 * sent); DFU_ESIG when the slot does not hold the file after the upload (see verdict) or
 * when the new image is not running after the reset (see boot). */
int client_upgrade(struct client_session *s, const struct client_upgrade_opts *o,
                   struct client_upgrade_result *r, struct client_deverr *err);

/* File-system group (8): transfers (stop-and-wait; the server keeps one file context)
 * ------------------------------------------------------------------------------------ */

/* The size of a file on the device. */
int client_fs_stat(struct client_session *s, const char *remote, uint64_t *len,
                   struct client_rsp *rsp, struct client_deverr *err);

struct client_fs_hash {
    char type[32];           /* "sha256", "crc32" */
    uint64_t len;            /* bytes hashed */
    uint8_t digest[64];      /* a byte-string output */
    size_t digest_len;
    bool has_value;          /* crc32: the output is a number */
    uint64_t value;
};
/* type NULL for the device's default. */
int client_fs_hash(struct client_session *s, const char *remote, const char *type,
                   struct client_fs_hash *out, struct client_rsp *rsp, struct client_deverr *err);

int client_fs_upload(struct client_session *s, const char *remote, const uint8_t *data,
                     size_t len, client_progress_fn progress, void *arg,
                     struct client_deverr *err);
/* *out is a heap buffer the caller frees. */
int client_fs_download(struct client_session *s, const char *remote, uint8_t **out,
                       size_t *out_len, client_progress_fn progress, void *arg,
                       struct client_deverr *err);

#endif
