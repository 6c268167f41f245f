// End to end on the real app: a new user builds a connector from nothing against the demo
// provider — basic details, a connector variable, an OAuth 1.0a method connected through the
// ten steps, then three endpoints (a path parameter, the connector variable in a header, a JSON
// POST body), each sent and its answer read. Every screen is screenshotted (builder-NN-*.png)
// and checked with axe-core; the builder's tabs are driven with the keyboard too. Run through
// scripts/e2e.sh after dance.test.mjs (the same data directory).

import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { APP, E2E_DIR, Session, setMode } from "./lib.mjs";

const s = new Session("builder", Number(process.env.TAURI_DRIVER_PORT ?? 4444) + 20);
let browser;
let base;

async function waitFor(cond, timeout, what) {
  const until = Date.now() + timeout;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Opens a closed <details> whose summary starts with `summary`. */
async function open(summary) {
  await browser.execute((summary) => {
    const d = [...document.querySelectorAll("details")].find((x) =>
      x.querySelector("summary")?.textContent.trim().startsWith(summary),
    );
    if (d) d.open = true;
  }, summary);
  await browser.pause(100);
}

/** The selected builder step, as its tab says. */
async function currentStep() {
  return browser.execute(
    () => document.querySelector('[role="tab"][aria-selected="true"][id^="section-tab-"]')?.id ?? "",
  );
}

/** Adds an endpoint and fills what every endpoint has. */
async function addEndpoint(name, method, url) {
  await s.click("Add an endpoint");
  await s.type("Name", name, 0, "section.editor");
  if (method !== "GET") await s.select("HTTP method", method);
  await s.type("Address", url);
}

/** Adds an endpoint variable with a default. */
async function addEndpointVariable(name, label, value) {
  await open("Endpoint variables");
  await s.click("Add a variable", 10000, "details.vars");
  await s.type("Name", name, 0, "details.vars article.var");
  await s.type("Label", label, 0, "details.vars article.var");
  await s.type("Default", value, 0, "details.vars article.var");
}

/** Sends the endpoint on screen and waits for its answer's status. */
async function send(method, status) {
  await s.click(new RegExp(`^Send ${method}$`));
  await browser.waitUntil(
    async () =>
      browser.execute(
        (status) =>
          [...document.querySelectorAll("section.call")].some((c) =>
            c.innerText.includes(String(status)),
          ),
        status,
      ),
    { timeout: 15000, timeoutMsg: `no answer ${status}` },
  );
  await browser.execute(() => document.querySelector("section.call")?.scrollIntoView({ block: "start" }));
  await browser.pause(200);
  return browser.execute(() => document.querySelector("section.call")?.innerText ?? "");
}

/** The curl command shown in the last `scope` (Copy as curl), once it is there. */
async function curlText(scope) {
  let text = "";
  await browser.waitUntil(
    async () => {
      text = await browser.execute((scope) => {
        const roots = [...document.querySelectorAll(scope)];
        return roots[roots.length - 1]?.querySelector('[data-testid="curl-command"]')?.value ?? "";
      }, scope);
      return text.startsWith("curl ");
    },
    { timeout: 10000, timeoutMsg: `no curl command in ${scope}` },
  );
  return text;
}

/** The X clipboard's text (the app's display). */
function clipboard() {
  return spawnSync("xclip", ["-o", "-selection", "clipboard"], { encoding: "utf8" }).stdout;
}

/** Runs a curl command in sh: the body and the status. */
function runCurl(command) {
  const r = spawnSync("sh", ["-c", `${command} -sS -w '\\n%{http_code}'`], { encoding: "utf8" });
  const out = r.stdout ?? "";
  const cut = out.lastIndexOf("\n");
  return [out.slice(0, cut), Number(out.slice(cut + 1).trim())];
}

/** A crash report a previous run of Signet left, not shown yet (what the panic hook writes). */
function plantCrashReport() {
  const data = process.env.SIGNET_DATA_DIR;
  if (!data) throw new Error("SIGNET_DATA_DIR is not set: run the end-to-end tests through scripts/e2e.sh");
  const dir = path.join(data, "crash-reports");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(
    path.join(dir, "crash-20261206T235959Z-4242.txt"),
    "Signet 0.1.0 (desktop) stopped because of a bug.\nWhen: 2026-12-06T23:59:59Z\nThread: tokio-runtime-worker\n" +
      "What: index out of bounds: the len is 0 but the index is 0\nWhere: crates/app/src/calls.rs:1\n\nBacktrace:\n(none)\n",
  );
}

before(async () => {
  mkdirSync(E2E_DIR, { recursive: true });
  setMode("allow");
  plantCrashReport();
  // A previous file's app must be gone: a second instance would hand over to it and exit.
  await waitFor(() => spawnSync("pgrep", ["-f", `^${APP}`]).status !== 0, 15000, "a previous app to exit");
  browser = await s.start();
});

after(async () => {
  await s.stop();
});

describe("a connector built from nothing", () => {
  test("a crash of a previous run is told once, in plain words", s.shooting("crash", async () => {
    const text = await s.waitText(/Signet hit a bug/);
    assert.match(text, /index out of bounds: the len is 0 but the index is 0 at crates\/app\/src\/calls\.rs:1/);
    assert.match(text, /Nothing you saved is lost/);
    assert.match(text, /crash-reports\/seen\/crash-20261206T235959Z-4242\.txt/);
    await s.screenshot("crash-notice");
    await s.axe("crash-notice");
    await s.click("Dismiss", 10000, ".banner");
    await browser.waitUntil(async () => !/Signet hit a bug/.test(await s.text()), {
      timeout: 5000,
      timeoutMsg: "the notice stays after Dismiss",
    });
  }));

  test("basic details, a connector variable, and the keyboard", s.shooting("details", async () => {
    await s.waitText(/Build a connector/);
    // The demo provider the connector will talk to (the one the app runs).
    const demo = (await s.invoke("demo_provider_start", null)).ok;
    base = demo.url;
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);

    await s.click("New connector from nothing");
    await s.waitText(/Basic details[\s\S]*Connector name/);
    // Never "Everything fits together" (nor the last connector's problems) before it is checked.
    assert.doesNotMatch(await s.text(), /Everything fits together/);
    await s.waitText(/1 thing to fix before it can run/);
    await s.type("Connector name", "Shop from nothing");
    await s.type("System it connects to", "The demo shop");
    await s.type("Description", "Orders and tenants of the demo provider, built by hand.");
    await s.waitText(/Everything fits together/);
    await s.screenshot("details");
    await s.axe("details");

    // The four steps are tabs: arrows move between them.
    await browser.execute(() => document.getElementById("section-tab-details")?.focus());
    await browser.keys("ArrowRight");
    assert.equal(await currentStep(), "section-tab-variables");
    await browser.keys("End");
    assert.equal(await currentStep(), "section-tab-endpoints");
    await browser.keys("Home");
    assert.equal(await currentStep(), "section-tab-details");

    await s.click("Next: Connector variables");
    await s.click("Add a variable");
    await s.type("Name", "tenant", 0, "article.var");
    await s.type("Label", "Tenant", 0, "article.var");
    await s.type("Value in the Default instance", "wonderland", 0, "article.var");
    await s.screenshot("variable");
    await s.axe("variables");
  }));

  test("an OAuth 1.0a method connected through the ten steps", s.shooting("auth", async () => {
    await s.click("Authentication");
    await s.click("Add a method");
    await s.click("OAuth 1.0a");
    await s.waitText(/Consumer registration/);
    // Problems come from the backend and name the fields.
    await s.click("Save connector");
    await s.waitText(/is empty/);
    // The focus goes to the first field to fix, which says why.
    await browser.waitUntil(
      async () => browser.execute(() => document.activeElement?.getAttribute("aria-invalid") === "true"),
      { timeout: 5000, interval: 100, timeoutMsg: "the focus did not go to a field to fix" },
    ).catch(() => {});
    const invalid = await browser.execute(() => {
      const e = document.activeElement;
      return {
        invalid: e?.getAttribute("aria-invalid"),
        why: (e?.getAttribute("aria-describedby") ?? "")
          .split(" ")
          .map((id) => document.getElementById(id)?.textContent ?? "")
          .join(" "),
      };
    });
    assert.equal(invalid.invalid, "true", JSON.stringify(invalid));
    assert.match(invalid.why, /empty/, JSON.stringify(invalid));
    await s.type("Consumer key", "signet-demo");
    await s.type("Consumer secret", "signet-demo-secret");
    await s.type("Request-token URL", `${base}/oauth/request_token`);
    await s.type("Authorize URL", `${base}/oauth/authorize`);
    await s.type("Access-token URL", `${base}/oauth/access_token`);
    await s.waitText(/Everything fits together/, 10000);
    await browser.execute(() => {
      const b = document.querySelector('[data-step="consumer_registration"]');
      b?.click();
      document.getElementById("step-panel")?.scrollIntoView({ block: "start" });
    });
    await s.screenshot("oauth-step-1");
    await s.axe("auth");

    await s.click(/^Connect$/);
    await s.waitHeadline(/^Connected\./, 30000);
    const text = await s.text();
    assert.match(text, /\{\{oauth_token\}\}/, "the auth variables are listed");
    await s.screenshot("connected");
    const tokens = (await s.invoke("tokens_list", null)).ok;
    assert.ok(tokens.some((t) => t.connector_name === "Shop from nothing"), JSON.stringify(tokens));
  }));

  test("three endpoints sent and answered", s.shooting("endpoints", async () => {
    await s.click("Endpoints");
    await s.waitText(/No endpoints yet/);

    // A path parameter from an endpoint variable.
    await addEndpoint("One order", "GET", `${base}/api/orders/{{order_id}}`);
    await addEndpointVariable("order_id", "Order number", "1003");
    let answer = await send("GET", 200);
    assert.match(answer, /1003/);
    assert.match(answer, /OK/);
    await s.screenshot("path-parameter");
    await s.axe("endpoint-path");

    // The connector variable in a header.
    await addEndpoint("Tenant", "GET", `${base}/api/tenant`);
    await s.click("Add header");
    await s.type("Headers 1: name", "X-Tenant");
    await s.type("Headers 1: value", "{{tenant}}");
    answer = await send("GET", 200);
    assert.match(answer, /wonderland/);
    await s.screenshot("connector-variable");

    // A JSON POST body with an endpoint variable in it.
    await addEndpoint("Create an order", "POST", `${base}/api/orders`);
    await s.select("Kind of body", "json");
    await s.type("JSON", '{"customer": "{{customer}}", "total": 12.5}');
    await addEndpointVariable("customer", "Customer", "Bob Builder");
    answer = await send("POST", 201);
    assert.match(answer, /Bob Builder/);
    assert.match(answer, /Created/);
    await s.screenshot("json-post");
    await s.axe("endpoint-json");

    // Copy as curl: signed afresh, not sent; real curl gets it accepted, once.
    await s.click("Copy as curl", 10000, "section.request");
    const fresh = await curlText("section.request");
    await s.waitText(/Copied to the clipboard/);
    assert.equal(clipboard(), fresh, "the command is on the system clipboard");
    assert.match(fresh, /^curl 'http:\/\/127\.0\.0\.1:\d+\/api\/orders' \\\n/, fresh);
    let [body, status] = runCurl(fresh);
    assert.equal(status, 201, `${body}\n${fresh}`);
    assert.match(body, /Bob Builder/);
    assert.equal(runCurl(fresh)[1], 401, "the same nonce again is refused");
    await browser.execute(() => document.querySelector("section.request textarea")?.scrollIntoView({ block: "center" }));
    await s.screenshot("copy-as-curl");
    await s.axe("copy-as-curl");
    // The same screen in the dark theme.
    await s.click("Theme: auto");
    await s.click("Theme: light");
    await s.waitText(/Theme: dark/);
    await browser.execute(() => document.querySelector("section.call")?.scrollIntoView({ block: "start" }));
    await s.screenshot("json-post-dark");
    await s.axe("endpoint-json-dark");
    await s.click("Theme: dark");

    // What was sent, and the history.
    await open("What was sent");
    const sent = await s.text();
    assert.match(sent, /oauth_signature/);
    assert.match(sent, /not signed/);
    await s.screenshot("what-was-sent");
    // The request as it was sent, as curl: its nonce is spent, so the provider refuses it.
    await s.click("Copy as curl", 10000, "section.call");
    const replay = await curlText("section.call");
    [body, status] = runCurl(replay);
    assert.equal(status, 401, `${body}\n${replay}`);
    assert.match(body, /nonce/);
    await s.click(/^History$/);
    await s.waitText(/Call: Create an order/);
    assert.match(await s.text(), /Call: One order[\s\S]*|Call: Tenant/);
    await s.screenshot("history");
    await s.axe("history");
  }));

  test("history keeps what it is told, and is cleared on request", s.shooting("history-keep", async () => {
    let text = await s.waitText(/What is kept[\s\S]*Runs kept per instance/);
    assert.match(text, /default 200/);
    assert.equal(await browser.execute(() => document.getElementById("history-keep")?.value), "200");
    await s.type("Runs kept per instance", "2");
    await s.click(/^Save$/);
    text = await s.waitText(/History keeps the newest 2 runs of each instance; \d+ older runs? (was|were) forgotten/);
    const rows = await browser.execute(() => document.querySelectorAll("table tbody tr").length);
    assert.ok(rows <= 2, `${rows} runs shown after keeping 2`);
    await s.click("Clear history…");
    text = await s.waitText(/Forget \d+ runs?\? This cannot be undone\./);
    await s.screenshot("history-clear");
    await s.axe("history-clear");
    await s.click("Forget them");
    await s.waitText(/runs? forgotten\./);
    await s.waitText(/Nothing yet\. Every connection/);
    const left = (await s.invoke("runs_list", { connector_id: null, instance_id: null, kind: null, before: null, limit: null })).ok;
    assert.deepEqual([left.runs.length, left.total, left.more], [0, 0, false]);
    await s.screenshot("history-cleared");
    await s.axe("history-cleared");
  }));
});
