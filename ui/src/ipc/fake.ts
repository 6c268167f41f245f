// An in-browser backend that behaves like the shell end to end: the demo provider's details,
// connectors and tokens in memory, and flows that replay real recorded snapshots on a timer
// (waiting for the PIN when the callback is oob). For development (`npm run dev`) and tests.

import type {
  AppInfo,
  CommandMap,
  Connector,
  ConnectorDraft,
  ConnectorSummary,
  DemoProvider,
  ErrorKind,
  ErrorReport,
  EventMap,
  RunSummary,
  Snapshot,
  TokenSummary,
} from "./bindings";
import {
  DIAGNOSES,
  PRESETS,
  RECORDINGS,
  type Frame,
  type Recording,
  type Scenario,
} from "./fixtures";
import { applyPreset, lintDraft, pasteDiff } from "./fake-presets";
import type { Transport, Unlisten } from "./index";
import { validateDraft } from "../wizard/draft";

export const DEMO_CONSUMER_SECRET = "signet-demo-secret";

export interface FakeOptions {
  /** Force a scenario for every run (`denied` shows a refusal); default: chosen per draft. */
  scenario?: string | null;
  /** Milliseconds between two snapshots (the real provider answers in a few). */
  stepDelayMs?: number;
  /** How long the pretend user spends on the provider's consent page. */
  consentDelayMs?: number;
  /** The clock (tests pin it). */
  now?: () => number;
  /** The timer (tests use fake timers). */
  schedule?: (fn: () => void, ms: number) => unknown;
  cancel?: (handle: unknown) => void;
}

interface StoredConnector {
  connector: Connector;
  consumerSecret: string | null;
  rsaKey: string | null;
  tokenSecret: string | null;
}

interface FakeRun {
  id: string;
  connectorId: string | null;
  name: string;
  scenario: Scenario;
  recording: Recording;
  /** Index of the frame shown. */
  index: number;
  snapshot: Snapshot;
  startedMs: number;
  timer: unknown;
}

const err = (kind: ErrorKind, message: string, hint?: string): ErrorReport =>
  hint ? { kind, message, hint } : { kind, message };

/** Adds `delta` to every `*_ms` timestamp in a snapshot (durations stay). */
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

/** The run's first timestamp, to rebase a recording on. */
function firstMs(r: Recording): number {
  const s = r.frames[0].snapshot.steps.find((st) => st.started_ms !== null);
  return s?.started_ms ?? 0;
}

/** Which recording a draft would produce against the demo provider. */
export function scenarioFor(draft: ConnectorDraft | null, forced: string | null): Scenario {
  if (forced && forced in RECORDINGS) return forced as Scenario;
  if (!draft) return "dance";
  if (
    !draft.signature_method.startsWith("RSA-") &&
    draft.consumer_secret !== null &&
    draft.consumer_secret !== DEMO_CONSUMER_SECRET
  ) {
    return "signature_invalid";
  }
  return draft.callback.mode === "oob" ? "pin" : "dance";
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "";
  }
}

export class FakeBackend implements Transport {
  readonly kind = "fake" as const;
  private readonly opts: Required<Omit<FakeOptions, "scenario">> & { scenario: string | null };
  private readonly connectors = new Map<string, StoredConnector>();
  private readonly runs = new Map<string, FakeRun>();
  private readonly listeners: { [E in keyof EventMap]: Set<(p: EventMap[E]) => void> } = {
    "flow-snapshot": new Set(),
    "deep-link-refused": new Set(),
  };
  private demoRunning = false;
  private seq = 0;
  /** Seconds added to oauth_timestamp (`clock_offset_set`). */
  private clockOffset = 0;

  constructor(options: FakeOptions = {}) {
    this.opts = {
      scenario: options.scenario ?? null,
      stepDelayMs: options.stepDelayMs ?? 1100,
      consentDelayMs: options.consentDelayMs ?? 2600,
      now: options.now ?? (() => Date.now()),
      schedule: options.schedule ?? ((fn, ms) => setTimeout(fn, ms)),
      cancel: options.cancel ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>)),
    };
  }

  async listen<E extends keyof EventMap>(
    event: E,
    handler: (payload: EventMap[E]) => void,
  ): Promise<Unlisten> {
    const set = this.listeners[event] as Set<(p: EventMap[E]) => void>;
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Pretends the OS handed the app a link no run waits for (for the UI's banner). */
  refuseDeepLink(url: string, reason: string): void {
    this.emit("deep-link-refused", { url_excerpt: url.slice(0, 60), reason });
  }

  async invoke<K extends keyof CommandMap>(
    name: K,
    args: CommandMap[K]["args"],
  ): Promise<CommandMap[K]["result"]> {
    // Answer asynchronously, like the real IPC.
    await Promise.resolve();
    const handler = this.handlers[name] as (a: CommandMap[K]["args"]) => CommandMap[K]["result"];
    return structuredClone(handler(args));
  }

  private emit<E extends keyof EventMap>(event: E, payload: EventMap[E]): void {
    for (const h of this.listeners[event] as Set<(p: EventMap[E]) => void>) {
      h(structuredClone(payload));
    }
  }

  private demo(): DemoProvider {
    const url = RECORDINGS.dance.provider_url;
    const draft: ConnectorDraft = {
      id: null,
      name: "Demo provider",
      preset: "demo",
      mode: "three_legged",
      consumer_key: "signet-demo",
      consumer_secret: DEMO_CONSUMER_SECRET,
      rsa_private_key_pem: null,
      signature_method: "HMAC-SHA1",
      placement: "header",
      realm: null,
      include_version: true,
      endpoints: {
        request_token: { url: `${url}/oauth/request_token`, method: "POST" },
        authorize_url: `${url}/oauth/authorize`,
        access_token: { url: `${url}/oauth/access_token`, method: "POST" },
      },
      callback: { mode: "deep_link", loopback_port: 0, loopback_path: "/callback", oob_url: null },
      authorize_params: [],
      resource: {
        method: "GET",
        url: `${url}/api/me`,
        content_type: null,
        body: null,
        headers: [],
        masked_headers: [],
      },
      token: null,
    };
    return {
      url,
      endpoints: {
        request_token: `${url}/oauth/request_token`,
        authorize: `${url}/oauth/authorize`,
        access_token: `${url}/oauth/access_token`,
        me: `${url}/api/me`,
        echo: `${url}/api/echo`,
      },
      consumer_key: "signet-demo",
      consumer_secret: DEMO_CONSUMER_SECRET,
      rsa: {
        consumer_key: "signet-demo-rsa",
        private_key_pem:
          "-----BEGIN PRIVATE KEY-----\n(the demo key shipped with Signet)\n-----END PRIVATE KEY-----\n",
      },
      users: [
        { username: "alice", password: "wonderland", display_name: "Alice Liddell" },
        { username: "bob", password: "builder", display_name: "Bob the Builder" },
      ],
      draft,
    };
  }

  private connector(id: string): StoredConnector {
    const c = this.connectors.get(id);
    if (!c)
      throw err(
        "not_found",
        `no connector with id ${id}`,
        "it may have been deleted: pick one from the list",
      );
    return c;
  }

  private run(id: string): FakeRun {
    const r = this.runs.get(id);
    if (!r) throw err("no_such_run", `no run with id ${id}`);
    return r;
  }

  private summary(r: FakeRun): RunSummary {
    const s = r.snapshot;
    const over = s.phase === "finished" || s.phase === "failed" || s.phase === "cancelled";
    const last = Math.max(0, ...s.steps.map((st) => st.finished_ms ?? 0));
    return {
      run_id: r.id,
      connector_id: r.connectorId,
      connector_name: r.name,
      mode: s.mode,
      phase: s.phase,
      started_ms: r.startedMs,
      finished_ms: over ? last || r.startedMs : null,
      failed_step: s.error?.step ?? null,
      error_kind: s.error?.error.kind ?? null,
      steps_done: s.steps.filter((st) => st.status === "done").length,
    };
  }

  private connectorSummary(c: StoredConnector): ConnectorSummary {
    const d = c.connector.draft;
    const runs = [...this.runs.values()].filter((r) => r.connectorId === c.connector.id);
    const last = runs.at(-1);
    return {
      id: c.connector.id,
      name: d.name,
      preset: d.preset,
      mode: d.mode,
      consumer_key: d.consumer_key,
      signature_method: d.signature_method,
      callback_mode: d.callback.mode,
      provider_host: hostOf(d.endpoints.request_token.url || d.resource?.url || ""),
      updated_ms: c.connector.updated_ms,
      token: c.connector.token,
      last_run: last ? this.summary(last) : null,
    };
  }

  private show(r: FakeRun, frame: Frame): void {
    r.snapshot = shiftTimes(frame.snapshot, r.startedMs - firstMs(r.recording));
    this.emit("flow-snapshot", { run_id: r.id, snapshot: r.snapshot });
    if (r.snapshot.phase === "finished") this.keepToken(r);
  }

  /** Shows the next frame after a pause, unless the run waits for the user. */
  private advance(r: FakeRun): void {
    const s = r.snapshot;
    if (r.index + 1 >= r.recording.frames.length) return;
    if (s.phase === "failed" || s.phase === "cancelled") return;
    if (s.waiting_for?.kind === "pin") return; // flow_submit_pin moves on
    const delay =
      s.waiting_for?.kind === "callback" ? this.opts.consentDelayMs : this.opts.stepDelayMs;
    r.timer = this.opts.schedule(() => {
      r.timer = null;
      r.index += 1;
      this.show(r, r.recording.frames[r.index]);
      this.advance(r);
    }, delay);
  }

  private keepToken(r: FakeRun): void {
    const t = r.snapshot.access_token;
    if (!r.connectorId || !t) return;
    const c = this.connectors.get(r.connectorId);
    if (!c) return;
    c.tokenSecret = "fake-token-secret-".padEnd(t.secret_len, "x");
    c.connector.secrets.token_secret = true;
    c.connector.token = {
      connector_id: c.connector.id,
      connector_name: c.connector.draft.name,
      token: t.token,
      secret_len: t.secret_len,
      issued_ms: this.opts.now(),
      extra: t.extra,
    };
  }

  private startRun(r: Omit<FakeRun, "index" | "snapshot" | "timer">): FakeRun {
    const run: FakeRun = { ...r, index: 0, snapshot: r.recording.frames[0].snapshot, timer: null };
    run.snapshot = shiftTimes(run.snapshot, run.startedMs - firstMs(run.recording));
    this.runs.set(run.id, run);
    // The first snapshot is the command's answer; the rest come as events.
    this.advance(run);
    return run;
  }

  private readonly handlers: {
    [K in keyof CommandMap]: (args: CommandMap[K]["args"]) => CommandMap[K]["result"];
  } = {
    app_info: (): AppInfo => ({
      version: "0.1.0 (browser preview)",
      data_dir: "(in memory: this is the browser preview, nothing is saved)",
      data_key_location: "nowhere: the browser preview keeps nothing after you close the tab",
      demo_provider_url: this.demoRunning ? RECORDINGS.dance.provider_url : null,
    }),
    demo_provider_start: () => {
      this.demoRunning = true;
      return this.demo();
    },
    connector_validate: ({ draft }) => validateDraft(draft),
    connectors_list: () => [...this.connectors.values()].map((c) => this.connectorSummary(c)),
    connector_get: ({ id }) => this.connector(id).connector,
    connector_save: ({ draft }) => {
      const now = this.opts.now();
      const prev = draft.id ? this.connector(draft.id) : null;
      const problems = validateDraft(draft, prev?.connector.secrets);
      if (problems.length > 0) {
        throw err(
          "invalid_connector",
          `${problems.length} field(s) need attention: ${problems[0].message}`,
        );
      }
      const id = draft.id ?? `c${++this.seq}`;
      const consumerSecret = draft.consumer_secret ?? prev?.consumerSecret ?? null;
      const rsaKey = draft.rsa_private_key_pem ?? prev?.rsaKey ?? null;
      const tokenSecret = draft.token?.secret ?? prev?.tokenSecret ?? null;
      const saved: ConnectorDraft = {
        ...structuredClone(draft),
        id,
        consumer_secret: null,
        rsa_private_key_pem: null,
        token: draft.token ? { token: draft.token.token, secret: null } : null,
      };
      const connector: Connector = {
        id,
        draft: saved,
        secrets: {
          consumer_secret: !!consumerSecret,
          rsa_private_key: !!rsaKey,
          token_secret: !!tokenSecret,
        },
        created_ms: prev?.connector.created_ms ?? now,
        updated_ms: now,
        token: prev?.connector.token ?? null,
      };
      this.connectors.set(id, { connector, consumerSecret, rsaKey, tokenSecret });
      return connector;
    },
    connector_delete: ({ id }) => {
      this.connector(id);
      this.connectors.delete(id);
      return null;
    },
    connector_reveal_secret: ({ id, which }) => {
      const c = this.connector(id);
      const value =
        which === "consumer_secret"
          ? c.consumerSecret
          : which === "rsa_private_key"
            ? c.rsaKey
            : c.tokenSecret;
      if (value === null)
        throw err("secret_not_stored", `this connector has no ${which.replace(/_/g, " ")} stored`);
      return value;
    },
    flow_start: ({ target }) => {
      let draft: ConnectorDraft;
      let connectorId: string | null = null;
      if (target.kind === "draft") {
        draft = target.draft;
      } else {
        const c = this.connector(target.id);
        connectorId = c.connector.id;
        draft = { ...c.connector.draft, consumer_secret: c.consumerSecret };
      }
      const problems = validateDraft(
        draft,
        connectorId ? this.connector(connectorId).connector.secrets : undefined,
      );
      if (problems.length > 0) {
        throw err("invalid_config", problems[0].message, "fix the highlighted fields in step 1");
      }
      const scenario = scenarioFor(draft, this.opts.scenario);
      const run = this.startRun({
        id: `run-${++this.seq}`,
        connectorId,
        name: draft.name || "Unsaved connector",
        scenario,
        recording: RECORDINGS[scenario],
        startedMs: this.opts.now(),
      });
      return { run_id: run.id, snapshot: run.snapshot };
    },
    flow_submit_pin: ({ run_id, pin }) => {
      const r = this.run(run_id);
      if (r.snapshot.waiting_for?.kind !== "pin") {
        throw err("not_waiting_for_pin", "this run is not waiting for a PIN");
      }
      if (pin.trim() === "") {
        throw err(
          "pin_empty",
          "the PIN is empty",
          "type the code the provider showed after you allowed access",
        );
      }
      r.index += 1;
      this.show(r, r.recording.frames[r.index]);
      this.advance(r);
      return null;
    },
    flow_submit_callback: ({ run_id, url }) => {
      const r = this.run(run_id);
      const w = r.snapshot.waiting_for?.kind;
      if (w !== "pin" && w !== "callback") {
        throw err(
          "not_waiting_for_callback",
          "this run is not waiting for the provider's redirect",
        );
      }
      if (!url.includes("oauth_verifier=")) {
        throw err(
          "callback_missing_verifier",
          "the address has no oauth_verifier",
          "paste the whole address the browser shows after you allowed access",
        );
      }
      if (r.timer !== null) this.opts.cancel(r.timer);
      r.index += 1;
      this.show(r, r.recording.frames[r.index]);
      this.advance(r);
      return null;
    },
    flow_retry: ({ run_id }) => {
      const r = this.run(run_id);
      if (r.snapshot.phase !== "failed") throw err("nothing_to_retry", "the run has not failed");
      // A refused consent may be given the second time, and a clock set right passes; a wrong
      // secret fails again.
      const skew = DIAGNOSES.runs.clock_skew?.skew?.suggested_offset_seconds ?? 0;
      const fixed =
        r.scenario === "denied" ||
        (r.scenario === "clock_skew" && Math.abs(this.clockOffset - skew) < 300);
      const scenario: Scenario = fixed ? "dance" : r.scenario;
      r.scenario = scenario;
      r.recording = RECORDINGS[scenario];
      r.index = 0;
      this.show(r, r.recording.frames[0]);
      this.advance(r);
      return null;
    },
    flow_cancel: ({ run_id }) => {
      const r = this.run(run_id);
      if (r.timer !== null) this.opts.cancel(r.timer);
      r.timer = null;
      const s = structuredClone(r.snapshot);
      if (s.phase === "finished" || s.phase === "cancelled") return null;
      const now = this.opts.now();
      s.phase = "cancelled";
      s.waiting_for = null;
      s.retry = null;
      s.error = null;
      for (const st of s.steps) {
        if (st.status === "pending" || st.status === "active" || st.status === "failed") {
          st.status = "skipped";
          st.finished_ms = now;
          st.notes = [...st.notes, "not reached: you cancelled the run"];
        }
      }
      r.snapshot = s;
      this.emit("flow-snapshot", { run_id, snapshot: s });
      return null;
    },
    runs_list: ({ connector_id }) =>
      [...this.runs.values()]
        .filter((r) => connector_id === null || r.connectorId === connector_id)
        .map((r) => this.summary(r))
        .reverse(),
    run_get: ({ run_id }) => {
      const r = this.run(run_id);
      return { summary: this.summary(r), snapshot: r.snapshot };
    },
    tokens_list: () =>
      [...this.connectors.values()]
        .map((c) => c.connector.token)
        .filter((t): t is TokenSummary => t !== null),
    token_forget: ({ id }) => {
      const c = this.connector(id);
      c.connector.token = null;
      c.tokenSecret = null;
      c.connector.secrets.token_secret = false;
      return null;
    },
    presets_list: () => PRESETS.presets,
    preset_apply: ({ preset_id, inputs }) => applyPreset(preset_id, inputs),
    connector_lint: ({ draft }) => lintDraft(draft),
    run_diagnose: ({ run_id }) => {
      const r = this.run(run_id);
      const d = DIAGNOSES.runs[r.scenario];
      if (r.snapshot.phase !== "failed" || !d) {
        throw err("run_not_failed", "this run has not failed, so there is nothing to diagnose");
      }
      return d;
    },
    diagnose_paste: ({ run_id, text }) => pasteDiff(this.run(run_id).snapshot, text),
    clock_offset_set: ({ offset_seconds }) => {
      this.clockOffset = offset_seconds;
      return null;
    },
  };
}
