/* Turning responses into text: the Go tool's exact `image list` output, and a generic
 * CBOR-to-JSON printer for --json. */
#include <inttypes.h>
#include <string.h>

#include "print.h"

static void print_hex(FILE *f, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%02x", p[i]);
    }
}

static const char *split_status_name(uint64_t s)
{
    switch (s) {
    case 0: return "N/A";
    case 1: return "non-matching";
    case 2: return "matching";
    default: return "Unknown!";
    }
}

void mcumgr_print_image_list(FILE *f, const cbor_item_t *root)
{
    fprintf(f, "Images:\n");
    const cbor_item_t *images = client_map_get(root, "images");
    size_t n = (images && cbor_isa_array(images)) ? cbor_array_size(images) : 0;
    for (size_t i = 0; i < n; i++) {
        cbor_item_t *img = cbor_array_handle(images)[i];
        uint64_t image = 0, slot = 0;
        bool bootable = false, active = false, confirmed = false, pending = false,
             permanent = false;
        char version[64] = "";
        client_get_uint(img, "image", &image);
        client_get_uint(img, "slot", &slot);
        client_get_text(img, "version", version, sizeof(version));
        client_get_bool(img, "bootable", &bootable);
        client_get_bool(img, "active", &active);
        client_get_bool(img, "confirmed", &confirmed);
        client_get_bool(img, "pending", &pending);
        client_get_bool(img, "permanent", &permanent);
        fprintf(f, " image=%" PRIu64 " slot=%" PRIu64 "\n", image, slot);
        fprintf(f, "    version: %s\n", version);
        fprintf(f, "    bootable: %s\n", bootable ? "true" : "false");
        /* flags in Go's order, space-joined; an empty set still prints "flags: " */
        const char *names[4] = {"active", "confirmed", "pending", "permanent"};
        const bool set[4] = {active, confirmed, pending, permanent};
        fprintf(f, "    flags: ");
        bool first = true;
        for (int k = 0; k < 4; k++) {
            if (set[k]) {
                fprintf(f, "%s%s", first ? "" : " ", names[k]);
                first = false;
            }
        }
        fprintf(f, "\n");
        const uint8_t *hash;
        size_t hlen;
        if (client_get_bytes(img, "hash", &hash, &hlen) && hlen > 0) {
            fprintf(f, "    hash: ");
            print_hex(f, hash, hlen);
            fprintf(f, "\n");
        } else {
            fprintf(f, "    hash: Unavailable\n");
        }
    }
    uint64_t split = 0;
    client_get_uint(root, "splitStatus", &split);
    fprintf(f, "Split status: %s (%" PRIu64 ")\n", split_status_name(split), split);
}

static void json_string(FILE *f, const uint8_t *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        switch (c) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (c < 0x20 || c == 0x7f) {
                fprintf(f, "\\u%04x", c);
            } else {
                fputc(c, f);
            }
        }
    }
    fputc('"', f);
}

static void indent(FILE *f, int depth)
{
    for (int i = 0; i < depth; i++) {
        fputs("  ", f);
    }
}

/* Concatenated chunks of an indefinite string, or the definite one, printed with emit. */
static void string_like(FILE *f, const cbor_item_t *it, bool bytes)
{
    if (bytes) {
        fputc('"', f);
        if (cbor_bytestring_is_definite(it)) {
            print_hex(f, cbor_bytestring_handle(it), cbor_bytestring_length(it));
        } else {
            cbor_item_t **ch = cbor_bytestring_chunks_handle(it);
            for (size_t i = 0; i < cbor_bytestring_chunk_count(it); i++) {
                print_hex(f, cbor_bytestring_handle(ch[i]), cbor_bytestring_length(ch[i]));
            }
        }
        fputc('"', f);
        return;
    }
    if (cbor_string_is_definite(it)) {
        json_string(f, cbor_string_handle(it), cbor_string_length(it));
        return;
    }
    /* indefinite text: print as one JSON string */
    fputc('"', f);
    cbor_item_t **ch = cbor_string_chunks_handle(it);
    for (size_t i = 0; i < cbor_string_chunk_count(it); i++) {
        /* reuse the escaper without its quotes */
        const uint8_t *s = cbor_string_handle(ch[i]);
        size_t n = cbor_string_length(ch[i]);
        for (size_t k = 0; k < n; k++) {
            if (s[k] == '"' || s[k] == '\\' || s[k] < 0x20) {
                fprintf(f, "\\u%04x", s[k]);
            } else {
                fputc(s[k], f);
            }
        }
    }
    fputc('"', f);
}

static void json_item(FILE *f, const cbor_item_t *it, int depth)
{
    if (depth > 64) { /* deeper nesting than any SMP reply; keep output bounded */
        fputs("null", f);
        return;
    }
    switch (cbor_typeof(it)) {
    case CBOR_TYPE_UINT:
        fprintf(f, "%" PRIu64, cbor_get_int(it));
        break;
    case CBOR_TYPE_NEGINT: {
        uint64_t u = cbor_get_int(it);
        if (u == UINT64_MAX) {
            fputs("-18446744073709551616", f);
        } else {
            fprintf(f, "-%" PRIu64, u + 1);
        }
        break;
    }
    case CBOR_TYPE_BYTESTRING:
        string_like(f, it, true);
        break;
    case CBOR_TYPE_STRING:
        string_like(f, it, false);
        break;
    case CBOR_TYPE_ARRAY: {
        size_t n = cbor_array_size(it);
        if (n == 0) {
            fputs("[]", f);
            break;
        }
        fputs("[\n", f);
        for (size_t i = 0; i < n; i++) {
            indent(f, depth + 1);
            json_item(f, cbor_array_handle(it)[i], depth + 1);
            fputs(i + 1 < n ? ",\n" : "\n", f);
        }
        indent(f, depth);
        fputc(']', f);
        break;
    }
    case CBOR_TYPE_MAP: {
        size_t n = cbor_map_size(it);
        if (n == 0) {
            fputs("{}", f);
            break;
        }
        fputs("{\n", f);
        struct cbor_pair *p = cbor_map_handle(it);
        for (size_t i = 0; i < n; i++) {
            indent(f, depth + 1);
            if (cbor_isa_string(p[i].key)) {
                string_like(f, p[i].key, false);
            } else {
                /* JSON keys are strings: print other keys as their JSON text, quoted */
                fputc('"', f);
                if (cbor_isa_uint(p[i].key)) {
                    fprintf(f, "%" PRIu64, cbor_get_int(p[i].key));
                } else {
                    fputs("?", f);
                }
                fputc('"', f);
            }
            fputs(": ", f);
            json_item(f, p[i].value, depth + 1);
            fputs(i + 1 < n ? ",\n" : "\n", f);
        }
        indent(f, depth);
        fputc('}', f);
        break;
    }
    case CBOR_TYPE_TAG: {
        cbor_item_t *inner = cbor_tag_item(it); /* takes a reference */
        json_item(f, inner, depth + 1);
        cbor_decref(&inner);
        break;
    }
    case CBOR_TYPE_FLOAT_CTRL:
        /* libcbor 0.8 asserts in cbor_is_bool() on a float: ask is_ctrl first */
        if (cbor_float_ctrl_is_ctrl(it)) {
            fputs(cbor_is_bool(it) ? (cbor_get_bool(it) ? "true" : "false") : "null", f);
        } else {
            double d = cbor_float_get_float(it);
            if (d != d || d > 1.7e308 || d < -1.7e308) {
                fputs("null", f);
            } else {
                fprintf(f, "%.17g", d);
            }
        }
        break;
    default:
        fputs("null", f);
    }
}

void mcumgr_print_json(FILE *f, const cbor_item_t *item)
{
    json_item(f, item, 0);
    fputc('\n', f);
}
