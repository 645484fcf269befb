#!/usr/bin/env bash
# test_package.sh — the Debian package and the install rules of the build
# that made $MOTE (its directory is the build tree):
#   - `cpack -G DEB` makes mote_VERSION_ARCH.deb whose Depends name the
#     libraries mote links (libc6, libpcre2, utf8proc, libedit, microhttpd,
#     cJSON, exttextcat) and whose Architecture is the target's;
#   - unpacked with `dpkg -x` into a scratch root, it holds usr/bin/mote, the
#     bundled model as usr/share/mote/models/stories260K.gguf, the docs and a
#     systemd unit for `mote serve` naming /usr/bin/mote, and no maintainer
#     script (so the unit is not enabled on install);
#   - that installed binary, run from another directory with no -m, writes
#     the same greedy text as the build's binary given the model;
#   - `cmake --install` into a prefix that is then moved elsewhere works the
#     same way, and so does the build tree's binary run from elsewhere.
# MOTE_RUNNER (e.g. "qemu-aarch64 -L /") runs a cross-built binary, and
# MOTE_DEB_ARCH names its Debian architecture (default: this machine's);
# .ci/arm-e2e.sh runs this test so for arm64 and armhf.
set -euo pipefail
ROOT=${MOTE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=$(cd "$(dirname "$MOTE")" && pwd)
read -r -a RUNNER <<<"${MOTE_RUNNER:-}"
ARCH=${MOTE_DEB_ARCH:-$(dpkg --print-architecture 2>/dev/null || true)}
for tool in cpack dpkg-deb dpkg-shlibdeps; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
[ -f "$BUILD/CPackConfig.cmake" ] || { echo "SKIP: $BUILD is not a CMake build tree of mote"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$BUILD" && cpack -G DEB -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; fail "cpack -G DEB failed"; }
deb=$(ls "$tmp"/pkg/mote_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || fail "no mote_*.deb in $(ls "$tmp/pkg")"
[ "$(dpkg-deb -f "$deb" Architecture)" = "$ARCH" ] || fail "Architecture: $(dpkg-deb -f "$deb" Architecture), not $ARCH"
case "$deb" in *"_$ARCH.deb") ;; *) fail "package file name $deb does not end in _$ARCH.deb" ;; esac
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libpcre2-8-0 libutf8proc2 libedit2 libmicrohttpd12 libcjson1 libexttextcat-2.0-0; do
    grep -q "\\b$lib\\b" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
echo "ok: $(basename "$deb"): Depends: $depends"

dpkg-deb -e "$deb" "$tmp/control"
for script in preinst postinst prerm postrm; do
    [ ! -e "$tmp/control/$script" ] || fail "the package has a $script script"
done
dpkg -x "$deb" "$tmp/root"
for f in usr/bin/mote usr/share/mote/models/stories260K.gguf usr/share/doc/mote/README.md usr/lib/systemd/system/mote.service; do
    [ -f "$tmp/root/$f" ] || fail "the package lacks /$f"
done
grep -q '^ExecStart=/usr/bin/mote serve ' "$tmp/root/usr/lib/systemd/system/mote.service" ||
    fail "the unit does not start /usr/bin/mote serve: $(grep ExecStart "$tmp/root/usr/lib/systemd/system/mote.service")"

# The reference: the build's binary, given the model.
"${RUNNER[@]}" "$MOTE" run -m "$ROOT/models/stories260K.gguf" -p "Once upon a time" -n 24 --temp 0 -t 1 >"$tmp/want.txt"
[ -s "$tmp/want.txt" ] || fail "the build's mote wrote nothing"
# run_from DIR BINARY: the default model, from a directory with no model in it.
run_from() {
    mkdir -p "$1"
    (cd "$1" && "${RUNNER[@]}" "$2" run -p "Once upon a time" -n 24 --temp 0 -t 1) >"$tmp/got.txt" 2>"$tmp/err" ||
        fail "$2 from $1: $(cat "$tmp/err")"
    cmp -s "$tmp/want.txt" "$tmp/got.txt" || fail "$2 from $1 wrote '$(cat "$tmp/got.txt")', not '$(cat "$tmp/want.txt")'"
}
run_from "$tmp/elsewhere" "$tmp/root/usr/bin/mote"
echo "ok: the unpacked package's mote runs the bundled model from another directory"

cmake --install "$BUILD" --prefix "$tmp/prefix" >/dev/null
mv "$tmp/prefix" "$tmp/moved"
run_from "$tmp/elsewhere" "$tmp/moved/bin/mote"
echo "ok: cmake --install, moved: mote finds ../share/mote/models"
run_from "$tmp/elsewhere" "$MOTE"
echo "ok: the build tree's mote finds its model from another directory"
