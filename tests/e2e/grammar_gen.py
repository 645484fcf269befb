#!/usr/bin/env python3
"""grammar_gen.py — constrained generation end to end (issue 14).

The random-weight fixture models write noise, so whatever structure their
output has comes from the grammar alone. For each JSON Schema below, `mote
run --json-schema` must print JSON that Debian's python3-jsonschema (an
independent validator) accepts; for each GBNF grammar, text that an
independently written Python regular expression (or json.loads) accepts.
Both the llama (SentencePiece, raw continuation) and the qwen3 (chat
template) fixture are used, with several seeds. Then: a generation cut by
-n says "done_reason: length", and bad grammars/schemas fail with a clear
one-line error and exit status 2.

Usage: grammar_gen.py MOTE FIXTURES_DIR
"""
import json
import os
import re
import subprocess
import sys

import jsonschema

MOTE, FIX = sys.argv[1], sys.argv[2]
MODELS = [("llama", os.path.join(FIX, "models", "llama-tiny-f32.gguf"), True),
          ("qwen3", os.path.join(FIX, "models", "qwen3-tiny-q8_0.gguf"), False)]
LLAMA_GRAMMARS = os.environ.get("LLAMA_GRAMMARS", "/work/llama/src/grammars")
PROMPT = "hi"
# Under the sanitizers every run is several times slower: fewer seeds.
SLOW = os.environ.get("MOTE_SANITIZE", "").upper() in ("ON", "1", "TRUE", "YES")
SCHEMA_SEEDS = (1,) if SLOW else (1, 2)
GRAMMAR_SEEDS = (1, 2) if SLOW else (1, 2, 3)
EXTRA_SEEDS = range(4, 41)  # only when no run of GRAMMAR_SEEDS completed (check_grammar)
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def run(model, raw, args, n=400, seed=1):
    cmd = [MOTE, "run", "-m", model, "-p", PROMPT, "-n", str(n), "--seed", str(seed)] + args
    if raw:
        cmd.append("--raw")
    p = subprocess.run(cmd, capture_output=True, timeout=120)
    out = p.stdout.decode("utf-8", "surrogateescape")
    if out.endswith("\n"):
        out = out[:-1]
    if raw:
        # raw mode echoes the prompt as its tokens read back
        echo = " " + PROMPT
        if not out.startswith(echo):
            return p.returncode, None, p.stderr.decode()
        out = out[len(echo):]
    return p.returncode, out, p.stderr.decode()


SCHEMAS = [
    {"type": "object"},
    {"type": "string", "maxLength": 12},
    {"type": "integer"},
    {"type": "number"},
    {"type": "boolean"},
    {"type": "null"},
    {"enum": ["red", "green", "blue", 42, None]},
    {"const": {"kind": "fixed", "n": [1, 2]}},
    {"type": "object", "properties": {"name": {"type": "string", "maxLength": 8}, "age": {"type": "integer"}},
     "required": ["name", "age"]},
    {"type": "object", "properties": {"a": {"type": "boolean"}, "b": {"type": "null"}, "c": {"type": "integer"}},
     "additionalProperties": False},
    {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"],
     "additionalProperties": {"type": "string", "maxLength": 4}},
    {"type": "object", "properties": {"id": {"type": "integer"}, "ids": {"type": "boolean"}},
     "additionalProperties": {"type": "boolean"}},
    {"type": "object", "properties": {"outer": {"type": "object", "properties": {
        "inner": {"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"]}},
        "required": ["inner"]}}, "required": ["outer"]},
    {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 3},
    {"type": "array", "items": {"type": "string", "maxLength": 5}, "maxItems": 2},
    {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string", "maxLength": 3}, {"type": "boolean"}],
     "items": False},
    {"anyOf": [{"type": "string", "maxLength": 6}, {"type": "integer"}]},
    {"oneOf": [{"type": "boolean"}, {"type": "null"}, {"type": "object", "properties": {"k": {"const": 1}},
                                                        "required": ["k"], "additionalProperties": False}]},
    {"type": ["string", "null"], "maxLength": 5},
    {"$defs": {"point": {"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}},
                         "required": ["x", "y"], "additionalProperties": False}},
     "type": "object", "properties": {"from": {"$ref": "#/$defs/point"}, "to": {"$ref": "#/$defs/point"}},
     "required": ["from", "to"], "additionalProperties": False},
    {"definitions": {"color": {"enum": ["r", "g", "b"]}},
     "type": "array", "items": {"$ref": "#/definitions/color"}, "minItems": 2, "maxItems": 4},
    {"type": "object", "properties": {"v": {"type": "integer"}, "next": {"$ref": "#"}}, "required": ["v"],
     "additionalProperties": False},
    {"type": "string", "pattern": "^[a-z]{2,5}$"},
    {"type": "string", "pattern": "^\\d{3}-\\d{4}$"},
    {"type": "string", "pattern": "^(cat|dog)s?( [A-Z][a-z]{0,3})?$"},
    {"type": "string", "format": "date"},
    {"type": "string", "format": "uuid"},
    {"type": "string", "format": "date-time"},
    {"type": "string", "minLength": 3, "maxLength": 6},
    {"type": "integer", "minimum": 0},
    {"type": "object", "properties": {
        "status": {"enum": ["ok", "error"]},
        "items": {"type": "array", "maxItems": 3, "items": {
            "type": "object", "properties": {"sku": {"type": "string", "pattern": "^[A-Z]{3}[0-9]{2}$"},
                                             "qty": {"type": "integer", "minimum": 1}},
            "required": ["sku", "qty"], "additionalProperties": False}}},
        "required": ["status", "items"], "additionalProperties": False},
    {"type": "string", "pattern": "^[\"\\\\a]{1,4}\\n?$"},
    {"type": "array", "items": {"anyOf": [{"type": "number"}, {"type": "string", "maxLength": 3}]}, "maxItems": 4},
    {"type": "object", "properties": {}, "additionalProperties": False},
    {"type": "object", "required": ["must"], "additionalProperties": False, "properties": {"must": {"type": "integer"}}},
    {"type": "object", "required": ["extra"], "additionalProperties": {"type": "integer"}},
]

# GBNF grammars, each with an independent check of the text.
M = r"(?:(?:[a-h]x)?[a-h][1-8](?:=[NBKQR])?|[NBKQR][a-h]?[1-8]?x?[a-h][1-8]|O-O(?:-O)?)[+#]?"
GRAMMARS = [
    ('root ::= "yes" | "no"', lambda t: t in ("yes", "no")),
    ('root ::= [0-9]{1,4} ("," [0-9]{1,4}){2}', lambda t: re.fullmatch(r"[0-9]{1,4}(,[0-9]{1,4}){2}", t)),
    ('root ::= greeting " " name "!"\ngreeting ::= "hello" | "hi"\nname ::= [A-Z] [a-z]{1,6}',
     lambda t: re.fullmatch(r"(hello|hi) [A-Z][a-z]{1,6}!", t)),
    ('root ::= item{2,3}\nitem ::= "(" [^()\\n]{0,5} ")"', lambda t: re.fullmatch(r"(\([^()\n]{0,5}\)){2,3}", t)),
    ('root ::= ("a" | "b")+ "." # comment\n', lambda t: re.fullmatch(r"[ab]+\.", t)),
    ('root ::= [^\\x00-\\x7F]{2,3}', lambda t: re.fullmatch(r"[^\x00-\x7F]{2,3}", t)),
    ('@' + os.path.join(LLAMA_GRAMMARS, "list.gbnf"),
     lambda t: re.fullmatch(r"(- [^\r\n\x0b\x0c\x85\u2028\u2029]+\n)+", t)),
    ('@' + os.path.join(LLAMA_GRAMMARS, "chess.gbnf"),
     lambda t: re.fullmatch(r"1\. " + M + " " + M + r"\n([1-9][0-9]?\. " + M + " " + M + r"\n)+", t)),
    ('@' + os.path.join(LLAMA_GRAMMARS, "json.gbnf"), lambda t: isinstance(json.loads(t), dict)),
    ('@' + os.path.join(LLAMA_GRAMMARS, "json_arr.gbnf"), lambda t: isinstance(json.loads(t), list)),
]


def check_schema(i, schema):
    """Every complete output validates; a cut one says so; at least one run completes."""
    text = json.dumps(schema)
    complete = 0
    for name, model, raw in MODELS:
        for seed in SCHEMA_SEEDS:
            rc, out, err = run(model, raw, ["--json-schema", text], seed=seed)
            where = f"schema {i} {text[:60]} on {name} seed {seed}"
            if rc != 0 or out is None:
                fail(f"{where}: exit {rc}: {err.strip()}")
                continue
            if "done_reason: length" in err:
                # noise rarely closes an unbounded string: reported, not wrong
                continue
            try:
                value = json.loads(out)
                jsonschema.validate(value, schema)
                complete += 1
            except Exception as e:  # noqa: BLE001 - any failure is a test failure
                fail(f"{where}: output {out[:120]!r} is not valid: {str(e).splitlines()[0]}")
    if complete == 0 and not SLOW:
        fail(f"schema {i} {text[:60]}: no run completed")
    return complete


def check_grammar(i, grammar, ok):
    args = ["--grammar-file", grammar[1:]] if grammar.startswith("@") else ["--grammar", grammar]
    if grammar.startswith("@") and not os.path.exists(grammar[1:]):
        print(f"note: {grammar[1:]} not found, skipped")
        return
    complete = 0
    for name, model, raw in MODELS:
        for seed in GRAMMAR_SEEDS:
            rc, out, err = run(model, raw, args, seed=seed)
            where = f"grammar {i} {grammar[:40]!r} on {name} seed {seed}"
            if rc != 0 or out is None:
                fail(f"{where}: exit {rc}: {err.strip()}")
                continue
            if "done_reason: length" in err:
                print(f"note: {where}: cut at the token limit (reported)")
                continue
            try:
                good = ok(out)
            except Exception:  # noqa: BLE001
                good = False
            if not good:
                fail(f"{where}: output {out[:120]!r} does not match")
            else:
                complete += 1
    if complete == 0 and not SLOW:
        # Whether a random model ends an endless-by-design grammar (list.gbnf) within the limit is
        # luck of the seed, which any change of a kernel's float order redraws: look further before
        # calling it a failure (still one complete, validated output is required).
        for seed in EXTRA_SEEDS:
            for name, model, raw in MODELS:
                rc, out, err = run(model, raw, args, seed=seed)
                if rc == 0 and out is not None and "done_reason: length" not in err:
                    where = f"grammar {i} {grammar[:40]!r} on {name} seed {seed}"
                    try:
                        good = ok(out)
                    except Exception:  # noqa: BLE001
                        good = False
                    if not good:
                        fail(f"{where}: output {out[:120]!r} does not match")
                    else:
                        print(f"note: {where}: the first complete run")
                        return 1
        fail(f"grammar {i} {grammar[:40]!r}: no run completed")
    return complete


valid = sum(check_schema(i, s) for i, s in enumerate(SCHEMAS))
valid += sum(check_grammar(i, g, ok) or 0 for i, (g, ok) in enumerate(GRAMMARS))
if valid < 30:
    fail(f"only {valid} runs completed and validated (at least 30 wanted)")

# JSON mode
for name, model, raw in MODELS:
    rc, out, err = run(model, raw, ["--json-mode"], seed=5)
    try:
        assert rc == 0 and ("done_reason: length" in err or isinstance(json.loads(out), dict))
    except Exception:  # noqa: BLE001
        fail(f"--json-mode on {name}: {out!r} {err.strip()}")

# Cut by the token limit: said so.
for name, model, raw in MODELS:
    rc, out, err = run(model, raw, ["--json-schema", json.dumps(SCHEMAS[8])], n=2)
    if rc != 0 or "done_reason: length" not in err:
        fail(f"-n 2 on {name}: the cut was not reported (exit {rc}, stderr {err.strip()!r})")

# Bad grammars and schemas: one clear line, exit status 2, no model needed.
BAD = [
    (["--grammar", 'root ::= "a" foo'], "line 1, column 14: rule 'foo' is used but never defined"),
    (["--grammar", 'root ::= "a\n'], "unterminated literal"),
    (["--grammar", "root ::= x\nx ::= x \"a\""], "left-recursive"),
    (["--grammar", 'start ::= "a"'], "no rule 'root'"),
    (["--json-schema", "{not json"], "not valid JSON"),
    (["--json-schema", '{"type": "integer", "maximum": 3}'], 'keyword "maximum" is not supported'),
    (["--json-schema", '{"$ref": "#/$defs/missing"}'], "points to nothing"),
    (["--json-schema", '{"type": "string", "pattern": "(?=x)"}'], "lookaround"),
    (["--grammar-file", "/nonexistent.gbnf"], "cannot read"),
    (["--json-mode", "--grammar", 'root ::= "a"'], "give one of"),
]
for args, want in BAD:
    p = subprocess.run([MOTE, "run", "-m", MODELS[0][1], "-p", "x"] + args, capture_output=True, timeout=60)
    err = p.stderr.decode()
    if p.returncode != 2 or want not in err or err.count("\n") != 1:
        fail(f"{args}: want exit 2 and one line with {want!r}, got {p.returncode}: {err!r}")

n = len(SCHEMAS) + len(GRAMMARS)
print(f"{n} schemas and grammars, {valid} complete outputs validated, {len(failures)} failure(s)")
sys.exit(1 if failures else 0)
