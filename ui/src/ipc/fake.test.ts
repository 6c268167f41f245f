import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { FakeBackend, scenarioFor, shiftTimes } from "./fake";
import { COMMAND_NAMES, makeIpc, toErrorReport, type Ipc, type Snapshot } from "./index";

let ipc: Ipc;
let seen: Snapshot[];

function setup(scenario: string | null = null) {
  ipc = makeIpc(
    new FakeBackend({ scenario, stepDelayMs: 100, consentDelayMs: 500, now: () => 1_000_000 }),
  );
  seen = [];
  void ipc.onSnapshot((e) => seen.push(e.snapshot));
}

beforeEach(() => {
  vi.useFakeTimers();
  setup();
});
afterEach(() => vi.useRealTimers());

describe("fake IPC", () => {
  it("answers every command of the contract", () => {
    const fake = new FakeBackend() as unknown as { handlers: Record<string, unknown> };
    expect(Object.keys(fake.handlers).sort()).toEqual([...COMMAND_NAMES].sort());
  });

  it("replays the recorded dance to the end, with times rebased on now", async () => {
    const demo = await ipc.demoProviderStart();
    const started = await ipc.flowStart({ kind: "draft", draft: demo.draft });
    expect(started.snapshot.phase).toBe("requesting_temporary_credentials");
    expect(started.snapshot.steps.find((st) => st.started_ms !== null)?.started_ms).toBe(1_000_000);
    await vi.runAllTimersAsync();
    expect(seen.map((s) => s.phase)).toEqual([
      "awaiting_authorization",
      "requesting_token_credentials",
      "accessing_resource",
      "finished",
    ]);
    const record = await ipc.runGet(started.run_id);
    expect(record.summary.steps_done).toBe(10);
  });

  it("waits for the PIN in oob mode and refuses an empty one", async () => {
    const demo = await ipc.demoProviderStart();
    demo.draft.callback.mode = "oob";
    const { run_id } = await ipc.flowStart({ kind: "draft", draft: demo.draft });
    await vi.runAllTimersAsync();
    expect(seen.at(-1)?.waiting_for?.kind).toBe("pin");
    await expect(ipc.flowSubmitPin(run_id, " ")).rejects.toMatchObject({ kind: "pin_empty" });
    await ipc.flowSubmitPin(run_id, "123456");
    await vi.runAllTimersAsync();
    expect(seen.at(-1)?.phase).toBe("finished");
  });

  it("fails at step 4 with a wrong secret, and Retry fails the same way", async () => {
    const demo = await ipc.demoProviderStart();
    demo.draft.consumer_secret = "wrong";
    const { run_id, snapshot } = await ipc.flowStart({ kind: "draft", draft: demo.draft });
    expect(snapshot.phase).toBe("requesting_temporary_credentials");
    await vi.runAllTimersAsync();
    expect(seen.at(-1)?.error?.error.message).toMatch(/signature_invalid/);
    await ipc.flowRetry(run_id);
    await vi.runAllTimersAsync();
    expect(seen.at(-1)?.phase).toBe("failed");
  });

  it("recovers a refused consent on Retry", async () => {
    setup("denied");
    const demo = await ipc.demoProviderStart();
    const { run_id } = await ipc.flowStart({ kind: "draft", draft: demo.draft });
    await vi.runAllTimersAsync();
    expect(seen.at(-1)?.error?.error.kind).toBe("callback_denied");
    await ipc.flowRetry(run_id);
    await vi.runAllTimersAsync();
    expect(seen.at(-1)?.phase).toBe("finished");
  });

  it("cancels: unfinished steps are skipped and the timers stop", async () => {
    const demo = await ipc.demoProviderStart();
    const { run_id } = await ipc.flowStart({ kind: "draft", draft: demo.draft });
    await ipc.flowCancel(run_id);
    const n = seen.length;
    await vi.runAllTimersAsync();
    expect(seen).toHaveLength(n);
    const s = seen.at(-1)!;
    expect(s.phase).toBe("cancelled");
    expect(s.steps.slice(2).every((st) => st.status === "skipped")).toBe(true);
  });

  it("saves connectors without echoing secrets, reveals them on request, keeps tokens", async () => {
    const demo = await ipc.demoProviderStart();
    const saved = await ipc.connectorSave(demo.draft);
    expect(saved.draft.consumer_secret).toBeNull();
    expect(saved.secrets.consumer_secret).toBe(true);
    expect(await ipc.connectorRevealSecret(saved.id, "consumer_secret")).toBe("signet-demo-secret");
    await ipc.flowStart({ kind: "connector", id: saved.id });
    await vi.runAllTimersAsync();
    const [summary] = await ipc.connectorsList();
    expect(summary.token?.token).toMatch(/\w+/);
    expect(summary.last_run?.phase).toBe("finished");
    expect(await ipc.tokensList()).toHaveLength(1);
    expect(await ipc.runsList(saved.id)).toHaveLength(1);
    await ipc.tokenForget(saved.id);
    expect(await ipc.tokensList()).toHaveLength(0);
    await ipc.connectorDelete(saved.id);
    await expect(ipc.connectorGet(saved.id)).rejects.toMatchObject({ kind: "not_found" });
  });

  it("refuses to start an invalid draft with the first problem", async () => {
    const demo = await ipc.demoProviderStart();
    demo.draft.consumer_key = "";
    const e = await ipc.flowStart({ kind: "draft", draft: demo.draft }).catch(toErrorReport);
    expect(e).toMatchObject({ kind: "invalid_config" });
  });
});

describe("fake helpers", () => {
  it("picks the recording a draft would produce", () => {
    expect(scenarioFor(null, null)).toBe("dance");
    expect(scenarioFor(null, "denied")).toBe("denied");
    expect(scenarioFor(null, "nonsense")).toBe("dance");
  });

  it("shifts timestamps but not durations", () => {
    expect(shiftTimes({ a_ms: 1, duration_ms: 5, n: [{ sent_ms: 2 }], x: null }, 10)).toEqual({
      a_ms: 11,
      duration_ms: 5,
      n: [{ sent_ms: 12 }],
      x: null,
    });
  });
});

describe("toErrorReport", () => {
  it("keeps reports and wraps anything else", () => {
    expect(toErrorReport({ kind: "k", message: "m" })).toEqual({ kind: "k", message: "m" });
    expect(toErrorReport(new Error("boom"))).toEqual({ kind: "ipc", message: "boom" });
    expect(toErrorReport("x")).toEqual({ kind: "ipc", message: "x" });
  });
});
