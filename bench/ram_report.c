/* bench_ram_report: static RAM of the device-side state, as the integrator allocates it
 * (every buffer is caller-owned, so sizeof is the whole story for static RAM). Prints a
 * Markdown table of the types in RAM_REPORT_TYPES for this host, plus a column for a 32-bit
 * target when given the sizes measured there (bench/ram_report.sh, from ram_probe.c):
 *   bench_ram_report [TARGET_NAME SIZES_FILE]
 * SIZES_FILE holds "id bytes" lines (decimal); the project-buffer server is "smp_server_project".
 * Exit status 2 when the sizes file cannot be read. */
#include <stdio.h>
#include <string.h>

#include "ram_report.h"

#define MAX_TARGET 64

struct target_size {
    char id[48];
    long bytes;
};

static struct target_size target[MAX_TARGET];
static size_t target_count;

static int load_target(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        return -1;
    }
    char id[48];
    long bytes;
    while (target_count < MAX_TARGET && fscanf(f, "%47s %ld", id, &bytes) == 2) {
        memcpy(target[target_count].id, id, sizeof(id));
        target[target_count].bytes = bytes;
        target_count++;
    }
    fclose(f);
    return 0;
}

/* The target's size as text, "?" when the probe did not report it. */
static const char *target_text(const char *id, char *buf, size_t cap)
{
    for (size_t i = 0; i < target_count; i++) {
        if (strcmp(target[i].id, id) == 0) {
            snprintf(buf, cap, "%ld", target[i].bytes);
            return buf;
        }
    }
    return "?";
}

static long target_bytes(const char *id)
{
    for (size_t i = 0; i < target_count; i++) {
        if (strcmp(target[i].id, id) == 0) {
            return target[i].bytes;
        }
    }
    return -1;
}

static int with_target;

/* id NULL: a fixed-size buffer, the same on every target. */
static void row(const char *id, const char *what, const char *type, size_t bytes, const char *note)
{
    if (!with_target) {
        printf("| %s | `%s` | %zu | %s |\n", what, type, bytes, note);
        return;
    }
    char buf[24];
    const char *t = buf;
    if (id) {
        t = target_text(id, buf, sizeof(buf));
    } else {
        snprintf(buf, sizeof(buf), "%zu", bytes);
    }
    printf("| %s | `%s` | %zu | %s | %s |\n", what, type, bytes, t, note);
}

#define RAM_ROW(id, type, what, note) row(#id, what, #type, sizeof(type), note);

int main(int argc, char **argv)
{
    const char *target_name = NULL;
    if (argc == 3) {
        target_name = argv[1];
        if (load_target(argv[2]) != 0) {
            fprintf(stderr, "bench_ram_report: cannot read %s\n", argv[2]);
            return 2;
        }
        with_target = 1;
    } else if (argc != 1) {
        fprintf(stderr, "usage: bench_ram_report [TARGET_NAME SIZES_FILE]\n");
        return 2;
    }
    struct ram_server_size proj;
    ram_report_project(&proj);
    char note[160];

    if (with_target) {
        printf("| part | type | host bytes | %s bytes | note |\n|---|---|---:|---:|---|\n",
               target_name);
    } else {
        printf("| part | type | host bytes | note |\n|---|---|---:|---|\n");
    }
    RAM_REPORT_SERVER_TYPES(RAM_ROW)
    snprintf(note, sizeof(note), "project build (DFU_SMP_BUF_SIZE/COUNT): %u x %u B buffers",
             proj.buf_count, proj.buf_size);
    row("smp_server_project", "SMP server instance", "struct smp_server", proj.server, note);
    snprintf(note, sizeof(note), "server.h defaults: %u x %u B", (unsigned)SMP_BUF_COUNT,
             (unsigned)SMP_BUF_SIZE);
    row(NULL, "  of which SMP buffers", "uint8_t[][]", sizeof(((struct smp_server *)0)->bufs), note);
    row(NULL, "  of which slot scratch", "uint8_t[]", (size_t)SERVER_IMG_SCRATCH, "SERVER_IMG_SCRATCH");
    RAM_REPORT_OTHER_TYPES(RAM_ROW)
    snprintf(note, sizeof(note), "Zephyr default %u x %u B", ZEPHYR_UART_LINE_COUNT,
             ZEPHYR_UART_LINE_SIZE);
    row(NULL, "UART line memory", "uint8_t[]", ZEPHYR_UART_LINE_SIZE * ZEPHYR_UART_LINE_COUNT, note);
    row(NULL, "Boot copy buffer", "uint8_t[]", (size_t)BOOT_COPY_BUF_SIZE,
        "BOOT_COPY_BUF_SIZE, on boot_go()'s stack");

    /* A serial SMP device: server + deframer + line buffer state and memory. */
    const size_t serial = sizeof(struct serial_deframer) + sizeof(struct serial_linebuf) +
                          ZEPHYR_UART_LINE_SIZE * ZEPHYR_UART_LINE_COUNT;
    printf("\nSerial SMP device, static RAM (server + serial deframer + UART line buffers and "
           "their memory), host: %zu bytes with server.h's buffers, %zu bytes with the "
           "project's",
           sizeof(struct smp_server) + serial, proj.server + serial);
    long t_srv = target_bytes("smp_server"), t_proj = target_bytes("smp_server_project");
    long t_df = target_bytes("serial_deframer"), t_lb = target_bytes("serial_linebuf");
    if (with_target && t_srv > 0 && t_proj > 0 && t_df > 0 && t_lb > 0) {
        long t_serial = t_df + t_lb + (long)(ZEPHYR_UART_LINE_SIZE * ZEPHYR_UART_LINE_COUNT);
        printf("; %s: %ld and %ld bytes", target_name, t_srv + t_serial, t_proj + t_serial);
    }
    printf(".\n");
    return 0;
}
