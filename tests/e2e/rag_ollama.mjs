// rag_ollama.mjs — the npm `ollama` client against `mote serve --rag`, for
// test_rag_serve.sh: the knowledge base's model is listed and answers a chat
// (streamed and whole) whose prompt holds the passages (more prompt tokens
// than the same question put to the chat model alone).
//   node rag_ollama.mjs URL RAG_NAME CHAT_NAME
import assert from "node:assert/strict";
import { Ollama } from "ollama";

const [url, ragName, chatName] = process.argv.slice(2);
const ollama = new Ollama({ host: url });
const names = (await ollama.list()).models.map((m) => m.name);
assert.ok(names.includes(ragName), names.join(","));
const ask = { messages: [{ role: "user", content: "which dance shows the direction of flowers" }], options: { temperature: 0, num_predict: 6 } };
const plain = await ollama.chat({ model: chatName, ...ask });
const rag = await ollama.chat({ model: ragName, ...ask });
assert.equal(rag.done, true);
assert.ok(rag.prompt_eval_count > plain.prompt_eval_count + 20, `${rag.prompt_eval_count} vs ${plain.prompt_eval_count}`);
let n = 0;
for await (const part of await ollama.chat({ model: ragName, ...ask, stream: true })) n += part.done ? 0 : 1;
assert.ok(n >= 1);
console.log("ok: ollama client");
