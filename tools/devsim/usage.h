/* Usage texts of the devsim commands (usage.c). */
#ifndef DFUKIT_TOOLS_DEVSIM_USAGE_H
#define DFUKIT_TOOLS_DEVSIM_USAGE_H

extern const char usage_run[];
extern const char usage_flash[];
extern const char usage_mkapp[];
extern const char usage_boards[];
extern const char usage_help[];

#endif
