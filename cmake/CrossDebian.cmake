# CrossDebian.cmake — included by the cmake/toolchain-*.cmake files: the part
# of a cross build with Debian's cross gcc that they all share.

# mote_cross_debian(PROCESSOR TRIPLE EMULATOR LAYOUT): build for Linux on
# PROCESSOR with TRIPLE-gcc (host programs stay the host's) and run the
# results with the qemu user emulator EMULATOR. LAYOUT says where the target's
# libraries are: SYSROOT — the cross sysroot /usr/TRIPLE only (the compiler's
# own libraries; enough for the kernel-only tests), which qemu runs with;
# MULTIARCH — Debian's multiarch directories (/usr/lib/TRIPLE, found by
# pkg-config there), run with the host's root as qemu's, whose glibc is the one
# those libraries were built against. A macro, so the settings land in the
# toolchain file's scope.
macro(mote_cross_debian processor triple emulator layout)
  set(CMAKE_SYSTEM_NAME Linux)
  set(CMAKE_SYSTEM_PROCESSOR ${processor})
  set(CMAKE_C_COMPILER ${triple}-gcc)
  set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
  if("${layout}" STREQUAL "SYSROOT")
    set(CMAKE_FIND_ROOT_PATH /usr/${triple})
    set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
    set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
    set(CMAKE_CROSSCOMPILING_EMULATOR ${emulator} -L /usr/${triple})
  elseif("${layout}" STREQUAL "MULTIARCH")
    set(CMAKE_LIBRARY_ARCHITECTURE ${triple})
    set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${triple}/pkgconfig:/usr/share/pkgconfig")
    set(ENV{PKG_CONFIG_PATH} "")
    set(CMAKE_CROSSCOMPILING_EMULATOR ${emulator} -L /)
  else()
    message(FATAL_ERROR "mote_cross_debian: LAYOUT must be SYSROOT or MULTIARCH, not '${layout}'")
  endif()
endmacro()
