# Cross-compiling the whole of mote for 64-bit ARM (Raspberry Pi 3/4/5 and
# 400 with a 64-bit OS, arm64 VMs) against Debian's multiarch libraries:
#   dpkg --add-architecture arm64 && apt-get update
#   apt-get install gcc-aarch64-linux-gnu libpcre2-dev:arm64 libutf8proc-dev:arm64 ...
# (.ci/arm-e2e.sh installs the full list). Debian's cross gcc already searches
# /usr/include/aarch64-linux-gnu and /usr/lib/aarch64-linux-gnu; pkg-config is
# pointed at the arm64 .pc files here. Run the result with `qemu-aarch64 -L /`:
# the multiarch root, whose glibc is the one the libraries were built against
# (mixing it with the cross sysroot's glibc hangs threaded programs under qemu).
# The kernel-only test (tests/cross) uses toolchain-aarch64.cmake instead.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /)
