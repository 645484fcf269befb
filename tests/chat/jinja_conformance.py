#!/usr/bin/env python3
"""
jinja_conformance.py — mote's Jinja interpreter against Python's jinja2.

For every template in tests/data/jinja/templates/ and every conversation
below (with and without a system prompt, multi-turn, tool definitions, tool
calls and results, thinking on and off, non-ASCII text), render the template
with jinja2 set up as Hugging Face transformers sets it up (sandboxed,
trim_blocks, lstrip_blocks, loop controls, a {% generation %} tag, its
tojson, raise_exception, strftime_now at a fixed date), and with mote's
tests/chat/jinja_render tool; the bytes must be equal, or both must refuse.

    jinja_conformance.py PATH/TO/jinja_render [-v] [TEMPLATE-SUBSTRING]

The one-line templates of jinja_snippets.txt (the corners of the language)
are compared the same way.

Templates that use something mote does not support are listed in
UNSUPPORTED with the construct named (the goal is an empty list).
"""
import datetime
import json
import os
import subprocess
import sys
import tempfile

try:
    import jinja2
    import jinja2.ext
    from jinja2.sandbox import ImmutableSandboxedEnvironment
except ImportError:
    print("SKIP: python3-jinja2 is not installed")
    sys.exit(77)

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TEMPLATES = os.path.join(ROOT, "tests", "data", "jinja", "templates")
FIXED_NOW = datetime.datetime(2025, 3, 9, 12, 0, 0)
FIXED_EPOCH = int(FIXED_NOW.replace(tzinfo=datetime.timezone.utc).timestamp())

# template file -> the construct mote does not support (none, ideally)
UNSUPPORTED = {}


class GenerationTag(jinja2.ext.Extension):
    """transformers' {% generation %} marks assistant text; it renders its body unchanged."""
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_render", []), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def reference_env():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(fmt):
        return FIXED_NOW.strftime(fmt)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[GenerationTag, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


SYSTEM = {"role": "system", "content": "You are a helpful assistant."}
USER = {"role": "user", "content": "Hello! How are you?"}
ANSWER = {"role": "assistant", "content": "I am fine, thank you."}
USER2 = {"role": "user", "content": "What can you do?"}
TOOLS = [{
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "The city, e.g. \"Paris\""},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 1},
            },
            "required": ["city"],
        },
    },
}]
ASK_WEATHER = {"role": "user", "content": "What's the weather in Paris?"}
CALL = {"role": "assistant", "content": None, "tool_calls": [{
    "id": "call_1", "type": "function",
    "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}}]}
RESULT = {"role": "tool", "tool_call_id": "call_1", "name": "get_weather",
          "content": "{\"temperature\": 21, \"sky\": \"clear\"}"}
# the same call as OpenAI clients send it: empty content, a 9-character id
CALL2 = {"role": "assistant", "content": "", "tool_calls": [{
    "id": "call00001", "type": "function",
    "function": {"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}}]}
RESULT2 = {"role": "tool", "tool_call_id": "call00001", "name": "get_weather", "content": "sunny, 21 degrees"}
WEATHER_ANSWER = {"role": "assistant", "content": "It is 21 °C and clear in Paris."}
THOUGHT = {"role": "assistant", "content": "<think>\nThe user greets me.\n</think>\n\nHello! I am fine.",
           "reasoning_content": "The user greets me."}
UNICODE = {"role": "user", "content": "Grüße! 👋 «quotes» \"double\" 'single' \\ back\nnew line\ttab"}

CASES = {
    "user": dict(messages=[USER], add_generation_prompt=True),
    "system": dict(messages=[SYSTEM, USER], add_generation_prompt=True),
    "multi": dict(messages=[SYSTEM, USER, ANSWER, USER2], add_generation_prompt=True),
    "multi_nosys": dict(messages=[USER, ANSWER, USER2], add_generation_prompt=True),
    "finished": dict(messages=[USER, ANSWER], add_generation_prompt=False),
    "tools": dict(messages=[SYSTEM, ASK_WEATHER], tools=TOOLS, add_generation_prompt=True),
    "tools_nosys": dict(messages=[ASK_WEATHER], tools=TOOLS, add_generation_prompt=True),
    "tool_result": dict(messages=[ASK_WEATHER, CALL, RESULT], tools=TOOLS, add_generation_prompt=True),
    "tool_answer": dict(messages=[SYSTEM, ASK_WEATHER, CALL, RESULT, WEATHER_ANSWER, USER2], tools=TOOLS,
                        add_generation_prompt=True),
    "tool_result2": dict(messages=[SYSTEM, ASK_WEATHER, CALL2, RESULT2], tools=TOOLS, add_generation_prompt=True),
    "tool_answer2": dict(messages=[ASK_WEATHER, CALL2, RESULT2, WEATHER_ANSWER], tools=TOOLS,
                         add_generation_prompt=False),
    "think_on": dict(messages=[USER], add_generation_prompt=True, enable_thinking=True),
    "think_off": dict(messages=[USER], add_generation_prompt=True, enable_thinking=False),
    "think_history": dict(messages=[USER, THOUGHT, USER2], add_generation_prompt=True, enable_thinking=True),
    "unicode": dict(messages=[SYSTEM, UNICODE], add_generation_prompt=True),
}


# The variables of the one-line templates in jinja_snippets.txt.
SNIPPET_VARS = {
    "messages": [SYSTEM, USER, ANSWER, USER2], "tools": None, "bos_token": "<s>", "eos_token": "</s>",
    "s": "hello wide world", "u": "Grüße, 世界 😀 \"q\" \\ \u0001", "n": 7, "f": 2.5, "l": [3, 1, 2],
    "d": {"b": [1, 2], "a": 1}, "ns": {"x": 1},
}


def snippets():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "jinja_snippets.txt")
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f.read().split("\n"), 1):
            if line.strip() and not line.startswith("{#"):
                yield number, line.replace("\u23ce", "\n")


def context(case):
    """transformers passes tools=None without tools; llama.cpp leaves it out (undefined): without
    tools, even cases use the one, odd cases the other."""
    ctx = {"bos_token": "<s>", "eos_token": "</s>"}
    if "tools" not in case and list(CASES.values()).index(case) % 2 == 0:
        ctx["tools"] = None
    ctx.update(case)
    return ctx


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    verbose = "-v" in sys.argv
    if not args:
        print(__doc__)
        return 2
    tool = args[0]
    only = args[1] if len(args) > 1 else None
    env = reference_env()
    failures, compared, refused = [], 0, 0
    names = sorted(f for f in os.listdir(TEMPLATES) if f.endswith(".jinja"))
    with tempfile.TemporaryDirectory() as tmp:
        vars_path = os.path.join(tmp, "vars.json")
        for name in names:
            if only and only not in name:
                continue
            path = os.path.join(TEMPLATES, name)
            with open(path, encoding="utf-8") as f:
                source = f.read()
            try:
                template = env.from_string(source)
                compile_error = None
            except Exception as e:  # jinja2 refuses the template itself
                template, compile_error = None, f"{type(e).__name__}: {e}"
            bad = []
            for case_name, case in CASES.items():
                ctx = context(case)
                expected, expected_error = None, compile_error
                if template is not None:
                    try:
                        expected = template.render(**ctx)
                    except Exception as e:
                        expected_error = f"{type(e).__name__}: {e}"
                with open(vars_path, "w", encoding="utf-8") as f:
                    json.dump(ctx, f, ensure_ascii=False)
                p = subprocess.run([tool, path, vars_path, str(FIXED_EPOCH)], capture_output=True, timeout=60)
                got = p.stdout.decode("utf-8", errors="replace")
                got_error = p.stderr.decode("utf-8", errors="replace").strip() if p.returncode else None
                compared += 1
                if p.returncode not in (0, 1):
                    bad.append(f"{case_name}: the tool crashed (status {p.returncode}): {got_error}")
                elif expected_error is not None:
                    refused += 1
                    if got_error is None:
                        bad.append(f"{case_name}: jinja2 refuses ({expected_error}) but mote rendered")
                    elif verbose:
                        print(f"  {name} {case_name}: both refuse: jinja2 {expected_error} / mote {got_error}")
                elif got_error is not None:
                    bad.append(f"{case_name}: mote refuses: {got_error}")
                elif got != expected:
                    i = next((k for k in range(min(len(got), len(expected))) if got[k] != expected[k]),
                             min(len(got), len(expected)))
                    bad.append(f"{case_name}: differs at char {i}: jinja2 {expected[max(0, i - 40):i + 40]!r} "
                               f"mote {got[max(0, i - 40):i + 40]!r}")
            if bad and name not in UNSUPPORTED:
                failures.append(name)
                print(f"FAIL {name}")
                for b in bad[: (len(bad) if verbose else 3)]:
                    print(f"    {b}")
            elif not bad and name in UNSUPPORTED:
                print(f"NOTE {name} is listed as unsupported ({UNSUPPORTED[name]}) but now matches")
        snippet_failures = 0
        for number, source in snippets():
            if only:
                break
            path = os.path.join(tmp, "snippet.jinja")
            with open(path, "w", encoding="utf-8") as f:
                f.write(source)
            with open(vars_path, "w", encoding="utf-8") as f:
                json.dump(SNIPPET_VARS, f, ensure_ascii=False)
            try:
                expected, expected_error = env.from_string(source).render(**SNIPPET_VARS), None
            except Exception as e:
                expected, expected_error = None, f"{type(e).__name__}: {e}"
            p = subprocess.run([tool, path, vars_path, str(FIXED_EPOCH)], capture_output=True, timeout=60)
            got = p.stdout.decode("utf-8", errors="replace")
            got_error = p.stderr.decode("utf-8", errors="replace").strip() if p.returncode else None
            compared += 1
            if p.returncode not in (0, 1) or (expected_error is None) != (got_error is None) or \
                    (expected_error is None and got != expected):
                snippet_failures += 1
                print(f"FAIL snippet line {number}: {source!r}\n    jinja2 {expected!r} {expected_error or ''}\n"
                      f"    mote   {got!r} {got_error or ''}")
            elif verbose and expected_error:
                print(f"  snippet line {number}: both refuse: jinja2 {expected_error} / mote {got_error}")
        if snippet_failures:
            failures.append(f"{snippet_failures} snippets")
    print(f"{compared} renders compared over {len(names)} templates ({refused} refused by jinja2); "
          f"{len(failures)} templates differ; unsupported list: {len(UNSUPPORTED)}")
    for name, construct in UNSUPPORTED.items():
        print(f"  unsupported: {name}: {construct}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
