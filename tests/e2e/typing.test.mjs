// End to end on the real app, typed: a person builds a connector for a custom provider by
// keystrokes, field by field from top to bottom — basic details, a connector variable, step 1 of
// the OAuth 1.0a method with each of the seven signature methods (the RSA key pasted, and once
// typed key by key), then an endpoint — and every value is read back. The wizard must never move
// on under the typing: the field keeps the focus after every few keys and holds exactly what was
// typed. Then the typed method connects (RSA-SHA256) and the typed endpoint answers.
// Run through scripts/e2e.sh (its own data directory is set up there).

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
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

/** What has the focus: its id, tag, role, text or label, and whether it is the page itself. */
async function focusNow() {
  return browser.execute(() => {
    const e = document.activeElement;
    return {
      id: e?.id ?? "",
      tag: e?.tagName.toLowerCase() ?? "",
      cls: e?.className ?? "",
      role: e?.getAttribute("role") ?? "",
      type: e?.getAttribute("type") ?? "",
      text: (e?.getAttribute("aria-label") || e?.textContent || "").replace(/\s+/g, " ").trim().slice(0, 80),
      lost: !e || e === document.body,
    };
  });
}

/** Presses Tab (Shift+Tab when `back`; at most 80 times) until the focus is on what `want` accepts. */
async function tabTo(want, what, back = false) {
  const seen = [];
  for (let i = 0; i < 80; i++) {
    await browser.keys(back ? ["Shift", "Tab"] : "Tab");
    const f = await focusNow();
    if (want(f)) return f;
    seen.push(`${f.tag}:${f.text.slice(0, 24)}`);
  }
  throw new Error(`Tab never reached ${what}: ${seen.join(" | ")}`);
}

/** Waits until the focus is on what `want` accepts; says where it was otherwise. */
async function focusLands(want, what, timeout = 30000) {
  let last = null;
  await browser.waitUntil(
    async () => {
      last = await focusNow();
      return want(last);
    },
    { timeout, interval: 100, timeoutMsg: `the focus never landed on ${what}` },
  ).catch(() => {
    throw new Error(`the focus never landed on ${what}; it is on ${JSON.stringify(last)}`);
  });
  return last;
}

/** The PIN the provider showed the stand-in browser (written by tests/e2e/browser.sh). */
async function pinShown(after) {
  const file = path.join(E2E_DIR, "approve.out");
  let pin = null;
  await browser.waitUntil(
    () => {
      if (!existsSync(file) || statSync(file).mtimeMs <= after) return false;
      pin = /^pin (\S+)/m.exec(readFileSync(file, "utf8"))?.[1] ?? null;
      return pin !== null;
    },
    { timeout: 20000, interval: 100, timeoutMsg: "the provider never showed a PIN" },
  );
  return pin;
}

const onHeadline = (f) => f.tag === "p" && /headline/.test(f.cls);

describe("keyboard only", () => {
  test("a dance with a PIN by Tab, Enter, Space and arrows; the focus goes where the work is", s.shooting("keyboard", async () => {
    await browser.setWindowSize(1180, 780);
    await browser.execute(() => document.activeElement?.blur());
    await tabTo((f) => f.tag === "button" && f.text === "Connectors", "the Connectors page");
    await browser.keys("Enter");
    await s.waitText(/Try it with the demo provider/);

    // The presets are one tab stop: Tab reaches the list once; the arrows, Home, End and the
    // first letters of a name move in it; Enter picks.
    await tabTo((f) => f.id === "preset-search", "the preset search");
    const names = await browser.execute(() =>
      [...document.querySelectorAll("#preset-list button.item .name")].map((e) => e.textContent.trim()),
    );
    assert.ok(names.length > 10, JSON.stringify(names));
    const onPreset = async (i, how) => {
      const f = await focusNow();
      assert.ok(/\bitem\b/.test(f.cls) && f.text.startsWith(names[i]), `${how}: on ${JSON.stringify(f)}, not ${names[i]}`);
    };
    await browser.keys("Tab");
    await onPreset(0, "Tab into the list");
    await browser.keys("Tab");
    assert.ok(!/\bitem\b/.test((await focusNow()).cls), "one more Tab leaves the list");
    await browser.keys(["Shift", "Tab"]);
    await onPreset(0, "Shift+Tab back into the list");
    await browser.keys("End");
    await onPreset(names.length - 1, "End");
    await browser.keys("Home");
    await onPreset(0, "Home");
    await browser.keys("ArrowDown");
    await onPreset(1, "ArrowDown");
    const t = names.findIndex((n, i) => i > 1 && /^t/i.test(n));
    if (t > 0) {
      await browser.keys("t");
      await onPreset(t, "type-ahead t");
    }
    await browser.keys("Enter");
    assert.equal(await browser.execute(() => document.activeElement?.getAttribute("aria-selected")), "true");
    await tabTo((f) => /Try it with the demo provider/.test(f.text), "Try it", true);
    await browser.keys("Enter");
    // The button pressed is gone: the focus goes to the run's headline, and stays there to the end.
    await focusLands(onHeadline, "the headline once the run started", 10000);
    await s.waitHeadline(/^Connected\./, 30000);
    await focusLands(onHeadline, "the headline once connected");

    // Step 1 from the timeline with the arrows, then the PIN callback with the arrows.
    await tabTo((f) => f.role === "tab" && /Resource access/.test(f.text), "the timeline");
    await browser.keys("Home");
    assert.match((await focusNow()).text, /Consumer registration/);
    await tabTo((f) => f.tag === "input" && f.type === "radio", "the callback choices");
    for (let i = 0; i < 4; i++) {
      const picked = await browser.execute(() => document.querySelector('[role="radiogroup"] input:checked')?.value);
      if (picked === "oob") break;
      await browser.keys("ArrowRight");
    }
    assert.equal(await browser.execute(() => document.querySelector('[role="radiogroup"] input:checked')?.value), "oob");

    // A wrong PIN: the run fails at step 8 and the focus is on the explanation.
    let asked = Date.now();
    await tabTo((f) => f.tag === "button" && /^Connect again$/.test(f.text), "Connect again");
    await browser.keys("Enter");
    await focusLands((f) => f.id === "pin-input", "the PIN field when the PIN is asked for");
    await pinShown(asked);
    for (const k of "0000-0000") await browser.keys(k);
    await browser.keys("Enter");
    await s.waitHeadline(/^Stopped at step/, 30000);
    const onFailure = await focusLands((f) => /callout/.test(f.cls), "the failure's explanation");
    assert.match(onFailure.text, /verifier|PIN/i);
    await s.screenshot("keyboard-wrong-pin");

    // The right PIN, typed where the focus already is.
    asked = Date.now();
    await tabTo((f) => f.tag === "button" && /^Connect again$/.test(f.text), "Connect again");
    await browser.keys(" ");
    await focusLands((f) => f.id === "pin-input", "the PIN field again");
    const pin = await pinShown(asked);
    for (const k of pin) await browser.keys(k);
    await browser.keys("Enter");
    await s.waitHeadline(/^Connected\./, 30000);
    await focusLands(onHeadline, "the headline once connected with the PIN");
    await s.screenshot("keyboard-connected-with-pin");
    await s.axe("keyboard-connected-with-pin");
  }));
});

/** Ctrl with `key`, as a person zooms; waits until the page's width in CSS pixels changed. */
async function zoomKey(key) {
  const before = await browser.execute(() => window.innerWidth);
  await browser.keys(["Control", key]);
  await browser
    .waitUntil(async () => (await browser.execute(() => window.innerWidth)) !== before, {
      timeout: 3000,
      interval: 50,
    })
    .catch(() => {});
  await browser.pause(100);
}

/** The page's width in CSS pixels, and whether anything sticks out sideways. */
async function layout() {
  return browser.execute(() => {
    const root = document.documentElement;
    // Inside a region that scrolls sideways on its own (a wide table) is fine, as long as the
    // region itself fits.
    const inScroller = (e) => {
      for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === "auto" || o === "scroll") return p.getBoundingClientRect().right <= root.clientWidth + 1;
      }
      return false;
    };
    const wide = [...document.querySelectorAll("main *, header *")]
      .filter(
        (e) =>
          e.offsetParent !== null && e.getBoundingClientRect().right > root.clientWidth + 1 && !inScroller(e),
      )
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")}`);
    // Text that runs out of its box (a long unbroken address), unless a box clips it on purpose.
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n && wide.length < 5; n = walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(n);
      if (range.getBoundingClientRect().right <= root.clientWidth + 1) continue;
      let clipped = false;
      for (let p = n.parentElement; p && !clipped; p = p.parentElement) {
        clipped = getComputedStyle(p).overflowX !== "visible";
      }
      if (!clipped) wide.push(`text "${n.textContent.trim().slice(0, 40)}" in ${n.parentElement?.tagName.toLowerCase()}`);
    }
    return { width: window.innerWidth, scrolls: root.scrollWidth > root.clientWidth + 1, wide };
  });
}

describe("zoom", () => {
  test("Ctrl+plus, Ctrl+minus and Ctrl+0 zoom the app; at 200% in the smallest window nothing sticks out", s.shooting("zoom", async () => {
    await browser.setWindowSize(720, 520);
    await browser.pause(300);
    await browser.execute(() => document.activeElement?.blur());
    const normal = await layout();
    for (let i = 0; i < 5; i++) await zoomKey("=");
    const zoomed = await layout();
    assert.ok(
      Math.abs(zoomed.width - normal.width / 2) <= 2,
      `at 200% the page is half as wide in CSS pixels: ${normal.width} → ${zoomed.width}`,
    );
    // Every main screen at 200% in the smallest window: no sideways scrolling, nothing cut off.
    const screens = [
      ["Connectors", /Start from a provider preset/],
      ["History", /What is kept/],
      ["Help", /Help/],
      ["the connector", /Basic details/],
    ];
    for (const [tab, text] of screens) {
      await browser.execute(
        (tab) =>
          [...document.querySelectorAll("nav.tabs button")]
            .find((b) => (tab === "the connector" ? b.classList.contains("builder-tab") : b.textContent.trim() === tab))
            ?.click(),
        tab,
      );
      await s.waitText(text);
      const l = await layout();
      await browser.execute(() => document.querySelector("main")?.scrollIntoView({ block: "start" }));
      await s.screenshot(`zoom-200-${tab.toLowerCase().replace(/\s+/g, "-")}`);
      assert.ok(!l.scrolls && l.wide.length === 0, `${tab} at 200%: ${JSON.stringify(l)}`);
    }
    for (const step of ["Basic details", "Authentication", "Endpoints"]) {
      await s.click(step);
      await browser.pause(200);
      const l = await layout();
      await browser.execute(() =>
        document.querySelector('[role="tabpanel"][id^="section-panel"]')?.scrollIntoView({ block: "start" }),
      );
      await s.screenshot(`zoom-200-${step.toLowerCase().replace(/\s+/g, "-")}`);
      assert.ok(!l.scrolls && l.wide.length === 0, `${step} at 200%: ${JSON.stringify(l)}`);
    }
    // Presenter size on top of the zoom.
    await s.click("Presenter size");
    const presenting = await layout();
    await browser.execute(() => document.querySelector("main")?.scrollIntoView({ block: "start" }));
    await s.screenshot("zoom-200-presenter");
    assert.ok(!presenting.scrolls, `presenter size at 200%: ${JSON.stringify(presenting)}`);
    await s.click("Presenter size");

    await zoomKey("-");
    const less = await layout();
    assert.ok(less.width > zoomed.width, `Ctrl+minus zooms out: ${zoomed.width} → ${less.width}`);
    await zoomKey("0");
    const back = await layout();
    assert.ok(Math.abs(back.width - normal.width) <= 1, `Ctrl+0 resets: ${back.width} against ${normal.width}`);
    await browser.setWindowSize(1180, 780);
  }));
});
