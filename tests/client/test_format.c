/* Response decoding and mcumgr's printing: the Go tool's `image list` text from the captured reply,
 * device errors by name, JSON output, and malformed responses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "client_test_util.h"
#include "dfukit/client.h"
#include "dfukit/err.h"
#include "print.h"

static char *capture_image_list(const struct client_rsp *rsp)
{
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    assert_non_null(f);
    mcumgr_print_image_list(f, rsp->root);
    fclose(f);
    return out;
}

static void test_image_list_matches_go(void **state)
{
    (void)state;
    char *cap = (char *)tf_read_file(DFU_VECTORS_DIR "/smp/mcumgr-udp-image-list.txt", NULL);
    char *hex = ctu_find_after(cap, "replied ");
    uint8_t pkt[1024];
    size_t n = ctu_hex(hex, pkt, sizeof(pkt));
    struct client_rsp rsp;
    assert_int_equal(client_rsp_decode(&rsp, pkt, n), 0);
    assert_false(client_rsp_failed(&rsp));
    assert_int_equal(rsp.hdr.group, 1);
    assert_int_equal(rsp.hdr.seq, 0x42);
    char *text = capture_image_list(&rsp);

    char *raw = (char *)tf_read_file(DFU_VECTORS_DIR "/smp/image-list-format.txt", NULL);
    char *expected = ctu_strip_comments(raw);
    size_t el = strlen(expected);
    while (el > 1 && expected[el - 1] == '\n' && expected[el - 2] == '\n') {
        expected[--el] = '\0'; /* the blank line before the format notes */
    }
    assert_string_equal(text, expected);
    client_rsp_free(&rsp);
    free(text);
    free(expected);
    free(raw);
    free(hex);
    free(cap);
}

/* Frugal lists, a missing hash and no flags print as the Go tool does. */
static void test_image_list_sparse(void **state)
{
    (void)state;
    /* {"images":[{"slot":1,"version":"0.0.0","bootable":false}]} */
    static const uint8_t pkt[] = {
        0x01, 0x00, 0x00, 0x28, 0x00, 0x01, 0x07, 0x00, 0xa1, 0x66, 'i', 'm', 'a', 'g', 'e', 's',
        0x81, 0xa3, 0x64, 's', 'l', 'o', 't', 0x01, 0x67, 'v', 'e', 'r', 's', 'i', 'o', 'n',
        0x65, '0', '.', '0', '.', '0', 0x68, 'b', 'o', 'o', 't', 'a', 'b', 'l', 'e', 0xf4,
    };
    struct client_rsp rsp;
    assert_int_equal(client_rsp_decode(&rsp, pkt, sizeof(pkt)), 0);
    char *text = capture_image_list(&rsp);
    assert_string_equal(text, "Images:\n"
                              " image=0 slot=1\n"
                              "    version: 0.0.0\n"
                              "    bootable: false\n"
                              "    flags: \n"
                              "    hash: Unavailable\n"
                              "Split status: N/A (0)\n");
    free(text);
    client_rsp_free(&rsp);
}

static void test_error_names(void **state)
{
    (void)state;
    /* v2: {"err": {"group": 1, "rc": 28}} */
    static const uint8_t v2[] = {0x0b, 0x00, 0x00, 0x12, 0x00, 0x01, 0x05, 0x00, 0xa1, 0x63, 'e',
                                 'r', 'r', 0xa2, 0x65, 'g', 'r', 'o', 'u', 'p', 0x01, 0x62, 'r',
                                 'c', 0x18, 0x1c};
    struct client_rsp rsp;
    char line[128];
    assert_int_equal(client_rsp_decode(&rsp, v2, sizeof(v2)), 0);
    assert_true(client_rsp_failed(&rsp));
    client_format_deverr(line, sizeof(line), "image test", &rsp.err);
    assert_string_equal(line, "image test: IMAGE_ALREADY_PENDING (28)");
    client_rsp_free(&rsp);

    /* v1: {"rc": 6} */
    static const uint8_t v1[] = {0x03, 0x00, 0x00, 0x05, 0x00, 0x01, 0x05, 0x00,
                                 0xa1, 0x62, 'r', 'c', 0x06};
    assert_int_equal(client_rsp_decode(&rsp, v1, sizeof(v1)), 0);
    assert_true(client_rsp_failed(&rsp));
    client_format_deverr(line, sizeof(line), "image test", &rsp.err);
    assert_string_equal(line, "image test: EBADSTATE (6)");
    client_rsp_free(&rsp);

    /* "rc": 0 and an empty payload are success */
    static const uint8_t ok[] = {0x03, 0x00, 0x00, 0x05, 0x00, 0x00, 0x05, 0x05,
                                 0xa1, 0x62, 'r', 'c', 0x00};
    assert_int_equal(client_rsp_decode(&rsp, ok, sizeof(ok)), 0);
    assert_false(client_rsp_failed(&rsp));
    client_rsp_free(&rsp);
    static const uint8_t empty[] = {0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x05};
    assert_int_equal(client_rsp_decode(&rsp, empty, sizeof(empty)), 0);
    assert_false(client_rsp_failed(&rsp));
    client_rsp_free(&rsp);
}

static void test_json_output(void **state)
{
    (void)state;
    /* {"r": "he\"llo", "n": -5, "b": h'00ff', "a": [true, null], "m": {}} */
    static const uint8_t pkt[] = {
        0x03, 0x00, 0x00, 0x1a, 0x00, 0x00, 0x01, 0x00, 0xa5, 0x61, 'r', 0x66, 'h', 'e', '"',
        'l', 'l', 'o', 0x61, 'n', 0x24, 0x61, 'b', 0x42, 0x00, 0xff, 0x61, 'a', 0x82, 0xf5,
        0xf6, 0x61, 'm', 0xa0,
    };
    struct client_rsp rsp;
    assert_int_equal(client_rsp_decode(&rsp, pkt, sizeof(pkt)), 0);
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    mcumgr_print_json(f, rsp.root);
    fclose(f);
    assert_string_equal(out, "{\n"
                             "  \"r\": \"he\\\"llo\",\n"
                             "  \"n\": -5,\n"
                             "  \"b\": \"00ff\",\n"
                             "  \"a\": [\n"
                             "    true,\n"
                             "    null\n"
                             "  ],\n"
                             "  \"m\": {}\n"
                             "}\n");
    free(out);
    int64_t v;
    assert_true(client_get_int(rsp.root, "n", &v));
    assert_int_equal(v, -5);
    uint64_t u;
    assert_false(client_get_uint(rsp.root, "n", &u));
    assert_false(client_get_uint(rsp.root, "missing", &u));
    client_rsp_free(&rsp);
}

static void test_malformed_responses(void **state)
{
    (void)state;
    struct client_rsp rsp;
    static const uint8_t short_hdr[] = {0x03, 0x00, 0x00};
    assert_int_equal(client_rsp_decode(&rsp, short_hdr, sizeof(short_hdr)), DFU_EBADMSG);
    static const uint8_t too_long[] = {0x03, 0x00, 0x00, 0x09, 0x00, 0x00, 0x01, 0x00, 0xa0};
    assert_int_equal(client_rsp_decode(&rsp, too_long, sizeof(too_long)), DFU_EBADMSG);
    static const uint8_t request[] = {0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0xa0};
    assert_int_equal(client_rsp_decode(&rsp, request, sizeof(request)), DFU_EBADMSG);
    static const uint8_t not_map[] = {0x03, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01};
    assert_int_equal(client_rsp_decode(&rsp, not_map, sizeof(not_map)), DFU_EBADMSG);
    static const uint8_t cut_map[] = {0x03, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x00, 0xa1, 0x61};
    assert_int_equal(client_rsp_decode(&rsp, cut_map, sizeof(cut_map)), DFU_EBADMSG);
    /* a map followed by junk inside the declared length */
    static const uint8_t junk[] = {0x03, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x00, 0xa0, 0x00};
    assert_int_equal(client_rsp_decode(&rsp, junk, sizeof(junk)), DFU_EBADMSG);
    /* indefinite map: accepted */
    static const uint8_t indef[] = {0x03, 0x00, 0x00, 0x05, 0x00, 0x00, 0x01, 0x00,
                                    0xbf, 0x61, 'x', 0x07, 0xff};
    assert_int_equal(client_rsp_decode(&rsp, indef, sizeof(indef)), 0);
    uint64_t x;
    assert_true(client_get_uint(rsp.root, "x", &x));
    assert_int_equal(x, 7);
    client_rsp_free(&rsp);
}

/* Found by fuzzing: libcbor allocates a definite container by its declared count, and asserts
 * in cbor_is_bool() on floats. Both must be plain errors / values, not a crash. */
static void test_hostile_responses(void **state)
{
    (void)state;
    struct client_rsp rsp;
    /* {"a": [array of 2^60 items...]} with 2 bytes behind it */
    static const uint8_t huge[] = {0x03, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x01, 0x00, 0xa1, 0x61,
                                   'a',  0x9b, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                   0x01, 0x02};
    assert_int_equal(client_rsp_decode(&rsp, huge, sizeof(huge)), DFU_EBADMSG);
    /* {"pending": 1.0 (half float)} */
    static const uint8_t half[] = {0x03, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x01, 0x00, 0xa1, 0x67,
                                   'p', 'e', 'n', 'd', 'i', 'n', 'g', 0xf9, 0x3c, 0x00};
    assert_int_equal(client_rsp_decode(&rsp, half, sizeof(half)), 0);
    bool b = true;
    assert_false(client_get_bool(rsp.root, "pending", &b));
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    mcumgr_print_json(f, rsp.root);
    fclose(f);
    assert_string_equal(out, "{\n  \"pending\": 1\n}\n");
    free(out);
    client_rsp_free(&rsp);
    /* nesting deeper than any SMP reply is refused */
    uint8_t deep[8 + 40];
    memcpy(deep, "\x03\x00\x00\x28\x00\x00\x01\x00", 8);
    deep[8] = 0xa1;
    deep[9] = 0x61;
    deep[10] = 'x';
    for (int i = 11; i < 48; i++) {
        deep[i] = 0x81; /* [[[[...]]]] */
    }
    deep[47] = 0x00;
    assert_int_equal(client_rsp_decode(&rsp, deep, sizeof(deep)), DFU_EBADMSG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_list_matches_go),
        cmocka_unit_test(test_image_list_sparse),
        cmocka_unit_test(test_error_names),
        cmocka_unit_test(test_json_output),
        cmocka_unit_test(test_malformed_responses),
        cmocka_unit_test(test_hostile_responses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
