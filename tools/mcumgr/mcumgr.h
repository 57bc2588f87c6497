/* mcumgr: shared state of the command line (global flags, the lazily opened session) and the
 * helpers every command file uses. */
#ifndef MCUMGR_H
#define MCUMGR_H

#include <stdbool.h>
#include <stdio.h>

#include "dfukit/client.h"

#define MCUMGR_EXIT_OK 0
#define MCUMGR_EXIT_ERR 1
#define MCUMGR_EXIT_USAGE 2

struct mcumgr {
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

/* Opens the session from -c / --conntype / --connstring on first use; prints the reason and
 * returns NULL on failure. */
struct client_session *mcumgr_session(struct mcumgr *m);
void mcumgr_close(struct mcumgr *m);

/* Prints "what: reason" to stderr and returns MCUMGR_EXIT_ERR. */
int mcumgr_fail(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Explains a library error code (device errors by name). */
int mcumgr_fail_rc(const char *what, int rc, const struct client_deverr *e);
int mcumgr_usage(const char *usage);

/* One request with an already encoded CBOR map; prints errors. On success the caller owns
 * rsp. Returns an exit code. */
int mcumgr_call(struct mcumgr *m, const char *what, uint8_t op, uint16_t group, uint8_t id,
                const uint8_t *payload, size_t len, struct client_rsp *rsp);
/* With --json prints the response and returns true (the caller prints nothing more). */
bool mcumgr_json(const struct mcumgr *m, const struct client_rsp *rsp);

/* A C string as a JSON string literal on stdout. */
void mcumgr_json_str(const char *s);

/* Option scanning for commands: returns the value of --name/-s (or NULL), removing it. */
const char *mcumgr_opt_value(struct mcumgr_args *a, const char *lng, const char *shrt);
bool mcumgr_opt_flag(struct mcumgr_args *a, const char *lng, const char *shrt);
/* Leftover arguments starting with '-' are an error. */
int mcumgr_no_more_opts(const struct mcumgr_args *a, const char *usage);

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
double mcumgr_now(void);

/* Whole local files (host side). read: *out is heap memory the caller frees. */
int mcumgr_read_file(const char *path, uint8_t **out, size_t *len);
int mcumgr_write_file(const char *path, const uint8_t *data, size_t len);

/* Command groups. */
int mcumgr_cmd_conn(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_os(struct mcumgr *m, const char *cmd, struct mcumgr_args *a);
int mcumgr_cmd_image(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_upgrade(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_fs(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_shell(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_stat(struct mcumgr *m, struct mcumgr_args *a);
int mcumgr_cmd_settings(struct mcumgr *m, const char *cmd, struct mcumgr_args *a);
int mcumgr_cmd_enum(struct mcumgr *m, struct mcumgr_args *a);

#endif
