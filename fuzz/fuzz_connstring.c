/* Client-side parsers on arbitrary input. The first byte picks the target:
 * 0 serial / 1 udp / 2 ble connstring, 3 a response packet (decoded, then printed as
 * `image list` text and JSON), 4 a profiles file (parsed, re-formatted and parsed again: the
 * round trip must give the same profiles). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/client.h"
#include "print.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink(void)
{
    static FILE *f;
    if (!f) {
        f = fopen("/dev/null", "w");
    }
    return f;
}

static void profiles_round_trip(const char *text, size_t len)
{
    struct client_profiles a, b;
    if (client_profiles_parse(&a, text, len) != 0) {
        return;
    }
    char *out = client_profiles_format(&a);
    if (!out || client_profiles_parse(&b, out, strlen(out)) != 0 || a.count != b.count) {
        abort();
    }
    for (size_t i = 0; i < a.count; i++) {
        if (strcmp(a.items[i].name, b.items[i].name) != 0 ||
            strcmp(a.items[i].type, b.items[i].type) != 0 ||
            strcmp(a.items[i].connstring, b.items[i].connstring) != 0) {
            abort();
        }
    }
    client_profiles_free(&b);
    client_profiles_free(&a);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536) {
        return 0;
    }
    uint8_t mode = data[0] % 5;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    char *text = malloc(n + 1);
    if (!text) {
        return 0;
    }
    memcpy(text, p, n);
    text[n] = '\0';
    if (mode <= 2) {
        static const enum client_conn_type types[] = {CLIENT_CONN_SERIAL, CLIENT_CONN_UDP,
                                                      CLIENT_CONN_BLE};
        struct client_conn c;
        char msg[128];
        client_conn_parse(&c, types[mode], text, msg, sizeof(msg));
    } else if (mode == 3) {
        struct client_rsp rsp;
        if (client_rsp_decode(&rsp, p, n) == 0) {
            mcumgr_print_image_list(sink(), rsp.root);
            mcumgr_print_json(sink(), rsp.root);
            char line[128];
            client_format_deverr(line, sizeof(line), "fuzz", &rsp.err);
            uint64_t u;
            const uint8_t *b;
            size_t bl;
            client_get_uint(rsp.root, "off", &u);
            client_get_bytes(rsp.root, "data", &b, &bl);
            client_get_text(rsp.root, "r", line, sizeof(line));
            client_rsp_free(&rsp);
        }
    } else {
        profiles_round_trip(text, strlen(text));
    }
    free(text);
    return 0;
}
