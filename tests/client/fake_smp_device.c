/* The fake SMP device (fake_device.c) as a program, so shell tests can assert what the
 * mcumgr command line prints for device behaviours devsim does not have: it prints
 * "udp PORT" or "serial PTY" on stdout and serves until stdin closes.
 *   fake_smp_device udp|serial [--buf-size N] [--drop-larger N] [--busy] [--mute-all]
 *                   [--fail-first RC] [--slot-info SIZE MAX] [--first-delay-ms N]
 *                   [--other-image] [--forget-upload] [--no-match] [--bad-match] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_device.h"

static struct fake_device dev;

static unsigned number(int argc, char **argv, int i)
{
    if (i >= argc) {
        fprintf(stderr, "fake_smp_device: %s needs a number\n", argv[i - 1]);
        exit(2);
    }
    return (unsigned)strtoul(argv[i], NULL, 0);
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "udp") != 0 && strcmp(argv[1], "serial") != 0)) {
        fprintf(stderr, "usage: fake_smp_device udp|serial [options]\n");
        return 2;
    }
    bool serial = strcmp(argv[1], "serial") == 0;
    fake_defaults(&dev);
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--buf-size") == 0) {
            dev.buf_size = number(argc, argv, ++i);
        } else if (strcmp(argv[i], "--drop-larger") == 0) {
            dev.drop_larger = number(argc, argv, ++i);
        } else if (strcmp(argv[i], "--busy") == 0) {
            dev.busy = true;
        } else if (strcmp(argv[i], "--other-image") == 0) {
            dev.has_list_hash = true;
            memset(dev.list_hash, 0x5a, sizeof(dev.list_hash));
        } else if (strcmp(argv[i], "--forget-upload") == 0) {
            dev.forget_upload = true;
        } else if (strcmp(argv[i], "--no-match") == 0) {
            dev.no_match = true;
        } else if (strcmp(argv[i], "--bad-match") == 0) {
            dev.bad_match = true;
        } else if (strcmp(argv[i], "--mute-all") == 0) {
            dev.mute_all = true;
        } else if (strcmp(argv[i], "--fail-first") == 0) {
            dev.fail_at_off = 0;
            dev.fail_rc = (int)number(argc, argv, ++i);
        } else if (strcmp(argv[i], "--slot-info") == 0) {
            dev.slot_info = true;
            dev.slot_size = number(argc, argv, ++i);
            dev.max_image_size = number(argc, argv, ++i);
        } else if (strcmp(argv[i], "--first-delay-ms") == 0) {
            dev.first_delay_ms = number(argc, argv, ++i);
        } else {
            fprintf(stderr, "fake_smp_device: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (fake_start(&dev, serial) != 0) {
        fprintf(stderr, "fake_smp_device: cannot start\n");
        return 1;
    }
    if (serial) {
        printf("serial %s\n", dev.pty_path);
    } else {
        printf("udp %u\n", dev.port);
    }
    fflush(stdout);
    char line[64];
    while (fgets(line, sizeof(line), stdin)) {
    }
    fake_stop(&dev);
    return 0;
}
