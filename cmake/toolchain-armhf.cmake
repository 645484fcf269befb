# Cross-compiling for 32-bit ARMv7 hard-float (Raspberry Pi 2 class) with
# Debian's gcc-arm-linux-gnueabihf. The baseline stays Debian's armhf (VFPv3,
# no NEON assumed); only the NEON kernel file gets -mfpu=neon-vfpv4 and is
# chosen at run time. Binaries run under qemu-arm.
# Debian armhf defaults: -march=armv7-a+fp -mfpu=vfpv3-d16 -mfloat-abi=hard.
include(${CMAKE_CURRENT_LIST_DIR}/CrossDebian.cmake)
mote_cross_debian(armv7l arm-linux-gnueabihf qemu-arm SYSROOT)
