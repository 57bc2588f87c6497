# Client parsers (owner: client): connstrings, response decoder and printers, profiles file.
dfu_fuzzer(fuzz_connstring SOURCE ${CMAKE_CURRENT_LIST_DIR}/fuzz_connstring.c DEPS dfu_client
           CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpora/fuzz_connstring)
