// End to end on the real app: a Postman collection (the demo provider's, with an environment
// saying where it runs) dropped on the connectors page is imported — the import's report shown,
// looked at and axe-checked — then connects through the ten steps and calls; the file chooser
// imports too and refuses a file that is no collection, saying why; the connector goes out
// again as a Postman collection in the Downloads folder, with no secret in it. Run through
// scripts/e2e.sh.

import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { APP, E2E_DIR, ROOT, Session, setMode, useDownloads } from "./lib.mjs";

const s = new Session("interchange", Number(process.env.TAURI_DRIVER_PORT ?? 4444) + 100);
const downloads = path.join(E2E_DIR, "interchange-downloads");
const NAME = "Signet demo shop (from Postman)";
let browser;

async function waitFor(cond, timeout, what) {
  const until = Date.now() + timeout;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The demo collection as a Signet user keeps it: the callback is Signet's deep link. */
function demoFiles(baseUrl) {
  const file = path.join(ROOT, "crates/interchange/tests/postman/demo.postman_collection.json");
  const collection = readFileSync(file, "utf8").replace("http://127.0.0.1/callback", "signet://callback");
  const environment = JSON.stringify({
    name: "Demo provider on this machine",
    values: [{ key: "base_url", value: baseUrl, type: "default", enabled: true }],
  });
  return [
    { name: "demo.postman_environment.json", text: environment },
    { name: "demo.postman_collection.json", text: collection },
  ];
}

/** Drops files on the connectors page, as the desktop's file manager would. */
async function drop(files) {
  await browser.execute((files) => {
    const dt = new DataTransfer();
    for (const f of files) dt.items.add(new File([f.text], f.name, { type: "application/json" }));
    const page = document.querySelector(".page");
    for (const type of ["dragenter", "dragover", "drop"]) {
      page.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }
  }, files);
}

/** Picks files in the import's file chooser (its input gets them as the dialog would give them). */
async function choose(files) {
  await browser.execute((files) => {
    const dt = new DataTransfer();
    for (const f of files) dt.items.add(new File([f.text], f.name, { type: "application/json" }));
    const input = document.querySelector('[data-testid="postman-file"]');
    input.files = dt.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }, files);
}

before(async () => {
  mkdirSync(E2E_DIR, { recursive: true });
  setMode("allow");
  useDownloads(downloads);
  await waitFor(() => spawnSync("pgrep", ["-f", `^${APP}`]).status !== 0, 15000, "a previous app to exit");
  browser = await s.start();
});

after(async () => {
  await s.stop();
});

describe("Postman collections in and out", () => {
  let baseUrl;

  test("a collection dropped on the connectors page is imported, with its report", s.shooting("dropped", async () => {
    await s.waitText(/Start from a provider preset/);
    // The keyboard reaches Import right after New connector.
    const seen = [];
    for (let i = 0; i < 14; i++) seen.push(await s.tab());
    const at = seen.findIndex((f) => /New connector from nothing/.test(f));
    assert.ok(at >= 0, seen.join(" | "));
    assert.match(seen[at + 1], /Import a Postman collection/, seen.join(" | "));
    await s.screenshot("connectors");
    baseUrl = (await s.invoke("demo_provider_start", null)).ok.url;
    // Files dragged over the page show where to drop them; dragged away, the hint goes.
    const hint = await browser.execute(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(["{}"], "x.json", { type: "application/json" }));
      const at = (el, type) => el.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      const page = document.querySelector(".page");
      const title = document.querySelector("#start-title");
      at(page, "dragenter");
      at(title, "dragenter");
      at(page, "dragleave");
      return new Promise((resolve) =>
        requestAnimationFrame(() => {
          const shown = document.querySelector(".drop-hint")?.textContent ?? "";
          at(title, "dragleave");
          requestAnimationFrame(() => resolve([shown, document.querySelector(".drop-hint") === null]));
        }),
      );
    });
    assert.deepEqual(hint, ["Drop a Postman collection to import it", true]);
    await drop(demoFiles(baseUrl));
    await s.waitText(/Imported from Postman: Signet demo shop/);
    const text = await s.text();
    // Only good-to-know notes here: shown open.
    assert.match(text, /Good to know \(4\)/);
    assert.match(text, /request-token request \(step 3\)/);
    assert.match(text, /went into the instance/);
    await s.screenshot("import-report");
    await s.axe("import-report");
  }));

  test("the imported connector connects through the ten steps and calls", s.shooting("connects", async () => {
    await s.click("Authentication");
    await s.click(/^Connect$/);
    await s.waitHeadline(/^Connected\./, 30000);
    await s.screenshot("connected");
    await s.click("Endpoints");
    await s.click(/Shop \/ Orders/);
    // Copy as curl, then Tab: the command, then nothing else (no secret to put in here).
    await s.click("Copy as curl", 10000, "section.request");
    await s.waitText(/Copied to the clipboard/);
    await browser.execute(() =>
      [...document.querySelectorAll("section.request button")].find((b) => /Copy as curl/.test(b.textContent))?.focus(),
    );
    assert.equal(await s.tab(), "textarea:curl command");
    await s.click(/^Send GET$/);
    await s.waitText(/"offset": 1|offset/);
    await browser.waitUntil(
      async () =>
        browser.execute(() => document.querySelector("section.call")?.innerText.includes("200") ?? false),
      { timeout: 15000, timeoutMsg: "no 200 answer" },
    );
    await s.screenshot("called");
  }));

  test("it goes out as a Postman collection with no secret in it", s.shooting("exported", async () => {
    await s.click("Export to Postman…");
    await s.screenshot("export-panel");
    await s.axe("export-panel");
    // The keyboard goes through the panel in reading order.
    await browser.execute(() =>
      [...document.querySelectorAll(".postman-export button")].find((b) => b.textContent.trim() === "Close")?.focus(),
    );
    assert.match(await s.tab(), /^input:/, "the checkbox");
    assert.equal(await s.tab(), "button:Save the collection");
    await s.click("Save the collection");
    await s.waitText(/Saved .*\.postman_collection\.json/);
    const file = readdirSync(downloads).find((f) => f.endsWith(".postman_collection.json"));
    assert.ok(file, `nothing in ${downloads}`);
    const text = readFileSync(path.join(downloads, file), "utf8");
    const doc = JSON.parse(text);
    assert.equal(doc.info.schema, "https://schema.getpostman.com/json/collection/v2.1.0/collection.json");
    assert.equal(doc.info.name, NAME);
    assert.ok(!text.includes("signet-demo-secret"), "the consumer secret is in the export");
    await s.screenshot("export-saved");
  }));

  test("the file chooser imports too, and refuses what is no collection", s.shooting("chooser", async () => {
    await s.click(/^Connectors$/);
    await s.waitText(/Start from a provider preset/);
    const [environment, collection] = demoFiles(baseUrl);
    await choose([environment]);
    await s.waitText(/is a Postman environment, not a collection/);
    await s.screenshot("refused");
    await s.axe("refused");
    await choose([collection]);
    await s.waitText(/Imported from Postman: Signet demo shop \(from Postman\) \(2\)/);
    await s.screenshot("chosen");
  }));
});
