/* Request sizing: how many data bytes fit in a packet, from the CBOR encoding sizes (RFC 8949)
 * of the upload request of Zephyr's smp_group_1.rst: keys cost 1 + name, uints 1/2/3/5/9
 * bytes, a bstr header like a uint. */
#include "chunk.h"

size_t client_cbor_uint_size(uint64_t v)
{
    if (v < 24) return 1;
    if (v < 256) return 2;
    if (v < 65536) return 3;
    if (v <= 0xffffffffu) return 5;
    return 9;
}

size_t client_fit_bstr(size_t pkt_max, size_t fixed)
{
    if (pkt_max <= fixed + 1) {
        return 0;
    }
    size_t d = pkt_max - fixed - 1;
    while (d > 0 && fixed + client_cbor_uint_size(d) + d > pkt_max) {
        d--;
    }
    return d;
}

size_t client_upload_chunk_fit(size_t pkt_max, size_t off, size_t total, uint32_t image,
                               bool upgrade)
{
    size_t fixed = SMP_HDR_SIZE + 1;                        /* header, map head (< 24 pairs) */
    if (image) {
        fixed += 6 + client_cbor_uint_size(image);          /* "image" */
    }
    if (off == 0) {
        fixed += 4 + client_cbor_uint_size(total);          /* "len" */
        fixed += 4 + 2 + 32;                                /* "sha": bstr(32) */
        if (upgrade) {
            fixed += 8 + 1;                                 /* "upgrade": true */
        }
    }
    fixed += 4 + client_cbor_uint_size(off);                /* "off" */
    fixed += 5;                                             /* "data" key; bstr head in fit */
    size_t d = client_fit_bstr(pkt_max, fixed);
    return d > total - off ? total - off : d;
}
