/* sizeof(struct smp_server) with the project's SMP_BUF_SIZE/SMP_BUF_COUNT (set by bench.cmake
 * to the values dfu_server is built with). */
#include "ram_report.h"

void ram_report_project(struct ram_server_size *out)
{
    out->server = sizeof(struct smp_server);
    out->bufs = sizeof(((struct smp_server *)0)->bufs);
    out->buf_size = SMP_BUF_SIZE;
    out->buf_count = SMP_BUF_COUNT;
}
