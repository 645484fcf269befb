#!/usr/bin/env python3
"""compare_table.py — the report of bench/compare-llamacpp.sh, from the files it left in a results folder.

For each model file: <m>-<t>.llama.json and <m>-<t>.mote.json (llama-bench's JSON field names, one
object per test), <m>-<t>.info.json (`mote info --json --tensors`), and bandwidth.csv (threads,gb_per_s).
Prints markdown: the machine, then one row per (model, type, test, threads) with both speeds and their
ratio; for generation also each engine's speed as a fraction of the bandwidth limit, where
limit = bandwidth / bytes of weights read per token (every tensor, except that a token embedding
that is not also the output head contributes one row only).
"""
import argparse
import datetime
import json
import os
import platform
import subprocess


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def cpu_description():
    model, flags = platform.processor() or "?", []
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and model in ("?", "", "x86_64"):
                    model = line.split(":", 1)[1].strip()
                if line.startswith("flags"):
                    flags = line.split(":", 1)[1].split()
                    break
    except OSError:
        pass
    simd = [x for x in ("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512_vnni",
                        "avx512_bf16", "avx_vnni") if x in flags]
    if not any(x.startswith("avx512") for x in flags):
        simd.append("(no AVX-512)")
    return model, simd


def weight_bytes_per_token(info):
    """Bytes of weights one generated token reads."""
    tensors = info.get("tensors", [])
    names = {t["name"] for t in tensors}
    total = 0
    for t in tensors:
        if t["name"] == "token_embd.weight" and "output.weight" in names:
            rows = t["shape"][1] if len(t["shape"]) > 1 else 1
            total += t["bytes"] // max(rows, 1)  # only the row of the token
        else:
            total += t["bytes"]
    return total


def test_name(r):
    return "pp%d" % r["n_prompt"] if r.get("n_prompt", 0) > 0 else "tg%d" % r["n_gen"]


def index(rows):
    out = {}
    for r in rows or []:
        out[(test_name(r), int(r["n_threads"]))] = r
    return out


def fmt_ts(r):
    if not r:
        return "—"
    return "%.2f ± %.2f" % (r["avg_ts"], r["stddev_ts"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--models", required=True)
    ap.add_argument("--types", required=True)
    ap.add_argument("--llama-bench", default="")
    ap.add_argument("--mote", default="")
    ap.add_argument("--settings", default="")
    ap.add_argument("--note", default="")
    a = ap.parse_args()

    bw = {}
    try:
        with open(os.path.join(a.results, "bandwidth.csv")) as f:
            for line in f.read().split("\n")[1:]:
                if line.strip():
                    t, g = line.split(",")
                    bw[int(t)] = float(g)
    except OSError:
        pass

    model, simd = cpu_description()
    print("## mote vs llama.cpp — %s" % datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    print()
    print("- machine: %s, %d CPUs, %s; %s" % (model, os.cpu_count() or 0, " ".join(simd), platform.platform()))
    if bw:
        print("- memory read bandwidth (bench/bandwidth.c): " +
              ", ".join("%d thread%s %.2f GB/s" % (t, "s" if t > 1 else "", g) for t, g in sorted(bw.items())))
    print("- settings: %s (same files, same threads for both)" % a.settings)
    llama_build = ""
    if a.llama_bench:
        for r in (load_json(os.path.join(a.results, f)) for f in sorted(os.listdir(a.results)) if f.endswith(".llama.json")):
            if r:
                llama_build = "llama.cpp build %s (%s)" % (r[0].get("build_commit", "?"), r[0].get("build_number", "?"))
                break
    if llama_build:
        print("- " + llama_build)
    try:
        ver = subprocess.run([a.mote, "--version"], capture_output=True, text=True).stdout.strip()
        commit = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip()
        print("- %s (commit %s)" % (ver, commit or "?"))
    except OSError:
        pass
    if a.note:
        print("- note: " + a.note)
    print()
    print("tg % limit = measured t/s ÷ (bandwidth ÷ bytes of weights read per token).")
    print()
    print("| model | type | size | test | threads | llama.cpp t/s | mote t/s | ratio | llama.cpp % limit | mote % limit |")
    print("|---|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for m in a.models.split():
        for t in a.types.split():
            base = os.path.join(a.results, "%s-%s" % (m, t))
            info = load_json(base + ".info.json")
            lb, mb = index(load_json(base + ".llama.json")), index(load_json(base + ".mote.json"))
            if not info:
                err = ""
                try:
                    err = open(base + ".synth.err").read().strip().split("\n")[-1]
                except OSError:
                    pass
                why = ("not made: " + err.replace("|", "/")) if err else "not made"
                print("| %s | %s | — | — | — | %s | — | — | — | — |" % (m, t, why))
                continue
            size = "%.0f MiB" % (info["file_size"] / 2**20)
            wpt = weight_bytes_per_token(info)
            keys = sorted(set(lb) | set(mb), key=lambda k: (k[0][:2] != "pp", k[1], k[0]))
            if not keys:
                print("| %s | %s | %s | — | — | not run | not run | — | — | — |" % (m, t, size))
            for k in keys:
                l, o = lb.get(k), mb.get(k)
                ratio = "%.2f" % (o["avg_ts"] / l["avg_ts"]) if l and o and l["avg_ts"] > 0 else "—"
                lim_l = lim_o = ""
                if k[0].startswith("tg") and k[1] in bw and wpt > 0:
                    limit = bw[k[1]] * 1e9 / wpt
                    lim_l = "%.0f%%" % (100 * l["avg_ts"] / limit) if l else "—"
                    lim_o = "%.0f%%" % (100 * o["avg_ts"] / limit) if o else "—"
                print("| %s | %s | %s | %s | %d | %s | %s | %s | %s | %s |" %
                      (m, t, size, k[0], k[1], fmt_ts(l), fmt_ts(o), ratio, lim_l, lim_o))


if __name__ == "__main__":
    main()
