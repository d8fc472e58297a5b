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

include("${CMAKE_CURRENT_LIST_DIR}/install_dirs.cmake")

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

# The hooks run forksafe through /bin/sh, which first asks the binary for
# its version: a binary that cannot start at all (removed, or a library it
# needs gone after a partial upgrade) then never breaks the transaction -
# one warning line and exit 0 - unless /etc/forksafe.conf (the root's:
# hooks run chrooted) says strict = yes (yes, true or 1, as config.c reads
# it); then one error line and exit 1.  A binary that starts decides the
# rest itself (exec: its exit status is the hook's).  The probe's output
# is captured, not sent to /dev/null: a bare --root may have no /dev.  The script holds no
# single quote and no backslash, so it sits in alpm's single quotes as is;
# $1 is the binary, $2 the hook's moment.
string(CONCAT guard [=[v=$("$1" --version 2>&1) && exec "$1" hook "$2"; ]=]
  [=[why="$1 cannot run (missing, or a library it needs is missing)"; ]=]
  [=[if grep -Eqs "^[[:space:]]*strict[[:space:]]*=[[:space:]]*(yes|true|1)[[:space:]]*(#.*)?$" /etc/forksafe.conf; ]=]
  [=[then echo "forksafe: error: $why; strict = yes in /etc/forksafe.conf"; exit 1; fi; ]=]
  [=[echo "forksafe: warning: $why: the $2 hook did nothing"]=])
set(FORKSAFE_HOOK_EXEC "/bin/sh -c '${guard}' forksafe ${FORKSAFE_EXEC}")

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
