# install_hooks.cmake - run by `cmake --install` (install(SCRIPT) in
# CMakeLists.txt, after install(CODE) set FS_HOOKS_*): writes the alpm
# hooks with an Exec that names forksafe where this install puts it.
# CMAKE_INSTALL_PREFIX is this install's prefix (`--prefix`, else the
# configured one); DESTDIR only stages the files elsewhere, so it never
# appears in Exec (file(INSTALL) adds it to where the files go).

foreach(v FS_HOOKS_SRC FS_HOOKS_TMP FS_HOOKS_BINDIR FS_HOOKS_DATADIR)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "install_hooks.cmake: ${v} is not set")
  endif()
endforeach()

# A GNUInstallDirs directory: absolute as given, else under the prefix.
function(fs_install_dir out dir)
  if(IS_ABSOLUTE "${dir}")
    set(full "${dir}")
  else()
    set(full "${CMAKE_INSTALL_PREFIX}/${dir}")
  endif()
  string(REGEX REPLACE "/+" "/" full "${full}")
  set(${out} "${full}" PARENT_SCOPE)
endfunction()

fs_install_dir(bindir "${FS_HOOKS_BINDIR}")
fs_install_dir(hookdir "${FS_HOOKS_DATADIR}/libalpm/hooks")
set(exec "${bindir}/forksafe")
# alpm splits Exec into words: a path with a space (Windows prefixes have
# them) or a quote goes in single quotes, where \' is a quote; there a
# backslash followed by a quote would be ambiguous, and a line break ends
# the line.
if(exec MATCHES "[\r\n\\]")
  message(FATAL_ERROR "forksafe: a hook's Exec line cannot name ${exec} (a line break or a backslash)")
endif()
if(exec MATCHES "^[A-Za-z0-9/._+:@%=,-]+$")
  set(FORKSAFE_EXEC "${exec}")
else()
  string(REPLACE "'" "\\'" quoted "${exec}")
  set(FORKSAFE_EXEC "'${quoted}'")
endif()

# Written to a directory of this run's own, so that two installs from the
# same build tree at once cannot read each other's half-written hooks.
string(RANDOM LENGTH 12 tag)
set(tmp "${FS_HOOKS_TMP}/install-${tag}")
foreach(h forksafe-guard forksafe-retire)
  configure_file("${FS_HOOKS_SRC}/${h}.hook.in" "${tmp}/${h}.hook" @ONLY)
endforeach()
file(INSTALL DESTINATION "${hookdir}" TYPE FILE
     FILES "${tmp}/forksafe-guard.hook" "${tmp}/forksafe-retire.hook")
file(REMOVE_RECURSE "${tmp}")
