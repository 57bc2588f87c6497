/* Exec transport: a board behind a command. /bin/sh -c CMD runs with a socket pair as its
 * stdin/stdout, over which the stream link speaks console framing (or raw SMP) exactly as on a
 * local tty; nothing of ours runs on the far side (ssh + socat do). The command's stderr comes
 * through a pipe and is forwarded to ours as it arrives, and its last line is kept: when the
 * command ends, the link error reads "exec: ssh exited with status 255: <that line>".
 *
 * A socket pair rather than pipes: a write to a command that has gone can use MSG_NOSIGNAL and
 * fail with EPIPE instead of raising SIGPIPE in a program that did not ask for it. The command
 * runs in a process group of its own so that ending it ends what the shell started too (a relay
 * left behind would keep reading the board's port and take the next client's answers); the
 * price: it cannot read the terminal, so ssh must not ask for a password (a key or an agent). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "dfukit/client.h"
#include "dfukit/err.h"
#include "dfukit/hostio.h"
#include "xport.h"

/* How long the command has to end after SIGTERM before SIGKILL. */
#ifndef EXEC_TERM_GRACE_MS
#define EXEC_TERM_GRACE_MS 1000
#endif
/* How long to wait for the exit status once the command closed its output. */
#ifndef EXEC_EXIT_WAIT_MS
#define EXEC_EXIT_WAIT_MS 2000
#endif

struct exec_ctx {
    pid_t pid;
    bool reaped;
    int status;
    int sock;            /* our end of the command's stdin/stdout */
    int err_fd;          /* the read end of its stderr, -1 once it closed */
    char name[64];       /* the command's first word, for messages */
    char line[256];      /* the stderr line being gathered */
    size_t line_len;
    char last[256];      /* the last complete non-empty stderr line */
    char why[400];       /* the link error, "" while the link is up */
    struct stream_link link;
};

static void keep_line(struct exec_ctx *e)
{
    size_t n = e->line_len;
    while (n > 0 && (e->line[n - 1] == '\r' || e->line[n - 1] == ' ')) {
        n--;
    }
    if (n > 0) {
        memcpy(e->last, e->line, n);
        e->last[n] = '\0';
    }
    e->line_len = 0;
}

/* Forwards what the command wrote to its stderr and remembers its last line. */
static void drain_stderr(void *arg)
{
    struct exec_ctx *e = arg;
    while (e->err_fd >= 0) {
        char buf[1024];
        ssize_t n = read(e->err_fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        }
        if (n <= 0) {
            keep_line(e);
            close(e->err_fd);
            e->err_fd = -1;
            e->link.side_fd = -1;
            return;
        }
        ssize_t off = 0;
        while (off < n) { /* the command's words, unchanged, on our stderr */
            ssize_t w = write(STDERR_FILENO, buf + off, (size_t)(n - off));
            if (w <= 0 && errno != EINTR) {
                break;
            }
            off += w > 0 ? w : 0;
        }
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                keep_line(e);
            } else if (e->line_len < sizeof(e->line) - 1) {
                e->line[e->line_len++] = buf[i];
            }
        }
    }
}

static bool reap(struct exec_ctx *e, int wait_ms)
{
    int64_t deadline = client_now_ms() + wait_ms;
    while (!e->reaped) {
        pid_t r = waitpid(e->pid, &e->status, WNOHANG);
        if (r == e->pid || (r < 0 && errno != EINTR)) {
            e->reaped = true;
            break;
        }
        if (client_now_ms() >= deadline) {
            return false;
        }
        struct pollfd p = {.fd = e->err_fd, .events = POLLIN};
        if (poll(&p, e->err_fd >= 0 ? 1 : 0, 10) > 0) {
            drain_stderr(e);
        }
    }
    return true;
}

/* The stream ended: wait for the exit status and say how the command went. */
static int link_lost(struct exec_ctx *e)
{
    if (e->why[0]) {
        return CLIENT_ELINK;
    }
    bool gone = reap(e, EXEC_EXIT_WAIT_MS);
    drain_stderr(e);
    char how[64];
    if (!gone) {
        snprintf(how, sizeof(how), "closed its output");
    } else if (WIFEXITED(e->status)) {
        snprintf(how, sizeof(how), "exited with status %d", WEXITSTATUS(e->status));
    } else if (WIFSIGNALED(e->status)) {
        snprintf(how, sizeof(how), "was killed by signal %d", WTERMSIG(e->status));
    } else {
        snprintf(how, sizeof(how), "ended");
    }
    snprintf(e->why, sizeof(e->why), "exec: %s %s%s%s", e->name, how, e->last[0] ? ": " : "",
             e->last);
    return CLIENT_ELINK;
}

static int exec_send(void *ctx, const uint8_t *pkt, size_t len)
{
    struct exec_ctx *e = ctx;
    if (e->why[0]) {
        return CLIENT_ELINK;
    }
    int err = stream_link_send(&e->link, pkt, len);
    return err == DFU_EIO ? link_lost(e) : err;
}

static int exec_recv(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    struct exec_ctx *e = ctx;
    if (e->why[0]) {
        return CLIENT_ELINK;
    }
    int n = stream_link_recv(&e->link, buf, cap, timeout_ms);
    return n == DFU_EIO ? link_lost(e) : n;
}

static const char *exec_link_error(void *ctx)
{
    struct exec_ctx *e = ctx;
    return e->why[0] ? e->why : NULL;
}

/* EOF on its stdin, SIGTERM to the command's process group, SIGKILL after the grace. */
static void exec_close(void *ctx)
{
    struct exec_ctx *e = ctx;
    hostio_close(e->sock);
    kill(-e->pid, SIGTERM);
    if (!reap(e, EXEC_TERM_GRACE_MS)) {
        kill(-e->pid, SIGKILL);
        reap(e, EXEC_TERM_GRACE_MS);
    }
    kill(-e->pid, SIGKILL); /* whatever the shell started and left behind */
    drain_stderr(e);
    if (e->line_len > 0) {
        (void)!write(STDERR_FILENO, "\n", 1); /* end a last line the command left open */
    }
    hostio_close(e->err_fd);
    stream_link_fini(&e->link);
    free(e);
}

static const struct client_xport_ops exec_ops = {exec_send, exec_recv, exec_close,
                                                 exec_link_error};

/* "ssh" for "ssh helper socat ...", "socat" for "/usr/bin/socat ..." or "exec socat ...". */
static void first_word(char *out, size_t cap, const char *cmd)
{
    cmd += strspn(cmd, " \t");
    if (strncmp(cmd, "exec ", 5) == 0) {
        cmd += 5 + strspn(cmd + 5, " \t");
    }
    size_t n = strcspn(cmd, " \t;|&<>()");
    const char *slash = memrchr(cmd, '/', n);
    if (slash) {
        n -= (size_t)(slash + 1 - cmd);
        cmd = slash + 1;
    }
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), cmd);
}

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -1 : 0;
}

int client_xport_exec_open(struct client_xport *out, const struct client_conn *conn, char *msg,
                           size_t msg_len)
{
    struct exec_ctx *e = calloc(1, sizeof(*e));
    if (!e) {
        return DFU_ENOMEM;
    }
    int sv[2], ep[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        snprintf(msg, msg_len, "exec: cannot make a socket pair: %s", strerror(errno));
        free(e);
        return DFU_EIO;
    }
    if (pipe2(ep, O_CLOEXEC) != 0) {
        snprintf(msg, msg_len, "exec: cannot make a pipe: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        free(e);
        return DFU_EIO;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(msg, msg_len, "exec: cannot start a process: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        close(ep[0]);
        close(ep[1]);
        free(e);
        return DFU_EIO;
    }
    if (pid == 0) {
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* we died without closing: do not linger */
#endif
        setpgid(0, 0);
        signal(SIGPIPE, SIG_DFL);
        if (dup2(sv[1], STDIN_FILENO) < 0 || dup2(sv[1], STDOUT_FILENO) < 0 ||
            dup2(ep[1], STDERR_FILENO) < 0) {
            _exit(127);
        }
        execl("/bin/sh", "sh", "-c", conn->cmd, (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid); /* also here: no race with a close right after the fork */
    close(sv[1]);
    close(ep[1]);
    e->pid = pid;
    e->sock = sv[0];
    e->err_fd = ep[0];
    first_word(e->name, sizeof(e->name), conn->cmd);
    if (set_nonblock(e->sock) != 0 || set_nonblock(e->err_fd) != 0) {
        snprintf(msg, msg_len, "exec: cannot set up the command's streams");
        exec_close(e);
        return DFU_EIO;
    }
    stream_link_init(&e->link, e->sock, e->sock, conn->mtu, conn->raw);
    e->link.write_all = hostio_send_all;
    e->link.side_fd = e->err_fd;
    e->link.side_ready = drain_stderr;
    e->link.side_arg = e;
    out->ops = &exec_ops;
    out->ctx = e;
    stream_link_describe(out, conn->raw);
    return 0;
}
