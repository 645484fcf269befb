#!/usr/bin/env bash
# run-arm-tests.sh — cross-compile the SIMD kernel test (tests/cross: the
# one-row kernels, panel kernels and stored panel layouts of every kernel
# set) for AArch64 and 32-bit ARMv7 and run it under qemu-user:
#   aarch64, -cpu max         NEON + dot product (both kernel sets checked)
#   aarch64, -cpu cortex-a53  NEON without dot product (the fallback path)
#   armhf,   -cpu cortex-a7   ARMv7 NEON (Raspberry Pi 2)
# Exits non-zero on any build failure or kernel mismatch; exits 77 (skip)
# if the cross compilers or qemu are not installed.
# Needs: gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf (with their libc6-dev
# cross packages) and qemu-user.  Build trees go to $MOTE_CROSS_BUILD
# (default: build-cross/ in the repository).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${MOTE_CROSS_BUILD:-$ROOT/build-cross}
JOBS=${JOBS:-2}
# The fixture models, if present, are checked too (tensor rows of every type).
FIX=${MOTE_FIXTURES:-$ROOT/../shared/fixtures}
FIXARGS=()
if [ -f "$FIX/models/llama-tiny-q4_0.gguf" ]; then FIXARGS=(--fixtures "$FIX"); else echo "note: no fixtures at $FIX, random rows only"; fi

for tool in aarch64-linux-gnu-gcc arm-linux-gnueabihf-gcc qemu-aarch64 qemu-arm cmake; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool not installed (apt-get install qemu-user gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf)"
    exit 77
  fi
done

build() { # name toolchain
  cmake -S "$ROOT/tests/cross" -B "$OUT/$1" -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/toolchain-$2.cmake" \
        -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$OUT/$1" -j"$JOBS" >/dev/null
}

status=0
run() { # label command...
  echo "== $1"
  shift
  if ! "$@"; then echo "== FAILED"; status=1; fi
}

build aarch64 aarch64
build armhf armhf
run "aarch64 -cpu max (dotprod)" qemu-aarch64 -cpu max -L /usr/aarch64-linux-gnu "$OUT/aarch64/kernel_check" \
    --expect neon --expect neon-dotprod "${FIXARGS[@]}"
run "aarch64 -cpu cortex-a53 (no dotprod)" qemu-aarch64 -cpu cortex-a53 -L /usr/aarch64-linux-gnu \
    "$OUT/aarch64/kernel_check" --expect neon "${FIXARGS[@]}"
run "armhf -cpu cortex-a7" qemu-arm -cpu cortex-a7 -L /usr/arm-linux-gnueabihf "$OUT/armhf/kernel_check" --expect neon "${FIXARGS[@]}"
exit $status
