/* OS group (0): echo, taskstat, mpstat, datetime, reset, MCUmgr parameters, OS/application
 * info and bootloader info (as Zephyr's os_mgmt.c behaves). Heap-free, no stdio:
 * numbers are formatted by hand. */
#include <string.h>

#include "dfukit/err.h"
#include "dfukit/server.h"

/* Longest os/app info output (Zephyr's CONFIG_MCUMGR_GRP_OS_INFO_MAX_RESPONSE_SIZE). */
#ifndef SERVER_OS_INFO_MAX
#define SERVER_OS_INFO_MAX 256
#endif

enum os_mgmt_id {
    OS_ID_ECHO = 0,
    OS_ID_CONS_ECHO_CTRL = 1,
    OS_ID_TASKSTAT = 2,
    OS_ID_MPSTAT = 3,
    OS_ID_DATETIME = 4,
    OS_ID_RESET = 5,
    OS_ID_MCUMGR_PARAMS = 6,
    OS_ID_INFO = 7,
    OS_ID_BOOTLOADER_INFO = 8,
};

static const struct server_port *port_of(const struct mgmt_ctx *ctx)
{
    return ctx->srv->port;
}

static int enc_rc(const struct mgmt_ctx *ctx)
{
    return ctx->enc->err == 0 ? MGMT_OK : SMP_ERR_EMSGSIZE;
}

/* 0/0/0 and 2/0/0 {"d": tstr} -> {"r": tstr} */
static int os_echo(struct mgmt_ctx *ctx)
{
    struct smp_cbor_str d = {NULL, 0};
    struct smp_cbor_map_entry keys[] = {{"d", smp_cbor_dec_tstr, &d, false}};
    int rc = mgmt_decode(ctx, keys, 1);
    if (rc != MGMT_OK) {
        return rc;
    }
    smp_cbor_put_kv_tstrn(ctx->enc, "r", (const char *)d.ptr, d.len);
    return enc_rc(ctx);
}

/* 0/0/2 {} -> {"tasks": {name: {prio, tid, state, stksiz, stkuse, runtime, cswcnt,
 * last_checkin, next_checkin}}} */
static int os_taskstat(struct mgmt_ctx *ctx)
{
    const struct server_port *p = port_of(ctx);
    if (p == NULL || p->task_get == NULL) {
        return SMP_ERR_ENOTSUP;
    }
    struct smp_cbor_enc *e = ctx->enc;
    bool ok = smp_cbor_put_tstr(e, "tasks") && smp_cbor_put_map_open(e);
    for (uint32_t i = 0; ok; i++) {
        struct server_task_info t;
        memset(&t, 0, sizeof(t));
        int r = p->task_get(p->ctx, i, &t);
        if (r == 1) {
            break;
        }
        if (r < 0) {
            return mgmt_err_from_dfu(r);
        }
        ok = smp_cbor_put_tstr(e, t.name != NULL ? t.name : "") && smp_cbor_put_map(e, 9) &&
             smp_cbor_put_kv_uint(e, "prio", t.prio) && smp_cbor_put_kv_uint(e, "tid", t.tid) &&
             smp_cbor_put_kv_uint(e, "state", t.state) &&
             smp_cbor_put_kv_uint(e, "stksiz", t.stksiz) &&
             smp_cbor_put_kv_uint(e, "stkuse", t.stkuse) &&
             smp_cbor_put_kv_uint(e, "runtime", t.runtime) &&
             smp_cbor_put_kv_uint(e, "cswcnt", t.cswcnt) &&
             smp_cbor_put_kv_uint(e, "last_checkin", t.last_checkin) &&
             smp_cbor_put_kv_uint(e, "next_checkin", t.next_checkin);
    }
    if (ok) {
        smp_cbor_put_end(e);
    }
    return enc_rc(ctx);
}

/* 0/0/3 {} -> {"mpools": {name: {blksiz, nblks, nfree, min}}}: the key the Go client
 * (newtmgr MempoolStatsReadRsp) and Mynewt use. */
static int os_mpstat(struct mgmt_ctx *ctx)
{
    const struct server_port *p = port_of(ctx);
    if (p == NULL || p->mempool_get == NULL) {
        return SMP_ERR_ENOTSUP;
    }
    struct smp_cbor_enc *e = ctx->enc;
    bool ok = smp_cbor_put_tstr(e, "mpools") && smp_cbor_put_map_open(e);
    for (uint32_t i = 0; ok; i++) {
        struct server_mempool_info m;
        memset(&m, 0, sizeof(m));
        int r = p->mempool_get(p->ctx, i, &m);
        if (r == 1) {
            break;
        }
        if (r < 0) {
            return mgmt_err_from_dfu(r);
        }
        ok = smp_cbor_put_tstr(e, m.name != NULL ? m.name : "") && smp_cbor_put_map(e, 4) &&
             smp_cbor_put_kv_uint(e, "blksiz", m.blksiz) &&
             smp_cbor_put_kv_uint(e, "nblks", m.nblks) &&
             smp_cbor_put_kv_uint(e, "nfree", m.nfree) && smp_cbor_put_kv_uint(e, "min", m.min);
    }
    if (ok) {
        smp_cbor_put_end(e);
    }
    return enc_rc(ctx);
}

/* Writes v as `width` decimal digits (zero-padded) at out. */
static void put_digits(char *out, uint32_t v, unsigned width)
{
    for (unsigned i = width; i > 0; i--) {
        out[i - 1] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* 0/0/4 {} -> {"datetime": "yyyy-mm-ddThh:mm:ss"} */
static int os_datetime_get(struct mgmt_ctx *ctx)
{
    const struct server_port *p = port_of(ctx);
    if (p == NULL || p->datetime_get == NULL) {
        return SMP_ERR_ENOTSUP;
    }
    struct server_datetime dt;
    memset(&dt, 0, sizeof(dt));
    int r = p->datetime_get(p->ctx, &dt);
    if (r == DFU_ENOENT) {
        return mgmt_group_err(ctx, OS_ERR_RTC_NOT_SET);
    }
    if (r != 0) {
        return mgmt_group_err(ctx, OS_ERR_RTC_COMMAND_FAILED);
    }
    char s[19];
    put_digits(s, dt.year, 4);
    s[4] = '-';
    put_digits(s + 5, dt.month, 2);
    s[7] = '-';
    put_digits(s + 8, dt.day, 2);
    s[10] = 'T';
    put_digits(s + 11, dt.hour, 2);
    s[13] = ':';
    put_digits(s + 14, dt.minute, 2);
    s[16] = ':';
    put_digits(s + 17, dt.second, 2);
    smp_cbor_put_kv_tstrn(ctx->enc, "datetime", s, sizeof(s));
    return enc_rc(ctx);
}

/* Reads 1..max digits at s[*i]; false when there are none. */
static bool read_number(const uint8_t *s, size_t len, size_t *i, unsigned max, uint32_t *out)
{
    uint32_t v = 0;
    unsigned n = 0;
    while (*i < len && n < max && s[*i] >= '0' && s[*i] <= '9') {
        v = v * 10 + (uint32_t)(s[*i] - '0');
        (*i)++;
        n++;
    }
    *out = v;
    return n > 0;
}

/* "yyyy-mm-ddThh:mm:ss" with any single separator between fields (as Zephyr's parser),
 * then an optional fraction ".digits" and an optional zone, which is ignored: the RTC holds
 * local time. Returns false for anything else or a field out of range. */
static bool parse_datetime(const struct smp_cbor_str *str, struct server_datetime *dt)
{
    static const struct { uint32_t min, max; unsigned digits; } field[6] = {
        {1900, 9999, 4}, {1, 12, 2}, {1, 31, 2}, {0, 23, 2}, {0, 59, 2}, {0, 59, 2},
    };
    uint32_t v[6];
    size_t i = 0;
    const uint8_t *s = str->ptr;
    if (str->len < 19 || str->len > 40) {
        return false;
    }
    for (unsigned f = 0; f < 6; f++) {
        if (f > 0) {
            if (i >= str->len || (s[i] >= '0' && s[i] <= '9')) {
                return false;
            }
            i++;  /* the separator */
        }
        if (!read_number(s, str->len, &i, field[f].digits, &v[f]) || v[f] < field[f].min ||
            v[f] > field[f].max) {
            return false;
        }
    }
    uint32_t usec = 0;
    if (i < str->len && s[i] == '.') {
        i++;
        unsigned n = 0;
        while (i < str->len && s[i] >= '0' && s[i] <= '9') {
            if (n < 6) {
                usec = usec * 10 + (uint32_t)(s[i] - '0');
            }
            n++;
            i++;
        }
        if (n == 0) {
            return false;
        }
        for (; n < 6; n++) {
            usec *= 10;
        }
    }
    /* What may follow: nothing, "Z", or "+hh:mm" / "-hh:mm". */
    if (i < str->len) {
        bool zone_ok = (str->len - i == 1 && (s[i] == 'Z' || s[i] == 'z')) ||
                       (str->len - i == 6 && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':');
        if (!zone_ok) {
            return false;
        }
    }
    dt->year = (uint16_t)v[0];
    dt->month = (uint8_t)v[1];
    dt->day = (uint8_t)v[2];
    dt->hour = (uint8_t)v[3];
    dt->minute = (uint8_t)v[4];
    dt->second = (uint8_t)v[5];
    dt->usec = usec;
    return true;
}

/* 2/0/4 {"datetime": tstr} -> {} */
static int os_datetime_set(struct mgmt_ctx *ctx)
{
    const struct server_port *p = port_of(ctx);
    if (p == NULL || p->datetime_set == NULL) {
        return SMP_ERR_ENOTSUP;
    }
    struct smp_cbor_str str = {NULL, 0};
    struct smp_cbor_map_entry keys[] = {{"datetime", smp_cbor_dec_tstr, &str, false}};
    int rc = mgmt_decode(ctx, keys, 1);
    if (rc != MGMT_OK) {
        return rc;
    }
    struct server_datetime dt;
    if (!keys[0].found || !parse_datetime(&str, &dt)) {
        mgmt_set_rsn(ctx, "bad datetime");
        return SMP_ERR_EINVAL;
    }
    if (p->datetime_set(p->ctx, &dt) != 0) {
        return mgmt_group_err(ctx, OS_ERR_RTC_COMMAND_FAILED);
    }
    return MGMT_OK;
}

/* "force" is a bool in Zephyr's code and an int (> 0 forces) in its documentation. */
static int dec_force(struct smp_cbor_dec *d, void *out)
{
    struct smp_cbor_item it;
    int err = smp_cbor_peek(d, &it);
    if (err != 0) {
        return err;
    }
    if (it.type == SMP_CBOR_BOOL) {
        *(bool *)out = it.b;
    } else if (it.type == SMP_CBOR_UINT) {
        *(bool *)out = it.u > 0;
    } else if (it.type == SMP_CBOR_NEGINT) {
        *(bool *)out = false;
    } else {
        return DFU_EINVAL;
    }
    return smp_cbor_next(d, &it);
}

/* 2/0/5 {("force")} -> {}; the port resets once the response is out. */
static int os_reset(struct mgmt_ctx *ctx)
{
    bool force = false;
    struct smp_cbor_map_entry keys[] = {{"force", dec_force, &force, false}};
    /* As Zephyr: a request that does not decode still resets, without force. */
    if (mgmt_decode(ctx, keys, 1) != MGMT_OK) {
        force = false;
    }
    const struct server_port *p = port_of(ctx);
    if (p != NULL && p->reset_request != NULL) {
        int r = p->reset_request(p->ctx, force);
        if (r != 0) {
            mgmt_set_rsn(ctx, "reset refused");
            return mgmt_err_from_dfu(r);
        }
    }
    ctx->srv->reset_requested = true;
    return MGMT_OK;
}

/* 0/0/6 {} -> {"buf_size", "buf_count"} */
static int os_params(struct mgmt_ctx *ctx)
{
    (void)(smp_cbor_put_kv_uint(ctx->enc, "buf_size", ctx->srv->cfg.buf_size) &&
           smp_cbor_put_kv_uint(ctx->enc, "buf_count", ctx->srv->cfg.buf_count));
    return enc_rc(ctx);
}

/* The info letters in output order (which is bit order, not request order). */
static const char info_letters[] = "snrvbmpio";

static const char *info_field(const struct server_os_info *os, unsigned idx)
{
    const char *v[] = {os->kernel_name, os->node_name, os->kernel_release, os->kernel_version,
                       os->build_time, os->machine, os->processor, os->hardware_platform,
                       os->os_name};
    return v[idx] != NULL ? v[idx] : "unknown";
}

/* 0/0/7 {("format": tstr)} -> {"output": tstr} */
static int os_info(struct mgmt_ctx *ctx)
{
    struct smp_cbor_str fmt = {NULL, 0};
    struct smp_cbor_map_entry keys[] = {{"format", smp_cbor_dec_tstr, &fmt, false}};
    int rc = mgmt_decode(ctx, keys, 1);
    if (rc != MGMT_OK) {
        return rc;
    }
    unsigned mask = 0;
    for (size_t i = 0; i < fmt.len; i++) {
        const char *at = memchr(info_letters, fmt.ptr[i], sizeof(info_letters) - 1);
        if (fmt.ptr[i] == 'a') {
            mask = (1u << (sizeof(info_letters) - 1)) - 1;
        } else if (at != NULL) {
            mask |= 1u << (unsigned)(at - info_letters);
        } else {
            mgmt_set_rsn(ctx, "unknown format letter");
            return mgmt_group_err(ctx, OS_ERR_INVALID_FORMAT);
        }
    }
    if (mask == 0) {
        mask = 1;  /* default: kernel name */
    }
    static const struct server_os_info none;
    const struct server_os_info *os = port_of(ctx) != NULL ? &port_of(ctx)->os : &none;
    char out[SERVER_OS_INFO_MAX];
    size_t len = 0;
    for (unsigned b = 0; b < sizeof(info_letters) - 1; b++) {
        if ((mask & (1u << b)) == 0) {
            continue;
        }
        const char *s = info_field(os, b);
        size_t n = strlen(s);
        if (len + (len > 0) + n > sizeof(out)) {
            return SMP_ERR_EMSGSIZE;
        }
        if (len > 0) {
            out[len++] = ' ';
        }
        memcpy(out + len, s, n);
        len += n;
    }
    smp_cbor_put_kv_tstrn(ctx->enc, "output", out, len);
    return enc_rc(ctx);
}

/* 0/0/8 {} -> {"bootloader"}; {"query": "mode"} -> {"mode", ("no-downgrade": true)} */
static int os_bootloader_info(struct mgmt_ctx *ctx)
{
    const struct server_port *p = port_of(ctx);
    if (p == NULL || p->boot.name == NULL) {
        return SMP_ERR_ENOTSUP;
    }
    struct smp_cbor_str query = {NULL, 0};
    struct smp_cbor_map_entry keys[] = {{"query", smp_cbor_dec_tstr, &query, false}};
    int rc = mgmt_decode(ctx, keys, 1);
    if (rc != MGMT_OK) {
        return rc;
    }
    if (!keys[0].found) {
        smp_cbor_put_kv_tstr(ctx->enc, "bootloader", p->boot.name);
    } else if (smp_cbor_str_eq(&query, "mode")) {
        (void)(smp_cbor_put_kv_int(ctx->enc, "mode", p->boot.mode) &&
               (!p->boot.no_downgrade || smp_cbor_put_kv_bool(ctx->enc, "no-downgrade", true)));
    } else {
        return mgmt_group_err(ctx, OS_ERR_QUERY_YIELDS_NO_ANSWER);
    }
    return enc_rc(ctx);
}

static const struct mgmt_handler os_handlers[] = {
    [OS_ID_ECHO] = {os_echo, os_echo},
    [OS_ID_TASKSTAT] = {os_taskstat, NULL},
    [OS_ID_MPSTAT] = {os_mpstat, NULL},
    [OS_ID_DATETIME] = {os_datetime_get, os_datetime_set},
    [OS_ID_RESET] = {NULL, os_reset},
    [OS_ID_MCUMGR_PARAMS] = {os_params, NULL},
    [OS_ID_INFO] = {os_info, NULL},
    [OS_ID_BOOTLOADER_INFO] = {os_bootloader_info, NULL},
};

const struct mgmt_group os_mgmt_group = {
    .id = SMP_GROUP_OS,
    .handlers = os_handlers,
    .count = sizeof(os_handlers) / sizeof(os_handlers[0]),
    .name = "os",
};
