/* MCUboot-style serial recovery: what the bootloader's SMP server (image and OS groups) needs
 * on top of the ordinary server. Recovery uploads straight into slot 0 whatever its trailer
 * says (a confirmed image that no longer boots must not block the rescue), but the image group
 * judges a slot's use from the trailers; so the server is given slot 0 through a view that
 * reads slot 0's trailer sectors as erased, as both its primary and its secondary slot (the
 * image group then lists that one slot once and uploads into it). Writes and erases go
 * through, so the upload's erase clears the real trailer, as MCUboot's recovery does.
 *
 * Device side: no heap, no OS; the caller owns the view, which must outlive the server. Used
 * by dfuboot's recovery (targets/cortexm) and devsim's. */
#ifndef DFUKIT_RECOVERY_H
#define DFUKIT_RECOVERY_H

#include <stdint.h>

#include "dfukit/flash.h"

struct recovery_slot_view {
    struct flash_dev dev;          /* slot 0's device, reading the hidden range as erased */
    const struct flash_dev *lower;
    uint32_t hide_off, hide_len;   /* device range read as erased */
    struct flash_area area;        /* slot 0 over dev: give it to the server as both slots */
};

/* Sets v up over slot (slot 0). 0, or the error of the trailer layout (a slot too small). */
int recovery_slot_view_init(struct recovery_slot_view *v, const struct flash_area *slot);

#endif
