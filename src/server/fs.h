/* FS group (8) internals shared inside src/server. */
#ifndef DFUKIT_SERVER_FS_H
#define DFUKIT_SERVER_FS_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32/IEEE 802.3 (reflected, polynomial 0xEDB88320, init and final xor 0xFFFFFFFF), the
 * FS group's "crc32" checksum, also used by the settings log. Start with crc = 0; chain by
 * passing the previous result. */
uint32_t fs_crc32_ieee(uint32_t crc, const void *data, size_t len);

#endif
