/* A device error in words: "image test: IMAGE_ALREADY_PENDING (28)". */
#include <stdio.h>

#include "dfukit/client.h"

void client_format_deverr(char *out, size_t cap, const char *what, const struct client_deverr *e)
{
    if (e->has_group_err && e->group_rc != 0) {
        snprintf(out, cap, "%s: %s (%d)", what, smp_group_err_name(e->group, e->group_rc),
                 e->group_rc);
    } else {
        snprintf(out, cap, "%s: %s (%d)", what, smp_err_name(e->rc), e->rc);
    }
}
