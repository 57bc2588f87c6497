# Image header/TLV parser and validator (owner: image). Seeds: small cut-down signed images.
dfu_fuzzer(fuzz_image SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_image.c DEPS dfu_image dfu_crypto
           CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpora/fuzz_image)
