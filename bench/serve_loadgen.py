#!/usr/bin/env python3
"""serve_loadgen.py — concurrent streaming clients against an OpenAI-style
/v1/completions endpoint (mote serve or llama-server), for compare-server.sh.

Each of C clients sends R requests one after another: a fixed prompt made
unique by its client and request number (so no server answers from a cached
prompt), greedy, max_tokens N, streamed as server-sent events with
stream_options.include_usage. Measured per request: time to first token (the
first event carrying text) and the generated tokens (from usage). Printed as
one JSON object:

  clients, requests, errors, gen_tokens, wall_s,
  agg_tps     all clients' generated tokens / the wall time of the whole run,
  ttft_p50_ms, ttft_p99_ms   over every request (nearest-rank percentiles).

Python 3 standard library only; loopback only; every socket has a timeout, so
nothing waits for ever.
"""
import argparse
import http.client
import json
import math
import sys
import threading
import time

# One sentence: about 130 tokens with the synthetic models' vocabularies, ~20 with real ones.
BASE_PROMPT = "The old lighthouse keeper climbed the spiral stairs every evening to light the lamp."


def percentile(values, p):
    """Nearest-rank percentile of a non-empty list."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, math.ceil(p / 100.0 * len(s)) - 1))
    return s[k]


def one_request(host, port, model, prompt, n_predict, timeout):
    """Stream one completion; returns (ttft_s or None, completion_tokens)."""
    body = json.dumps({
        "model": model, "prompt": prompt, "max_tokens": n_predict, "temperature": 0,
        "stream": True, "stream_options": {"include_usage": True},
    })
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    t0 = time.monotonic()
    try:
        conn.request("POST", "/v1/completions", body, {"Content-Type": "application/json"})
        resp = conn.getresponse()
        if resp.status != 200:
            raise RuntimeError(f"HTTP {resp.status}: {resp.read(300)!r}")
        ttft, tokens, chunks = None, None, 0
        for raw in resp:  # one SSE line at a time; ends when the server closes
            line = raw.strip()
            if not line.startswith(b"data:"):
                continue
            data = line[5:].strip()
            if data == b"[DONE]":
                break
            ev = json.loads(data)
            choices = ev.get("choices") or []
            if choices and choices[0].get("text"):
                chunks += 1
                if ttft is None:
                    ttft = time.monotonic() - t0
            if ev.get("usage"):
                tokens = ev["usage"].get("completion_tokens")
        return ttft, tokens if tokens is not None else chunks
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True, help="http://127.0.0.1:PORT")
    ap.add_argument("--model", default="model")
    ap.add_argument("--clients", type=int, required=True)
    ap.add_argument("--requests", type=int, default=2, help="requests per client, one after another")
    ap.add_argument("--n-predict", type=int, default=64)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--tag", default="run", help="words that make this run's prompts differ from other runs'")
    a = ap.parse_args()
    hostport = a.url.split("//", 1)[-1].rstrip("/")
    host, port = hostport.rsplit(":", 1)
    if host not in ("127.0.0.1", "localhost", "[::1]"):
        sys.exit("serve_loadgen: loopback addresses only")

    ttfts, tokens, errors = [], [], []
    lock = threading.Lock()

    def client(c):
        for r in range(a.requests):
            prompt = f"Story {a.tag} {c}-{r}. {BASE_PROMPT}"
            try:
                t, n = one_request(host, int(port), a.model, prompt, a.n_predict, a.timeout)
                with lock:
                    tokens.append(n)
                    if t is not None:
                        ttfts.append(t)
            except Exception as e:  # counted and reported, the run goes on
                with lock:
                    errors.append(str(e))

    t0 = time.monotonic()
    threads = [threading.Thread(target=client, args=(c,)) for c in range(a.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(a.timeout * a.requests + 10)
    wall = time.monotonic() - t0
    out = {
        "clients": a.clients, "requests": a.clients * a.requests, "errors": len(errors),
        "gen_tokens": sum(tokens), "wall_s": round(wall, 3),
        "agg_tps": round(sum(tokens) / wall, 2) if wall > 0 else 0,
        "ttft_p50_ms": round(1000 * percentile(ttfts, 50), 1) if ttfts else None,
        "ttft_p99_ms": round(1000 * percentile(ttfts, 99), 1) if ttfts else None,
    }
    if errors:
        out["first_error"] = errors[0][:300]
    print(json.dumps(out))
    return 1 if errors or any(t.is_alive() for t in threads) else 0


if __name__ == "__main__":
    sys.exit(main())
