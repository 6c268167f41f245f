// End to end on the real app, typed: a person builds a connector for a custom provider by
// keystrokes, field by field from top to bottom — basic details, a connector variable, step 1 of
// the OAuth 1.0a method with each of the seven signature methods (the RSA key pasted, and once
// typed key by key), then an endpoint — and every value is read back. The wizard must never move
// on under the typing: the field keeps the focus after every few keys and holds exactly what was
// typed. Then the typed method connects (RSA-SHA256) and the typed endpoint answers.
// Run through scripts/e2e.sh (its own data directory is set up there).

import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { APP, E2E_DIR, ROOT, Session, setMode, waitFor } from "./lib.mjs";

const s = new Session("typing", Number(process.env.TAURI_DRIVER_PORT ?? 4444) + 80);
const PEM = readFileSync(path.join(ROOT, "crates/provider/keys/rsa-private.pem"), "utf8").trim();
let browser;
let base;

/** The step of the ten the wizard shows (its timeline's selected tab). */
async function shownStep() {
  return browser.execute(
    () => document.querySelector('[data-step][aria-selected="true"]')?.getAttribute("data-step") ?? "",
  );
}

/** Pastes `text` into the field labelled `label` in one go, as Ctrl+V does. */
async function paste(label, text) {
  const el = await s.field(label);
  await el.click();
  await browser.keys(["Control", "a"]);
  await browser.keys("Backspace");
  await browser.execute((t) => document.execCommand("insertText", false, t), text);
  await browser.pause(100);
  assert.equal(await el.getValue(), text, `${label} holds the pasted text`);
}

before(async () => {
  mkdirSync(E2E_DIR, { recursive: true });
  setMode("allow");
  await waitFor(async () => spawnSync("pgrep", ["-f", `^${APP}`]).status !== 0, 15000, "a previous app to exit");
  browser = await s.start();
});

after(async () => {
  await s.stop();
});

describe("a connector typed key by key", () => {
  test("basic details and a connector variable", s.shooting("details", async () => {
    await s.waitText(/Build a connector|Connectors/);
    base = (await s.invoke("demo_provider_start", null)).ok.url;
    await s.click("New connector from nothing");
    await s.waitText(/Basic details[\s\S]*Connector name/);
    await s.typeKeys("Connector name", "Typed shop");
    await s.typeKeys("System it connects to", "A custom provider");
    await s.typeKeys("Description", "Built by keystrokes, every field read back.");
    await s.waitText(/Everything fits together/);

    await s.click("Next: Connector variables");
    await s.click("Add a variable");
    await s.typeKeys("Name", "tenant", 0, "article.var");
    await s.typeKeys("Label", "Tenant", 0, "article.var");
    await s.typeKeys("Value in the Default instance", "wonderland", 0, "article.var");
    await s.screenshot("details");
  }));

  test("step 1 typed for each signature method; the wizard stays on it", s.shooting("step-1", async () => {
    await s.click("Authentication");
    await s.click("Add a method");
    await s.click("OAuth 1.0a");
    await s.waitText(/Consumer registration/);
    await s.typeKeys("Method name", "Typed OAuth 1.0a");

    const methods = [
      ["HMAC-SHA1", "type"],
      ["HMAC-SHA256", "type"],
      ["HMAC-SHA512", "type"],
      ["PLAINTEXT", "type"],
      ["RSA-SHA1", "paste"],
      ["RSA-SHA512", "paste"],
      ["RSA-SHA256", "type"],
    ];
    let first = true;
    let family = null;
    for (const [method, how] of methods) {
      const rsa = method.startsWith("RSA");
      if (family !== rsa) await s.typeKeys("Consumer key", rsa ? "signet-demo-rsa" : "signet-demo");
      family = rsa;
      await s.chooseKeys("Signature method", method);
      if (!rsa) {
        await s.typeKeys("Consumer secret", "signet-demo-secret");
      } else if (how === "paste") {
        await paste("RSA private key (PEM)", PEM);
      } else {
        await s.typeKeys("RSA private key (PEM)", PEM, 0, "body", { pauseMs: 0, chunk: 64 });
        console.log(`typing: the RSA key, ${s.typed.keys} keys in ${s.typed.ms} ms`);
      }
      if (rsa) {
        // The key is masked like a secret until "Show what I typed".
        const key = await s.field("RSA private key (PEM)");
        assert.equal(
          await browser.execute((el) => getComputedStyle(el).webkitTextSecurity, key),
          "disc",
          "the pasted or typed key shows as dots",
        );
      }
      // The addresses, the last of which makes the form complete while it is being typed
      // (for the later methods only that one is typed again: emptied first, the form is
      // incomplete until it is typed far enough).
      if (first) {
        await s.typeKeys("Request-token URL", `${base}/oauth/request_token`);
        await s.typeKeys("Authorize URL", `${base}/oauth/authorize`);
      }
      first = false;
      await s.typeKeys("Access-token URL", `${base}/oauth/access_token`);
      console.log(`typing: ${method}, the access-token URL, ${s.typed.keys} keys in ${s.typed.ms} ms`);
      assert.equal(await shownStep(), "consumer_registration", `${method}: the wizard stayed on step 1`);
      await s.waitText(/Everything fits together/, 10000);
      assert.equal(await shownStep(), "consumer_registration", `${method}: still on step 1 once valid`);
      // Every field read back, after the form became valid.
      assert.equal(await (await s.field("Consumer key")).getValue(), rsa ? "signet-demo-rsa" : "signet-demo");
      assert.equal(await (await s.field("Signature method")).getValue(), method);
      assert.equal(
        await (await s.field(rsa ? "RSA private key (PEM)" : "Consumer secret")).getValue(),
        rsa ? PEM : "signet-demo-secret",
      );
      assert.equal(await (await s.field("Request-token URL")).getValue(), `${base}/oauth/request_token`);
      assert.equal(await (await s.field("Authorize URL")).getValue(), `${base}/oauth/authorize`);
      assert.equal(await (await s.field("Access-token URL")).getValue(), `${base}/oauth/access_token`);
      assert.equal(await (await s.field("Method name")).getValue(), "Typed OAuth 1.0a");
    }
    await s.screenshot("step-1-typed");
    await s.axe("step-1-typed");

    // What was typed connects: RSA-SHA256 through the ten steps.
    await s.click(/^Connect$/);
    await s.waitHeadline(/^Connected\./, 30000);
    const tokens = (await s.invoke("tokens_list", null)).ok;
    assert.ok(tokens.some((t) => t.connector_name === "Typed shop"), JSON.stringify(tokens));
    await s.screenshot("connected");
  }));

  test("an endpoint typed and sent", s.shooting("endpoint", async () => {
    await s.click("Endpoints");
    await s.waitText(/No endpoints yet/);
    await s.click("Add an endpoint");
    await s.typeKeys("Name", "Tenant", 0, "section.editor");
    await s.typeKeys("Address", `${base}/api/tenant`);
    await s.click("Add header");
    await s.typeKeys("Headers 1: name", "X-Tenant");
    await s.typeKeys("Headers 1: value", "{{tenant}}");
    assert.equal(await (await s.field("Name", 0, "section.editor")).getValue(), "Tenant");
    assert.equal(await (await s.field("Address")).getValue(), `${base}/api/tenant`);
    await s.click(/^Send GET$/);
    const answer = await s.waitText(/wonderland/, 15000);
    assert.match(answer, /200/);
    await s.screenshot("endpoint");
    await s.axe("endpoint");
  }));
});
