/* boot_bench: flash work of one upgrade of a 256 KiB image per strategy, measured on the
 * emulated NOR flash with the nRF52840 DK's partitions (4 KiB pages, 4-byte writes; slots of
 * 0x72000, a 0xa000 scratch) and turned into board time with nRF52840 timings (85 ms per
 * 4 KiB erase, 41 us per 32-bit word). Next to each measurement: what MCUboot needs for the
 * same upgrade, computed from the algorithm that MCUboot's docs/design.md describes (see
 * mcuboot_model()). Then the same test swap with encrypted images (imgtool -E, ECIES-P256,
 * AES-128-CTR: the secondary decrypted while validated and copied, the old image encrypted
 * again on its way to the secondary) next to the plain one: the flash work is the same, what
 * encryption adds is CPU, so that table gives host CPU time of boot_go() (best of 5).
 * Prints Markdown tables. Usage: boot_bench [image_bytes] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dfukit/boot.h"
#include "dfukit/enc.h"
#include "dfukit/err.h"
#include "dfukit/imgbuild.h"
#include "dfukit/keys.h"
#include "dfukit/simflash.h"

#define SECTOR 4096u
#define SLOT 0x72000u
#define SCRATCH 0xa000u
#define WRITE_ALIGN 4u
#define CPU_RUNS 5

struct figures {
    unsigned long erases;
    unsigned long max_erases;
    unsigned long bytes;
    double seconds;
    double cpu_ms;  /* host CPU time of the boot_go() that swapped */
};

static double board_seconds(unsigned long erases, unsigned long bytes)
{
    return (erases * 85000.0 + (bytes + 3) / 4 * 41.0) / 1e6;
}

/* MCUboot's flash work for an upgrade whose larger image covers n sectors (design.md):
 *  - overwrite-only: erase the n primary sectors and the primary trailer sector, copy n
 *    sectors; erase the secondary's first sector and its trailer sector.
 *  - swap-scratch: the n sectors go in groups of g = scratch/sector sectors; per group the
 *    scratch (g sectors), the secondary group and the primary group are erased and written
 *    once each (3 copies). Before the first group the trailer is staged: one more scratch
 *    erase, the primary and secondary trailer sectors erased. Status: 3 entries per group,
 *    trailer fields (swap_info, swap_size, magic; copy_done at the end) in scratch and primary.
 *  - swap-move: n sector moves (erase + write each) and n swaps (two erases + two writes),
 *    the primary and secondary trailer sectors erased once; 1 + 2 status entries per sector.
 *  - swap-offset: the image one sector into the secondary, so only the n swaps (two erases +
 *    two writes, every sector erased once), both trailer sectors erased once; 2 status
 *    entries per sector.
 *  - direct-xip: nothing is copied; the new image runs from the secondary where it was
 *    uploaded. Without revert no flash work; with revert one copy_done write (its try).
 * Trailer fields are written as one write-alignment unit each; the magic as 16 bytes. */
static struct figures mcuboot_model(enum boot_strategy s, unsigned long n, unsigned long scratch_sectors)
{
    struct figures f = {0, 0, 0, 0, 0};
    unsigned long data = n * SECTOR;
    unsigned long trailer_init = WRITE_ALIGN * 2 + 16;  /* swap_info, swap_size, magic */
    if (s == BOOT_STRATEGY_DIRECT_XIP || s == BOOT_STRATEGY_DIRECT_XIP_REVERT) {
        f.bytes = s == BOOT_STRATEGY_DIRECT_XIP_REVERT ? WRITE_ALIGN : 0;
    } else if (s == BOOT_STRATEGY_OVERWRITE) {
        f.erases = n + 1 + 1 + 1;
        f.max_erases = 1;
        f.bytes = data;
    } else if (s == BOOT_STRATEGY_SWAP_SCRATCH) {
        unsigned long g = scratch_sectors;
        unsigned long groups = (n + g - 1) / g;
        f.erases = groups * g + 2 * n + g + 2;
        f.max_erases = groups + 1;  /* each scratch sector */
        f.bytes = 3 * data + 3 * groups * WRITE_ALIGN + 2 * trailer_init + WRITE_ALIGN;
    } else if (s == BOOT_STRATEGY_SWAP_OFFSET) {
        f.erases = 2 * n + 2;
        f.max_erases = 1;
        f.bytes = 2 * data + 2 * n * WRITE_ALIGN + trailer_init + WRITE_ALIGN;
    } else {
        f.erases = 3 * n + 2;
        f.max_erases = 2;  /* a primary sector: once moved into, once swapped into */
        f.bytes = 3 * data + 3 * n * WRITE_ALIGN + trailer_init + WRITE_ALIGN;
    }
    f.seconds = board_seconds(f.erases, f.bytes);
    return f;
}

/* A hash-only image of total bytes; encrypted for enc unless NULL (the body a little shorter
 * for the key TLV, so both cover the same sectors). */
static int make_image(uint8_t major, uint32_t total, uint32_t seed, const struct keys_key *enc,
                      uint8_t **out, size_t *len)
{
    uint32_t body_len = total - 0x200 - 40;  /* header + SHA256 TLV area */
    if (enc != NULL) {
        body_len = (body_len - 120) / 16 * 16;  /* the key TLV, whole AES blocks */
    }
    uint8_t *body = malloc(body_len);
    if (body == NULL) {
        return DFU_ENOMEM;
    }
    for (uint32_t i = 0; i < body_len; i++) {
        body[i] = (uint8_t)(i * 31u + seed);
    }
    struct imgbuild_opts o;
    memset(&o, 0, sizeof(o));
    o.version.major = major;
    o.header_size = 0x200;
    o.pad_header = true;
    o.erased_val = 0xff;
    o.enc_key = enc;
    struct imgbuild b;
    imgbuild_init(&b);
    int rc = imgbuild_load_mem(&b, body, body_len, &o);
    if (rc == 0) {
        rc = imgbuild_create(&b, &o);
    }
    if (rc == 0) {
        *out = malloc(b.len);
        if (*out == NULL) {
            rc = DFU_ENOMEM;
        } else {
            memcpy(*out, b.data, b.len);
            *len = b.len;
        }
    } else {
        fprintf(stderr, "boot_bench: %s\n", b.err);
    }
    imgbuild_free(&b);
    free(body);
    return rc;
}

static double cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* One test swap of b over a. With an exchange key xk, a goes in as the bootloader installs
 * it (an overwrite boot from its encrypted form), so both directions of the swap do AES. */
static int measure(enum boot_strategy s, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                   const struct enc_exchange_key *xk, struct figures *out)
{
    static const struct flash_sector_run runs[] = {{256, SECTOR}};
    struct nor_flash nf;
    struct nor_flash_config c = {NULL, WRITE_ALIGN, 0xff, runs, 1, NOR_FLASH_TIMING_NRF52840};
    int rc = nor_flash_open(&nf, &c);
    if (rc) {
        return rc;
    }
    struct flash_area pri = {&nf.dev, 0xc000, SLOT, 1};
    struct flash_area sec = {&nf.dev, 0x7e000, SLOT, 2};
    struct flash_area scr = {&nf.dev, 0xf0000, SCRATCH, 3};
    struct flash_area img;  /* where the upload goes (swap-offset: one sector in) */
    rc = boot_image_area(&sec, s, &img);
    uint8_t *m = nor_flash_mem(&nf);
    struct boot_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.primary = &pri;
    cfg.secondary = &sec;
    cfg.scratch = &scr;
    cfg.enc_key = xk;
    struct boot_rsp rsp;
    memcpy(m + (xk != NULL ? sec.off : pri.off), a, alen);
    if (xk != NULL) {
        cfg.strategy = BOOT_STRATEGY_OVERWRITE;
        rc = boot_set_pending(&sec, true);
        if (rc == 0) {
            rc = boot_go(&cfg, &rsp);
        }
    }
    cfg.strategy = s;
    if (rc == 0) {
        memcpy(m + img.off, b, blen);
        rc = boot_set_pending(&img, false);
    }
    nor_flash_reset_stats(&nf);
    double t0 = cpu_ms();
    if (rc == 0) {
        rc = boot_go(&cfg, &rsp);
    }
    out->cpu_ms = cpu_ms() - t0;
    bool xip = s == BOOT_STRATEGY_DIRECT_XIP || s == BOOT_STRATEGY_DIRECT_XIP_REVERT;
    if (rc == 0 && (xip ? rsp.slot != 1 : rsp.swap_type != BOOT_SWAP_TYPE_TEST)) {
        rc = DFU_EIO;
    }
    if (rc == 0) {
        out->erases = (unsigned long)nor_flash_total(&nf)->erases;
        out->max_erases = (unsigned long)nor_flash_max_erases(&nf);
        out->bytes = (unsigned long)nor_flash_total(&nf)->bytes_written;
        out->seconds = nor_flash_time_us(&nf) / 1e6;
    }
    nor_flash_close(&nf);
    return rc;
}

/* The best CPU time of CPU_RUNS swaps (flash figures of the last). */
static int best_of(enum boot_strategy s, const uint8_t *a, size_t alen, const uint8_t *b,
                   size_t blen, const struct enc_exchange_key *xk, struct figures *best)
{
    for (int i = 0; i < CPU_RUNS; i++) {
        struct figures f;
        int rc = measure(s, a, alen, b, blen, xk, &f);
        if (rc) {
            return rc;
        }
        if (i == 0 || f.cpu_ms < best->cpu_ms) {
            *best = f;
        }
    }
    return 0;
}

static int encrypted_table(uint32_t total, const uint8_t *a, size_t alen, const uint8_t *b,
                           size_t blen)
{
    struct keys_key *key = NULL;
    uint8_t *der = NULL, *ea = NULL, *eb = NULL;
    size_t der_len = 0, ealen = 0, eblen = 0;
    int status = 0;
    if (keys_generate(&key, KEYS_ECDSA_P256) != 0 || keys_private_der(key, &der, &der_len) != 0 ||
        make_image(1, total, 1, key, &ea, &ealen) != 0 ||
        make_image(2, total, 2, key, &eb, &eblen) != 0) {
        fprintf(stderr, "boot_bench: cannot make the encrypted images\n");
        status = 1;
    }
    struct enc_exchange_key xk = {ENC_SCHEME_EC256, der, der_len};
    if (status == 0) {
        printf("\nThe same test swap with encrypted images (imgtool -E: ECIES-P256, AES-128-CTR), "
               "host CPU time of boot_go() on the emulated flash, best of %d:\n\n", CPU_RUNS);
        printf("| strategy | plain (ms) | encrypted (ms) | ratio | erases plain / encrypted |"
               " bytes written plain / encrypted |\n");
        printf("|---|---:|---:|---:|---:|---:|\n");
    }
    for (int s = BOOT_STRATEGY_OVERWRITE; s <= BOOT_STRATEGY_SWAP_MOVE && status == 0; s++) {
        const char *name = s == 0 ? "overwrite-only" : s == 1 ? "swap-scratch" : "swap-move";
        struct figures p, e;
        int rc = best_of((enum boot_strategy)s, a, alen, b, blen, NULL, &p);
        if (rc == 0) {
            rc = best_of((enum boot_strategy)s, ea, ealen, eb, eblen, &xk, &e);
        }
        if (rc) {
            fprintf(stderr, "boot_bench: encrypted %s: %s\n", name, dfu_strerror(rc));
            status = 1;
            break;
        }
        printf("| %s | %.2f | %.2f | %.2f | %lu / %lu | %lu / %lu |\n", name, p.cpu_ms, e.cpu_ms,
               e.cpu_ms / p.cpu_ms, p.erases, e.erases, p.bytes, e.bytes);
    }
    free(ea);
    free(eb);
    free(der);
    keys_free(key);
    return status;
}

int main(int argc, char **argv)
{
    uint32_t total = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 256 * 1024;
    if (total < 4096 || total > SLOT - 2 * SECTOR) {
        fprintf(stderr, "boot_bench: image size out of range\n");
        return 1;
    }
    uint8_t *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    if (make_image(1, total, 1, NULL, &a, &alen) != 0 ||
        make_image(2, total, 2, NULL, &b, &blen) != 0) {
        free(a);
        return 1;
    }
    unsigned long n = (unsigned long)((blen + SECTOR - 1) / SECTOR);
    printf("Upgrade of a %zu-byte image (%lu sectors of 4 KiB), nRF52840 DK partitions "
           "(slots 0x72000, scratch 0xa000, 4-byte writes), test swap:\n\n", blen, n);
    printf("| strategy | erases | max erases of one sector | bytes written | est. time (s) |"
           " MCUboot erases | MCUboot max/sector | MCUboot bytes | MCUboot time (s) |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    int status = 0;
    for (int s = BOOT_STRATEGY_OVERWRITE; s <= BOOT_STRATEGY_DIRECT_XIP_REVERT; s++) {
        struct figures f, mb = mcuboot_model((enum boot_strategy)s, n, SCRATCH / SECTOR);
        int rc = measure((enum boot_strategy)s, a, alen, b, blen, NULL, &f);
        static const char *const names[] = {"overwrite-only", "swap-scratch", "swap-move",
                                            "swap-offset", "direct-xip", "direct-xip-revert"};
        const char *name = names[s];
        if (rc) {
            fprintf(stderr, "boot_bench: %s: %s\n", name, dfu_strerror(rc));
            status = 1;
            continue;
        }
        printf("| %s | %lu | %lu | %lu | %.2f | %lu | %lu | %lu | %.2f |\n", name, f.erases,
               f.max_erases, f.bytes, f.seconds, mb.erases, mb.max_erases, mb.bytes, mb.seconds);
    }
    status |= encrypted_table(total, a, alen, b, blen);
    free(a);
    free(b);
    return status;
}
