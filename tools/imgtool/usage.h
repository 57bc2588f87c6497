/* The usage text of each imgtool command (usage.c): what follows "Usage: imgtool NAME". */
#ifndef IMGTOOL_USAGE_H
#define IMGTOOL_USAGE_H

extern const char usage_sign[];
extern const char usage_dumpinfo[];
extern const char usage_getpriv[];
extern const char usage_getpub[];
extern const char usage_getpubhash[];
extern const char usage_keygen[];
extern const char usage_verify[];
extern const char usage_version[];
extern const char usage_help[];

#endif
