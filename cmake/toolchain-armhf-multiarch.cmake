# Cross-compiling the whole of mote for 32-bit ARMv7 with NEON (Raspberry Pi
# 2/3/4/5 and Zero 2 running a 32-bit OS) against Debian's multiarch
# libraries:
#   dpkg --add-architecture armhf && apt-get update
#   apt-get install gcc-arm-linux-gnueabihf libpcre2-dev:armhf libutf8proc-dev:armhf ...
# (.ci/arm-e2e.sh installs the full list). Tuned for the Pi 2's Cortex-A7
# with NEON-VFPv4 everywhere (not only in the kernel file, as the
# Debian-baseline toolchain-armhf.cmake of the kernel-only test does): every
# Pi that runs a 32-bit ARMv7 OS has them; ARMv6 boards (Pi 1, Zero) do not
# and are not a target. Run the result with `qemu-arm -L /`: the multiarch
# root, whose glibc is the one the libraries were built against.
include(${CMAKE_CURRENT_LIST_DIR}/CrossDebian.cmake)
mote_cross_debian(armv7l arm-linux-gnueabihf qemu-arm MULTIARCH)
set(CMAKE_C_FLAGS_INIT "-mcpu=cortex-a7 -mfpu=neon-vfpv4 -mfloat-abi=hard")
