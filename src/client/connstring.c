/* Connection strings in the Go mcumgr's syntax: serial "dev=PATH,baud=N,mtu=N" (and our
 * raw=1), exec "raw=1,mtu=N,cmd=COMMAND" (ours)
 * (a bare first token is the device, a bare number after it the baud rate, as in the guide's
 * "/dev/ttyUSB0,115200"), udp "[addr]:port" or "host:port", ble "peer_name=" / "peer_id="
 * (and ctlr_name=hci1, conn_timeout=SECONDS; own_addr_type= is accepted and left to BlueZ). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/client.h"
#include "dfukit/err.h"

static int fail(char *msg, size_t msg_len, const char *fmt, ...)
{
    if (msg && msg_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, msg_len, fmt, ap);
        va_end(ap);
    }
    return DFU_EINVAL;
}

int client_conn_type_parse(const char *name, enum client_conn_type *out)
{
    static const struct {
        const char *name;
        enum client_conn_type type;
    } types[] = {
        {"serial", CLIENT_CONN_SERIAL}, {"oic_serial", CLIENT_CONN_SERIAL},
        {"udp", CLIENT_CONN_UDP},       {"oic_udp", CLIENT_CONN_UDP},
        {"ble", CLIENT_CONN_BLE},       {"bll", CLIENT_CONN_BLE},
        {"blue", CLIENT_CONN_BLE},      /* the guide's --conntype blue */
        {"oic_ble", CLIENT_CONN_BLE},   {"bhd", CLIENT_CONN_BLE},
        {"oic_bhd", CLIENT_CONN_BLE},   {"exec", CLIENT_CONN_EXEC},
    };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcmp(name, types[i].name) == 0) {
            *out = types[i].type;
            return 0;
        }
    }
    return DFU_EINVAL;
}

const char *client_conn_type_name(enum client_conn_type type)
{
    switch (type) {
    case CLIENT_CONN_SERIAL: return "serial";
    case CLIENT_CONN_UDP: return "udp";
    case CLIENT_CONN_BLE: return "ble";
    case CLIENT_CONN_EXEC: return "exec";
    default: return "none";
    }
}

/* A decimal number in [min, max]. */
static bool parse_u32(const char *s, size_t n, uint32_t min, uint32_t max, uint32_t *out)
{
    if (n == 0 || n > 10) {
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v < min || v > max) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

static bool copy_field(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap) {
        return false;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
    return true;
}

static bool parse_raw(const char *v, size_t vn, bool *out)
{
    uint32_t r;
    if (!parse_u32(v, vn, 0, 1, &r)) {
        return false;
    }
    *out = r == 1;
    return true;
}

/* "raw=1,mtu=N,cmd=COMMAND": options first, then cmd= to the end of the string. */
static int parse_exec(struct client_conn *c, const char *cs, char *msg, size_t msg_len)
{
    const char *p = cs;
    while (*p && strncmp(p, "cmd=", 4) != 0) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        size_t kn = eq ? (size_t)(eq - p) : n;
        const char *v = eq ? eq + 1 : p + n;
        size_t vn = eq ? n - kn - 1 : 0;
        if (n == 0) {
            /* tolerate empty fields */
        } else if (kn == 3 && memcmp(p, "raw", 3) == 0) {
            if (!parse_raw(v, vn, &c->raw)) {
                return fail(msg, msg_len, "invalid raw '%.*s' (0 or 1)", (int)vn, v);
            }
        } else if (kn == 3 && memcmp(p, "mtu", 3) == 0) {
            if (!parse_u32(v, vn, 8, 1u << 20, &c->mtu)) {
                return fail(msg, msg_len, "invalid mtu '%.*s' (8..1048576)", (int)vn, v);
            }
        } else {
            return fail(msg, msg_len,
                        "unknown exec connstring key '%.*s' (raw=, mtu=, then cmd= last)",
                        (int)kn, p);
        }
        p += n;
        if (*p == ',') {
            p++;
        }
    }
    if (strncmp(p, "cmd=", 4) != 0 || p[4] == '\0') {
        return fail(msg, msg_len, "exec connstring needs a command (cmd=COMMAND, last)");
    }
    if (!copy_field(c->cmd, sizeof(c->cmd), p + 4, strlen(p + 4))) {
        return fail(msg, msg_len, "exec command too long (at most %zu bytes)",
                    sizeof(c->cmd) - 1);
    }
    return 0;
}

static int parse_serial(struct client_conn *c, const char *cs, char *msg, size_t msg_len)
{
    unsigned bare = 0;
    const char *p = cs;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        if (n == 0) {
            /* tolerate empty fields ("a,,b" or a trailing comma) */
        } else if (!eq) {
            if (bare == 0) {
                if (!copy_field(c->dev, sizeof(c->dev), p, n)) {
                    return fail(msg, msg_len, "serial device path too long");
                }
            } else if (bare == 1) {
                if (!parse_u32(p, n, 1, 100000000, &c->baud)) {
                    return fail(msg, msg_len, "invalid baud rate '%.*s'", (int)n, p);
                }
            } else {
                return fail(msg, msg_len, "unexpected '%.*s' in serial connstring", (int)n, p);
            }
            bare++;
        } else {
            size_t kn = (size_t)(eq - p);
            const char *v = eq + 1;
            size_t vn = n - kn - 1;
            if (kn == 3 && memcmp(p, "dev", 3) == 0) {
                if (vn == 0 || !copy_field(c->dev, sizeof(c->dev), v, vn)) {
                    return fail(msg, msg_len, "invalid serial device");
                }
                if (bare == 0) {
                    bare = 1;
                }
            } else if (kn == 4 && memcmp(p, "baud", 4) == 0) {
                if (!parse_u32(v, vn, 1, 100000000, &c->baud)) {
                    return fail(msg, msg_len, "invalid baud rate '%.*s'", (int)vn, v);
                }
            } else if (kn == 3 && memcmp(p, "mtu", 3) == 0) {
                /* a line must hold marker, newline and one 4-character base64 group */
                if (!parse_u32(v, vn, 8, 1u << 20, &c->mtu)) {
                    return fail(msg, msg_len, "invalid mtu '%.*s' (8..1048576)", (int)vn, v);
                }
            } else if (kn == 3 && memcmp(p, "raw", 3) == 0) {
                if (!parse_raw(v, vn, &c->raw)) {
                    return fail(msg, msg_len, "invalid raw '%.*s' (0 or 1)", (int)vn, v);
                }
            } else {
                return fail(msg, msg_len, "unknown serial connstring key '%.*s'", (int)kn, p);
            }
        }
        p += n;
        if (*p == ',') {
            p++;
        }
    }
    if (c->dev[0] == '\0') {
        return fail(msg, msg_len, "serial connstring needs a device (dev=PATH)");
    }
    return 0;
}

static int parse_udp(struct client_conn *c, const char *cs, char *msg, size_t msg_len)
{
    const char *host = cs, *port = NULL;
    size_t hn;
    if (cs[0] == '[') {
        const char *close = strchr(cs, ']');
        if (!close) {
            return fail(msg, msg_len, "missing ']' in udp address '%s'", cs);
        }
        host = cs + 1;
        hn = (size_t)(close - host);
        if (close[1] == ':') {
            port = close + 2;
        } else if (close[1] != '\0') {
            return fail(msg, msg_len, "expected ':port' after ']' in '%s'", cs);
        }
    } else {
        const char *colon = strrchr(cs, ':');
        if (colon && strchr(cs, ':') == colon) {
            hn = (size_t)(colon - cs);
            port = colon + 1;
        } else {
            hn = strlen(cs); /* no port, or a bare IPv6 address */
        }
    }
    if (hn == 0) {
        return fail(msg, msg_len, "udp connstring needs an address ([addr]:port)");
    }
    if (!copy_field(c->host, sizeof(c->host), host, hn)) {
        return fail(msg, msg_len, "udp address too long");
    }
    c->port = CLIENT_UDP_PORT_DEFAULT;
    if (port) {
        uint32_t v;
        if (!parse_u32(port, strlen(port), 1, 65535, &v)) {
            return fail(msg, msg_len, "invalid udp port '%s'", port);
        }
        c->port = (uint16_t)v;
    }
    return 0;
}

/* Seconds with up to three decimals ("10", "2.5"), as milliseconds in [100, 3600000]. */
static bool parse_seconds(const char *s, size_t n, uint32_t *out_ms)
{
    const char *dot = memchr(s, '.', n);
    size_t in = dot ? (size_t)(dot - s) : n, fn = dot ? n - in - 1 : 0;
    uint32_t whole = 0, frac = 0;
    if ((in == 0 && fn == 0) || fn > 3 || (in && !parse_u32(s, in, 0, 3600, &whole)) ||
        (fn && !parse_u32(dot + 1, fn, 0, 999, &frac))) {
        return false;
    }
    for (size_t i = fn; i < 3; i++) {
        frac *= 10;
    }
    uint32_t ms = whole * 1000u + frac;
    if (ms < 100 || ms > 3600000u) {
        return false;
    }
    *out_ms = ms;
    return true;
}

static int parse_ble(struct client_conn *c, const char *cs, char *msg, size_t msg_len)
{
    const char *p = cs;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        if (n > 0) {
            if (!eq) {
                return fail(msg, msg_len, "expected key=value in ble connstring, got '%.*s'",
                            (int)n, p);
            }
            size_t kn = (size_t)(eq - p);
            const char *v = eq + 1;
            size_t vn = n - kn - 1;
            bool ok = true;
            if (kn == 9 && memcmp(p, "peer_name", 9) == 0) {
                ok = copy_field(c->peer_name, sizeof(c->peer_name), v, vn);
            } else if (kn == 7 && memcmp(p, "peer_id", 7) == 0) {
                ok = copy_field(c->peer_id, sizeof(c->peer_id), v, vn);
            } else if (kn == 9 && memcmp(p, "ctlr_name", 9) == 0) {
                ok = copy_field(c->ctlr_name, sizeof(c->ctlr_name), v, vn);
            } else if (kn == 12 && memcmp(p, "conn_timeout", 12) == 0) {
                if (!parse_seconds(v, vn, &c->conn_timeout_ms)) {
                    return fail(msg, msg_len, "invalid conn_timeout '%.*s' (seconds, 0.1..3600)",
                                (int)vn, v);
                }
            } else if (!(kn == 13 && memcmp(p, "own_addr_type", 13) == 0)) {
                /* own_addr_type: BlueZ picks the adapter's own address type itself */
                return fail(msg, msg_len,
                            "unknown ble connstring key '%.*s' (peer_name=, peer_id=, "
                            "ctlr_name=, conn_timeout=)", (int)kn, p);
            }
            if (!ok) {
                return fail(msg, msg_len, "ble value too long");
            }
        }
        p += n;
        if (*p == ',') {
            p++;
        }
    }
    if (!c->peer_name[0] && !c->peer_id[0]) {
        return fail(msg, msg_len, "ble connstring needs peer_name= or peer_id=");
    }
    return 0;
}

int client_conn_parse(struct client_conn *out, enum client_conn_type type, const char *connstring,
                      char *msg, size_t msg_len)
{
    memset(out, 0, sizeof(*out));
    out->type = type;
    out->baud = CLIENT_SERIAL_BAUD_DEFAULT;
    out->mtu = CLIENT_SERIAL_MTU_DEFAULT;
    if (!connstring || !connstring[0]) {
        return fail(msg, msg_len, "empty connstring");
    }
    switch (type) {
    case CLIENT_CONN_SERIAL: return parse_serial(out, connstring, msg, msg_len);
    case CLIENT_CONN_UDP: return parse_udp(out, connstring, msg, msg_len);
    case CLIENT_CONN_BLE: return parse_ble(out, connstring, msg, msg_len);
    case CLIENT_CONN_EXEC: return parse_exec(out, connstring, msg, msg_len);
    default: return fail(msg, msg_len, "no connection type (use --conntype or a profile)");
    }
}
