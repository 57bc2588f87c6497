# dfu_simflash: emulated NOR flash (file-backed, NOR rules, counters, timing) and the power-cut
# wrapper. Host only; owned with the bootloader core.
dfu_library(dfu_simflash SOURCES ${CMAKE_CURRENT_LIST_DIR}/nor_flash.c ${CMAKE_CURRENT_LIST_DIR}/powercut.c
            DEPS dfu_flash dfu_util)
