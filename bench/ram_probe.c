/* Size probe for a cross compiler that cannot link or run (bench/ram_report.sh compiles it
 * for Cortex-M4, once with server.h's defaults and once with the build's SMP_BUF_* values):
 * one array per type, ram_size_<id>[sizeof(type)], whose symbol size `nm -S` reads back. */
#include "ram_report.h"

#define RAM_PROBE(id, type, what, note) char ram_size_##id[sizeof(type)];
RAM_REPORT_TYPES(RAM_PROBE)
