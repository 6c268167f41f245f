// End to end on the real app, against a hostile provider (a small server here, loopback only):
// its request-token endpoint answers 401 with the multi-byte text that once crashed Signet
// (issue 18). The run stops at step 4 with its diagnosis, the app goes on, and the run reopens
// from History with the same diagnosis. Then the provider answers a web page, a body far too
// large, and a redirect to another origin: each run stops on its step with its own reading.
// Its own data directory.
//
// Screenshots: target/e2e/hostile-01-failed.png, hostile-02-reopened.png, hostile-03-html.png,
// hostile-04-huge.png, hostile-05-redirect.png.

import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { rmSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { APP, E2E_DIR, Session, waitFor } from "./lib.mjs";

const s = new Session("hostile", Number(process.env.TAURI_DRIVER_PORT ?? 4444) + 40);
const data = path.join(E2E_DIR, "hostile-data");
const BODY = "signature_invalid: expected base string é&http%3A%2F%2F127.0.0.1 but got something else";
let browser;
let server;
let base;
/** What the provider answers now. */
let mode = "multibyte";

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
    const close = { connection: "close" };
    if (mode === "html") {
      res.writeHead(200, { "content-type": "text/html", ...close });
      res.end("<!doctype html><html><body><h1>Sign in to the Wi-Fi</h1></body></html>");
    } else if (mode === "huge") {
      res.writeHead(200, { "content-type": "text/plain", ...close });
      res.end("x".repeat(3 * 1024 * 1024));
    } else if (mode === "redirect") {
      res.writeHead(302, { location: "http://evil.example/steal", ...close });
      res.end();
    } else {
      res.writeHead(401, { "content-type": "text/plain; charset=utf-8", ...close });
      res.end(BODY);
    }
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
    await s.click(/^Open$/);
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
    await s.click(/^Open$/, 10000, "table");
    await s.waitHeadline(/^Stopped at step 4/, 20000);
    const again = await diagnosisShown();
    assert.equal(again.number, "4");
    assert.match(await s.text(), /expected base string é&http/);
    await browser.execute(() => document.querySelector("#step-panel")?.scrollIntoView({ block: "start" }));
    await s.screenshot("reopened");
    await s.axe("reopened");
  }));

  const MORE = [
    { mode: "html", step: 5, says: [/an HTML page/i, /endpoint URL|web page/i] },
    { mode: "huge", step: 3, says: [/larger than 1 MiB/] },
    { mode: "redirect", step: 3, says: [/redirect/i] },
  ];
  for (const m of MORE) {
    test(`a ${m.mode} answer stops at step ${m.step} with its own reading`, s.shooting(m.mode, async () => {
      mode = m.mode;
      await s.click(/^(Connect again|Retry)$/);
      await s.waitHeadline(new RegExp(`^Stopped at step ${m.step}`), 30000);
      let p;
      await browser.waitUntil(
        async () => {
          p = await panel();
          return p.callout !== null && /How to fix it/i.test(p.callout) && m.says.every((re) => re.test(p.callout));
        },
        { timeout: 15000, interval: 150, timeoutMsg: `no reading for ${m.mode}: ${JSON.stringify(p)}` },
      );
      assert.equal(p.number, String(m.step));
      await browser.execute(() => document.querySelector("#step-panel")?.scrollIntoView({ block: "start" }));
      await s.screenshot(m.mode);
      await s.axe(m.mode);
    }));
  }
});
