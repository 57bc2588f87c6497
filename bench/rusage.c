/* bench_rusage: runs a command several times and prints its median wall time and its peak
 * resident set size (the largest ru_maxrss of the runs, from wait4), as shell assignments:
 *   median_us=1234 min_us=1200 max_us=1300 maxrss_kib=5120 runs=5
 * so a script can `eval "$(bench_rusage ...)"`. The command's output goes to /dev/null (or
 * stays on the terminal with -v). A warm-up run (not counted) fills the page cache first.
 * Exit status: 0, or 1 when a run fails (its status is printed on stderr), 2 for bad usage.
 * Usage: bench_rusage [-n RUNS] [-w WARMUPS] [-v] [--] COMMAND [ARGS...] */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 1000

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Runs argv once: 0 and the wall time and peak RSS, or -1 (message printed). */
static int run_once(char **argv, int verbose, long long *us, long *rss_kib)
{
    long long start = now_us();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "bench_rusage: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        if (!verbose) {
            int fd = open("/dev/null", O_WRONLY);
            if (fd >= 0) {
                dup2(fd, STDOUT_FILENO);
                dup2(fd, STDERR_FILENO);
                close(fd);
            }
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    pid_t got;
    do {
        got = wait4(pid, &status, 0, &ru);
    } while (got < 0 && errno == EINTR);
    *us = now_us() - start;
    if (got < 0) {
        fprintf(stderr, "bench_rusage: wait4: %s\n", strerror(errno));
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_rusage: %s failed (%s %d)\n", argv[0],
                WIFEXITED(status) ? "exit status" : "signal",
                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        return -1;
    }
    *rss_kib = ru.ru_maxrss; /* Linux reports KiB */
    return 0;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_rusage [-n RUNS] [-w WARMUPS] [-v] [--] COMMAND [ARGS...]\n");
    return 2;
}

static int parse_count(const char *s, int lo, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo || v > MAX_RUNS) {
        return -1;
    }
    *out = (int)v;
    return 0;
}

int main(int argc, char **argv)
{
    int runs = 5, warmups = 1, verbose = 0, i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (strcmp(argv[i], "-v") == 0) {
            verbose = 1;
        } else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            if (parse_count(argv[++i], 1, &runs) != 0) {
                return usage();
            }
        } else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc) {
            if (parse_count(argv[++i], 0, &warmups) != 0) {
                return usage();
            }
        } else {
            return usage();
        }
    }
    if (i >= argc) {
        return usage();
    }
    char **cmd = argv + i;
    long long times[MAX_RUNS];
    long long t;
    long rss, max_rss = 0;
    for (int w = 0; w < warmups; w++) {
        if (run_once(cmd, verbose, &t, &rss) != 0) {
            return 1;
        }
    }
    for (int r = 0; r < runs; r++) {
        if (run_once(cmd, verbose, &times[r], &rss) != 0) {
            return 1;
        }
        max_rss = rss > max_rss ? rss : max_rss;
    }
    qsort(times, (size_t)runs, sizeof(times[0]), cmp_ll);
    /* Median: the middle run, or the mean of the two middle runs. */
    long long median = runs % 2 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
    printf("median_us=%lld min_us=%lld max_us=%lld maxrss_kib=%ld runs=%d\n", median, times[0],
           times[runs - 1], max_rss, runs);
    return 0;
}
