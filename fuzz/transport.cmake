# Serial deframer (plus line buffers, raw UART and BLE reassembly) on arbitrary bytes.
dfu_fuzzer(fuzz_deframe SOURCE ${CMAKE_CURRENT_LIST_DIR}/fuzz_deframe.c DEPS dfu_transport
           CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpora/fuzz_deframe)
# The serial SMP transport: line buffers of any size, packets sent back and read back.
dfu_fuzzer(fuzz_smp_uart SOURCE ${CMAKE_CURRENT_LIST_DIR}/fuzz_smp_uart.c DEPS dfu_smp_uart
           CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpora/fuzz_smp_uart)
