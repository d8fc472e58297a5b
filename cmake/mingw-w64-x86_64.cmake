# Cross build for 64-bit Windows with Debian's mingw-w64 (gcc-mingw-w64-x86-64):
#   cmake -S . -B build-win -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake
# Tests then run under Wine (wine64), see tests/win32/.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(FS_MINGW_TRIPLET x86_64-w64-mingw32)

set(CMAKE_C_COMPILER ${FS_MINGW_TRIPLET}-gcc)
set(CMAKE_RC_COMPILER ${FS_MINGW_TRIPLET}-windres)
set(CMAKE_FIND_ROOT_PATH /usr/${FS_MINGW_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Test programs run through Wine's 64-bit loader.
find_program(FS_WINE64 NAMES wine64 PATHS /usr/lib/wine NO_DEFAULT_PATH)
if(NOT FS_WINE64)
  find_program(FS_WINE64 NAMES wine64 wine)
endif()
if(FS_WINE64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${FS_WINE64})
endif()
