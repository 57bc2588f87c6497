# SMP server request handler with state (owner: smp): the input is a sequence of packets,
# each prefixed by a 2-byte big-endian length, fed to one server over a RAM flash.
dfu_fuzzer(fuzz_server SOURCE ${CMAKE_CURRENT_LIST_DIR}/fuzz_server.c
           DEPS dfu_server dfu_boot dfu_image dfu_imgbuild dfu_crypto
           CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpora/fuzz_server)
target_sources(fuzz_server PRIVATE ${CMAKE_SOURCE_DIR}/tests/common/ramflash.c)
target_include_directories(fuzz_server PRIVATE ${CMAKE_SOURCE_DIR}/tests/common)
