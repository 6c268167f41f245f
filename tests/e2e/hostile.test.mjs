// End to end on the real app, against a hostile provider (a small server here, loopback only):
// its request-token endpoint answers 401 with the multi-byte text that once crashed Signet
// (issue 18). The run stops at step 4 with its diagnosis, the app goes on, and the run reopens
// from History with the same diagnosis. Its own data directory.
//
// Screenshots: target/e2e/hostile-01-failed.png, hostile-02-reopened.png.

import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { rmSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { APP, E2E_DIR, Session } from "./lib.mjs";

const s = new Session("hostile", Number(process.env.TAURI_DRIVER_PORT ?? 4444) + 40);
const data = path.join(E2E_DIR, "hostile-data");
const BODY = "signature_invalid: expected base string é&http%3A%2F%2F127.0.0.1 but got something else";
let browser;
let server;
let base;

async function waitFor(check, timeout, what) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The failed step's panel: its number and the error callout's text. */
async function panel() {
  return browser.execute(() => {
    const p = document.querySelector("#step-panel");
    const callout = p?.querySelector('[role="alert"]');
    return {
      number: p?.querySelector("header .num")?.textContent?.trim() ?? null,
      callout: callout ? callout.innerText : null,
    };
  });
}

async function diagnosisShown() {
  let p;
  await browser.waitUntil(
    async () => {
      p = await panel();
      return p.callout !== null && /How to fix it/i.test(p.callout) && /signature_invalid/.test(p.callout);
    },
    { timeout: 15000, interval: 150, timeoutMsg: `no diagnosis: ${JSON.stringify(p)}` },
  );
  return p;
}

before(async () => {
  rmSync(data, { recursive: true, force: true });
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(401, { "content-type": "text/plain; charset=utf-8", connection: "close" });
    res.end(BODY);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  // The test's process must not wait for this server (or the app's connections to it).
  server.unref();
  base = `http://127.0.0.1:${server.address().port}`;
  process.env.SIGNET_DATA_DIR = data;
  await waitFor(() => spawnSync("pgrep", ["-f", `^${APP}`]).status !== 0, 15000, "a previous app to exit");
  browser = await s.start();
});

after(async () => {
  await s.stop();
  server?.closeAllConnections();
  server?.close();
});

describe("a hostile provider", () => {
  test("a multi-byte refusal is diagnosed, and the run reopens from History", s.shooting("hostile", async () => {
    await s.waitText(/Build a connector/, 30000);
    // The demo connector, pointed at the hostile provider's request-token endpoint.
    const demo = (await s.invoke("demo_provider_start", null)).ok;
    const doc = demo.connector.document;
    const oauth = doc.connector.auth_methods.find((m) => m.kind.type === "oauth1").kind;
    oauth.request_token.url = `${base}/oauth/request_token`;
    doc.connector.details.name = "Hostile provider";
    const saved = await s.invoke("connector_save", { document: doc });
    assert.ok(saved.ok, JSON.stringify(saved.err));
    await s.invoke("connectors_list", null);
    await browser.execute(() => location.reload());
    await s.waitText(/Hostile provider/, 20000);
    await s.click("Open");
    await s.waitText(/Basic details/);
    await browser.execute(() => document.getElementById("section-tab-auth")?.click());
    await s.click(/^Connect$/);

    await s.waitHeadline(/^Stopped at step 4/, 30000);
    const p = await diagnosisShown();
    assert.equal(p.number, "4");
    assert.match(p.callout, /What went wrong/i);
    assert.match(p.callout, /401/);
    // The provider's words, multi-byte character included, are shown as they came.
    assert.match(await s.text(), /expected base string é&http/);
    await browser.execute(() => document.querySelector("#step-panel")?.scrollIntoView({ block: "start" }));
    await s.screenshot("failed");
    await s.axe("failed");

    // The app goes on: the run is in History and reopens with the same reading.
    await s.click(/^History$/);
    await s.waitText(/Connection: \d+ of 10 steps/);
    await s.click("Open", 10000, "table");
    await s.waitHeadline(/^Stopped at step 4/, 20000);
    const again = await diagnosisShown();
    assert.equal(again.number, "4");
    assert.match(await s.text(), /expected base string é&http/);
    await browser.execute(() => document.querySelector("#step-panel")?.scrollIntoView({ block: "start" }));
    await s.screenshot("reopened");
    await s.axe("reopened");
  }));
});
