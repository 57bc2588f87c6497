/* CRC-32 shared inside src/server: the FS group's "crc32" checksum and the settings log's
 * record check. */
#ifndef DFUKIT_SERVER_CRC32_H
#define DFUKIT_SERVER_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32/IEEE 802.3 (reflected, polynomial 0xEDB88320, init and final xor 0xFFFFFFFF). Start
 * with crc = 0; chain by passing the previous result. */
uint32_t crc32_ieee(uint32_t crc, const void *data, size_t len);

#endif
