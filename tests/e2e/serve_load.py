#!/usr/bin/env python3
"""serve_load.py — many and hostile clients against a running `mote serve`
(loopback only), for test_serve_load.sh. Each check prints one line and
exits non-zero on failure. Every wait has a timeout.

  serve_load.py URL concurrent MODEL N    N different greedy prompts at once == one at a time
  serve_load.py URL streams MODEL N       N concurrent NDJSON streams all finish
  serve_load.py URL busy MODEL            beyond --parallel 1 --queue 1: 503 with Retry-After, JSON error
  serve_load.py URL disconnect MODEL      a client that leaves mid-stream frees its slot
  serve_load.py URL slowloris MODEL       one byte per second: the others are served meanwhile
"""
import http.client
import json
import socket
import sys
import threading
import time
import urllib.error
import urllib.request

URL, WHAT = sys.argv[1], sys.argv[2]
HOST, PORT = URL.split("//")[1].split(":")
PORT = int(PORT)
TIMEOUT = 60


def fail(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)


def post(path, body, timeout=TIMEOUT):
    """(status, headers, parsed JSON or text)"""
    req = urllib.request.Request(URL + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), json.loads(e.read())


def metric(name):
    with urllib.request.urlopen(URL + "/metrics", timeout=TIMEOUT) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    fail("no metric " + name)


def run_all(fns):
    results = [None] * len(fns)
    errors = []

    def one(i):
        try:
            results[i] = fns[i]()
        except Exception as e:  # noqa: BLE001 — reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(fns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    if errors:
        fail("; ".join(errors[:3]))
    if any(t.is_alive() for t in threads):
        fail("a request did not finish in time")
    return results


def greedy(model, prompt, chat):
    if chat:
        s, _, d = post("/v1/chat/completions", {"model": model, "messages": [{"role": "user", "content": prompt}],
                                                "temperature": 0, "max_tokens": 24})
        return s, d["choices"][0]["message"]["content"] if s == 200 else d
    s, _, d = post("/api/generate", {"model": model, "prompt": prompt, "stream": False,
                                     "options": {"temperature": 0, "num_predict": 32}})
    return s, d["response"] if s == 200 else d


def concurrent(model, n):
    chat = model.startswith("qwen")
    words = ["Once", "The dog", "A girl", "Tom", "One day", "The sun", "Lily", "In the park",
             "Mom", "The cat", "Ben", "A big", "The tree", "Sue", "The bird", "At night"]
    prompts = [words[i % len(words)] + (" said" if i >= len(words) else "") for i in range(n)]
    alone = [greedy(model, p, chat) for p in prompts]
    together = run_all([lambda p=p: greedy(model, p, chat) for p in prompts])
    for p, a, b in zip(prompts, alone, together):
        if a[0] != 200 or b[0] != 200:
            fail(f"status {a[0]}/{b[0]} for {p!r}: {a[1]} {b[1]}")
        if a[1] != b[1]:
            fail(f"{p!r}: alone {a[1]!r} but together {b[1]!r}")
    if len(set(a[1] for a in alone)) < n // 2:
        fail("the prompts gave too few different answers to tell mixing apart")
    print(f"ok: {n} concurrent greedy answers equal the same requests one at a time")


def stream(model, prompt, n_predict):
    c = http.client.HTTPConnection(HOST, PORT, timeout=TIMEOUT)
    c.request("POST", "/api/generate", json.dumps({"model": model, "prompt": prompt,
                                                   "options": {"temperature": 0, "num_predict": n_predict}}),
              {"Content-Type": "application/json"})
    r = c.getresponse()
    if r.status != 200:
        raise RuntimeError(f"status {r.status}: {r.read()[:200]}")
    lines = [json.loads(l) for l in r.read().decode().splitlines() if l.strip()]
    c.close()
    if not lines[-1]["done"]:
        raise RuntimeError("stream without a final done line")
    return "".join(l["response"] for l in lines), lines[-1]["eval_count"]


def streams(model, n):
    res = run_all([lambda i=i: stream(model, "Once upon a time" if i % 2 else "The dog", 16) for i in range(n)])
    if any(r[1] != 16 for r in res):
        fail("a stream ended early: " + repr([r[1] for r in res]))
    texts = {r[0] for r in res}
    if len(texts) != 2:
        fail(f"{n} streams of two prompts gave {len(texts)} different texts")
    print(f"ok: {n} concurrent streams finished, same prompt -> same text")


def busy(model):
    """--parallel 1 --queue 1: a long request runs, one waits, the rest are refused."""
    def long_one():
        return post("/api/generate", {"model": model, "prompt": "Once", "stream": False,
                                      "options": {"temperature": 0, "num_predict": 400}})
    res = run_all([long_one for _ in range(6)])
    codes = sorted(r[0] for r in res)
    refused = [r for r in res if r[0] == 503]
    if not refused or codes.count(200) < 1:
        fail(f"statuses {codes}: expected some 200 and some 503")
    for s, h, d in refused:
        if "error" not in d or h.get("Retry-After") is None:
            fail(f"a 503 without a JSON error or Retry-After: {h} {d}")
    s, _, _ = post("/api/generate", {"model": model, "prompt": "Once", "stream": False, "options": {"num_predict": 4}})
    if s != 200:
        fail(f"not serving after the burst: {s}")
    print(f"ok: a burst gave {codes}, each 503 with a JSON error and Retry-After")


def disconnect(model):
    before = metric("mote_generated_tokens_total")
    s = socket.create_connection((HOST, PORT), timeout=TIMEOUT)
    body = json.dumps({"model": model, "prompt": "Once upon a time", "options": {"num_predict": -1}}).encode()
    s.sendall(b"POST /api/generate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
              + str(len(body)).encode() + b"\r\n\r\n" + body)
    got = b""
    while got.count(b"\n") < 12:  # the headers and a few chunks
        chunk = s.recv(4096)
        if not chunk:
            fail("the server closed the stream early")
        got += chunk
    s.close()
    deadline = time.time() + 10
    while time.time() < deadline:
        if metric("mote_busy_slots") == 0:
            break
        time.sleep(0.05)
    else:
        fail("the slot stayed busy after the client left")
    produced = metric("mote_generated_tokens_total") - before
    # without the disconnect the request would have filled the context (2048 tokens)
    if produced >= 1500:
        fail(f"the request ran on after the client left ({produced:.0f} tokens)")
    s, _, d = post("/api/generate", {"model": model, "prompt": "Once", "stream": False, "options": {"num_predict": 4}})
    if s != 200:
        fail(f"not serving after a disconnect: {s} {d}")
    print(f"ok: a client leaving mid-stream freed its slot ({produced:.0f} tokens made)")


def slowloris(model):
    """One byte per second of headers, for a while; meanwhile others are served; it ends with a close or a 4xx."""
    s = socket.create_connection((HOST, PORT), timeout=TIMEOUT)
    request = b"POST /api/generate HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n{\"model\":"
    stop = threading.Event()
    outcome = {}

    def drip():
        try:
            for b in request:
                if stop.is_set():
                    break
                s.sendall(bytes([b]))
                time.sleep(1)
            outcome["reply"] = s.recv(4096)
        except OSError as e:
            outcome["closed"] = repr(e)

    t = threading.Thread(target=drip)
    t.start()
    time.sleep(1.5)
    for i in range(3):
        st, _, d = post("/api/generate", {"model": model, "prompt": "Once", "stream": False,
                                          "options": {"num_predict": 4}}, timeout=10)
        if st != 200:
            fail(f"a request during the slow client failed: {st} {d}")
    stop.set()
    t.join(TIMEOUT)
    s.close()
    print("ok: others were served while a client sent one byte per second")


def idle_closed():
    """A connection that sends nothing is closed after --timeout."""
    s = socket.create_connection((HOST, PORT), timeout=15)
    t0 = time.time()
    try:
        data = s.recv(100)
    except OSError:
        data = b""
    if data or time.time() - t0 > 14:
        fail("an idle connection was not closed by the server")
    print(f"ok: an idle connection was closed after {time.time() - t0:.1f} s")


if WHAT == "concurrent":
    concurrent(sys.argv[3], int(sys.argv[4]))
elif WHAT == "streams":
    streams(sys.argv[3], int(sys.argv[4]))
elif WHAT == "busy":
    busy(sys.argv[3])
elif WHAT == "disconnect":
    disconnect(sys.argv[3])
elif WHAT == "slowloris":
    slowloris(sys.argv[3])
elif WHAT == "idle":
    idle_closed()
else:
    fail("unknown check " + WHAT)
