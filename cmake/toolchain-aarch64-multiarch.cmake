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
include(${CMAKE_CURRENT_LIST_DIR}/CrossDebian.cmake)
mote_cross_debian(aarch64 aarch64-linux-gnu qemu-aarch64 MULTIARCH)
