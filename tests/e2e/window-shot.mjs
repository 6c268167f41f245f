// Screenshots of the app's window read from the X server (ImageMagick `import`), not through
// WebDriver. WebKitGTK's WebDriver screenshot (WebAutomationSession::takeScreenshot) first waits
// for the page's next presentation update; with accelerated compositing off, the web process only
// answers that after a repaint with something dirty, so on a page where nothing changes the
// command never returns and blocks the session (WebKitGTK 2.50). Reading the window's pixels from
// the X server does not depend on WebKit at all, and gives the same pixels.

import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";

/** The X window id of the visible top-level window titled exactly `title`. */
function windowId(title) {
  const r = spawnSync("xdotool", ["search", "--onlyvisible", "--name", `^${title}$`], {
    encoding: "utf8",
  });
  const id = r.stdout.trim().split("\n")[0];
  if (r.status !== 0 || !id) throw new Error(`no visible window titled "${title}"`);
  return id;
}

/** Saves a PNG of the app window to `file` (and returns the PNG bytes). */
export async function saveWindowShot(browser, file, title = "Signet") {
  // Let the page paint what the last command changed (two frames, at most half a second).
  await browser.execute(
    () => new Promise((r) => { requestAnimationFrame(() => requestAnimationFrame(r)); setTimeout(r, 500); }),
  );
  const r = spawnSync("/usr/bin/import", ["-silent", "-window", windowId(title), "png:-"], {
    timeout: 15000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`import failed: ${r.stderr}`);
  writeFileSync(file, r.stdout);
  return r.stdout;
}
