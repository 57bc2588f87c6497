/* mcumgr's reply printers, shared with the tests and the fuzz harness that check them. */
#ifndef MCUMGR_PRINT_H
#define MCUMGR_PRINT_H

#include <stdio.h>

#include "dfukit/client.h"

/* The Go tool's `image list` text for a state response (exact, scripts grep it). */
void mcumgr_print_image_list(FILE *f, const cbor_item_t *root);
/* Any CBOR item as JSON (byte strings as lowercase hex strings), ending in a newline. */
void mcumgr_print_json(FILE *f, const cbor_item_t *item);

#endif
