# e2e_lib.sh — sourced by the tests/e2e/test_*.sh tests: the preamble they
# share (the binary, the fixtures, a temporary directory removed on exit, the
# story text, a machine without sensors). Not a test itself (no test_ prefix,
# so tests/CMakeLists.txt does not register it).

# need_mote: $MOTE (set by ctest) must be an executable; otherwise the test
# fails (status 1), never skips — a wrong binary path is an error to see.
need_mote() {
    [ -n "${MOTE:-}" ] && [ -x "$MOTE" ] || { echo "FAIL: MOTE='${MOTE:-}' is not an executable mote binary" >&2; exit 1; }
}

# need_fixtures: sets F to $MOTE_FIXTURES; exits 77 (ctest's skip) when the
# fixtures (their README.md) are not there.
need_fixtures() {
    F="${MOTE_FIXTURES:-}"
    [ -f "$F/README.md" ] || { echo "SKIP: fixtures not found at '$F' (set MOTE_FIXTURES)"; exit 77; }
}

# need_python_module MODULE PACKAGE: exits 77 (skip) when python3 cannot
# import MODULE, naming the Debian PACKAGE that provides it.
need_python_module() {
    python3 -c "import $1" 2>/dev/null || { echo "SKIP: $2 is not installed"; exit 77; }
}

# make_tmp [CLEANUP]: sets tmp to a new temporary directory that is removed
# when the script exits, after running the shell command CLEANUP if given
# (e.g. cleanup_server from serve_lib.sh).
make_tmp() {
    tmp=$(mktemp -d)
    trap "${1:+$1; }"'rm -rf "$tmp"' EXIT
}

# story_text: sets text to the fixtures' stories.txt, or (without fixtures)
# to a file in $tmp of one story sentence repeated 60 times. Needs make_tmp.
story_text() {
    if [ -f "${MOTE_FIXTURES:-/nonexistent}/text/stories.txt" ]; then
        text="$MOTE_FIXTURES/text/stories.txt"
        return
    fi
    for _ in $(seq 60); do echo "Once upon a time, there was a little girl named Lily. She liked to play in the park."; done >"$tmp/text.txt"
    text="$tmp/text.txt"
}

# no_sensors: points mote's power readers at an empty sysfs in $tmp and at no
# vcgencmd, so the energy comes from the declared model, the same on every
# machine. Needs make_tmp.
no_sensors() {
    mkdir -p "$tmp/sys"
    export MOTE_SYSFS_ROOT="$tmp/sys" MOTE_VCGENCMD=/nonexistent
}

# Soft failures, for tests that go on after a failed check and exit with
# $fail at the end: err MESSAGE, and check NAME SHELL-EXPRESSION (evaluated;
# "ok: NAME" when true).
fail=0
err() { echo "FAIL: $*"; fail=1; }
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }
