/* Helpers the three programs (imgtool, mcumgr, devsim) share for their command tables: the
 * "did you mean" suggestion for a mistyped command. Host side; never prints. */
#ifndef DFUKIT_CLI_H
#define DFUKIT_CLI_H

#include <stddef.h>

/* Edit (Levenshtein) distance of two words; SIZE_MAX when either is 32 characters or longer. */
size_t cli_distance(const char *a, const char *b);

/* The candidate the user most likely meant by `word`: the only one `word` begins, else the
 * closest one, when it is close enough (at most 2 edits, or a third of a word of 6 or more
 * letters). Returns its index, or -1 when nothing is near or the word begins several. */
int cli_nearest(const char *word, const char *const *cands, size_t n);

#endif
