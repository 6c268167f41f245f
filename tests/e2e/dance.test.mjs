// End to end on the real app: tauri-driver + WebKitWebDriver drive the built signet-desktop
// through the ten steps against the built-in demo provider. The consent is given by the stand-in
// browser (browser.sh: `signet approve`), and the provider's redirect comes back the way the OS
// delivers it: the app binary launched a second time with the signet:// URL, handed over the
// session bus by the single-instance plugin. Run through scripts/e2e.sh (Xvfb, dbus-run-session).
//
// Every step is screenshotted into target/e2e/.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { remote } from "webdriverio";
import { saveWindowShot } from "./window-shot.mjs";

const ROOT = path.resolve(import.meta.dirname, "../..");
const APP = process.env.SIGNET_APP ?? path.join(ROOT, "target/debug/signet-desktop");
const E2E_DIR = process.env.E2E_DIR ?? path.join(ROOT, "target/e2e/work");
const SHOTS = process.env.E2E_SHOTS ?? path.join(ROOT, "target/e2e");
const DRIVER_PORT = Number(process.env.TAURI_DRIVER_PORT ?? 4444);

const STEP_IDS = [
  "consumer_registration",
  "user_initiation",
  "token_request",
  "user_authentication",
  "request_token_issued",
  "user_authorisation",
  "redirect_to_consumer",
  "access_token_request",
  "access_token_issued",
  "resource_access",
];

let driver;
let browser;
let shot = 0;

function setMode(mode) {
  writeFileSync(path.join(E2E_DIR, "mode"), mode);
}

function release(decision = "allow") {
  writeFileSync(path.join(E2E_DIR, "go"), decision);
}

async function screenshot(name) {
  shot += 1;
  const file = path.join(SHOTS, `${String(shot).padStart(2, "0")}-${name}.png`);
  await saveWindowShot(browser, file);
  return file;
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

async function bodyText() {
  return browser.execute(() => document.body.innerText);
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

/** Clicks a button by (part of) its text, or by a full selector starting with "button". */
async function clickButton(text) {
  const button = await browser.$(text.startsWith("button") ? text : `button*=${text}`);
  await button.waitForClickable({ timeout: 10000 });
  // A DOM click: WebKitWebDriver's pointer clicks can miss buttons low in a scrolled page.
  await browser.execute((el) => {
    el.scrollIntoView({ block: "center" });
    el.click();
  }, button);
}

async function stepStatus(id) {
  const row = await browser.$(`[data-step="${id}"]`);
  return browser.execute((el) => el.closest("li")?.className ?? "", row);
}

/** Launches the app binary a second time with `url`, as the desktop does for a signet:// link. */
function secondLaunch(url) {
  const started = Date.now();
  const r = spawnSync(APP, [url], { encoding: "utf8", timeout: 20000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

async function waitFor(cond, timeout, what) {
  const until = Date.now() + timeout;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A test body that leaves a screenshot (and the page text) behind when it fails. */
function shooting(name, body) {
  return async () => {
    try {
      await body();
    } catch (e) {
      await screenshot(`FAILED-${name}`).catch(() => {});
      const text = await bodyText().catch(() => "");
      writeFileSync(path.join(SHOTS, `FAILED-${name}.txt`), String(text));
      throw e;
    }
  };
}

async function openStep(id) {
  const button = await browser.$(`[data-step="${id}"]`);
  await button.click();
  await browser.pause(150);
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  rmSync(E2E_DIR, { recursive: true, force: true });
  mkdirSync(E2E_DIR, { recursive: true });
  setMode("hold");
  driver = spawn("tauri-driver", ["--port", String(DRIVER_PORT)], {
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

describe("the Signet desktop app", () => {
  test("opens the wizard in a window titled Signet", shooting("opens-the-wizard-in-a-window-titled-sign", async () => {
    await waitHeadline(/Step 1|Ready/);
    const title = spawnSync("xdotool", ["search", "--name", "^Signet"], { encoding: "utf8" });
    assert.equal(title.status, 0, "no window whose title starts with Signet");
    const text = await bodyText();
    assert.match(text, /Try it with the demo provider/);
    assert.match(text, /Consumer registration/);
    await screenshot("launch-step-1");
  }));

  test("runs the ten steps with the demo provider: consent in the browser, redirect by deep link", shooting("runs-the-ten-steps-with-the-demo-provide", async () => {
    setMode("hold");
    await clickButton("Try it with the demo provider");
    // Steps 1-5 pass on their own; at step 6 the user is at the provider.
    await waitHeadline(/Your turn: allow access in the browser/);
    for (const id of STEP_IDS.slice(0, 5)) {
      assert.match(await stepStatus(id), /\bdone\b/, `${id} should be done`);
    }
    assert.match(await stepStatus("user_authorisation"), /\bactive\b/);
    await browser.waitUntil(() => existsSync(path.join(E2E_DIR, "authorize-url")), { timeout: 10000 });
    assert.match(readFileSync(path.join(E2E_DIR, "authorize-url"), "utf8"), /\/oauth\/authorize\?oauth_token=/);
    await screenshot("waiting-for-consent");

    release("allow");
    await waitHeadline(/^Connected\./, 30000);
    const log = readFileSync(path.join(E2E_DIR, "second-launch.log"), "utf8");
    assert.match(log, /exit 0/, `the second launch should hand over and exit 0: ${log}`);
    assert.match(readFileSync(path.join(E2E_DIR, "redirect"), "utf8"), /^signet:\/\/callback\?/);
    for (const id of STEP_IDS) {
      assert.match(await stepStatus(id), /\bdone\b/, `${id} should be done`);
    }
    await screenshot("connected");

    // What the user sees at each step.
    for (const [i, id] of STEP_IDS.entries()) {
      await openStep(id);
      const text = await bodyText();
      assert.ok(text.length > 0);
      if (id === "request_token_issued") assert.match(text, /Request token\n\w{16,}/);
      if (id === "access_token_request") assert.match(text, /oauth_verifier|signature/i);
      if (id === "resource_access") assert.match(text, /alice|Alice Liddell/);
      await screenshot(`step-${String(i + 1).padStart(2, "0")}-${id}`);
    }
  }));

  test("stores the access token of a saved connector", shooting("stores-the-access-token-of-a-saved-conne", async () => {
    await openStep("consumer_registration");
    await clickButton("Edit step 1 again");
    await clickButton("Save connector");
    await browser.waitUntil(async () => /Saved "Demo provider"/.test(await bodyText()), {
      timeout: 10000,
      timeoutMsg: "no confirmation that the connector was saved",
    });
    setMode("allow");
    await clickButton("button.primary*=Connect");
    await waitHeadline(/^Connected\./, 30000);
    const tokens = await invoke("tokens_list", null);
    assert.equal(tokens.length, 1, JSON.stringify(tokens));
    assert.equal(tokens[0].connector_name, "Demo provider");
    assert.ok(tokens[0].secret_len > 0);
    assert.ok(!JSON.stringify(tokens).includes("secret\":\""), "no secret value in the list");
    await openStep("resource_access");
    assert.match(await bodyText(), /alice|Alice Liddell/);
    await screenshot("saved-connector-connected");
    await clickButton("Connectors");
    await browser.waitUntil(async () => /Demo provider/.test(await bodyText()), { timeout: 5000 });
    await screenshot("connectors-with-token");
    const runs = await invoke("runs_list", { connector_id: null });
    assert.ok(runs.some((r) => r.connector_id === tokens[0].connector_id && r.phase === "finished"));
    await clickButton("button=Connect");
  }));

  test("a denied consent stops at the redirect with a plain message", shooting("a-denied-consent-stops-at-the-redirect-w", async () => {
    setMode("deny");
    await clickButton("button.primary*=Connect again");
    const h = await waitHeadline(/^Stopped at step/, 30000);
    // The consent page is where the user said no.
    assert.match(h, /step 6 \(User authorisation\)/);
    assert.match(await bodyText(), /denied/i);
    await screenshot("denied");
  }));

  test("a callback for another attempt is refused and the waiting run goes on", shooting("a-callback-for-another-attempt-is-refuse", async () => {
    setMode("hold");
    await clickButton("button.primary*=Connect again");
    await waitHeadline(/Your turn: allow access in the browser/);
    const r = secondLaunch("signet://callback?oauth_token=not-the-pending-token&oauth_verifier=x1");
    assert.equal(r.status, 0, `second launch: ${r.stdout} ${r.stderr}`);
    await browser.waitUntil(async () => /Signet set aside a link it could not use/.test(await bodyText()), {
      timeout: 10000,
      timeoutMsg: "the refusal was not shown",
    });
    const text = await bodyText();
    assert.match(text, /does not match/);
    assert.doesNotMatch(text, /x1(?![\w-])/, "the verifier is not shown");
    assert.match(await headline(), /Your turn: allow access/);
    await screenshot("mismatched-callback-refused");
    release("allow");
    await waitHeadline(/^Connected\./, 30000);
    await screenshot("after-mismatch-connected");
  }));

  test("a link the app is started with is kept until the wizard shows it", shooting("cold-start-link", async () => {
    await browser.deleteSession();
    // The database is the first app's until it has exited.
    await waitFor(() => spawnSync("pgrep", ["-f", `^${APP}`]).status !== 0, 15000, "the first app to exit");
    browser = await remote({
      hostname: "127.0.0.1",
      port: DRIVER_PORT,
      logLevel: "error",
      connectionRetryTimeout: 30000,
      capabilities: {
        "tauri:options": { application: path.join(import.meta.dirname, "app-with-link.sh") },
      },
    });
    await waitHeadline(/Step 1|Ready/);
    await browser.waitUntil(async () => /from-a-closed-app/.test(await bodyText()), {
      timeout: 10000,
      timeoutMsg: "the link the app started with was lost",
    });
    assert.match(await bodyText(), /no connection is waiting/);
    await (await browser.$("div.banner")).scrollIntoView();
    await browser.pause(300);
    await screenshot("cold-start-link-refused");
  }));
});
