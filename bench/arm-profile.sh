#!/usr/bin/env bash
# arm-profile.sh — the ARM proxy's profiler: where a whole model's prompt
# instructions go, by function. Runs one program twice under qemu-user with
# the counting plugin in profile mode (bench/arm/insn_count.c, profile=FILE),
# with a prompt of P1 and of P2 tokens (G generated tokens both times), and
# prints bench/arm/profile_report.py's table of the difference divided by
# 2 (P2 - P1): guest instructions per prompt token by function, as the
# prompt column of bench/arm-compare-llamacpp.sh counts them (two runs per
# process, a warm-up and a timed one, hence the 2). With GEN=1 the second
# run has G+2 generated tokens and P1 prompt tokens instead: the same per
# generated token.
# NOT part of CI (a smollm2 run takes about a minute under qemu).
#
# usage: bench/arm-profile.sh CPU MODEL.gguf [PROGRAM]
#   CPU      qemu -cpu: cortex-a72, cortex-a76 (aarch64) or cortex-a7 (armhf)
#   PROGRAM  a cross-built mote (default build-arm/arm64/mote or build-arm/armhf/mote,
#            as bench/arm-compare-llamacpp.sh builds them), or llama.cpp's
#            llama_count from that script's build trees
#   env: P1 P2 G (default 12 16 1), GEN, TOP (functions, default 25), BLOCKS
#        (hottest blocks listed, default 12), OUT (profiles kept, default build-armprof)
# Needs: qemu-user, python3, readelf (binutils); the :arm64/:armhf libraries mote links.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CPU=${1:?usage: bench/arm-profile.sh CPU MODEL.gguf [PROGRAM]}
MODEL=${2:?usage: bench/arm-profile.sh CPU MODEL.gguf [PROGRAM]}
arch=arm64 triple=aarch64-linux-gnu
if [ "$CPU" = cortex-a7 ]; then arch=armhf triple=arm-linux-gnueabihf; fi
PROGRAM=${3:-${MOTE_ARM_BUILD:-$ROOT/build-arm}/$arch/mote}
P1=${P1:-12} P2=${P2:-16} G=${G:-1} GEN=${GEN:-0}
OUT=${OUT:-$ROOT/build-armprof}
source "$ROOT/bench/arm/plugin.sh"
need_tools gcc python3 readelf qemu-aarch64 qemu-arm
[ -x "$PROGRAM" ] || { echo "no program at $PROGRAM (build it as bench/arm-compare-llamacpp.sh does)" >&2; exit 2; }
[ -f "$MODEL" ] || { echo "no model file $MODEL" >&2; exit 2; }
build_insn_plugin "$OUT"

# profile P G FILE: one run with the plugin in profile mode; prints its totals line.
profile() {
  local qemu=qemu-aarch64 args
  [ "$arch" = armhf ] && qemu=qemu-arm
  # mote takes its libraries (and their ld.so) from the :arm64/:armhf
  # packages under /, as bench/arm-compare-llamacpp.sh runs it (the cross
  # toolchain's ld.so with those libraries is a mismatch that can hang),
  # through the one-CPU root so that no pool of repack workers spins beside
  # the count, with the same fixed environment as insn_count (plugin.sh).
  local sysroot
  sysroot=$(one_cpu_root "$OUT")
  if [ "$(basename "$PROGRAM")" = llama_count ]; then args=("$MODEL" "$1" "$2") sysroot=/usr/$triple
  else args=(bench -m "$MODEL" -p "$1" -n "$2" -r 1 -t 1 -q --energy-source none); fi
  nice setarch "$(uname -m)" -R env -i PATH="$PATH" ${MOTE_KERNELS:+MOTE_KERNELS="$MOTE_KERNELS"} \
        "$qemu" -cpu "$CPU" -L "$sysroot" -plugin "$OUT/insn_count.so,profile=$3" -d plugin \
        "$PROGRAM" "${args[@]}" 2>&1 | grep "^insns " || { echo "run failed: P $1 G $2" >&2; return 1; }
}
tag=$(basename "$PROGRAM")-$CPU-$(basename "$MODEL" .gguf)
if [ "$GEN" = 1 ]; then
  a=("$P1" "$G") b=("$P1" $((G + 2))) per=4
else
  a=("$P1" "$G") b=("$P2" "$G") per=$((2 * (P2 - P1)))
fi
profile "${a[@]}" "$OUT/$tag-p${a[0]}-g${a[1]}.prof" >"$OUT/$tag-a.total" &
profile "${b[@]}" "$OUT/$tag-p${b[0]}-g${b[1]}.prof" >"$OUT/$tag-b.total"
wait
echo "$tag: per $( [ "$GEN" = 1 ] && echo generated || echo prompt ) token ((P${b[0]},G${b[1]}) − (P${a[0]},G${a[1]})) ÷ $per"
python3 "$ROOT/bench/arm/profile_report.py" --per "$per" --top "${TOP:-25}" --blocks "${BLOCKS:-12}" \
    "$OUT/$tag-p${a[0]}-g${a[1]}.prof" "$OUT/$tag-p${b[0]}-g${b[1]}.prof"
