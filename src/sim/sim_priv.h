/* Internals of the board runtime, shared by device.c (power, bootloader, app lifecycle),
 * serial.c (the UART on a pty) and udp.c (the network interface). */
#ifndef DFUKIT_SIM_PRIV_H
#define DFUKIT_SIM_PRIV_H

/* ram-load: the RAM region devsim models (nRF52840: 256 KiB at 0x20000000). */
#define SIM_RAM_ADDR 0x20000000u
#define SIM_RAM_SIZE (256u * 1024u)

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfukit/boot_sec_cnt.h"
#include "dfukit/enc.h"
#include "dfukit/hostio.h"
#include "dfukit/image.h"
#include "dfukit/recovery.h"
#include "dfukit/serial_frame.h"
#include "dfukit/server.h"
#include "dfukit/sim.h"
#include "dfukit/simflash.h"
#include "dfukit/smp_uart.h"
#include "dfukit/ble_smp.h"
#include "port_host.h"

/* MCUboot serial recovery's line buffers (BOOT_MAX_LINE_INPUT_LEN x BOOT_LINE_BUFS). */
#define SIM_RECOVERY_LINE_SIZE 128
#define SIM_RECOVERY_LINE_COUNT 8
/* Responses of one packet (several requests may share it). */
#define SIM_RSP_CAP (4 * SMP_BUF_SIZE)
/* SMP packets the UART driver can queue while the SMP thread is in a partial erase. */
#define SIM_SMP_QUEUE_MAX 16
/* How long a UDP datagram held back for reordering waits at most. */
#define SIM_UDP_HOLD_US 20000

/* The flash as board time passes (optrace.c): while holding, writes and erases change a RAM copy
 * of the chip at once (what the code reads back) and are logged; sim_optrace_apply() hands those
 * whose board time has passed down to the chip (the power-cut wrapper over the file), in order. */
struct sim_flash_op {
    uint64_t done_us;              /* board time, from when holding began, it completes at */
    uint32_t off, len;
    size_t data_off;               /* a write's bytes in sim_optrace.data; SIZE_MAX: erase */
};

/* Unit in which the RAM copy is brought up to date with the chip. */
#define SIM_OPTRACE_BLOCK 4096u

struct sim_optrace {
    struct flash_dev dev;          /* hand &dev to the flash areas */
    const struct flash_dev *lower; /* the chip, through the power-cut wrapper */
    struct nor_flash *nor;         /* the chip itself: geometry, timing, bytes */
    bool on;                       /* holding operations back */
    struct nor_flash copy;         /* the chip as the code sees it while holding */
    uint8_t *fresh;                /* per block: the copy is up to date; NULL: no copy yet */
    uint32_t blocks;
    struct sim_flash_op *ops;      /* held operations; [0, applied) reached the chip */
    size_t n, cap, applied;
    uint8_t *data;                 /* bytes of the held writes */
    size_t data_len, data_cap;
};

void sim_optrace_init(struct sim_optrace *t, const struct flash_dev *lower, struct nor_flash *nor);
/* Starts holding operations back (board time 0 is now). DFU_ENOMEM, or DFU_EBUSY when already
 * holding. The copy stays allocated for the next hold until sim_optrace_drop(). */
int sim_optrace_hold(struct sim_optrace *t);
bool sim_optrace_holding(const struct sim_optrace *t);
/* Operations held since sim_optrace_hold(), and the board time the last one completes at. */
size_t sim_optrace_count(const struct sim_optrace *t);
uint64_t sim_optrace_busy_us(const struct sim_optrace *t);
/* The part of that board time spent erasing. */
uint64_t sim_optrace_erase_us(const struct sim_optrace *t);
/* Board time at which the next held operation completes; UINT64_MAX when none is left. */
uint64_t sim_optrace_next_us(const struct sim_optrace *t);
/* Hands down to the chip the operations completed by board time board_us. */
void sim_optrace_apply(struct sim_optrace *t, uint64_t board_us);
/* Hands everything down and stops holding. */
void sim_optrace_release(struct sim_optrace *t);
/* Power lost at board time board_us: what completed reaches the chip, the operation in
 * progress is torn by pc (as a cut leaves it), the rest is dropped; holding stops. Returns the
 * 1-based number of the torn operation, 0 when all had completed. */
uint64_t sim_optrace_cut(struct sim_optrace *t, uint64_t board_us, struct powercut *pc);
/* Frees the copy and the log (holding must be over): the power went, and the RAM with it. */
void sim_optrace_drop(struct sim_optrace *t);

enum sim_state {
    SIM_OFF,        /* power cut: nothing runs */
    SIM_BOOTING,    /* bootloader busy (flash latency of a swap) */
    SIM_RECOVERY,   /* nothing bootable: bootloader serial recovery */
    SIM_RUNNING,    /* the application serves SMP */
    SIM_FAULTED,    /* the application crashed or hangs: waiting for the watchdog */
};

enum sim_xport { SIM_XPORT_SERIAL, SIM_XPORT_UDP, SIM_XPORT_BLE };

/* Where a response goes. */
struct sim_reply_to {
    enum sim_xport xport;
    size_t ep;                 /* UDP listener index */
    struct hostio_addr peer;
    uint8_t ble_central[6];    /* BLE: the central's address */
};

struct sim_dev;

struct sim_serial {
    struct sim_dev *dev;
    struct sim_pty pty;
    bool open;
    struct sim_pacer rx_pacer, tx_pacer;
    int rx_timer, tx_timer;
    /* receive: framed (line buffers + deframer) or raw */
    uint8_t *line_mem;
    struct smp_uart uart;      /* line buffers, deframer, frame encoder */
    struct smp_uart_port port;
    struct raw_deframer raw;
    uint64_t raw_last_us;
    uint8_t *pkt;              /* deframed SMP packet */
    size_t pkt_cap;
    /* packets deframed between partial erase steps (SMP net_bufs), served after the erase */
    uint8_t *q_mem;            /* SIM_SMP_QUEUE_MAX x pkt_cap */
    size_t q_len[SIM_SMP_QUEUE_MAX];
    size_t q_head, q_n, q_cap;
    uint64_t q_dropped;
    uint64_t take_us;          /* board time up to which the driver's chances to run are used */
    uint64_t line_at_us;       /* board time the line being delivered arrived (0: none) */
    /* transmit queue (bytes waiting for the UART) */
    uint8_t *txq;
    size_t tx_head, tx_len, tx_cap;
    uint64_t rx_bytes, rx_dropped_lines, bit_flips;
};

struct sim_udp_ep {
    int fd;
    struct hostio_addr local;
    bool has_held;             /* a request held back for reordering */
    uint8_t held[HOSTIO_UDP_MTU];
    size_t held_len;
    struct hostio_addr held_from;
};

struct sim_udp {
    struct sim_dev *dev;
    struct sim_udp_ep ep[SIM_MAX_UDP];
    size_t count;
    uint8_t *rxbuf;
    bool paused;
    int hold_timer;
    /* a response held back for reordering */
    bool has_held_rsp;
    size_t held_rsp_ep;
    struct hostio_addr held_rsp_to;
    uint8_t held_rsp[SIM_RSP_CAP];
    size_t held_rsp_len;
};

/* Values (writes or notifications) crossing the BLE link, in order, each with the time it
 * arrives at the other end. */
struct sim_ble_value {
    uint64_t at_us;
    uint16_t len;
    uint8_t data[BLE_ATT_MTU_MAX];
};

struct sim_ble_queue {
    struct sim_ble_value *v;
    size_t head, n, cap;
};

/* The board's BLE: devsim's BlueZ (sim_ble.h), the link model, and the device's SMP transport
 * (ble_smp.h) in front of the board's SMP buffers. */
struct sim_blelink {
    struct sim_dev *dev;
    struct sim_ble *ble;
    int watched[3];
    size_t nwatched;
    int bus_timer;
    uint64_t bus_timer_at;
    struct sim_ble_link_model model;
    struct sim_ble_dir up_dir, down_dir;
    struct sim_ble_queue up, down;   /* client writes on their way; notifications on theirs */
    int up_timer, down_timer, drop_timer;
    bool up_blocked;                 /* every SMP buffer is taken: the link stalls */
    bool dropped_once;
    struct ble_smp_rx rx;
    uint8_t *rxbuf;
    /* complete packets waiting for the SMP thread (the board's SMP buffers) */
    uint8_t *pkts;
    size_t pkt_len[SIM_SMP_QUEUE_MAX];
    size_t pkt_head, pkt_n, pkt_cap, pkt_size;
    uint64_t writes, bad_writes, notifications;
};

struct sim_dev {
    const struct sim_run_config *cfg;
    struct sim_board board;
    struct sim_loop loop;
    uint64_t t0_us;
    struct sim_rng rng;
    /* flash: file-backed NOR, power-cut wrapper, partitions */
    struct nor_flash nor;
    /* ram-load: the RAM the bootloader loads images into (SIM_RAM_ADDR) */
    struct nor_flash ram;
    struct flash_area ram_area;
    bool has_ram;
    struct powercut pc;
    struct sim_optrace trace;      /* over pc; the areas sit on trace.dev */
    int apply_timer;               /* next held boot operation reaches the chip */
    struct recovery_slot_view recovery_slot;  /* serial recovery's slot 0 (recovery.h) */
    uint64_t hold_t0_us;           /* wall clock at which the held work's board time 0 passed */
    const char *hold_what;         /* whose flash work is held ("the bootloader's") */
    struct flash_area bootpart, slot0, slot1, scratch, storage;
    struct flash_area slot2, slot3;   /* image 1 (board.image_count 2) */
    struct boot_image_pair pairs[2];  /* both images, for the bootloader and the server */
    struct port_shell_partition parts[7];
    size_t part_count;
    bool has_scratch, has_storage;
    struct flash_area sec_cnt_area;   /* the security counter (sim_board_sec_cnt_part) */
    struct flash_area slot1_img;      /* where uploads go in slot 1 (sim_board_image_part) */
    struct boot_sec_cnt_port sec_cnt;
    /* trusted keys (MCUboot public-key bytes) */
    struct image_key keys[SIM_MAX_KEYS];
    size_t key_count;
    /* the key-exchange key (--enc-key): enc_der NULL without one */
    struct enc_exchange_key enc_key;
    uint8_t *enc_der;
    /* bootloader result and the application */
    enum sim_state state;
    struct image_version running;
    uint8_t boot_slot;                /* the slot the app runs from (direct-xip: 0 or 1) */
    bool has_desc;
    struct sim_app_desc desc;
    bool net_booted;                  /* image 1 (the other core's firmware) booted */
    uint32_t boots;
    bool button_held;          /* recovery button: the next boot enters serial recovery */
    int app_timer;             /* boot done / fault / watchdog */
    int reset_timer;
    /* SMP server and a response in flight (the app stalls on flash latency) */
    struct server_port port;
    struct smp_server *srv;
    struct port_groups *groups;   /* FS, shell, stat, settings and enum groups of the app */
    bool groups_on;
    int tick_timer;               /* housekeeping while the app runs (FS idle close) */
    uint64_t app_t0_us;
    int64_t rtc_offset_s;         /* datetime set: the RTC keeps it across resets */
    bool reset_accepted;
    bool stalled;
    int stall_timer;
    /* the erase part of the current stall, when the CPU is halted (but at partial erase
     * step boundaries) */
    uint64_t halt_start_us, halt_end_us;
    uint64_t stall_end_us;
    uint64_t req_at_us;        /* board time the request about to be handled arrived, 0: now */
    uint8_t rsp[SIM_RSP_CAP];
    size_t rsp_len;
    struct sim_reply_to rsp_to;
    char version_str[32];
    char node_name[48];
    struct sim_serial serial;
    struct sim_udp udp;
    struct sim_blelink ble;
    int sig_fd;
    int lock_fd;                   /* holds the flash file's lock */
    int exit_code;
};

/* Logging: one line per event, prefixed with the time since power-on. */
void sim_log(struct sim_dev *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* device.c: power, bootloader, app life */
/* Logs the downgrade prevention in force (and the security counter) at start-up. */
void sim_log_downgrade(struct sim_dev *d);
void sim_power_on(struct sim_dev *d);
void sim_reset(struct sim_dev *d, const char *why);
/* A stop or reset (power goes): flash work still under way in board time (the bootloader's or
 * the app's) is cut at the operation in progress (sim_optrace_cut), and the RAM copy goes.
 * True when it cut something. */
bool sim_boot_interrupt(struct sim_dev *d);
/* app_server.c: the SMP server of the app (every group) or of serial recovery */
int sim_server_start(struct sim_dev *d, bool recovery);
/* The server's identity of the peer a packet came from: the serial port, or the UDP
 * listener and source address and port. */
void sim_smp_peer(const struct sim_reply_to *to, struct smp_peer *out);
void sim_server_stop(struct sim_dev *d);

/* device.c, for the transports */
/* True when the application (or recovery) takes a request now. */
bool sim_dev_accepting(const struct sim_dev *d);
/* During a flash stall of the app: does the CPU run at board time t (the erase does not halt
 * it then); did it run at some moment of (a, b] (outside the erase, or at a partial erase step
 * boundary)? Both false when the app is not in a stall. */
bool sim_dev_cpu_runs_at(const struct sim_dev *d, uint64_t t);
bool sim_dev_cpu_ran(const struct sim_dev *d, uint64_t a, uint64_t b);
/* A complete SMP packet from a transport. */
void sim_dev_handle(struct sim_dev *d, const uint8_t *pkt, size_t len,
                    const struct sim_reply_to *to);

/* serial.c */
int sim_serial_open(struct sim_serial *s, struct sim_dev *d);
void sim_serial_close(struct sim_serial *s);
/* Line buffers for the current firmware (app: board's; recovery: MCUboot's). Drops what was
 * buffered, as a reset does. */
int sim_serial_reset(struct sim_serial *s, uint32_t line_size, uint32_t line_count);
/* Processes lines waiting in the RX buffers (after a stall ends or the app starts). */
void sim_serial_kick(struct sim_serial *s);
/* A flash stall of the app ends at now: lines still in the line buffers had their chance to
 * move on into SMP buffers (or be dropped) once the erase was over. */
void sim_serial_stall_ending(struct sim_serial *s, uint64_t now);
/* Queues SMP responses (back to back in buf) as console frames. */
void sim_serial_send(struct sim_serial *s, const uint8_t *buf, size_t len);
/* Console text (banner) on the UART. */
void sim_serial_print(struct sim_serial *s, const char *text);
/* Microseconds until the transmit queue drains. */
uint64_t sim_serial_tx_drain_us(const struct sim_serial *s);

/* udp.c */
int sim_udp_open(struct sim_udp *u, struct sim_dev *d);
void sim_udp_close(struct sim_udp *u);
/* Stops / resumes taking datagrams (stall, boot, recovery). */
void sim_udp_pause(struct sim_udp *u, bool paused);
/* Drops queued datagrams (they were sent while the board was down). */
void sim_udp_flush(struct sim_udp *u);
void sim_udp_send(struct sim_udp *u, size_t ep, const struct hostio_addr *to, const uint8_t *buf,
                  size_t len);

/* ble.c */
int sim_blelink_open(struct sim_blelink *l, struct sim_dev *d, char *err, size_t err_len);
void sim_blelink_close(struct sim_blelink *l);
/* The app is up and advertises, or the board went down (reset, power-on): the link drops. */
void sim_blelink_app_up(struct sim_blelink *l, bool up);
/* The SMP thread is free again (a flash stall ended): queued packets are served. */
void sim_blelink_kick(struct sim_blelink *l);
/* Queues SMP responses (back to back in buf) as notifications. */
void sim_blelink_send(struct sim_blelink *l, const uint8_t *buf, size_t len);
/* Microseconds until the last queued notification has crossed. */
uint64_t sim_blelink_drain_us(const struct sim_blelink *l);

#endif
