// serve_web.mjs — the chat page of `mote serve` in headless Chromium
// (playwright-core driving Debian's /usr/bin/chromium), for test_serve_web.sh:
// the model picker lists the models, a typed message gets a streamed answer
// with tokens/s shown, and the stop button ends a long answer.
//   node serve_web.mjs URL USER_DATA_DIR
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const [url, userDataDir] = process.argv.slice(2);
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"],
  timeout: 60000,
});
try {
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  // the page must not reach anything but the server
  const foreign = [];
  page.on("request", (req) => { if (!req.url().startsWith(url)) foreign.push(req.url()); });
  await page.goto(url + "/");
  assert.equal(await page.title(), "mote");
  await page.waitForFunction(() => document.querySelectorAll("#model option").length > 0);
  const models = await page.$$eval("#model option", (os) => os.map((o) => o.value));
  assert.deepEqual(models, ["qwen3-tiny-f32"]);

  // a message and its streamed answer: the text grows while the stop button is enabled
  await page.click("details summary"); // the system prompt is folded away
  await page.fill("#system", "You are terse.");
  // The tiny model answers in about a second: slow the page's network down (20 kB/s, DevTools'
  // throttling) so the answer streams for several seconds and the stop button has something to stop.
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions",
                 { offline: false, latency: 0, downloadThroughput: 20000, uploadThroughput: -1 });
  await page.fill("#temp", "0"); // greedy: this model then rambles on (~1500 tokens)
  await page.fill("#input", "Tell me a long story");
  await page.click("#send");
  await page.waitForFunction(() => document.querySelector(".msg.user")?.textContent === "Tell me a long story");
  await page.waitForFunction(() => (document.querySelector(".msg.assistant")?.textContent ?? "").length > 0);
  const first = (await page.textContent(".msg.assistant")).length;
  await page.waitForFunction((n) => document.querySelector(".msg.assistant").textContent.length > n, first);
  assert.equal(await page.isEnabled("#stop"), true, "the stop button is enabled while streaming");
  assert.match(await page.textContent("#stats"), /tokens\/s/);

  // stop: the answer is marked stopped and the page is ready for the next message
  await page.click("#stop");
  await page.waitForFunction(() => document.querySelector(".msg.assistant").textContent.endsWith("[stopped]"));
  await page.waitForFunction(() => !document.querySelector("#send").disabled);
  assert.equal(await page.isEnabled("#stop"), false);

  // a second message is answered too (the conversation goes on)
  await page.fill("#input", "Again");
  await page.press("#input", "Enter");
  await page.waitForFunction(() => document.querySelectorAll(".msg.assistant").length === 2);
  await page.waitForFunction(() => document.querySelectorAll(".msg.assistant")[1].textContent.length > 0);
  await page.click("#stop");
  await page.waitForFunction(() => !document.querySelector("#send").disabled);
  assert.deepEqual(foreign, [], "the page requested something outside the server");
  console.log("ok: web page streamed an answer, showed tokens/s and stopped");
} finally {
  await context.close();
}
