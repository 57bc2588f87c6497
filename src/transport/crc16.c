/* CRC-16/XMODEM (Zephyr's crc16_itu_t): poly 0x1021, init 0, MSB first, no final xor.
 * Bitwise rather than table-driven: 16 bytes of code instead of 512 of table, and serial
 * links are far slower than this loop. */
#include "dfukit/serial_frame.h"

uint16_t crc16_xmodem(uint16_t crc, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint16_t)(data[i] << 8);
        for (int bit = 0; bit < 8; bit++) {
            crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
        }
    }
    return crc;
}
