/* devsim: the simulated board. Argument parsing and printing only; the board lives in dfu_sim.
 * The command table is the one source of the dispatch, the help and the man page. Help
 * contract (shared with imgtool and mcumgr): `devsim --help` the overview; `devsim help
 * --commands` one "NAME<TAB>summary" line per command; `devsim help NAME` and `devsim NAME
 * --help` that command's usage (usage.c), starting "Usage: devsim NAME". */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/ble_smp.h"
#include "dfukit/cli.h"
#include "dfukit/err.h"
#include "dfukit/image.h"
#include "dfukit/hostfile.h"
#include "dfukit/imgbuild.h"
#include "dfukit/sim.h"
#include "dfukit/sim_ble.h"
#include "usage.h"

#define EXIT_USAGE 2

static const char *prog = "devsim";

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "%s: %s%s%s\n", prog, msg, arg ? ": " : "", arg ? arg : "");
    fprintf(stderr, "Try '%s help --commands' or '%s COMMAND --help'.\n", prog, prog);
    return EXIT_USAGE;
}

static int show_usage(const char *name);

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-') {
        return false;
    }
    *out = v;
    return true;
}

static bool parse_u32(const char *s, uint32_t *out)
{
    uint64_t v;
    if (!parse_u64(s, &v) || v > UINT32_MAX) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* A decimal number in [lo, hi]. */
static bool parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= lo && v <= hi)) {
        return false;
    }
    *out = v;
    return true;
}

static bool parse_rate(const char *s, double *out)
{
    return parse_double(s, 0.0, 1.0, out);
}

static bool parse_on_off(const char *s, bool *out)
{
    if (strcmp(s, "on") != 0 && strcmp(s, "off") != 0) {
        return false;
    }
    *out = strcmp(s, "on") == 0;
    return true;
}

/* A BLE connection interval in ms ("7.5", "30"): a multiple of 1.25 ms in the allowed range. */
static bool parse_interval(const char *s, uint32_t *out_us)
{
    double ms;
    if (!parse_double(s, 0.0, SIM_BLE_INTERVAL_MAX_US / 1000.0, &ms)) {
        return false;
    }
    uint32_t us = (uint32_t)(ms * 1000.0 + 0.5);
    if (us < SIM_BLE_INTERVAL_MIN_US || us > SIM_BLE_INTERVAL_MAX_US ||
        us % SIM_BLE_INTERVAL_STEP_US != 0) {
        return false;
    }
    *out_us = us;
    return true;
}

/* ---- board options, shared by run and flash ---------------------------------------------- */

enum {
    OPT_BOARD = 256, OPT_FLASH, OPT_SLOT, OPT_TRUST, OPT_SERIAL, OPT_UDP, OPT_NO_UDP, OPT_TIMING,
    OPT_NO_TIMING, OPT_RAW, OPT_CUT, OPT_BER, OPT_DROP, OPT_DUP, OPT_REORDER, OPT_SEED, OPT_LOG,
    OPT_QUIET, OPT_VERBOSE, OPT_RECOVERY, OPT_RESET_DELAY, OPT_FS_ROOT, OPT_FS_SIZE,
    OPT_SERIAL_MAX, OPT_UNPACED, OPT_ERASE_PROG, OPT_DOWNGRADE, OPT_ENC_KEY,
    /* board flags, OPT_FLASH_SIZE .. OPT_WATCHDOG */
    OPT_FLASH_SIZE, OPT_IMAGES, OPT_SECTOR, OPT_ALIGN, OPT_ERASED, OPT_SLOT_SIZE, OPT_BOOT_SIZE, OPT_SCRATCH,
    OPT_STORAGE, OPT_STRATEGY, OPT_BAUD, OPT_BUF_SIZE, OPT_BUF_COUNT, OPT_LINE_SIZE,
    OPT_LINE_COUNT, OPT_ERASE_US, OPT_WRITE_US, OPT_PARTIAL_ERASE, OPT_WATCHDOG,
    OPT_VERSION, OPT_BEHAVIOUR, OPT_SIZE, OPT_FAULT_AFTER, OPT_HELP,
    /* Bluetooth LE (run) */
    OPT_DBUS, OPT_BLE_NAME, OPT_BLE_ADDRESS, OPT_BLE_MTU, OPT_BLE_INTERVAL, OPT_BLE_DLE,
    OPT_BLE_PKTS, OPT_BLE_REASM, OPT_BLE_DROP, OPT_BLE_POWERED,
    OPT_BLE_ACQUIRE, OPT_BLE_PAIRING, OPT_BLE_SMP_SERVICE, OPT_BLE_MTU_AFTER_DROP,
};

/* Flags that change a board; layout flags re-lay the partitions out one after the other. */
struct board_flags {
    const char *name;
    bool relayout;
    struct sim_board over;   /* fields below are taken when their has_ flag is set */
    bool has_flash_size, has_sector, has_align, has_erased, has_slot, has_boot, has_scratch,
        has_storage, has_strategy, has_baud, has_buf_size, has_buf_count, has_line_size,
        has_line_count, has_erase_us, has_write_us, has_partial_erase, has_watchdog, has_images;
};

static const struct option board_opts[] = {
    { "board", required_argument, NULL, OPT_BOARD },
    { "flash-size", required_argument, NULL, OPT_FLASH_SIZE },
    { "images", required_argument, NULL, OPT_IMAGES },
    { "sector-size", required_argument, NULL, OPT_SECTOR },
    { "align", required_argument, NULL, OPT_ALIGN },
    { "erased-val", required_argument, NULL, OPT_ERASED },
    { "slot-size", required_argument, NULL, OPT_SLOT_SIZE },
    { "boot-size", required_argument, NULL, OPT_BOOT_SIZE },
    { "scratch-size", required_argument, NULL, OPT_SCRATCH },
    { "storage-size", required_argument, NULL, OPT_STORAGE },
    { "strategy", required_argument, NULL, OPT_STRATEGY },
    { "baud", required_argument, NULL, OPT_BAUD },
    { "smp-buf-size", required_argument, NULL, OPT_BUF_SIZE },
    { "smp-buf-count", required_argument, NULL, OPT_BUF_COUNT },
    { "line-size", required_argument, NULL, OPT_LINE_SIZE },
    { "line-count", required_argument, NULL, OPT_LINE_COUNT },
    { "erase-us", required_argument, NULL, OPT_ERASE_US },
    { "write-us", required_argument, NULL, OPT_WRITE_US },
    { "partial-erase-ms", required_argument, NULL, OPT_PARTIAL_ERASE },
    { "watchdog-ms", required_argument, NULL, OPT_WATCHDOG },
};
#define BOARD_OPT_COUNT (sizeof board_opts / sizeof board_opts[0])

/* 1 when opt was a board flag (taken), 0 when not, or a usage error code (negated). */
static int take_board_flag(struct board_flags *f, int opt, const char *arg)
{
    struct sim_board *o = &f->over;
    bool ok = true;
    uint32_t v = 0;
    switch (opt) {
    case OPT_BOARD: f->name = arg; return 1;
    case OPT_STRATEGY:
        f->has_strategy = sim_strategy_parse(arg, &o->strategy) == 0;
        ok = f->has_strategy;
        break;
    case OPT_ERASED:
        ok = parse_u32(arg, &v) && (v == 0xff || v == 0);
        o->erased_val = (uint8_t)v;
        f->has_erased = ok;
        break;
    default: {
        if (opt < OPT_FLASH_SIZE || opt > OPT_WATCHDOG) {
            return 0;  /* not a board flag */
        }
        ok = parse_u32(arg, &v);
        switch (opt) {
        case OPT_FLASH_SIZE: o->flash_size = v; f->has_flash_size = f->relayout = true; break;
        case OPT_SECTOR: o->runs[0].size = v; f->has_sector = f->relayout = true; break;
        case OPT_IMAGES:
            ok = ok && (v == 1 || v == 2);
            o->image_count = (uint8_t)v;
            f->has_images = f->relayout = true;
            break;
        case OPT_ALIGN: o->write_align = v; f->has_align = true; break;
        case OPT_SLOT_SIZE: o->slot0.size = v; f->has_slot = f->relayout = true; break;
        case OPT_BOOT_SIZE: o->boot.size = v; f->has_boot = f->relayout = true; break;
        case OPT_SCRATCH: o->scratch.size = v; f->has_scratch = f->relayout = true; break;
        case OPT_STORAGE: o->storage.size = v; f->has_storage = f->relayout = true; break;
        case OPT_BAUD: o->baud = v; f->has_baud = true; break;
        case OPT_BUF_SIZE: o->smp_buf_size = v; f->has_buf_size = true; break;
        case OPT_BUF_COUNT: o->smp_buf_count = v; f->has_buf_count = true; break;
        case OPT_LINE_SIZE: o->line_size = v; f->has_line_size = true; break;
        case OPT_LINE_COUNT: o->line_count = v; f->has_line_count = true; break;
        case OPT_ERASE_US: o->flash_timing.erase_us = v; f->has_erase_us = true; break;
        case OPT_WRITE_US: o->flash_timing.word_us = v; f->has_write_us = true; break;
        case OPT_PARTIAL_ERASE:
            o->partial_erase_ms = v;
            f->has_partial_erase = true;
            break;
        case OPT_WATCHDOG: o->watchdog_ms = v; f->has_watchdog = true; break;
        default: return 0;
        }
    }
    }
    return ok ? 1 : -usage_error("bad value", arg);
}

/* The profile with the flags applied, checked. */
static int make_board(const struct board_flags *f, struct sim_board *b)
{
    const char *name = f->name ? f->name : "nrf52840dk";
    if (sim_board_find(name, b) != 0) {
        return usage_error("unknown board (see 'devsim boards')", name);
    }
    const struct sim_board *o = &f->over;
    if (f->has_strategy) b->strategy = o->strategy;
    if (f->has_align) b->write_align = o->write_align;
    if (f->has_erased) b->erased_val = o->erased_val;
    if (f->has_baud) b->baud = o->baud;
    if (f->has_buf_size) b->smp_buf_size = o->smp_buf_size;
    if (f->has_buf_count) b->smp_buf_count = o->smp_buf_count;
    if (f->has_line_size) b->line_size = o->line_size;
    if (f->has_line_count) b->line_count = o->line_count;
    if (f->has_erase_us) b->flash_timing.erase_us = o->flash_timing.erase_us;
    if (f->has_write_us) b->flash_timing.word_us = o->flash_timing.word_us;
    if (f->has_partial_erase) b->partial_erase_ms = o->partial_erase_ms;
    if (f->has_watchdog) b->watchdog_ms = o->watchdog_ms;
    if (f->relayout || f->has_strategy) {
        if (f->relayout && b->run_count != 1) {
            return usage_error("layout flags need a board with equal sectors", name);
        }
        if (f->relayout || strcmp(b->name, "generic") == 0) {
            if (f->has_sector) b->runs[0].size = o->runs[0].size;
            if (f->has_slot) b->slot0.size = o->slot0.size;
            if (f->has_boot) b->boot.size = o->boot.size;
            if (f->has_scratch) b->scratch.size = o->scratch.size;
            if (f->has_storage) b->storage.size = o->storage.size;
            if (f->has_images) b->image_count = o->image_count;
            b->flash_size = f->has_flash_size ? o->flash_size : 0;
            if (sim_board_layout_generic(b) != 0) {
                return usage_error("cannot lay the board out", "check the sizes");
            }
        }
    }
    if (b->image_count > 1 && !f->has_buf_size && b->smp_buf_size < 512) {
        b->smp_buf_size = 512;  /* Zephyr: two images need MCUMGR_TRANSPORT_NETBUF_SIZE >= 512 */
    }
    char why[96];
    if (sim_board_check(b, why, sizeof why) != 0) {
        return usage_error("bad board", why);
    }
    return 0;
}

/* ---- devsim run --------------------------------------------------------------------------- */

struct log_sink {
    FILE *f;
};

static void log_line(void *arg, const char *line)
{
    struct log_sink *s = arg;
    fprintf(s->f, "%s\n", line);
    fflush(s->f);
}

static int cmd_run(int argc, char **argv)
{
    static const struct option run_opts[] = {
        { "flash", required_argument, NULL, OPT_FLASH },
        { "trust", required_argument, NULL, OPT_TRUST },
        { "enc-key", required_argument, NULL, OPT_ENC_KEY },
        { "serial", required_argument, NULL, OPT_SERIAL },
        { "udp", required_argument, NULL, OPT_UDP },
        { "no-udp", no_argument, NULL, OPT_NO_UDP },
        { "timing", no_argument, NULL, OPT_TIMING },
        { "no-timing", no_argument, NULL, OPT_NO_TIMING },
        { "raw-serial", no_argument, NULL, OPT_RAW },
        { "power-cut-at-op", required_argument, NULL, OPT_CUT },
        { "serial-ber", required_argument, NULL, OPT_BER },
        { "udp-drop", required_argument, NULL, OPT_DROP },
        { "udp-dup", required_argument, NULL, OPT_DUP },
        { "udp-reorder", required_argument, NULL, OPT_REORDER },
        { "seed", required_argument, NULL, OPT_SEED },
        { "log", required_argument, NULL, OPT_LOG },
        { "quiet", no_argument, NULL, OPT_QUIET },
        { "verbose", no_argument, NULL, OPT_VERBOSE },
        { "recovery-button", no_argument, NULL, OPT_RECOVERY },
        { "reset-delay-ms", required_argument, NULL, OPT_RESET_DELAY },
        { "fs-root", required_argument, NULL, OPT_FS_ROOT },
        { "fs-size", required_argument, NULL, OPT_FS_SIZE },
        { "serial-max-packet", required_argument, NULL, OPT_SERIAL_MAX },
        { "serial-unpaced", no_argument, NULL, OPT_UNPACED },
        { "erase-progressively", no_argument, NULL, OPT_ERASE_PROG },
        { "downgrade-prevention", required_argument, NULL, OPT_DOWNGRADE },
        { "dbus", required_argument, NULL, OPT_DBUS },
        { "ble-name", required_argument, NULL, OPT_BLE_NAME },
        { "ble-address", required_argument, NULL, OPT_BLE_ADDRESS },
        { "ble-mtu", required_argument, NULL, OPT_BLE_MTU },
        { "ble-interval-ms", required_argument, NULL, OPT_BLE_INTERVAL },
        { "ble-dle", required_argument, NULL, OPT_BLE_DLE },
        { "ble-pkts-per-event", required_argument, NULL, OPT_BLE_PKTS },
        { "ble-reassembly", required_argument, NULL, OPT_BLE_REASM },
        { "ble-drop-at-ms", required_argument, NULL, OPT_BLE_DROP },
        { "ble-powered", required_argument, NULL, OPT_BLE_POWERED },
        { "ble-acquire", required_argument, NULL, OPT_BLE_ACQUIRE },
        { "ble-pairing", required_argument, NULL, OPT_BLE_PAIRING },
        { "ble-smp-service", required_argument, NULL, OPT_BLE_SMP_SERVICE },
        { "ble-mtu-after-drop", required_argument, NULL, OPT_BLE_MTU_AFTER_DROP },
        { "help", no_argument, NULL, OPT_HELP },
    };
    struct option opts[sizeof run_opts / sizeof run_opts[0] + BOARD_OPT_COUNT + 1];
    memcpy(opts, run_opts, sizeof run_opts);
    memcpy(opts + sizeof run_opts / sizeof run_opts[0], board_opts, sizeof board_opts);
    memset(&opts[sizeof opts / sizeof opts[0] - 1], 0, sizeof opts[0]);

    struct board_flags bf = { 0 };
    struct sim_run_config cfg = {
        .reset_delay_ms = 250,
        .seed = 1,
        /* BlueZ's default connection interval (30 ms), Zephyr's SMP sample MTU, six link
         * packets per event (a phone's usual). */
        .ble_link = { .mtu = 247, .interval_us = 30000, .dle = true, .max_pkts = 6 },
        .ble_reassembly = true,
        .ble_address = { 0xC0, 0xDE, 0x5A, 0x00, 0x00, 0x01 },
    };
    const char *log_path = NULL;
    bool quiet = false;
    struct sim_board downgrade = { .downgrade = BOOT_DOWNGRADE_ALLOW };
    int timing = -1;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int t = take_board_flag(&bf, opt, optarg);
        if (t < 0) {
            return -t;
        }
        if (t == 1) {
            continue;
        }
        switch (opt) {
        case OPT_FLASH: cfg.flash_path = optarg; break;
        case OPT_TRUST:
            if (cfg.trust_count == SIM_MAX_KEYS) {
                return usage_error("too many --trust keys", NULL);
            }
            cfg.trust[cfg.trust_count++] = optarg;
            break;
        case OPT_ENC_KEY: cfg.enc_key = optarg; break;
        case OPT_SERIAL: cfg.serial_link = optarg; break;
        case OPT_UDP:
            if (cfg.udp_count == SIM_MAX_UDP) {
                return usage_error("too many --udp listeners", NULL);
            }
            cfg.udp[cfg.udp_count++] = optarg;
            break;
        case OPT_NO_UDP: cfg.no_udp = true; break;
        case OPT_TIMING: timing = 1; break;
        case OPT_NO_TIMING: timing = 0; break;
        case OPT_RAW: cfg.serial_raw = true; break;
        case OPT_CUT:
            if (!parse_u64(optarg, &cfg.power_cut_at_op) || cfg.power_cut_at_op == 0) {
                return usage_error("--power-cut-at-op needs a count >= 1", optarg);
            }
            break;
        case OPT_BER:
            if (!parse_rate(optarg, &cfg.serial_ber)) {
                return usage_error("rates are between 0 and 1", optarg);
            }
            break;
        case OPT_DROP:
        case OPT_DUP:
        case OPT_REORDER: {
            double *r = opt == OPT_DROP ? &cfg.udp_faults.drop
                      : opt == OPT_DUP  ? &cfg.udp_faults.duplicate
                                        : &cfg.udp_faults.reorder;
            if (!parse_rate(optarg, r)) {
                return usage_error("rates are between 0 and 1", optarg);
            }
            break;
        }
        case OPT_SEED:
            if (!parse_u64(optarg, &cfg.seed)) {
                return usage_error("bad seed", optarg);
            }
            break;
        case OPT_LOG: log_path = optarg; break;
        case OPT_QUIET: quiet = true; break;
        case OPT_VERBOSE: cfg.verbose = true; break;
        case OPT_RECOVERY: cfg.recovery_button = true; break;
        case OPT_RESET_DELAY:
            if (!parse_u32(optarg, &cfg.reset_delay_ms)) {
                return usage_error("bad delay", optarg);
            }
            break;
        case OPT_FS_ROOT: cfg.fs_root = optarg; break;
        case OPT_FS_SIZE:
            if (!parse_u32(optarg, &cfg.fs_size) || cfg.fs_size == 0) {
                return usage_error("--fs-size needs a size >= 1", optarg);
            }
            break;
        case OPT_SERIAL_MAX:
            /* an SMP header and the smallest CBOR map: anything less answers nothing */
            if (!parse_u32(optarg, &cfg.serial_max_packet) || cfg.serial_max_packet < 9) {
                return usage_error("--serial-max-packet needs a size >= 9", optarg);
            }
            break;
        case OPT_UNPACED: cfg.serial_unpaced = true; break;
        case OPT_ERASE_PROG: cfg.erase_progressively = true; break;
        case OPT_DOWNGRADE:
            if (sim_downgrade_parse(optarg, &downgrade) != 0) {
                return usage_error("--downgrade-prevention is off, version, version+build or "
                                   "security-counter", optarg);
            }
            break;
        case OPT_DBUS: cfg.ble_dbus = optarg; break;
        case OPT_BLE_NAME:
            if (optarg[0] == '\0' || strlen(optarg) > 29) {
                return usage_error("--ble-name needs 1 to 29 characters (an advertisement)",
                                   optarg);
            }
            cfg.ble_name = optarg;
            break;
        case OPT_BLE_ADDRESS:
            if (sim_ble_parse_address(optarg, cfg.ble_address) != 0) {
                return usage_error("--ble-address needs AA:BB:CC:DD:EE:FF", optarg);
            }
            break;
        case OPT_BLE_MTU:
        case OPT_BLE_MTU_AFTER_DROP: {
            uint32_t v;
            if (!parse_u32(optarg, &v) || v < BLE_ATT_MTU_MIN || v > BLE_ATT_MTU_MAX) {
                return usage_error(opt == OPT_BLE_MTU ? "--ble-mtu is between 23 and 517"
                                                      : "--ble-mtu-after-drop is between 23 "
                                                        "and 517", optarg);
            }
            *(opt == OPT_BLE_MTU ? &cfg.ble_link.mtu : &cfg.ble_mtu_after_drop) = (uint16_t)v;
            break;
        }
        case OPT_BLE_INTERVAL:
            if (!parse_interval(optarg, &cfg.ble_link.interval_us)) {
                return usage_error("--ble-interval-ms is 7.5 to 4000 in steps of 1.25", optarg);
            }
            break;
        case OPT_BLE_PKTS:
            if (!parse_u32(optarg, &cfg.ble_link.max_pkts) || cfg.ble_link.max_pkts == 0 ||
                cfg.ble_link.max_pkts > 1000) {
                return usage_error("--ble-pkts-per-event is between 1 and 1000", optarg);
            }
            break;
        case OPT_BLE_DLE:
        case OPT_BLE_REASM:
        case OPT_BLE_POWERED:
        case OPT_BLE_ACQUIRE:
        case OPT_BLE_SMP_SERVICE: {
            bool on;
            if (!parse_on_off(optarg, &on)) {
                return usage_error("on or off", optarg);
            }
            if (opt == OPT_BLE_DLE) {
                cfg.ble_link.dle = on;
            } else if (opt == OPT_BLE_REASM) {
                cfg.ble_reassembly = on;
            } else if (opt == OPT_BLE_ACQUIRE) {
                cfg.ble_no_acquire = !on;
            } else if (opt == OPT_BLE_SMP_SERVICE) {
                cfg.ble_no_smp_service = !on;
            } else {
                cfg.ble_powered_off = !on;
            }
            break;
        }
        case OPT_BLE_PAIRING:
            if (strcmp(optarg, "required") != 0 && strcmp(optarg, "none") != 0) {
                return usage_error("--ble-pairing is required or none", optarg);
            }
            cfg.ble_needs_pairing = strcmp(optarg, "required") == 0;
            break;
        case OPT_BLE_DROP:
            if (!parse_u64(optarg, &cfg.ble_drop_at_ms) || cfg.ble_drop_at_ms == 0 ||
                cfg.ble_drop_at_ms > UINT32_MAX) {
                return usage_error("--ble-drop-at-ms needs a time >= 1", optarg);
            }
            break;
        case OPT_HELP: return show_usage("run");
        default: return usage_error("unknown option", NULL);
        }
    }
    if (optind != argc) {
        return usage_error("unexpected argument", argv[optind]);
    }
    if (cfg.flash_path == NULL) {
        return usage_error("--flash FILE is required", NULL);
    }
    if (cfg.ble_name == NULL && cfg.ble_dbus != NULL) {
        return usage_error("--dbus needs --ble-name NAME (the peripheral to play)", NULL);
    }
    int rc = make_board(&bf, &cfg.board);
    if (rc != 0) {
        return rc;
    }
    cfg.board.downgrade = downgrade.downgrade;
    cfg.board.downgrade_use_build = downgrade.downgrade_use_build;
    cfg.timing = timing < 0 ? cfg.board.timing_default : timing == 1;
    struct log_sink sink = { .f = stderr };
    if (log_path != NULL) {
        sink.f = fopen(log_path, "a");
        if (sink.f == NULL) {
            fprintf(stderr, "%s: cannot open %s: %s\n", prog, log_path, strerror(errno));
            return 1;
        }
    }
    if (!quiet) {
        cfg.log = log_line;
        cfg.log_arg = &sink;
    }
    char err[256] = "";
    int code = sim_run(&cfg, err, sizeof err);
    if (code == SIM_EXIT_ERROR) {
        fprintf(stderr, "%s: %s\n", prog, err[0] ? err : "cannot start the board");
    }
    if (sink.f != stderr) {
        fclose(sink.f);
    }
    return code;
}

/* ---- devsim flash ------------------------------------------------------------------------- */

static int cmd_flash(int argc, char **argv)
{
    static const struct option flash_opts[] = {
        { "flash", required_argument, NULL, OPT_FLASH },
        { "slot", required_argument, NULL, OPT_SLOT },
        { "help", no_argument, NULL, OPT_HELP },
    };
    struct option opts[sizeof flash_opts / sizeof flash_opts[0] + BOARD_OPT_COUNT + 1];
    memcpy(opts, flash_opts, sizeof flash_opts);
    memcpy(opts + sizeof flash_opts / sizeof flash_opts[0], board_opts, sizeof board_opts);
    memset(&opts[sizeof opts / sizeof opts[0] - 1], 0, sizeof opts[0]);

    struct board_flags bf = { 0 };
    const char *flash = NULL;
    int slot = -1;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int t = take_board_flag(&bf, opt, optarg);
        if (t < 0) {
            return -t;
        }
        if (t == 1) {
            continue;
        }
        switch (opt) {
        case OPT_FLASH: flash = optarg; break;
        case OPT_SLOT:
            if (optarg[0] < '0' || optarg[0] > '3' || optarg[1] != '\0') {
                return usage_error("--slot is 0 or 1 (2 or 3: image 1's)", optarg);
            }
            slot = optarg[0] - '0';
            break;
        case OPT_HELP: return show_usage("flash");
        default: return usage_error("unknown option", NULL);
        }
    }
    if (flash == NULL || optind + 1 != argc) {
        return usage_error("flash needs --flash FILE and one IMAGE", NULL);
    }
    struct sim_board b;
    int rc = make_board(&bf, &b);
    if (rc != 0) {
        return rc;
    }
    if (slot > 1 && b.image_count < 2) {
        return usage_error("--slot is 0 or 1 on a board with one image", b.name);
    }
    uint32_t where = 0, len = 0;
    char err[256] = "";
    rc = sim_probe_flash(&b, flash, argv[optind], slot, &where, &len, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        return 1;
    }
    struct sim_part img1;  /* swap-offset: slot 1's image area, one sector in */
    bool in_img1 = sim_board_image_part(&b, 1, &img1) == 0 && where == img1.off &&
                   where != b.slot1.off;
    printf("wrote %u bytes at 0x%x (%s)\n", len, where,
           where == b.slot0.off ? "slot 0" : where == b.slot1.off ? "slot 1"
           : in_img1 ? "slot 1, one sector in"
           : b.image_count > 1 && where == b.slot2.off ? "slot 2"
           : b.image_count > 1 && where == b.slot3.off ? "slot 3" : "raw address");
    return 0;
}

/* ---- devsim mkapp ------------------------------------------------------------------------- */

static int cmd_mkapp(int argc, char **argv)
{
    static const struct option opts[] = {
        { "version", required_argument, NULL, OPT_VERSION },
        { "behaviour", required_argument, NULL, OPT_BEHAVIOUR },
        { "behavior", required_argument, NULL, OPT_BEHAVIOUR },
        { "size", required_argument, NULL, OPT_SIZE },
        { "fault-after-ms", required_argument, NULL, OPT_FAULT_AFTER },
        { "help", no_argument, NULL, OPT_HELP },
        { 0 },
    };
    struct sim_app_desc d = { .behaviour = SIM_APP_NORMAL };
    struct image_version v = { 0 };
    const char *out = NULL;
    uint32_t size = 4096;
    bool has_version = false;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        switch (opt) {
        case 'o': out = optarg; break;
        case OPT_VERSION:
            if (image_version_parse(&v, optarg) != 0) {
                return usage_error("bad version", optarg);
            }
            has_version = true;
            break;
        case OPT_BEHAVIOUR:
            if (sim_app_behaviour_parse(optarg, &d.behaviour) != 0) {
                return usage_error("behaviour is normal, crash, hang or self-confirm", optarg);
            }
            break;
        case OPT_SIZE:
            if (!parse_u32(optarg, &size) || size < SIM_APP_DESC_SIZE || size > (64u << 20)) {
                return usage_error("--size is between 32 bytes and 64 MiB", optarg);
            }
            break;
        case OPT_FAULT_AFTER:
            if (!parse_u32(optarg, &d.fault_after_ms)) {
                return usage_error("bad delay", optarg);
            }
            break;
        case OPT_HELP: return show_usage("mkapp");
        default: return usage_error("unknown option", NULL);
        }
    }
    if (out == NULL || !has_version || optind != argc) {
        return usage_error("mkapp needs --version V and -o FILE", NULL);
    }
    d.major = v.major;
    d.minor = v.minor;
    d.revision = v.revision;
    d.build = v.build;
    uint8_t *buf = malloc(size);
    if (buf == NULL) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return 1;
    }
    int rc = sim_app_build(buf, size, &d);
    if (rc == 0) {
        rc = hostfile_write_atomic(out, buf, size);
    }
    free(buf);
    if (rc != 0) {
        fprintf(stderr, "%s: cannot write %s: %s\n", prog, out, dfu_strerror(rc));
        return 1;
    }
    return 0;
}

/* ---- main --------------------------------------------------------------------------------- */

static int cmd_boards(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        return show_usage("boards");
    }
    if (argc != 1) {
        return usage_error("boards takes no argument", argv[1]);
    }
    for (size_t i = 0; sim_board_name(i) != NULL; i++) {
        struct sim_board b;
        if (sim_board_find(sim_board_name(i), &b) != 0) {
            continue;
        }
        printf("%-11s %4u KiB, align %u, %s, slots 0x%x+0x%x / 0x%x+0x%x, scratch 0x%x+0x%x, "
               "storage 0x%x+0x%x, timing %s",
               b.name, b.flash_size / 1024, b.write_align, sim_strategy_name(b.strategy),
               b.slot0.off, b.slot0.size, b.slot1.off, b.slot1.size, b.scratch.off,
               b.scratch.size, b.storage.off, b.storage.size, b.timing_default ? "on" : "off");
        if (b.image_count > 1) {
            printf(", image 1 slots 0x%x+0x%x / 0x%x+0x%x", b.slot2.off, b.slot2.size,
                   b.slot3.off, b.slot3.size);
        }
        printf("\n");
    }
    return 0;
}

/* ---- command table, help ------------------------------------------------------------------ */

static int cmd_help(int argc, char **argv);

static const struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
    const char *usage;   /* after "Usage: devsim NAME " (usage.c) */
} commands[] = {
    {"boards", cmd_boards, "List the board profiles", usage_boards},
    {"flash", cmd_flash, "Write an image into the board's flash as a probe would", usage_flash},
    {"help", cmd_help, "Show the overview, a command's usage or the list of commands",
     usage_help},
    {"mkapp", cmd_mkapp, "Make an application payload with a simulator descriptor", usage_mkapp},
    {"run", cmd_run, "Power the board on: bootloader, then the SMP server on a pty and UDP",
     usage_run},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const struct command *find(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(name, commands[i].name) == 0) {
            return &commands[i];
        }
    }
    return NULL;
}

static int show_usage(const char *name)
{
    const struct command *c = find(name);
    printf("Usage: %s %s%s%s", prog, c->name, c->usage[0] == '\n' ? "" : " ", c->usage);
    return 0;
}

static void overview(void)
{
    printf("Usage: %s COMMAND [ARGS]...\n\n"
           "The simulated board: MCUboot-compatible bootloader and Zephyr-like SMP server on an\n"
           "emulated flash file, reachable over a pty and UDP.\n\nCommands:\n", prog);
    for (size_t i = 0; i < N_COMMANDS; i++) {
        printf("  %-8s %s\n", commands[i].name, commands[i].summary);
    }
    printf("\nRun \"%s COMMAND --help\" or \"%s help COMMAND\" for a command's options.\n", prog,
           prog);
}

/* The command the user most likely meant (cli_nearest's rule), or NULL. */
static const struct command *nearest(const char *word)
{
    const char *names[N_COMMANDS];
    for (size_t i = 0; i < N_COMMANDS; i++) {
        names[i] = commands[i].name;
    }
    int i = cli_nearest(word, names, N_COMMANDS);
    return i < 0 ? NULL : &commands[i];
}

static int unknown_command(const char *name)
{
    const struct command *near = nearest(name);
    if (near != NULL) {
        fprintf(stderr, "%s: unknown command \"%s\"; did you mean \"%s\"?\n", prog, name,
                near->name);
    } else {
        fprintf(stderr, "%s: unknown command \"%s\" (%s help --commands lists them)\n", prog,
                name, prog);
    }
    return EXIT_USAGE;
}

static int cmd_help(int argc, char **argv)
{
    if (argc == 1) {
        overview();
        return 0;
    }
    if (argc != 2) {
        return usage_error("help takes at most one COMMAND (or --commands)", NULL);
    }
    if (strcmp(argv[1], "--commands") == 0) {
        for (size_t i = 0; i < N_COMMANDS; i++) {
            printf("%s\t%s\n", commands[i].name, commands[i].summary);
        }
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        return show_usage("help");
    }
    return find(argv[1]) != NULL ? show_usage(argv[1]) : unknown_command(argv[1]);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        overview();
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        overview();
        return 0;
    }
    const struct command *c = find(cmd);
    if (c == NULL) {
        return unknown_command(cmd);
    }
    return c->fn(argc - 1, argv + 1);
}
