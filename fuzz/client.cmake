# Client parsers: connstrings, the response decoder and mcumgr's printers, profiles file.
dfu_fuzzer(fuzz_connstring SOURCE ${CMAKE_CURRENT_LIST_DIR}/fuzz_connstring.c DEPS dfu_client mcumgr_print
           CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpora/fuzz_connstring)
