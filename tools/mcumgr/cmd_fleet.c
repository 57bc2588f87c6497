/* fleet upgrade | fleet list: the boards come from -c NAME (repeated), --profiles-matching
 * GLOB or --conn-file FILE; the work is client_fleet_* (one process per board); here are the
 * live lines, the summary table and the JSON report. */
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dfukit/err.h"
#include "dfukit/fleet.h"
#include "mcumgr.h"

#define FLEET_MAX_BOARDS 1024

struct fleet_cli {
    struct client_fleet_board *b;
    size_t n;
    bool tty, quiet, drawn;
    double last_draw;
    bool told[FLEET_MAX_BOARDS];   /* the end of board i was printed (not on a terminal) */
};

static int add_board(struct mcumgr *m, struct fleet_cli *f, const char *name, const char *type,
                     const char *cs)
{
    if (f->n == FLEET_MAX_BOARDS) {
        return mcumgr_fail(m->what, "more than %d boards", FLEET_MAX_BOARDS);
    }
    struct client_fleet_board *b = &f->b[f->n];
    memset(b, 0, sizeof(*b));
    snprintf(b->name, sizeof(b->name), "%s", name);
    enum client_conn_type t;
    char msg[256];
    if (client_conn_type_parse(type, &t) != 0) {
        return mcumgr_fail(m->what, "%s: unknown connection type \"%s\" (serial, udp, ble, exec)",
                           name, type);
    }
    if (client_conn_parse(&b->conn, t, cs, msg, sizeof(msg)) != 0) {
        return mcumgr_fail(m->what, "%s: %s", name, msg);
    }
    f->n++;
    return 0;
}

static int add_profile(struct mcumgr *m, struct fleet_cli *f, const struct client_profiles *p,
                       const char *path, const char *name)
{
    const struct client_profile *prof = client_profiles_find(p, name);
    if (!prof) {
        return mcumgr_fail(m->what, "no connection profile \"%s\" in %s (see mcumgr conn show)",
                           name, path);
    }
    return add_board(m, f, prof->name, prof->type, prof->connstring);
}

/* A conn file: one board a line, a profile name or "TYPE CONNSTRING"; '#' starts a comment. */
static int add_conn_file(struct mcumgr *m, struct fleet_cli *f, const struct client_profiles *p,
                         const char *path, const char *file)
{
    FILE *in = fopen(file, "r");
    if (!in) {
        return mcumgr_fail(m->what, "cannot read %s: %s", file, strerror(errno));
    }
    char line[1200];
    int rc = 0, no = 0;
    while (!rc && fgets(line, sizeof(line), in)) {
        no++;
        line[strcspn(line, "\r\n")] = '\0';
        char *s = line + strspn(line, " \t");
        if (*s == '\0' || *s == '#') {
            continue;
        }
        char *sp = strpbrk(s, " \t");
        if (!sp) {
            rc = add_profile(m, f, p, path, s);
            continue;
        }
        *sp = '\0';
        char *cs = sp + 1 + strspn(sp + 1, " \t");
        char name[160];
        snprintf(name, sizeof(name), "%s:%d", file, no);
        rc = add_board(m, f, name, s, cs);
    }
    fclose(in);
    return rc;
}

static int gather(struct mcumgr *m, struct mcumgr_args *a, struct fleet_cli *f)
{
    struct client_profiles p;
    char path[1024];
    if (mcumgr_load_profiles(m->what, &p, path, sizeof(path))) {
        return MCUMGR_EXIT_ERR;
    }
    int rc = 0;
    if (m->conn) {
        rc = add_profile(m, f, &p, path, m->conn);
    }
    const char *v;
    while (!rc && (v = mcumgr_opt_value(a, "--conn", "-c"))) {
        rc = add_profile(m, f, &p, path, v);
    }
    while (!rc && (v = mcumgr_opt_value(a, "--profiles-matching", NULL))) {
        size_t before = f->n;
        for (size_t i = 0; !rc && i < p.count; i++) {
            if (fnmatch(v, p.items[i].name, 0) == 0) {
                rc = add_board(m, f, p.items[i].name, p.items[i].type, p.items[i].connstring);
            }
        }
        if (!rc && f->n == before) {
            rc = mcumgr_fail(m->what, "no connection profile matches \"%s\" in %s", v, path);
        }
    }
    while (!rc && (v = mcumgr_opt_value(a, "--conn-file", NULL))) {
        rc = add_conn_file(m, f, &p, path, v);
    }
    client_profiles_free(&p);
    if (!rc && f->n == 0) {
        return mcumgr_fail_usage(m->what, "no boards: use -c NAME, --profiles-matching GLOB "
                                 "or --conn-file FILE");
    }
    return rc;
}

static const char *state_name(const struct client_fleet_board *b)
{
    switch (b->state) {
    case FLEET_QUEUED: return "queued";
    case FLEET_RUNNING: return b->step[0] ? b->step : "starting";
    case FLEET_DONE: return "done";
    case FLEET_SKIPPED: return "skipped";
    default: return "failed";
    }
}

/* One line of text for how a board ended. */
static void result_text(char *out, size_t cap, const struct client_fleet_board *b, bool list)
{
    const char *step = b->failed_step[0] ? b->failed_step : "upgrade";
    if (b->state == FLEET_DONE) {
        snprintf(out, cap, list ? "ok" : "upgraded");
    } else if (b->state == FLEET_SKIPPED) {
        snprintf(out, cap, "skipped: already running %s", b->new_version);
    } else if (b->rc == CLIENT_ELINK || b->link_error[0]) {
        snprintf(out, cap, "%s: %s", step, b->link_error);
    } else if (b->boot == CLIENT_BOOT_REFUSED) {
        snprintf(out, cap, "refused by the bootloader (the image is gone from its slot)");
    } else if (b->boot == CLIENT_BOOT_REVERTED) {
        snprintf(out, cap, "reverted: the new image ran but is not confirmed");
    } else if (b->rc == CLIENT_EDEVICE) {
        client_format_deverr(out, cap, step, &b->deverr);
    } else if (b->rc == DFU_ETIMEDOUT) {
        snprintf(out, cap, "%s: timed out waiting for the device", step);
    } else if (b->rc == DFU_ENOSPC) {
        snprintf(out, cap, "%s: the image is too large for the slot", step);
    } else {
        snprintf(out, cap, "%s: %s", step, dfu_strerror(b->rc));
    }
}

static double board_time(const struct client_fleet_board *b)
{
    return b->end_s > b->start_s ? b->end_s - b->start_s : 0.0;
}

static void live_line(FILE *o, const struct client_fleet_board *b)
{
    /* the rate of the upload alone: frozen once it ended (the reset and wait follow) */
    double t = b->upload_s > 0 ? b->upload_s
               : (b->state == FLEET_RUNNING ? client_now_s() : b->end_s) - b->start_s;
    if (b->state == FLEET_QUEUED) {
        t = 0;
    }
    fprintf(o, "%-24.24s %-10.10s", b->name, state_name(b));
    if (b->total) {
        size_t sent = b->done - b->resumed_from;
        fprintf(o, " %3u%% %7.1f KiB/s", (unsigned)(b->done * 100 / b->total),
                t > 0 ? (double)sent / t / 1024.0 : 0.0);
    }
    fputs("\033[K\n", o);
}

/* On a terminal: every board's line redrawn in place (at most 10 times a second, and on each
 * end); otherwise one line when a board ends. */
static void on_update(void *arg, const struct client_fleet_board *b, size_t n, size_t i)
{
    struct fleet_cli *f = arg;
    if (f->quiet) {
        return;
    }
    bool ended = b[i].state >= FLEET_DONE;
    if (!f->tty) {
        if (ended && !f->told[i]) {
            f->told[i] = true;
            char r[300];
            result_text(r, sizeof(r), &b[i], false);
            fprintf(stderr, "%s: %s (%.1f s)\n", b[i].name, r, board_time(&b[i]));
        }
        return;
    }
    double now = client_now_s();
    if (!ended && f->drawn && now - f->last_draw < 0.1) {
        return;
    }
    f->last_draw = now;
    if (f->drawn) {
        fprintf(stderr, "\033[%zuA", n);
    }
    for (size_t k = 0; k < n; k++) {
        live_line(stderr, &b[k]);
    }
    f->drawn = true;
}

static void hex_prefix(char *out, const uint8_t *h, size_t n)
{
    size_t k = n < 4 ? n : 4;
    for (size_t i = 0; i < k; i++) {
        sprintf(out + 2 * i, "%02x", h[i]);
    }
    out[2 * k] = '\0';
}

static void print_upgrade_table(const struct fleet_cli *f)
{
    printf("%-24s %-10s %-10s %-7s %s\n", "BOARD", "OLD", "NEW", "TIME", "RESULT");
    for (size_t i = 0; i < f->n; i++) {
        const struct client_fleet_board *b = &f->b[i];
        char r[300];
        result_text(r, sizeof(r), b, false);
        char t[16];
        snprintf(t, sizeof(t), "%.1fs", board_time(b));
        printf("%-24s %-10s %-10s %-7s %s\n", b->name, b->old_version[0] ? b->old_version : "-",
               b->new_version[0] ? b->new_version : "-", t, r);
    }
}

static void json_board_common(const struct client_fleet_board *b, bool list)
{
    char r[300];
    result_text(r, sizeof(r), b, list);
    printf("{\"board\": ");
    mcumgr_json_str(b->name);
    printf(", \"result\": \"%s\", \"message\": ",
           b->state == FLEET_DONE ? (list ? "ok" : "upgraded")
                                  : b->state == FLEET_SKIPPED ? "skipped" : "failed");
    mcumgr_json_str(r);
}

static void print_upgrade_json(const struct fleet_cli *f, int failed)
{
    printf("{\"boards\": [");
    for (size_t i = 0; i < f->n; i++) {
        const struct client_fleet_board *b = &f->b[i];
        printf("%s\n  ", i ? "," : "");
        json_board_common(b, false);
        printf(", \"old_version\": ");
        mcumgr_json_str(b->old_version);
        printf(", \"new_version\": ");
        mcumgr_json_str(b->new_version);
        printf(", \"seconds\": %.3f, \"resumed_from\": %zu}", board_time(b), b->resumed_from);
    }
    printf("\n], \"failed\": %d}\n", failed);
}

int mcumgr_cmd_fleet_upgrade(struct mcumgr *m, struct mcumgr_args *a)
{
    static struct client_fleet_board boards[FLEET_MAX_BOARDS];
    static struct fleet_cli f;
    f = (struct fleet_cli){.b = boards, .quiet = m->quiet || m->json, .tty = isatty(2)};
    bool test = mcumgr_opt_flag(a, "--test", NULL);
    bool confirm = mcumgr_opt_flag(a, "--confirm", NULL);
    bool wait = mcumgr_opt_flag(a, "--wait", NULL);
    unsigned long jobs = 0;
    int rc = mcumgr_opt_uint(a, "--jobs", "-j", 1, FLEET_MAX_BOARDS, &jobs);
    if (rc || (rc = gather(m, a, &f)) || (rc = mcumgr_no_more_opts(a, NULL))) {
        return rc;
    }
    if (test && confirm) {
        return mcumgr_fail_usage(m->what, "--test and --confirm exclude each other");
    }
    if (a->argc != 1) {
        return mcumgr_fail_usage(m->what, a->argc ? "one image file" : "the image file is missing");
    }
    uint8_t *data;
    size_t len;
    int err = mcumgr_read_file(a->argv[0], &data, &len);
    if (err) {
        return mcumgr_fail(m->what, "cannot read %s: %s", a->argv[0], mcumgr_file_strerror(err));
    }
    struct client_fleet_opts o = {
        .data = data, .len = len, .test = test, .confirm = confirm, .wait = wait,
        .jobs = (unsigned)jobs, .timeout_ms = (int)(m->timeout_s * 1000.0), .tries = m->tries,
        .update = on_update, .update_arg = &f,
    };
    fflush(NULL); /* the workers are forks: nothing buffered twice */
    int failed = client_fleet_upgrade(boards, f.n, &o);
    free(data);
    if (failed < 0) {
        return mcumgr_fail(m->what, "cannot run the fleet: %s", dfu_strerror(failed));
    }
    if (m->json) {
        print_upgrade_json(&f, failed);
    } else {
        print_upgrade_table(&f);
    }
    return failed ? MCUMGR_EXIT_ERR : MCUMGR_EXIT_OK;
}

static void slot_flags(char *out, size_t cap, const struct client_slot_state *s)
{
    snprintf(out, cap, "%s%s%s%s", s->active ? "active " : "", s->confirmed ? "confirmed " : "",
             s->pending ? "pending " : "", s->permanent ? "permanent " : "");
    size_t n = strlen(out);
    if (n > 0) {
        out[n - 1] = '\0';
    }
}

int mcumgr_cmd_fleet_list(struct mcumgr *m, struct mcumgr_args *a)
{
    static struct client_fleet_board boards[FLEET_MAX_BOARDS];
    static struct fleet_cli f;
    f = (struct fleet_cli){.b = boards, .quiet = true};
    unsigned long jobs = 0;
    int rc = mcumgr_opt_uint(a, "--jobs", "-j", 1, FLEET_MAX_BOARDS, &jobs);
    if (rc || (rc = gather(m, a, &f)) || (rc = mcumgr_no_more_opts(a, NULL))) {
        return rc;
    }
    if (a->argc) {
        return mcumgr_fail_usage(m->what, "unexpected argument %s", a->argv[0]);
    }
    struct client_fleet_opts o = {.jobs = (unsigned)jobs,
                                  .timeout_ms = (int)(m->timeout_s * 1000.0), .tries = m->tries};
    fflush(NULL);
    int failed = client_fleet_list(boards, f.n, &o);
    if (failed < 0) {
        return mcumgr_fail(m->what, "cannot run the fleet: %s", dfu_strerror(failed));
    }
    if (m->json) {
        printf("{\"boards\": [");
    } else {
        printf("%-24s %-5s %-5s %-12s %-28s %s\n", "BOARD", "IMAGE", "SLOT", "VERSION", "FLAGS",
               "HASH");
    }
    for (size_t i = 0; i < f.n; i++) {
        const struct client_fleet_board *b = &boards[i];
        if (m->json) {
            printf("%s\n  ", i ? "," : "");
            json_board_common(b, true);
            printf(", \"slots\": [");
        }
        if (b->state != FLEET_DONE && !m->json) {
            char r[300];
            result_text(r, sizeof(r), b, true);
            printf("%-24s %s\n", b->name, r);
        }
        for (size_t k = 0; k < b->nslots; k++) {
            const struct client_slot_state *s = &b->slots[k];
            char flags[64], hash[16];
            slot_flags(flags, sizeof(flags), s);
            hex_prefix(hash, s->hash, s->hash_len);
            if (m->json) {
                printf("%s{\"image\": %" PRIu32 ", \"slot\": %" PRIu32 ", \"version\": ",
                       k ? ", " : "", s->image, s->slot);
                mcumgr_json_str(s->version);
                printf(", \"flags\": ");
                mcumgr_json_str(flags);
                printf(", \"hash\": \"%s\"}", hash);
            } else {
                printf("%-24s %-5" PRIu32 " %-5" PRIu32 " %-12s %-28s %s\n", b->name, s->image,
                       s->slot, s->version, flags[0] ? flags : "-", hash);
            }
        }
        if (m->json) {
            printf("]}");
        }
    }
    if (m->json) {
        printf("\n], \"failed\": %d}\n", failed);
    }
    return failed ? MCUMGR_EXIT_ERR : MCUMGR_EXIT_OK;
}
