#!/usr/bin/env python3
"""
chat_pty.py — drive `mote chat` through a pseudo-terminal, as a person would.

Used by test_chat_pty.sh: MOTE (the binary) and MODEL (a chat fixture) come
from the environment. The session: /set temperature 0, three turns (the first
answer must equal what batch mode answers to the same question), /show,
/clear, Ctrl-C during a long answer (the answer stops, the session goes on),
Ctrl-C at the prompt (a hint, not an exit), Ctrl-D (a clean exit).
Exits 0 on success, 1 with a message naming the failed step.
"""
import os
import pty
import select
import subprocess
import sys
import time

MOTE = os.environ["MOTE"]
MODEL = os.environ["MODEL"]
PROMPT = b">>> "


class Terminal:
    def __init__(self, argv):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ["TERM"] = "dumb"
            os.execv(argv[0], argv)
        self.out = b""
        self.mark = 0  # where the next expect() starts looking

    def read_some(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # the child closed the terminal
            return False
        self.out += data.replace(b"\r\n", b"\n")
        return bool(data)

    def expect(self, pattern, timeout=20.0, step=""):
        """Wait for `pattern` after the mark; return the text before it and move the mark past it."""
        deadline = time.time() + timeout
        while True:
            at = self.out.find(pattern, self.mark)
            if at >= 0:
                before = self.out[self.mark:at]
                self.mark = at + len(pattern)
                return before
            if time.time() > deadline or not self.read_some(min(0.2, max(0.0, deadline - time.time()))):
                if time.time() > deadline:
                    fail(f"{step}: did not see {pattern!r}; the screen ends with:\n"
                         f"{self.out[-600:].decode('utf-8', 'replace')}")

    def skip_repeat(self, pattern, timeout=2.0):
        """Skip a second copy of `pattern` right at the mark. Text typed while
        the line editor is not yet reading is echoed twice: once by the
        terminal (cooked mode), once by libedit when it reads it."""
        deadline = time.time() + timeout
        while len(self.out) - self.mark < len(pattern) and time.time() < deadline:
            if not self.read_some(0.05):
                if self.out[self.mark:] != pattern[:len(self.out) - self.mark]:
                    break
        if self.out.startswith(pattern, self.mark):
            self.mark += len(pattern)

    def send(self, data):
        time.sleep(0.1)  # let the line editor take the terminal first
        os.write(self.fd, data)

    def wait_exit(self, timeout=10.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            self.read_some(0.1)
        os.kill(self.pid, 9)
        fail("Ctrl-D: mote chat did not exit")


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def batch_answer(question):
    """What batch mode answers (unescaped), the reference for the first turn."""
    r = subprocess.run([MOTE, "chat", "-m", MODEL, "--temp", "0", "-n", "24"], input=(question + "\n").encode(),
                       capture_output=True, timeout=60)
    if r.returncode != 0:
        fail("batch mode failed: " + r.stderr.decode("utf-8", "replace"))
    line = r.stdout.rstrip(b"\n")
    out, i = bytearray(), 0
    while i < len(line):
        if line[i:i + 1] == b"\\" and i + 1 < len(line):
            out += {b"n": b"\n", b"r": b"\r", b"\\": b"\\"}[line[i + 1:i + 2]]
            i += 2
        else:
            out += line[i:i + 1]
            i += 1
    return bytes(out).replace(b"\r\n", b"\n")


def main():
    t = Terminal([MOTE, "chat", "-m", MODEL, "-n", "24", "-c", "4096"])
    t.expect(PROMPT, step="start")

    t.send(b"/set temperature 0\r")
    t.expect(b"Set parameter 'temperature' to '0'.", step="/set temperature 0")
    t.expect(PROMPT, step="/set")

    answers = []
    for q in (b"Hello", b"How are you?", b"Tell me more."):
        t.send(q + b"\r")
        t.expect(q + b"\n", step=f"echo of {q!r}")
        t.skip_repeat(q + b"\n")
        text = t.expect(b"\n" + PROMPT, step=f"answer to {q!r}")
        answers.append(text)
    first = answers[0].rstrip(b"\n")
    want = batch_answer("Hello")
    if first != want:
        fail(f"the first interactive answer differs from batch mode's:\n  tty:   {first!r}\n  batch: {want!r}")

    t.send(b"/show\r")
    info = t.expect(PROMPT, step="/show")
    if b"messages      6" not in info:
        fail(f"/show after three turns: expected 6 messages in\n{info.decode('utf-8', 'replace')}")

    t.send(b"/clear\r")
    t.expect(b"Cleared the conversation.", step="/clear")
    t.expect(PROMPT, step="/clear")
    t.send(b"/show\r")
    info = t.expect(PROMPT, step="/show after /clear")
    if b"messages      0" not in info:
        fail("/clear did not empty the conversation")

    # A long answer (no -n limit, a context of 4096: the tiny model talks on), stopped by
    # Ctrl-C as soon as it starts. Should the answer still end first (a very fast
    # machine), ask again: a Ctrl-C that does not stop anything fails every attempt.
    t.send(b"/set num_predict -1\r")
    t.expect(PROMPT, step="/set num_predict")
    for attempt in range(3):
        q = b"Tell me a long story, number %d." % attempt
        t.send(q + b"\r")
        t.expect(q + b"\n", step="echo of the long question")
        t.skip_repeat(q + b"\n")
        deadline = time.time() + 20
        while len(t.out) <= t.mark and time.time() < deadline:  # the first bytes of the answer
            t.read_some(0.05)
        os.write(t.fd, b"\x03")
        shown = t.expect(b"\n" + PROMPT, timeout=20, step="Ctrl-C during an answer")
        if b"(stopped)" in shown:
            break
    else:
        fail("Ctrl-C during an answer: three answers ran to their end without '(stopped)'")
    stopped_turns = attempt + 1

    # The session goes on after the interruption.
    t.send(b"/show\r")
    info = t.expect(PROMPT, step="/show after Ctrl-C")
    if b"messages      %d" % (2 * stopped_turns) not in info:
        fail("the interrupted answer was not kept in the conversation")

    # Ctrl-C at the prompt is a hint, not an exit; Ctrl-D leaves.
    t.send(b"\x03")
    t.expect(b"Use Ctrl-D or /bye to leave.", step="Ctrl-C at the prompt")
    t.expect(PROMPT, step="prompt after the hint")
    t.send(b"\x04")
    status = t.wait_exit()
    if status != 0:
        fail(f"mote chat exited with status {status} after Ctrl-D")
    print("ok: three turns, /set, /show, /clear, Ctrl-C during an answer and at the prompt, Ctrl-D")
    history_and_show()


def history_file():
    """Where mote keeps the history: $XDG_DATA_HOME/mote, else ~/.local/share/mote."""
    xdg = os.environ.get("XDG_DATA_HOME")
    base = xdg if xdg else os.path.join(os.environ["HOME"], ".local", "share")
    return os.path.join(base, "mote", "history")


def history_and_show():
    """The input history outlives the session; /show license and /show template."""
    path = history_file()
    if not os.path.exists(path) or b"Hello" not in open(path, "rb").read():
        fail(f"no history with 'Hello' in {path}")
    t = Terminal([MOTE, "chat", "-m", MODEL, "-n", "4"])
    t.expect(PROMPT, step="start of the second session")
    t.send(b"/show license\r")
    shown = t.expect(PROMPT, step="/show license")
    if b"license" not in shown.lower() and b"apache" not in shown.lower() and b"mit" not in shown.lower():
        fail(f"/show license: {shown!r}")
    t.send(b"/show template\r")
    shown = t.expect(PROMPT, step="/show template")
    if b"chat format: qwen3" not in shown:
        fail(f"/show template: {shown!r}")
    # Three lines back: the line before "/show template" is "/show license", from this
    # session; once more reaches the last line of the first session ("/show").
    t.send(b"\x10\x10\x10\r")  # Ctrl-P: the previous line of the history
    # (the line editor redraws the prompt as it recalls lines: wait for /show's output itself)
    t.expect(b"messages      0", step="/show recalled from the first session's history")
    t.expect(PROMPT, step="prompt after the recalled /show")
    t.send(b"\x04")
    if t.wait_exit() != 0:
        fail("second session: bad exit status")
    print(f"ok: history kept in {path}, /show license, /show template")


if __name__ == "__main__":
    main()
