/* Small memcpy/memmove/memset/memcmp for the bootloader: newlib-nano's word-at-a-time ones
 * cost about 800 bytes of flash, and the bootloader's copies go through a 1 KiB buffer, so
 * byte loops are fast enough. Built with -fno-tree-loop-distribute-patterns, so the compiler
 * does not turn these loops back into calls to themselves. */
#include <stddef.h>
#include <string.h>

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d <= s) {
        while (n--) {
            *d++ = *s++;
        }
    } else {
        while (n--) {
            d[n] = s[n];
        }
    }
    return dst;
}

/* A forward memmove is a valid memcpy (memcpy's areas never overlap). */
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
    __attribute__((alias("memmove")));

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--) {
        *d++ = (unsigned char)c;
    }
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;
    for (; n > 0; n--, p++, q++) {
        if (*p != *q) {
            return *p - *q;
        }
    }
    return 0;
}
