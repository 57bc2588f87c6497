# Helpers shared by every component's CMakeLists.txt.

# dfu_library(NAME DEVICE|HOST SOURCES... [DEPS ...])
# The static library of one folder, with the public headers in include/, on one side of the
# device/host line. A DEVICE library runs on the microcontroller: it links only device
# libraries, ports (dfu_port_binding) and DFU_DEVICE_EXTERNAL (dfu_check_sides), and its sources
# include no host header (scripts/check-device-side.sh, CTest layout_device_side).
function(dfu_library name)
  cmake_parse_arguments(A "DEVICE;HOST" "" "SOURCES;DEPS" ${ARGN})
  if(A_DEVICE AND A_HOST)
    message(FATAL_ERROR "dfu_library(${name}): DEVICE or HOST, not both")
  endif()
  add_library(${name} STATIC ${A_SOURCES})
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/include
                                     PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  if(A_DEPS)
    target_link_libraries(${name} PUBLIC ${A_DEPS})
  endif()
  # Unmarked: dfu_check_sides refuses it (a project that does not check, such as a device-only
  # cross build, may leave it).
  set(side unmarked)
  if(A_DEVICE)
    set(side device)
  elseif(A_HOST)
    set(side host)
  endif()
  set_target_properties(${name} PROPERTIES DFU_SIDE ${side} DFU_DEPS "${A_DEPS}"
                                           DFU_FOLDER ${CMAKE_CURRENT_SOURCE_DIR})
  set_property(GLOBAL APPEND PROPERTY DFU_LIBRARIES ${name})
endfunction()

# dfu_port_binding(NAME BACKEND): a port that device libraries link (e.g. dfu_crypto_port for
# include/dfukit/crypto.h), bound at link time to the build's backend library, which may be a
# host one (the OpenSSL backend) or a device one (a target's crypto).
function(dfu_port_binding name backend)
  add_library(${name} INTERFACE)
  target_link_libraries(${name} INTERFACE ${backend})
  set_target_properties(${name} PROPERTIES DFU_SIDE port)
endfunction()

# The crypto port (include/dfukit/crypto.h) that device libraries link, bound to the project's
# backend: dfu_crypto (OpenSSL in the host build, a target's own in a device build) unless
# DFU_CRYPTO_BACKEND names another library.
if(NOT DFU_CRYPTO_BACKEND)
  set(DFU_CRYPTO_BACKEND dfu_crypto)
endif()
if(NOT TARGET dfu_crypto_port)
  dfu_port_binding(dfu_crypto_port ${DFU_CRYPTO_BACKEND})
endif()

# Libraries from outside dfukit that a device library may link: none in the host build (the SMP
# core has its own CBOR head codec); a device build appends its own (the crypto library it
# builds from Debian's source for the target).
set(DFU_DEVICE_EXTERNAL "")

# dfu_check_sides(): after every folder is added, fails the configure step when a library is
# not marked DEVICE or HOST, or a device library links anything but device libraries, ports and
# DFU_DEVICE_EXTERNAL. Sets
# DFU_DEVICE_FOLDERS (in the caller's scope) to the device libraries' folders.
function(dfu_check_sides)
  get_property(libs GLOBAL PROPERTY DFU_LIBRARIES)
  set(folders "")
  foreach(lib ${libs})
    get_target_property(side ${lib} DFU_SIDE)
    if(side STREQUAL "unmarked")
      message(FATAL_ERROR "dfu_library(${lib}): say DEVICE or HOST (the side of the device/host "
                          "line its folder is on)")
    endif()
    if(NOT side STREQUAL "device")
      continue()
    endif()
    get_target_property(folder ${lib} DFU_FOLDER)
    list(APPEND folders ${folder})
    get_target_property(deps ${lib} DFU_DEPS)
    foreach(dep ${deps})
      if(dep IN_LIST DFU_DEVICE_EXTERNAL)
        continue()
      endif()
      set(dep_side "not a dfukit library")
      if(TARGET ${dep})
        get_target_property(dep_side ${dep} DFU_SIDE)
      endif()
      if(NOT dep_side STREQUAL "device" AND NOT dep_side STREQUAL "port")
        set(allowed "device libraries and ports")
        if(DFU_DEVICE_EXTERNAL)
          string(REPLACE ";" ", " ext "${DFU_DEVICE_EXTERNAL}")
          set(allowed "device libraries, ports and ${ext}")
        endif()
        message(FATAL_ERROR "device library ${lib} links ${dep} (${dep_side}): a device library "
                            "links only ${allowed}")
      endif()
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES folders)
  set(DFU_DEVICE_FOLDERS ${folders} PARENT_SCOPE)
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
