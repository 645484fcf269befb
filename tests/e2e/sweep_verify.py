#!/usr/bin/env python3
"""sweep_verify.py DIR TYPES MEASURED — check what `mote sweep` left in DIR
(used by test_sweep.sh and test_sweep_gemma3.sh): results.csv has one row
per type in TYPES (comma-separated) and every column, the optional columns
of MEASURED (ppl, kld, mmlu, ifeval, llama; comma-separated) hold numbers
and the others are empty; results.json agrees; each SVG plot is well-formed
XML and names every variant it draws; report.md has a row per type.
Exits non-zero (an assertion) on the first thing wrong."""
import csv, json, sys, xml.etree.ElementTree as ET
out, types, measured = sys.argv[1], sys.argv[2].split(","), set(sys.argv[3].split(","))
cols = ("type,file,size_bytes,n_params,bpw,load_ms,peak_rss_bytes,threads,pp_tokens,pp_tps,tg_tokens,tg_tps,"
        "cpu_percent,energy_source,watts,pp_j_per_token,tg_j_per_token,tg_g_co2_per_1k_tokens,ppl,ppl_err,kld,kld_p99,"
        "same_top,mmlu_acc,mmlu_items,ifeval_acc,ifeval_items,llama_pp_tps,llama_tg_tps,llama_peak_rss_bytes").split(",")
optional = {"ppl": ["ppl", "ppl_err"], "kld": ["kld", "kld_p99", "same_top"], "mmlu": ["mmlu_acc", "mmlu_items"],
            "ifeval": ["ifeval_acc", "ifeval_items"], "llama": ["llama_pp_tps", "llama_tg_tps", "llama_peak_rss_bytes"]}
rows = list(csv.DictReader(open(f"{out}/results.csv")))
header = open(f"{out}/results.csv").readline().strip().split(",")
assert header == cols, header
assert sorted(r["type"] for r in rows) == sorted(types), [r["type"] for r in rows]
for r in rows:
    assert None not in r and all(k in r for k in cols), r
    for k in cols:
        group = next((g for g, ks in optional.items() if k in ks), None)
        if k in ("type", "file", "energy_source"): assert r[k], (k, r)
        elif group and group not in measured: assert r[k] == "", (k, r)   # not asked for: empty
        else: float(r[k])                                                  # every other column is a number
    assert r["energy_source"] == "declared", r
    assert int(r["size_bytes"]) > 0 and float(r["tg_tps"]) > 0, r
    if "ppl" in measured: assert float(r["ppl"]) > 1, r
    if "kld" in measured:
        assert -1e-4 < float(r["kld"]) < 5 and 0 <= float(r["same_top"]) <= 1, r
        if r["type"] == "f32": assert abs(float(r["kld"])) < 1e-4 and float(r["same_top"]) == 1, r  # the base itself
    for task in ("mmlu", "ifeval"):
        if task in measured: assert 0 <= float(r[f"{task}_acc"]) <= 1 and int(r[f"{task}_items"]) > 0, r
size = {r["type"]: int(r["size_bytes"]) for r in rows}
if "q8_0" in size and "f32" in size: assert size["q8_0"] < size["f32"], size
if "kld" in measured and "q8_0" in size and "q4_0" in size:
    k = {r["type"]: float(r["kld"]) for r in rows}
    assert k["q8_0"] < k["q4_0"], k   # fewer bits, further from the base
j = json.load(open(f"{out}/results.json"))
assert [r["type"] for r in j["results"]] == [r["type"] for r in rows]
ram = j["settings"]["ram_budget_bytes"] is not None
assert j["energy_source"] == "declared" and (j["best_under_ram"] in types if ram else j["best_under_ram"] is None), j
ns = "{http://www.w3.org/2000/svg}"
drawn = {"score_vs_size": "ppl", "kld_vs_size": "kld", "accuracy_vs_size": "mmlu", "tps_vs_size": None,
         "joules_vs_size": None, "pareto_memory": "ppl"}
for name, needs in drawn.items():
    root = ET.parse(f"{out}/{name}.svg").getroot()           # well-formed, or this raises
    assert root.tag == ns + "svg", root.tag
    if needs and needs not in measured and not (name == "accuracy_vs_size" and "ifeval" in measured):
        continue                                             # not measured: a note instead of points
    # a label names every variant drawn at its place ("q4_0, q2_k")
    texts = {part for t in root.iter(ns + "text") if t.text for part in t.text.split(", ")}
    missing = [t for t in types if t not in texts]
    assert not missing, (name, missing)
    assert len(list(root.iter(ns + "circle"))) >= len(types), name
md = open(f"{out}/report.md").read()
if "llama" in measured: assert "llama.cpp tg t/s" in md
for t in types: assert f"| {t}" in md, t
assert ("Best under --ram" in md) == ram and "declared" in md
