# install_setup_scripts.cmake - run by `cmake --install` (install(SCRIPT)
# in CMakeLists.txt, after install(CODE) set FS_SETUP_*): writes Cygwin
# setup.exe's perpetual scripts (pkg-scripts/cygwin/*.dash.in) for the
# prefix of THIS install, as install_hooks.cmake writes the alpm hooks:
# into SYSCONFDIR/preremove (0p_*) and SYSCONFDIR/postinstall (zp_*),
# naming BINDIR/forksafe.exe and SYSCONFDIR/forksafe.conf, where SYSCONFDIR
# is what GNUInstallDirs makes of CMAKE_INSTALL_SYSCONFDIR for that prefix
# (/usr: /etc, where setup.exe looks).  A configure-time
# CMAKE_INSTALL_FULL_SYSCONFDIR would name the configured prefix's
# directory whatever `--prefix` says.  DESTDIR only stages the files: it
# never appears in them.  Also runs alone (tests/integration/test_pkgscripts.sh):
#   cmake -DCMAKE_INSTALL_PREFIX=P -DFS_SETUP_...=... -P install_setup_scripts.cmake

foreach(v CMAKE_INSTALL_PREFIX FS_SETUP_SRC FS_SETUP_TMP FS_SETUP_BINDIR FS_SETUP_EXE
          FS_SETUP_SYSCONFDIR)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "install_setup_scripts.cmake: ${v} is not set")
  endif()
endforeach()

include("${CMAKE_CURRENT_LIST_DIR}/install_dirs.cmake")

# One word of POSIX sh: in single quotes, where nothing is special but the
# quote itself ('\'' ends, adds and reopens).  A line break would survive
# but is refused: setup.exe's logs and every reader take lines.
function(fs_sh_quote out s)
  if(s MATCHES "[\r\n]")
    message(FATAL_ERROR "forksafe: a setup.exe script cannot name ${s} (a line break)")
  endif()
  string(REPLACE "'" "'\\''" s "${s}")
  set(${out} "'${s}'" PARENT_SCOPE)
endfunction()

fs_install_dir(bindir "${FS_SETUP_BINDIR}")
fs_install_sysconfdir(sysconfdir "${FS_SETUP_SYSCONFDIR}")
fs_sh_quote(FORKSAFE_PROGRAM "${bindir}/${FS_SETUP_EXE}")
fs_sh_quote(FORKSAFE_CONFIG "${sysconfdir}/forksafe.conf")

# Written to a directory of this run's own (two installs at once from one
# build tree never read each other's half-written scripts).
string(RANDOM LENGTH 12 tag)
set(tmp "${FS_SETUP_TMP}/install-${tag}")
file(GLOB templates "${FS_SETUP_SRC}/*.dash.in")
if(NOT templates)
  message(FATAL_ERROR "install_setup_scripts.cmake: no *.dash.in in ${FS_SETUP_SRC}")
endif()
foreach(t ${templates})
  get_filename_component(name "${t}" NAME)
  string(REGEX REPLACE "\\.in$" "" name "${name}")
  # setup.exe runs /etc/preremove/0p_* before anything is removed and
  # /etc/postinstall/zp_* after every other postinstall script
  if(name MATCHES "^0p_")
    set(dir "${sysconfdir}/preremove")
  elseif(name MATCHES "^zp_")
    set(dir "${sysconfdir}/postinstall")
  else()
    message(FATAL_ERROR "install_setup_scripts.cmake: ${name}: neither a 0p_ nor a zp_ script")
  endif()
  configure_file("${t}" "${tmp}/${name}" @ONLY)
  file(INSTALL DESTINATION "${dir}" TYPE FILE FILES "${tmp}/${name}")
endforeach()
file(REMOVE_RECURSE "${tmp}")
