/* The board's serial port: a pseudo-terminal (hostio) published at a stable symlink, so a
 * client keeps using the same path across resets and restarts. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dfukit/err.h"
#include "dfukit/hostio.h"
#include "dfukit/sim.h"

int sim_pty_open(struct sim_pty *p, const char *link)
{
    memset(p, 0, sizeof *p);
    p->master = -1;
    p->hold = -1;
    if (link != NULL && strlen(link) >= sizeof p->link) {
        return DFU_ERANGE;
    }
    if (link != NULL) {
        struct stat st;
        if (lstat(link, &st) == 0 && !S_ISLNK(st.st_mode)) {
            return DFU_EEXIST;
        }
    }
    int rc = hostio_pty_open(&p->master, p->slave, sizeof p->slave);
    if (rc != 0) {
        return rc;
    }
    rc = hostio_pty_hold(&p->hold, p->slave);
    if (rc != 0) {
        sim_pty_close(p);
        return rc;
    }
    if (link != NULL) {
        /* Replace atomically: a client polling for the path never sees it missing. */
        char tmp[sizeof p->link + 16];
        snprintf(tmp, sizeof tmp, "%s.%ld~", link, (long)getpid());
        unlink(tmp);
        if (symlink(p->slave, tmp) != 0 || rename(tmp, link) != 0) {
            unlink(tmp);
            sim_pty_close(p);
            return DFU_EIO;
        }
        snprintf(p->link, sizeof p->link, "%s", link);
    }
    return 0;
}

void sim_pty_close(struct sim_pty *p)
{
    if (p->link[0] != '\0') {
        char target[sizeof p->slave];
        ssize_t n = readlink(p->link, target, sizeof target - 1);
        if (n >= 0) {
            target[n] = '\0';
            if (strcmp(target, p->slave) == 0) {
                unlink(p->link);
            }
        }
        p->link[0] = '\0';
    }
    hostio_close(p->hold);
    hostio_close(p->master);
    p->hold = -1;
    p->master = -1;
}
