# Cross-compiling for 32-bit ARMv7 hard-float (Raspberry Pi 2 class) with
# Debian's gcc-arm-linux-gnueabihf. The baseline stays Debian's armhf (VFPv3,
# no NEON assumed); only the NEON kernel file gets -mfpu=neon-vfpv4 and is
# chosen at run time. Binaries run under qemu-arm.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(CMAKE_C_COMPILER arm-linux-gnueabihf-gcc)
# Debian armhf defaults: -march=armv7-a+fp -mfpu=vfpv3-d16 -mfloat-abi=hard.
set(CMAKE_FIND_ROOT_PATH /usr/arm-linux-gnueabihf)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm -L /usr/arm-linux-gnueabihf)
