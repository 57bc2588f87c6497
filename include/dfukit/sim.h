/* The simulated board (devsim): board profiles, the simulator app descriptor, a programming
 * probe, the poll() event loop, the emulated UART and links, and the board runtime that powers
 * the bootloader core and the SMP server on an emulated flash file. Host code: libc and the heap
 * are allowed here; device code (boot, server) is only composed.
 * User guide: tools/devsim/README.md. */
#ifndef DFUKIT_SIM_H
#define DFUKIT_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfukit/boot.h"
#include "dfukit/flash.h"
#include "dfukit/simflash.h"

/* ---------------------------------------------------------------------------------------------
 * Board profiles
 * ------------------------------------------------------------------------------------------- */

#define SIM_BOARD_MAX_RUNS 4

/* A partition of the board's flash; size 0 = absent. */
struct sim_part {
    uint32_t off;
    uint32_t size;
};

struct sim_board {
    char name[24];
    uint32_t mem_base;        /* address of flash offset 0 in the CPU map (Intel HEX files) */
    uint32_t flash_size;
    struct flash_sector_run runs[SIM_BOARD_MAX_RUNS];
    uint32_t run_count;
    uint32_t write_align;
    uint8_t erased_val;
    struct sim_part boot, slot0, slot1, scratch, storage;
    /* Image pairs (MCUboot's UPDATEABLE_IMAGE_NUMBER): 1, or 2 with image 1 in slot2/slot3
     * (Zephyr's slot2_partition and slot3_partition, mcumgr's slots 2 and 3). The app runs
     * image 0; image 1 is the other core's firmware (nrf5340dk: the network core). */
    uint8_t image_count;
    struct sim_part slot2, slot3;
    /* The app may confirm image 1's running slot over SMP (Zephyr's
     * CONFIG_MCUMGR_GRP_IMG_ALLOW_CONFIRM_NON_ACTIVE_IMAGE_ANY). */
    bool img_confirm_any;
    enum boot_strategy strategy;  /* the bootloader's upgrade strategy */
    /* MCUboot's downgrade prevention (off in every profile): by version (with the build
     * number when downgrade_use_build), or by the image's security counter against the
     * board's, which lives in the last sector of the bootloader partition
     * (sim_board_sec_cnt_part) and so survives resets, power cuts and slot erases. */
    enum boot_downgrade downgrade;
    bool downgrade_use_build;
    struct nor_flash_timing flash_timing;  /* erase/write latency of the chip (datasheet) */
    uint32_t baud;            /* UART: bytes flow at baud/10 per second each way */
    bool timing_default;      /* timing emulation on unless --no-timing */
    uint32_t smp_buf_size;    /* SMP net_buf size and count (os params) */
    uint32_t smp_buf_count;
    uint32_t line_size;       /* UART RX line buffers (UART_MCUMGR_RX_BUF_SIZE / _COUNT) */
    uint32_t line_count;
    /* Page erase in partial steps of this many ms (nRF52 NVMC ERASEPAGEPARTIAL,
     * CONFIG_SOC_FLASH_NRF_PARTIAL_ERASE): between steps the UART driver moves complete lines
     * into SMP buffers, processed after the flash operation. 0: the CPU waits out the erase. */
    uint32_t partial_erase_ms;
    uint32_t watchdog_ms;     /* a crashed or hung app is reset after this long */
    /* The bootloader decrypts encrypted images (--enc-key): its trailers have MCUboot's
     * two encryption-key fields. */
    bool enc_trailer;
};

/* The named profile ("nrf52840dk", "nrf5340dk", "stm32f4", "generic") into out. DFU_ENOENT if unknown. */
int sim_board_find(const char *name, struct sim_board *out);
/* Name of the i-th profile, NULL past the end (for --help). */
const char *sim_board_name(size_t i);
/* Lays out a generic board from its geometry: bootloader, slot 0, slot 1, slots 2 and 3 (two
 * images), then scratch (only for swap-scratch) and storage, each rounded up to whole sectors of the uniform sector size; the
 * flash size becomes their sum unless flash_size is already larger. Uses board->runs[0].size,
 * slot0.size, boot.size, scratch.size, storage.size and strategy as set by the caller. */
int sim_board_layout_generic(struct sim_board *board);
/* Checks that the geometry and partition map are consistent: sectors cover the flash, every
 * partition lies on sector boundaries inside the flash, none overlap, both slots equal, scratch
 * present for swap-scratch. DFU_EINVAL with a reason in why (may be NULL). */
int sim_board_check(const struct sim_board *board, char *why, size_t why_len);
/* Parses "swap-scratch" | "swap-move" | "swap-offset" | "overwrite-only" | "direct-xip" |
 * "direct-xip-revert" (MCUboot's Kconfig choices). */
int sim_strategy_parse(const char *s, enum boot_strategy *out);
const char *sim_strategy_name(enum boot_strategy s);
/* Where the board keeps its security counter: the last sector of the bootloader partition.
 * DFU_ENOENT when the board has no bootloader partition. */
int sim_board_sec_cnt_part(const struct sim_board *board, struct sim_part *out);
/* Where an image for slot 0 or 1 (2 or 3: image 1's) goes: the slot, or for swap-offset slot
 * 1 less its first sector (boot_image_area()), as the SMP server and `devsim flash --slot 1`
 * place it. DFU_ENOENT for slot 2 or 3 on a board with one image. */
int sim_board_image_part(const struct sim_board *board, int slot, struct sim_part *out);
/* Parses "off" | "version" | "version+build" | "security-counter" into the board's downgrade
 * fields; the name of a board's setting. */
int sim_downgrade_parse(const char *s, struct sim_board *board);
const char *sim_downgrade_name(const struct sim_board *board);

/* ---------------------------------------------------------------------------------------------
 * Simulator app descriptor (tools/devsim/README.md "App descriptor")
 *
 * 32 bytes, little-endian, placed at offset 0 of the payload `devsim mkapp` writes and found by
 * the runtime at any 4-aligned offset of the first SIM_APP_SCAN bytes of the slot:
 *   0  u8[8] magic "DEVSIMAP"
 *   8  u8    format (1)
 *   9  u8    behaviour (enum sim_app_behaviour)
 *  10  u16   descriptor size (32)
 *  12  u32   fault_after_ms: crash/hang this long after boot (0 = at boot)
 *  16  u8 major, u8 minor, u16 revision, u32 build: the version the app was built as
 *  24  u32   payload size in bytes (descriptor included)
 *  28  u32   check: sum of bytes 0..27 xor 0x5a5aa5a5 (rejects accidental magic matches)
 * ------------------------------------------------------------------------------------------- */

#define SIM_APP_DESC_SIZE 32
#define SIM_APP_DESC_FORMAT 1
#define SIM_APP_MAGIC "DEVSIMAP"
#define SIM_APP_SCAN 4096

enum sim_app_behaviour {
    SIM_APP_NORMAL = 0,        /* serves SMP, never confirms itself */
    SIM_APP_CRASH = 1,         /* faults: stops serving, the watchdog resets the board */
    SIM_APP_HANG = 2,          /* spins: stops serving and feeding the watchdog */
    SIM_APP_SELF_CONFIRM = 3,  /* confirms its own image at boot, then serves SMP */
};

struct sim_app_desc {
    enum sim_app_behaviour behaviour;
    uint32_t fault_after_ms;
    uint8_t major, minor;
    uint16_t revision;
    uint32_t build;
    uint32_t payload_size;
};

int sim_app_behaviour_parse(const char *s, enum sim_app_behaviour *out);
const char *sim_app_behaviour_name(enum sim_app_behaviour b);
void sim_app_desc_encode(uint8_t out[SIM_APP_DESC_SIZE], const struct sim_app_desc *d);
/* 0 when raw holds a valid descriptor, DFU_ENOENT when it does not. */
int sim_app_desc_decode(struct sim_app_desc *out, const uint8_t raw[SIM_APP_DESC_SIZE]);
/* Fills out[0, size) with an app payload: the descriptor, a readable banner, then filler bytes
 * derived from the version and behaviour (so different apps hash differently). size must be at
 * least SIM_APP_DESC_SIZE; d->payload_size is set to size. */
int sim_app_build(uint8_t *out, size_t size, struct sim_app_desc *d);
/* Looks for a descriptor in the first SIM_APP_SCAN bytes (or img_end, if smaller) of an area.
 * 0 found, DFU_ENOENT none (the app then runs normally), negative on a flash error. */
int sim_app_find(const struct flash_area *fa, uint32_t img_end, struct sim_app_desc *out);

/* ---------------------------------------------------------------------------------------------
 * Event loop: single-threaded around poll(); fds and timers are the events
 * ------------------------------------------------------------------------------------------- */

#define SIM_LOOP_MAX_FDS 16
#define SIM_LOOP_MAX_TIMERS 32

typedef void (*sim_fd_fn)(void *arg, int fd, short revents);
typedef void (*sim_timer_fn)(void *arg);

struct sim_loop_fd {
    int fd;
    short events;
    sim_fd_fn fn;
    void *arg;
};

struct sim_loop_timer {
    int id;             /* 0 = free */
    uint64_t at_us;
    uint64_t seq;       /* ties fire in the order they were armed */
    sim_timer_fn fn;
    void *arg;
};

struct sim_loop {
    struct sim_loop_fd fds[SIM_LOOP_MAX_FDS];
    size_t nfds;
    struct sim_loop_timer timers[SIM_LOOP_MAX_TIMERS];
    uint64_t seq;
    int next_id;
    bool stop;
    int exit_code;
};

void sim_loop_init(struct sim_loop *l);
/* Monotonic clock in microseconds. */
uint64_t sim_now_us(void);
/* Watches fd for events (POLLIN/POLLOUT); replaces an earlier watch of the same fd.
 * DFU_ENOSPC when full. */
int sim_loop_watch(struct sim_loop *l, int fd, short events, sim_fd_fn fn, void *arg);
/* Changes the events of a watched fd (0 pauses it). */
void sim_loop_set_events(struct sim_loop *l, int fd, short events);
void sim_loop_unwatch(struct sim_loop *l, int fd);
/* Arms a one-shot timer at an absolute sim_now_us() time; returns its id (> 0) or
 * DFU_ENOSPC. */
int sim_loop_timer_at(struct sim_loop *l, uint64_t at_us, sim_timer_fn fn, void *arg);
/* Cancels a timer by id (no-op for 0 or a timer that already fired). */
void sim_loop_cancel(struct sim_loop *l, int id);
/* Runs until sim_loop_stop(); returns the code given there, or a negative error. */
int sim_loop_run(struct sim_loop *l);
void sim_loop_stop(struct sim_loop *l, int code);
/* One iteration: waits at most max_wait_us (or less, for the next timer), dispatches the ready
 * fds, then the due timers. */
int sim_loop_step(struct sim_loop *l, uint64_t max_wait_us);

/* ---------------------------------------------------------------------------------------------
 * Link emulation: a seeded PRNG (deterministic faults), serial bit errors, UDP impairments,
 * and UART pacing at baud/10 bytes per second
 * ------------------------------------------------------------------------------------------- */

struct sim_rng {
    uint64_t s;
};

void sim_rng_seed(struct sim_rng *r, uint64_t seed);
uint32_t sim_rng_next(struct sim_rng *r);
/* True with probability p (0 never, >= 1 always). */
bool sim_rng_chance(struct sim_rng *r, double p);
/* Flips each bit of buf with probability ber; returns how many bits flipped. */
uint32_t sim_link_corrupt(struct sim_rng *r, double ber, uint8_t *buf, size_t len);

struct sim_udp_faults {
    double drop;       /* probability a datagram is lost */
    double duplicate;  /* probability it is delivered twice */
    double reorder;    /* probability it is held back and delivered after the next one */
};

enum sim_udp_fate {
    SIM_UDP_DELIVER = 0,
    SIM_UDP_DROP = 1,
    SIM_UDP_DUPLICATE = 2,
    SIM_UDP_HOLD = 3,    /* deliver after the next datagram (or after a short delay) */
};

enum sim_udp_fate sim_udp_fate_of(struct sim_rng *r, const struct sim_udp_faults *f);

/* A UART direction: one byte per 10/baud seconds, no burst beyond one byte after idle. */
struct sim_pacer {
    uint64_t byte_ns;  /* 0 = unpaced */
    uint64_t t_ns;     /* the time the last byte allowed finished */
    bool backlog;      /* the last take left bytes waiting: the line stayed busy */
};

void sim_pacer_init(struct sim_pacer *p, uint32_t baud, bool enabled);
/* How many of `want` bytes may pass by now_us; those are accounted as sent. Bytes left over
 * count as waiting since then, so call again (at sim_pacer_next_us) with what is left. */
size_t sim_pacer_take(struct sim_pacer *p, uint64_t now_us, size_t want);
/* When the next byte may pass (now_us when unpaced). */
uint64_t sim_pacer_next_us(const struct sim_pacer *p, uint64_t now_us);

/* ---------------------------------------------------------------------------------------------
 * Bluetooth LE link model (ble_model.c): what one connection carries each way. Connection
 * events come every interval; in each, the link layer moves up to a number of data packets per
 * direction, bounded by the controller and by how many packet exchanges fit in the interval at
 * the 1M PHY. A packet holds 27 payload bytes, 251 with data length extension; an ATT value of
 * n bytes is n + 3 (ATT) + 4 (L2CAP) bytes of packets.
 * ------------------------------------------------------------------------------------------- */

#define SIM_BLE_INTERVAL_MIN_US 7500u      /* 6 x 1.25 ms */
#define SIM_BLE_INTERVAL_MAX_US 4000000u
#define SIM_BLE_INTERVAL_STEP_US 1250u
#define SIM_BLE_LL_PAYLOAD 27u
#define SIM_BLE_LL_PAYLOAD_DLE 251u

struct sim_ble_link_model {
    uint16_t mtu;                /* ATT MTU, 23..517 */
    uint32_t interval_us;        /* connection interval */
    bool dle;                    /* data length extension */
    uint32_t max_pkts;           /* the controller's packets per event and direction */
};

/* One direction of the link: the connection event in use and the packets it already carries. */
struct sim_ble_dir {
    uint64_t anchor_us;          /* the first connection event */
    uint64_t event;              /* index of the event in use */
    uint32_t used;               /* its packets taken */
};

/* Time of one packet exchange (a full data packet and the peer's empty one, with the two
 * inter-frame spaces). */
uint32_t sim_ble_exchange_us(const struct sim_ble_link_model *m);
uint32_t sim_ble_pkts_per_event(const struct sim_ble_link_model *m);
/* Link-layer packets an ATT value of value_len bytes takes. */
uint32_t sim_ble_value_pkts(const struct sim_ble_link_model *m, size_t value_len);
/* What a link that never idles carries one way, in value bytes per second: full values of
 * ATT_MTU - 3 bytes, back to back. */
uint32_t sim_ble_ceiling_bps(const struct sim_ble_link_model *m);
/* The same for SMP packets of pkt_len bytes sent back to back, each split into writes of
 * ATT_MTU - 3 bytes (the last one shorter, its link packets part empty): SMP bytes per second.
 * What an upload in packets of that size can reach at most. */
uint32_t sim_ble_smp_ceiling_bps(const struct sim_ble_link_model *m, size_t pkt_len);
void sim_ble_dir_start(struct sim_ble_dir *d, uint64_t anchor_us);
/* Books the packets of a value handed to the link at now_us; returns when it has crossed
 * (the end of its last packet exchange). */
uint64_t sim_ble_dir_send(const struct sim_ble_link_model *m, struct sim_ble_dir *d,
                          uint64_t now_us, size_t value_len);

/* ---------------------------------------------------------------------------------------------
 * Serial port of the board: a pseudo-terminal with a stable symlink
 * ------------------------------------------------------------------------------------------- */

struct sim_pty {
    int master;          /* the board's end (non-blocking) */
    int hold;            /* slave kept open so the master never sees a hang-up */
    char slave[64];      /* /dev/pts/N */
    char link[512];      /* the symlink, "" when none */
};

/* Opens a pty and points link (may be NULL) at its slave, replacing an older symlink there;
 * refuses (DFU_EEXIST) to replace anything that is not a symlink. */
int sim_pty_open(struct sim_pty *p, const char *link);
/* Closes both ends and removes the symlink if it still points at this pty. */
void sim_pty_close(struct sim_pty *p);

/* ---------------------------------------------------------------------------------------------
 * Board runtime (devsim run): bootloader, then the application or serial recovery
 * ------------------------------------------------------------------------------------------- */

#define SIM_MAX_UDP 4
#define SIM_MAX_KEYS 4
#define SIM_DEFAULT_UDP "127.0.0.1:1337"

/* Exit codes of sim_run() (and of `devsim run`). */
#define SIM_EXIT_OK 0          /* stopped by SIGTERM / SIGINT */
#define SIM_EXIT_ERROR 1       /* could not start (flash file, keys, pty, sockets) */
#define SIM_EXIT_POWER_CUT 3   /* --power-cut-at-op fired: the board is off */

/* One log line per event, without a newline ("[   1.234] boot: ..."). */
typedef void (*sim_log_fn)(void *arg, const char *line);

struct sim_run_config {
    struct sim_board board;           /* after profile + flag overrides, checked */
    const char *flash_path;           /* the board's flash; created erased when missing */
    const char *trust[SIM_MAX_KEYS];  /* PEM public (or private) keys the bootloader trusts */
    const char *enc_key;              /* PEM key-exchange private key (--enc-key); NULL: none */
    size_t trust_count;               /* 0: the bootloader checks hashes only */
    const char *serial_link;          /* symlink to the pty; NULL: pty without a link */
    const char *udp[SIM_MAX_UDP];     /* "[ADDR]:PORT" listeners; none: SIM_DEFAULT_UDP */
    size_t udp_count;
    bool no_udp;
    bool timing;                      /* UART pacing and flash latency */
    bool serial_raw;                  /* raw binary SMP on the serial port (no base64 frames) */
    uint32_t serial_max_packet;       /* longest SMP packet (header included) the serial path
                                       * delivers; longer ones are dropped, logged. 0: no limit */
    bool serial_unpaced;              /* the pty is not paced at the baud rate (USB CDC-ACM);
                                       * flash timing stays as `timing` says */
    bool erase_progressively;         /* image uploads erase sector by sector as the data comes
                                       * (CONFIG_IMG_ERASE_PROGRESSIVELY); off: the first chunk
                                       * erases the image's sectors, as Zephyr by default */
    uint64_t power_cut_at_op;         /* cut the power at the N-th flash write/erase; 0 never */
    double serial_ber;                /* bit-error rate on serial bytes, both directions */
    struct sim_udp_faults udp_faults; /* applied to requests and responses */
    uint64_t seed;                    /* fault schedule */
    uint32_t reset_delay_ms;          /* SMP reset: reply first, reset this much later */
    const char *fs_root;              /* FS group sandbox directory; NULL: no FS group */
    uint32_t fs_size;                 /* bytes the FS may hold; 0: the storage partition's size
                                       * (no bound on a board without one) */
    bool verbose;                     /* also log every SMP request */
    bool recovery_button;             /* held at power-on: the bootloader goes straight to serial
                                       * recovery (MCUboot's BOOT_SERIAL_DETECT_PIN) */
    /* Bluetooth LE: devsim plays BlueZ on a D-Bus bus (sim_ble.h) when ble_name is set */
    const char *ble_name;
    const char *ble_dbus;             /* the bus address; NULL: the system bus */
    uint8_t ble_address[6];
    struct sim_ble_link_model ble_link;
    bool ble_reassembly;              /* the board reassembles SMP packets over writes */
    bool ble_powered_off;             /* the adapter starts powered off */
    bool ble_no_acquire;              /* BlueZ without AcquireWrite / AcquireNotify */
    bool ble_needs_pairing;           /* the SMP characteristic needs pairing (never done) */
    bool ble_no_smp_service;          /* the peripheral exports no SMP service */
    uint16_t ble_mtu_after_drop;      /* ATT MTU after a --ble-drop-at-ms drop; 0: the same */
    uint64_t ble_drop_at_ms;          /* drop the link once, this long after the first
                                       * connection came up; 0 never */
    sim_log_fn log;
    void *log_arg;
};

/* Powers the board on and runs it until SIGTERM/SIGINT (SIM_EXIT_OK) or a power cut
 * (SIM_EXIT_POWER_CUT); SIGHUP resets it, SIGUSR1 resets it with the recovery button held.
 * Blocks those signals in the calling thread. On a start-up failure returns SIM_EXIT_ERROR with
 * the reason in err. */
int sim_run(const struct sim_run_config *cfg, char *err, size_t err_len);

/* ---------------------------------------------------------------------------------------------
 * Programming probe (devsim flash)
 * ------------------------------------------------------------------------------------------- */

/* Refuses (DFU_EINVAL, reason in err) a flash file that exists with another size than the
 * board's flash: it belongs to another board, and opening it would erase it. */
int sim_flash_file_check(const struct sim_board *board, const char *flash_path, char *err,
                         size_t err_len);
/* Writes a file into the board's flash as a probe would: erases the sectors it covers, then
 * programs it (the tail padded with the erased value to the write alignment). A .hex file goes
 * to its own addresses (less board->mem_base) unless slot >= 0; a raw file goes to the start of
 * slot (0 when slot < 0). The flash file is created erased when missing. On failure err says
 * why. *where receives the flash offset written. */
int sim_probe_flash(const struct sim_board *board, const char *flash_path, const char *file,
                    int slot, uint32_t *where, uint32_t *len, char *err, size_t err_len);

#endif
