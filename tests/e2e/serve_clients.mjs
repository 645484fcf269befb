// serve_clients.mjs — the real JavaScript client libraries (npm `ollama` and
// `openai`) against a running `mote serve`, for test_serve_clients.sh:
// every generation endpoint streamed and whole, the model lists, show/ps/
// version, and errors surfacing as the libraries' own exceptions.
//   node serve_clients.mjs URL EXPECTED_JSON
// EXPECTED_JSON: {"raw": text of stories260K after "Once upon a time" (24 tokens, greedy),
//                 "chat": qwen3-tiny-f32's greedy answer to "Hello there" (12 tokens)}
import assert from "node:assert/strict";
import { Ollama } from "ollama";
import OpenAI from "openai";

const [url, expectedJson] = process.argv.slice(2);
const expected = JSON.parse(expectedJson);
const ollama = new Ollama({ host: url });
const openai = new OpenAI({ baseURL: url + "/v1", apiKey: "not-needed", maxRetries: 0, timeout: 60000 });
const RAW = { model: "stories260K", prompt: "Once upon a time", options: { temperature: 0, num_predict: 24 } };
const CHAT = { model: "qwen3-tiny-f32", messages: [{ role: "user", content: "Hello there" }] };

// --- ollama
const list = await ollama.list();
assert.deepEqual(list.models.map((m) => m.name).sort(), ["qwen3-tiny-f32", "stories260K"]);
assert.equal((await ollama.version()).version.length > 0, true);
let r = await ollama.generate(RAW);
assert.equal(r.response, expected.raw);
assert.equal(r.done, true);
assert.equal(r.eval_count, 24);
let text = "";
let last;
for await (const part of await ollama.generate({ ...RAW, stream: true })) {
  text += part.response;
  last = part;
}
assert.equal(text, expected.raw);
assert.equal(last.done, true);
const chat = await ollama.chat({ ...CHAT, options: { temperature: 0, num_predict: 12 } });
assert.equal(chat.message.role, "assistant");
assert.equal(chat.message.content, expected.chat);
text = "";
for await (const part of await ollama.chat({ ...CHAT, stream: true, options: { temperature: 0, num_predict: 12 } }))
  text += part.message.content;
assert.equal(text, expected.chat);
const show = await ollama.show({ model: "qwen3-tiny-f32" });
assert.equal(show.details.family, "qwen3");
const ps = await ollama.ps();
assert.ok(ps.models.some((m) => m.name === "stories260K"));
await assert.rejects(ollama.generate({ ...RAW, model: "no-such-model" }), (e) => e.status_code === 404);
const emb = await ollama.embed({ model: "stories260K", input: ["Once upon a time", "The dog"] });
assert.equal(emb.embeddings.length, 2);
assert.ok(Math.abs(Math.hypot(...emb.embeddings[0]) - 1) < 1e-4);
console.log("ok: ollama client");

// --- openai
const models = await openai.models.list();
assert.deepEqual(models.data.map((m) => m.id).sort(), ["qwen3-tiny-f32", "stories260K"]);
const cc = await openai.chat.completions.create({ ...CHAT, temperature: 0, max_tokens: 12 });
assert.equal(cc.choices[0].message.content, expected.chat);
assert.equal(cc.usage.completion_tokens, 12);
assert.equal(cc.choices[0].finish_reason, "length");
text = "";
let usage = null;
const stream = await openai.chat.completions.create({
  ...CHAT, temperature: 0, max_tokens: 12, stream: true, stream_options: { include_usage: true },
});
for await (const chunk of stream) {
  if (chunk.choices.length) text += chunk.choices[0].delta.content ?? "";
  if (chunk.usage) usage = chunk.usage;
}
assert.equal(text, expected.chat);
assert.equal(usage.completion_tokens, 12);
const cmpl = await openai.completions.create({ model: "stories260K", prompt: "Once upon a time", temperature: 0, max_tokens: 24 });
assert.equal(cmpl.choices[0].text, expected.raw);
text = "";
for await (const chunk of await openai.completions.create({
  model: "stories260K", prompt: "Once upon a time", temperature: 0, max_tokens: 24, stream: true,
}))
  text += chunk.choices[0].text;
assert.equal(text, expected.raw);
await assert.rejects(openai.chat.completions.create({ ...CHAT, model: "no-such-model" }), (e) => e.status === 404);
await assert.rejects(openai.chat.completions.create({ ...CHAT, n: 2 }), (e) => e.status === 400);
// the library asks for base64 by default and decodes it
const oemb = await openai.embeddings.create({ model: "stories260K", input: "Once upon a time" });
assert.deepEqual(oemb.data[0].embedding.map((x) => Math.fround(x)), emb.embeddings[0].map((x) => Math.fround(x)));
console.log("ok: openai client");
