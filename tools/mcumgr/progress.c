/* Transfer progress: on a terminal a one-line bar (percent, KiB/s, ETA) redrawn at most 10
 * times a second and always at 100 %; otherwise a plain line every 10 %; nothing with -q. */
#include <unistd.h>

#include "mcumgr.h"

void mcumgr_progress_init(struct mcumgr_progress *p, const struct mcumgr *m, const char *label)
{
    p->quiet = m->quiet || m->json;
    p->tty = isatty(STDERR_FILENO) == 1;
    p->start = mcumgr_now();
    p->last_draw = 0;
    p->last_decile = -1;
    p->label = label;
}

void mcumgr_progress_cb(void *arg, size_t done, size_t total)
{
    struct mcumgr_progress *p = arg;
    if (p->quiet || total == 0) {
        return;
    }
    double now = mcumgr_now();
    double elapsed = now - p->start;
    double rate = elapsed > 0 ? (double)done / elapsed : 0; /* bytes/s */
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
        double eta = rate > 0 ? (double)(total - done) / rate : 0;
        fprintf(stderr, "\r%s %3d%% [%s] %8.1f KiB/s ETA %d:%02d ", p->label, pct, bar,
                rate / 1024.0, (int)eta / 60, (int)eta % 60);
        if (done == total) {
            fputc('\n', stderr);
        }
        fflush(stderr);
        return;
    }
    int decile = pct / 10;
    if (decile != p->last_decile) {
        p->last_decile = decile;
        fprintf(stderr, "%s %3d%% %zu/%zu bytes %.1f KiB/s\n", p->label, pct, done, total,
                rate / 1024.0);
    }
}
