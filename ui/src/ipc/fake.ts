// The browser preview's backend (`npm run dev`, and the tests): it replays answers recorded
// from the real backend and holds no backend rules of its own — no validation, no presets, no
// diagnosis, no secrets. crates/app/tests/recordings.rs drives the real app through scripted
// sessions and writes ./recordings; `make test` records them again and fails when the backend's
// answers changed. The only answer made up here is "preview_unavailable", for a call no session
// recorded.
//
// A call is answered from the recorded call with the same command and the same arguments
// (after the normalization below), preferring the current scenario's session. A call recorded
// several times in a session (`connectors_list` before and after connecting) is answered in
// recorded order, the last answer repeated: each session keeps how far the UI has got in it
// (the latest recorded call answered), and a repeated call gets the latest of its answers
// recorded up to there, so asking twice before connecting shows no connector twice. The events
// recorded after a call are replayed after it, their gaps compressed so the steps animate
// visibly.

import type { CommandMap, ErrorReport, EventMap } from "./bindings";
import type { Transport, Unlisten } from "./index";
import {
  SESSIONS,
  type RecordedCall,
  type RecordedEvent,
  type RecordedSession,
  type SessionName,
} from "./recordings";

/** Every scenario: one per recorded session. */
export const SCENARIOS = Object.keys(SESSIONS) as SessionName[];

/** The scenario when none is chosen. */
export const DEFAULT_SCENARIO: SessionName = "demo";

/** The answer to a call no session recorded. */
export const PREVIEW_UNAVAILABLE: ErrorReport = {
  kind: "preview_unavailable",
  message:
    "the browser preview only replays answers recorded from the real backend, and this one was not recorded",
  hint: "run the desktop app (make run) to try this",
};

export interface FakeOptions {
  /** The session to answer from first (default: `?scenario=` in the page's URL, else "demo"). */
  scenario?: string | null;
  /**
   * How long to wait before replaying an event, given its recorded gap after the previous one
   * (or after the call): a number for a fixed gap (0 in tests), or a function. Default
   * {@link defaultStepDelay}.
   */
  stepDelayMs?: number | ((recordedGapMs: number) => number);
  /** The clock answers are shifted to (tests pin it). */
  now?: () => number;
  /** The timer events are replayed with (tests pass their own, or use fake timers). */
  schedule?: (fn: () => void, ms: number) => unknown;
  cancel?: (handle: unknown) => void;
}

/** A recorded gap kept between 120 and 700 ms: the real backend answers in a few. */
export function defaultStepDelay(recordedGapMs: number): number {
  return Math.min(700, Math.max(120, recordedGapMs));
}

/** The scenario named in the page's URL (`?scenario=pin`), if any. */
export function scenarioFromUrl(): string | null {
  if (typeof location === "undefined") return null;
  return new URLSearchParams(location.search).get("scenario");
}

/** Adds `delta` to every `*_ms` timestamp in a copy of `value` (`duration_ms` stays). */
export function shiftTimes<T>(value: T, delta: number): T {
  if (Array.isArray(value)) return value.map((v) => shiftTimes(v, delta)) as T;
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      typeof v === "number" && k.endsWith("_ms") && k !== "duration_ms"
        ? v + delta
        : shiftTimes(v, delta);
  }
  return out as T;
}

/** Arguments that match any value: the PIN and the pasted address differ every time. */
const ANY: Partial<Record<keyof CommandMap, string[]>> = {
  flow_submit_pin: ["pin"],
  flow_submit_callback: ["url"],
  // Each audit has a name of its own (audit-1, audit-2, ...).
  audit_run: ["job"],
};

const HOST_PORT = /(127\.0\.0\.1|localhost):\d+/g;

/**
 * Arguments as the recorder compares them, in the part that can reach arguments: every
 * `*_ms` time is 0, and the demo provider's port (a new one in every session) is `<port>`,
 * in an address or on its own.
 */
export function normalizeArgs(value: unknown, ports: ReadonlySet<string>, key?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => normalizeArgs(v, ports));
  if (typeof value === "number") return key?.endsWith("_ms") ? 0 : value;
  if (typeof value === "string") {
    return ports.has(value) ? "<port>" : value.replace(HOST_PORT, "$1:<port>");
  }
  if (value === null || typeof value !== "object") return value ?? null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = normalizeArgs(v, ports, k);
  return out;
}

/** JSON with its keys sorted: equal for equal values, whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A session's calls by matching key, each with its place in the session, in recorded order. */
interface Index {
  calls: Map<string, { at: number; call: RecordedCall }[]>;
  /** The place of the latest call answered: how far the UI has got in the session. */
  reached: number;
}

interface Pending {
  event: RecordedEvent;
  /** When the event happened, as recorded (to shift its times to now). */
  recordedMs: number;
  gapMs: number;
}

interface Replay {
  queue: Pending[];
  timer: unknown;
  running: boolean;
}

export class FakeBackend implements Transport {
  readonly kind = "fake" as const;
  /** The session answers come from first. */
  readonly scenario: SessionName;
  private readonly order: SessionName[];
  private readonly sessions = new Map<SessionName, Index>();
  private readonly ports = new Set<string>();
  private readonly stepDelay: (recordedGapMs: number) => number;
  private readonly now: () => number;
  private readonly schedule: (fn: () => void, ms: number) => unknown;
  private readonly cancelTimer: (handle: unknown) => void;
  private readonly listeners = new Map<string, Set<(payload: never) => void>>();
  /** Events being replayed, by run (`""` for events of no run). */
  private readonly replays = new Map<string, Replay>();

  constructor(options: FakeOptions = {}) {
    const wanted = options.scenario ?? scenarioFromUrl() ?? DEFAULT_SCENARIO;
    this.scenario = (SCENARIOS as string[]).includes(wanted)
      ? (wanted as SessionName)
      : DEFAULT_SCENARIO;
    this.order = [this.scenario, ...SCENARIOS.filter((s) => s !== this.scenario)];
    const delay = options.stepDelayMs ?? defaultStepDelay;
    this.stepDelay = typeof delay === "number" ? () => delay : delay;
    this.now = options.now ?? (() => Date.now());
    this.schedule = options.schedule ?? ((fn, ms) => setTimeout(fn, ms));
    this.cancelTimer = options.cancel ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));

    const sessions: [SessionName, RecordedSession][] = SCENARIOS.map((s) => [s, SESSIONS[s]]);
    for (const [, session] of sessions) {
      for (const m of JSON.stringify(session).matchAll(HOST_PORT)) {
        this.ports.add(m[0].slice(m[0].lastIndexOf(":") + 1));
      }
    }
    for (const [name, session] of sessions) {
      const calls: Index["calls"] = new Map();
      session.calls.forEach((call, at) => {
        const key = this.key(call.command, call.args);
        calls.set(key, [...(calls.get(key) ?? []), { at, call }]);
      });
      this.sessions.set(name, { calls, reached: -1 });
    }
  }

  async invoke<K extends keyof CommandMap>(
    name: K,
    args: CommandMap[K]["args"],
  ): Promise<CommandMap[K]["result"]> {
    const call = this.find(name, args ?? null);
    if (!call) throw copy(PREVIEW_UNAVAILABLE);
    if (call.command === "flow_cancel") this.stop(call.args.run_id);
    this.replay(call);
    if (call.err !== undefined) throw copy(call.err);
    return shiftTimes(call.ok, this.now() - call.at_ms) as CommandMap[K]["result"];
  }

  async listen<E extends keyof EventMap>(
    event: E,
    handler: (payload: EventMap[E]) => void,
  ): Promise<Unlisten> {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    const h = handler as (payload: never) => void;
    set.add(h);
    return () => {
      set.delete(h);
    };
  }

  private key(command: string, args: unknown): string {
    let normalized = normalizeArgs(args ?? null, this.ports);
    const any = ANY[command as keyof CommandMap];
    if (any && normalized !== null && typeof normalized === "object") {
      normalized = { ...normalized };
      for (const field of any) (normalized as Record<string, unknown>)[field] = "*";
    }
    return `${command} ${canonical(normalized)}`;
  }

  /**
   * The recorded call answering this one: the scenario's session first, then the others. Of
   * the session's recordings of it, the latest one up to the call after the latest answered
   * (the first one when the UI has not got that far).
   */
  private find(command: string, args: unknown): RecordedCall | null {
    const key = this.key(command, args);
    for (const name of this.order) {
      const index = this.sessions.get(name);
      const recorded = index?.calls.get(key);
      if (!index || !recorded) continue;
      let chosen = recorded[0];
      for (const r of recorded) if (r.at <= index.reached + 1) chosen = r;
      index.reached = Math.max(index.reached, chosen.at);
      return chosen.call;
    }
    return null;
  }

  /** Queues the events recorded after `call`, each run's after the ones it is still showing. */
  private replay(call: RecordedCall): void {
    let previous = 0;
    const touched = new Set<string>();
    for (const event of call.events) {
      const run = "run_id" in event.payload ? event.payload.run_id : "";
      const replay = this.replays.get(run) ?? { queue: [], timer: null, running: false };
      this.replays.set(run, replay);
      replay.queue.push({
        event,
        recordedMs: call.at_ms + event.delay_ms,
        gapMs: this.stepDelay(Math.max(0, event.delay_ms - previous)),
      });
      previous = event.delay_ms;
      touched.add(run);
    }
    for (const run of touched) {
      const replay = this.replays.get(run);
      if (replay && !replay.running) this.next(replay);
    }
  }

  private next(replay: Replay): void {
    const pending = replay.queue.shift();
    if (!pending) {
      replay.running = false;
      replay.timer = null;
      return;
    }
    replay.running = true;
    replay.timer = this.schedule(() => {
      replay.timer = null;
      this.emit(pending);
      this.next(replay);
    }, pending.gapMs);
  }

  /** A cancelled run shows nothing more of what it was replaying. */
  private stop(run: string): void {
    const replay = this.replays.get(run);
    if (!replay) return;
    if (replay.timer !== null) this.cancelTimer(replay.timer);
    // Emptied too: a handler cancelling the run it is being shown ends the replay here.
    replay.queue.length = 0;
    this.replays.delete(run);
  }

  private emit({ event, recordedMs }: Pending): void {
    const payload: unknown = shiftTimes(event.payload, this.now() - recordedMs);
    for (const handler of this.listeners.get(event.event) ?? []) {
      (handler as (p: unknown) => void)(payload);
    }
  }
}
