/* dfuboot's serial recovery (recovery.c), built into the dfuboot variants with
 * DFUBOOT_RECOVERY=1. */
#ifndef DFUKIT_CORTEXM_RECOVERY_H
#define DFUKIT_CORTEXM_RECOVERY_H

#include "dfukit/boot.h"

/* Serves MCUboot's serial recovery on UART0 until a reset; strategy is the bootloader's (the
 * room the image group leaves for an upload). */
_Noreturn void dfuboot_recovery(enum boot_strategy strategy);

#endif
