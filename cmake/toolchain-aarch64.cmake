# Cross-compiling for 64-bit ARM (AArch64) with Debian's gcc-aarch64-linux-gnu.
# Used by tests/cross/run-arm-tests.sh; binaries run under qemu-aarch64.
include(${CMAKE_CURRENT_LIST_DIR}/CrossDebian.cmake)
mote_cross_debian(aarch64 aarch64-linux-gnu qemu-aarch64 SYSROOT)
