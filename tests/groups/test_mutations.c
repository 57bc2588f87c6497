/* Mutated requests for one group (argv[1]: fs, shell, stat, settings, enum; default fs):
 * valid seed requests with bytes flipped, replaced, cut or inserted, and length fields
 * changed, fed to the dispatcher. Every answer must be a well-formed SMP response holding a
 * CBOR map, nothing may crash (ASan/UBSan), nothing may appear outside the sandbox, and the
 * server must still answer a valid request afterwards. Deterministic (fixed seed; argv[2]
 * picks another). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "groups_util.h"

#define ITERATIONS 20000

static struct bench b;
static uint16_t group = SMP_GROUP_FS;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

struct seed {
    uint8_t bytes[256];
    size_t len;
};

static void add_seed(struct seed *s, size_t *n, uint8_t op, uint8_t id, const struct req *r)
{
    struct smp_hdr h = {.version = SMP_V2, .op = op, .len = (uint16_t)req_len(r),
                        .group = group, .seq = (uint8_t)*n, .id = id};
    smp_hdr_encode(s[*n].bytes, &h);
    memcpy(s[*n].bytes + SMP_HDR_SIZE, r->buf, req_len(r));
    s[*n].len = SMP_HDR_SIZE + req_len(r);
    (*n)++;
}

static size_t make_seeds(struct seed *s)
{
    size_t n = 0;
    struct req r;
    switch (group) {
    case SMP_GROUP_FS:
        req_init(&r);
        smp_cbor_put_map(&r.enc, 4);
        smp_cbor_put_kv_tstr(&r.enc, "name", "/lfs1/m.bin");
        smp_cbor_put_kv_uint(&r.enc, "off", 0);
        smp_cbor_put_kv_bstr(&r.enc, "data", "0123456789", 10);
        smp_cbor_put_kv_uint(&r.enc, "len", 20);
        add_seed(s, &n, SMP_OP_WRITE, 0, &r);
        req_init(&r);
        smp_cbor_put_map(&r.enc, 2);
        smp_cbor_put_kv_tstr(&r.enc, "name", "/lfs1/seed");
        smp_cbor_put_kv_uint(&r.enc, "off", 0);
        add_seed(s, &n, SMP_OP_READ, 0, &r);
        req_init(&r);
        smp_cbor_put_map(&r.enc, 4);
        smp_cbor_put_kv_tstr(&r.enc, "name", "/lfs1/seed");
        smp_cbor_put_kv_tstr(&r.enc, "type", "sha256");
        smp_cbor_put_kv_uint(&r.enc, "off", 1);
        smp_cbor_put_kv_uint(&r.enc, "len", 5);
        add_seed(s, &n, SMP_OP_READ, 2, &r);
        req_init(&r);
        smp_cbor_put_map(&r.enc, 1);
        smp_cbor_put_kv_tstr(&r.enc, "name", "../lfs1/seed");
        add_seed(s, &n, SMP_OP_READ, 1, &r);
        break;
    case SMP_GROUP_SHELL:
        req_init(&r);
        smp_cbor_put_map(&r.enc, 1);
        smp_cbor_put_tstr(&r.enc, "argv");
        smp_cbor_put_array(&r.enc, 3);
        smp_cbor_put_tstr(&r.enc, "echo");
        smp_cbor_put_tstr(&r.enc, "abc");
        smp_cbor_put_tstr(&r.enc, "defgh");
        add_seed(s, &n, SMP_OP_WRITE, 0, &r);
        req_init(&r);
        smp_cbor_put_map_indef(&r.enc);
        smp_cbor_put_tstr(&r.enc, "argv");
        smp_cbor_put_array_indef(&r.enc);
        smp_cbor_put_tstr(&r.enc, "settings");
        smp_cbor_put_tstr(&r.enc, "list");
        smp_cbor_put_end(&r.enc);
        smp_cbor_put_end(&r.enc);
        add_seed(s, &n, SMP_OP_WRITE, 0, &r);
        break;
    case SMP_GROUP_STAT:
        req_init(&r);
        smp_cbor_put_map(&r.enc, 1);
        smp_cbor_put_kv_tstr(&r.enc, "name", "smp");
        add_seed(s, &n, SMP_OP_READ, 0, &r);
        req_init(&r);
        smp_cbor_put_map(&r.enc, 0);
        add_seed(s, &n, SMP_OP_READ, 1, &r);
        break;
    case SMP_GROUP_SETTINGS:
        req_init(&r);
        smp_cbor_put_map(&r.enc, 2);
        smp_cbor_put_kv_tstr(&r.enc, "name", "mut/key");
        smp_cbor_put_kv_bstr(&r.enc, "val", "value", 5);
        add_seed(s, &n, SMP_OP_WRITE, 0, &r);
        req_init(&r);
        smp_cbor_put_map(&r.enc, 2);
        smp_cbor_put_kv_tstr(&r.enc, "name", "mut/key");
        smp_cbor_put_kv_uint(&r.enc, "max_size", 3);
        add_seed(s, &n, SMP_OP_READ, 0, &r);
        req_init(&r);
        smp_cbor_put_map(&r.enc, 0);
        add_seed(s, &n, SMP_OP_WRITE, 3, &r);
        req_init(&r);
        smp_cbor_put_map(&r.enc, 1);
        smp_cbor_put_kv_tstr(&r.enc, "name", "mut/key");
        add_seed(s, &n, SMP_OP_WRITE, 1, &r);
        break;
    default:
        req_init(&r);
        smp_cbor_put_map(&r.enc, 1);
        smp_cbor_put_kv_uint(&r.enc, "index", 1);
        add_seed(s, &n, SMP_OP_READ, 2, &r);
        req_init(&r);
        smp_cbor_put_map(&r.enc, 1);
        smp_cbor_put_tstr(&r.enc, "groups");
        smp_cbor_put_array(&r.enc, 2);
        smp_cbor_put_uint(&r.enc, 8);
        smp_cbor_put_uint(&r.enc, 10);
        add_seed(s, &n, SMP_OP_READ, 3, &r);
        break;
    }
    return n;
}

static size_t mutate(uint8_t *p, size_t len, size_t cap)
{
    int rounds = 1 + (int)(next_rand() % 4);
    for (int i = 0; i < rounds; i++) {
        uint32_t what = next_rand() % 6;
        size_t at = len ? next_rand() % len : 0;
        switch (what) {
        case 0: /* flip a bit */
            if (len) {
                p[at] ^= (uint8_t)(1u << (next_rand() % 8));
            }
            break;
        case 1: /* replace a byte, favouring CBOR heads */
            if (len) {
                static const uint8_t heads[] = {0x00, 0x18, 0x1b, 0x40, 0x5f, 0x60, 0x7f, 0x80,
                                                0x9f, 0xa0, 0xbf, 0xf5, 0xf6, 0xff, 0x3b, 0x1f};
                p[at] = (next_rand() & 1) ? heads[next_rand() % sizeof(heads)]
                                          : (uint8_t)next_rand();
            }
            break;
        case 2: /* cut */
            len = at;
            break;
        case 3: /* insert a few random bytes */
            if (len + 4 <= cap) {
                memmove(p + at + 4, p + at, len - at);
                for (int k = 0; k < 4; k++) {
                    p[at + k] = (uint8_t)next_rand();
                }
                len += 4;
            }
            break;
        case 4: /* a wrong payload length */
            if (len >= SMP_HDR_SIZE) {
                p[2] = (uint8_t)next_rand();
                p[3] = (uint8_t)next_rand();
            }
            break;
        default: /* another op, version or command id */
            if (len >= SMP_HDR_SIZE) {
                p[0] = (uint8_t)(next_rand() & 0x1f);
                p[7] = (uint8_t)(next_rand() % 6);
            }
            break;
        }
    }
    return len;
}

/* Every response in the output: a sane header and a CBOR map of exactly len bytes. */
static void check_output(const uint8_t *out, size_t n)
{
    size_t pos = 0;
    while (pos < n) {
        struct smp_hdr h;
        assert_int_equal(smp_hdr_decode(&h, out + pos, n - pos), 0);
        assert_true(h.op == SMP_OP_READ_RSP || h.op == SMP_OP_WRITE_RSP);
        assert_true(h.version <= SMP_V2);
        assert_true(h.len <= n - pos - SMP_HDR_SIZE);
        assert_true(SMP_HDR_SIZE + h.len <= b.srv.cfg.buf_size);
        struct cbor_load_result res;
        cbor_item_t *item = cbor_load(out + pos + SMP_HDR_SIZE, h.len, &res);
        if (item == NULL) {
            size_t total = (size_t)SMP_HDR_SIZE + h.len;
            for (size_t k = 0; k < total; k++) {
                fprintf(stderr, "%02x%s", out[pos + k], k + 1 == total ? "\n" : " ");
            }
            fprintf(stderr, "libcbor error %d at %zu\n", (int)res.error.code, res.error.position);
        }
        assert_non_null(item);
        assert_int_equal(res.read, h.len);
        assert_true(cbor_isa_map(item));
        cbor_decref(&item);
        pos += SMP_HDR_SIZE + h.len;
    }
}

static int dir_entries(const char *path)
{
    DIR *d = opendir(path);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    }
    closedir(d);
    return n;
}

static void test_mutations(void **state)
{
    char name[32];
    snprintf(name, sizeof(name), "mut%u", (unsigned)group);
    bench_init(&b, name, 0xff, 4);
    sandbox_write(&b, "lfs1/seed", "seed file contents", 18);
    char beside[600];
    snprintf(beside, sizeof(beside), "%s.beside", b.root);
    (void)mkdir(beside, 0755);
    assert_int_equal(dir_entries(beside), 0);

    static struct seed seeds[8];
    size_t n = make_seeds(seeds);
    uint8_t pkt[512];
    for (int i = 0; i < ITERATIONS; i++) {
        const struct seed *s = &seeds[next_rand() % n];
        memcpy(pkt, s->bytes, s->len);
        size_t len = mutate(pkt, s->len, sizeof(pkt));
        int out = server_process(&b.srv, pkt, len, b.rsp, sizeof(b.rsp));
        assert_true(out >= 0);
        check_output(b.rsp, (size_t)out);
        if (i % 500 == 0) {
            fs_mgmt_poll(&b.srv);
            b.now_ms += 1000;
        }
    }
    assert_int_equal(dir_entries(beside), 0);
    (void)rmdir(beside);
    /* Still serving: the enum count answers. */
    cbor_item_t *rsp = bench_req(&b, SMP_V2, SMP_OP_READ, SMP_GROUP_ENUM, ENUM_ID_COUNT, NULL, 0);
    assert_int_equal(map_uint(rsp, "count"), 5);
    cbor_decref(&rsp);
    bench_fini(&b);
}

int main(int argc, char **argv)
{
    static const struct { const char *name; uint16_t id; } groups[] = {
        {"fs", SMP_GROUP_FS}, {"shell", SMP_GROUP_SHELL}, {"stat", SMP_GROUP_STAT},
        {"settings", SMP_GROUP_SETTINGS}, {"enum", SMP_GROUP_ENUM},
    };
    if (argc > 1) {
        size_t i = 0;
        while (i < 5 && strcmp(argv[1], groups[i].name) != 0) {
            i++;
        }
        if (i == 5) {
            fprintf(stderr, "usage: %s [fs|shell|stat|settings|enum]\n", argv[0]);
            return 2;
        }
        group = groups[i].id;
        rng += group;
    }
    if (argc > 2) {
        rng = strtoull(argv[2], NULL, 0) | 1u;  /* another seed, for exploring */
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_mutations)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
