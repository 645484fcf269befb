# plugin.sh — sourced by the ARM proxy scripts (bench/arm-insn-proxy.sh,
# bench/arm-compare-llamacpp.sh): builds the counting plugin once and runs a
# program under qemu-user with it.

# build_insn_plugin DIR: compiles bench/arm/insn_count.c to DIR/insn_count.so
# (the host's gcc: the plugin is loaded by the x86 qemu, not by the guest).
build_insn_plugin() {
  mkdir -p "$1"
  gcc -O2 -shared -fPIC -Wall -Wextra -o "$1/insn_count.so" "$(dirname "${BASH_SOURCE[0]}")/insn_count.c"
}

# insn_count PLUGIN_DIR ARCH CPU ROOT PROGRAM [ARGS...]: runs PROGRAM under
# qemu (ARCH aarch64 or armhf, qemu -cpu CPU, libraries from ROOT) with the
# plugin; its output and stderr go to stdout, ending with "insns N mem N".
insn_count() {
  local dir=$1 arch=$2 cpu=$3 root=$4 qemu=qemu-aarch64
  shift 4
  if [ "$arch" = armhf ]; then qemu=qemu-arm; fi
  "$qemu" -cpu "$cpu" -L "$root" -plugin "$dir/insn_count.so" -d plugin "$@" 2>&1
}
