# Benchmark helpers (owner: bench), included from the root CMakeLists.txt. `make bench` runs
# bench/run.sh, which uses these programs; the smoke tests keep the bench scripts working.
if(DFU_FUZZ)
  return()
endif()

# Runs a command N times: median wall time and peak RSS (wait4's ru_maxrss).
dfu_program(bench_rusage SOURCES ${CMAKE_CURRENT_LIST_DIR}/rusage.c)

# sizeof the device-side state. ram_report_project.c sees the SMP buffer values dfu_server is
# built with; ram_report.c sees server.h's defaults (it does not link dfu_server).
dfu_program(bench_ram_report SOURCES ${CMAKE_CURRENT_LIST_DIR}/ram_report.c
            ${CMAKE_CURRENT_LIST_DIR}/ram_report_project.c DEPS PkgConfig::CBOR)
if(DEFINED DFU_SMP_BUF_SIZE AND DEFINED DFU_SMP_BUF_COUNT)
  set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/ram_report_project.c PROPERTIES
    COMPILE_DEFINITIONS "SMP_BUF_SIZE=${DFU_SMP_BUF_SIZE};SMP_BUF_COUNT=${DFU_SMP_BUF_COUNT}")
endif()

if(DFU_TESTS)
  dfu_script_test(bench_smoke ${CMAKE_CURRENT_LIST_DIR}/smoke.sh TIMEOUT 240)
endif()
