/* End-to-end harness for devsim; see harness.h. */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dfukit/imgbuild.h"

extern char **environ;

const char *const h_trust_pem = DFU_VECTORS_DIR "/imgtool/pub-ecdsa-p256.pem";
static const char *const sign_key = DFU_VECTORS_DIR "/imgtool/key-ecdsa-p256.pem";

static void sleep_ms(int ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void mkdirs(const char *path)
{
    char tmp[H_PATH];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(tmp, 0755);
            *p = '/';
        }
    }
    mkdir(tmp, 0755);
}

void board_init(struct board *b, const char *name)
{
    memset(b, 0, sizeof *b);
    snprintf(b->dir, sizeof b->dir, "%s/devsim/%s", DFU_TEST_TMP, name);
    mkdirs(b->dir);
    static const char *const stale[] = { "board.img", "devsim.log", "tty", "stdout", "stderr" };
    for (size_t i = 0; i < sizeof stale / sizeof stale[0]; i++) {
        char p[H_PATH];
        unlink(board_path(b, stale[i], p, sizeof p));
    }
    board_path(b, "board.img", b->flash, sizeof b->flash);
    board_path(b, "devsim.log", b->log, sizeof b->log);
    board_path(b, "tty", b->link, sizeof b->link);
    b->profile = "nrf52840dk";
    b->slot_size = "0x67000";
}

const char *board_path(const struct board *b, const char *file, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s/%s", b->dir, file);
    if (n < 0 || (size_t)n >= cap) {
        buf[0] = '\0';  /* too long: an empty path fails loudly at its first use */
    }
    return buf;
}

static pid_t spawn(const struct board *b, const char *const argv[])
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    char out[H_PATH], err[H_PATH];
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, board_path(b, "stdout", out, sizeof out),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, board_path(b, "stderr", err, sizeof err),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? pid : -1;
}

int run_prog(const struct board *b, const char *const argv[])
{
    pid_t pid = spawn(b, argv);
    if (pid < 0) {
        return -1;
    }
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) {
        return -1;
    }
    return WEXITSTATUS(st);
}

int board_start(struct board *b, const char *const extra[])
{
    const char *argv[64] = {
        DEVSIM_BIN, "run", "--board", b->profile, "--flash", b->flash, "--trust", h_trust_pem,
        "--log", b->log, "--serial", b->link, "--udp", "127.0.0.1:0", "--reset-delay-ms", "50",
    };
    size_t n = 16;
    for (size_t i = 0; extra != NULL && extra[i] != NULL && n < 62; i++) {
        argv[n++] = extra[i];
    }
    argv[n] = NULL;
    b->udp[0] = '\0';
    b->udp6[0] = '\0';
    b->pid = spawn(b, argv);
    return b->pid > 0 ? 0 : -1;
}

static char *read_text(const char *path)
{
    size_t len;
    uint8_t *data = read_whole(path, &len);
    if (data == NULL) {
        return NULL;
    }
    char *text = realloc(data, len + 1);
    if (text == NULL) {
        free(data);
        return NULL;
    }
    text[len] = '\0';
    return text;
}

int board_log_count(const struct board *b, const char *needle)
{
    char *text = read_text(b->log);
    int n = 0;
    for (const char *p = text; p != NULL && (p = strstr(p, needle)) != NULL; p += strlen(needle)) {
        n++;
    }
    free(text);
    return n;
}

static void learn_udp(struct board *b)
{
    char *text = read_text(b->log);
    static const char tag[] = "udp: listening on ";
    for (const char *p = text; p != NULL && (p = strstr(p, tag)) != NULL;) {
        p += strlen(tag);
        size_t len = strcspn(p, "\n");
        char *dst = p[0] == '[' ? b->udp6 : b->udp;
        size_t cap = p[0] == '[' ? sizeof b->udp6 : sizeof b->udp;
        if (len < cap) {  /* the log grows over runs: the last listener line wins */
            memcpy(dst, p, len);
            dst[len] = '\0';
        }
    }
    free(text);
}

bool board_wait_log(struct board *b, const char *needle, int count, int timeout_ms)
{
    for (int waited = 0; waited <= timeout_ms; waited += 10) {
        if (board_log_count(b, needle) >= count) {
            if (b->udp[0] == '\0') {
                learn_udp(b);
            }
            return true;
        }
        if (b->pid > 0 && waitpid(b->pid, NULL, WNOHANG) == b->pid) {
            b->pid = 0;  /* it died: the log will not grow */
            return board_log_count(b, needle) >= count;
        }
        sleep_ms(10);
    }
    return false;
}

int board_wait_exit(struct board *b, int timeout_ms)
{
    if (b->pid <= 0) {
        return -1;
    }
    for (int waited = 0; waited <= timeout_ms; waited += 10) {
        int st;
        pid_t r = waitpid(b->pid, &st, WNOHANG);
        if (r == b->pid) {
            b->pid = 0;
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        }
        sleep_ms(10);
    }
    return -1;
}

int board_stop(struct board *b)
{
    if (b->pid <= 0) {
        return -1;
    }
    kill(b->pid, SIGTERM);
    int code = board_wait_exit(b, 10000);
    board_kill(b);
    return code;
}

void board_kill(struct board *b)
{
    if (b->pid > 0) {
        kill(b->pid, SIGKILL);
        waitpid(b->pid, NULL, 0);
        b->pid = 0;
    }
}

void board_dump_log(const struct board *b)
{
    char *text = read_text(b->log);
    fprintf(stderr, "---- %s ----\n%s----\n", b->log, text ? text : "(none)\n");
    free(text);
    char p[H_PATH];
    text = read_text(board_path(b, "stderr", p, sizeof p));
    if (text != NULL && text[0] != '\0') {
        fprintf(stderr, "---- stderr ----\n%s----\n", text);
    }
    free(text);
}

int make_signed_app(const struct board *b, const char *name, const char *version,
                    const char *behaviour, char *out, size_t cap)
{
    char raw[H_PATH], file[H_PATH];
    snprintf(file, sizeof file, "%s.bin", name);
    board_path(b, file, raw, sizeof raw);
    snprintf(file, sizeof file, "%s.signed.bin", name);
    board_path(b, file, out, cap);
    const char *mk[] = { DEVSIM_BIN, "mkapp", "--version", version, "--behaviour", behaviour,
                         "-o", raw, "--size", "6000", NULL };
    if (run_prog(b, mk) != 0) {
        return -1;
    }
    const char *sign[] = { IMGTOOL_BIN, "sign", "--key", sign_key, "--header-size", "0x200",
                           "--pad-header", "--align", "4", "--version", version, "--slot-size",
                           b->slot_size, raw, out, NULL };
    return run_prog(b, sign) == 0 ? 0 : -1;
}

int flash_image(const struct board *b, const char *image, int slot)
{
    const char *argv[] = { DEVSIM_BIN, "flash", "--board", b->profile, "--flash", b->flash,
                           image, "--slot", slot ? "1" : "0", NULL };
    return run_prog(b, argv) == 0 ? 0 : -1;
}

uint8_t *read_whole(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf != NULL) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            break;
        }
        uint8_t *bigger = realloc(buf, cap * 2);
        if (bigger == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    fclose(f);
    *len = n;
    return buf;
}

int image_hash_of(const uint8_t *img, size_t len, uint8_t hash[32])
{
    struct image_info info;
    char err[IMGBUILD_ERR_LEN];
    if (imgbuild_verify(img, len, NULL, &info, err, sizeof err) != 0 || info.hash_len != 32) {
        return -1;
    }
    memcpy(hash, info.hash, 32);
    return 0;
}
