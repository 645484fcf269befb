# npm_setup.sh — sourced by the tests that use JavaScript packages: makes sure
# the npm packages they need are in the build directory's node_modules
# ($NPM_DIR), installing them with `npm install --prefix` the first time.
# Skips the test (exit 77) when node or npm is missing or the install fails
# (no network), with a message saying so.
NPM_DIR="$(cd "$(dirname "$MOTE")" && pwd)/npm"
NPM_PACKAGES="ollama@0.6.4 openai@6.49.0 playwright-core@1.65.2"
need_npm_packages() { # need_npm_packages NAME...: the packages this test imports
    command -v node > /dev/null && command -v npm > /dev/null || { echo "SKIP: node and npm are needed (apt-get install nodejs npm)"; exit 77; }
    local missing=0
    for p in "$@"; do [ -d "$NPM_DIR/node_modules/$p" ] || missing=1; done
    [ "$missing" = 0 ] && return 0
    mkdir -p "$NPM_DIR"
    # shellcheck disable=SC2086
    if ! timeout 300 npm install --prefix "$NPM_DIR" --no-audit --no-fund --loglevel=error $NPM_PACKAGES > "$NPM_DIR/install.log" 2>&1; then
        echo "SKIP: npm install failed (no network?): $(tail -3 "$NPM_DIR/install.log")"
        exit 77
    fi
}
