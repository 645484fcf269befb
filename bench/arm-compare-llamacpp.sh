#!/usr/bin/env bash
# arm-compare-llamacpp.sh — the ARM whole-model proxy, mote vs llama.cpp:
# guest instructions and memory accesses per token of the whole forward pass,
# counted under qemu-user with the TCG plugin bench/arm/insn_count.c, for
# the Raspberry Pi CPUs, on the same synthetic GGUF files (`mote synth`).
# NOT part of CI: qemu with a counting plugin is slow (minutes per shape).
#
#   CPU (qemu -cpu)       mote (kernel set: chosen    llama.cpp cross-built with
#                         at start-up, as on a board)  (GGML_NATIVE=OFF)
#   cortex-a72 (aarch64)  neon                         GGML_CPU_ARM_ARCH=armv8-a          Pi 4 / 400
#   cortex-a76 (aarch64)  neon-dotprod                 GGML_CPU_ARM_ARCH=armv8.2-a+dotprod Pi 5
#   cortex-a7  (armhf)    neon (ARMv7)                 armv7-a, -mfpu=neon-vfpv4          Pi 2
#
# Work counted, one thread, like one `mote bench -r 1` test (a warm-up run and
# one timed run, each from an empty cache): mote runs `mote bench -p P -n G
# -r 1 -t 1`; llama.cpp runs bench/arm/llama_count.c (llama.cpp's C API, its
# default loading, so its CPU_REPACK buffers are used where it has them), which
# does the same two runs. Three runs per tool, (P1,G1), (P2,G1), (P1,G2), so
# that loading, repacking and set-up cancel:
#   prompt instructions / token = (count(P2,G1) - count(P1,G1)) / (2 (P2-P1))
#   generated          / token = (count(P1,G2) - count(P1,G1)) / (2 (G2-G1))
# What the proxy can and cannot tell: bench/RESULTS.md, "ARM whole-model proxy".
#
# Repeatable counts (bench/RESULTS.md, "22:00 UTC"): a count is exact only if
# the guest runs one thread and nothing in it depends on time or on where it
# was started. So every run here
#   - sees one CPU (one_cpu_root, bench/arm/plugin.sh): mote repacks the
#     weights at load on a pool of one thread per core whatever -t says, and
#     that pool's workers spin while they wait — a count that followed the
#     host's scheduling (±15 M instructions per run seen at 20:20 UTC);
#   - is refused unless the plugin saw exactly one guest thread ("threads 1");
#   - runs with address-space randomisation off and an empty environment
#     (insn_count, bench/arm/plugin.sh);
#   - runs mote with --energy-source none (a power sensor visible under /sys
#     would start the meter's sampling thread);
#   - uses fixed token ids (both tools) and fixed model files: the cached
#     ones of $MODELS when there, else `mote synth` with its fixed default seed.
# What still varies: a few hundred instructions per run (of 2 G), from
# printing numbers that are times (mote bench's t/s, its load progress line):
# well under 0.001 M per token.
#
# Needs: qemu-user, gcc/g++-aarch64-linux-gnu, gcc/g++-arm-linux-gnueabihf, the
# :arm64/:armhf libraries mote links (.ci/arm-e2e.sh installs them), cmake, a
# native mote ($MOTE_X86, for `mote synth`) and llama.cpp's source
# ($LLAMA_SRC, read only: built out of tree under $OUT/llama-*). Exits 77
# (skip) without them.
# usage: bench/arm-compare-llamacpp.sh [SHAPES] [TYPES] [CPUS]
#   defaults: "smollm2-135m qwen3-0.6b" "q4_0 q8_0 q4_k_m" "cortex-a72 cortex-a76 cortex-a7"
#   env: P1 P2 G1 G2 (default 8 16 1 3), PAR (runs at once, default 2), JOBS (build, default 2),
#        MODELS (default bench/.cache/models: files used as they are, by link),
#        TOOLS (default "mote llama"; one of them counts only that side, for a table made in steps)
# Prints a markdown table; the raw counts are kept in $OUT/counts.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${MOTE_ARMCMP_BUILD:-$ROOT/build-armcmp}
MOTE_ARM=${MOTE_ARM_BUILD:-$ROOT/build-arm}
X86=${MOTE_X86:-$ROOT/build/mote}
LLAMA_SRC=${LLAMA_SRC:-$ROOT/../llama/src}
LLAMA_BUILD=${LLAMA_BUILD:-$OUT/llama}   # build trees $LLAMA_BUILD-a72, -a76, -a7
SHAPES=${1:-smollm2-135m qwen3-0.6b}
TYPES=${2:-q4_0 q8_0 q4_k_m}
CPUS=${3:-cortex-a72 cortex-a76 cortex-a7}
P1=${P1:-8} P2=${P2:-16} G1=${G1:-1} G2=${G2:-3}
PAR=${PAR:-2}
TOOLS=${TOOLS:-mote llama}
MODELS=${MODELS:-$ROOT/bench/.cache/models}
JOBS=${JOBS:-2}
source "$ROOT/bench/arm/plugin.sh"
need_tools gcc aarch64-linux-gnu-g++ arm-linux-gnueabihf-g++ qemu-aarch64 qemu-arm cmake
[ -x "$X86" ] || { echo "SKIP: no native mote at $X86 (set MOTE_X86)" >&2; exit 77; }
[ -f "$LLAMA_SRC/include/llama.h" ] || { echo "SKIP: no llama.cpp source at $LLAMA_SRC (set LLAMA_SRC)" >&2; exit 77; }
build_insn_plugin "$OUT"
ONE_CPU=$(one_cpu_root "$OUT")   # the -L prefix of every run: static llama_count, multiarch mote

# arch_of CPU / triple_of ARCH: the mote build and the cross compilers of a CPU.
arch_of() { if [ "$1" = cortex-a7 ]; then echo armhf; else echo arm64; fi; }
triple_of() { if [ "$1" = armhf ]; then echo arm-linux-gnueabihf; else echo aarch64-linux-gnu; fi; }

# --- mote, cross-built as .ci/arm-e2e.sh builds it -------------------------------
for arch in $(for c in $CPUS; do arch_of "$c"; done | sort -u); do
  if [ ! -x "$MOTE_ARM/$arch/mote" ]; then
    tc=aarch64-multiarch; [ "$arch" = armhf ] && tc=armhf-multiarch
    cmake -S "$ROOT" -B "$MOTE_ARM/$arch" -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/toolchain-$tc.cmake" \
          -DCMAKE_BUILD_TYPE=Release -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON >/dev/null
    nice cmake --build "$MOTE_ARM/$arch" -j"$JOBS" --target mote >/dev/null
  fi
done

# --- llama.cpp, cross-built per CPU, CPU backend only, static -------------------
# build_llama CPU ARCH_FLAG EXTRA_C_FLAGS: configures $LLAMA_BUILD-CPU and builds
# its libraries, then links bench/arm/llama_count.c against them. Only the CPU
# backend (ggml-cpu) takes GGML_CPU_ARM_ARCH, so cortex-a76 takes libllama,
# libggml and libggml-base from the cortex-a72 tree when there is one.
build_llama() {
  local cpu=$1 march=$2 cflags=$3 arch triple dir=$LLAMA_BUILD-${1#cortex-} libs targets="llama ggml ggml-cpu"
  arch=$(arch_of "$cpu"); triple=$(triple_of "$arch"); libs=$dir
  if [ "$cpu" = cortex-a76 ] && [ -f "$LLAMA_BUILD-a72/src/libllama.a" ]; then libs=$LLAMA_BUILD-a72 targets=ggml-cpu; fi
  if [ ! -x "$dir/llama_count" ]; then
    cat >"$OUT/toolchain-$triple.cmake" <<EOT
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR $([ "$arch" = armhf ] && echo armv7l || echo aarch64))
set(CMAKE_C_COMPILER $triple-gcc)
set(CMAKE_CXX_COMPILER $triple-g++)
set(CMAKE_FIND_ROOT_PATH /usr/$triple)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
EOT
    cmake -S "$LLAMA_SRC" -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$OUT/toolchain-$triple.cmake" -DCMAKE_BUILD_TYPE=Release \
          -DGGML_NATIVE=OFF -DGGML_CPU_ARM_ARCH="$march" -DCMAKE_C_FLAGS="$cflags" -DCMAKE_CXX_FLAGS="$cflags" \
          -DBUILD_SHARED_LIBS=OFF -DGGML_OPENMP=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF \
          -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF >/dev/null
    # shellcheck disable=SC2086
    nice cmake --build "$dir" -j"$JOBS" --target $targets >/dev/null
    "$triple-gcc" -O2 -Wall -Wextra -c -I"$LLAMA_SRC/include" -I"$LLAMA_SRC/ggml/include" \
        -o "$dir/llama_count.o" "$ROOT/bench/arm/llama_count.c"
    "$triple-g++" -static -o "$dir/llama_count" "$dir/llama_count.o" "$libs/src/libllama.a" \
        "$libs/ggml/src/libggml.a" "$dir/ggml/src/libggml-cpu.a" "$libs/ggml/src/libggml-base.a" -lpthread -lm
  fi
}
for cpu in $CPUS; do
  [[ " $TOOLS " == *" llama "* ]] || break
  case $cpu in
    cortex-a72) build_llama "$cpu" armv8-a "-mtune=cortex-a72" ;;
    cortex-a76) build_llama "$cpu" armv8.2-a+dotprod "-mtune=cortex-a76" ;;
    cortex-a7) build_llama "$cpu" armv7-a "-mfpu=neon-vfpv4 -mtune=cortex-a7" ;;
    *) echo "unknown CPU $cpu" >&2; exit 2 ;;
  esac
done

# --- the same synthetic files for both -------------------------------------------
mkdir -p "$OUT/models" "$OUT/counts"
for shape in $SHAPES; do
  for type in $TYPES; do
    f=$OUT/models/$shape-$type.gguf
    if [ ! -s "$f" ] && [ -s "$MODELS/$shape-$type.gguf" ]; then ln -sf "$MODELS/$shape-$type.gguf" "$f"; fi
    [ -s "$f" ] || nice "$X86" synth --like "$shape" --type "$type" -o "$f" -q
  done
done

# count TOOL CPU SHAPE TYPE P G: writes "insns mem" of one run to $OUT/counts
# (kept: an interrupted table resumes where it stopped).
count() {
  local tool=$1 cpu=$2 shape=$3 type=$4 p=$5 g=$6 arch res out
  arch=$(arch_of "$cpu")
  res=$OUT/counts/$tool-$cpu-$shape-$type-p$p-g$g
  [ -s "$res" ] && return 0
  local model=$OUT/models/$shape-$type.gguf
  if [ "$tool" = mote ]; then
    out=$(insn_count "$OUT" "$arch" "$cpu" "$ONE_CPU" "$MOTE_ARM/$arch/mote" bench -m "$model" -p "$p" -n "$g" -r 1 -t 1 \
          --energy-source none -q) ||
      { echo "mote failed on $cpu $shape $type: $out" >&2; return 1; }
    grep -q "^kernels: " <<<"$out" && sed -n 's/^kernels: //p' <<<"$out" >"$res.kernels"
  else
    out=$(insn_count "$OUT" "$arch" "$cpu" "$ONE_CPU" "$LLAMA_BUILD-${cpu#cortex-}/llama_count" "$model" "$p" "$g") ||
      { echo "llama.cpp failed on $cpu $shape $type: $out" >&2; return 1; }
    # Which weights llama.cpp repacked for its ARM kernels: the size of its CPU_REPACK buffer.
    sed -n 's/.*CPU_REPACK model buffer size = *\([0-9.]*\) MiB.*/CPU_REPACK \1 MiB/p' <<<"$out" >"$res.kernels"
  fi
  if ! grep -q "^insns .* threads 1$" <<<"$out"; then
    echo "$tool on $cpu $shape $type p$p g$g: not one guest thread, or no count: $(grep "^insns " <<<"$out")" >&2
    return 1
  fi
  awk '/^insns /{print $2, $4}' <<<"$out" >"$res.tmp" && mv "$res.tmp" "$res"
}

# Every run, PAR at a time.
jobs_list=()
for cpu in $CPUS; do for shape in $SHAPES; do for type in $TYPES; do for tool in $TOOLS; do
  for pg in "$P1 $G1" "$P2 $G1" "$P1 $G2"; do jobs_list+=("$tool $cpu $shape $type $pg"); done
done; done; done; done
for j in "${jobs_list[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$PAR" ]; do wait -n || true; done
  # shellcheck disable=SC2086
  count $j &
done
wait

# per_token TOOL CPU SHAPE TYPE: prints "prompt_insns prompt_mem gen_insns gen_mem" per token.
per_token() {
  local base="$OUT/counts/$1-$2-$3-$4"
  read -r a_i a_m <"$base-p$P1-g$G1"; read -r b_i b_m <"$base-p$P2-g$G1"; read -r c_i c_m <"$base-p$P1-g$G2"
  echo $(((b_i - a_i) / (2 * (P2 - P1)))) $(((b_m - a_m) / (2 * (P2 - P1)))) \
       $(((c_i - a_i) / (2 * (G2 - G1)))) $(((c_m - a_m) / (2 * (G2 - G1))))
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "| CPU | shape | type | prompt: mote insns/tok | llama.cpp | mote ÷ llama.cpp (mem) | generation: mote insns/tok | llama.cpp | mote ÷ llama.cpp (mem) | mote kernels | llama.cpp repacked |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|---|---|"
for cpu in $CPUS; do for shape in $SHAPES; do for type in $TYPES; do
  if ! read -r mp mpm mg mgm < <(per_token mote "$cpu" "$shape" "$type" 2>/dev/null) ||
     ! read -r lp lpm lg lgm < <(per_token llama "$cpu" "$shape" "$type" 2>/dev/null); then
    echo "| $cpu | $shape | $type | (a run failed) | | | | | | | |"; continue
  fi
  k=$(cat "$OUT/counts/mote-$cpu-$shape-$type-p$P1-g$G1.kernels" 2>/dev/null || true)
  r=$(cat "$OUT/counts/llama-$cpu-$shape-$type-p$P1-g$G1.kernels" 2>/dev/null || true)
  printf '| %s | %s | %s | %d | %d | %s (%s) | %d | %d | %s (%s) | %s | %s |\n' "$cpu" "$shape" "$type" \
    "$mp" "$lp" "$(ratio "$mp" "$lp")" "$(ratio "$mpm" "$lpm")" "$mg" "$lg" "$(ratio "$mg" "$lg")" "$(ratio "$mgm" "$lgm")" \
    "$k" "${r:-none}"
done; done; done
