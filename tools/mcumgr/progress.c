/* Transfer progress: on a terminal a one-line bar (percent, KiB/s, ETA) redrawn at most 10
 * times a second and always at 100 %; otherwise a plain line every 10 %; nothing with -q.
 * Rate and ETA count only what this run sent after its first reply (a resumed upload starts
 * from where the device stood), and a transfer that had nothing more to send shows none. */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "mcumgr.h"

void mcumgr_progress_init(struct mcumgr_progress *p, const struct mcumgr *m, const char *label)
{
    memset(p, 0, sizeof(*p));
    p->quiet = m->quiet || m->json;
    p->tty = isatty(STDERR_FILENO) == 1;
    p->start = mcumgr_now();
    p->last_decile = -1;
    p->label = label;
}

void mcumgr_progress_resumed(void *arg, size_t done, size_t total)
{
    struct mcumgr_progress *p = arg;
    (void)done;
    if (!p->quiet) {
        fprintf(stderr, "resuming at %zu of %zu bytes\n", done, total);
    }
}

static void restore_interrupt(void);

void mcumgr_progress_cb(void *arg, size_t done, size_t total)
{
    struct mcumgr_progress *p = arg;
    if (done == total) {
        restore_interrupt(); /* nothing left to resume */
    }
    if (p->quiet || total == 0) {
        return;
    }
    double now = mcumgr_now();
    if (!p->started) {
        /* the first report comes with the first reply: where the device stood (a resume) or
         * the first chunk, after the slot erase. The rate counts from here, so neither the
         * resumed part nor the erase wait inflate or deflate it. */
        p->started = true;
        p->base = done;
        p->start = now;
    }
    double elapsed = now - p->start;
    size_t sent = done > p->base ? done - p->base : 0;
    double rate = elapsed > 0 ? (double)sent / elapsed : 0; /* bytes/s of this run */
    int pct = (int)((done * 100) / total);
    if (p->tty) {
        if (done < total && now - p->last_draw < 0.1) {
            return;
        }
        p->last_draw = now;
        char bar[31];
        int fill = (int)((done * 30) / total);
        for (int i = 0; i < 30; i++) {
            bar[i] = i < fill ? '#' : ' ';
        }
        bar[30] = '\0';
        fprintf(stderr, "\r%s %3d%% [%s]", p->label, pct, bar);
        if (sent > 0 && done < total) {
            double eta = rate > 0 ? (double)(total - done) / rate : 0;
            fprintf(stderr, " %8.1f KiB/s ETA %d:%02d ", rate / 1024.0, (int)eta / 60,
                    (int)eta % 60);
        } else if (sent > 0) {
            fprintf(stderr, " %8.1f KiB/s           ", rate / 1024.0);
        }
        p->line_open = done != total;
        if (done == total) {
            fputc('\n', stderr);
        }
        fflush(stderr);
        return;
    }
    int decile = pct / 10;
    if (decile != p->last_decile) {
        p->last_decile = decile;
        fprintf(stderr, "%s %3d%% %zu/%zu bytes", p->label, pct, done, total);
        if (sent > 0) {
            fprintf(stderr, " %.1f KiB/s", rate / 1024.0);
        }
        fputc('\n', stderr);
    }
}

/* Ctrl-C during a transfer: end the bar line, say how to go on, exit 130 (128 + SIGINT, as
 * a shell reports it). Only write(2) and _exit(2) here: a signal may arrive inside stdio. */
static const struct mcumgr_progress *interrupted_progress;
static char interrupt_msg[256];
static size_t interrupt_len;

static void on_interrupt(int sig)
{
    (void)sig;
    if (interrupted_progress && interrupted_progress->line_open &&
        write(STDERR_FILENO, "\n", 1) < 0) {
        _exit(130);
    }
    if (write(STDERR_FILENO, interrupt_msg, interrupt_len) < 0) {
        _exit(130);
    }
    _exit(130);
}

static void restore_interrupt(void)
{
    if (interrupted_progress) {
        signal(SIGINT, SIG_DFL);
        interrupted_progress = NULL;
    }
}

void mcumgr_progress_catch_interrupt(const struct mcumgr_progress *p, const char *what)
{
    int n = snprintf(interrupt_msg, sizeof(interrupt_msg),
                     "mcumgr: %s: interrupted; run the same command again to resume the upload\n",
                     what);
    interrupt_len = n > 0 && (size_t)n < sizeof(interrupt_msg) ? (size_t)n : 0;
    interrupted_progress = p;
    signal(SIGINT, on_interrupt);
}

void mcumgr_progress_release_interrupt(void)
{
    restore_interrupt();
}
