/* libFuzzer harness for imgtool's host-side readers: the Intel HEX parser (ihex_parse) and
 * the dumpinfo report (imgbuild_dumpinfo), both on the raw input and, when the input is valid
 * Intel HEX, on the decoded bytes. Invariants that must hold for any input abort:
 * - a failure always names its cause in err; a success gives a non-empty buffer;
 * - a parsed image written back with ihex_format and parsed again gives the same base and
 *   bytes (holes included, as 0xff), for images up to ROUNDTRIP_MAX bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/err.h"
#include "dfukit/imgbuild.h"

#define ROUNDTRIP_MAX (64u * 1024u)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok) {
        abort();
    }
}

/* dumpinfo prints to a stream; the text goes to /dev/null, the parser's checks are the point. */
static FILE *sink(void)
{
    static FILE *null_out;
    if (!null_out) {
        null_out = fopen("/dev/null", "w");
        check(null_out != NULL);
    }
    return null_out;
}

static void dumpinfo(const uint8_t *img, size_t len)
{
    char err[IMGBUILD_ERR_LEN] = "";
    int rc = imgbuild_dumpinfo(sink(), "fuzz.bin", img, len, err, sizeof(err));
    check(rc <= 0);
    check(rc == 0 || err[0] != '\0');
}

static void roundtrip(const uint8_t *img, size_t len, uint32_t base)
{
    struct ihex_segment seg = {base, img, len};
    char *text = NULL;
    size_t text_len = 0;
    check(ihex_format(&seg, 1, &text, &text_len) == 0);
    check(text != NULL && strlen(text) == text_len);

    uint8_t *again = NULL;
    size_t again_len = 0;
    uint32_t again_base = 0;
    char err[IMGBUILD_ERR_LEN] = "";
    check(ihex_parse(text, text_len, &again, &again_len, &again_base, err, sizeof(err)) == 0);
    check(again_base == base && again_len == len && memcmp(again, img, len) == 0);
    free(again);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dumpinfo(data, size);

    uint8_t *img = NULL;
    size_t len = 0;
    uint32_t base = 0;
    char err[IMGBUILD_ERR_LEN] = "";
    int rc = ihex_parse((const char *)data, size, &img, &len, &base, err, sizeof(err));
    if (rc != 0) {
        check(rc < 0 && img == NULL && err[0] != '\0');
        return 0;
    }
    check(img != NULL && len > 0 && (uint64_t)base + len <= 0x100000000ull);
    dumpinfo(img, len);
    if (len <= ROUNDTRIP_MAX) {
        roundtrip(img, len, base);
    }
    free(img);
    return 0;
}
