// The browser preview (`npm run dev`: the UI against the fake that replays answers recorded
// from the real backend) in another engine than the app's: headless Chromium through
// chromedriver, on the build scripts/e2e.sh makes with VITE_SIGNET_PREVIEW=1. Every main state a
// visitor of the preview reaches is checked with axe-core in the light and the dark theme
// (reports in target/e2e/preview-axe-*.json) and screenshotted (target/e2e/preview-*.png).

import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { PreviewSession, ROOT } from "./lib.mjs";

const DIST = process.env.SIGNET_PREVIEW_DIST ?? path.join(ROOT, "target/preview-dist");
const s = new PreviewSession("preview", Number(process.env.PREVIEW_DRIVER_PORT ?? 4460), DIST);
let browser;

/**
 * Screenshots the screen in the light and the dark theme (the page's own theme put back), then
 * checks it with axe-core in both.
 */
async function look(name) {
  for (const theme of ["light", "dark"]) {
    await browser.execute((t) => (document.documentElement.dataset.theme = t), theme);
    await s.screenshot(`${name}-${theme}`);
  }
  await browser.execute(() => delete document.documentElement.dataset.theme);
  await s.axe(name);
}

before(async () => {
  browser = await s.start();
});

after(async () => {
  await s.stop();
});

describe("the browser preview in Chromium", () => {
  test("first load, a finished demo run, step 3's technical view, connectors and history", s.shooting("demo", async () => {
    await s.open("demo");
    await look("first-load");

    await s.click("Try it with the demo provider");
    await s.waitHeadline(/^Connected\./, 30000);
    await look("connected");

    await s.openStep("token_request");
    await browser.execute(() => {
      const d = document.querySelector("details.technical");
      if (d) d.open = true;
    });
    await s.waitText(/Signature base string/i);
    await look("step-3-technical");

    await browser.execute(() => document.getElementById("section-tab-endpoints")?.click());
    await s.click(/^Send GET$/);
    await s.waitText(/My profile sent[\s\S]*200\s+OK/);
    await look("endpoint-sent");

    await s.click(/^Connectors$/);
    await s.waitText(/Saved connectors[\s\S]*Signet demo provider/);
    await look("connectors");

    await s.click(/^History$/);
    await s.waitText(/History/);
    await look("history");
  }));

  test("a failed run and its explanation", s.shooting("failed", async () => {
    await s.open("server_error");
    await s.click("Try it with the demo provider");
    await s.waitHeadline(/failed|stopped|went wrong/i, 30000);
    const text = await s.text();
    assert.match(text, /500|server/i);
    await look("failed");
  }));

  test("a new connector from nothing", s.shooting("new", async () => {
    await s.open("new");
    await s.click("New connector from nothing");
    await s.waitText(/Basic details|Name/);
    await look("new-connector");
  }));

  test("a damaged database's notice", s.shooting("damaged", async () => {
    await s.open("damaged", /database|damaged|could not/i);
    await look("damaged");
  }));
});
