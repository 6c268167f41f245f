import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { FakeBackend } from "./fake";
import {
  applyPreset,
  diffBaseStrings,
  extractBaseString,
  lintDraft,
  pasteDiff,
} from "./fake-presets";
import { DIAGNOSES, PRESETS, RECORDINGS } from "./fixtures";
import { makeIpc, toErrorReport, type Ipc } from "./index";

describe("the preview's presets mirror what Rust recorded", () => {
  it("applies every preset to its examples exactly as the backend did", () => {
    for (const [id, ex] of Object.entries(PRESETS.examples)) {
      expect(applyPreset(id, ex.inputs), id).toEqual(ex.applied);
    }
  });

  it("lints every example draft exactly as the backend did", () => {
    for (const [id, ex] of Object.entries(PRESETS.examples)) {
      expect(lintDraft(ex.applied.draft), id).toEqual(ex.lints);
    }
  });

  it("puts another NetSuite account in the addresses and the realm", () => {
    const r = applyPreset("netsuite", { account: "7654321_SB2" });
    expect(r.draft.realm).toBe("7654321_SB2");
    expect(r.draft.endpoints.request_token.url).toContain("7654321-sb2");
    expect(r.explanations.find((e) => e.field === "realm")?.value).toBe("7654321_SB2");
  });

  it("refuses a missing or malformed value with the backend's kinds", () => {
    expect(() => applyPreset("netsuite", {})).toThrow();
    try {
      applyPreset("netsuite", { account: "12 34" });
    } catch (e) {
      expect(toErrorReport(e).kind).toBe("invalid_value");
    }
    try {
      applyPreset("nope", {});
    } catch (e) {
      expect(toErrorReport(e).kind).toBe("unknown_preset");
    }
  });

  it("warns about a method, a placement and a callback the provider refuses", () => {
    const d = structuredClone(PRESETS.examples.trello.applied.draft);
    d.signature_method = "RSA-SHA256";
    d.placement = "body";
    const ids = lintDraft(d).map((l) => l.id);
    expect(ids).toContain("method_rejected");
    expect(ids).toContain("placement_rejected");
    expect(lintDraft(d)[0].severity).toBe("error");
  });

  it("compares pasted base strings exactly as the backend did", () => {
    const snapshot = RECORDINGS.signature_invalid.frames.at(-1)!.snapshot;
    expect(DIAGNOSES.pastes.length).toBeGreaterThan(0);
    for (const p of DIAGNOSES.pastes) {
      expect(pasteDiff(snapshot, p.text), p.description).toEqual(p.diff);
    }
  });

  it("finds the base string in a problem report and says when there is none", () => {
    const base = "POST&http%3A%2F%2Fa.example%2Fr&a%3D1";
    expect(
      extractBaseString(
        `oauth_problem=signature_invalid&debug_base_string=${encodeURIComponent(base)}`,
      ),
    ).toBe(base);
    expect(extractBaseString("nothing here")).toBeNull();
    expect(diffBaseStrings(base, "nothing here").differences[0].kind).toBe("unreadable");
    expect(diffBaseStrings(base, base).identical).toBe(true);
  });
});

describe("the preview's diagnosis commands", () => {
  let ipc: Ipc;
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  async function failedRun(scenario: string) {
    ipc = makeIpc(new FakeBackend({ scenario, stepDelayMs: 10, consentDelayMs: 10 }));
    const demo = await ipc.demoProviderStart();
    const { run_id } = await ipc.flowStart({ kind: "draft", draft: demo.draft });
    await vi.runAllTimersAsync();
    return run_id;
  }

  it("reads clock skew, and an applied offset makes the retry pass", async () => {
    const run = await failedRun("clock_skew");
    const d = await ipc.runDiagnose(run);
    expect(d.diagnoses[0].id).toBe("oauth_problem.timestamp_refused");
    expect(d.skew?.suggested_offset_seconds).toBe(900);
    await ipc.clockOffsetSet(900);
    await ipc.flowRetry(run);
    await vi.runAllTimersAsync();
    expect((await ipc.runGet(run)).snapshot.phase).toBe("finished");
    await expect(ipc.runDiagnose(run)).rejects.toMatchObject({ kind: "run_not_failed" });
  });

  it("explains an HTML page and a server error", async () => {
    const html = await failedRun("html_page");
    expect((await ipc.runDiagnose(html)).diagnoses[0].id).toBe("shape.html");
    const server = await failedRun("server_error");
    expect((await ipc.runDiagnose(server)).diagnoses[0].id).toBe("http.5xx");
  });

  it("compares a paste with the failed run's request", async () => {
    const run = await failedRun("signature_invalid");
    const d = await ipc.runDiagnose(run);
    expect(d.diff?.identical).toBe(true);
    const diff = await ipc.diagnosePaste(run, DIAGNOSES.pastes[0].text);
    expect(diff.differences[0].kind).toBe("uri");
    await expect(ipc.diagnosePaste(run, "  ")).rejects.toMatchObject({ kind: "paste_empty" });
  });
});
