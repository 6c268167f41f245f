// End to end on the real app: Signet starts on a database of garbage. The recovery window says
// what happened and where, offers Move it aside and start fresh, Retry and Quit; Retry meets the
// same problem; Move aside keeps the old files (under a name the app shows) and leads to a
// working, empty app. Its own data directory, so the other files' data stays untouched.
//
// Screenshots: target/e2e/recovery-01-window.png, recovery-02-fresh.png.

import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { APP, E2E_DIR, ROOT, Session, waitFor } from "./lib.mjs";

const CLI = process.env.SIGNET_CLI ?? path.join(ROOT, "target/debug/signet");
const s = new Session("recovery", Number(process.env.TAURI_DRIVER_PORT ?? 4444) + 30);
const data = path.join(E2E_DIR, "damaged-data");
let browser;

/** A data directory with a saved connector, then garbage written over sled's files. */
function damagedDatabase() {
  rmSync(data, { recursive: true, force: true });
  const env = { ...process.env, SIGNET_DATA_DIR: data, SIGNET_KEYRING: "file" };
  const add = spawnSync(
    CLI,
    ["connectors", "add", "shop", "--preset", "trello", "--consumer-key", "k", "--consumer-secret", "s"],
    { env, encoding: "utf8" },
  );
  assert.equal(add.status, 0, add.stdout + add.stderr);
  const db = path.join(data, "db");
  for (const name of readdirSync(db)) {
    if (name === "signet-schema" || name === "blobs") continue;
    writeFileSync(path.join(db, name), Buffer.alloc(4096, 0xa5));
  }
}

before(async () => {
  damagedDatabase();
  // The app tauri-driver starts inherits this environment.
  process.env.SIGNET_DATA_DIR = data;
  await waitFor(() => spawnSync("pgrep", ["-f", `^${APP}`]).status !== 0, 15000, "a previous app to exit");
  browser = await s.start();
});

after(async () => {
  await s.stop();
});

describe("a database Signet cannot open", () => {
  test("opens the recovery window; Move aside leads to a working, empty app", s.shooting("recovery", async () => {
    let text = await s.waitText(/Signet's database is damaged/, 30000);
    assert.match(text, new RegExp(`The database at ${data}/db is damaged \\(its files cannot be read as a database`));
    assert.match(text, /What you can do/);
    assert.match(text, /nothing is deleted/);
    assert.match(text, /Move it aside and start fresh/);
    assert.match(text, /Retry/);
    assert.match(text, /Quit/);
    assert.doesNotMatch(text, /Connectors\s*History\s*Help/, "the app's tabs show behind the window");
    await s.screenshot("window");
    await s.axe("window");

    // Retry: the same problem, said again.
    await s.click("Retry");
    await browser.pause(500);
    text = await s.waitText(/Signet's database is damaged/);
    assert.doesNotMatch(text, /fresh, empty database/);
    // Every other command says the database is not open.
    const refused = await s.invoke("connectors_list", null);
    assert.equal(refused.err?.kind, "database_unavailable", JSON.stringify(refused));

    await s.click("Move it aside and start fresh");
    text = await s.waitText(/Signet started with a fresh, empty database/, 20000);
    assert.match(text, /No saved connectors yet/);
    const moved = readdirSync(data).filter((n) => n.startsWith("db.damaged-"));
    assert.equal(moved.length, 1, `moved aside: ${moved}`);
    assert.match(text, new RegExp(`${data}/${moved[0]}`));
    // Every file kept, byte for byte.
    const garbage = readFileSync(path.join(data, moved[0], "db"));
    assert.ok(garbage.length === 4096 && garbage.every((b) => b === 0xa5), "the old files changed");
    await s.screenshot("fresh");
    await s.axe("fresh");

    // A working app: the lists answer, and a connector can be saved.
    assert.deepEqual((await s.invoke("connectors_list", null)).ok, []);
    await s.click("Dismiss", 10000, ".banner");
    await s.click("New connector from nothing");
    await s.waitText(/Basic details[\s\S]*Connector name/);
  }));
});
