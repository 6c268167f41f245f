// For scripts/measure-desktop.sh: drives one demo dance in the app (as the E2E does), then
// writes "<rss kB> <pss kB> <process names...>" for the app and its WebKit processes.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";

import { remote } from "webdriverio";

const APP = process.env.SIGNET_APP;
const E2E_DIR = process.env.E2E_DIR;
mkdirSync(E2E_DIR, { recursive: true });
writeFileSync(`${E2E_DIR}/mode`, "allow");

function tree(pid) {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    let kids = "";
    try {
      const tasks = spawnSync("sh", ["-c", `cat /proc/${out[i]}/task/*/children`], { encoding: "utf8" });
      kids = tasks.stdout;
    } catch {}
    out.push(...kids.split(/\s+/).filter(Boolean).map(Number));
  }
  return out;
}

function memory(pids) {
  let rss = 0;
  let pss = 0;
  const names = [];
  for (const p of pids) {
    try {
      const s = readFileSync(`/proc/${p}/smaps_rollup`, "utf8");
      rss += Number(/^Rss:\s+(\d+)/m.exec(s)[1]);
      pss += Number(/^Pss:\s+(\d+)/m.exec(s)[1]);
      names.push(readFileSync(`/proc/${p}/comm`, "utf8").trim());
    } catch {}
  }
  return `${rss} ${pss} ${names.join(" ")}`;
}

const driver = spawn("tauri-driver", ["--port", "4460", "--native-port", "4461"], { stdio: "ignore" });
await new Promise((r) => setTimeout(r, 800));
const browser = await remote({
  hostname: "127.0.0.1",
  port: 4460,
  logLevel: "error",
  capabilities: { "tauri:options": { application: APP } },
});
try {
  const headline = async () => (await browser.$("p.headline")).getText().catch(() => "");
  // The first screen is the connectors page, with the demo button.
  const demo = await browser.$("button*=Try it with the demo provider");
  await demo.waitForExist({ timeout: 20000 });
  await browser.execute((el) => el.click(), demo);
  await browser.waitUntil(async () => /^Connected\./.test(await headline()), { timeout: 30000 });
  await browser.pause(3000);
  const pid = Number(spawnSync("pgrep", ["-n", "-f", `^${APP}`], { encoding: "utf8" }).stdout.trim());
  writeFileSync(process.env.MEASURE_OUT, memory(tree(pid)) + "\n");
} finally {
  await browser.deleteSession().catch(() => {});
  driver.kill();
}
