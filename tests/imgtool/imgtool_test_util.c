#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dfukit/bytes.h"
#include "imgtool_test_util.h"

uint8_t *tu_read(const char *path, size_t *len)
{
    uint8_t *data;
    uint32_t base;
    bool has_base;
    char err[IMGBUILD_ERR_LEN];
    int rc = imgbuild_read_file(path, false, &data, len, &base, &has_base, err, sizeof(err));
    if (rc) {
        fail_msg("%s", err);
    }
    return data;
}

struct keys_key *tu_key(const char *path)
{
    struct keys_key *k = NULL;
    char err[256];
    if (keys_load_pem(&k, path, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
    return k;
}

void tu_vector_opts(struct imgbuild_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->header_size = 0x200;
    o->align = 8;
    o->slot_size = 0x60000;
    o->version = (struct image_version){1, 2, 3, 4};
    o->pad_header = true;
    o->erased_val = 0xff;
}

void tu_sign_input(struct imgbuild *b, const struct imgbuild_opts *o)
{
    imgbuild_init(b);
    if (imgbuild_load(b, VEC "input.bin", o) != 0 || imgbuild_create(b, o) != 0) {
        fail_msg("sign: %s", b->err);
    }
}

uint8_t *tu_padded(const struct imgbuild *b, const struct imgbuild_opts *o, size_t *len)
{
    /* Through the real writer: save to a scratch file and read it back. */
    char path[512];
    snprintf(path, sizeof(path), DFU_TEST_TMP "/imgtool_padded_%d.bin", (int)getpid());
    (void)mkdir(DFU_TEST_TMP, 0755); /* the first test to run after a fresh build makes it */
    struct imgbuild copy = *b;
    if (imgbuild_save(&copy, path, o, false, 0) != 0) {
        fail_msg("save: %s", copy.err);
    }
    uint8_t *data = tu_read(path, len);
    remove(path);
    return data;
}

/* End of the unprotected TLV area. */
static size_t tlv_end(const uint8_t *img, size_t len, size_t *unprot)
{
    assert_true(len >= 32);
    size_t off = (size_t)load16_le(img + 8) + load32_le(img + 12) + load16_le(img + 10);
    assert_true(off + 4 <= len);
    assert_int_equal(load16_le(img + off), 0x6907);
    *unprot = off;
    size_t end = off + load16_le(img + off + 2);
    assert_true(end <= len);
    return end;
}

void tu_assert_same_but_sig(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                            uint16_t sig_type)
{
    size_t ua, ub;
    size_t ea = tlv_end(a, alen, &ua), eb = tlv_end(b, blen, &ub);
    /* Header, body and protected TLVs: identical. */
    assert_int_equal(ua, ub);
    assert_memory_equal(a, b, ua);
    /* Unprotected TLVs: same sequence; only the signature's value may differ. */
    size_t pa = ua + 4, pb = ub + 4;
    while (pa < ea && pb < eb) {
        uint16_t ta = load16_le(a + pa), la = load16_le(a + pa + 2);
        uint16_t tb = load16_le(b + pb), lb = load16_le(b + pb + 2);
        assert_int_equal(ta, tb);
        if (ta != sig_type) {
            assert_int_equal(la, lb);
            assert_memory_equal(a + pa + 4, b + pb + 4, la);
        }
        pa += 4 + la;
        pb += 4 + lb;
    }
    assert_int_equal(pa, ea);
    assert_int_equal(pb, eb);
    /* After the TLVs: same total size, erased fill, and the same trailer bytes. */
    assert_int_equal(alen - ea == 0, blen - eb == 0);
    if (alen != ea) {
        assert_int_equal(alen, blen);
        size_t tail = alen - (ea > eb ? ea : eb);
        assert_memory_equal(a + alen - tail, b + blen - tail, tail);
    }
}

char *tu_capture(int (*fn)(FILE *f, void *arg), void *arg, size_t *len, int *rc)
{
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    assert_non_null(f);
    *rc = fn(f, arg);
    fclose(f);
    *len = n;
    return text;
}
