/* The simulator's shell: a handful of real commands over the simulated board's state, run by
 * the Shell group (SMP group 9) through struct shell_port. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "port_host.h"

/* Output collected into the caller's buffer; whatever does not fit is cut. */
struct out {
    char *buf;
    size_t size;
    size_t len;
};

static void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out_printf(struct out *o, const char *fmt, ...)
{
    if (o->len >= o->size) {
        return;
    }
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    size_t len = (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1;
    if (len > o->size - o->len) {
        len = o->size - o->len;
    }
    memcpy(o->buf + o->len, tmp, len);
    o->len += len;
}

typedef int (*cmd_fn)(const struct port_shell_sim *sh, int argc, const char *const argv[],
                      struct out *o);

struct cmd {
    const char *name;
    cmd_fn fn;
    const char *help;
};

static int cmd_help(const struct port_shell_sim *sh, int argc, const char *const argv[],
                    struct out *o);

static int cmd_echo(const struct port_shell_sim *sh, int argc, const char *const argv[],
                    struct out *o)
{
    for (int i = 1; i < argc; i++) {
        out_printf(o, "%s%s", i > 1 ? " " : "", argv[i]);
    }
    out_printf(o, "\n");
    return 0;
}

static int cmd_version(const struct port_shell_sim *sh, int argc, const char *const argv[],
                       struct out *o)
{
    if (sh->version == NULL) {
        out_printf(o, "version: unknown\n");
        return -ENOTSUP;
    }
    out_printf(o, "%s\n", sh->version);
    return 0;
}

static int cmd_uptime(const struct port_shell_sim *sh, int argc, const char *const argv[],
                      struct out *o)
{
    if (sh->uptime_ms == NULL) {
        out_printf(o, "uptime: no clock\n");
        return -ENOTSUP;
    }
    out_printf(o, "Uptime: %llu ms\n", (unsigned long long)sh->uptime_ms(sh->uptime_arg));
    return 0;
}

static int cmd_flash(const struct port_shell_sim *sh, int argc, const char *const argv[],
                     struct out *o)
{
    if (argc != 2 || strcmp(argv[1], "info") != 0) {
        out_printf(o, "usage: flash info\n");
        return -EINVAL;
    }
    const struct flash_dev *dev = sh->flash;
    if (dev == NULL) {
        out_printf(o, "flash: no device\n");
        return -ENOTSUP;
    }
    out_printf(o, "size %u bytes, write align %u, erased 0x%02x\n", (unsigned)dev->size,
               (unsigned)dev->write_align, (unsigned)dev->erased_val);
    for (uint32_t r = 0; r < dev->run_count; r++) {
        out_printf(o, "sectors: %u x %u\n", (unsigned)dev->runs[r].count,
                   (unsigned)dev->runs[r].size);
    }
    for (size_t i = 0; i < sh->part_count; i++) {
        const struct flash_area *fa = sh->parts[i].fa;
        out_printf(o, "%-10s id %u at 0x%08x size 0x%08x\n", sh->parts[i].name, (unsigned)fa->id,
                   (unsigned)fa->off, (unsigned)fa->size);
    }
    return 0;
}

struct visit_out {
    struct out *o;
    const char *want;  /* NULL: list names; else print this key's value */
    bool found;
};

static bool visit_setting(void *arg, const char *name, const uint8_t *val, size_t val_len)
{
    struct visit_out *v = arg;
    if (v->want == NULL) {
        out_printf(v->o, "%s\n", name);
        return true;
    }
    if (strcmp(v->want, name) != 0) {
        return true;
    }
    v->found = true;
    for (size_t i = 0; i < val_len; i++) {
        out_printf(v->o, "%02x", val[i]);
    }
    out_printf(v->o, "\n");
    return false;
}

static int cmd_settings(const struct port_shell_sim *sh, int argc, const char *const argv[],
                        struct out *o)
{
    bool list = argc == 2 && strcmp(argv[1], "list") == 0;
    bool read = argc == 3 && strcmp(argv[1], "read") == 0;
    if (!list && !read) {
        out_printf(o, "usage: settings list | settings read <name>\n");
        return -EINVAL;
    }
    if (sh->settings == NULL) {
        out_printf(o, "settings: no storage\n");
        return -ENOTSUP;
    }
    struct visit_out v = {.o = o, .want = read ? argv[2] : NULL};
    settings_store_foreach(sh->settings, visit_setting, &v);
    if (read && !v.found) {
        out_printf(o, "settings: %s not found\n", argv[2]);
        return -ENOENT;
    }
    return 0;
}

static const struct cmd commands[] = {
    {"help", cmd_help, "list the commands"},
    {"echo", cmd_echo, "print the arguments"},
    {"version", cmd_version, "print the application version"},
    {"uptime", cmd_uptime, "time since power-on"},
    {"flash", cmd_flash, "flash info: geometry and partitions"},
    {"settings", cmd_settings, "settings list | settings read <name>"},
};

static int cmd_help(const struct port_shell_sim *sh, int argc, const char *const argv[],
                    struct out *o)
{
    out_printf(o, "Available commands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        out_printf(o, "  %-9s %s\n", commands[i].name, commands[i].help);
    }
    return 0;
}

int port_shell_sim_exec(void *ctx, int argc, const char *const argv[], char *out, size_t out_size,
                        size_t *out_len, int *ret)
{
    const struct port_shell_sim *sh = ctx;
    struct out o = {.buf = out, .size = out_size, .len = 0};
    *out_len = 0;
    if (argc < 1) {
        return -EINVAL;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[0], commands[i].name) == 0) {
            *ret = commands[i].fn(sh, argc, argv, &o);
            *out_len = o.len;
            return 0;
        }
    }
    out_printf(&o, "%s: command not found\n", argv[0]);
    *ret = SHELL_PORT_RET_NOT_FOUND;
    *out_len = o.len;
    return 0;
}

struct shell_port port_shell_sim_port(struct port_shell_sim *sh)
{
    struct shell_port p = {.exec = port_shell_sim_exec, .ctx = sh};
    return p;
}
