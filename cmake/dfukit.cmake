# Helpers shared by every component's CMakeLists.txt.

# dfu_library(NAME SOURCES... [DEPS ...])
# A static library of one component, with the public headers in include/.
function(dfu_library name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${A_SOURCES})
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/include
                                     PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  if(A_DEPS)
    target_link_libraries(${name} PUBLIC ${A_DEPS})
  endif()
endfunction()

# dfu_program(NAME SOURCES... [DEPS ...]): a program in bin/.
function(dfu_program name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/include ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${A_DEPS})
endfunction()

# dfu_cmocka_test(NAME SOURCES... [DEPS ...] [TIMEOUT s] [LABELS ...])
# A cmocka unit test registered with CTest. Tests find the upstream vectors through
# DFU_VECTORS_DIR and a scratch folder through DFU_TEST_TMP (both compile definitions), and read
# them with tf_read_file() (tests/common/test_files.h).
# The scratch folder exists before any test runs (tests run in parallel, in any order).
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/testtmp)

function(dfu_cmocka_test name)
  cmake_parse_arguments(A "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${A_SOURCES} ${CMAKE_SOURCE_DIR}/tests/common/test_files.c)
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/tests/common
                                             ${CMAKE_CURRENT_SOURCE_DIR})
  target_compile_definitions(${name} PRIVATE DFU_VECTORS_DIR="${DFU_VECTORS_DIR}"
                                             DFU_TEST_TMP="${CMAKE_BINARY_DIR}/testtmp")
  target_link_libraries(${name} PRIVATE ${A_DEPS} PkgConfig::CMOCKA)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME ${name} COMMAND ${name})
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${A_TIMEOUT})
  if(A_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${A_LABELS}")
  endif()
endfunction()

# dfu_script_test(NAME SCRIPT [ARGS ...] [TIMEOUT s])
# A shell test (end-to-end). The script gets BIN (programs), VECTORS, TMP, SRC and GUIDE_SCRIPT
# (empty unless the build was given one) in its environment and must exit non-zero on failure.
function(dfu_script_test name script)
  cmake_parse_arguments(A "" "TIMEOUT" "ARGS" ${ARGN})
  add_test(NAME ${name} COMMAND sh ${script} ${A_ARGS})
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${A_TIMEOUT}
    ENVIRONMENT "BIN=${CMAKE_BINARY_DIR}/bin;VECTORS=${DFU_VECTORS_DIR};GUIDE_SCRIPT=${DFU_GUIDE_SCRIPT};TMP=${CMAKE_BINARY_DIR}/testtmp/${name};SRC=${CMAKE_SOURCE_DIR}")
endfunction()

# dfu_fuzzer(NAME SOURCE file.c DEPS ... CORPUS dir)
# With DFU_FUZZ (clang): a libFuzzer binary in bin/. Otherwise: the same harness linked with a
# standalone driver that replays every file of the corpus, run by CTest under the sanitizers.
function(dfu_fuzzer name)
  cmake_parse_arguments(A "" "SOURCE;CORPUS" "DEPS" ${ARGN})
  add_executable(${name} ${A_SOURCE})
  set_property(GLOBAL APPEND PROPERTY DFU_FUZZERS ${name})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/fuzz)
  target_link_libraries(${name} PRIVATE ${A_DEPS})
  if(DFU_FUZZ)
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  else()
    target_sources(${name} PRIVATE ${CMAKE_SOURCE_DIR}/fuzz/standalone_driver.c)
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
    if(DFU_TESTS)
      add_test(NAME ${name}_corpus COMMAND ${name} ${A_CORPUS})
    endif()
  endif()
endfunction()
