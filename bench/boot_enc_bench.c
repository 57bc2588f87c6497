/* boot_enc_bench: host CPU time of the bootloader's test swap of a 256 KiB image, plain next to
 * encrypted (ECIES-P256, AES-128-CTR: the secondary decrypted while validated and copied, the
 * old image re-encrypted on its way to the secondary), per strategy, on the emulated NOR flash
 * with boot_bench's nRF52840 DK partitions. The flash work is the same either way (the table
 * says so); what encryption adds is CPU. Best of 5 runs each. Usage: boot_enc_bench [bytes] */
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
#define RUNS 5

struct img {
    uint8_t *data;
    size_t len;
};

/* A hash-only image of about total bytes, encrypted for enc when it is not NULL. */
static int make_image(uint8_t major, uint32_t total, uint32_t seed, const struct keys_key *enc,
                      struct img *out)
{
    uint32_t body_len = (total - 0x200 - 200) / 16 * 16;  /* header, hash and key TLVs */
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
    if (rc == 0 && (out->data = malloc(b.len)) != NULL) {
        memcpy(out->data, b.data, b.len);
        out->len = b.len;
    } else if (rc == 0) {
        rc = DFU_ENOMEM;
    } else {
        fprintf(stderr, "boot_enc_bench: %s\n", b.err);
    }
    imgbuild_free(&b);
    free(body);
    return rc;
}

struct result {
    double cpu_ms;
    unsigned long erases, bytes;
};

static double cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* One test swap of b over a. With xk, a goes in as the bootloader installs it (an overwrite
 * boot from its encrypted form), so both directions of the swap do AES. */
static int measure(enum boot_strategy s, const struct img *a, const struct img *b,
                   const struct enc_exchange_key *xk, struct result *out)
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
    uint8_t *m = nor_flash_mem(&nf);
    struct boot_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.primary = &pri;
    cfg.secondary = &sec;
    cfg.scratch = &scr;
    cfg.enc_key = xk;
    struct boot_rsp rsp;
    memcpy(m + (xk ? sec.off : pri.off), a->data, a->len);
    if (xk != NULL) {
        cfg.strategy = BOOT_STRATEGY_OVERWRITE;
        rc = boot_set_pending(&sec, true);
        if (rc == 0) {
            rc = boot_go(&cfg, &rsp);
        }
    }
    cfg.strategy = s;
    if (rc == 0) {
        memcpy(m + sec.off, b->data, b->len);
        rc = boot_set_pending(&sec, false);
    }
    nor_flash_reset_stats(&nf);
    double t0 = cpu_ms();
    if (rc == 0) {
        rc = boot_go(&cfg, &rsp);
    }
    out->cpu_ms = cpu_ms() - t0;
    if (rc == 0 && (rsp.swap_type != BOOT_SWAP_TYPE_TEST || rsp.hdr.ver.major != 2)) {
        rc = DFU_EIO;
    }
    out->erases = (unsigned long)nor_flash_total(&nf)->erases;
    out->bytes = (unsigned long)nor_flash_total(&nf)->bytes_written;
    nor_flash_close(&nf);
    return rc;
}

static int best_of(enum boot_strategy s, const struct img *a, const struct img *b,
                   const struct enc_exchange_key *xk, struct result *best)
{
    for (int i = 0; i < RUNS; i++) {
        struct result r;
        int rc = measure(s, a, b, xk, &r);
        if (rc) {
            return rc;
        }
        if (i == 0 || r.cpu_ms < best->cpu_ms) {
            *best = r;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    uint32_t total = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 256 * 1024;
    if (total < 4096 || total > SLOT - 3 * SECTOR) {
        fprintf(stderr, "boot_enc_bench: image size out of range\n");
        return 1;
    }
    struct keys_key *key = NULL;
    uint8_t *der = NULL;
    size_t der_len = 0;
    struct img pa = {0}, pb = {0}, ea = {0}, eb = {0};
    if (keys_generate(&key, KEYS_ECDSA_P256) != 0 || keys_private_der(key, &der, &der_len) != 0 ||
        make_image(1, total, 1, NULL, &pa) != 0 || make_image(2, total, 2, NULL, &pb) != 0 ||
        make_image(1, total, 1, key, &ea) != 0 || make_image(2, total, 2, key, &eb) != 0) {
        fprintf(stderr, "boot_enc_bench: cannot make the images\n");
        return 1;
    }
    struct enc_exchange_key xk = {ENC_SCHEME_EC256, der, der_len};
    printf("Test swap of a %zu-byte image over another, nRF52840 DK partitions, host CPU time of "
           "boot_go() (best of %d; emulated flash, ASan off in `make bench`):\n\n", eb.len, RUNS);
    printf("| strategy | plain (ms) | encrypted, ECIES-P256 + AES-128-CTR (ms) | ratio |"
           " erases plain / encrypted | bytes written plain / encrypted |\n");
    printf("|---|---:|---:|---:|---:|---:|\n");
    int status = 0;
    for (int s = BOOT_STRATEGY_OVERWRITE; s <= BOOT_STRATEGY_SWAP_MOVE; s++) {
        const char *name = s == 0 ? "overwrite-only" : s == 1 ? "swap-scratch" : "swap-move";
        struct result p, e;
        int rc = best_of((enum boot_strategy)s, &pa, &pb, NULL, &p);
        if (rc == 0) {
            rc = best_of((enum boot_strategy)s, &ea, &eb, &xk, &e);
        }
        if (rc) {
            fprintf(stderr, "boot_enc_bench: %s: %s\n", name, dfu_strerror(rc));
            status = 1;
            continue;
        }
        printf("| %s | %.1f | %.1f | %.2f | %lu / %lu | %lu / %lu |\n", name, p.cpu_ms, e.cpu_ms,
               e.cpu_ms / p.cpu_ms, p.erases, e.erases, p.bytes, e.bytes);
    }
    free(pa.data);
    free(pb.data);
    free(ea.data);
    free(eb.data);
    free(der);
    keys_free(key);
    return status;
}
