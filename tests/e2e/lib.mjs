// What the end-to-end tests share: starting tauri-driver and a session on the built app,
// screenshots read from the X server, clicking and typing the way a person does (by the text on
// a button, by a field's label), waiting for text, calling the backend like the UI does, and an
// axe-core accessibility check of the screen on show.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import path from "node:path";

import { remote } from "webdriverio";
import { saveWindowShot } from "./window-shot.mjs";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const APP = process.env.SIGNET_APP ?? path.join(ROOT, "target/debug/signet-desktop");
export const E2E_DIR = process.env.E2E_DIR ?? path.join(ROOT, "target/e2e/work");
export const SHOTS = process.env.E2E_SHOTS ?? path.join(ROOT, "target/e2e");

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** axe-core for a WebDriver script: loaded once per page. */
function axeScript() {
  return `if (!window.axe) {\n${AXE_SOURCE}\n}`;
}

/**
 * Rules about the page's structure that fail the check whatever impact axe gives them: a
 * screen reader user finds their way by landmarks and headings, and scrolls with the keyboard.
 */
const STRUCTURE_RULES = new Set([
  "page-has-heading-one",
  "heading-order",
  "empty-heading",
  "landmark-one-main",
  "landmark-no-duplicate-main",
  "landmark-unique",
  "region",
  "scrollable-region-focusable",
  "aria-allowed-role",
  "presentation-role-conflict",
]);

/**
 * The page's heading faults, run inside the page: not exactly one visible `h1`, or a heading
 * more than one level deeper than the one before it (an `h4` straight under an `h2`).
 */
function headingFaults() {
  const visible = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
  // A role="heading" without aria-level is level 2, as ARIA says.
  const level = (e) => Number(e.getAttribute("aria-level") ?? (/^H[1-6]$/.test(e.tagName) ? e.tagName.slice(1) : 2));
  const all = [...document.querySelectorAll("h1,h2,h3,h4,h5,h6,[role=heading]")].filter(visible);
  const faults = [];
  const ones = all.filter((e) => level(e) === 1);
  if (ones.length !== 1) {
    faults.push(`${ones.length} visible h1 (${ones.map((e) => JSON.stringify(e.textContent.trim().slice(0, 40))).join(", ")}), not one`);
  }
  let previous = 0;
  for (const e of all) {
    const l = level(e);
    if (l > previous + 1) {
      faults.push(`h${l} ${JSON.stringify(e.textContent.trim().slice(0, 40))} follows h${previous || "(none)"}`);
    }
    previous = l;
  }
  return faults;
}

/** One driver and one app session. */
export class Session {
  constructor(prefix, port) {
    this.prefix = prefix;
    this.port = port;
    this.shot = 0;
    this.driver = null;
    this.browser = null;
  }

  /** Starts tauri-driver and the app (`application`: the binary, or a script that runs it). */
  async start(application = APP) {
    mkdirSync(SHOTS, { recursive: true });
    if (!this.driver) {
      this.driver = spawn(
        "tauri-driver",
        ["--port", String(this.port), "--native-port", String(this.port + 1)],
        { stdio: ["ignore", "inherit", "inherit"] },
      );
      await new Promise((r) => setTimeout(r, 800));
    }
    this.browser = await remote({
      hostname: "127.0.0.1",
      port: this.port,
      logLevel: "error",
      connectionRetryTimeout: 60000,
      capabilities: { "tauri:options": { application } },
    });
    await this.browser.setTimeout({ script: 20000 });
    return this.browser;
  }

  async endSession() {
    await this.browser?.deleteSession().catch(() => {});
    this.browser = null;
  }

  async stop() {
    await this.endSession();
    this.driver?.kill();
    this.driver = null;
    // The app belongs to this session: should the driver have left it running (it happens
    // when a session ends slowly), end it, so the next file's app is not handed over to it.
    const running = () => spawnSync("pgrep", ["-f", `^${APP}`]).status === 0;
    const until = Date.now() + 5000;
    while (running() && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    if (running()) spawnSync("pkill", ["-KILL", "-f", `^${APP}`]);
  }

  /** A PNG of the window in target/e2e, numbered in order. */
  async screenshot(name) {
    this.shot += 1;
    const file = path.join(SHOTS, `${this.prefix}-${String(this.shot).padStart(2, "0")}-${name}.png`);
    await saveWindowShot(this.browser, file);
    return file;
  }

  async text() {
    return this.browser.execute(() => document.body.innerText);
  }

  /** Waits until the page's text matches `re`; returns the text. */
  async waitText(re, timeout = 15000) {
    let last = "";
    await this.browser.waitUntil(
      async () => {
        last = await this.text().catch(() => "");
        return re.test(last);
      },
      { timeout, interval: 100, timeoutMsg: `the page never showed ${re}` },
    );
    return last;
  }

  /** Opens step `id` of the ten (its row in the timeline). */
  async openStep(id) {
    await this.browser.execute((id) => {
      const b = document.querySelector(`[data-step="${id}"]`);
      b.scrollIntoView({ block: "center" });
      b.click();
    }, id);
    await this.browser.pause(150);
  }

  /** The headline of the connection (the ten steps). */
  async headline() {
    return this.browser.execute(() => document.querySelector("p.headline")?.textContent ?? "");
  }

  async waitHeadline(re, timeout = 20000) {
    let last = "";
    await this.browser.waitUntil(
      async () => {
        last = await this.headline().catch(() => "");
        return re.test(last);
      },
      { timeout, interval: 100, timeoutMsg: `headline never matched ${re}; last: ${JSON.stringify(last)}` },
    );
    return last;
  }

  /**
   * Clicks the first visible, enabled button whose text contains `text` (or matches it, for a
   * RegExp), with a DOM click after scrolling it into view: WebKitWebDriver's pointer clicks
   * can miss buttons low in a scrolled page.
   */
  async click(text, timeout = 10000, scope = "body") {
    const source = text instanceof RegExp ? text.source : null;
    const flags = text instanceof RegExp ? text.flags : null;
    const plain = text instanceof RegExp ? null : text;
    let ok = false;
    await this.browser.waitUntil(
      async () => {
        ok = await this.browser.execute(
          (plain, source, flags, scope) => {
            const re = source === null ? null : new RegExp(source, flags);
            const roots = [...document.querySelectorAll(scope)];
            const root = roots[roots.length - 1] ?? document.body;
            const hit = [...root.querySelectorAll("button")].find((b) => {
              const t = b.textContent.replace(/\s+/g, " ").trim();
              const visible = b.offsetParent !== null;
              return visible && !b.disabled && (re ? re.test(t) : t.includes(plain));
            });
            if (!hit) return false;
            hit.scrollIntoView({ block: "center" });
            hit.click();
            return true;
          },
          plain,
          source,
          flags,
          scope,
        );
        return ok;
      },
      { timeout, interval: 100, timeoutMsg: `no enabled button ${text}` },
    );
    await this.browser.pause(150);
  }

  /**
   * The control labelled `label` (its <label>'s text, or aria-label), the `nth` visible one
   * inside `scope` (a CSS selector; the last match of it when several).
   */
  async field(label, nth = 0, scope = "body") {
    const id = await this.browser.execute(
      (label, nth, scope) => {
        const norm = (s) => s.replace(/\s+/g, " ").trim();
        const roots = [...document.querySelectorAll(scope)];
        const root = roots[roots.length - 1] ?? document.body;
        const byLabel = [...root.querySelectorAll("label")]
          .filter((l) => norm(l.textContent).startsWith(label))
          .map((l) => (l.htmlFor ? document.getElementById(l.htmlFor) : l.querySelector("input,select,textarea")))
          .filter(Boolean);
        const byAria = [...root.querySelectorAll("[aria-label]")].filter(
          (e) => norm(e.getAttribute("aria-label")).startsWith(label) && /INPUT|SELECT|TEXTAREA/.test(e.tagName),
        );
        const el = [...byLabel, ...byAria].filter((e) => e.offsetParent !== null)[nth];
        if (!el) return null;
        if (!el.id) el.id = `e2e-${Math.random().toString(36).slice(2)}`;
        return el.id;
      },
      label,
      nth,
      scope,
    );
    if (!id) throw new Error(`no field labelled "${label}"`);
    return this.browser.$(`#${id}`);
  }

  /** Types into the field labelled `label`, replacing what it held. */
  async type(label, value, nth = 0, scope = "body") {
    const el = await this.field(label, nth, scope);
    await this.browser.execute(
      (el, value) => {
        el.scrollIntoView({ block: "center" });
        el.focus();
        const proto = el.tagName === "TEXTAREA" ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
        Object.getOwnPropertyDescriptor(proto, "value").set.call(el, value);
        el.dispatchEvent(new Event("input", { bubbles: true }));
        el.dispatchEvent(new Event("change", { bubbles: true }));
        el.blur();
      },
      el,
      value,
    );
    await this.browser.pause(60);
  }

  /**
   * Types `value` into the field labelled `label` as a person does: clicks it, selects what it
   * held and deletes it, then presses one key per character (`\n` as Enter). After every chunk
   * of keys the same field must still be on screen with the focus in it, and at the end it must
   * hold exactly `value`: a form that moves on or re-renders under the typing fails here.
   * Between chunks it waits `pauseMs`, as a person stops mid-word to read or think — long
   * enough for the app's checks of what was typed so far to come back and be shown.
   */
  async typeKeys(label, value, nth = 0, scope = "body", { pauseMs = 500, chunk = 16 } = {}) {
    const el = await this.field(label, nth, scope);
    const id = await el.getAttribute("id");
    await this.browser.execute((el) => el.scrollIntoView({ block: "center" }), el);
    await el.click();
    await this.browser.keys(["Control", "a"]);
    await this.browser.keys("Backspace");
    // One press and release per character (browser.keys() holds all its keys down together,
    // a chord: a repeated letter would be pressed once).
    const keys = [...value].map((c) => (c === "\n" ? "\uE007" : c));
    const started = Date.now();
    for (let i = 0; i < keys.length; i += chunk) {
      const presses = this.browser.action("key");
      for (const k of keys.slice(i, i + chunk)) presses.down(k).up(k);
      await presses.perform();
      if (pauseMs > 0 && i + chunk < keys.length) await this.browser.pause(pauseMs);
      const where = await this.browser.execute(() => document.activeElement?.id ?? "");
      if (where !== id) {
        throw new Error(
          `typing "${label}": after ${Math.min(i + chunk, keys.length)} of ${keys.length} keys the focus left the field (now on ${JSON.stringify(where)})`,
        );
      }
    }
    this.typed = { keys: keys.length, ms: Date.now() - started };
    const held = await this.browser.execute((id) => document.getElementById(id)?.value ?? null, id);
    if (held !== value) {
      throw new Error(`typing "${label}": the field holds ${JSON.stringify(held)}, not ${JSON.stringify(value)}`);
    }
    return el;
  }

  /**
   * Picks `value` in the select labelled `label` with the keyboard only: focus, then Home and
   * ArrowDown until it shows `value`.
   */
  async chooseKeys(label, value, nth = 0, scope = "body") {
    const el = await this.field(label, nth, scope);
    const id = await el.getAttribute("id");
    await this.browser.execute((el) => {
      el.scrollIntoView({ block: "center" });
      el.focus();
    }, el);
    await this.browser.keys("Home");
    for (let i = 0; i < 20; i++) {
      const now = await this.browser.execute((id) => document.getElementById(id)?.value, id);
      if (now === value) return;
      await this.browser.keys("ArrowDown");
    }
    throw new Error(`"${value}" could not be reached with the arrow keys in "${label}"`);
  }

  /** Picks `value` in the select labelled `label`. */
  async select(label, value, nth = 0, scope = "body") {
    const el = await this.field(label, nth, scope);
    await this.browser.execute(
      (el, value) => {
        el.scrollIntoView({ block: "center" });
        el.value = value;
        el.dispatchEvent(new Event("change", { bubbles: true }));
        el.dispatchEvent(new Event("input", { bubbles: true }));
      },
      el,
      value,
    );
    await this.browser.pause(60);
  }

  /** A command as the UI calls it: `{ ok }` or `{ err }`. */
  async invoke(cmd, args) {
    return this.browser.executeAsync(
      (cmd, args, done) => {
        window.__TAURI_INTERNALS__
          .invoke(cmd, args === null ? {} : { args })
          .then((ok) => done({ ok }), (err) => done({ err }));
      },
      cmd,
      args,
    );
  }

  /**
   * Checks the screen on show in the light and the dark theme: axe-core's audit, and the
   * headings (exactly one visible `h1`, no level skipped on the way down). Each theme's report
   * goes next to the screenshots (`<prefix>-axe-<name>-<theme>.json`); returns the problems
   * (serious and critical violations, the structure rules below at any impact, heading faults),
   * and throws when `strict` and there are any. The page's own theme is put back afterwards.
   */
  async axe(name, strict = true) {
    const problems = [];
    // axe reads every element's colours: a long form takes WebKit tens of seconds.
    await this.browser.setTimeout({ script: 120000 });
    for (const theme of ["light", "dark"]) {
      const started = Date.now();
      // The page's CSP forbids eval, but a WebDriver script runs as the automation's own: the
      // library goes in as part of the script.
      const out = await this.browser.executeAsync(
        `${axeScript()}
;const done = arguments[arguments.length - 1];
const root = document.documentElement;
const before = root.dataset.theme;
const restore = () => { if (before === undefined) delete root.dataset.theme; else root.dataset.theme = before; };
root.dataset.theme = ${JSON.stringify(theme)};
const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
// The colours' transitions end (a running spinner never does: at most a second is given).
const settled = () => Promise.race([
  Promise.all(
    document.getAnimations()
      .filter((a) => Number.isFinite(a.effect?.getTiming().iterations ?? 1))
      .map((a) => a.finished.catch(() => {})),
  ),
  new Promise((r) => setTimeout(r, 1000)),
]);
frame().then(frame).then(settled)
  .then(() => window.axe.run(document, { resultTypes: ["violations"] }))
  .then(
    (r) => { const headings = (${headingFaults.toString()})(); restore(); done({ violations: r.violations, headings }); },
    (e) => { restore(); done({ violations: [{ id: "axe-error", impact: "critical", help: String(e), nodes: [] }], headings: [] }); },
  );`,
      );
      out.ms = Date.now() - started;
      writeFileSync(path.join(SHOTS, `${this.prefix}-axe-${name}-${theme}.json`), JSON.stringify(out, null, 2));
      for (const v of out.violations) {
        if (v.impact === "serious" || v.impact === "critical" || STRUCTURE_RULES.has(v.id)) {
          problems.push({
            theme,
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
          });
        }
      }
      for (const h of out.headings) problems.push({ theme, id: "headings", help: h });
    }
    await this.browser.setTimeout({ script: 20000 });
    if (strict && problems.length > 0) {
      throw new Error(`${problems.length} accessibility problems on ${name}: ${JSON.stringify(problems, null, 2)}`);
    }
    return problems;
  }

  /** Presses Tab `n` times and returns what has focus (tag, text, label). */
  async tab(n = 1) {
    for (let i = 0; i < n; i++) await this.browser.keys("Tab");
    return this.browser.execute(() => {
      const e = document.activeElement;
      return e
        ? `${e.tagName.toLowerCase()}:${(e.getAttribute("aria-label") || e.textContent || e.id || "").replace(/\s+/g, " ").trim().slice(0, 60)}`
        : "";
    });
  }

  /** A test body that leaves a screenshot and the page's text behind when it fails. */
  shooting(name, body) {
    return async () => {
      try {
        await body();
      } catch (e) {
        await this.screenshot(`FAILED-${name}`).catch(() => {});
        const text = await this.text().catch(() => "");
        writeFileSync(path.join(SHOTS, `${this.prefix}-FAILED-${name}.txt`), String(text));
        throw e;
      }
    };
  }
}

/** Chromium, for the browser preview (Debian's `chromium`; its driver is `chromedriver`). */
export const CHROMIUM = process.env.SIGNET_CHROMIUM ?? "/usr/lib/chromium/chromium";

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };

/**
 * The browser preview — the UI built with `VITE_SIGNET_PREVIEW=1`, answering from the recorded
 * sessions — served from `dir` and opened in headless Chromium through chromedriver: the same
 * helpers as the app's session, in another engine. The driver listens on `port`, the page is
 * served on `port + 1`.
 */
export class PreviewSession extends Session {
  constructor(prefix, port, dir) {
    super(prefix, port);
    this.dir = dir;
    this.server = null;
  }

  async start() {
    mkdirSync(SHOTS, { recursive: true });
    if (!existsSync(path.join(this.dir, "index.html"))) {
      throw new Error(`no preview build in ${this.dir}: scripts/e2e.sh builds it (VITE_SIGNET_PREVIEW=1 vite build)`);
    }
    this.server = createServer((req, res) => {
      const wanted = decodeURIComponent(new URL(req.url, "http://x").pathname);
      const file = path.join(this.dir, path.normalize(wanted === "/" ? "/index.html" : wanted));
      if (!file.startsWith(this.dir) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
      res.end(readFileSync(file));
    });
    await new Promise((r) => this.server.listen(this.port + 1, "127.0.0.1", r));
    this.driver = spawn("chromedriver", [`--port=${this.port}`], { stdio: ["ignore", "ignore", "inherit"] });
    await waitFor(
      () => fetch(`http://127.0.0.1:${this.port}/status`).then((r) => r.ok, () => false),
      20000,
      "chromedriver",
    );
    this.browser = await remote({
      hostname: "127.0.0.1",
      port: this.port,
      logLevel: "error",
      capabilities: {
        browserName: "chrome",
        "goog:chromeOptions": {
          binary: CHROMIUM,
          args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,800", "--lang=en-GB"],
        },
      },
    });
    await this.browser.setTimeout({ script: 20000 });
    return this.browser;
  }

  /**
   * Opens the preview on the recorded session `scenario` (a fresh page: the fake starts over)
   * and waits until the page shows `ready`.
   */
  async open(scenario, ready = /Start from a provider preset/) {
    await this.browser.url(`http://127.0.0.1:${this.port + 1}/?scenario=${scenario}`);
    return this.waitText(ready);
  }

  async screenshot(name) {
    this.shot += 1;
    const file = path.join(SHOTS, `${this.prefix}-${String(this.shot).padStart(2, "0")}-${name}.png`);
    await this.browser.execute(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await this.browser.saveScreenshot(file);
    return file;
  }

  async stop() {
    await this.endSession();
    this.driver?.kill();
    this.driver = null;
    await new Promise((r) => (this.server ? this.server.close(r) : r()));
    this.server = null;
  }
}

/**
 * Starts recording the gap before every frame, from the page's own requestAnimationFrame
 * clock; `framesMeasured` stops and returns them (ms).
 */
export function measureFrames(browser) {
  return browser.execute(() => {
    window.__gaps = [];
    let last = performance.now();
    window.__measure = true;
    const tick = (t) => {
      window.__gaps.push(t - last);
      last = t;
      if (window.__measure) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/** Stops what `measureFrames` started: every frame's gap (ms). */
export function framesMeasured(browser) {
  return browser.execute(() => {
    window.__measure = false;
    return window.__gaps;
  });
}

/** The slowest of some frame gaps, whole milliseconds. */
export const slowest = (gaps) => Math.round(Math.max(0, ...gaps));

/** Waits until `check()` (sync or async) is true, polling every 200 ms. */
export async function waitFor(check, timeout, what) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export function setMode(mode) {
  writeFileSync(path.join(E2E_DIR, "mode"), mode);
}

export function release(decision = "allow") {
  writeFileSync(path.join(E2E_DIR, "go"), decision);
}

/**
 * Names `dir` the Downloads folder, as a desktop does in its user-dirs.dirs (scripts/e2e.sh
 * gives each run a config folder of its own): where the app saves reports. Empties it.
 */
export function useDownloads(dir) {
  const config = process.env.XDG_CONFIG_HOME;
  if (!config) throw new Error("XDG_CONFIG_HOME is not set: run through scripts/e2e.sh");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(config, { recursive: true });
  writeFileSync(path.join(config, "user-dirs.dirs"), `XDG_DOWNLOAD_DIR="${dir}"\n`);
}
