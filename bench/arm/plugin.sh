# plugin.sh — sourced by the ARM proxy scripts (bench/arm-insn-proxy.sh,
# bench/arm-compare-llamacpp.sh, bench/arm-profile.sh): checks their tools,
# builds the counting plugin once and runs a program under qemu-user with it.

# need_tools TOOL...: exits 77 (the skip code) naming the first one missing.
need_tools() {
  local tool
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null; then echo "SKIP: $tool not installed" >&2; exit 77; fi
  done
}

# build_insn_plugin DIR: compiles bench/arm/insn_count.c to DIR/insn_count.so
# (the host's gcc: the plugin is loaded by the x86 qemu, not by the guest).
build_insn_plugin() {
  mkdir -p "$1"
  gcc -O2 -shared -fPIC -Wall -Wextra -o "$1/insn_count.so" "$(dirname "${BASH_SOURCE[0]}")/insn_count.c"
}

# one_cpu_root DIR: prints DIR/one-cpu, a qemu -L prefix that holds only
# sys/devices/system/cpu/online = "0". qemu-user looks a guest's absolute
# paths up under its -L prefix first and falls back to the host's, so the
# guest sees the host's files (and its multiarch libraries) except that one:
# glibc's sysconf(_SC_NPROCESSORS_ONLN) and mote's core count then say 1, and
# nothing in the guest starts a pool of workers sized by the machine (mote's
# load-time repacking does, whatever -t says). For static or multiarch (-L /)
# programs only: a cross sysroot's libraries are not found through it.
one_cpu_root() {
  mkdir -p "$1/one-cpu/sys/devices/system/cpu"
  echo 0 >"$1/one-cpu/sys/devices/system/cpu/online"
  echo "$1/one-cpu"
}

# insn_count PLUGIN_DIR ARCH CPU ROOT PROGRAM [ARGS...]: runs PROGRAM under
# qemu (ARCH aarch64 or armhf, qemu -cpu CPU, libraries from ROOT) with the
# plugin; its output and stderr go to stdout, ending with "insns N mem N
# threads N". So that a count repeats exactly, the run does not depend on
# where it is started from: address-space randomisation off (setarch -R: the
# same addresses, so the same alignments and the same pointer-hash probes)
# and an empty environment (the stack starts at the same place) but PATH and
# MOTE_KERNELS when set.
insn_count() {
  local dir=$1 arch=$2 cpu=$3 root=$4 qemu=qemu-aarch64
  shift 4
  if [ "$arch" = armhf ]; then qemu=qemu-arm; fi
  setarch "$(uname -m)" -R env -i PATH="$PATH" ${MOTE_KERNELS:+MOTE_KERNELS="$MOTE_KERNELS"} \
    "$qemu" -cpu "$cpu" -L "$root" -plugin "$dir/insn_count.so" -d plugin "$@" 2>&1
}
