/* mcumgr: shared state of the command line (global flags, the lazily opened session), the
 * command table, and the helpers every command file uses (cli.c, fileio.c, print.h). */
#ifndef MCUMGR_H
#define MCUMGR_H

#include <stdbool.h>
#include <stdio.h>

#include "dfukit/client.h"
#include "print.h"

#define MCUMGR_EXIT_OK 0
#define MCUMGR_EXIT_ERR 1
#define MCUMGR_EXIT_USAGE 2

struct mcumgr {
    const char *what;        /* the command being run ("image upload"), for messages */
    const char *conn;        /* -c profile */
    const char *conntype;
    const char *connstring;
    const char *connextra;
    double timeout_s;
    int tries;
    const char *loglevel;
    bool json;
    bool quiet;
    bool help;
    bool open;
    struct client_session sess;
};

/* Options of one command: argv after the command words, globals already removed. */
struct mcumgr_args {
    int argc;
    char **argv;
};

/* One command of the table (commands.c): help, man page and dispatch come from it. */
struct mcumgr_cmd {
    const char *name;        /* "echo" or "image upload" */
    int (*run)(struct mcumgr *m, struct mcumgr_args *a);
    const char *summary;     /* one line, for `help --commands` */
    const char *usage;       /* after "Usage: mcumgr ": synopsis line, text, every option */
};

/* The most commands the table holds (a compile-time check in commands.c keeps it so). */
#define MCUMGR_MAX_COMMANDS 64
const struct mcumgr_cmd *mcumgr_commands(size_t *count);
/* help.c: the overview (`mcumgr --help`), one command's usage, the command list. */
void mcumgr_print_overview(FILE *f);
void mcumgr_print_usage(FILE *f, const struct mcumgr_cmd *c);
void mcumgr_print_command_list(FILE *f);
/* The table entry for argv (two words, then one); *words says how many it used. */
const struct mcumgr_cmd *mcumgr_find_command(int argc, char **argv, int *words);
/* The command name nearest to a mistyped one (by edit distance), NULL when none is close. */
const char *mcumgr_suggest(const char *typed);
/* argv names no command: a group's usages (with --help), "image needs a command", or
 * "unknown command" with the nearest one. Returns the exit code. */
int mcumgr_not_a_command(bool help, int argc, char **argv);

/* Opens the session from -c / --conntype / --connstring on first use; prints the reason and
 * returns NULL on failure. */
struct client_session *mcumgr_session(struct mcumgr *m);
void mcumgr_close(struct mcumgr *m);

/* Prints "mcumgr: what: reason" to stderr and returns MCUMGR_EXIT_ERR. */
int mcumgr_fail(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Explains a library error code (device errors by name). */
int mcumgr_fail_rc(const char *what, int rc, const struct client_deverr *e);
/* A usage error: "mcumgr: what: reason" and the command's synopsis; MCUMGR_EXIT_USAGE. */
int mcumgr_fail_usage(const char *what, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The synopsis of the command being run (its table entry's first line) on stderr, usage only
 * when no command runs (NULL: the caller relies on the table); MCUMGR_EXIT_USAGE. */
int mcumgr_usage(const char *usage);
/* Makes the command the one usage errors and mcumgr_session's messages name. */
void mcumgr_set_command(struct mcumgr *m, const struct mcumgr_cmd *c);

/* With --json prints the response and returns true (the caller prints nothing more). */
bool mcumgr_json(const struct mcumgr *m, const struct client_rsp *rsp);
/* A C string as a JSON string literal on stdout. */
void mcumgr_json_str(const char *s);

/* Option scanning for commands: returns the value of --name/-s (or NULL), removing it. */
const char *mcumgr_opt_value(struct mcumgr_args *a, const char *lng, const char *shrt);
bool mcumgr_opt_flag(struct mcumgr_args *a, const char *lng, const char *shrt);
/* A whole number option in [min, max]: 0 and *out set (or left alone when absent), else a
 * usage error is printed and MCUMGR_EXIT_USAGE returned. */
int mcumgr_opt_uint(struct mcumgr_args *a, const char *lng, const char *shrt, unsigned long min,
                    unsigned long max, unsigned long *out);
/* The same for a text already taken from argv; name is the option as the user wrote it. */
int mcumgr_parse_uint(const char *name, const char *v, unsigned long min, unsigned long max,
                      unsigned long *out);
/* Leftover arguments starting with '-' are an error (usage as for mcumgr_usage). */
int mcumgr_no_more_opts(const struct mcumgr_args *a, const char *usage);

/* Connection profiles from ~/.mcumgr.cp.json; prints the reason (a corrupt file is named as
 * such) and returns MCUMGR_EXIT_ERR on failure. path receives the file name. */
int mcumgr_load_profiles(const char *what, struct client_profiles *p, char *path, size_t cap);

/* Progress reporting for transfers (bar on a terminal, lines otherwise, nothing with -q). */
struct mcumgr_progress {
    bool quiet, tty;
    double start, last_draw;
    int last_decile;
    const char *label;
    bool started;            /* the first report came (it sets base and start) */
    size_t base;             /* done at the first report (a resumed upload's offset) */
    bool line_open;          /* a bar is drawn without its newline yet */
};
void mcumgr_progress_init(struct mcumgr_progress *p, const struct mcumgr *m, const char *label);
void mcumgr_progress_cb(void *arg, size_t done, size_t total);
/* client_upload_opts.resumed: prints "resuming at N of M bytes". */
void mcumgr_progress_resumed(void *arg, size_t done, size_t total);
/* Until the transfer reaches 100 % (or release), Ctrl-C ends the bar line, prints
 * "WHAT: interrupted; run the same command again to resume the upload" and exits 130. */
void mcumgr_progress_catch_interrupt(const struct mcumgr_progress *p, const char *what);
void mcumgr_progress_release_interrupt(void);
#define mcumgr_now client_now_s

/* Whole local files (host side). read: *out is heap memory the caller frees. */
int mcumgr_read_file(const char *path, uint8_t **out, size_t *len);
int mcumgr_write_file(const char *path, const uint8_t *data, size_t len);
/* Why the last mcumgr_read_file / mcumgr_write_file failed, in the OS's words. */
const char *mcumgr_file_strerror(int err);

/* Commands (the table's handlers). */
int mcumgr_cmd_conn_add(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_conn_show(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_conn_delete(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_echo(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_reset(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_taskstat(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_mpstat(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_datetime(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_params(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_os_info(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_bootloader_info(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_image_list(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_image_upload(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_image_test(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_image_confirm(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_image_erase(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_image_slot_info(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_upgrade(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_fs_upload(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_fs_download(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_fs_stat(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_fs_hash(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_shell_exec(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_stat(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_settings_read(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_settings_write(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_settings_delete(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_settings_commit(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_settings_load(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_settings_save(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_config(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_enum(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_help(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_bridge(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_fleet_upgrade(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_fleet_list(struct mcumgr *m, struct mcumgr_args *a);

#endif
