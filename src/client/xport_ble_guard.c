/* The guardian: BlueZ keeps a connection up after the program that asked for it has gone, so a
 * Ctrl-C (whose handler may only _exit), a crash or a kill would leave the board connected and
 * invisible to the next scan. A child process holds the read end of a pipe; when mcumgr ends,
 * the pipe closes. A byte first means "closed cleanly"; none means "disconnect dev", which the
 * child does on a bus connection of its own. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xport_ble.h"

static void guard_run(int fd, const char *dev)
{
    /* Ctrl-C reaches the whole foreground group: the guardian must outlive it */
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    /* nothing of the parent's stays open here: not its bus, not its ATT sockets, not the
     * stdout a test reads until it closes */
    int null = open("/dev/null", O_RDWR);
    for (int i = 0; i < 3 && null >= 0; i++) {
        dup2(null, i);
    }
    if (fd != 3) {
        dup2(fd, 3);
    }
    close_range(4, ~0u, 0);
    char c;
    ssize_t n;
    do {
        n = read(3, &c, 1);
    } while (n < 0 && errno == EINTR);
    if (n == 1) {
        _exit(0);
    }
    sd_bus *bus = NULL;
    if (sd_bus_open_system(&bus) >= 0) {
        ble_call(bus, dev, "org.bluez.Device1", "Disconnect", BLE_CONNECT_TIMEOUT_MS, NULL, NULL,
                 "");
    }
    _exit(0);
}

int ble_guard_start(const char *dev, pid_t *pid_out)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[1]);
        guard_run(fds[0], dev);
    }
    close(fds[0]);
    if (pid < 0) {
        close(fds[1]);
        return -1;
    }
    *pid_out = pid;
    return fds[1];
}

void ble_guard_release(int fd, pid_t pid)
{
    if (fd >= 0) {
        (void)!write(fd, "q", 1);
        close(fd);
        waitpid(pid, NULL, 0); /* it ends at once */
    }
}
