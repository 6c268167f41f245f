import { afterEach, describe, expect, it, vi } from "vitest";

import { FakeBackend, PREVIEW_UNAVAILABLE, SCENARIOS, type FakeOptions } from "./fake";
import {
  COMMAND_NAMES,
  makeIpc,
  toErrorReport,
  type DeepLinkRefusedEvent,
  type Ipc,
  type Snapshot,
} from "./index";
import { SESSIONS, type RecordedCall } from "./recordings";

const NOW = 2_000_000_000_000;

/** Timers the test runs by hand: events replay only when `flush` says so. */
function manualTimers() {
  const due: { fn: () => void; cancelled: boolean }[] = [];
  return {
    options: {
      schedule: (fn: () => void) => {
        const t = { fn, cancelled: false };
        due.push(t);
        return t;
      },
      cancel: (t: unknown) => {
        (t as { cancelled: boolean }).cancelled = true;
      },
    } satisfies FakeOptions,
    /** Runs due timers (and those they schedule) until none is left. */
    flush() {
      for (let t = due.shift(); t; t = due.shift()) if (!t.cancelled) t.fn();
    },
    /** Runs the next due timer only. */
    step() {
      for (let t = due.shift(); t; t = due.shift()) {
        if (!t.cancelled) {
          t.fn();
          return true;
        }
      }
      return false;
    },
    pending: () => due.filter((t) => !t.cancelled).length,
  };
}

function setup(scenario: string | null = null) {
  const timers = manualTimers();
  const ipc: Ipc = makeIpc(new FakeBackend({ scenario, now: () => NOW, ...timers.options }));
  const snapshots: { run_id: string; snapshot: Snapshot }[] = [];
  const refused: DeepLinkRefusedEvent[] = [];
  void ipc.onSnapshot((e) => snapshots.push(e));
  void ipc.onDeepLinkRefused((e) => refused.push(e));
  return { ipc, timers, snapshots, refused };
}

/** The calls of a session with this command, in recorded order. */
function recorded<K extends RecordedCall["command"]>(session: keyof typeof SESSIONS, command: K) {
  return SESSIONS[session].calls.filter(
    (c): c is Extract<RecordedCall, { command: K }> => c.command === command,
  );
}

/** For a promise that should have rejected. */
function unexpected(value: unknown): never {
  throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
}

afterEach(() => {
  vi.useRealTimers();
});

describe("the browser preview's fake backend", () => {
  it("answers a session's repeated call in recorded order, then repeats the last", async () => {
    const { ipc, timers } = setup();
    expect(await ipc.connectorsList()).toEqual([]);
    const demo = await ipc.demoProviderStart();
    const instance = demo.connector.document.instance.id!;
    await ipc.flowStart(instance);
    timers.flush();
    const after = await ipc.connectorsList();
    expect(after.map((c) => c.name)).toEqual(["Signet demo provider"]);
    expect(after[0].token).not.toBeNull();
    expect(await ipc.connectorsList()).toEqual(after);
  });

  it("answers a repeated call the same until the session moves on", async () => {
    const { ipc, timers } = setup();
    await ipc.appInfo();
    expect(await ipc.connectorsList()).toEqual([]);
    expect(await ipc.connectorsList()).toEqual([]);
    expect(await ipc.tokensList()).toEqual([]);
    const demo = await ipc.demoProviderStart();
    const instance = demo.connector.document.instance.id!;
    const me = await ipc.endpointSend(instance, "me", {});
    const { runs, total } = await ipc.runsList();
    expect(runs.map((r) => r.run_id)).toContain(me.run_id);
    expect(total).toBe(runs.length);
    expect((await ipc.runsList()).runs).toEqual(runs);
    const orders = await ipc.endpointSend(instance, "orders", {});
    const more = await ipc.runsList();
    expect(more.runs[0].run_id).toBe(orders.run_id);
    expect(more.runs).toHaveLength(runs.length + 1);
    expect(more.total).toBe(total + 1);
    timers.flush();
  });

  it("replays a run's events after flow_start, in order, to the end", async () => {
    const { ipc, timers, snapshots } = setup();
    const demo = await ipc.demoProviderStart();
    const started = await ipc.flowStart(demo.connector.document.instance.id!);
    expect(snapshots).toEqual([]);
    timers.flush();
    const phases = snapshots.map((e) => e.snapshot.phase);
    const want = recorded("demo", "flow_start")[0].events.map((e) =>
      e.event === "flow-snapshot" ? e.payload.snapshot.phase : null,
    );
    expect(phases).toEqual(want);
    expect(phases).toContain("awaiting_authorization");
    expect(phases.at(-1)).toBe("finished");
    expect(snapshots.every((e) => e.run_id === started.run_id)).toBe(true);
    expect(snapshots.at(-1)?.snapshot.access_token).not.toBeNull();
  });

  it("spaces events by their recorded gaps, kept between 120 and 700 ms", async () => {
    vi.useFakeTimers();
    const fake = new FakeBackend({ scenario: "demo", now: () => NOW });
    const ipc = makeIpc(fake);
    const phases: string[] = [];
    void ipc.onSnapshot((e) => phases.push(e.snapshot.phase));
    const demo = await ipc.demoProviderStart();
    await ipc.flowStart(demo.connector.document.instance.id!);
    await vi.advanceTimersByTimeAsync(119);
    expect(phases).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(phases).toHaveLength(1);
    const events = recorded("demo", "flow_start")[0].events.length;
    await vi.advanceTimersByTimeAsync(700 * events);
    expect(phases).toHaveLength(events);
    expect(phases.at(-1)).toBe("finished");
  });

  it("pauses a PIN run until flow_submit_pin is answered", async () => {
    const { ipc, timers, snapshots } = setup("pin");
    const demo = await ipc.demoProviderStart();
    const { run_id } = await ipc.flowStart(demo.connector.document.instance.id!);
    timers.flush();
    const waiting = snapshots.at(-1)!.snapshot;
    expect(waiting.waiting_for).toEqual({ kind: "pin" });
    expect(waiting.phase).toBe("awaiting_authorization");
    expect(timers.pending()).toBe(0);
    const count = snapshots.length;
    // Any PIN will do: the recorded one was made up by the provider.
    await ipc.flowSubmitPin(run_id, "12345678");
    expect(snapshots).toHaveLength(count);
    timers.flush();
    expect(snapshots.length).toBeGreaterThan(count);
    expect(snapshots.at(-1)?.snapshot.phase).toBe("finished");
  });

  it("rejects a call no session recorded with preview_unavailable, and nothing else", async () => {
    const { ipc } = setup();
    const e = await ipc.runGet("42-42").then(unexpected, toErrorReport);
    expect(e).toEqual(PREVIEW_UNAVAILABLE);
    expect(e.kind).toBe("preview_unavailable");
    expect(e.hint).toContain("make run");
    await expect(ipc.connectorNew("no-such-preset")).rejects.toMatchObject({
      kind: "preview_unavailable",
    });
  });

  it("rejects with the recorded error when the backend refused", async () => {
    const { ipc } = setup("new");
    const blank = await ipc.connectorNew(null);
    const want = recorded("new", "connector_save")[0].err;
    expect(want?.kind).toBe("invalid_connector");
    const e = await ipc.connectorSave(blank.document).then(unexpected, toErrorReport);
    expect(e).toEqual(want);
    expect(e.fields?.[0].field).toBe("details.name");
  });

  it("prefers the scenario's session, then answers from the others", async () => {
    const denied = setup("denied");
    const demo = await denied.ipc.demoProviderStart();
    await denied.ipc.flowStart(demo.connector.document.instance.id!);
    denied.timers.flush();
    const last = denied.snapshots.at(-1)!.snapshot;
    expect(last.phase).toBe("failed");
    expect(last.error?.error.kind).toBe("callback_denied");

    const happy = setup();
    await happy.ipc.flowStart(demo.connector.document.instance.id!);
    happy.timers.flush();
    expect(happy.snapshots.at(-1)?.snapshot.phase).toBe("finished");

    // Presets are applied only in the "new" session; its port-free answer serves every scenario.
    const applied = await denied.ipc.presetApply("trello");
    expect(applied.document.connector.details.preset).toBe("trello");
    // The demo document from the "denied" session matches the "pin" session's recording too,
    // though each session's demo provider had another port.
    const pin = setup("pin");
    expect(await pin.ipc.connectorValidate(demo.connector.document)).toEqual([]);
  });

  it("picks the scenario from the page's URL, else the demo", () => {
    expect(new FakeBackend().scenario).toBe("demo");
    expect(new FakeBackend({ scenario: "nonsense" }).scenario).toBe("demo");
    vi.stubGlobal("location", { search: "?scenario=clock_skew" });
    try {
      expect(new FakeBackend().scenario).toBe("clock_skew");
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("shifts recorded times to now and keeps durations", async () => {
    const { ipc } = setup();
    const demo = await ipc.demoProviderStart();
    const original = recorded("demo", "demo_provider_start")[0];
    expect(original.ok?.connector.created_ms).toBeLessThan(NOW - 1000);
    // The answer was recorded at_ms; its times are as far from now as they were from then.
    expect(demo.connector.created_ms).toBe(
      original.ok!.connector.created_ms + NOW - original.at_ms,
    );
    expect(Math.abs(demo.connector.created_ms - NOW)).toBeLessThan(60_000);

    const instance = demo.connector.document.instance.id!;
    const sent = await ipc.endpointSend(instance, "me", {});
    const call = recorded("demo", "endpoint_send")[0].ok!.call;
    expect(sent.call.duration_ms).toBe(call.duration_ms);
    expect(Math.abs(sent.call.sent_ms - NOW)).toBeLessThan(60_000);
  });

  it("answers with copies: changing one answer does not change the next", async () => {
    const { ipc } = setup();
    const first = await ipc.presetsList();
    const name = first[0].name;
    first[0].name = "changed";
    first.pop();
    const second = await ipc.presetsList();
    expect(second[0].name).toBe(name);
    expect(second).toHaveLength(first.length + 1);
    const info = await ipc.appInfo();
    (info as { version: string }).version = "changed";
    expect((await ipc.appInfo()).version).not.toBe("changed");
  });

  it("stops a cancelled run's events and replays the cancellation's", async () => {
    const { ipc, timers, snapshots, refused } = setup("manage");
    const cancel = recorded("manage", "flow_cancel")[0];
    const run = cancel.args.run_id;
    const start = recorded("manage", "flow_start").find((c) => c.ok?.run_id === run)!;
    await ipc.flowStart(start.args.instance_id);
    expect(timers.step()).toBe(true);
    expect(snapshots).toHaveLength(1);
    await ipc.flowCancel(run);
    timers.flush();
    const phases = snapshots.map((e) => e.snapshot.phase);
    expect(phases).toHaveLength(2);
    expect(phases.at(-1)).toBe("cancelled");
    // The consent given after the cancellation comes back too late, and is refused.
    expect(refused).toHaveLength(1);
    expect(refused[0].url_excerpt).toMatch(/^signet:\/\/callback/);
  });

  it("delivers events to listeners until they stop listening", async () => {
    const timers = manualTimers();
    const backend = new FakeBackend({ now: () => NOW, stepDelayMs: 0, ...timers.options });
    expect(backend.kind).toBe("fake");
    const seen: string[] = [];
    const stop = await backend.listen("flow-snapshot", (e) => seen.push(e.snapshot.phase));
    await backend.invoke("flow_start", { instance_id: "1" });
    expect(timers.step()).toBe(true);
    stop();
    timers.flush();
    expect(seen).toHaveLength(1);
  });

  it("holds a recorded answer for every command of the contract", () => {
    const used = new Set(SCENARIOS.flatMap((s) => SESSIONS[s].calls.map((c) => c.command)));
    // One exception: app_quit ends the real app, which answers nothing to record; the preview
    // says it cannot quit (preview_unavailable).
    expect(COMMAND_NAMES.filter((c) => !used.has(c))).toEqual(["app_quit"]);
  });

  it("has one session per scenario, demo first", () => {
    expect(SCENARIOS[0]).toBe("demo");
    for (const s of SCENARIOS) {
      expect(SESSIONS[s].session).toBe(s);
      expect(SESSIONS[s].calls.length).toBeGreaterThan(0);
    }
  });
});
