/* End-to-end harness: runs the devsim program as a child process, watches its event log, and
 * makes signed test apps with `devsim mkapp` + `imgtool sign`. Every child is killed and
 * reaped in teardown, so no process or pty outlives a test. */
#ifndef DFUKIT_TESTS_DEVSIM_HARNESS_H
#define DFUKIT_TESTS_DEVSIM_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define H_PATH 512

struct board {
    pid_t pid;               /* 0 when not running */
    char dir[H_PATH];        /* scratch folder of this test */
    char flash[H_PATH];
    char log[H_PATH];
    char link[H_PATH];       /* the pty symlink */
    char udp[64];            /* "127.0.0.1:PORT" once the board listens */
    char udp6[80];           /* "[::1]:PORT" when an IPv6 listener was asked for */
    const char *profile;     /* --board, "nrf52840dk" unless set after board_init */
    const char *slot_size;   /* imgtool --slot-size for that board */
};

/* A fresh scratch folder DFU_TEST_TMP/devsim/<name> (old files removed). */
void board_init(struct board *b, const char *name);
/* A file name inside the scratch folder. */
const char *board_path(const struct board *b, const char *file, char *buf, size_t cap);

/* Starts `devsim run --board PROFILE --flash F --trust KEY --log L --serial LINK
 * --udp 127.0.0.1:0 --reset-delay-ms 50` plus extra (NULL-terminated). 0 or -1. */
int board_start(struct board *b, const char *const extra[]);
/* Waits until the log holds `needle` at least `count` times; true on success. */
bool board_wait_log(struct board *b, const char *needle, int count, int timeout_ms);
/* Occurrences of needle in the log. */
int board_log_count(const struct board *b, const char *needle);
/* Waits for the child to exit; its exit code, or -1 on timeout / signal. */
int board_wait_exit(struct board *b, int timeout_ms);
/* SIGTERM and wait: the exit code (0 for a clean stop). */
int board_stop(struct board *b);
/* Teardown: kills (SIGKILL) and reaps the child if it still runs. */
void board_kill(struct board *b);
/* Prints the log to stderr (for a failing test). */
void board_dump_log(const struct board *b);

/* Runs a program to completion with stdout/stderr to the scratch folder; its exit code. */
int run_prog(const struct board *b, const char *const argv[]);
/* `devsim mkapp` then `imgtool sign` (the board's slot size, ECDSA P-256 test key):
 * writes <dir>/<name>.signed.bin. 0 or -1. */
int make_signed_app(const struct board *b, const char *name, const char *version,
                    const char *behaviour, char *out, size_t cap);
/* `devsim flash` into a slot of the board's flash file. 0 or -1. */
int flash_image(const struct board *b, const char *image, int slot);
/* Reads a whole file (malloc'ed). NULL on failure. */
uint8_t *read_whole(const char *path, size_t *len);
/* The image hash of a signed image (its SHA256 TLV), as image list reports it. 0 or -1. */
int image_hash_of(const uint8_t *img, size_t len, uint8_t hash[32]);

extern const char *const h_trust_pem;

#endif
