/* The key file of sign -E and verify --enckey: a PEM exchange key, or raw AES key bytes. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dfukit/imgbuild.h"
#include "dfukit/keys.h"

int cli_enckey_load(struct cli_enckey *e, const char *path)
{
    char err[IMGBUILD_ERR_LEN];
    uint8_t *raw;
    size_t len;
    uint32_t base;
    bool has_base;
    if (imgbuild_read_file(path, false, &raw, &len, &base, &has_base, err, sizeof(err)) != 0) {
        return cli_error(CLI_FAIL, "%s", err);
    }
    /* PEM is text with a BEGIN line; a key-wrap key is exactly one AES key of raw bytes. */
    bool pem = len >= 11 && memmem(raw, len, "-----BEGIN ", 11) != NULL;
    bool kek = !pem && (len == 16 || len == 32);
    if (kek) {
        memcpy(e->kek, raw, len);
        e->kek_len = len;
    }
    memset(raw, 0, len);
    free(raw);
    if (kek) {
        return 0;
    }
    if (!pem) {
        return cli_error(CLI_FAIL,
                         "%s: neither a PEM key nor a raw 16- or 32-byte AES key (%zu bytes)",
                         path, len);
    }
    if (keys_load_pem(&e->key, path, err, sizeof(err)) != 0) {
        return cli_error(CLI_FAIL, "%s", err);
    }
    return 0;
}

void cli_enckey_free(struct cli_enckey *e)
{
    keys_free(e->key);
    memset(e, 0, sizeof(*e));
}
