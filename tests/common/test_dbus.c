/* A private D-Bus bus per test (test_dbus.h). */
#include "test_dbus.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int test_dbus_start(struct test_dbus *d)
{
    memset(d, 0, sizeof *d);
    int out[2];
    if (pipe(out) != 0) {
        return -1;
    }
    d->pid = fork();
    if (d->pid < 0) {
        return -1;
    }
    if (d->pid == 0) {
        dup2(out[1], 1);
        /* its start-up warnings (fd limits in a container) are not the test's */
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 2);
        }
        close(out[0]);
        close(out[1]);
        execlp("dbus-daemon", "dbus-daemon", "--session", "--print-address", "--nofork",
               (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    /* The address is the first line; wait for it at most 5 s. */
    size_t len = 0;
    while (len + 1 < sizeof d->address && memchr(d->address, '\n', len) == NULL) {
        struct pollfd p = { .fd = out[0], .events = POLLIN };
        if (poll(&p, 1, 5000) <= 0) {
            break;
        }
        ssize_t n = read(out[0], d->address + len, sizeof d->address - 1 - len);
        if (n <= 0) {
            break;
        }
        len += (size_t)n;
    }
    close(out[0]);
    d->address[len] = '\0';
    char *nl = strchr(d->address, '\n');
    if (nl == NULL) {
        test_dbus_stop(d);
        return -1;
    }
    *nl = '\0';
    return 0;
}

void test_dbus_stop(struct test_dbus *d)
{
    if (d->pid > 0) {
        kill(d->pid, SIGTERM);
        waitpid(d->pid, NULL, 0);
        d->pid = 0;
    }
}
