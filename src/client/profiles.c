/* Connection profiles in the Go mcumgr's file ($HOME/.mcumgr.cp.json): a JSON array of
 * {"MyName","MyType","MyConnString"} objects, sorted by name, written by json.MarshalIndent
 * with a 4-space indent and no final newline, so both tools read each other's file. */
#include <stdlib.h>
#include <string.h>

#include "dfukit/client.h"
#include "dfukit/hostfile.h"
#include "dfukit/err.h"

void client_profiles_init(struct client_profiles *p)
{
    p->items = NULL;
    p->count = 0;
}

void client_profiles_free(struct client_profiles *p)
{
    free(p->items);
    client_profiles_init(p);
}

/* ---- a small reader for exactly this JSON shape (any whitespace, any key order) ---- */

struct jr {
    const char *s;
    size_t n, i;
};

static void jr_ws(struct jr *r)
{
    while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' ||
                           r->s[r->i] == '\r')) {
        r->i++;
    }
}

static bool jr_eat(struct jr *r, char c)
{
    jr_ws(r);
    if (r->i < r->n && r->s[r->i] == c) {
        r->i++;
        return true;
    }
    return false;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool put_utf8(char *out, size_t cap, size_t *o, uint32_t cp)
{
    uint8_t b[4];
    size_t k;
    if (cp < 0x80) { b[0] = (uint8_t)cp; k = 1; }
    else if (cp < 0x800) { b[0] = (uint8_t)(0xC0 | (cp >> 6)); b[1] = (uint8_t)(0x80 | (cp & 0x3F)); k = 2; }
    else if (cp < 0x10000) {
        b[0] = (uint8_t)(0xE0 | (cp >> 12)); b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (uint8_t)(0x80 | (cp & 0x3F)); k = 3;
    } else {
        b[0] = (uint8_t)(0xF0 | (cp >> 18)); b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F)); b[3] = (uint8_t)(0x80 | (cp & 0x3F)); k = 4;
    }
    if (*o + k >= cap) {
        return false;
    }
    memcpy(out + *o, b, k);
    *o += k;
    return true;
}

static bool jr_u4(struct jr *r, uint32_t *cp)
{
    if (r->i + 4 > r->n) {
        return false;
    }
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(r->s[r->i + (size_t)k]);
        if (h < 0) {
            return false;
        }
        v = (v << 4) | (uint32_t)h;
    }
    r->i += 4;
    *cp = v;
    return true;
}

/* A string into out (NUL-terminated); false if malformed or longer than cap-1. */
static bool jr_string(struct jr *r, char *out, size_t cap)
{
    if (!jr_eat(r, '"')) {
        return false;
    }
    size_t o = 0;
    while (r->i < r->n) {
        char c = r->s[r->i++];
        if (c == '"') {
            out[o] = '\0';
            return true;
        }
        if ((unsigned char)c < 0x20) {
            return false;
        }
        if (c != '\\') {
            if (o + 1 >= cap) {
                return false;
            }
            out[o++] = c;
            continue;
        }
        if (r->i >= r->n) {
            return false;
        }
        char e = r->s[r->i++];
        uint32_t cp;
        switch (e) {
        case '"': cp = '"'; break;
        case '\\': cp = '\\'; break;
        case '/': cp = '/'; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
            if (!jr_u4(r, &cp)) {
                return false;
            }
            if (cp >= 0xD800 && cp < 0xDC00) { /* surrogate pair */
                uint32_t lo;
                if (r->i + 2 > r->n || r->s[r->i] != '\\' || r->s[r->i + 1] != 'u') {
                    return false;
                }
                r->i += 2;
                if (!jr_u4(r, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
                    return false;
                }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return false;
            }
            break;
        default: return false;
        }
        if (cp == 0 || !put_utf8(out, cap, &o, cp)) {
            return false;
        }
    }
    return false;
}

static int parse_object(struct jr *r, struct client_profile *p)
{
    memset(p, 0, sizeof(*p));
    if (!jr_eat(r, '{')) {
        return DFU_EBADMSG;
    }
    if (jr_eat(r, '}')) {
        return 0;
    }
    do {
        char key[32];
        if (!jr_string(r, key, sizeof(key)) || !jr_eat(r, ':')) {
            return DFU_EBADMSG;
        }
        char *dst;
        size_t cap;
        if (strcmp(key, "MyName") == 0) { dst = p->name; cap = sizeof(p->name); }
        else if (strcmp(key, "MyType") == 0) { dst = p->type; cap = sizeof(p->type); }
        else if (strcmp(key, "MyConnString") == 0) { dst = p->connstring; cap = sizeof(p->connstring); }
        else { return DFU_EBADMSG; }
        if (!jr_string(r, dst, cap)) {
            return DFU_EBADMSG;
        }
    } while (jr_eat(r, ','));
    return jr_eat(r, '}') ? 0 : DFU_EBADMSG;
}

int client_profiles_parse(struct client_profiles *out, const char *json, size_t len)
{
    struct jr r = {json, len, 0};
    client_profiles_init(out);
    jr_ws(&r);
    if (r.i + 4 <= r.n && memcmp(r.s + r.i, "null", 4) == 0) { /* Go's nil slice */
        r.i += 4;
        jr_ws(&r);
        return r.i == r.n ? 0 : DFU_EBADMSG;
    }
    if (!jr_eat(&r, '[')) {
        return DFU_EBADMSG;
    }
    int err = 0;
    if (!jr_eat(&r, ']')) {
        do {
            struct client_profile p;
            err = parse_object(&r, &p);
            if (!err && !p.name[0]) {
                err = DFU_EBADMSG;
            }
            if (!err) {
                err = client_profiles_put(out, &p);
            }
            if (err) {
                client_profiles_free(out);
                return err;
            }
        } while (jr_eat(&r, ','));
        if (!jr_eat(&r, ']')) {
            client_profiles_free(out);
            return DFU_EBADMSG;
        }
    }
    jr_ws(&r);
    if (r.i != r.n) {
        client_profiles_free(out);
        return DFU_EBADMSG;
    }
    return 0;
}

/* ---- writer: Go's encoding/json string escaping (HTML-safe) ---- */

struct sb {
    char *p;
    size_t n, cap;
    bool oom;
};

static void sb_put(struct sb *b, const char *s, size_t n)
{
    if (b->oom) {
        return;
    }
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 256);
        while (cap < b->n + n + 1) {
            cap *= 2;
        }
        char *q = realloc(b->p, cap);
        if (!q) {
            b->oom = true;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_str(struct sb *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_json_string(struct sb *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    sb_put(b, "\"", 1);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        char esc[7];
        switch (*c) {
        case '"': sb_put(b, "\\\"", 2); continue;
        case '\\': sb_put(b, "\\\\", 2); continue;
        case '\n': sb_put(b, "\\n", 2); continue;
        case '\r': sb_put(b, "\\r", 2); continue;
        case '\t': sb_put(b, "\\t", 2); continue;
        default: break;
        }
        if (*c < 0x20 || *c == '<' || *c == '>' || *c == '&') {
            esc[0] = '\\'; esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
            esc[4] = hex[*c >> 4]; esc[5] = hex[*c & 15]; esc[6] = '\0';
            sb_put(b, esc, 6);
        } else if (c[0] == 0xE2 && c[1] == 0x80 && (c[2] == 0xA8 || c[2] == 0xA9)) {
            sb_str(b, c[2] == 0xA8 ? "\\u2028" : "\\u2029");
            c += 2;
        } else {
            sb_put(b, (const char *)c, 1);
        }
    }
    sb_put(b, "\"", 1);
}

char *client_profiles_format(const struct client_profiles *p)
{
    struct sb b = {0};
    if (p->count == 0) {
        sb_str(&b, "[]");
    } else {
        sb_str(&b, "[\n");
        for (size_t i = 0; i < p->count; i++) {
            const struct client_profile *cp = &p->items[i];
            sb_str(&b, "    {\n        \"MyName\": ");
            sb_json_string(&b, cp->name);
            sb_str(&b, ",\n        \"MyType\": ");
            sb_json_string(&b, cp->type);
            sb_str(&b, ",\n        \"MyConnString\": ");
            sb_json_string(&b, cp->connstring);
            sb_str(&b, i + 1 < p->count ? "\n    },\n" : "\n    }\n");
        }
        sb_str(&b, "]");
    }
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

int client_profiles_load(struct client_profiles *out, const char *path)
{
    client_profiles_init(out);
    uint8_t *buf;
    size_t n;
    int err = hostfile_read(path, 16u << 20, &buf, &n);
    if (err == DFU_ENOENT) {
        return 0;  /* no file yet: no profiles */
    }
    if (err) {
        return err;
    }
    err = client_profiles_parse(out, (const char *)buf, n);
    free(buf);
    return err;
}

int client_profiles_save(const struct client_profiles *p, const char *path)
{
    char *text = client_profiles_format(p);
    if (!text) {
        return DFU_ENOMEM;
    }
    int err = hostfile_write_atomic(path, text, strlen(text));
    free(text);
    return err;
}

int client_profiles_put(struct client_profiles *p, const struct client_profile *prof)
{
    size_t i = 0;
    while (i < p->count && strcmp(p->items[i].name, prof->name) < 0) {
        i++;
    }
    if (i < p->count && strcmp(p->items[i].name, prof->name) == 0) {
        p->items[i] = *prof;
        return 0;
    }
    struct client_profile *q = realloc(p->items, (p->count + 1) * sizeof(*q));
    if (!q) {
        return DFU_ENOMEM;
    }
    p->items = q;
    memmove(&q[i + 1], &q[i], (p->count - i) * sizeof(*q));
    q[i] = *prof;
    p->count++;
    return 0;
}

int client_profiles_remove(struct client_profiles *p, const char *name)
{
    for (size_t i = 0; i < p->count; i++) {
        if (strcmp(p->items[i].name, name) == 0) {
            memmove(&p->items[i], &p->items[i + 1], (p->count - i - 1) * sizeof(p->items[0]));
            p->count--;
            return 0;
        }
    }
    return DFU_ENOENT;
}

const struct client_profile *client_profiles_find(const struct client_profiles *p,
                                                  const char *name)
{
    for (size_t i = 0; i < p->count; i++) {
        if (strcmp(p->items[i].name, name) == 0) {
            return &p->items[i];
        }
    }
    return NULL;
}

int client_profiles_path(char *out, size_t cap)
{
    const char *home = getenv("HOME");
    if (!home || !home[0]) {
        return DFU_ENOENT;
    }
    int n = snprintf(out, cap, "%s/.mcumgr.cp.json", home);
    return (n < 0 || (size_t)n >= cap) ? DFU_ENOMEM : 0;
}
