# Host-only key handling and image signing for imgtool (OpenSSL 3). Included by
# src/crypto/CMakeLists.txt after dfu_crypto is defined.
dfu_library(dfu_keys
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/keys.c ${CMAKE_CURRENT_LIST_DIR}/keys_emit.c
          ${CMAKE_CURRENT_LIST_DIR}/sign.c
  DEPS dfu_crypto dfu_util OpenSSL::Crypto)
