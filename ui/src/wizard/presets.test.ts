import { describe, expect, it } from "vitest";

import type { Lint, PresetSummary } from "../ipc";
import { diffRow, humanSeconds, lintCount, searchPresets, skewSentence } from "./presets";

const preset = (id: string, name: string, summary: string): PresetSummary =>
  ({ id, name, summary, placeholders: [] }) as unknown as PresetSummary;

const lint = (id: string, severity: Lint["severity"], field: string): Lint => ({
  id,
  severity,
  field,
  message: id,
  fix: "",
});

describe("preset view logic", () => {
  it("searches id, name and summary by every word", () => {
    const all = [
      preset("netsuite", "NetSuite", "Oracle NetSuite token-based auth"),
      preset("trello", "Trello", "Atlassian boards"),
    ];
    expect(searchPresets(all, "net").map((p) => p.id)).toEqual(["netsuite"]);
    expect(searchPresets(all, "ORACLE token").map((p) => p.id)).toEqual(["netsuite"]);
    expect(searchPresets(all, "  ")).toHaveLength(2);
    expect(searchPresets(all, "flickr")).toHaveLength(0);
  });

  it("counts lints in words", () => {
    const ls = [lint("a", "info", "realm"), lint("b", "error", "realm"), lint("c", "warning", "x")];
    expect(lintCount(ls)).toBe("1 setting the provider will refuse, 1 warning, 1 note");
    expect(lintCount([])).toBe("");
  });

  it("words clock skew from the user's side", () => {
    const skew = {
      skew_seconds: 900,
      significant: true,
      likely_refused: true,
      suggested_offset_seconds: 900,
      message: "",
    };
    expect(skewSentence(skew)).toBe("Your clock is 900 s (15 minutes) behind the provider's.");
    expect(skewSentence({ ...skew, skew_seconds: -120 })).toBe(
      "Your clock is 120 s (2 minutes) ahead of the provider's.",
    );
    expect(humanSeconds(3900)).toBe("1 hour 5 minutes");
  });

  it("turns differences into table rows", () => {
    expect(diffRow({ kind: "only_ours", name: "oauth_version", value: "1.0" })).toMatchObject({
      what: "oauth_version",
      theirs: "(missing)",
    });
    expect(diffRow({ kind: "value", name: "a", ours: "1", theirs: "2", note: "n" }).note).toBe("n");
  });
});
