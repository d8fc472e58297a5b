# install_dirs.cmake - included by the install-time scripts
# (install_hooks.cmake, install_setup_scripts.cmake): where a GNUInstallDirs
# directory lies for the prefix of THIS install (`cmake --install
# --prefix P`, else the configured one), not the configure-time
# CMAKE_INSTALL_FULL_<dir>, which names the configured prefix.

# fs_install_dir(OUT DIR): DIR as install(... DESTINATION DIR) puts files:
# absolute as given, else under the prefix.
function(fs_install_dir out dir)
  if(IS_ABSOLUTE "${dir}")
    set(full "${dir}")
  else()
    set(full "${CMAKE_INSTALL_PREFIX}/${dir}")
  endif()
  string(REGEX REPLACE "/+" "/" full "${full}")
  set(${out} "${full}" PARENT_SCOPE)
endfunction()

# fs_install_sysconfdir(OUT DIR): the configuration directory DIR
# (CMAKE_INSTALL_SYSCONFDIR, "etc" unless set) as GNUInstallDirs makes
# CMAKE_INSTALL_FULL_SYSCONFDIR, for this install's prefix: prefix / or
# /usr gives /etc, /opt/X gives /etc/opt/X (the FHS), any other P gives
# P/etc.
function(fs_install_sysconfdir out dir)
  set(p "${CMAKE_INSTALL_PREFIX}")
  if(IS_ABSOLUTE "${dir}")
    set(full "${dir}")
  elseif(p STREQUAL "/" OR p MATCHES "^/usr/?$")
    set(full "/${dir}")
  elseif(p MATCHES "^/opt/" AND NOT p MATCHES "^/opt/homebrew/")
    set(full "/${dir}${p}")
  else()
    set(full "${p}/${dir}")
  endif()
  string(REGEX REPLACE "/+" "/" full "${full}")
  string(REGEX REPLACE "(.)/$" "\\1" full "${full}")
  set(${out} "${full}" PARENT_SCOPE)
endfunction()
