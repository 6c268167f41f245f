// The UI's only door to the backend. Everything else imports from here, never from
// @tauri-apps/* (eslint enforces it). The real transport talks to the Tauri shell; the fake
// replays answers recorded from the real backend (see ./fake.ts) so the UI runs in a plain
// browser for development and in tests.

import type {
  AppInfo,
  AuditDone,
  AuditPlan,
  AuditProgressEvent,
  BaseStringDiff,
  CallResult,
  CommandMap,
  ConnectorDocument,
  ConnectorSummary,
  ConnectorView,
  CrashNotice,
  CurlCommand,
  DeepLinkRefusedEvent,
  DemoProvider,
  ErrorReport,
  EventMap,
  FailureDiagnosis,
  FieldProblem,
  FlowSnapshotEvent,
  FlowStarted,
  HistoryCleared,
  HistorySettings,
  Lint,
  MovedAside,
  NewConnector,
  PagesProgressEvent,
  PagesResult,
  PostmanFile,
  PostmanImported,
  PresetSummary,
  RecordedRequest,
  ReportFormat,
  RunRecord,
  RunKind,
  RunsPage,
  SavedReport,
  Schema,
  SecretRef,
  StartedArgs,
  StoreProblem,
  TagGroup,
  TokenSummary,
} from "./bindings";

import { tauriTransport } from "./tauri";

export type * from "./bindings";
export { STEPS, COMMAND_NAMES, EVENT_NAMES } from "./bindings";

/** Stops a subscription. */
export type Unlisten = () => void;

/** The two primitives both transports provide: typed invoke and typed listen. */
export interface Transport {
  readonly kind: "tauri" | "fake";
  invoke<K extends keyof CommandMap>(
    name: K,
    args: CommandMap[K]["args"],
  ): Promise<CommandMap[K]["result"]>;
  listen<E extends keyof EventMap>(
    event: E,
    handler: (payload: EventMap[E]) => void,
  ): Promise<Unlisten>;
}

/** Every command and event, named and typed. Every promise rejects with an ErrorReport. */
export interface Ipc {
  readonly kind: "tauri" | "fake";
  /** Why the database could not be opened (the recovery window); null when it is open. */
  storeProblem(): Promise<StoreProblem | null>;
  /** Opens the database again; null when it opened, else the problem now. */
  storeRetry(): Promise<StoreProblem | null>;
  /** Moves the damaged database aside (every file kept) and opens a fresh one. */
  storeMoveAside(): Promise<MovedAside>;
  /** Closes Signet. */
  appQuit(): Promise<void>;
  appInfo(): Promise<AppInfo>;
  /** The first screen is drawn with its data (the start-up trace). */
  appStarted(times: StartedArgs): Promise<void>;
  demoProviderStart(): Promise<DemoProvider>;
  connectorsList(): Promise<ConnectorSummary[]>;
  connectorNew(presetId: string | null): Promise<NewConnector>;
  connectorGet(id: string, instanceId: string | null): Promise<ConnectorView>;
  connectorValidate(document: ConnectorDocument): Promise<FieldProblem[]>;
  connectorLint(document: ConnectorDocument): Promise<Lint[]>;
  connectorSave(document: ConnectorDocument): Promise<ConnectorView>;
  connectorDelete(id: string): Promise<void>;
  instanceCreate(
    connectorId: string,
    name: string,
    copyFrom: string | null,
  ): Promise<ConnectorView>;
  instanceDelete(instanceId: string): Promise<void>;
  secretReveal(instanceId: string, which: SecretRef): Promise<string>;
  flowStart(instanceId: string): Promise<FlowStarted>;
  flowSubmitPin(runId: string, pin: string): Promise<void>;
  flowSubmitCallback(runId: string, url: string): Promise<void>;
  flowRetry(runId: string): Promise<void>;
  flowCancel(runId: string): Promise<void>;
  endpointSend(
    instanceId: string,
    endpointId: string,
    inputs: Record<string, string>,
  ): Promise<CallResult>;
  /** Walks an endpoint's pages; `job` names the walk for its events and for cancelling it. */
  endpointSendPages(
    instanceId: string,
    endpointId: string,
    inputs: Record<string, string>,
    job: string,
    maxPages?: number | null,
    itemsInEvents?: boolean,
  ): Promise<PagesResult>;
  /** Cancels a walk of pages (the pages fetched so far are kept). */
  endpointPagesCancel(job: string): Promise<void>;
  /** The tags a schema's fields can carry. */
  schemaTaxonomy(): Promise<TagGroup[]>;
  /** A schema as JSON Schema (draft 2020-12), pretty-printed. */
  schemaExport(schema: Schema, title: string): Promise<string>;
  /**
   * A page of the history, newest first: a connector's runs (or every run), of one kind (or
   * every kind), older than `before` (the last run of the page before; `null` for the newest).
   */
  runsList(
    connectorId?: string | null,
    kind?: RunKind | null,
    before?: string | null,
  ): Promise<RunsPage>;
  runGet(runId: string): Promise<RunRecord>;
  /** How much history is kept. */
  historySettings(): Promise<HistorySettings>;
  /** Keeps the newest `keepRuns` runs of each instance (older ones are forgotten now). */
  historySettingsSet(keepRuns: number): Promise<HistoryCleared>;
  /** Forgets past runs: all, a connector's, or an instance's. */
  historyClear(connectorId: string | null, instanceId: string | null): Promise<HistoryCleared>;
  tokensList(): Promise<TokenSummary[]>;
  tokenForget(instanceId: string): Promise<void>;
  presetsList(): Promise<PresetSummary[]>;
  presetApply(presetId: string): Promise<NewConnector>;
  runDiagnose(runId: string): Promise<FailureDiagnosis>;
  diagnosePaste(runId: string, text: string): Promise<BaseStringDiff>;
  clockOffsetSet(offsetSeconds: number): Promise<void>;
  /** Every request an audit of the instance's provider would send, and what to know first. */
  auditPlan(instanceId: string): Promise<AuditPlan>;
  /**
   * Audits the provider: two dances (their `flow-snapshot` events carry the run ids the
   * `audit-progress` events name), then the wrong requests; `job` names it in its events.
   */
  auditRun(instanceId: string, job: string, rateLimit?: number | null): Promise<AuditDone>;
  /** Stops an audit: its dance, else before its next request (an audit that ended: nothing). */
  auditStop(job: string): Promise<void>;
  /** Saves an audit as a report (an HTML page or JSON) in the Downloads folder, under a new name. */
  runExport(runId: string, format: ReportFormat): Promise<SavedReport>;
  /** Opens a report saved since start, or (`reveal`) shows it in its folder. */
  reportShow(path: string, reveal: boolean): Promise<void>;
  /** Signs one call of an endpoint afresh, sends nothing: a curl command. */
  endpointCurl(
    instanceId: string,
    endpointId: string,
    inputs: Record<string, string>,
    reveal: boolean,
  ): Promise<CurlCommand>;
  /** A recorded request (a step's or a call's) as a curl command. */
  exchangeCurl(request: RecordedRequest): Promise<CurlCommand>;
  /** Puts text on the system clipboard. */
  clipboardWrite(text: string): Promise<void>;
  /** Reads a Postman collection (and environment) into a new connector, with the report. */
  postmanImport(files: PostmanFile[]): Promise<PostmanImported>;
  /** Saves a connector as a Postman v2.1 collection in the Downloads folder. */
  postmanExport(
    connectorId: string,
    instanceId: string | null,
    includeSecrets: boolean,
  ): Promise<SavedReport>;
  onSnapshot(handler: (event: FlowSnapshotEvent) => void): Promise<Unlisten>;
  onDeepLinkRefused(handler: (event: DeepLinkRefusedEvent) => void): Promise<Unlisten>;
  onCrashed(handler: (event: CrashNotice) => void): Promise<Unlisten>;
  onPagesProgress(handler: (event: PagesProgressEvent) => void): Promise<Unlisten>;
  onAuditProgress(handler: (event: AuditProgressEvent) => void): Promise<Unlisten>;
}

/** Builds the named API on a transport. */
export function makeIpc(t: Transport): Ipc {
  const done = async (p: Promise<null>): Promise<void> => {
    await p;
  };
  return {
    kind: t.kind,
    storeProblem: () => t.invoke("store_problem", null),
    storeRetry: () => t.invoke("store_retry", null),
    storeMoveAside: () => t.invoke("store_move_aside", null),
    appQuit: () => done(t.invoke("app_quit", null)),
    appInfo: () => t.invoke("app_info", null),
    appStarted: (times) => done(t.invoke("app_started", times)),
    demoProviderStart: () => t.invoke("demo_provider_start", null),
    connectorsList: () => t.invoke("connectors_list", null),
    connectorNew: (preset_id) => t.invoke("connector_new", { preset_id }),
    connectorGet: (id, instance_id) => t.invoke("connector_get", { id, instance_id }),
    connectorValidate: (document) => t.invoke("connector_validate", { document }),
    connectorLint: (document) => t.invoke("connector_lint", { document }),
    connectorSave: (document) => t.invoke("connector_save", { document }),
    connectorDelete: (id) => done(t.invoke("connector_delete", { id })),
    instanceCreate: (connector_id, name, copy_from) =>
      t.invoke("instance_create", { connector_id, name, copy_from }),
    instanceDelete: (instance_id) => done(t.invoke("instance_delete", { instance_id })),
    secretReveal: (instance_id, which) => t.invoke("secret_reveal", { instance_id, which }),
    flowStart: (instance_id) => t.invoke("flow_start", { instance_id }),
    flowSubmitPin: (run_id, pin) => done(t.invoke("flow_submit_pin", { run_id, pin })),
    flowSubmitCallback: (run_id, url) => done(t.invoke("flow_submit_callback", { run_id, url })),
    flowRetry: (run_id) => done(t.invoke("flow_retry", { run_id })),
    flowCancel: (run_id) => done(t.invoke("flow_cancel", { run_id })),
    endpointSend: (instance_id, endpoint_id, inputs) =>
      t.invoke("endpoint_send", { instance_id, endpoint_id, inputs }),
    endpointSendPages: (
      instance_id,
      endpoint_id,
      inputs,
      job,
      max_pages = null,
      items_in_events = false,
    ) =>
      t.invoke("endpoint_send_pages", {
        instance_id,
        endpoint_id,
        inputs,
        job,
        max_pages,
        items_in_events,
      }),
    endpointPagesCancel: (job) => done(t.invoke("endpoint_pages_cancel", { job })),
    schemaTaxonomy: () => t.invoke("schema_taxonomy", null),
    schemaExport: (schema, title) => t.invoke("schema_export", { schema, title }),
    runsList: (connector_id = null, kind = null, before = null) =>
      t.invoke("runs_list", { connector_id, instance_id: null, kind, before, limit: null }),
    runGet: (run_id) => t.invoke("run_get", { run_id }),
    historySettings: () => t.invoke("history_settings", null),
    historySettingsSet: (keep_runs) => t.invoke("history_settings_set", { keep_runs }),
    historyClear: (connector_id, instance_id) =>
      t.invoke("history_clear", { connector_id, instance_id }),
    tokensList: () => t.invoke("tokens_list", null),
    tokenForget: (instance_id) => done(t.invoke("token_forget", { instance_id })),
    presetsList: () => t.invoke("presets_list", null),
    presetApply: (preset_id) => t.invoke("preset_apply", { preset_id }),
    runDiagnose: (run_id) => t.invoke("run_diagnose", { run_id }),
    diagnosePaste: (run_id, text) => t.invoke("diagnose_paste", { run_id, text }),
    clockOffsetSet: (offset_seconds) => done(t.invoke("clock_offset_set", { offset_seconds })),
    auditPlan: (instance_id) => t.invoke("audit_plan", { instance_id }),
    auditRun: (instance_id, job, rate_limit = null) =>
      t.invoke("audit_run", { instance_id, job, rate_limit }),
    auditStop: (job) => done(t.invoke("audit_stop", { job })),
    runExport: (run_id, format) => t.invoke("run_export", { run_id, format }),
    reportShow: (path, reveal) => done(t.invoke("report_show", { path, reveal })),
    endpointCurl: (instance_id, endpoint_id, inputs, reveal) =>
      t.invoke("endpoint_curl", { instance_id, endpoint_id, inputs, reveal }),
    exchangeCurl: (request) => t.invoke("exchange_curl", { request }),
    clipboardWrite: (text) => done(t.invoke("clipboard_write", { text })),
    postmanImport: (files) => t.invoke("postman_import", { files }),
    postmanExport: (connector_id, instance_id, include_secrets) =>
      t.invoke("postman_export", { connector_id, instance_id, include_secrets }),
    onSnapshot: (handler) => t.listen("flow-snapshot", handler),
    onDeepLinkRefused: (handler) => t.listen("deep-link-refused", handler),
    onCrashed: (handler) => t.listen("app-crashed", handler),
    onPagesProgress: (handler) => t.listen("pages-progress", handler),
    onAuditProgress: (handler) => t.listen("audit-progress", handler),
  };
}

/** Whether a value has the `{ kind, message, hint? }` shape every command fails with. */
export function isErrorReport(e: unknown): e is ErrorReport {
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (e as ErrorReport).kind === "string" &&
    typeof (e as ErrorReport).message === "string"
  );
}

/** Any rejection as an ErrorReport (a string or an Error from the transport included). */
export function toErrorReport(e: unknown): ErrorReport {
  if (isErrorReport(e)) return e;
  if (e instanceof Error) return { kind: "ipc", message: e.message };
  return { kind: "ipc", message: String(e) };
}

/** True inside the Tauri webview. */
export function inTauri(w: unknown = globalThis): boolean {
  return typeof w === "object" && w !== null && "__TAURI_INTERNALS__" in w;
}

/**
 * The browser preview (the fake, with its recordings) is part of the development server's
 * build (`npm run dev`) and of builds made with `VITE_SIGNET_PREVIEW=1`; the app's own build
 * leaves it out.
 */
const PREVIEW: boolean = import.meta.env.DEV || import.meta.env.VITE_SIGNET_PREVIEW === "1";

/** Outside the app, in a build without the preview: every command says so. */
function absentTransport(): Transport {
  const report: ErrorReport = {
    kind: "ipc",
    message: "this page runs outside the Signet app, and this build has no browser preview",
    hint: "run the desktop app (make run), or the preview with `cd ui && npm run dev`",
  };
  return {
    kind: "fake",
    invoke: () => Promise.reject(report),
    listen: () => Promise.resolve(() => {}),
  };
}

/**
 * The IPC for this environment: Tauri inside the app, else the in-browser fake (loaded on
 * demand, and only in builds that have the preview).
 */
export async function connectIpc(): Promise<Ipc> {
  // The real transport is in the first script (a fetch less on the way to the first screen).
  if (inTauri()) return makeIpc(tauriTransport());
  if (!PREVIEW) return makeIpc(absentTransport());
  const { FakeBackend } = await import("./fake");
  return makeIpc(new FakeBackend());
}
