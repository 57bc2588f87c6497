/* Shell group (9): runs one command line, given as {"argv": [tstr, ...]}, through the shell
 * port and answers {"o": output, "ret": status} ("rc" instead of "ret" in the legacy variant,
 * as older Zephyr and the Go mcumgr expect). Heap-free, OS-free. */
#include <string.h>

#include "dfukit/err.h"
#include "dfukit/server.h"

/* Response bytes kept free around the output: keys, the status and room for an "err" map. */
#define SHELL_RSP_OVERHEAD 40u

/* argv decoded into one line buffer, one NUL after each argument. */
struct shell_args {
    char line[SHELL_PORT_LINE_MAX];
    size_t used;
    const char *argv[SHELL_PORT_ARGV_MAX];
    int argc;
    bool too_long;
};

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when p[0..n) does not start one
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF). */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    size_t len;
    uint32_t min;
    uint32_t cp;
    if (c < 0x80) {
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        len = 2, min = 0x80, cp = c & 0x1fu;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3, min = 0x800, cp = c & 0x0fu;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4, min = 0x10000, cp = c & 0x07u;
    } else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (p[i] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return len;
}

static bool utf8_valid(const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq(p + i, n - i);
        if (k == 0) {
            return false;
        }
        i += k;
    }
    return true;
}

/* A CBOR text string must be UTF-8: bytes that are not (binary output of a command, a
 * sequence cut at the end of the buffer) become '?'. */
static void utf8_sanitize(char *s, size_t n)
{
    uint8_t *p = (uint8_t *)s;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq(p + i, n - i);
        if (k == 0) {
            p[i] = '?';
            k = 1;
        }
        i += k;
    }
}

static int shell_dec_arg(struct smp_cbor_dec *d, struct shell_args *a)
{
    struct smp_cbor_item it;
    int rc = smp_cbor_peek(d, &it);
    if (rc) {
        return rc;
    }
    if (it.type != SMP_CBOR_TSTR) {
        return DFU_EINVAL;
    }
    if (a->argc == SHELL_PORT_ARGV_MAX) {
        a->too_long = true;
        return DFU_EINVAL;  /* stops decoding; the handler reports COMMAND_TOO_LONG */
    }
    char *dst = a->line + a->used;
    int n = smp_cbor_copy_tstr(d, dst, sizeof(a->line) - a->used);
    if (n == DFU_ENOSPC || (n >= 0 && (size_t)n + 1u > sizeof(a->line) - a->used)) {
        a->too_long = true;
        return DFU_EINVAL;
    }
    if (n < 0) {
        return n;
    }
    if (memchr(dst, '\0', (size_t)n) != NULL || !utf8_valid(dst, (size_t)n)) {
        return DFU_EINVAL;  /* an argument is UTF-8 text without NUL */
    }
    dst[n] = '\0';
    a->argv[a->argc++] = dst;
    a->used += (size_t)n + 1u;
    return 0;
}

static int shell_dec_argv(struct smp_cbor_dec *d, void *out)
{
    struct shell_args *a = out;
    struct smp_cbor_container c;
    int rc = smp_cbor_enter_array(d, &c);
    if (rc) {
        return rc;
    }
    while ((rc = smp_cbor_more(d, &c)) == 1) {
        rc = shell_dec_arg(d, a);
        if (rc) {
            return rc;
        }
    }
    return rc;
}

static int shell_exec(struct mgmt_ctx *ctx, const char *ret_key)
{
    const struct shell_port *sh = ctx->srv->port != NULL ? ctx->srv->port->shell : NULL;
    if (sh == NULL || sh->exec == NULL) {
        mgmt_set_rsn(ctx, "no shell");
        return SMP_ERR_ENOTSUP;
    }
    struct shell_args args;
    args.used = 0;
    args.argc = 0;
    args.too_long = false;
    struct smp_cbor_map_entry keys[] = {{"argv", shell_dec_argv, &args, false}};
    int rc = mgmt_decode(ctx, keys, 1);
    if (args.too_long) {
        return mgmt_group_err(ctx, SHELL_ERR_COMMAND_TOO_LONG);
    }
    if (rc) {
        return rc;
    }
    if (!keys[0].found) {
        mgmt_set_rsn(ctx, "argv required");
        return SMP_ERR_EINVAL;
    }
    if (args.argc == 0 || args.argv[0][0] == '\0') {
        return mgmt_group_err(ctx, SHELL_ERR_EMPTY_COMMAND);
    }
    size_t room = ctx->enc->cap > ctx->enc->len ? ctx->enc->cap - ctx->enc->len : 0;
    if (room <= SHELL_RSP_OVERHEAD) {
        return SMP_ERR_EMSGSIZE;
    }
    size_t cap = room - SHELL_RSP_OVERHEAD < SHELL_PORT_OUT_MAX ? room - SHELL_RSP_OVERHEAD
                                                               : SHELL_PORT_OUT_MAX;
    char out[SHELL_PORT_OUT_MAX];
    size_t out_len = 0;
    int ret = 0;
    rc = sh->exec(sh->ctx, args.argc, args.argv, out, cap, &out_len, &ret);
    if (rc) {
        return mgmt_group_err(ctx, SHELL_ERR_UNKNOWN);
    }
    if (out_len > cap) {
        out_len = cap;  /* a port that over-reports is cut to what it was given */
    }
    utf8_sanitize(out, out_len);
    bool ok = smp_cbor_put_kv_tstrn(ctx->enc, "o", out, out_len) &&
              smp_cbor_put_kv_int(ctx->enc, ret_key, ret);
    return ok ? MGMT_OK : SMP_ERR_EMSGSIZE;
}

static int shell_exec_ret(struct mgmt_ctx *ctx)
{
    return shell_exec(ctx, "ret");
}

static int shell_exec_rc(struct mgmt_ctx *ctx)
{
    return shell_exec(ctx, "rc");
}

static const struct mgmt_handler shell_handlers[] = {
    [SHELL_ID_EXEC] = {.read = NULL, .write = shell_exec_ret},
};

static const struct mgmt_handler shell_handlers_legacy[] = {
    [SHELL_ID_EXEC] = {.read = NULL, .write = shell_exec_rc},
};

const struct mgmt_group shell_mgmt_group = {
    .id = SMP_GROUP_SHELL,
    .handlers = shell_handlers,
    .count = 1,
    .name = "shell mgmt",
};

const struct mgmt_group shell_mgmt_group_legacy = {
    .id = SMP_GROUP_SHELL,
    .handlers = shell_handlers_legacy,
    .count = 1,
    .name = "shell mgmt",
};
