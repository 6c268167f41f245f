// End to end on the real app: a user who triggers each of the demo provider's faults sees the
// right explanation on the step that failed, is offered Retry, and (the fault switched off) the
// retried run completes. The faults are switched through the provider's loopback admin endpoint
// (`/_signet/faults`, crates/provider/README.md); the provider is the one the app starts
// ("Try it with the demo provider"). Consent, when a run gets that far, is given by the stand-in
// browser (browser.sh in "allow" mode) and the redirect comes back by a second launch, as in
// dance.test.mjs. Run through scripts/e2e.sh after dance.test.mjs (same data directory).
//
// Screenshots: target/e2e/fault-<name>.png (the failed step with its explanation, whose text is
// in fault-<name>.txt), and target/e2e/fault-<name>-retried.png (after Retry).

import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { remote } from "webdriverio";
import { saveWindowShot } from "./window-shot.mjs";

const ROOT = path.resolve(import.meta.dirname, "../..");
const APP = process.env.SIGNET_APP ?? path.join(ROOT, "target/debug/signet-desktop");
const E2E_DIR = process.env.E2E_DIR ?? path.join(ROOT, "target/e2e/work");
const SHOTS = process.env.E2E_SHOTS ?? path.join(ROOT, "target/e2e");
// Not dance.test.mjs's ports: its tauri-driver may still be letting go of them.
const DRIVER_PORT = Number(process.env.TAURI_DRIVER_PORT ?? 4444) + 10;
const NATIVE_PORT = DRIVER_PORT + 1;

let driver;
let browser;
/** The demo provider's base URL, as `demo_provider_start` answers it. */
let providerUrl;

// ---------------------------------------------------------------------------------------------
// Helpers

async function bodyText() {
  return browser.execute(() => document.body.innerText);
}

async function headline() {
  return (await browser.$("p.headline")).getText();
}

async function waitHeadline(re, timeout = 20000) {
  let last = "";
  await browser.waitUntil(
    async () => {
      last = await headline().catch(() => "");
      return re.test(last);
    },
    { timeout, interval: 100, timeoutMsg: `headline never matched ${re}; last: ${JSON.stringify(last)}` },
  );
  return last;
}

async function invoke(cmd, args) {
  const out = await browser.executeAsync(
    (cmd, args, done) => {
      window.__TAURI_INTERNALS__
        .invoke(cmd, args === null ? {} : { args })
        .then((ok) => done({ ok }), (err) => done({ err }));
    },
    cmd,
    args,
  );
  if ("err" in out) throw new Error(`${cmd} failed: ${JSON.stringify(out.err)}`);
  return out.ok;
}

/** A DOM click (WebKitWebDriver's pointer clicks can miss buttons low in a scrolled page). */
async function domClick(el) {
  await el.waitForClickable({ timeout: 10000 });
  await browser.execute((e) => {
    e.scrollIntoView({ block: "center" });
    e.click();
  }, el);
}

async function clickButton(selector) {
  await domClick(await browser.$(selector.startsWith("button") ? selector : `button*=${selector}`));
}

async function stepStatus(id) {
  const row = await browser.$(`[data-step="${id}"]`);
  return browser.execute((el) => el.closest("li")?.className ?? "", row);
}

/** The failed step's panel: its number, title and the error callout's text. */
async function panel() {
  return browser.execute(() => {
    const p = document.querySelector("#step-panel");
    const callout = p?.querySelector('[role="alert"]');
    return {
      number: p?.querySelector("header .num")?.textContent?.trim() ?? null,
      title: p?.querySelector("#step-title")?.textContent?.trim() ?? null,
      callout: callout ? callout.innerText : null,
    };
  });
}

/** The demo provider's fault switches: PUT replaces the whole set ({} = all off). */
async function setFaults(faults) {
  const res = await fetch(`${providerUrl}/_signet/faults`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(faults),
  });
  assert.equal(res.status, 200, `PUT /_signet/faults ${JSON.stringify(faults)}: ${res.status}`);
  const now = await (await fetch(`${providerUrl}/_signet/faults`)).json();
  for (const [k, v] of Object.entries(faults)) assert.deepEqual(now[k], v, `fault ${k} not set`);
}

/** The run's failed step, scrolled to the top of the window, into target/e2e/<name>.png. */
async function screenshot(name) {
  await browser.execute(() => {
    document.querySelector("#step-panel")?.scrollIntoView({ block: "start" });
  });
  await browser.pause(250);
  const file = path.join(SHOTS, `${name}.png`);
  await saveWindowShot(browser, file);
  return file;
}

/** A test body that leaves a screenshot (and the page text) behind when it fails. */
function shooting(name, body) {
  return async () => {
    try {
      await body();
    } catch (e) {
      await saveWindowShot(browser, path.join(SHOTS, `FAILED-fault-${name}.png`)).catch(() => {});
      const text = await bodyText().catch(() => "");
      writeFileSync(path.join(SHOTS, `FAILED-fault-${name}.txt`), String(text));
      await setFaults({}).catch(() => {});
      throw e;
    }
  };
}

async function waitFor(cond, timeout, what) {
  const until = Date.now() + timeout;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---------------------------------------------------------------------------------------------
// The faults, and what the user must see for each

const STEP_TITLES = {
  4: ["user_authentication", "User authentication"],
  5: ["request_token_issued", "Request token issued"],
  6: ["user_authorisation", "User authorisation"],
};

const FAULTS = [
  {
    name: "clock-skew",
    faults: { clock_skew_secs: 3600 },
    step: 4,
    cause: [/timestamp_refused/, /clock/i],
    fix: /set the clock|clock offset/i,
    extra: async (text) => {
      // The skew is measured from the provider's Date header and a one-click fix is offered.
      assert.match(text, /ahead/i, "the callout should say the provider's clock is ahead");
      assert.match(text, /Apply offset \(.+\) and retry/, "an 'Apply offset and retry' button");
      // The provider's own words are quoted as they came, not re-capitalised.
      assert.match(text, /The provider says: “oauth_timestamp \d+ is/, "the provider's words verbatim");
    },
  },
  {
    name: "rejected-signatures",
    faults: { reject_signatures: true },
    step: 4,
    cause: [/signature_invalid/, /signature/i],
    fix: /consumer secret/i,
  },
  {
    name: "html-error",
    faults: { html_error: true },
    step: 5,
    cause: [/an HTML page/i, /web page|HTML/i],
    fix: /endpoint URL/i,
  },
  {
    name: "server-error",
    faults: { server_error: true },
    step: 4,
    cause: [/\b500\b/, /internal error|server error/i],
    fix: /wait a moment and retry|retry/i,
  },
  {
    name: "missing-callback-confirmation",
    faults: { omit_callback_confirmed: true },
    step: 5,
    cause: [/oauth_callback_confirmed/],
    fix: /./,
  },
  {
    name: "denied",
    faults: { deny: true },
    step: 6,
    cause: [/denied/i],
    fix: /Allow/,
  },
];

// ---------------------------------------------------------------------------------------------

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync(E2E_DIR, { recursive: true });
  // The stand-in browser approves at once (the "deny" case is the provider's own fault switch).
  writeFileSync(path.join(E2E_DIR, "mode"), "allow");
  // A previous file's app must be gone: a second instance would hand over to it and exit.
  await waitFor(() => spawnSync("pgrep", ["-f", `^${APP}`]).status !== 0, 15000, "a previous app to exit");
  driver = spawn("tauri-driver", ["--port", String(DRIVER_PORT), "--native-port", String(NATIVE_PORT)], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  await new Promise((r) => setTimeout(r, 800));
  browser = await remote({
    hostname: "127.0.0.1",
    port: DRIVER_PORT,
    logLevel: "error",
    connectionRetryTimeout: 60000,
    capabilities: { "tauri:options": { application: APP } },
  });
  await browser.setTimeout({ script: 20000 });
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  driver?.kill();
});

describe("a user who triggers a demo-provider fault sees the right explanation", () => {
  test("the demo provider started from the app has its fault switches off", shooting("start", async () => {
    await browser.waitUntil(async () => /Try it with the demo provider/.test(await bodyText()), {
      timeout: 20000,
      timeoutMsg: "the connectors page never showed",
    });
    // The same provider the "Try it" button uses (it starts it once and reuses it).
    const demo = await invoke("demo_provider_start", null);
    providerUrl = demo.url;
    assert.match(providerUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    const faults = await (await fetch(`${providerUrl}/_signet/faults`)).json();
    assert.ok(
      Object.values(faults).every((v) => v === false || v === 0 || v === null),
      `faults should all be off: ${JSON.stringify(faults)}`,
    );
  }));

  for (const [i, f] of FAULTS.entries()) {
    test(`${f.name}: stops at step ${f.step} with the cause, the fix and Retry; Retry completes once it is off`, shooting(f.name, async () => {
      const [stepId, title] = STEP_TITLES[f.step];
      await setFaults(f.faults);

      if (i === 0) {
        // The way a new user gets here: the demo button fills step 1 and connects.
        await clickButton("Try it with the demo provider");
        await browser.waitUntil(async () => (await bodyText()).includes(`Demo provider running at ${providerUrl}`), {
          timeout: 10000,
          timeoutMsg: "the app does not show the demo provider's URL it started",
        });
      } else {
        await clickButton("button.primary*=Connect again");
      }

      // Where it stopped.
      const h = await waitHeadline(/^Stopped at step/, 30000);
      assert.match(h, new RegExp(`step ${f.step} \\(${title}\\)`), `headline: ${h}`);
      assert.match(await stepStatus(stepId), /\bfailed\b/, `${stepId} should be marked failed`);

      // What the user reads there: wait for the backend's diagnosis (it arrives after the failure).
      let p;
      await browser.waitUntil(
        async () => {
          p = await panel();
          return p.callout !== null && /How to fix it/i.test(p.callout) && f.cause.every((re) => re.test(p.callout));
        },
        { timeout: 10000, interval: 150, timeoutMsg: `the explanation never appeared: ${JSON.stringify(p)}` },
      );
      assert.equal(p.number, String(f.step), "the panel shows the failed step's number");
      assert.equal(p.title, title);
      assert.match(p.callout, /What went wrong/i);
      for (const re of f.cause) assert.match(p.callout, re, `cause ${re}`);
      const fix = p.callout.split(/How to fix it/i)[1] ?? "";
      assert.match(fix.trim(), f.fix, `fix text ${f.fix}: ${JSON.stringify(fix.slice(0, 300))}`);
      await f.extra?.(p.callout);

      const retry = await browser.$("#step-panel").$("button=Retry");
      assert.ok(await retry.isExisting(), "a Retry button is offered");
      await retry.waitForEnabled({ timeout: 5000 });
      await screenshot(`fault-${f.name}`);
      writeFileSync(path.join(SHOTS, `fault-${f.name}.txt`), `${h}\n\n${p.callout}\n`);

      // Fault off, Retry: the dance goes through (consent by the stand-in browser).
      await setFaults({});
      await domClick(retry);
      await waitHeadline(/^Connected\./, 30000);
      assert.match(await stepStatus("resource_access"), /\bdone\b/);
      const meter = await browser.$('[role="progressbar"]');
      assert.equal(await meter.getAttribute("aria-valuenow"), "10", "10 of 10 steps done");
      await browser.execute(() => window.scrollTo(0, 0));
      await browser.pause(500); // the progress bar's width transition (0.4 s)
      await saveWindowShot(browser, path.join(SHOTS, `fault-${f.name}-retried.png`));
    }));
  }
});
