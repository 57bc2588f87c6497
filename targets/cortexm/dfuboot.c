/* dfuboot: the bootloader for the mps2-an386 board. Runs boot_go() over the PSRAM flash port
 * (finishing an interrupted swap, doing or reverting a test swap, validating the primary with
 * the trusted key built in) and chain-loads slot 0. One line on the UART says what it did
 * (the bench flavour DFUBOOT_STACK_REPORT adds the stack depth it reached). With nothing to
 * boot it stays: in serial recovery on UART0 when built with DFUBOOT_RECOVERY=1 (recovery.c). */
#include <stddef.h>

#include "dfukit/boot.h"
#include "dfukit/err.h"
#include "mps2.h"
#include "recovery.h"

#ifndef DFUBOOT_STRATEGY
#define DFUBOOT_STRATEGY BOOT_STRATEGY_SWAP_MOVE
#endif

/* The trusted key: the C array imgtool getpub prints, chosen at build time (DFUBOOT_KEY_FILE,
 * whose array is DFUBOOT_KEY_NAME). */
#include DFUBOOT_KEY_FILE

static const struct image_key trusted_keys[] = {
    { DFUBOOT_KEY_NAME, sizeof DFUBOOT_KEY_NAME },
};

#ifndef DFUBOOT_RECOVERY
#define DFUBOOT_RECOVERY 0  /* 1: serial recovery when nothing boots (needs DFUBOOT_LOG) */
#endif

/* Encrypted images (the dfuboot-enc flavour, built with BOOT_ENCRYPT): the ECIES-P256
 * key-exchange key, a C array enc_priv_key of its PKCS#8 DER (DFUBOOT_ENC_KEY_FILE). */
#ifdef DFUBOOT_ENC_KEY_FILE
#include "dfukit/enc.h"
#include DFUBOOT_ENC_KEY_FILE
static const struct enc_exchange_key enc_key = { ENC_SCHEME_EC256, enc_priv_key,
                                                 sizeof enc_priv_key };
#define DFUBOOT_ENC_KEY (&enc_key)
#else
#define DFUBOOT_ENC_KEY NULL
#endif

#ifndef DFUBOOT_LOG
#define DFUBOOT_LOG 1  /* 0: no UART output at all (the size bench's MCUboot-like settings) */
#endif

#if DFUBOOT_LOG
static const char *swap_name(enum boot_swap_type t)
{
    switch (t) {
    case BOOT_SWAP_TYPE_TEST: return "test swap";
    case BOOT_SWAP_TYPE_PERM: return "permanent swap";
    case BOOT_SWAP_TYPE_REVERT: return "revert";
    case BOOT_SWAP_TYPE_FAIL: return "slot 1 refused";
    case BOOT_SWAP_TYPE_PANIC: return "unusable swap status ignored";
    default: return "no swap";
    }
}

/* "dfuboot: test swap, starting v1.2.3", or why nothing can start. */
static void report(int err, const struct boot_rsp *rsp)
{
    mps2_uart_init();
    if (err != 0) {
        mps2_uart_puts("dfuboot: nothing to boot: ");
        mps2_uart_puts(err == DFU_ENOENT ? boot_reject_str(rsp->primary_reject) : "flash error");
        mps2_uart_puts("\r\n");
        return;
    }
    mps2_uart_puts("dfuboot: ");
    mps2_uart_puts(swap_name(rsp->swap_type));
    if (rsp->secondary_reject != BOOT_REJECT_NONE) {
        mps2_uart_puts(" (");
        mps2_uart_puts(boot_reject_str(rsp->secondary_reject));
        mps2_uart_puts(")");
    }
    mps2_uart_puts(", starting v");
    mps2_uart_put_dec(rsp->hdr.ver.major);
    mps2_uart_putc('.');
    mps2_uart_put_dec(rsp->hdr.ver.minor);
    mps2_uart_putc('.');
    mps2_uart_put_dec(rsp->hdr.ver.revision);
    mps2_uart_puts("\r\n");
#ifdef DFUBOOT_STACK_REPORT
    mps2_uart_puts("dfuboot: stack used ");
    mps2_uart_put_dec(mps2_stack_used());
    mps2_uart_puts(" bytes\r\n");
#endif
}
#else
static void report(int err, const struct boot_rsp *rsp)
{
}
#endif

int main(void)
{
    const struct boot_config cfg = {
        .strategy = DFUBOOT_STRATEGY,
        .primary = &mps2_slot0,
        .secondary = &mps2_slot1,
        .scratch = &mps2_scratch,
        .keys = trusted_keys,
        .key_count = 1,
        .enc_key = DFUBOOT_ENC_KEY,
    };
    struct boot_rsp rsp;
    int err = boot_go(&cfg, &rsp);
    report(err, &rsp);
    if (err != 0) {
#if DFUBOOT_RECOVERY
        dfuboot_recovery(DFUBOOT_STRATEGY);
#else
        for (;;) {  /* no recovery in this variant: stay */
        }
#endif
    }
    mps2_chain_load(MPS2_PSRAM_BASE + rsp.image_off + rsp.hdr.hdr_size);
}
