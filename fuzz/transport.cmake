# Serial deframer (plus line buffers, raw UART and BLE reassembly) on arbitrary bytes.
dfu_fuzzer(fuzz_deframe SOURCE ${CMAKE_CURRENT_LIST_DIR}/fuzz_deframe.c DEPS dfu_transport
           CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpora/fuzz_deframe)
