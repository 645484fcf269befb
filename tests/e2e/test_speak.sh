#!/usr/bin/env bash
# test_speak.sh — spoken answers. --speak-wav FILE: libespeak-ng speaks the
# generated text into a WAV file, whose length must be plausible for the
# words printed (espeak-ng's default is 175 words a minute: between a third
# and three times that duration is accepted). --speak-cmd CMD: the program
# gets the text as sentences, one a line, that put together are the text
# printed. --speak with --speak-cmd, and an unwritable WAV, are one-line
# errors (status 2). Without libespeak-ng in the build the WAV check is
# skipped (--speak then says the build lacks it).
set -u
source "$(dirname "$0")/e2e_lib.sh"
need_mote; need_fixtures; make_tmp
M="$F/real/stories260K-f32.gguf"

"$MOTE" run "$M" --raw -p "Once upon a time" -n 60 --temp 0 --speak-cmd "cat > '$tmp/sentences'" >"$tmp/text" 2>"$tmp/e" ||
    err "--speak-cmd run failed: $(cat "$tmp/e")"
python3 - "$tmp/text" "$tmp/sentences" <<'PY' || err "--speak-cmd sentences do not make the text"
import sys
text = open(sys.argv[1]).read().split()
lines = [l for l in open(sys.argv[2]).read().split("\n") if l]
assert len(lines) >= 3, lines
for l in lines[:-1]:
    assert l.rstrip("\"')]")[-1] in ".!?", l
assert " ".join(" ".join(lines).split()) == " ".join(text), (lines, text)
print("ok: --speak-cmd got %d sentences" % len(lines))
PY
echo "Tell me a story." | "$MOTE" chat "$M" -p "Tell me a story." -n 30 --temp 0 --speak-cmd "cat > '$tmp/chat'" >"$tmp/ctext" 2>"$tmp/e" ||
    err "chat --speak-cmd failed: $(cat "$tmp/e")"
[ -s "$tmp/chat" ] || err "chat --speak-cmd spoke nothing"

"$MOTE" run "$M" -p hi --speak --speak-cmd cat >/dev/null 2>"$tmp/e"; rc=$?
[ $rc = 2 ] && [ "$(wc -l <"$tmp/e")" = 1 ] || err "--speak with --speak-cmd: status $rc, $(cat "$tmp/e")"

"$MOTE" run "$M" --raw -p "Once upon a time" -n 60 --temp 0 --speak-wav "$tmp/a.wav" >"$tmp/text" 2>"$tmp/e"; rc=$?
if grep -q "built without libespeak-ng" "$tmp/e"; then echo "SKIP: mote built without libespeak-ng"; exit $fail; fi
[ $rc = 0 ] || err "--speak-wav failed: $(cat "$tmp/e")"
python3 - "$tmp/a.wav" "$tmp/text" <<'PY' || err "the WAV file is not plausible"
import sys, wave
w = wave.open(sys.argv[1])
seconds = w.getnframes() / w.getframerate()
words = len(open(sys.argv[2]).read().split())
expected = words / 175 * 60
print("ok: %d words spoken in %.2f s (%.2f s at 175 words a minute), %d Hz mono" % (words, seconds, expected, w.getframerate()))
assert w.getnchannels() == 1 and w.getsampwidth() == 2
assert expected / 3 < seconds < expected * 3
PY
"$MOTE" run "$M" -p hi --speak-wav /nonexistent/dir/a.wav >/dev/null 2>"$tmp/e"; rc=$?
[ $rc = 2 ] && [ "$(wc -l <"$tmp/e")" = 1 ] || err "unwritable --speak-wav: status $rc, $(cat "$tmp/e")"
exit $fail
