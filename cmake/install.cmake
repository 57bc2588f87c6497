# `make install`: imgtool, mcumgr and devsim in bin/, a man page and a bash completion for each
# in share/. Pages and completions are generated from the program's own help (the contract in
# scripts/help-contract.sh), so they cannot drift from --help. They are built by the `docs`
# target (not part of `all`: generation fails, naming the program, when one does not follow the
# contract); the root Makefile builds `docs` before `cmake --install`, and `make uninstall`
# removes what cmake --install recorded in install_manifest.txt (scripts/uninstall.sh).
include(GNUInstallDirs)

set(DFU_INSTALL_PROGRAMS imgtool mcumgr devsim)
set(dfu_doc_dir ${CMAKE_BINARY_DIR}/share)
set(dfu_docs)
foreach(prog ${DFU_INSTALL_PROGRAMS})
  if(NOT TARGET ${prog})
    message(FATAL_ERROR "install: no ${prog} target to install")
  endif()
  set(man ${dfu_doc_dir}/man/man1/${prog}.1)
  set(completion ${dfu_doc_dir}/bash-completion/completions/${prog})
  add_custom_command(OUTPUT ${man}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dfu_doc_dir}/man/man1
    COMMAND sh ${CMAKE_SOURCE_DIR}/scripts/gen-man.sh $<TARGET_FILE:${prog}> ${man}
               ${PROJECT_VERSION}
    DEPENDS ${prog} ${CMAKE_SOURCE_DIR}/scripts/gen-man.sh
            ${CMAKE_SOURCE_DIR}/scripts/help-contract.sh
    COMMENT "Generating the ${prog}(1) man page from ${prog}'s help" VERBATIM)
  add_custom_command(OUTPUT ${completion}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dfu_doc_dir}/bash-completion/completions
    COMMAND sh ${CMAKE_SOURCE_DIR}/scripts/gen-completion.sh $<TARGET_FILE:${prog}> ${completion}
    DEPENDS ${prog} ${CMAKE_SOURCE_DIR}/scripts/gen-completion.sh
            ${CMAKE_SOURCE_DIR}/scripts/help-contract.sh
    COMMENT "Generating the ${prog} bash completion from ${prog}'s help" VERBATIM)
  list(APPEND dfu_docs ${man} ${completion})
  install(TARGETS ${prog} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES ${man} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  install(FILES ${completion} DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/bash-completion/completions)
endforeach()
add_custom_target(docs DEPENDS ${dfu_docs})
