// End to end on the real app: pagination and schema (issue 13). The demo connector is
// connected through the ten steps; a new endpoint gets its pagination set in the builder
// (limit and offset, where the items are), all its pages are sent and the combined count read,
// one page's call is opened (its offset signed in the base string), the schema learnt from the
// items is saved and a field tagged (the tag is in the saved connector and in the JSON Schema).
// Then 10,000 items: the app is measured while it shows and scrolls them (no frame over 100 ms).
// Its own data directory.
//
// Screenshots: target/e2e/pages-01-setting.png, pages-02-walked.png, pages-03-page-call.png,
// pages-04-schema.png, pages-05-many.png.

import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { APP, E2E_DIR, Session, framesMeasured, measureFrames, setMode, slowest, useDownloads, waitFor } from "./lib.mjs";

const s = new Session("pages", Number(process.env.TAURI_DRIVER_PORT ?? 4444) + 60);
const data = path.join(E2E_DIR, "pages-data");
const downloads = path.join(E2E_DIR, "pages-downloads");
let browser;

/** Adds an endpoint of the connector on screen, paged by limit and offset. */
async function pagedEndpoint(name, url, limit) {
  await s.click("Add an endpoint");
  await s.type("Name", name, 0, "section.editor");
  await s.type("Address", url);
  await s.select("How the endpoint pages", "limit_offset");
  await s.waitText(/For example:/);
  await s.type("Items per page", String(limit));
  await s.type("Where the items are", "/items");
}

/** Sends all pages of the endpoint on screen and waits for the walk to end. */
async function sendAllPages(timeout = 60000) {
  await s.click(/^Send all pages$/);
  await browser.waitUntil(
    async () => browser.execute(() => document.querySelector('[data-testid="pages-stop"]') !== null),
    { timeout, interval: 100, timeoutMsg: "the walk never ended" },
  );
  return browser.execute(() => ({
    count: document.querySelector('[data-testid="pages-count"]')?.textContent ?? "",
    stop: document.querySelector('[data-testid="pages-stop"]')?.textContent ?? "",
    rows: document.querySelectorAll("section.pages tbody tr").length,
  }));
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

describe("an endpoint that pages", () => {
  test("pagination set in the builder, every page sent, one page's call opened", s.shooting("walk", async () => {
    await s.waitText(/Build a connector/, 30000);
    const demo = (await s.invoke("demo_provider_start", null)).ok;
    assert.ok(demo, "the demo provider starts");
    await browser.execute(() => location.reload());
    await s.waitText(/Signet demo provider/, 20000);
    await s.click(/^Open$/);
    await s.waitText(/Basic details/);
    await browser.execute(() => document.getElementById("section-tab-auth")?.click());
    await s.click(/^Connect$/);
    await s.waitHeadline(/^Connected\./, 30000);

    await browser.execute(() => document.getElementById("section-tab-endpoints")?.click());
    await pagedEndpoint("All orders, paged here", `${demo.url}/api/paged/offset`, 50);
    const explained = await s.text();
    assert.match(explained, /limit=50&offset=0, then offset=50/);
    await browser.execute(() =>
      [...document.querySelectorAll("fieldset.pagination")].at(-1)?.scrollIntoView({ block: "start" }),
    );
    await s.screenshot("setting");
    await s.axe("setting");

    const walked = await sendAllPages();
    assert.equal(walked.count, "1,234 items", JSON.stringify(walked));
    assert.equal(walked.rows, 25, JSON.stringify(walked));
    assert.match(walked.stop, /A page had 34 items, fewer than the 50 asked for: it was the last/);
    await browser.execute(() => document.querySelector("section.pages")?.scrollIntoView({ block: "start" }));
    await s.screenshot("walked");
    await s.axe("walked");

    // Page 3's call: its offset is in the query, signed, in the base string.
    await s.click("Show page 3's call", 10000, "section.pages");
    await browser.waitUntil(
      async () => browser.execute(() => document.querySelector("section.pages section.call") !== null),
      { timeout: 5000, timeoutMsg: "page 3's call is not shown" },
    );
    await browser.execute(() => {
      const d = document.querySelector("section.pages section.call details.wire");
      if (d) d.open = true;
      document.querySelector("section.pages section.call")?.scrollIntoView({ block: "start" });
    });
    await browser.pause(200);
    const call = await browser.execute(() => document.querySelector("section.pages section.call")?.innerText ?? "");
    assert.match(call, /offset=100/);
    assert.match(call, /offset%3D100/, "the page's offset is in the signature base string");
    assert.match(call, /pagination/, "the parameter says the pager set it");
    await s.screenshot("page-call");
    await s.axe("page-call");
    // A page's call is not a report of its own: the walk is, with a section per page.
    assert.equal(
      await browser.execute(() => document.querySelectorAll("section.pages .report-save").length),
      1,
    );
    await browser.execute(() => document.querySelector("section.pages .report-save")?.scrollIntoView({ block: "center" }));
    await s.click(/^As a web page \(HTML\)$/, 10000, "section.pages");
    await browser.waitUntil(
      async () =>
        /\.html in /.test(
          await browser.execute(() => document.querySelector('section.pages [data-testid="report-saved"]')?.textContent ?? ""),
        ),
      { timeout: 10000, timeoutMsg: "the walk's report was not saved" },
    );
    await s.screenshot("report-saved");
    const file = readdirSync(downloads).find((f) => /^signet-pages-all-orders-paged-here-\d{8}T\d{6}Z\.html$/.test(f));
    assert.ok(file, `no report in ${downloads}: ${readdirSync(downloads)}`);
    const page = readFileSync(path.join(downloads, file), "utf8");
    assert.equal(page.match(/<section class="card check enforced" id="call-/g).length, 25);
    assert.match(page, /1234 items\. /);
  }));

  test("the schema learnt from the items is saved and a field tagged", s.shooting("schema", async () => {
    await s.waitText(/Learnt from 1,234 items/);
    await s.click("Save as the endpoint's schema");
    await s.waitText(/Saved schema/);
    await s.select("Tag for email", "order.customer_email");
    await s.click("Save connector");
    await s.waitText(/Saved "/);
    await browser.execute(() => document.querySelector("section.schema")?.scrollIntoView({ block: "start" }));
    await s.screenshot("schema");
    await s.axe("schema");

    const list = (await s.invoke("connectors_list", null)).ok;
    const demo = list.find((c) => c.name === "Signet demo provider");
    const view = (await s.invoke("connector_get", { id: demo.id, instance_id: null })).ok;
    const e = view.document.connector.endpoints.find((x) => x.name === "All orders, paged here");
    assert.equal(e.pagination.method.type, "limit_offset");
    const email = e.schema.root.fields.find((f) => f.name === "email");
    assert.equal(email.node.tag, "order.customer_email");
    assert.equal(email.node.format, "email");

    await s.click("Show as JSON Schema");
    const json = await s.waitText(/x-signet-tag/);
    assert.match(json, /json-schema\.org\/draft\/2020-12\/schema/);
    assert.match(json, /"x-signet-tag": "order\.customer_email"/);
  }));

  test("10,000 combined items are shown without a slow frame", s.shooting("many", async () => {
    const demo = (await s.invoke("demo_provider_start", null)).ok;
    await pagedEndpoint("Many orders", `${demo.url}/api/paged/many`, 200);
    await s.select("At the provider's stated total", "body");
    await s.type("Where the total is", "/total");
    await s.type("Most items", "20000");
    await s.click("Save connector");
    await s.waitText(/Saved "/);

    // Every frame's gap: while the pages come, then while the 10,000 items are shown —
    // scrolled from top to bottom and back, one opened and closed.
    const measure = () => measureFrames(browser);
    const measured = () => framesMeasured(browser);
    await measure();
    const walked = await sendAllPages(120000);
    assert.equal(walked.count, "10,000 items", JSON.stringify(walked));
    const coming = await measured();

    await browser.execute(() => document.querySelector("section.pages .items")?.scrollIntoView({ block: "center" }));
    await browser.pause(500);
    await measure();
    // Fractions of the way down; the last is the bottom.
    for (const at of [0, 0.15, 0.45, 0.75, 1, 0.4, 0, 1]) {
      await browser.execute((at) => {
        const list = document.querySelector("section.pages .items");
        if (list) list.scrollTop = at * list.scrollHeight;
      }, at);
      await browser.pause(150);
    }
    const shown = await browser.execute(
      () => document.querySelectorAll('section.pages .items [role="listitem"]').length,
    );
    const showing = await measured();

    // One item opened whole and closed, clicked where it is (the harness's click would scroll
    // the page to it first), read where it shows (the page's whole text would lay the page out).
    await measure();
    const clickIn = (scope, text) =>
      browser.execute(
        (scope, text) =>
          [...document.querySelectorAll(`${scope} button`)]
            .find((b) => b.textContent.includes(text))
            ?.click() !== undefined,
        scope,
        text,
      );
    await clickIn("section.pages .items", "#10000");
    await browser.waitUntil(
      async () =>
        browser.execute(() => document.querySelector("section.pages .whole strong")?.textContent === "Item #10000"),
      { timeout: 5000, interval: 100, timeoutMsg: "item #10000 did not open" },
    );
    await clickIn("section.pages .whole", "Close");
    await browser.pause(300);
    const opening = await measured();

    const worst = slowest;
    const report =
      `while the 50 pages came: ${coming.length} frames, the slowest ${worst(coming)} ms; ` +
      `while the 10,000 items were shown and scrolled top to bottom and back: ${showing.length} frames, the slowest ${worst(showing)} ms; ` +
      `opening one item and closing it: the slowest of ${opening.length} frames ${worst(opening)} ms; ` +
      `rows rendered at a time: ${shown}`;
    console.log(`pages: ${report}`);
    assert.ok(shown > 0 && shown < 100, `only the rows in view are rendered: ${report}`);
    assert.ok(worst(showing) <= 100, report);
    await browser.execute(() => {
      const list = document.querySelector("section.pages .items");
      if (list) list.scrollTop = list.scrollHeight;
    });
    assert.match(await s.text(), /#10000/);
    await s.screenshot("many");
    await s.axe("many");
  }));

  test("each walk is one run in History, listed as pages and opened again", s.shooting("history", async () => {
    await s.click(/^History$/, 10000, "nav.tabs");
    await s.waitText(/What is kept/);
    await s.select("Kind", "pages");
    const rows = await browser.execute(() =>
      [...document.querySelectorAll("table tbody tr")].map((r) => r.innerText.replace(/\s+/g, " ")),
    );
    assert.ok(rows.length >= 2, JSON.stringify(rows));
    assert.ok(rows.every((r) => /All pages: /.test(r)), JSON.stringify(rows));
    assert.ok(rows.some((r) => /All pages: All orders, paged here.*HTTP 200/.test(r)), JSON.stringify(rows));
    await s.screenshot("history");
    await s.axe("history");
    await browser.execute(() =>
      [...document.querySelectorAll("table tbody tr")]
        .find((r) => r.innerText.includes("All orders, paged here"))
        ?.querySelector("button")
        ?.click(),
    );
    await s.waitText(/1,234 items/, 10000);
  }));
});
