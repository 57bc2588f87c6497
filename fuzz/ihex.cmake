# imgtool's host-side readers (owner: bench): Intel HEX parser and the dumpinfo report.
# Seeds: small Intel HEX files (record types 00-05, holes, CRLF) and signed images < 4 KiB.
dfu_fuzzer(fuzz_ihex SOURCE ${CMAKE_CURRENT_LIST_DIR}/fuzz_ihex.c DEPS dfu_imgbuild
           CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpora/fuzz_ihex)
