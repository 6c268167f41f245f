// End to end on the real app: tauri-driver + WebKitWebDriver drive the built signet-desktop
// through the ten steps against the built-in demo provider. The consent is given by the stand-in
// browser (browser.sh: `signet approve`), and the provider's redirect comes back the way the OS
// delivers it: the app binary launched a second time with the signet:// URL, handed over the
// session bus by the single-instance plugin. Run through scripts/e2e.sh (Xvfb, dbus-run-session).
//
// Every step is screenshotted into target/e2e/ (dance-NN-*.png), and each screen is checked
// with axe-core.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { APP, CHROMIUM, E2E_DIR, SHOTS, Session, release, setMode, useDownloads } from "./lib.mjs";

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

const s = new Session("dance", Number(process.env.TAURI_DRIVER_PORT ?? 4444));
let browser;

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

before(async () => {
  rmSync(E2E_DIR, { recursive: true, force: true });
  mkdirSync(E2E_DIR, { recursive: true });
  setMode("hold");
  // A previous file's app must be gone: a second instance would hand over to it and exit.
  await waitFor(() => spawnSync("pgrep", ["-f", `^${APP}`]).status !== 0, 15000, "a previous app to exit");
  browser = await s.start();
});

after(async () => {
  await s.stop();
});

describe("the Signet desktop app", () => {
  test("opens on the connectors page in a window titled Signet", s.shooting("launch", async () => {
    const text = await s.waitText(/Start from a provider preset/);
    const title = spawnSync("xdotool", ["search", "--name", "^Signet"], { encoding: "utf8" });
    assert.equal(title.status, 0, "no window whose title starts with Signet");
    assert.match(text, /Build a connector/);
    assert.match(text, /New connector from nothing/);
    assert.match(text, /Start from a provider preset/);
    await s.screenshot("launch");
    await s.axe("launch");
    // The keyboard reaches the first action from the top of the page.
    const seen = [];
    for (let i = 0; i < 12; i++) seen.push(await s.tab());
    assert.ok(
      seen.some((f) => /Try it with the demo provider/.test(f)),
      `Tab never reached the demo button: ${seen.join(" | ")}`,
    );
  }));

  test("runs the ten steps with the demo provider: consent in the browser, redirect by deep link", s.shooting("ten-steps", async () => {
    setMode("hold");
    await s.click("Try it with the demo provider");
    // Steps 1-5 pass on their own; at step 6 the user is at the provider.
    await s.waitHeadline(/Your turn: allow access in the browser/);
    for (const id of STEP_IDS.slice(0, 5)) {
      assert.match(await stepStatus(id), /\bdone\b/, `${id} should be done`);
    }
    assert.match(await stepStatus("user_authorisation"), /\bactive\b/);
    await browser.waitUntil(() => existsSync(path.join(E2E_DIR, "authorize-url")), { timeout: 10000 });
    assert.match(readFileSync(path.join(E2E_DIR, "authorize-url"), "utf8"), /\/oauth\/authorize\?oauth_token=/);
    await s.screenshot("waiting-for-consent");

    release("allow");
    await s.waitHeadline(/^Connected\./, 30000);
    const log = readFileSync(path.join(E2E_DIR, "second-launch.log"), "utf8");
    assert.match(log, /exit 0/, `the second launch should hand over and exit 0: ${log}`);
    // The redirect carries this attempt's code in its path (the callback is bound to the run).
    assert.match(readFileSync(path.join(E2E_DIR, "redirect"), "utf8"), /^signet:\/\/callback\/[A-Za-z0-9]{24}\?/);
    for (const id of STEP_IDS) {
      assert.match(await stepStatus(id), /\bdone\b/, `${id} should be done`);
    }
    await s.screenshot("connected");
    await s.axe("connected");

    // What the user sees at each step.
    for (const [i, id] of STEP_IDS.entries()) {
      await s.openStep(id);
      const text = await s.text();
      assert.ok(text.length > 0);
      if (id === "request_token_issued") assert.match(text, /Request token\n\w{16,}/);
      if (id === "access_token_request") assert.match(text, /oauth_verifier|signature/i);
      if (id === "resource_access") assert.match(text, /alice|Alice Liddell/);
      await s.screenshot(`step-${String(i + 1).padStart(2, "0")}-${id}`);
      if (id === "token_request") {
        // Step 3's technical view: the signing trace, the raw request and response.
        await browser.execute(() => {
          const d = document.querySelector("details.technical");
          if (d) d.open = true;
          d?.scrollIntoView({ block: "start" });
        });
        assert.match(await s.text(), /Signature base string/i);
        await s.screenshot("step-03-technical");
        await s.axe("step-3-technical");
      }
    }

    // The run saved as a report: a page with every step, no secret, in the Downloads folder.
    const downloads = path.join(E2E_DIR, "dance-downloads");
    useDownloads(downloads);
    await browser.execute(() => document.querySelector(".run-report")?.scrollIntoView({ block: "center" }));
    await s.click(/^As a web page \(HTML\)$/);
    await browser.waitUntil(
      async () =>
        /\.html in /.test(
          await browser.execute(() => document.querySelector('[data-testid="report-saved"]')?.textContent ?? ""),
        ),
      { timeout: 10000, timeoutMsg: "the report was not saved" },
    );
    await s.screenshot("report-saved");
    await s.axe("report-saved");
    // The keyboard reaches each control in reading order.
    await browser.execute(() =>
      [...document.querySelectorAll(".run-report button")].find((b) => /HTML/.test(b.textContent))?.focus(),
    );
    assert.equal(await s.tab(), "button:As data (JSON)");
    assert.equal(await s.tab(), "button:Open");
    assert.equal(await s.tab(), "button:Show in folder");
    const file = readdirSync(downloads).find((f) => /^signet-connection-signet-demo-provider-\d{8}T\d{6}Z\.html$/.test(f));
    assert.ok(file, `no report in ${downloads}: ${readdirSync(downloads)}`);
    const page = readFileSync(path.join(downloads, file), "utf8");
    assert.match(page, /Connected: access token issued; the API answered 200/);
    for (const id of STEP_IDS) assert.match(page, new RegExp(`<section class="card check enforced" id="${id}"`));
    assert.ok(!page.includes("signet-demo-secret"), "the consumer secret in the report");
    // It opens offline in a browser: every step drawn (the DOM after load), and a picture.
    const url = `file://${path.join(downloads, file)}`;
    const headless = ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"];
    const dom = spawnSync(CHROMIUM, [...headless, "--dump-dom", url], { encoding: "utf8", timeout: 60000 });
    assert.equal(dom.status, 0, dom.stderr);
    for (const id of STEP_IDS) assert.match(dom.stdout, new RegExp(`id="${id}"`), `step ${id} in the opened report`);
    assert.match(dom.stdout, /<svg[^>]*>[\s\S]*<\/svg>/, "the sequence diagram");
    const shot = path.join(SHOTS, "dance-report-in-a-browser.png");
    const pic = spawnSync(CHROMIUM, [...headless, "--window-size=1200,2400", `--screenshot=${shot}`, url], {
      encoding: "utf8",
      timeout: 60000,
    });
    assert.equal(pic.status, 0, pic.stderr);
  }));

  test("keeps the demo connector's access token, encrypted, and lists it", s.shooting("stored", async () => {
    const all = (await s.invoke("tokens_list", null)).ok;
    // Other files may have connected other connectors in the same data directory.
    const tokens = all.filter((t) => t.connector_name === "Signet demo provider");
    assert.equal(tokens.length, 1, JSON.stringify(all));
    assert.equal(tokens[0].instance_name, "Default");
    assert.ok(!JSON.stringify(all).includes("secret\":\""), "no secret value in the list");
    await s.openStep("resource_access");
    assert.match(await s.text(), /alice|Alice Liddell/);
    await s.click(/^Connectors$/);
    await s.waitText(/Saved connectors[\s\S]*Signet demo provider/);
    assert.match(await s.text(), /Connected/);
    await s.screenshot("connectors-with-token");
    await s.axe("connectors");
    const { runs } = (await s.invoke("runs_list", { connector_id: null, instance_id: null, kind: null, before: null, limit: null })).ok;
    assert.ok(runs.some((r) => r.connector_id === tokens[0].connector_id && r.phase === "finished"));
    // Open the demo connector (other files may have saved more connectors).
    await browser.execute(() => {
      const card = [...document.querySelectorAll("li.item")].find((li) =>
        li.querySelector("h3")?.textContent.includes("Signet demo provider"),
      );
      card?.querySelector("button.primary")?.click();
    });
    await s.click("Authentication");
    await s.waitHeadline(/^Connected\./);
  }));

  test("a denied consent stops at the redirect with a plain message", s.shooting("denied", async () => {
    setMode("deny");
    await s.click("Connect again");
    const h = await s.waitHeadline(/^Stopped at step/, 30000);
    // The consent page is where the user said no.
    assert.match(h, /step 6 \(User authorisation\)/);
    assert.match(await s.text(), /denied/i);
    await s.screenshot("denied");
  }));

  test("a callback for another attempt is refused and the waiting run goes on", s.shooting("mismatch", async () => {
    setMode("hold");
    await s.click("Connect again");
    await s.waitHeadline(/Your turn: allow access in the browser/);
    // A page that guessed the callback address cannot refuse for the user: no token, no code.
    const forged = secondLaunch("signet://callback?oauth_problem=user_refused");
    assert.equal(forged.status, 0, `second launch: ${forged.stdout} ${forged.stderr}`);
    await browser.waitUntil(async () => /names no request token/.test(await s.text()), {
      timeout: 10000,
      timeoutMsg: "the forged refusal was not set aside",
    });
    assert.match(await s.headline(), /Your turn: allow access/);
    await s.click("Dismiss");
    const r = secondLaunch("signet://callback?oauth_token=not-the-pending-token&oauth_verifier=x1");
    assert.equal(r.status, 0, `second launch: ${r.stdout} ${r.stderr}`);
    await browser.waitUntil(async () => /Signet set aside a link it could not use/.test(await s.text()), {
      timeout: 10000,
      timeoutMsg: "the refusal was not shown",
    });
    const text = await s.text();
    assert.match(text, /does not match/);
    assert.doesNotMatch(text, /x1(?![\w-])/, "the verifier is not shown");
    assert.match(await s.headline(), /Your turn: allow access/);
    await s.screenshot("mismatched-callback-refused");
    release("allow");
    await s.waitHeadline(/^Connected\./, 30000);
    await s.screenshot("after-mismatch-connected");
  }));

  test("a link the app is started with is kept until the window shows it", s.shooting("cold-start-link", async () => {
    await s.endSession();
    // The database is the first app's until it has exited.
    await waitFor(() => spawnSync("pgrep", ["-f", `^${APP}`]).status !== 0, 15000, "the first app to exit");
    browser = await s.start(path.join(import.meta.dirname, "app-with-link.sh"));
    await s.waitText(/Build a connector/);
    await browser.waitUntil(async () => /from-a-closed-app/.test(await s.text()), {
      timeout: 10000,
      timeoutMsg: "the link the app started with was lost",
    });
    assert.match(await s.text(), /no connection is waiting/);
    await browser.execute(() => document.querySelector("div.banner")?.scrollIntoView());
    await browser.pause(300);
    await s.screenshot("cold-start-link-refused");
  }));
});
