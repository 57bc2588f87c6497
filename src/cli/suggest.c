/* "Did you mean": see cli.h. */
#include <stdint.h>
#include <string.h>

#include "dfukit/cli.h"

size_t cli_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[32];
    if (la >= sizeof(row) / sizeof(row[0]) || lb >= sizeof(row) / sizeof(row[0])) {
        return SIZE_MAX;
    }
    for (size_t j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            best = up + 1 < best ? up + 1 : best;
            best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

int cli_nearest(const char *word, const char *const *cands, size_t n)
{
    size_t len = strlen(word);
    int prefix = -1, close = -1;
    size_t prefixes = 0;
    /* a swap of two letters counts 2, so short words get 2 edits, longer ones a third */
    size_t best = (len < 6 ? 2 : len / 3) + 1;
    for (size_t i = 0; i < n; i++) {
        if (len > 0 && strncmp(cands[i], word, len) == 0) {
            if (prefix < 0 || strcmp(cands[i], cands[prefix]) != 0) {
                prefixes++;
            }
            prefix = (int)i;
        }
        size_t d = cli_distance(word, cands[i]);
        if (d < best) {
            best = d;
            close = (int)i;
        }
    }
    if (prefixes > 1) {
        return -1;  /* "getp": getpub or getpriv, no guess */
    }
    return prefixes == 1 ? prefix : close;
}
