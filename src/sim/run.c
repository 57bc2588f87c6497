/* Board set-up and tear-down for `devsim run`: keys, the flash file and its partitions, the
 * signals, the serial port and UDP listeners, then the event loop until stop or power cut. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dfukit/err.h"
#include "dfukit/keys.h"
#include "sim_priv.h"

static int say(char *err, size_t err_len, int rc, const char *fmt, const char *arg)
{
    if (err != NULL && err_len > 0) {
        snprintf(err, err_len, fmt, arg, dfu_strerror(rc));
    }
    return rc;
}

static int load_keys(struct sim_dev *d, char *err, size_t err_len)
{
    for (size_t i = 0; i < d->cfg->trust_count && i < SIM_MAX_KEYS; i++) {
        struct keys_key *k = NULL;
        char why[128] = "";
        int rc = keys_load_pem(&k, d->cfg->trust[i], why, sizeof why);
        if (rc != 0) {
            snprintf(err, err_len, "cannot load key %s: %s", d->cfg->trust[i],
                     why[0] ? why : dfu_strerror(rc));
            return rc;
        }
        uint8_t *der = malloc(KEYS_PUB_MAX);
        int n = der ? keys_public_bytes(k, der, KEYS_PUB_MAX) : DFU_ENOMEM;
        keys_free(k);
        if (n <= 0) {
            free(der);
            n = n ? n : DFU_EINVAL;
            snprintf(err, err_len, "cannot use key %s: %s", d->cfg->trust[i], dfu_strerror(n));
            return n;
        }
        d->keys[d->key_count].der = der;
        d->keys[d->key_count].len = (size_t)n;
        d->key_count++;
    }
    return 0;
}

/* --enc-key: the private key-exchange key as the bootloader holds it (getpriv's DER). */
static int load_enc_key(struct sim_dev *d, char *err, size_t err_len)
{
    const char *path = d->cfg->enc_key;
    if (path == NULL) {
        return 0;
    }
    struct keys_key *k = NULL;
    char why[128] = "";
    int rc = keys_load_pem(&k, path, why, sizeof why);
    if (rc != 0) {
        snprintf(err, err_len, "cannot load key %s: %s", path, why[0] ? why : dfu_strerror(rc));
        return rc;
    }
    uint16_t tlv = keys_enc_tlv(keys_get_type(k));
    size_t len = 0;
    rc = tlv != 0 && keys_is_private(k) ? keys_private_der(k, &d->enc_der, &len) : DFU_EINVAL;
    keys_free(k);
    if (rc != 0) {
        snprintf(err, err_len, "cannot use %s as an encryption key: %s", path,
                 tlv == 0 ? "not a P-256, X25519 or RSA-2048 key" : "not a private key");
        return rc;
    }
    d->enc_key = (struct enc_exchange_key){ (enum enc_scheme)tlv, d->enc_der, len };
    d->board.enc_trailer = true;
    return 0;
}

static struct flash_area area_of(struct sim_dev *d, const struct sim_part *p, uint8_t id)
{
    return (struct flash_area){ .dev = &d->trace.dev, .off = p->off, .size = p->size, .id = id };
}

/* One board per flash file: a second `devsim run` on it would be two chips sharing a flash. */
static int lock_flash(struct sim_dev *d, char *err, size_t err_len)
{
    d->lock_fd = open(d->cfg->flash_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (d->lock_fd < 0) {
        return say(err, err_len, DFU_EIO, "cannot open the flash file %s: %s", d->cfg->flash_path);
    }
    if (flock(d->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        return say(err, err_len, DFU_EBUSY, "%s is in use by another devsim run (%s)",
                   d->cfg->flash_path);
    }
    return 0;
}

static int open_flash(struct sim_dev *d, char *err, size_t err_len)
{
    int rc = sim_flash_file_check(&d->board, d->cfg->flash_path, err, err_len);
    if (rc == 0) {
        rc = lock_flash(d, err, err_len);
    }
    if (rc != 0) {
        return rc;
    }
    struct nor_flash_config nc = {
        .path = d->cfg->flash_path,
        .write_align = d->board.write_align,
        .erased_val = d->board.erased_val,
        .runs = d->board.runs,
        .run_count = d->board.run_count,
    };
    if (d->cfg->timing) {
        nc.timing = d->board.flash_timing;
    }
    rc = nor_flash_open(&d->nor, &nc);
    if (rc != 0) {
        return say(err, err_len, rc, "cannot open the flash file %s: %s", d->cfg->flash_path);
    }
    powercut_init(&d->pc, &d->nor.dev);
    if (d->board.strategy == BOOT_STRATEGY_RAM_LOAD) {
        static const struct flash_sector_run ram_run[] = {{1, SIM_RAM_SIZE}};
        struct nor_flash_config rc_ = {NULL, 1, 0x00, ram_run, 1, {0}};
        if (nor_flash_open(&d->ram, &rc_) != 0) {
            return say(err, err_len, DFU_ENOMEM, "cannot model the RAM region%s", "");
        }
        d->has_ram = true;
        d->ram_area = (struct flash_area){&d->ram.dev, 0, SIM_RAM_SIZE, 9};
    }
    sim_optrace_init(&d->trace, &d->pc.dev, &d->nor);
    if (d->cfg->power_cut_at_op > 0) {
        powercut_arm(&d->pc, d->cfg->power_cut_at_op);
    }
    d->slot0 = area_of(d, &d->board.slot0, 1);
    d->slot1 = area_of(d, &d->board.slot1, 2);
    d->has_scratch = d->board.scratch.size > 0;
    d->scratch = area_of(d, &d->board.scratch, 3);
    d->has_storage = d->board.storage.size > 0;
    d->storage = area_of(d, &d->board.storage, 4);
    d->bootpart = area_of(d, &d->board.boot, 0);
    d->slot2 = area_of(d, &d->board.slot2, 6);
    d->slot3 = area_of(d, &d->board.slot3, 7);
    d->pairs[0] = (struct boot_image_pair){ &d->slot0, &d->slot1 };
    d->pairs[1] = (struct boot_image_pair){ &d->slot2, &d->slot3 };
    struct sim_part cp;
    d->slot1_img = d->slot1;
    if (sim_board_image_part(&d->board, 1, &cp) == 0) {
        d->slot1_img = area_of(d, &cp, 2);
    }
    if (sim_board_sec_cnt_part(&d->board, &cp) == 0) {
        d->sec_cnt_area = area_of(d, &cp, 5);
        d->sec_cnt = boot_sec_cnt_flash_port(&d->sec_cnt_area);
    }
    /* Zephyr's partition labels, for the shell's "flash info". */
    static const char *const names[] = { "mcuboot", "image-0", "image-1", "image-scratch",
                                         "storage", "image-2", "image-3" };
    const struct flash_area *areas[] = { &d->bootpart, &d->slot0,   &d->slot1, &d->scratch,
                                         &d->storage,  &d->slot2, &d->slot3 };
    d->part_count = 0;
    for (size_t i = 0; i < 7; i++) {
        if (areas[i]->size > 0 && (i < 5 || d->board.image_count > 1)) {
            d->parts[d->part_count++] = (struct port_shell_partition){ names[i], areas[i] };
        }
    }
    return 0;
}

static void on_signal(void *arg, int fd, short revents)
{
    struct sim_dev *d = arg;
    struct signalfd_siginfo si;
    while (read(fd, &si, sizeof si) == (ssize_t)sizeof si) {
        sim_boot_interrupt(d);
        if (si.ssi_signo == SIGHUP) {
            sim_reset(d, "SIGHUP");
        } else if (si.ssi_signo == SIGUSR1) {
            d->button_held = true;
            sim_reset(d, "SIGUSR1 (recovery button held)");
        } else {
            sim_log(d, "power: off (%s)", si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
            sim_loop_stop(&d->loop, SIM_EXIT_OK);
        }
    }
}

static int open_signals(struct sim_dev *d)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) {
        return DFU_EIO;
    }
    d->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (d->sig_fd < 0) {
        return DFU_EIO;
    }
    return sim_loop_watch(&d->loop, d->sig_fd, POLLIN, on_signal, d);
}

static void teardown(struct sim_dev *d)
{
    sim_server_stop(d);
    free(d->groups);
    sim_serial_close(&d->serial);
    sim_udp_close(&d->udp);
    sim_blelink_close(&d->ble);
    if (d->sig_fd >= 0) {
        close(d->sig_fd);
    }
    nor_flash_close(&d->nor);
    if (d->has_ram) {
        nor_flash_close(&d->ram);
    }
    if (d->lock_fd >= 0) {
        close(d->lock_fd);  /* releases the lock */
    }
    for (size_t i = 0; i < d->key_count; i++) {
        free((void *)d->keys[i].der);
    }
    free(d->enc_der);
    free(d->srv);
}

int sim_run(const struct sim_run_config *cfg, char *err, size_t err_len)
{
    struct sim_dev *d = calloc(1, sizeof *d);
    if (d == NULL) {
        return SIM_EXIT_ERROR;
    }
    d->cfg = cfg;
    d->board = cfg->board;
    d->sig_fd = -1;
    d->lock_fd = -1;
    d->button_held = cfg->recovery_button;
    d->serial.pty.master = d->serial.pty.hold = -1;
    d->t0_us = sim_now_us();
    sim_loop_init(&d->loop);
    sim_rng_seed(&d->rng, cfg->seed);
    snprintf(d->node_name, sizeof d->node_name, "devsim-%s", d->board.name);
    int rc = 0;
    char why[160] = "";
    if (sim_board_check(&d->board, why, sizeof why) != 0) {
        rc = say(err, err_len, DFU_EINVAL, "bad board layout: %s%.0s", why);
    }
    if (rc == 0 && d->board.smp_buf_size > SMP_BUF_SIZE) {
        snprintf(why, sizeof why, "%u", SMP_BUF_SIZE);
        rc = say(err, err_len, DFU_EINVAL, "SMP buffer size above the build's %s bytes%.0s", why);
    }
    d->srv = rc == 0 ? calloc(1, sizeof *d->srv) : NULL;
    d->groups = rc == 0 ? calloc(1, sizeof *d->groups) : NULL;
    if (rc == 0 && (d->srv == NULL || d->groups == NULL)) {
        rc = DFU_ENOMEM;
    }
    if (rc == 0) {
        rc = load_keys(d, err, err_len);
    }
    if (rc == 0) {
        rc = load_enc_key(d, err, err_len);
    }
    if (rc == 0) {
        rc = open_flash(d, err, err_len);
    }
    if (rc == 0 && cfg->fs_root != NULL) {
        /* Two mount points, as Zephyr samples name littlefs: /lfs1 (the FS port makes it) and
         * /lfs. */
        char lfs[4096];
        snprintf(lfs, sizeof lfs, "%s/lfs", cfg->fs_root);
        mkdir(cfg->fs_root, 0755);
        mkdir(lfs, 0755);
    }
    if (rc == 0 && (rc = open_signals(d)) != 0) {
        say(err, err_len, rc, "cannot watch signals%s: %s", "");
    }
    if (rc == 0) {
        sim_log(d, "devsim: board %s, flash %s (%u KiB), %s, timing %s, %zu trusted key(s)",
                d->board.name, cfg->flash_path, d->board.flash_size / 1024,
                sim_strategy_name(d->board.strategy), cfg->timing ? "on" : "off", d->key_count);
        sim_log_downgrade(d);
        if (d->enc_der != NULL) {
            static const char *const schemes[] = { "RSA-OAEP", "AES-KW", "ECIES-P256",
                                                   "ECIES-X25519" };
            sim_log(d, "devsim: encrypted images: %s key from %s",
                    schemes[d->enc_key.scheme - ENC_SCHEME_RSA_OAEP], cfg->enc_key);
        }
        if ((rc = sim_serial_open(&d->serial, d)) != 0) {
            say(err, err_len, rc, "cannot open the serial port%s: %s",
                rc == DFU_EEXIST ? " (the --serial path exists and is not a symlink)" : "");
        } else {
            char limit[64] = "";
            if (cfg->serial_max_packet > 0) {
                snprintf(limit, sizeof limit, ", serial path max %u-byte SMP packets",
                         cfg->serial_max_packet);
            }
            sim_log(d, "uart: %s%s%s (%u baud%s, %u x %u line buffers%s)", d->serial.pty.slave,
                    cfg->serial_link ? " at " : "", cfg->serial_link ? cfg->serial_link : "",
                    d->board.baud, cfg->serial_unpaced ? ", unpaced" : "", d->board.line_count,
                    d->board.line_size, limit);
        }
    }
    if (rc == 0 && (rc = sim_udp_open(&d->udp, d)) != 0) {
        say(err, err_len, rc, "cannot open the UDP listener%s: %s", "");
    }
    if (rc == 0 && (rc = sim_blelink_open(&d->ble, d, why, sizeof why)) != 0) {
        say(err, err_len, rc, "%s%.0s", why[0] ? why : "cannot start Bluetooth LE");
    }
    int code = SIM_EXIT_ERROR;
    if (rc == 0) {
        sim_power_on(d);
        code = sim_loop_run(&d->loop);
        if (code < 0) {
            say(err, err_len, code, "event loop failed%s: %s", "");
            code = SIM_EXIT_ERROR;
        }
    }
    teardown(d);
    free(d);
    return code;
}
