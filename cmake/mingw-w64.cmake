# CMake toolchain file: cross-compile for 64-bit Windows with Debian's
# mingw-w64 (gcc-mingw-w64-x86-64) and run target .exe files under Wine.
#
#   cmake -S . -B build-win -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64.cmake \
#         -DSXSFIX_WIN_PREFIX="$(scripts/win-deps.sh | tail -1)"
#
# SXSFIX_WIN_PREFIX (cache variable, or environment variable of the same name)
# is the prefix of static dependencies built by scripts/win-deps.sh.

set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(_mingw x86_64-w64-mingw32)
set(CMAKE_C_COMPILER   ${_mingw}-gcc)
set(CMAKE_CXX_COMPILER ${_mingw}-g++)
set(CMAKE_RC_COMPILER  ${_mingw}-windres)

# Dependency prefix: -DSXSFIX_WIN_PREFIX=... wins over $ENV{SXSFIX_WIN_PREFIX}.
# Toolchain files are re-read by try_compile(); forward the variable to them.
if(NOT SXSFIX_WIN_PREFIX AND DEFINED ENV{SXSFIX_WIN_PREFIX})
  set(SXSFIX_WIN_PREFIX "$ENV{SXSFIX_WIN_PREFIX}")
endif()
set(SXSFIX_WIN_PREFIX "${SXSFIX_WIN_PREFIX}" CACHE PATH
    "Prefix of the mingw-w64 static dependencies (scripts/win-deps.sh)")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES SXSFIX_WIN_PREFIX)

# Search only the target's roots for libraries, headers and packages;
# build-time programs (cmake, pkg-config, ...) come from the host.
set(CMAKE_FIND_ROOT_PATH /usr/${_mingw})
if(SXSFIX_WIN_PREFIX)
  list(PREPEND CMAKE_FIND_ROOT_PATH "${SXSFIX_WIN_PREFIX}")
endif()
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg_check_modules() must see the Windows .pc files, never the host's.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/${_mingw}/lib/pkgconfig")
if(SXSFIX_WIN_PREFIX)
  set(ENV{PKG_CONFIG_LIBDIR} "${SXSFIX_WIN_PREFIX}/lib/pkgconfig:$ENV{PKG_CONFIG_LIBDIR}")
endif()

# Run target executables (ctest, add_custom_command) with Wine's real 64-bit
# loader; the /usr/bin/wine* wrappers are scripts that may pick wine32.
if(EXISTS /usr/lib/wine/wine64)
  set(SXSFIX_WINE /usr/lib/wine/wine64 CACHE FILEPATH "Wine loader for target .exe files")
else()
  find_program(SXSFIX_WINE NAMES wine64 wine)
endif()
if(SXSFIX_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${SXSFIX_WINE}")
endif()
