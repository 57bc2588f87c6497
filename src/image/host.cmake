# Host-only image building for imgtool (signing, Intel HEX, verify/dumpinfo helpers): uses the
# heap and stdio. Included by src/image/CMakeLists.txt after dfu_image is defined.
dfu_library(dfu_imgbuild
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/build.c ${CMAKE_CURRENT_LIST_DIR}/build_io.c
          ${CMAKE_CURRENT_LIST_DIR}/build_verify.c ${CMAKE_CURRENT_LIST_DIR}/build_dumpinfo.c
          ${CMAKE_CURRENT_LIST_DIR}/ihex.c
  DEPS dfu_image dfu_boot dfu_keys dfu_flash dfu_crypto dfu_util dfu_hostfile)
