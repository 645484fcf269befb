#!/usr/bin/env bash
# arm-insn-proxy.sh — the ARM speed proxy: guest instructions and memory
# accesses per token of one matrix product, counted under qemu-user, for the
# Raspberry Pi CPUs mote targets and each of mote's roads (one-row vec_dot,
# panel kernels, stored panels). No board needed, and the counts do not
# depend on how busy this machine is.
#
#   CPU (qemu -cpu)       kernel set     stands for
#   cortex-a72 (aarch64)  neon           Raspberry Pi 4 / 400
#   cortex-a76 (aarch64)  neon-dotprod   Raspberry Pi 5
#   cortex-a7  (armhf)    neon           Raspberry Pi 2
#
# Workload (bench/arm/matmul_proxy.c): the FFN up matrix of each shape
# (smollm2-135m 576 x 1536, qwen3-0.6b 1024 x 3072, llama3.2-1b 2048 x 8192)
# with random weights, for a prompt of TOKENS tokens (default 16); the
# set-up (quantizing, load-time repacking) is counted by a run that stops
# there and subtracted. Counting: bench/arm/insn_count.c, a TCG plugin.
#
# What the proxy can and cannot tell: see bench/RESULTS.md, "ARM speed proxy".
# Needs: qemu-user gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf (with their
# libc6-dev cross packages), cmake; exits 77 (skip) without them.
# usage: bench/arm-insn-proxy.sh [TOKENS]   (prints a markdown table)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${MOTE_CROSS_BUILD:-$ROOT/build-cross}
TOKENS=${1:-16}
source "$ROOT/bench/arm/plugin.sh"
need_tools gcc aarch64-linux-gnu-gcc arm-linux-gnueabihf-gcc qemu-aarch64 qemu-arm cmake
build_insn_plugin "$OUT"
for arch in aarch64 armhf; do
  cmake -S "$ROOT/tests/cross" -B "$OUT/$arch" -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/toolchain-$arch.cmake" \
        -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$OUT/$arch" -j"${JOBS:-2}" --target matmul_proxy >/dev/null
done

# count ARCH CPU SET TYPE ROAD N ROWS: prints "insns mem" of one run (empty if the road does not exist)
count() {
  local sysroot=/usr/aarch64-linux-gnu
  if [ "$1" = armhf ]; then sysroot=/usr/arm-linux-gnueabihf; fi
  local out
  out=$(MOTE_KERNELS=$3 insn_count "$OUT" "$1" "$2" "$sysroot" \
        "$OUT/$1/matmul_proxy" "$4" "$5" "$6" "$7" "$TOKENS") || return 0
  grep -q "^kernels $3 " <<<"$out" || { echo "kernel set $3 not in use on $2: $out" >&2; exit 1; }
  awk '/^insns /{print $2, $4}' <<<"$out"
}

echo "| CPU (set) | type | shape (n x rows) | road | instructions / token | memory accesses / token |"
echo "|---|---|---|---|---:|---:|"
for cfg in "aarch64 cortex-a72 neon" "aarch64 cortex-a76 neon-dotprod" "armhf cortex-a7 neon"; do
  read -r arch cpu set <<<"$cfg"
  for type in q4_0 q8_0 q4_K; do
    for shape in "smollm2-135m 576 1536" "qwen3-0.6b 1024 3072" "llama3.2-1b 2048 8192"; do
      read -r name n rows <<<"$shape"
      if [ "$type" = q4_K ] && [ $((n % 256)) -ne 0 ]; then continue; fi
      read -r base_i base_m <<<"$(count "$arch" "$cpu" "$set" "$type" none "$n" "$rows")"
      for road in row panel stored; do
        res=$(count "$arch" "$cpu" "$set" "$type" "$road" "$n" "$rows")
        [ -n "$res" ] || continue
        read -r i m <<<"$res"
        printf '| %s (%s) | %s | %s (%s x %s) | %s | %d | %d |\n' "$cpu" "$set" "$type" "$name" "$n" "$rows" \
               "$road" $(((i - base_i) / TOKENS)) $(((m - base_m) / TOKENS))
      done
    done
  done
done
