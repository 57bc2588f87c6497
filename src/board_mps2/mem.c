/* Small memcpy/memmove/memset/memcmp for the bootloader: newlib-nano's word-at-a-time ones
 * cost about 800 bytes of flash; a bootloader's copies are whole aligned buffers, so one word
 * loop and one byte loop each are enough. Built with -fno-tree-loop-distribute-patterns, so the compiler
 * does not turn these loops back into calls to themselves. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Word copies when both ends and the length are word-aligned (the flash port's sector and
 * buffer copies), bytes otherwise. */
static int words(const void *a, const void *b, size_t n)
{
    return (((uintptr_t)a | (uintptr_t)b | n) & 3u) == 0;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d <= s && words(d, s, n)) {
        for (size_t i = 0; i < n; i += 4) {
            *(uint32_t *)(d + i) = *(const uint32_t *)(s + i);
        }
    } else if (d <= s) {
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
    if (words(d, d, n)) {
        uint32_t v = (unsigned char)c * 0x01010101u;
        for (size_t i = 0; i < n; i += 4) {
            *(uint32_t *)(d + i) = v;
        }
        return dst;
    }
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
