# dfu_sim: board profiles, the app descriptor, the event loop, link emulation, the pty, the
# programming probe and the board runtime (device.c, serial.c, udp.c) that composes the
# bootloader core and the SMP server over the emulated flash. Host code.
set(dfu_sim_sources board.c app_desc.c loop.c link.c)
set(dfu_sim_deps dfu_flash dfu_util)
set(dfu_sim_runtime_deps dfu_hostio dfu_simflash dfu_imgbuild dfu_keys dfu_transport dfu_smp_uart dfu_server
                         dfu_port dfu_boot dfu_image dfu_smp)
set(dfu_sim_have_runtime ON)
foreach(dep ${dfu_sim_runtime_deps})
  if(NOT TARGET ${dep})
    set(dfu_sim_have_runtime OFF)
  endif()
endforeach()
if(dfu_sim_have_runtime)
  list(APPEND dfu_sim_sources pty.c probe.c serial.c udp.c device.c app_server.c run.c optrace.c recovery_view.c)
  list(APPEND dfu_sim_deps ${dfu_sim_runtime_deps})
else()
  message(STATUS "dfu_sim: board runtime not built yet (needs ${dfu_sim_runtime_deps})")
endif()
dfu_library(dfu_sim SOURCES ${dfu_sim_sources} DEPS ${dfu_sim_deps})
# tools/devsim and tests/devsim build only when the runtime is in.
set_property(TARGET dfu_sim PROPERTY DFU_SIM_RUNTIME ${dfu_sim_have_runtime})
