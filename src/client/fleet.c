/* The fleet: one forked worker per board, each with its own session, reporting snapshots of
 * its board record through a pipe. The parent starts workers as the job limit allows (boards
 * on the same serial port one after the other: a port has one board and one user), gathers
 * their reports with poll() and calls the caller's update hook. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dfukit/err.h"
#include "dfukit/fleet.h"

/* Progress reports at most this often (the state changes are always sent). */
#define FLEET_REPORT_MS 100

/* ---- the worker (child side) ---- */

struct worker {
    int fd;
    struct client_fleet_board *b;
    int64_t last_report;
};

static void send_board(struct worker *w)
{
    const uint8_t *p = (const uint8_t *)w->b;
    size_t n = sizeof(*w->b);
    while (n > 0) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            _exit(3); /* the parent is gone */
        }
        p += k;
        n -= (size_t)k;
    }
    w->last_report = client_now_ms();
}

static void on_progress(void *arg, size_t done, size_t total)
{
    struct worker *w = arg;
    w->b->done = done;
    w->b->total = total;
    if (done == total && w->b->upload_s == 0) {
        w->b->upload_s = client_now_s() - w->b->start_s;
    }
    if (done == total || client_now_ms() - w->last_report >= FLEET_REPORT_MS) {
        send_board(w);
    }
}

static void on_resumed(void *arg, size_t done, size_t total)
{
    struct worker *w = arg;
    w->b->resumed_from = done;
    on_progress(arg, done, total);
}

static void set_step(struct worker *w, const char *step)
{
    snprintf(w->b->step, sizeof(w->b->step), "%s", step);
    send_board(w);
}

/* client_upgrade's step report names the step just finished: show the next one. */
static void on_step(void *arg, const char *step, double seconds, const char *detail)
{
    (void)seconds;
    (void)detail;
    struct worker *w = arg;
    static const char *const next[][2] = {
        {"upload", "mark"}, {"test", "reset"}, {"confirm", "reset"}, {"reset", "wait"},
        {"wait", "check"},
    };
    for (size_t i = 0; i < sizeof(next) / sizeof(next[0]); i++) {
        if (strcmp(step, next[i][0]) == 0) {
            set_step(w, next[i][1]);
            return;
        }
    }
}

static bool open_board(struct worker *w, const struct client_fleet_opts *o,
                       struct client_session *s)
{
    struct client_xport xp;
    char msg[256];
    set_step(w, "connect");
    if (client_xport_open(&xp, &w->b->conn, msg, sizeof(msg)) != 0) {
        w->b->rc = CLIENT_ELINK;
        snprintf(w->b->link_error, sizeof(w->b->link_error), "%s", msg);
        snprintf(w->b->failed_step, sizeof(w->b->failed_step), "connect");
        return false;
    }
    client_session_init(s, &xp);
    s->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 10000;
    s->tries = o->tries > 0 ? o->tries : 1;
    return true;
}

/* The board's slots into b; false (rc set) when it cannot be read. */
static bool read_slots(struct worker *w, struct client_session *s)
{
    struct client_rsp rsp;
    int rc = client_image_state_read(s, &rsp, &w->b->deverr);
    if (rc) {
        w->b->rc = rc;
        snprintf(w->b->failed_step, sizeof(w->b->failed_step), "image list");
        return false;
    }
    w->b->nslots = client_state_slots(rsp.root, w->b->slots, FLEET_MAX_SLOTS);
    client_rsp_free(&rsp);
    for (size_t i = 0; i < w->b->nslots; i++) {
        if (w->b->slots[i].image == 0 && w->b->slots[i].active) {
            snprintf(w->b->old_version, sizeof(w->b->old_version), "%s",
                     w->b->slots[i].version);
        }
    }
    return true;
}

static void finish(struct worker *w, struct client_session *s, enum client_fleet_state ok)
{
    const char *why = client_session_link_error(s);
    if (why) {
        w->b->rc = CLIENT_ELINK;
        snprintf(w->b->link_error, sizeof(w->b->link_error), "%s", why);
    }
    w->b->state = w->b->rc ? FLEET_FAILED : ok;
    w->b->end_s = client_now_s();
}

static void run_upgrade(struct worker *w, const struct client_fleet_opts *o)
{
    struct client_session s;
    if (!open_board(w, o, &s)) {
        w->b->state = FLEET_FAILED;
        return;
    }
    set_step(w, "image list");
    if (!read_slots(w, &s)) {
        finish(w, &s, FLEET_FAILED);
        client_session_close(&s);
        return;
    }
    uint8_t hash[64];
    size_t hash_len = 0;
    if (client_image_file_hash(o->data, o->len, hash, sizeof(hash), &hash_len) == 0) {
        for (size_t i = 0; i < w->b->nslots; i++) {
            const struct client_slot_state *e = &w->b->slots[i];
            if (e->image == 0 && e->active && e->hash_len == hash_len &&
                memcmp(e->hash, hash, hash_len) == 0) {
                snprintf(w->b->new_version, sizeof(w->b->new_version), "%s", e->version);
                finish(w, &s, FLEET_SKIPPED);
                client_session_close(&s);
                return;
            }
        }
    }
    struct client_upgrade_opts uo;
    memset(&uo, 0, sizeof(uo));
    uo.upload.data = o->data;
    uo.upload.len = o->len;
    uo.upload.progress = on_progress;
    uo.upload.resumed = on_resumed;
    uo.upload.progress_arg = w;
    uo.test = o->test;
    uo.confirm = !o->test;       /* the one-step upgrade confirms unless a test boot is asked */
    uo.reset = true;
    uo.wait = o->wait;
    uo.step = on_step;
    uo.step_arg = w;
    set_step(w, "upload");
    struct client_upgrade_result r;
    w->b->rc = client_upgrade(&s, &uo, &r, &w->b->deverr);
    w->b->boot = r.boot;
    w->b->verdict = r.verdict;
    w->b->resumed_from = r.upload.resumed_from;
    snprintf(w->b->failed_step, sizeof(w->b->failed_step), "%s",
             r.failed_step ? r.failed_step : "");
    snprintf(w->b->new_version, sizeof(w->b->new_version), "%s", r.running_version);
    finish(w, &s, FLEET_DONE);
    client_session_close(&s);
}

static void run_list(struct worker *w, const struct client_fleet_opts *o)
{
    struct client_session s;
    if (!open_board(w, o, &s)) {
        w->b->state = FLEET_FAILED;
        return;
    }
    set_step(w, "image list");
    read_slots(w, &s);
    finish(w, &s, FLEET_DONE);
    client_session_close(&s);
}

/* ---- the parent ---- */

struct slot {
    pid_t pid;
    int fd;
    size_t got;
    struct client_fleet_board buf;
};

static bool port_busy(const struct client_fleet_board *b, size_t n, const struct slot *sl,
                      size_t i)
{
    if (b[i].conn.type != CLIENT_CONN_SERIAL) {
        return false;
    }
    for (size_t k = 0; k < n; k++) {
        if (k != i && sl[k].pid > 0 && b[k].conn.type == CLIENT_CONN_SERIAL &&
            strcmp(b[k].conn.dev, b[i].conn.dev) == 0) {
            return true;
        }
    }
    return false;
}

static int start(struct client_fleet_board *b, struct slot *sl, const struct client_fleet_opts *o,
                 void (*work)(struct worker *, const struct client_fleet_opts *))
{
    int p[2];
    if (pipe(p) != 0) {
        return DFU_EIO;
    }
    b->state = FLEET_RUNNING;
    b->start_s = client_now_s();
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return DFU_EIO;
    }
    if (pid == 0) {
        close(p[0]);
        signal(SIGINT, SIG_DFL);
        struct worker w = {p[1], b, 0};
        work(&w, o);
        send_board(&w);
        _exit(0);
    }
    close(p[1]);
    sl->pid = pid;
    sl->fd = p[0];
    sl->got = 0;
    return 0;
}

/* Reads what the worker sent; at EOF reaps it. */
static void collect(struct client_fleet_board *b, struct slot *sl)
{
    uint8_t *dst = (uint8_t *)&sl->buf;
    ssize_t k = read(sl->fd, dst + sl->got, sizeof(sl->buf) - sl->got);
    if (k < 0 && errno == EINTR) {
        return;
    }
    if (k > 0) {
        sl->got += (size_t)k;
        if (sl->got == sizeof(sl->buf)) {
            *b = sl->buf;
            sl->got = 0;
        }
        return;
    }
    close(sl->fd);
    int status = 0;
    waitpid(sl->pid, &status, 0);
    sl->pid = -1;
    sl->fd = -1;
    if (b->state != FLEET_DONE && b->state != FLEET_SKIPPED && b->state != FLEET_FAILED) {
        b->state = FLEET_FAILED;
        b->rc = DFU_EIO;
        snprintf(b->link_error, sizeof(b->link_error), "the worker for this board %s %d",
                 WIFSIGNALED(status) ? "was killed by signal" : "exited with status",
                 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        b->end_s = client_now_s();
    }
}

static int run_all(struct client_fleet_board *b, size_t n, const struct client_fleet_opts *o,
                   void (*work)(struct worker *, const struct client_fleet_opts *))
{
    struct slot *sl = calloc(n ? n : 1, sizeof(*sl));
    struct pollfd *pf = calloc(n ? n : 1, sizeof(*pf));
    size_t *map = calloc(n ? n : 1, sizeof(*map));
    if (!sl || !pf || !map) {
        free(sl);
        free(pf);
        free(map);
        return DFU_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        sl[i].pid = 0; /* 0 not started, > 0 running, -1 finished */
        b[i].state = FLEET_QUEUED;
    }
    size_t finished = 0;
    int err = 0;
    while (finished < n && !err) {
        size_t running = 0;
        for (size_t i = 0; i < n; i++) {
            running += sl[i].pid > 0;
        }
        for (size_t i = 0; i < n && (o->jobs == 0 || running < o->jobs); i++) {
            if (sl[i].pid == 0 && !port_busy(b, n, sl, i)) {
                if ((err = start(&b[i], &sl[i], o, work)) != 0) {
                    break;
                }
                running++;
                if (o->update) {
                    o->update(o->update_arg, b, n, i);
                }
            }
        }
        size_t np = 0;
        for (size_t i = 0; i < n; i++) {
            if (sl[i].pid > 0) {
                pf[np] = (struct pollfd){.fd = sl[i].fd, .events = POLLIN};
                map[np++] = i;
            }
        }
        if (np == 0) {
            break;
        }
        if (poll(pf, np, -1) < 0 && errno != EINTR) {
            err = DFU_EIO;
            break;
        }
        for (size_t k = 0; k < np; k++) {
            if (pf[k].revents) {
                size_t i = map[k];
                collect(&b[i], &sl[i]);
                finished += sl[i].pid < 0;
                if (o->update) {
                    o->update(o->update_arg, b, n, i);
                }
            }
        }
    }
    for (size_t i = 0; i < n; i++) { /* only after an error: end the workers still running */
        if (sl[i].pid > 0) {
            kill(sl[i].pid, SIGTERM);
            waitpid(sl[i].pid, NULL, 0);
            close(sl[i].fd);
        }
    }
    free(sl);
    free(pf);
    free(map);
    if (err) {
        return err;
    }
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        failed += b[i].state == FLEET_FAILED;
    }
    return failed;
}

int client_fleet_upgrade(struct client_fleet_board *b, size_t n,
                         const struct client_fleet_opts *o)
{
    return run_all(b, n, o, run_upgrade);
}

int client_fleet_list(struct client_fleet_board *b, size_t n, const struct client_fleet_opts *o)
{
    return run_all(b, n, o, run_list);
}
