/* The simulator's event loop: one thread, one poll(). File descriptors (pty, UDP, signals)
 * and timers (UART pacing, flash latency, watchdog, reset delay) are the only events, so a run
 * is a deterministic sequence given the same inputs. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include "dfukit/err.h"
#include "dfukit/sim.h"

void sim_loop_init(struct sim_loop *l)
{
    memset(l, 0, sizeof *l);
    l->next_id = 1;
}

uint64_t sim_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static struct sim_loop_fd *find_fd(struct sim_loop *l, int fd)
{
    for (size_t i = 0; i < l->nfds; i++) {
        if (l->fds[i].fd == fd) {
            return &l->fds[i];
        }
    }
    return NULL;
}

int sim_loop_watch(struct sim_loop *l, int fd, short events, sim_fd_fn fn, void *arg)
{
    struct sim_loop_fd *w = find_fd(l, fd);
    if (w == NULL) {
        if (l->nfds == SIM_LOOP_MAX_FDS) {
            return DFU_ENOSPC;
        }
        w = &l->fds[l->nfds++];
    }
    w->fd = fd;
    w->events = events;
    w->fn = fn;
    w->arg = arg;
    return 0;
}

void sim_loop_set_events(struct sim_loop *l, int fd, short events)
{
    struct sim_loop_fd *w = find_fd(l, fd);
    if (w != NULL) {
        w->events = events;
    }
}

void sim_loop_unwatch(struct sim_loop *l, int fd)
{
    struct sim_loop_fd *w = find_fd(l, fd);
    if (w != NULL) {
        size_t i = (size_t)(w - l->fds);
        memmove(&l->fds[i], &l->fds[i + 1], (l->nfds - i - 1) * sizeof l->fds[0]);
        l->nfds--;
    }
}

int sim_loop_timer_at(struct sim_loop *l, uint64_t at_us, sim_timer_fn fn, void *arg)
{
    for (size_t i = 0; i < SIM_LOOP_MAX_TIMERS; i++) {
        struct sim_loop_timer *t = &l->timers[i];
        if (t->id == 0) {
            t->id = l->next_id++;
            if (l->next_id <= 0) {
                l->next_id = 1;
            }
            t->at_us = at_us;
            t->seq = l->seq++;
            t->fn = fn;
            t->arg = arg;
            return t->id;
        }
    }
    return DFU_ENOSPC;
}

void sim_loop_cancel(struct sim_loop *l, int id)
{
    if (id <= 0) {
        return;
    }
    for (size_t i = 0; i < SIM_LOOP_MAX_TIMERS; i++) {
        if (l->timers[i].id == id) {
            l->timers[i].id = 0;
        }
    }
}

void sim_loop_stop(struct sim_loop *l, int code)
{
    l->stop = true;
    l->exit_code = code;
}

/* The earliest armed timer (ties: first armed), or NULL. */
static struct sim_loop_timer *next_timer(struct sim_loop *l)
{
    struct sim_loop_timer *best = NULL;
    for (size_t i = 0; i < SIM_LOOP_MAX_TIMERS; i++) {
        struct sim_loop_timer *t = &l->timers[i];
        if (t->id != 0 && (best == NULL || t->at_us < best->at_us ||
                           (t->at_us == best->at_us && t->seq < best->seq))) {
            best = t;
        }
    }
    return best;
}

int sim_loop_step(struct sim_loop *l, uint64_t max_wait_us)
{
    uint64_t now = sim_now_us();
    uint64_t wait = max_wait_us;
    struct sim_loop_timer *t = next_timer(l);
    if (t != NULL) {
        uint64_t due = t->at_us > now ? t->at_us - now : 0;
        if (due < wait) {
            wait = due;
        }
    }
    struct pollfd pfd[SIM_LOOP_MAX_FDS];
    size_t n = l->nfds;
    for (size_t i = 0; i < n; i++) {
        pfd[i].fd = l->fds[i].events ? l->fds[i].fd : -1;
        pfd[i].events = l->fds[i].events;
        pfd[i].revents = 0;
    }
    /* Round up so a timer due in 300 us does not spin with a 0 ms timeout. */
    int ms = (int)((wait + 999) / 1000);
    int rc = poll(pfd, (nfds_t)n, ms);
    if (rc < 0 && errno != EINTR) {
        return DFU_EIO;
    }
    if (rc > 0) {
        /* Callbacks may watch/unwatch: dispatch by fd, re-finding each entry. */
        int ready_fd[SIM_LOOP_MAX_FDS];
        short ready_ev[SIM_LOOP_MAX_FDS];
        size_t nready = 0;
        for (size_t i = 0; i < n; i++) {
            if (pfd[i].fd >= 0 && pfd[i].revents != 0) {
                ready_fd[nready] = pfd[i].fd;
                ready_ev[nready++] = pfd[i].revents;
            }
        }
        for (size_t i = 0; i < nready && !l->stop; i++) {
            struct sim_loop_fd *w = find_fd(l, ready_fd[i]);
            if (w != NULL && w->events != 0) {
                w->fn(w->arg, w->fd, ready_ev[i]);
            }
        }
    }
    now = sim_now_us();
    while (!l->stop) {
        t = next_timer(l);
        if (t == NULL || t->at_us > now) {
            break;
        }
        sim_timer_fn fn = t->fn;
        void *arg = t->arg;
        t->id = 0;
        fn(arg);
    }
    return 0;
}

int sim_loop_run(struct sim_loop *l)
{
    while (!l->stop) {
        int rc = sim_loop_step(l, 1000000);
        if (rc != 0) {
            return rc;
        }
    }
    return l->exit_code;
}
