# install_pc.cmake - run by `cmake --install` (install(SCRIPT) in
# CMakeLists.txt, after install(CODE) set FS_PC_*): writes forksafe.pc
# for the prefix of this install (`--prefix`, else the configured one), as
# install_hooks.cmake writes the hooks; DESTDIR only stages the files.

foreach(v FS_PC_SRC FS_PC_TMP FS_PC_VERSION FS_PC_LIBDIR FS_PC_INCLUDEDIR)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "install_pc.cmake: ${v} is not set")
  endif()
endforeach()

# pkg-config splits its flags at blanks and reads quotes and backslashes as
# a shell does: they are escaped with a backslash (pkg-config and pkgconf
# print them so).  '$' starts a variable, '#' a comment, a line break ends
# the line: a prefix with one of those cannot be written.
function(fs_pc_escape out path)
  if(path MATCHES "[\r\n$#]")
    message(FATAL_ERROR "forksafe: forksafe.pc cannot name the directory ${path} "
            "(a line break, '$' or '#')")
  endif()
  string(REGEX REPLACE "([ \t\\\"'])" "\\\\\\1" path "${path}")
  set(${out} "${path}" PARENT_SCOPE)
endfunction()

fs_pc_escape(FS_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
# a GNUInstallDirs directory: under ${prefix} when relative
foreach(d LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${FS_PC_${d}}")
    fs_pc_escape(FS_PC_${d}_FULL "${FS_PC_${d}}")
  else()
    set(FS_PC_${d}_FULL "\${prefix}/${FS_PC_${d}}")
  endif()
endforeach()

string(RANDOM LENGTH 12 tag)
set(tmp "${FS_PC_TMP}/install-${tag}")
configure_file("${FS_PC_SRC}" "${tmp}/forksafe.pc" @ONLY)
if(IS_ABSOLUTE "${FS_PC_LIBDIR}")
  set(pcdir "${FS_PC_LIBDIR}/pkgconfig")
else()
  set(pcdir "${CMAKE_INSTALL_PREFIX}/${FS_PC_LIBDIR}/pkgconfig")
endif()
file(INSTALL DESTINATION "${pcdir}" TYPE FILE FILES "${tmp}/forksafe.pc")
file(REMOVE_RECURSE "${tmp}")
