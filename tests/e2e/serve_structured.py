#!/usr/bin/env python3
"""serve_structured.py — structured output and tool calls through `mote serve`
(issues 12 and 14), driven over loopback by test_serve_structured.sh.

The fixture models have random weights, so every bit of structure in their
answers comes from the grammar. Checked here:
- Ollama `format` ("json" or a JSON Schema) on /api/generate and /api/chat and
  OpenAI `response_format` (json_object, json_schema) on /v1/chat/completions
  and /v1/completions, whole and streamed: every complete answer parses and
  validates with python3-jsonschema; a cut one says done_reason / finish_reason
  "length".
- `tools` with a forced call (OpenAI tool_choice "required" or a named
  function): the answer comes back as structured tool_calls (OpenAI: id, type,
  function.name, function.arguments as JSON text; Ollama: arguments as an
  object) whose arguments validate against the tool's parameters, streamed
  (SSE deltas, NDJSON) and not; finish_reason "tool_calls".
- tool results (role "tool") go through the template: the prompt grows.
- `think`: false renders Qwen 3's template with thinking off (a longer prompt).
- bad schemas, tool_choice naming no tool, a model whose template shows no tools: 400.

Usage: serve_structured.py URL
"""
import json
import sys
import urllib.error
import urllib.request

import jsonschema

URL = sys.argv[1]
Q3 = "qwen3-tiny-q8_0"
Q2 = "qwen2-tiny-q8_0"
STORIES = "stories260K"
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def post(path, body):
    """(status, parsed JSON or None, raw text)."""
    req = urllib.request.Request(URL + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            raw = r.read().decode()
            status = r.status
    except urllib.error.HTTPError as e:
        raw = e.read().decode()
        status = e.code
    try:
        return status, json.loads(raw), raw
    except ValueError:
        return status, None, raw


def ndjson(path, body):
    _, _, raw = post(path, body)
    return [json.loads(line) for line in raw.splitlines() if line.strip()]


def sse(path, body):
    _, _, raw = post(path, body)
    events = [line[6:] for line in raw.split("\n") if line.startswith("data: ")]
    assert events and events[-1] == "[DONE]", raw[-200:]
    return [json.loads(e) for e in events[:-1]]


SCHEMAS = [
    {"type": "object", "properties": {"name": {"type": "string", "maxLength": 8}, "age": {"type": "integer"}},
     "required": ["name", "age"]},
    {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 3},
    {"enum": ["red", "green", "blue", 42, None]},
    {"type": "object", "properties": {"ok": {"type": "boolean"}, "n": {"type": "null"}},
     "required": ["ok"], "additionalProperties": False},
    {"type": "string", "pattern": "^[a-z]{2,5}$"},
    {"$defs": {"p": {"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}},
                     "required": ["x", "y"], "additionalProperties": False}},
     "type": "object", "properties": {"from": {"$ref": "#/$defs/p"}, "to": {"$ref": "#/$defs/p"}},
     "required": ["from", "to"], "additionalProperties": False},
    {"anyOf": [{"type": "string", "maxLength": 6}, {"type": "integer"}]},
    {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string", "maxLength": 3}, {"type": "boolean"}],
     "items": False},
]
N = 160  # tokens per answer: enough for these bounded schemas, short enough to be quick


def check_value(where, text, reason, schema, cut_word="length"):
    """True when the answer validated; a cut answer is fine if it says so."""
    if reason == cut_word:
        return False
    try:
        value = json.loads(text)
        if schema is not None:
            jsonschema.validate(value, schema)
        elif not isinstance(value, dict):
            raise ValueError("not an object")
        return True
    except Exception as e:  # noqa: BLE001 - any failure is a test failure
        fail(f"{where}: {text[:120]!r} ({reason}) is not valid: {str(e).splitlines()[0]}")
        return False


def structured_output():
    complete = 0
    for i, schema in enumerate(SCHEMAS):
        seed = 10 + i
        where = f"schema {i}"
        # Ollama /api/chat, whole
        st, d, raw = post("/api/chat", {"model": Q3, "messages": [{"role": "user", "content": "hi"}], "stream": False,
                                        "format": schema, "options": {"num_predict": N, "seed": seed}})
        if st != 200:
            fail(f"{where} /api/chat: {st} {raw[:200]}")
            continue
        complete += check_value(f"{where} /api/chat", d["message"]["content"], d["done_reason"], schema)
        # Ollama /api/generate, streamed
        lines = ndjson("/api/generate", {"model": Q3, "prompt": "hi", "format": schema,
                                         "options": {"num_predict": N, "seed": seed + 100}})
        complete += check_value(f"{where} /api/generate stream", "".join(x.get("response", "") for x in lines),
                                lines[-1]["done_reason"], schema)
        # OpenAI /v1/chat/completions, whole
        st, d, raw = post("/v1/chat/completions", {
            "model": Q3, "messages": [{"role": "user", "content": "hi"}], "max_tokens": N, "seed": seed + 200,
            "response_format": {"type": "json_schema", "json_schema": {"name": "s", "schema": schema}}})
        if st != 200:
            fail(f"{where} /v1/chat/completions: {st} {raw[:200]}")
            continue
        c = d["choices"][0]
        complete += check_value(f"{where} /v1/chat/completions", c["message"]["content"], c["finish_reason"], schema)
        # OpenAI streamed
        chunks = sse("/v1/chat/completions", {
            "model": Q3, "messages": [{"role": "user", "content": "hi"}], "max_tokens": N, "seed": seed + 300,
            "stream": True, "response_format": {"type": "json_schema", "json_schema": {"name": "s", "schema": schema}}})
        text = "".join(ch["choices"][0]["delta"].get("content") or "" for ch in chunks if ch["choices"])
        complete += check_value(f"{where} /v1/chat/completions stream", text, chunks[-1]["choices"][0]["finish_reason"],
                                schema)
    if complete < 16:
        fail(f"only {complete} structured answers completed and validated (at least 16 wanted)")
    print(f"structured output: {complete} answers validated")

    # JSON mode: format "json", response_format json_object (also on /v1/completions with a plain prompt)
    for seed in (1, 2):
        st, d, _ = post("/api/generate", {"model": Q3, "prompt": "hi", "stream": False, "format": "json",
                                          "options": {"num_predict": N, "seed": seed}})
        check_value("format json", d["response"], d["done_reason"], None)
        st, d, _ = post("/v1/completions", {"model": STORIES, "prompt": "Once", "max_tokens": N, "seed": seed,
                                            "response_format": {"type": "json_object"}})
        check_value("/v1/completions json_object", d["choices"][0]["text"], d["choices"][0]["finish_reason"], None)

    # a cut answer says so
    st, d, _ = post("/api/chat", {"model": Q3, "messages": [{"role": "user", "content": "hi"}], "stream": False,
                                  "format": SCHEMAS[0], "options": {"num_predict": 3}})
    if d.get("done_reason") != "length":
        fail(f"format cut at 3 tokens: done_reason {d.get('done_reason')}")
    st, d, _ = post("/v1/chat/completions", {"model": Q3, "messages": [{"role": "user", "content": "hi"}],
                                             "max_tokens": 3, "response_format": {"type": "json_object"}})
    if d["choices"][0]["finish_reason"] != "length":
        fail(f"response_format cut at 3 tokens: finish_reason {d['choices'][0]['finish_reason']}")


TOOLS = [
    {"type": "function", "function": {
        "name": "get_weather", "description": "The weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string", "maxLength": 12},
                                                        "days": {"type": "integer"}},
                       "required": ["city", "days"], "additionalProperties": False}}},
    {"type": "function", "function": {
        "name": "add", "description": "Add two numbers",
        "parameters": {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                       "required": ["a", "b"], "additionalProperties": False}}},
]
PARAMS = {t["function"]["name"]: t["function"]["parameters"] for t in TOOLS}
ASK = [{"role": "user", "content": "What is the weather in Paris?"}]


def check_call(where, name, args, want=None):
    if want and name != want:
        fail(f"{where}: called {name}, wanted {want}")
        return
    if name not in PARAMS:
        fail(f"{where}: called an unknown tool {name!r}")
        return
    try:
        jsonschema.validate(args, PARAMS[name])
    except Exception as e:  # noqa: BLE001
        fail(f"{where}: arguments {args!r} do not validate: {str(e).splitlines()[0]}")


def tools(model):
    calls = 0
    for seed in (1, 2, 3):
        for choice, want in (("required", None), ({"type": "function", "function": {"name": "add"}}, "add")):
            where = f"{model} tool_choice {json.dumps(choice)} seed {seed}"
            body = {"model": model, "messages": ASK, "max_tokens": 200, "seed": seed, "tools": TOOLS,
                    "tool_choice": choice}
            st, d, raw = post("/v1/chat/completions", body)
            if st != 200:
                fail(f"{where}: {st} {raw[:200]}")
                continue
            c = d["choices"][0]
            if c["finish_reason"] == "length":
                continue
            tc = c["message"].get("tool_calls")
            if c["finish_reason"] != "tool_calls" or not tc:
                fail(f"{where}: no tool_calls: {raw[:300]}")
                continue
            t = tc[0]
            if t["type"] != "function" or not t["id"] or not isinstance(t["function"]["arguments"], str):
                fail(f"{where}: call shape {t!r}")
                continue
            check_call(where, t["function"]["name"], json.loads(t["function"]["arguments"]), want)
            calls += 1
            # streamed: the same call arrives as a tool_calls delta
            chunks = sse("/v1/chat/completions", dict(body, stream=True))
            deltas = [ch["choices"][0]["delta"] for ch in chunks if ch["choices"]]
            streamed = [x for dl in deltas for x in dl.get("tool_calls", [])]
            if chunks[-1]["choices"][0]["finish_reason"] != "tool_calls" or not streamed:
                fail(f"{where} (stream): no tool_calls delta")
            elif streamed[0]["function"]["arguments"] != t["function"]["arguments"]:
                fail(f"{where} (stream): {streamed[0]!r} differs from the whole answer's {t!r}")
    if calls < 3:
        fail(f"{model}: only {calls} forced calls completed through /v1/chat/completions")

    # Ollama's API has no tool_choice; mote's /api/chat reads OpenAI's field to force a call
    one = [TOOLS[1]]
    got = 0
    for seed in (1, 2, 3):
        body = {"model": model, "messages": ASK, "tools": one, "tool_choice": "required", "stream": False,
                "options": {"num_predict": 200, "seed": seed}}
        st, d, raw = post("/api/chat", body)
        if st != 200:
            fail(f"{model} /api/chat forced call: {st} {raw[:200]}")
            continue
        if d["done_reason"] == "length":
            continue
        tc = d["message"].get("tool_calls")
        if not tc or not isinstance(tc[0]["function"]["arguments"], dict):
            fail(f"{model} /api/chat: no structured tool_calls: {raw[:300]}")
            continue
        check_call(f"{model} /api/chat", tc[0]["function"]["name"], tc[0]["function"]["arguments"], "add")
        got += 1
        lines = ndjson("/api/chat", dict(body, stream=True))
        streamed = [c for x in lines for c in x.get("message", {}).get("tool_calls", [])]
        if not lines[-1]["done"] or not streamed or streamed[0]["function"]["arguments"] != tc[0]["function"]["arguments"]:
            fail(f"{model} /api/chat stream: tool_calls {streamed!r} vs {tc!r}")
    if got == 0:
        fail(f"{model} /api/chat: no forced call completed")


def tool_auto():
    """tool_choice auto: text before the call stays content, the call is read out of the answer (a grammar
    makes the noise model write one, as a real model would)."""
    g = 'root ::= "Let me add. <tool_call>\\n{\\"name\\": \\"add\\", \\"arguments\\": {\\"a\\": " [1-9] ", \\"b\\": 2}}\\n</tool_call>"'
    body = {"model": Q3, "messages": ASK, "tools": TOOLS, "grammar": g, "max_tokens": 80, "seed": 1}
    st, d, raw = post("/v1/chat/completions", body)
    m = d["choices"][0]["message"] if st == 200 else {}
    tc = m.get("tool_calls") or []
    if not (d and d["choices"][0]["finish_reason"] == "tool_calls" and m.get("content") == "Let me add. " and len(tc) == 1
            and tc[0]["function"]["name"] == "add" and json.loads(tc[0]["function"]["arguments"])["b"] == 2):
        fail(f"auto tool call (OpenAI): {raw[:400]}")
    chunks = sse("/v1/chat/completions", dict(body, stream=True))
    deltas = [ch["choices"][0]["delta"] for ch in chunks if ch["choices"]]
    text = "".join(x.get("content") or "" for x in deltas)
    calls = [c for x in deltas for c in x.get("tool_calls", [])]
    if "<tool_call>" in text or text != "Let me add. " or len(calls) != 1:
        fail(f"auto tool call (SSE): content {text!r}, calls {calls!r}")
    obody = {"model": Q3, "messages": ASK, "tools": TOOLS, "grammar": g, "options": {"num_predict": 80, "seed": 1}}
    lines = ndjson("/api/chat", obody)
    text = "".join(x["message"]["content"] for x in lines)
    calls = [c for x in lines for c in x["message"].get("tool_calls", [])]
    if text != "Let me add. " or len(calls) != 1 or calls[0]["function"]["arguments"]["b"] != 2:
        fail(f"auto tool call (NDJSON): content {text!r}, calls {calls!r}")
    # tool_choice none: the same text stays content
    st, d, raw = post("/v1/chat/completions", dict(body, tool_choice="none"))
    if "<tool_call>" not in (d["choices"][0]["message"]["content"] or "") or d["choices"][0]["message"].get("tool_calls"):
        fail(f"tool_choice none: {raw[:300]}")


def tool_results():
    """A tool result goes through the template: the prompt has it."""
    base = {"model": Q3, "stream": False, "tools": TOOLS, "options": {"num_predict": 1}}
    st, short, _ = post("/api/chat", dict(base, messages=ASK))
    conv = ASK + [{"role": "assistant", "content": "", "tool_calls": [
        {"function": {"name": "get_weather", "arguments": {"city": "Paris", "days": 1}}}]},
        {"role": "tool", "tool_name": "get_weather", "content": "sunny, 21 degrees"}]
    st, longer, raw = post("/api/chat", dict(base, messages=conv))
    if st != 200:
        fail(f"tool result (Ollama): {st} {raw[:200]}")
    # OpenAI shape: arguments as text, tool_call_id
    conv_oa = ASK + [{"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\", \"days\": 1}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny, 21 degrees"}]
    st, d, raw = post("/v1/chat/completions", {"model": Q3, "messages": conv_oa, "tools": TOOLS, "max_tokens": 1})
    if st != 200:
        fail(f"tool result (OpenAI): {st} {raw[:200]}")
    elif d["usage"]["prompt_tokens"] <= 0:
        fail("tool result (OpenAI): no prompt tokens")
    # /tokenize is not template-aware; compare the prompt sizes via usage instead
    st, d1, _ = post("/v1/chat/completions", {"model": Q3, "messages": ASK, "tools": TOOLS, "max_tokens": 1})
    if not d["usage"]["prompt_tokens"] > d1["usage"]["prompt_tokens"] + 10:
        fail(f"tool result: the prompt did not grow ({d1['usage']['prompt_tokens']} -> {d['usage']['prompt_tokens']})")


def thinking():
    """think false renders the template with thinking off: an empty <think></think> is added to the prompt."""
    def prompt_len(extra):
        st, d, raw = post("/v1/chat/completions", dict({"model": Q3, "messages": [{"role": "user", "content": "hey"}],
                                                        "max_tokens": 1}, **extra))
        if st != 200:
            fail(f"thinking {extra}: {st} {raw[:200]}")
            return 0
        return d["usage"]["prompt_tokens"]
    on, off = prompt_len({}), prompt_len({"chat_template_kwargs": {"enable_thinking": False}})
    if not off > on:
        fail(f"enable_thinking false: prompt {off} tokens, not longer than {on}")
    # the reasoning comes apart: a grammar (llama.cpp's "grammar" field) makes the noise model think
    g = 'root ::= "<think>\\n" [a-z]{3,8} " " [a-z]{3,8} "\\n</think>\\n\\n" [A-Z] [a-z]{2,6} "."'
    st, d, raw = post("/v1/chat/completions", {"model": Q3, "messages": [{"role": "user", "content": "hey"}],
                                               "max_tokens": 60, "seed": 4, "grammar": g})
    m = d["choices"][0]["message"] if st == 200 else {}
    import re
    if not (re.fullmatch(r"[a-z]{3,8} [a-z]{3,8}", m.get("reasoning_content") or "")
            and re.fullmatch(r"[A-Z][a-z]{2,6}\.", m.get("content") or "")):
        fail(f"reasoning_content apart: {raw[:300]}")
    chunks = sse("/v1/chat/completions", {"model": Q3, "messages": [{"role": "user", "content": "hey"}],
                                          "max_tokens": 60, "seed": 4, "grammar": g, "stream": True})
    deltas = [ch["choices"][0]["delta"] for ch in chunks if ch["choices"]]
    r = "".join(x.get("reasoning_content") or "" for x in deltas)
    c = "".join(x.get("content") or "" for x in deltas)
    if r != m.get("reasoning_content") or c != m.get("content"):
        fail(f"streamed reasoning {r!r} / content {c!r} differ from {m!r}")
    # Ollama: think true splits it into message.thinking (streamed too); think not given leaves it in the content
    body = {"model": Q3, "messages": [{"role": "user", "content": "hey"}], "grammar": g, "think": True,
            "options": {"num_predict": 60, "seed": 4}}
    st, d, raw = post("/api/chat", dict(body, stream=False))
    if st != 200 or d["message"].get("thinking") != m.get("reasoning_content") or d["message"]["content"] != m.get("content"):
        fail(f"Ollama thinking: {raw[:300]}")
    lines = ndjson("/api/chat", body)
    r = "".join(x["message"].get("thinking", "") for x in lines)
    c = "".join(x["message"]["content"] for x in lines)
    if r != m.get("reasoning_content") or c != m.get("content"):
        fail(f"Ollama streamed thinking {r!r} / content {c!r}")
    body.pop("think")
    st, d, raw = post("/api/chat", dict(body, stream=False))
    if "thinking" in d["message"] or "<think>" not in d["message"]["content"]:
        fail(f"Ollama without think: {raw[:300]}")
    # Ollama think:false: no thinking field
    st, d_off, _ = post("/api/chat", {"model": Q3, "messages": [{"role": "system", "content": "s2"}, {"role": "user", "content": "hey"}],
                                      "stream": False, "think": False, "options": {"num_predict": 1}})
    if "thinking" in d_off.get("message", {}):
        fail("think false: a thinking field")


def errors():
    for path, body, what in [
        ("/api/chat", {"model": Q3, "messages": ASK, "format": {"type": "array", "uniqueItems": True}}, "a schema keyword mote refuses"),
        ("/api/generate", {"model": Q3, "prompt": "x", "format": "yaml"}, "format neither json nor a schema"),
        ("/v1/chat/completions", {"model": Q3, "messages": ASK, "response_format": {"type": "json_schema"}}, "json_schema without a schema"),
        ("/v1/chat/completions", {"model": Q3, "messages": ASK, "tools": TOOLS,
                                  "tool_choice": {"type": "function", "function": {"name": "nope"}}}, "tool_choice naming no tool"),
        ("/v1/chat/completions", {"model": Q3, "messages": ASK, "tool_choice": "required"}, "tool_choice without tools"),
        ("/v1/chat/completions", {"model": Q3, "messages": ASK, "tools": [{"type": "function"}]}, "a tool without a name"),
        ("/v1/chat/completions", {"model": Q3, "messages": ASK, "tools": TOOLS, "tool_choice": "required",
                                  "response_format": {"type": "json_object"}}, "a forced call and a response format"),
    ]:
        st, d, raw = post(path, body)
        if st != 400 or not (d and "error" in d):
            fail(f"{what}: {st} {raw[:200]}")


st, d, raw = post("/api/show", {"model": Q3})
if "tools" not in d.get("capabilities", []):
    fail(f"/api/show: no tools capability: {d.get('capabilities')}")
structured_output()
tools(Q3)
tools(Q2)
tool_auto()
tool_results()
thinking()
errors()
if failures:
    print(f"{len(failures)} failures")
    sys.exit(1)
print("ok")
