#!/usr/bin/env python3
"""
render_templates.py — make the expected outputs of mote's chat formatters.

mote formats conversations with one built-in C formatter per model family
(src/chat/). This script renders the *real* Jinja templates of those families
(tests/data/chat/templates/*.jinja, origins in tests/data/chat/README.md) with
Python's jinja2, set up the way Hugging Face transformers' apply_chat_template
sets it up (sandboxed environment, trim_blocks, lstrip_blocks, loopcontrols,
the raise_exception / strftime_now globals, bos_token / eos_token and tools=None
in the context), for every conversation of tests/data/chat/conversations.txt.

It writes tests/data/chat/expected/<case>.txt (the exact bytes) and
tests/data/chat/manifest.tsv, which tests/unit/test_chat_template.c reads:

    expected-file  template-file  family  conversation  add_generation_prompt  enable_thinking  bos  eos

Run it once after changing a template or a conversation, and commit the
outputs:  python3 tests/chat/render_templates.py
(It needs only jinja2. The date Llama 3.2 prints is fixed to FIXED_DATE.)
"""
import datetime
import os
import sys

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DATA = os.path.join(ROOT, "tests", "data", "chat")
FIXED_DATE = datetime.datetime(2025, 3, 9)  # the C test passes "09 Mar 2025"

# template file -> (mote family name, bos text, eos text, conversations to skip)
# bos/eos are the texts of the real models' BOS/EOS tokens.
TEMPLATES = {
    "meta-llama-Llama-3.2-3B-Instruct.jinja": ("llama3", "<|begin_of_text|>", "<|eot_id|>", ()),
    "meta-llama-Llama-3.1-8B-Instruct.jinja": ("llama3.1", "<|begin_of_text|>", "<|eot_id|>", ()),
    "google-gemma-3-1b-it.jinja": ("gemma", "<bos>", "<eos>", ()),
    # Gemma 2's template (also in the gemma3-tiny fixture) refuses a system message.
    "google-gemma-2-2b-it.jinja": ("gemma", "<bos>", "<eos>", ("sys_hello", "sys_multi", "sys_done")),
    "Qwen-Qwen3-0.6B.jinja": ("qwen3", "", "<|im_end|>", ()),
    "teknium-OpenHermes-2.5-Mistral-7B.jinja": ("chatml", "<s>", "<|im_end|>", ()),
    "HuggingFaceTB-SmolLM2-135M-Instruct.jinja": ("smollm2", "<|im_start|>", "<|im_end|>", ()),
    "microsoft-Phi-3.5-mini-instruct.jinja": ("phi3", "<s>", "<|endoftext|>", ()),
    "microsoft-Phi-4-mini-instruct.jinja": ("phi4-mini", "<|endoftext|>", "<|endoftext|>", ()),
    "TinyLlama-TinyLlama-1.1B-Chat-v1.0.jinja": ("zephyr", "<s>", "</s>", ()),
}


def unescape(s):
    """The conversations file's escapes: \\n, \\t, \\\\."""
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append({"n": "\n", "t": "\t", "\\": "\\"}[s[i + 1]])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def read_conversations(path):
    convs, name = {}, None
    with open(path, encoding="utf-8") as f:
        for line in f.read().split("\n"):
            if not line or line.startswith("#"):
                continue
            if line.startswith("=== "):
                name = line[4:].strip()
                convs[name] = []
            else:
                role, content = line.split("\t", 1)
                convs[name].append({"role": role, "content": unescape(content)})
    return convs


def make_env():
    """A jinja2 environment configured as transformers configures it."""

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def strftime_now(fmt):
        return FIXED_DATE.strftime(fmt)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[jinja2.ext.loopcontrols])
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def cases(convs):
    """(conversation, add_generation_prompt, enable_thinking or None) to render."""
    for name, msgs in convs.items():
        yield name, True, None
        if msgs[-1]["role"] == "assistant" or name == "multi":
            yield name, False, None


def main():
    convs = read_conversations(os.path.join(DATA, "conversations.txt"))
    env = make_env()
    out_dir = os.path.join(DATA, "expected")
    os.makedirs(out_dir, exist_ok=True)
    for old in os.listdir(out_dir):
        os.remove(os.path.join(out_dir, old))
    rows = []
    for tfile, (family, bos, eos, skip) in TEMPLATES.items():
        with open(os.path.join(DATA, "templates", tfile), encoding="utf-8") as f:
            template = env.from_string(f.read())
        todo = list(cases(convs))
        if family == "qwen3":  # the thinking switch, off
            todo += [("hello", True, False), ("multi", True, False), ("think", True, False)]
        for conv, gen, thinking in todo:
            if conv in skip:
                continue
            ctx = dict(messages=convs[conv], tools=None, add_generation_prompt=gen, bos_token=bos, eos_token=eos)
            if thinking is not None:
                ctx["enable_thinking"] = thinking
            text = template.render(**ctx)
            stem = os.path.splitext(tfile)[0]
            name = f"{stem}.{conv}.{'gen' if gen else 'nogen'}{'.nothink' if thinking is False else ''}.txt"
            with open(os.path.join(out_dir, name), "w", encoding="utf-8", newline="") as f:
                f.write(text)
            rows.append("\t".join([name, tfile, family, conv, str(int(gen)), str(int(thinking is not False)),
                                   bos, eos]))
    with open(os.path.join(DATA, "manifest.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("# expected\ttemplate\tfamily\tconversation\tadd_generation_prompt\tenable_thinking\tbos\teos\n")
        f.write("\n".join(rows) + "\n")
    print(f"{len(rows)} renders written to {out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
