// The app's live state: the IPC, the connector on screen (its document as edited and as last
// saved), the flow of its OAuth 1.0a method, its endpoint calls, and the lists. Every rule about
// what is valid comes from the backend (connector_validate, connector_lint); the view logic is
// in builder/ and wizard/ as pure functions.

import { SvelteSet } from "svelte/reactivity";

import {
  connectIpc,
  toErrorReport,
  type AppInfo,
  type AuditDone,
  type AuditPlan,
  type AuditProgressEvent,
  type CheckResult,
  type BaseStringDiff,
  type CallResult,
  type ConnectorDocument,
  type ConnectorSummary,
  type ConnectorView,
  type CrashNotice,
  type CurlCommand,
  type DeepLinkRefusedEvent,
  type Endpoint,
  type ErrorReport,
  type Explanation,
  type FailureDiagnosis,
  type FieldProblem,
  type HistorySettings,
  type Ipc,
  type Lint,
  type PagesProgressEvent,
  type PagesResult,
  type ImportNote,
  type PresetSummary,
  type RecordedRequest,
  type ReportFormat,
  type TagGroup,
  type RunKind,
  type RunSummary,
  type SavedReport,
  type SecretRef,
  type Snapshot,
  type StoreProblem,
  type StepId,
  type Unlisten,
  type VariableUse,
} from "./ipc";
import { oauth1Of, plain, sameDocument, type Section } from "./builder/model";

export type Page = "connectors" | "builder" | "history" | "help" | "audit";

/** How long after the last keystroke the backend checks the connector. */
const CHECK_DELAY_MS = 300;

export class AppState {
  ipc: Ipc | null = $state(null);
  page: Page = $state("connectors");
  info: AppInfo | null = $state(null);
  /** The report of the Postman import that made the connector on screen, until dismissed. */
  importReport: { name: string; notes: ImportNote[] } | null = $state(null);
  /** A Postman import under way. */
  importing = $state(false);

  /** The connector on screen, as edited. */
  doc: ConnectorDocument | null = $state(null);
  /** The same as last opened or saved (to tell unsaved changes). */
  saved: ConnectorDocument | null = $state(null);
  /** What the store holds for it: instances, stored secrets, the token. */
  view: ConnectorView | null = $state(null);
  section: Section = $state("details");
  /** Why a preset filled each field. */
  explanations: Explanation[] = $state([]);
  /** The backend's problems with the document (connector_validate). */
  problems: FieldProblem[] = $state([]);
  /** Whether `problems` and `lints` answer for the document on show (false until its first check). */
  checked = $state(false);
  /** What the backend expects to go wrong before Connect (connector_lint). */
  lints: Lint[] = $state([]);
  /** Fields the user has left: their problems show (all show after Save or Connect). */
  readonly touched = new SvelteSet<string>();
  showAllProblems = $state(false);
  /** The browser preview cannot check edited connectors (no backend). */
  previewOnly = $state(false);
  private checkTimer: ReturnType<typeof setTimeout> | null = null;
  private checkSeq = 0;

  /** The OAuth 1.0a run on screen. */
  runId: string | null = $state(null);
  snapshot: Snapshot | null = $state(null);
  flowVariables: VariableUse[] = $state([]);
  /** Looking at a past run (read-only). */
  replaying = $state(false);
  focused: StepId | null = $state(null);
  diagnosis: FailureDiagnosis | null = $state(null);
  pasted: BaseStringDiff | null = $state(null);
  pasteError: ErrorReport | null = $state(null);
  /** Snapshots of runs whose id `flowStart` has not told us yet (events can arrive first). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  private early = new Map<string, Snapshot>();
  private starting = false;

  /** The endpoint on screen (its index). */
  endpointIndex = $state(0);
  /** Values typed for each endpoint's variables, by endpoint id. */
  inputs: Record<string, Record<string, string>> = $state({});
  /** The last call of each endpoint, by endpoint id (a past one when opened from History). */
  calls: Record<string, CallResult> = $state({});
  sending: string | null = $state(null);
  /**
   * The last walk of each paginated endpoint's pages, by endpoint id. Replaced whole, never
   * proxied: a walk can hold tens of thousands of items.
   */
  walks: Record<string, PagesWalk> = $state.raw({});
  /** The tags a schema's fields can carry (asked for when a schema is first shown). */
  taxonomy: TagGroup[] | null = $state(null);

  busy = $state(false);
  error: ErrorReport | null = $state(null);
  notice: string | null = $state(null);
  deepLinkRefused: DeepLinkRefusedEvent | null = $state(null);
  /** The database could not be opened: the recovery window shows this instead of the app. */
  recovery: StoreProblem | null = $state(null);
  /** Where a damaged database was moved (shown once the fresh one is open). */
  movedAside: string | null = $state(null);
  /** A bug stopped part of Signet (now, or in a run not shown yet): what and where the report is. */
  crash: CrashNotice | null = $state(null);
  connectors: ConnectorSummary[] = $state([]);
  /**
   * The History page's runs: the pages read so far, newest first, for `runsFilter` (never the
   * whole history: a page at a time, as the page is scrolled). Replaced, never changed in place.
   */
  runs: RunSummary[] = $state.raw([]);
  /** How many runs the filtered connector (or every one) keeps, of every kind. */
  runsTotal = $state(0);
  /** Whether older runs may follow the ones read. */
  runsMore = $state(false);
  /** A page is being read. */
  runsLoading = $state(false);
  /** What the History shows: one connector's runs or all, of one kind or all. */
  runsFilter: { connector: string | null; kind: RunKind | null } = $state({
    connector: null,
    kind: null,
  });
  private runsSeq = 0;
  /** How much history is kept (asked for when the History page opens). */
  history: HistorySettings | null = $state(null);
  presets: PresetSummary[] = $state([]);
  demoUsers: { username: string; password: string }[] = $state([]);

  /** The Audit page: an audit planned, going or done — or one read back from the history. */
  audit: AuditView | null = $state(null);
  private auditSeq = 0;

  dirty = $derived(this.doc !== null && !sameDocument(this.doc, this.saved));
  instanceId = $derived(this.doc?.instance.id ?? null);

  private unlisten: Unlisten[] = [];

  /**
   * Asks the backend for what the first screen shows, in two rounds: the listeners, whether the
   * database opened, the app's facts and the presets at once; then the connectors (only once
   * every listener is in place: the first list releases the links held until the page listens).
   * Answers that fail leave their part empty (a database that did not open fails them all).
   */
  async connect(): Promise<void> {
    const ipc = await connectIpc();
    this.ipc = ipc;
    const [listening, recovery, info, presets] = await Promise.all([
      Promise.all([
        ipc.onSnapshot((e) => {
          const dance = this.audit?.dance;
          if (this.audit && dance?.runId === e.run_id) {
            this.audit.dance = { ...dance, snapshot: e.snapshot };
            return;
          }
          if (e.run_id === this.runId) {
            this.snapshot = e.snapshot;
            if (e.snapshot.phase === "failed") void this.diagnose();
          } else if (this.runId === null || this.starting) {
            this.early.set(e.run_id, e.snapshot);
          }
          if (e.snapshot.phase === "finished" || e.snapshot.phase === "failed") {
            void this.afterRun();
          }
        }),
        ipc.onDeepLinkRefused((e) => (this.deepLinkRefused = e)),
        ipc.onCrashed((e) => (this.crash = e)),
        ipc.onPagesProgress((e) => this.pageArrived(e)),
        ipc.onAuditProgress((e) => this.auditMoved(e)),
      ]),
      ipc.storeProblem().catch(() => null),
      ipc.appInfo().catch(() => null),
      ipc.presetsList().catch(() => []),
    ]);
    this.unlisten.push(...listening);
    this.recovery = recovery;
    if (recovery !== null) return;
    this.showInfo(info, presets);
    await this.refresh();
  }

  /**
   * Tells the backend the first screen is drawn with its data (the start-up trace and the
   * ready probe), once the next frame is painted.
   */
  started(): Promise<void> {
    return this.ipc ? reportStarted(this.ipc) : Promise.resolve();
  }

  /** The lists and the app's facts, once the database is open (asked for all at once). */
  private async load(): Promise<void> {
    const ipc = this.ipc;
    if (!ipc) return;
    const [info, presets] = await Promise.all([
      ipc.appInfo().catch(() => null),
      ipc.presetsList().catch(() => []),
      this.refresh(),
    ]);
    this.showInfo(info, presets);
  }

  private showInfo(info: AppInfo | null, presets: PresetSummary[]): void {
    this.info = info;
    this.crash = info?.crash ?? this.crash;
    this.presets = presets;
  }

  // -------------------------------------------------------------------------------------------
  // The recovery window

  /** Tries to open the database again (the other Signet closed, access given, space freed). */
  async retryStore(): Promise<void> {
    const problem = await this.guard((ipc) => ipc.storeRetry());
    if (problem === undefined) return;
    this.recovery = problem;
    if (problem === null) await this.load();
  }

  /** Moves the damaged database aside (its files kept) and starts on a fresh one. */
  async moveStoreAside(): Promise<void> {
    const moved = await this.guard((ipc) => ipc.storeMoveAside());
    if (moved === undefined) return;
    this.movedAside = moved.moved_to;
    this.recovery = moved.problem;
    if (moved.problem === null) await this.load();
  }

  async quit(): Promise<void> {
    await this.guard((ipc) => ipc.appQuit());
  }

  disconnect(): void {
    for (const u of this.unlisten.splice(0)) u();
    if (this.checkTimer !== null) clearTimeout(this.checkTimer);
  }

  async refresh(): Promise<void> {
    const ipc = this.ipc;
    if (!ipc) return;
    try {
      // Each connector's summary carries its token; the history is read only where shown.
      const [connectors] = await Promise.all([
        ipc.connectorsList(),
        this.page === "history" ? this.loadRuns() : null,
      ]);
      this.connectors = connectors;
    } catch (e) {
      this.error = toErrorReport(e);
    }
  }

  private async guard<T>(f: (ipc: Ipc) => Promise<T>): Promise<T | undefined> {
    if (!this.ipc) return undefined;
    this.busy = true;
    this.error = null;
    try {
      return await f(this.ipc);
    } catch (e) {
      const report = toErrorReport(e);
      if (report.kind === "invalid_connector" && report.fields) {
        this.problems = report.fields;
        this.showAllProblems = true;
      }
      this.error = report;
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  // -------------------------------------------------------------------------------------------
  // The connector on screen

  private show(doc: ConnectorDocument, view: ConnectorView | null): void {
    this.doc = plain(doc);
    this.saved = plain(doc);
    this.view = view;
    this.touched.clear();
    this.showAllProblems = false;
    // Another document's problems never show on this one while its own are being checked.
    this.problems = [];
    this.lints = [];
    this.checked = false;
    this.page = "builder";
    this.check(0);
  }

  private clearRun(): void {
    this.runId = null;
    this.snapshot = null;
    this.flowVariables = [];
    this.replaying = false;
    this.focused = null;
    this.clearDiagnosis();
  }

  /** A new connector: blank, or from a preset with every field explained. */
  async newConnector(presetId: string | null): Promise<void> {
    const made = await this.guard((ipc) =>
      presetId === null ? ipc.connectorNew(null) : ipc.presetApply(presetId),
    );
    if (!made) return;
    this.clearRun();
    this.calls = {};
    this.walks = {};
    this.inputs = {};
    this.endpointIndex = 0;
    this.explanations = made.explanations;
    this.show(made.document, null);
    this.saved = null;
    this.section = presetId === null ? "details" : "variables";
    this.notice =
      presetId === null
        ? "A new connector. Give it a name, then work through the four steps."
        : `Filled in from the ${made.document.connector.details.name} preset. Each field says why; change anything you like.`;
  }

  /** Opens a saved connector (and one of its instances). */
  async open(id: string, instanceId: string | null = null): Promise<boolean> {
    const view = await this.guard((ipc) => ipc.connectorGet(id, instanceId));
    if (!view) return false;
    const same = this.view?.id === view.id;
    if (!same) {
      this.importReport = null;
      this.explanations = [];
      this.calls = {};
      this.walks = {};
      this.inputs = {};
      this.endpointIndex = 0;
      this.section = "details";
    }
    if (!same || this.instanceId !== view.document.instance.id) this.clearRun();
    this.show(view.document, view);
    return true;
  }

  /** Asks the backend what is wrong and what will likely go wrong, a moment after typing. */
  check(delayMs = CHECK_DELAY_MS): void {
    if (this.checkTimer !== null) clearTimeout(this.checkTimer);
    this.checkTimer = setTimeout(() => {
      this.checkTimer = null;
      void this.checkNow();
    }, delayMs);
  }

  async checkNow(): Promise<void> {
    const ipc = this.ipc;
    const doc = this.doc;
    if (!ipc || !doc) return;
    const seq = ++this.checkSeq;
    const document = plain(doc);
    try {
      const [problems, lints] = await Promise.all([
        ipc.connectorValidate(document),
        ipc.connectorLint(document).catch(() => [] as Lint[]),
      ]);
      if (seq !== this.checkSeq) return;
      this.problems = problems;
      this.lints = lints;
      this.previewOnly = false;
      this.checked = true;
      // A refused save's "fix these fields" goes once they are fixed.
      if (problems.length === 0 && this.error?.kind === "invalid_connector") this.error = null;
    } catch (e) {
      if (seq !== this.checkSeq) return;
      this.checked = true;
      const report = toErrorReport(e);
      this.previewOnly = report.kind === "preview_unavailable";
      if (!this.previewOnly) this.error = report;
    }
  }

  /** Something was typed. */
  edited(): void {
    this.check();
  }

  touch(field: string): void {
    this.touched.add(field);
  }

  /** Whether a field's problems show now. */
  shows(field: string): boolean {
    return this.showAllProblems || this.touched.has(field);
  }

  /** Saves the connector and its instance; true when saved. */
  async save(): Promise<boolean> {
    const doc = this.doc;
    if (!doc) return false;
    this.showAllProblems = true;
    const view = await this.guard((ipc) => ipc.connectorSave(plain(doc)));
    if (!view) return false;
    this.doc = plain(view.document);
    this.saved = plain(view.document);
    this.view = view;
    this.notice = `Saved "${view.document.connector.details.name}". Secrets are stored encrypted and shown only when you ask.`;
    this.check(0);
    await this.refresh();
    return true;
  }

  /** Saves first when there is anything unsaved; the instance id to run with. */
  private async savedInstance(): Promise<string | null> {
    if (this.dirty || this.doc?.id === null || this.doc?.instance.id === null) {
      if (!(await this.save())) return null;
    }
    return this.doc?.instance.id ?? null;
  }

  async removeConnector(id: string): Promise<void> {
    const done = await this.guard((ipc) => ipc.connectorDelete(id).then(() => true));
    if (!done) return;
    if (this.view?.id === id) {
      this.doc = null;
      this.saved = null;
      this.view = null;
      this.clearRun();
      this.page = "connectors";
    }
    this.notice = "Deleted the connector with its instances, secrets, tokens and runs.";
    await this.refresh();
  }

  /** Shows another instance of the connector (saving what is typed first). */
  async switchInstance(instanceId: string): Promise<void> {
    const id = this.view?.id;
    if (!id) return;
    if (this.dirty && !(await this.save())) return;
    this.clearRun();
    this.calls = {};
    this.walks = {};
    await this.open(id, instanceId);
  }

  async createInstance(name: string, copyCurrent: boolean): Promise<void> {
    const id = this.view?.id;
    if (!id) return;
    if (this.dirty && !(await this.save())) return;
    const view = await this.guard((ipc) =>
      ipc.instanceCreate(id, name, copyCurrent ? this.instanceId : null),
    );
    if (!view) return;
    this.clearRun();
    this.calls = {};
    this.walks = {};
    this.show(view.document, view);
    this.notice = `Created the instance "${view.document.instance.name}": it has its own values, credentials and token.`;
    await this.refresh();
  }

  async deleteInstance(instanceId: string): Promise<void> {
    const id = this.view?.id;
    if (!id) return;
    const done = await this.guard((ipc) => ipc.instanceDelete(instanceId).then(() => true));
    if (!done) return;
    this.clearRun();
    this.calls = {};
    this.walks = {};
    await this.open(id, null);
    await this.refresh();
  }

  // -------------------------------------------------------------------------------------------
  // History

  /** Asks how much history is kept; the setting stays hidden when it cannot be read. */
  async loadHistorySettings(): Promise<void> {
    try {
      this.history = (await this.ipc?.historySettings()) ?? null;
    } catch {
      this.history = null;
    }
  }

  /** Reads the History's first page again: it opened, its filters changed, or runs did. */
  loadRuns(): Promise<void> {
    return this.readRuns(null);
  }

  /** Reads the History's next page, older than the last run read (once at a time). */
  async moreRuns(): Promise<void> {
    const last = this.runs.at(-1);
    if (!this.runsMore || this.runsLoading || !last) return;
    await this.readRuns(last.run_id);
  }

  private async readRuns(before: string | null): Promise<void> {
    const ipc = this.ipc;
    if (!ipc) return;
    const seq = ++this.runsSeq;
    this.runsLoading = true;
    // A connector deleted since it was chosen: every connector's runs instead.
    const chosen = this.runsFilter.connector;
    if (chosen !== null && !this.connectors.some((c) => c.id === chosen)) {
      this.runsFilter = { ...this.runsFilter, connector: null };
    }
    try {
      const { connector, kind } = this.runsFilter;
      const page = await ipc.runsList(connector, kind, before);
      if (seq !== this.runsSeq) return;
      this.runs = before === null ? page.runs : [...this.runs, ...page.runs];
      this.runsTotal = page.total;
      this.runsMore = page.more;
    } catch (e) {
      if (seq === this.runsSeq) this.error = toErrorReport(e);
    } finally {
      if (seq === this.runsSeq) this.runsLoading = false;
    }
  }

  /** Keeps the newest `keepRuns` runs of each instance; says how many were forgotten. */
  async keepRuns(keepRuns: number): Promise<boolean> {
    const done = await this.guard((ipc) => ipc.historySettingsSet(keepRuns));
    if (!done) return false;
    this.history = done.settings;
    this.notice =
      done.removed === 0
        ? `History keeps the newest ${done.settings.keep_runs} runs of each instance.`
        : `History keeps the newest ${done.settings.keep_runs} runs of each instance; ${done.removed} older ${done.removed === 1 ? "run was" : "runs were"} forgotten.`;
    await this.refresh();
    return true;
  }

  /** Forgets past runs: all, or one connector's. */
  async clearHistory(connectorId: string | null): Promise<boolean> {
    const done = await this.guard((ipc) => ipc.historyClear(connectorId, null));
    if (!done) return false;
    this.notice = `${done.removed} ${done.removed === 1 ? "run" : "runs"} forgotten.`;
    await this.refresh();
    return true;
  }

  async forgetToken(instanceId: string): Promise<void> {
    await this.guard((ipc) => ipc.tokenForget(instanceId));
    if (this.view) await this.open(this.view.id, this.instanceId);
    await this.refresh();
  }

  async reveal(which: SecretRef, instanceId = this.instanceId): Promise<string | undefined> {
    if (!instanceId) return undefined;
    return this.guard((ipc) => ipc.secretReveal(instanceId, which));
  }

  // -------------------------------------------------------------------------------------------
  // The ten steps

  /** "Try it with the demo provider": start it, open its connector, and connect. */
  async tryDemo(): Promise<void> {
    const demo = await this.guard((ipc) => ipc.demoProviderStart());
    if (!demo) return;
    this.demoUsers = demo.users.map((u) => ({ username: u.username, password: u.password }));
    this.clearRun();
    this.calls = {};
    this.walks = {};
    this.inputs = {};
    this.endpointIndex = 0;
    this.explanations = [];
    this.show(demo.connector.document, demo.connector);
    this.section = "auth";
    this.notice = `Demo provider running at ${demo.url}. Its connector is saved; the ten steps start now.`;
    await this.refresh();
    await this.startFlow();
  }

  /** Connect: saves what is unsaved, then starts the ten steps. */
  async startFlow(): Promise<void> {
    this.showAllProblems = true;
    const instance = await this.savedInstance();
    if (!instance) {
      this.focused = "consumer_registration";
      return;
    }
    if (this.problems.length > 0) {
      await this.checkNow();
      if (this.problems.length > 0) {
        this.focused = "consumer_registration";
        return;
      }
    }
    this.early.clear();
    this.starting = true;
    const started = await this.guard((ipc) => ipc.flowStart(instance));
    this.starting = false;
    if (!started) return;
    this.clearDiagnosis();
    this.runId = started.run_id;
    this.flowVariables = started.variables;
    this.snapshot = this.early.get(started.run_id) ?? started.snapshot;
    this.early.clear();
    if (this.snapshot.phase === "failed") void this.diagnose();
    this.replaying = false;
    this.focused = null;
  }

  private async afterRun(): Promise<void> {
    await this.refresh();
    const v = this.view;
    if (v && !this.dirty) {
      const fresh = await this.ipc?.connectorGet(v.id, this.instanceId).catch(() => null);
      if (fresh && !this.dirty) {
        this.view = fresh;
        this.doc = plain(fresh.document);
        this.saved = plain(fresh.document);
      }
    }
  }

  async retry(): Promise<void> {
    const id = this.runId;
    if (!id) return;
    this.clearDiagnosis();
    await this.guard((ipc) => ipc.flowRetry(id));
  }

  async cancel(): Promise<void> {
    const id = this.runId;
    if (id) await this.guard((ipc) => ipc.flowCancel(id));
  }

  async submitPin(pin: string): Promise<boolean> {
    const id = this.runId;
    if (!id) return false;
    return (await this.guard((ipc) => ipc.flowSubmitPin(id, pin).then(() => true))) ?? false;
  }

  async submitCallback(url: string): Promise<boolean> {
    const id = this.runId;
    if (!id) return false;
    return (await this.guard((ipc) => ipc.flowSubmitCallback(id, url).then(() => true))) ?? false;
  }

  /** Reads the failed run. */
  async diagnose(): Promise<void> {
    const ipc = this.ipc;
    const id = this.runId;
    if (!ipc || !id) return;
    try {
      this.diagnosis = await ipc.runDiagnose(id);
    } catch {
      this.diagnosis = null;
    }
  }

  /** "Paste what the provider expected". */
  async paste(text: string): Promise<void> {
    const ipc = this.ipc;
    const id = this.runId;
    if (!ipc || !id) return;
    this.pasteError = null;
    try {
      this.pasted = await ipc.diagnosePaste(id, text);
    } catch (e) {
      this.pasted = null;
      this.pasteError = toErrorReport(e);
    }
  }

  /** "Apply offset and retry": moves every oauth_timestamp, then retries the failed step. */
  async applyOffsetAndRetry(seconds: number): Promise<void> {
    const done = await this.guard((ipc) => ipc.clockOffsetSet(seconds).then(() => true));
    if (!done) return;
    this.notice = `Signet now adds ${seconds} s to every oauth_timestamp to match the provider's clock.`;
    await this.retry();
  }

  private clearDiagnosis(): void {
    this.diagnosis = null;
    this.pasted = null;
    this.pasteError = null;
  }

  // -------------------------------------------------------------------------------------------
  // Endpoints

  /** Sends an endpoint with the values typed for it (saving unsaved changes first). */
  async send(endpointId: string): Promise<void> {
    const instance = await this.savedInstance();
    if (!instance) return;
    const typed = Object.fromEntries(
      Object.entries(this.inputs[endpointId] ?? {}).filter(([, v]) => v !== ""),
    );
    this.sending = endpointId;
    const result = await this.guard((ipc) => ipc.endpointSend(instance, endpointId, typed));
    this.sending = null;
    if (!result) return;
    this.calls[endpointId] = result;
    await this.refresh();
  }

  /**
   * Walks an endpoint's pages with the values typed for it (saving unsaved changes first); the
   * pages show as they arrive, and Cancel stays available while it goes.
   */
  async sendPages(endpointId: string): Promise<void> {
    const ipc = this.ipc;
    const instance = await this.savedInstance();
    if (!ipc || !instance) return;
    const typed = Object.fromEntries(
      Object.entries(this.inputs[endpointId] ?? {}).filter(([, v]) => v !== ""),
    );
    const endpoint = this.doc?.connector.endpoints.find((e) => e.id === endpointId);
    const job = `pages-${endpointId}`.slice(0, 64);
    this.setWalk({
      endpointId,
      endpointName: endpoint?.name || endpointId,
      job,
      running: true,
      progress: [],
      items: [],
      result: null,
    });
    this.error = null;
    try {
      // The items come page by page in the events (no one large answer to read at the end).
      const result = await ipc.endpointSendPages(instance, endpointId, typed, job, null, true);
      this.setWalk({ ...this.walks[endpointId], running: false, result });
    } catch (e) {
      this.error = toErrorReport(e);
      this.walks = Object.fromEntries(
        Object.entries(this.walks).filter(([id]) => id !== endpointId),
      );
    }
    await this.refresh();
  }

  /** Cancels the walk of an endpoint's pages (the pages fetched so far are kept). */
  async cancelPages(endpointId: string): Promise<void> {
    const walk = this.walks[endpointId];
    if (walk?.running) await this.guard((ipc) => ipc.endpointPagesCancel(walk.job));
  }

  private setWalk(walk: PagesWalk): void {
    this.walks = { ...this.walks, [walk.endpointId]: walk };
  }

  private pageArrived(e: PagesProgressEvent): void {
    const walk = Object.values(this.walks).find((w) => w.running && w.job === e.job);
    if (!walk) return;
    // The items go into the walk's own list (never proxied); the row keeps only the counts.
    for (const item of e.page_items) walk.items.push(item);
    this.setWalk({ ...walk, progress: [...walk.progress, { ...e, page_items: [] }] });
  }

  /** Asks the backend for the tags a schema's fields can carry, once. */
  async loadTaxonomy(): Promise<void> {
    if (this.taxonomy !== null || !this.ipc) return;
    this.taxonomy = await this.ipc.schemaTaxonomy().catch(() => []);
  }

  /** An endpoint's saved schema as JSON Schema (draft 2020-12) text; rejects with a report. */
  async schemaExport(endpoint: Endpoint): Promise<string> {
    if (!this.ipc || !endpoint.schema) throw toErrorReport("there is no saved schema to export");
    return this.ipc.schemaExport(plain(endpoint.schema), endpoint.name || endpoint.id);
  }

  /** "Paste what the provider expected" for any run (an endpoint call's, say). */
  async pasteFor(
    runId: string,
    text: string,
  ): Promise<{ diff: BaseStringDiff | null; error: ErrorReport | null }> {
    const ipc = this.ipc;
    if (!ipc) return { diff: null, error: null };
    try {
      return { diff: await ipc.diagnosePaste(runId, text), error: null };
    } catch (e) {
      return { diff: null, error: toErrorReport(e) };
    }
  }

  // -------------------------------------------------------------------------------------------
  // History

  /** Opens a past run where it belongs: a flow in step 3, a call in step 4. */
  async showRun(runId: string): Promise<void> {
    const r = await this.guard((ipc) => ipc.runGet(runId));
    if (!r) return;
    if (r.detail.kind === "audit") {
      // A running audit stays on its page; a past one opens once it has ended.
      if (this.audit?.running) {
        this.page = "audit";
        return;
      }
      const report = r.detail.audit.report;
      this.audit = {
        connectorName: r.summary.connector_name,
        instanceName: r.summary.instance_name,
        instanceId: r.summary.instance_id,
        plan: null,
        job: "",
        running: false,
        sending: null,
        dance: null,
        rows: report.checks,
        done: { run_id: runId, report },
        error: null,
        stopping: false,
      };
      this.page = "audit";
      return;
    }
    if (!(await this.open(r.summary.connector_id, r.summary.instance_id))) return;
    if (r.detail.kind === "flow") {
      this.runId = runId;
      this.snapshot = r.detail.snapshot;
      this.flowVariables = r.detail.variables;
      this.replaying = true;
      this.focused = null;
      this.section = "auth";
      this.clearDiagnosis();
      if (r.detail.snapshot.phase === "failed") await this.diagnose();
    } else if (r.detail.kind === "call") {
      const call = r.detail.call;
      this.showEndpoint(call.endpoint_id);
      this.calls[call.endpoint_id] = { run_id: runId, call, schema: null, drift: [] };
    } else if (r.detail.kind === "pages") {
      const pages = r.detail.pages;
      this.showEndpoint(pages.endpoint_id);
      this.setWalk({
        endpointId: pages.endpoint_id,
        endpointName: pages.endpoint_name,
        job: "",
        running: false,
        progress: [],
        items: pages.items,
        result: pages,
      });
    }
    this.page = "builder";
  }

  private showEndpoint(endpointId: string): void {
    const endpoints = this.doc?.connector.endpoints ?? [];
    const index = endpoints.findIndex((e) => e.id === endpointId);
    if (index >= 0) this.endpointIndex = index;
    this.section = "endpoints";
  }

  // -------------------------------------------------------------------------------------------
  // The provider audit

  /**
   * Opens the Audit page for the connector on screen: its changes saved first (as Connect
   * does), then the plan — every request the audit would send — read from the backend.
   */
  async planAudit(): Promise<void> {
    const doc = this.doc;
    if (!doc) return;
    if (this.audit?.running) {
      this.page = "audit";
      return;
    }
    this.showAllProblems = true;
    const instance = await this.savedInstance();
    if (!instance) {
      this.focused = "consumer_registration";
      return;
    }
    const plan = await this.guard((ipc) => ipc.auditPlan(instance));
    if (!plan) return;
    this.audit = {
      connectorName: doc.connector.details.name,
      instanceName: doc.instance.name,
      instanceId: instance,
      plan,
      job: "",
      running: false,
      sending: null,
      dance: null,
      rows: [],
      done: null,
      error: null,
      stopping: false,
    };
    this.page = "audit";
  }

  /** Plans a new audit of the instance the Audit page shows (from its run, say). */
  async auditAgain(): Promise<void> {
    const a = this.audit;
    if (!a || a.running) return;
    const plan = await this.guard((ipc) => ipc.auditPlan(a.instanceId));
    if (!plan) return;
    this.audit = { ...a, plan, job: "", rows: [], done: null, error: null, stopping: false };
  }

  /** Runs the audit planned (at most `rate` requests a second); its rows arrive as it goes. */
  async startAudit(rate: number): Promise<void> {
    const a = this.audit;
    const ipc = this.ipc;
    if (!a || !ipc || a.running) return;
    const job = `audit-${++this.auditSeq}`;
    this.audit = {
      ...a,
      job,
      running: true,
      sending: null,
      dance: null,
      rows: [],
      done: null,
      error: null,
      stopping: false,
    };
    try {
      const done = await ipc.auditRun(a.instanceId, job, rate);
      if (this.audit?.job === job) {
        this.audit = { ...this.audit, done, rows: done.report.checks };
      }
    } catch (e) {
      if (this.audit?.job === job) this.audit = { ...this.audit, error: toErrorReport(e) };
    } finally {
      if (this.audit?.job === job) {
        this.audit = { ...this.audit, running: false, sending: null, dance: null };
      }
    }
    await this.refresh();
  }

  /**
   * Saves a run (a connection, a call, a walk of pages, an audit) as a report in the Downloads
   * folder: an HTML page, or JSON. Throws the backend's report when it cannot.
   */
  async exportRun(runId: string, format: ReportFormat): Promise<SavedReport> {
    if (!this.ipc) throw new Error("not connected");
    return this.ipc.runExport(runId, format);
  }

  /**
   * One call of an endpoint with the values typed for it, signed afresh (saving unsaved changes
   * first) and not sent: a curl command, secrets masked unless `reveal`. Throws the backend's
   * report when the call cannot be filled in.
   */
  async curlFor(endpointId: string, reveal: boolean): Promise<CurlCommand | undefined> {
    const ipc = this.ipc;
    const instance = await this.savedInstance();
    if (!ipc || !instance) return undefined;
    const typed = Object.fromEntries(
      Object.entries(this.inputs[endpointId] ?? {}).filter(([, v]) => v !== ""),
    );
    return ipc.endpointCurl(instance, endpointId, typed, reveal);
  }

  /**
   * Imports the files chosen or dropped — a Postman collection and, if wanted, its environment
   * (the backend tells them apart) — as a new connector, and opens it with the import's report.
   * Nothing is saved when the backend refuses the files; its report says why.
   */
  async importPostman(files: File[]): Promise<boolean> {
    if (files.length === 0) return false;
    this.importing = true;
    try {
      let read: { name: string; text: string }[];
      try {
        read = await Promise.all(files.map(async (f) => ({ name: f.name, text: await f.text() })));
      } catch (e) {
        this.error = {
          kind: "io",
          message: `a file could not be read: ${toErrorReport(e).message}`,
          hint: "choose it again, and check that it is a file you can open",
        };
        return false;
      }
      const done = await this.guard((ipc) => ipc.postmanImport(read));
      if (!done) return false;
      await this.refresh();
      await this.open(done.view.id, done.view.document.instance.id);
      this.importReport = { name: done.view.document.connector.details.name, notes: done.notes };
      this.page = "builder";
      return true;
    } finally {
      this.importing = false;
    }
  }

  /**
   * Saves the connector on screen as a Postman v2.1 collection in the Downloads folder (its
   * changes saved first). Throws the backend's report when it cannot.
   */
  async exportPostman(includeSecrets: boolean): Promise<SavedReport | undefined> {
    const instance = await this.savedInstance();
    const id = this.doc?.id;
    if (!this.ipc || !instance || !id) return undefined;
    return this.ipc.postmanExport(id, instance, includeSecrets);
  }

  /** Puts text on the system clipboard: true when it is there. */
  async copyText(text: string): Promise<boolean> {
    try {
      await this.ipc?.clipboardWrite(text);
      return this.ipc !== null;
    } catch {
      return false;
    }
  }

  /** A recorded request (a step's or a call's) as a curl command. */
  async curlOf(request: RecordedRequest): Promise<CurlCommand | undefined> {
    return this.ipc?.exchangeCurl(request);
  }

  /** Opens a report saved since start, or shows it in its folder. Throws when it cannot. */
  async showReport(path: string, reveal: boolean): Promise<void> {
    if (!this.ipc) throw new Error("not connected");
    await this.ipc.reportShow(path, reveal);
  }

  /** Hands the PIN the provider showed to the audit's dance waiting for it. */
  async submitAuditPin(pin: string): Promise<boolean> {
    const runId = this.audit?.dance?.runId;
    if (!runId) return false;
    return (await this.guard((ipc) => ipc.flowSubmitPin(runId, pin))) !== undefined;
  }

  /** Hands an address the user pasted to the audit's dance waiting for its redirect. */
  async submitAuditCallback(url: string): Promise<boolean> {
    const runId = this.audit?.dance?.runId;
    if (!runId) return false;
    return (await this.guard((ipc) => ipc.flowSubmitCallback(runId, url))) !== undefined;
  }

  /**
   * Stops the audit going: its dance when one is going, else before its next request. The
   * request in flight finishes; the checks not made say the audit was stopped.
   */
  async stopAudit(): Promise<void> {
    const a = this.audit;
    if (!a?.running || !a.job || a.stopping) return;
    this.audit = { ...a, stopping: true };
    const job = a.job;
    await this.guard((ipc) => ipc.auditStop(job));
  }

  private auditMoved(e: AuditProgressEvent): void {
    const a = this.audit;
    // Once its result is in, the rows are the result's.
    if (!a || e.job !== a.job || !a.running || a.done) return;
    const step = e.step;
    if (step.kind === "sending") {
      this.audit = { ...a, sending: { n: step.n, what: step.what } };
    } else if (step.kind === "dance") {
      this.audit = { ...a, dance: { which: step.which, runId: step.run_id, snapshot: null } };
    } else {
      this.audit = { ...a, dance: null, rows: [...a.rows, step.row] };
    }
  }

  /** The OAuth 1.0a method of the connector on screen. */
  oauth1() {
    return this.doc ? oauth1Of(this.doc.connector) : null;
  }
}

/** An audit on the Audit page. */
export interface AuditView {
  connectorName: string;
  instanceName: string;
  instanceId: string;
  /** What it will send (null for an audit read back from the history). */
  plan: AuditPlan | null;
  /** The name its events carry, once started. */
  job: string;
  running: boolean;
  /** Asked to stop (it ends after the request in flight). */
  stopping: boolean;
  /** The request going now. */
  sending: { n: number; what: string } | null;
  /** The dance going now (the user allows access in it) and how it stands. */
  dance: { which: number; runId: string; snapshot: Snapshot | null } | null;
  /** A row per check with its verdict, as they come. */
  rows: CheckResult[];
  /** Its result, once over. */
  done: AuditDone | null;
  /** Why it could not run. */
  error: ErrorReport | null;
}

/** A walk of an endpoint's pages: going (its pages as they arrive) or ended (its result). */
export interface PagesWalk {
  endpointId: string;
  endpointName: string;
  /** The name the backend knows the walk by. */
  job: string;
  running: boolean;
  progress: PagesProgressEvent[];
  /** Every item so far, in order (from the events; from the result of a past walk). */
  items: unknown[];
  result: PagesResult | null;
}

/**
 * Tells the backend the first screen is drawn with its data (the start-up trace and the ready
 * probe): after the next frame, with the page's own clock — or after a second, should the
 * window draw no frames (not shown yet). Resolves once told; nothing depends on the answer.
 */
function reportStarted(ipc: Ipc): Promise<void> {
  return new Promise((resolve) => {
    let told = false;
    const tell = () => {
      if (told) return;
      told = true;
      const paints = performance.getEntriesByType("paint");
      const paint = paints.find((e) => e.name === "first-contentful-paint") ?? paints[0];
      ipc
        .appStarted({
          time_origin_ms: performance.timeOrigin,
          first_paint_ms: paint?.startTime ?? null,
          interactive_ms: performance.now(),
        })
        .catch(() => {})
        .finally(resolve);
    };
    requestAnimationFrame(() => setTimeout(tell, 0));
    setTimeout(tell, 1000);
  });
}
