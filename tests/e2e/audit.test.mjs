// End to end on the real app: the provider audit (issue 20). The demo connector's provider is
// audited from the builder (its plan read first, then the requests sent; alice allows access
// twice through the stand-in browser, the redirects coming back as deep links): every check the
// demo can be told apart on is enforced. Then the demo provider is made lax (it ignores
// timestamps, through its admin endpoint) and audited again: exactly the two timestamp checks
// are not enforced, and one of them is opened — what was sent, how it differs from the valid
// request, the signing trace, what came back. The audit is read back from the History and
// saved as a report, as a web page and as JSON, into the Downloads folder the user's
// user-dirs.dirs names. Last, a slow audit is stopped after its second request. Its own data
// directory.
//
// Screenshots: target/e2e/audit-01-entry.png (step 3), audit-02-plan.png, audit-03-enforced.png,
// audit-04-not-enforced.png (light), audit-05-not-enforced-dark.png, audit-06-history.png,
// audit-07-saved.png, audit-08-stopping.png.

import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { APP, E2E_DIR, Session, setMode, useDownloads, waitFor } from "./lib.mjs";

const s = new Session("audit", Number(process.env.TAURI_DRIVER_PORT ?? 4444) + 90);
const data = path.join(E2E_DIR, "audit-data");
const downloads = path.join(E2E_DIR, "audit-downloads");
let browser;
let providerUrl;

async function score() {
  return browser.execute(() => document.querySelector('[data-testid="audit-score"]')?.textContent?.trim() ?? "");
}

/** Presses Send on the Audit page's plan and waits for the scorecard. */
async function runAudit(timeout = 90000) {
  await s.waitText(/What the audit will send/);
  await s.click(/^Send the \d+ requests$/);
  await browser.waitUntil(async () => (await score()) !== "", {
    timeout,
    interval: 200,
    timeoutMsg: "the audit never ended",
  });
  return score();
}

/** The checks shown, by id, with their verdict class. */
async function verdicts() {
  return browser.execute(() =>
    Object.fromEntries(
      [...document.querySelectorAll("li.check")].map((li) => [
        li.dataset.check,
        ["enforced", "not_enforced", "could_not_tell", "does_not_apply"].find((v) => li.classList.contains(v)),
      ]),
    ),
  );
}

async function theme(name) {
  for (let i = 0; i < 3; i++) {
    const label = await browser.execute(() =>
      [...document.querySelectorAll("button")].find((b) => b.textContent.startsWith("Theme:"))?.textContent ?? "",
    );
    if (label === `Theme: ${name}`) return;
    await s.click(/^Theme:/);
  }
  throw new Error(`the theme never became ${name}`);
}

before(async () => {
  rmSync(data, { recursive: true, force: true });
  process.env.SIGNET_DATA_DIR = data;
  useDownloads(downloads);
  setMode("allow");
  await waitFor(() => spawnSync("pgrep", ["-f", `^${APP}`]).status !== 0, 15000, "a previous app to exit");
  browser = await s.start();
});

after(async () => {
  await s.stop();
});

describe("the provider audit", () => {
  test(
    "the strict demo provider enforces every check; a lax one is caught, and its check opened",
    s.shooting("audit", async () => {
      await s.waitText(/Build a connector/, 30000);
      const demo = (await s.invoke("demo_provider_start", null)).ok;
      assert.ok(demo, "the demo provider starts");
      providerUrl = demo.url;
      await browser.execute(() => location.reload());
      await s.waitText(/Signet demo provider/, 20000);
      await s.click(/^Open$/);
      await s.waitText(/Basic details/);
      await browser.execute(() => document.getElementById("section-tab-auth")?.click());
      // Offered in step 3, in a card of its own below the ten steps.
      await browser.execute(() =>
        document.getElementById("audit-entry-title")?.closest("section")?.scrollIntoView({ block: "center" }),
      );
      await s.waitText(/Check the provider/);
      await s.screenshot("entry");
      await s.click(/^Audit the provider…$/);

      // The plan, before anything is sent.
      const plan = await s.waitText(/What the audit will send/);
      assert.match(plan, /Audit only providers you are allowed to test/);
      assert.match(plan, /you allow access 2 times/);
      assert.match(plan, /sent a second time, byte for byte/);
      assert.match(plan, /the provider is on this machine/);
      await s.screenshot("plan");
      await s.axe("plan");
      // The rate is typed as a person types it, and read back.
      await s.typeKeys("Requests a second, at most", "20");
      assert.equal(await (await s.field("Requests a second, at most")).getValue(), "20");

      // Strict: every check the demo can be told apart on is enforced.
      assert.equal(await runAudit(), "16 of 16 checks enforced");
      const strict = await verdicts();
      assert.equal(Object.keys(strict).length, 17);
      assert.equal(strict.plaintext_over_http, "does_not_apply");
      assert.deepEqual(
        Object.entries(strict).filter(([, v]) => v !== "enforced" && v !== "does_not_apply"),
        [],
      );
      const text = await s.text();
      assert.match(text, /every required check enforced/);
      assert.match(text, /issued a new access token/);
      await s.screenshot("enforced");
      await s.axe("enforced");

      // Lax: the provider ignores timestamps.
      const lax = await fetch(`${providerUrl}/_signet/faults`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ignore_timestamps: true }),
      });
      assert.equal(lax.status, 200);
      await s.click(/^Audit again$/);
      assert.equal(await runAudit(), "14 of 16 checks enforced");
      const found = await verdicts();
      assert.deepEqual(
        Object.entries(found)
          .filter(([, v]) => v === "not_enforced")
          .map(([k]) => k)
          .sort(),
        ["timestamp_ahead", "timestamp_old"],
      );
      assert.match(await s.text(), /2 required not enforced/);

      // The failed check, opened: its meaning, its diff, the request, the trace, the answer.
      const old = 'li.check[data-check="timestamp_old"]';
      await browser.execute((sel) => document.querySelector(sel)?.scrollIntoView({ block: "start" }), old);
      await s.click(/^Show what was sent and what came back$/, 10000, old);
      const details = await browser.execute((sel) => document.querySelector(sel)?.innerText ?? "", old);
      assert.match(details, /What it means: requests captured on the wire stay usable/);
      assert.match(details, /How it differs from the valid request/);
      assert.match(details, /oauth_timestamp/);
      assert.match(details, /an hour before now, signed correctly/);
      assert.match(details, /Request sent\s+POST http:\/\/127\.0\.0\.1:\d+\/oauth\/request_token/);
      assert.match(details, /What came back\s+HTTP 200/);
      assert.match(details, /Parameters and their fate/);
      const button = await browser.execute(
        (sel) => document.querySelector(`${sel} button.link`)?.getAttribute("aria-expanded"),
        old,
      );
      assert.equal(button, "true");
      await s.screenshot("not-enforced");
      await theme("dark");
      await s.screenshot("not-enforced-dark");
      await theme("auto");
      await s.axe("not-enforced");

      // Keyboard: the details toggle is reached with Tab and opens with Enter.
      const ahead = 'li.check[data-check="timestamp_ahead"] button.link';
      await browser.execute((sel) => {
        const prev = document.querySelector(sel)?.closest("li")?.previousElementSibling;
        (prev?.querySelector("button.link") ?? document.querySelector(sel))?.focus();
      }, ahead);
      let focused = "";
      for (let i = 0; i < 6 && !focused.startsWith("button:Show what was sent"); i++) focused = await s.tab();
      assert.ok(focused.startsWith("button:Show what was sent"), focused);
      await browser.keys("Enter");
      await browser.waitUntil(
        async () => browser.execute((sel) => document.querySelector(sel)?.getAttribute("aria-expanded") === "true", ahead),
        { timeout: 5000, timeoutMsg: "Enter did not open the check" },
      );

      // The History keeps both audits; the newest opens on the Audit page.
      await s.click(/^History$/);
      await s.select("Kind", "audit");
      const history = await s.waitText(/Audit: 14 of 16 enforced/);
      assert.match(history, /Audit: 16 of 16 enforced/);
      assert.match(history, /holes found/);
      await s.screenshot("history");
      await s.click(/^Open$/);
      await browser.waitUntil(async () => (await score()) === "14 of 16 checks enforced", {
        timeout: 10000,
        timeoutMsg: "the audit did not open from the History",
      });
      assert.equal((await verdicts()).timestamp_old, "not_enforced");

      // Saved as a report: a web page, then the report as data, in the Downloads folder.
      await browser.execute(() =>
        document.getElementById("export-label")?.scrollIntoView({ block: "center" }),
      );
      await s.click(/^As a web page \(HTML\)$/);
      const saved = async (ext) => {
        await browser.waitUntil(
          async () =>
            (await browser.execute(
              () => document.querySelector('[data-testid="report-saved"]')?.textContent ?? "",
            )).includes(ext),
          { timeout: 10000, timeoutMsg: `no ${ext} report was saved` },
        );
        return browser.execute(() => document.querySelector('[data-testid="report-saved"]').textContent);
      };
      const htmlNotice = await saved(".html");
      assert.match(htmlNotice, new RegExp(`Saved signet-audit-127\\.0\\.0\\.1-\\d+-\\d{8}T\\d{6}Z\\.html in ${downloads}`));
      await s.screenshot("saved");
      await s.axe("saved");
      const htmlFile = readdirSync(downloads).find((f) => f.endsWith(".html"));
      const page = readFileSync(path.join(downloads, htmlFile), "utf8");
      assert.match(page, /<title>Signet audit of 127\.0\.0\.1:\d+: 14 of 16 checks enforced<\/title>/);
      assert.match(page, /<section class="card check not_enforced" id="timestamp_old"/);
      assert.equal(page.match(/<section class="card check /g).length, 17);
      assert.ok(!page.includes("<script"), "a script in the report");
      assert.ok(!page.includes("signet-demo-secret"), "the consumer secret in the report");
      await s.click(/^As data \(JSON\)$/);
      await saved(".json");
      const jsonFile = readdirSync(downloads).find((f) => f.endsWith(".json"));
      const report = JSON.parse(readFileSync(path.join(downloads, jsonFile), "utf8"));
      assert.equal(report.score.enforced, 14);
      assert.deepEqual(
        report.checks.filter((c) => c.verdict === "not_enforced").map((c) => c.id).sort(),
        ["timestamp_ahead", "timestamp_old"],
      );

      // Stopped: a slow audit (a request every two seconds), stopped after its second request.
      await s.click(/^Audit again$/);
      await s.waitText(/What the audit will send/);
      await s.typeKeys("Requests a second, at most", "0.5");
      await s.click(/^Send the \d+ requests$/);
      await s.waitText(/Request 2: /, 20000);
      await s.screenshot("stopping");
      await s.click(/^Stop the audit$/);
      await browser.waitUntil(async () => (await score()) !== "", {
        timeout: 10000,
        interval: 200,
        timeoutMsg: "the stopped audit never ended",
      });
      assert.match(await score(), /^\d of \d checks enforced$/);
      const after = await verdicts();
      assert.equal(Object.keys(after).length, 17);
      assert.ok(
        Object.values(after).filter((v) => v === "could_not_tell").length >= 10,
        JSON.stringify(after),
      );
      assert.match(await s.text(), /the audit was stopped before this/);
    }),
  );
});
