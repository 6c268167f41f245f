import { describe, expect, it } from "vitest";

import readme from "../README.md?raw";
import css from "./app.css?raw";
import { PAIRS, contrast, ratio, table, themes } from "./palette";

/** A Markdown table's rows as trimmed cells (Prettier may pad and widen them). */
function cells(markdown: string): string[][] {
  return markdown
    .split("\n")
    .filter((l) => l.trim().startsWith("|"))
    .map((l) =>
      l
        .trim()
        .replace(/^\||\|$/g, "")
        .split("|")
        .map((c) => c.trim().replace(/^-+$/, "---")),
    );
}

describe("contrast", () => {
  it("computes WCAG 2 ratios", () => {
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrast("#ffffff", "#ffffff")).toBe(1);
    // The classic grey that just passes 4.5:1 on white.
    expect(contrast("#767676", "#ffffff")).toBeCloseTo(4.54, 2);
    expect(contrast("#ffffff", "#767676")).toBeCloseTo(4.54, 2);
  });
});

describe("the palette", () => {
  const { light, dark, systemDark } = themes(css);

  it.each([
    ["light", light],
    ["dark", dark],
    ["the system's dark", systemDark],
  ])("meets every pair's ratio in the %s theme", (_, p) => {
    const short = PAIRS.filter((pair) => ratio(p, pair) < pair.min).map(
      (pair) => `--${pair.fg} on --${pair.bg}: ${ratio(p, pair).toFixed(2)}:1 < ${pair.min}:1`,
    );
    expect(short).toEqual([]);
  });

  it("is the same dark theme whether chosen in the app or by the system", () => {
    expect(systemDark).toEqual(dark);
  });

  it("is documented in ui/README.md as it is", () => {
    const documented = cells(readme);
    const wanted = cells(table(css));
    const start = documented.findIndex((r) => r[0] === "colours");
    expect(start, "ui/README.md has the palette table").toBeGreaterThanOrEqual(0);
    expect(documented.slice(start, start + wanted.length)).toEqual(wanted);
  });
});
