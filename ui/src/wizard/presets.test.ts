import { describe, expect, it } from "vitest";

import type { Lint, Placeholder, PresetSummary } from "../ipc";
import {
  diffRow,
  explanationsByField,
  formField,
  humanSeconds,
  initialInputs,
  lintCount,
  lintsByField,
  netsuiteForms,
  placeholderProblem,
  searchPresets,
  skewSentence,
} from "./presets";

const preset = (id: string, name: string, summary: string): PresetSummary =>
  ({ id, name, summary, placeholders: [] }) as unknown as PresetSummary;

const ph = (helper: Placeholder["helper"], extra: Partial<Placeholder> = {}): Placeholder => ({
  name: "x",
  label: "X",
  example: "ex",
  helper,
  choices: [],
  default: null,
  why: "",
  ...extra,
});

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

  it("puts backend field names next to the form's fields", () => {
    expect(formField("sign_options.placement")).toBe("placement");
    expect(formField("callback.mode")).toBe("callback.url");
    expect(formField("request_token_params.x_auth_access_type")).toBe(
      "endpoints.request_token.url",
    );
    expect(formField("authorize_params.scope")).toBe("authorize_params");
    expect(formField("realm")).toBe("realm");
    const by = explanationsByField([
      { field: "sign_options.placement", value: "header", why: "a" },
      { field: "realm", value: "R", why: "b" },
    ]);
    expect([...by.keys()]).toEqual(["placement", "realm"]);
  });

  it("orders lints by severity and counts them in words", () => {
    const ls = [lint("a", "info", "realm"), lint("b", "error", "realm"), lint("c", "warning", "x")];
    expect(
      lintsByField(ls)
        .get("realm")
        ?.map((l) => l.id),
    ).toEqual(["b", "a"]);
    expect(lintCount(ls)).toBe("1 setting the provider will refuse, 1 warning, 1 note");
    expect(lintCount([])).toBe("");
  });

  it("checks placeholders as their helpers do", () => {
    expect(netsuiteForms("1234567-sb1")).toEqual({ host: "1234567-sb1", realm: "1234567_SB1" });
    expect(netsuiteForms("1234567_SB1")).toEqual({ host: "1234567-sb1", realm: "1234567_SB1" });
    expect(placeholderProblem(ph("netsuite_account"), "12 34")).toMatch(/not a NetSuite/);
    expect(placeholderProblem(ph("netsuite_account"), "")).toMatch(/is needed/);
    expect(placeholderProblem(ph("text", { default: "d" }), "")).toBeNull();
    expect(placeholderProblem(ph("base_url"), "shop.example")).toMatch(/https:\/\//);
    expect(placeholderProblem(ph("base_url"), "https://shop.example/")).toBeNull();
    expect(placeholderProblem(ph("port"), "70000")).toMatch(/not a port/);
    const choice = ph("choice", { choices: [{ value: "sandbox.evernote.com", label: "Sandbox" }] });
    expect(placeholderProblem(choice, "www.evernote.com")).toMatch(/not one of/);
    expect(initialInputs({ placeholders: [choice] } as unknown as PresetSummary)).toEqual({
      x: "sandbox.evernote.com",
    });
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
