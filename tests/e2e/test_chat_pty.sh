#!/usr/bin/env bash
# test_chat_pty.sh — `mote chat` driven through a pseudo-terminal (chat_pty.py):
# three turns, /set temperature 0, /show, /clear, Ctrl-C during an answer and at
# the prompt, Ctrl-D. Needs python3 (for its pty module) and the fixtures.
set -euo pipefail
MODEL="$MOTE_FIXTURES/models/qwen3-tiny-f32.gguf"
[ -f "$MODEL" ] || { echo "SKIP: fixtures not found at $MOTE_FIXTURES"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to drive a pseudo-terminal"; exit 77; }
# The history goes under a throw-away home: first the default place
# (~/.local/share/mote/history), then $XDG_DATA_HOME/mote/history.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home"
env -u XDG_DATA_HOME HOME="$tmp/home" MODEL="$MODEL" python3 "$MOTE_ROOT/tests/e2e/chat_pty.py"
[ -f "$tmp/home/.local/share/mote/history" ] || { echo "FAIL: no ~/.local/share/mote/history"; exit 1; }
HOME="$tmp/home" XDG_DATA_HOME="$tmp/xdg" MODEL="$MODEL" python3 "$MOTE_ROOT/tests/e2e/chat_pty.py"
[ -f "$tmp/xdg/mote/history" ] || { echo "FAIL: no \$XDG_DATA_HOME/mote/history"; exit 1; }
