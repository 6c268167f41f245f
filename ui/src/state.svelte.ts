// The app's live state: the IPC, step 1's draft, the run on screen, and the lists. The view
// state itself comes from the pure functions in wizard/.

import { SvelteSet } from "svelte/reactivity";

import {
  connectIpc,
  type BaseStringDiff,
  type Explanation,
  type FailureDiagnosis,
  type Lint,
  type PresetSummary,
  toErrorReport,
  type ConnectorSummary,
  type ConnectorDraft,
  type DeepLinkRefusedEvent,
  type ErrorReport,
  type FieldProblem,
  type Ipc,
  type RunSummary,
  type Snapshot,
  type StepId,
  type StoredSecrets,
  type TokenSummary,
  type Unlisten,
} from "./ipc";
import { emptyDraft, validateDraft } from "./wizard/draft";

export type Tab = "wizard" | "connectors" | "history";

export class AppState {
  ipc: Ipc | null = $state(null);
  tab: Tab = $state("wizard");
  draft: ConnectorDraft = $state(emptyDraft());
  stored: StoredSecrets | undefined = $state(undefined);
  /** Problems the backend reported for the draft (the client mirror runs while typing). */
  serverProblems: FieldProblem[] = $state([]);
  /** Fields the user has left (problems show once touched, or after Connect). */
  readonly touched = new SvelteSet<string>();
  showAllProblems = $state(false);
  runId: string | null = $state(null);
  /** Whether the run on screen belongs to a saved connector (its token is kept). */
  runSaved = $state(false);
  /** Snapshots of runs whose id `flowStart` has not told us yet (events can arrive first). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  private early = new Map<string, Snapshot>();
  private starting = false;
  snapshot: Snapshot | null = $state(null);
  /** Viewing a past run (read-only). */
  replaying = $state(false);
  focused: StepId | null = $state(null);
  busy = $state(false);
  error: ErrorReport | null = $state(null);
  notice: string | null = $state(null);
  deepLinkRefused: DeepLinkRefusedEvent | null = $state(null);
  connectors: ConnectorSummary[] = $state([]);
  runs: RunSummary[] = $state([]);
  tokens: TokenSummary[] = $state([]);
  demoUsers: { username: string; password: string }[] = $state([]);
  /** The provider presets, for step 1's picker. */
  presets: PresetSummary[] = $state([]);
  presetError: ErrorReport | null = $state(null);
  /** Why the picked preset filled each field. */
  explanations: Explanation[] = $state([]);
  /** What the backend expects to go wrong with the draft (shown before Connect). */
  lints: Lint[] = $state([]);
  /** The failing run read in plain words. */
  diagnosis: FailureDiagnosis | null = $state(null);
  pasted: BaseStringDiff | null = $state(null);
  pasteError: ErrorReport | null = $state(null);
  private lintTimer: ReturnType<typeof setTimeout> | null = null;

  problems = $derived(
    this.serverProblems.length > 0 ? this.serverProblems : validateDraft(this.draft, this.stored),
  );
  formValid = $derived(this.problems.length === 0);

  private unlisten: Unlisten[] = [];

  async connect(scenario: string | null): Promise<void> {
    const ipc = await connectIpc({ scenario });
    this.ipc = ipc;
    this.unlisten.push(
      await ipc.onSnapshot((e) => {
        if (e.run_id === this.runId) {
          this.snapshot = e.snapshot;
          if (e.snapshot.phase === "failed") void this.diagnose();
        } else if (this.runId === null || this.starting) {
          this.early.set(e.run_id, e.snapshot);
        }
        if (e.snapshot.phase === "finished" || e.snapshot.phase === "failed") void this.refresh();
      }),
      await ipc.onDeepLinkRefused((e) => (this.deepLinkRefused = e)),
    );
    await this.refresh();
    try {
      this.presets = await ipc.presetsList();
    } catch {
      this.presets = [];
    }
    this.relint();
  }

  disconnect(): void {
    for (const u of this.unlisten.splice(0)) u();
    if (this.lintTimer !== null) clearTimeout(this.lintTimer);
  }

  /** Asks the backend for the draft's lints, a moment after the last keystroke. */
  relint(delayMs = 250): void {
    if (this.lintTimer !== null) clearTimeout(this.lintTimer);
    this.lintTimer = setTimeout(() => {
      this.lintTimer = null;
      const ipc = this.ipc;
      if (!ipc) return;
      ipc.connectorLint($state.snapshot(this.draft)).then(
        (l) => (this.lints = l),
        () => (this.lints = []),
      );
    }, delayMs);
  }

  /** Fills step 1 from a preset; the consumer key and secret already typed stay. */
  async applyPreset(id: string, inputs: Record<string, string>): Promise<void> {
    const ipc = this.ipc;
    if (!ipc) return;
    this.presetError = null;
    try {
      const r = await ipc.presetApply(id, inputs);
      const old = $state.snapshot(this.draft);
      const draft = {
        ...r.draft,
        id: old.id,
        consumer_key: old.consumer_key,
        consumer_secret: old.consumer_secret,
        rsa_private_key_pem: old.rsa_private_key_pem,
      };
      this.newDraft(draft, this.stored);
      this.explanations = r.explanations;
      this.notice = `Step 1 is filled in for ${r.draft.name}. Each field says why; change anything you like.`;
    } catch (e) {
      this.presetError = toErrorReport(e);
    }
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

  async refresh(): Promise<void> {
    if (!this.ipc) return;
    const [connectors, runs, tokens] = await Promise.all([
      this.ipc.connectorsList(),
      this.ipc.runsList(null),
      this.ipc.tokensList(),
    ]);
    this.connectors = connectors;
    this.runs = runs;
    this.tokens = tokens;
  }

  private async guard<T>(f: (ipc: Ipc) => Promise<T>): Promise<T | undefined> {
    if (!this.ipc) return undefined;
    this.busy = true;
    this.error = null;
    try {
      return await f(this.ipc);
    } catch (e) {
      this.error = toErrorReport(e);
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  touch(field: string): void {
    this.touched.add(field);
    this.serverProblems = [];
  }

  edited(): void {
    this.serverProblems = [];
    this.relint();
  }

  /** "Try it with the demo provider": start it, fill step 1, and start the dance. */
  async tryDemo(): Promise<void> {
    const demo = await this.guard((ipc) => ipc.demoProviderStart());
    if (!demo) return;
    this.newDraft(demo.draft);
    this.demoUsers = demo.users.map((u) => ({ username: u.username, password: u.password }));
    this.notice = `Demo provider running at ${demo.url}. Step 1 is filled in: consumer key ${demo.consumer_key}.`;
    await this.start();
  }

  newDraft(draft: ConnectorDraft = emptyDraft(), stored?: StoredSecrets): void {
    this.draft = draft;
    this.stored = stored;
    this.touched.clear();
    this.showAllProblems = false;
    this.serverProblems = [];
    this.snapshot = null;
    this.runId = null;
    this.replaying = false;
    this.focused = null;
    this.tab = "wizard";
    this.explanations = [];
    this.presetError = null;
    this.clearDiagnosis();
    this.relint(0);
  }

  /** Back to step 1 with the same draft (after a run, or from a past run). */
  editDraft(): void {
    const { explanations, diagnosis } = this;
    this.newDraft($state.snapshot(this.draft), this.stored);
    this.explanations = explanations;
    this.diagnosis = diagnosis;
    this.focused = "consumer_registration";
  }

  async start(): Promise<void> {
    this.showAllProblems = true;
    if (!this.formValid) {
      this.focused = "consumer_registration";
      return;
    }
    const problems = await this.guard((ipc) => ipc.connectorValidate($state.snapshot(this.draft)));
    if (problems && problems.length > 0) {
      this.serverProblems = problems;
      this.focused = "consumer_registration";
      return;
    }
    const target =
      this.draft.id !== null && this.stored
        ? ({ kind: "connector", id: this.draft.id } as const)
        : ({ kind: "draft", draft: $state.snapshot(this.draft) } as const);
    this.early.clear();
    this.starting = true;
    const started = await this.guard((ipc) => ipc.flowStart(target));
    this.starting = false;
    if (!started) return;
    this.clearDiagnosis();
    this.runId = started.run_id;
    this.runSaved = target.kind === "connector";
    this.snapshot = this.early.get(started.run_id) ?? started.snapshot;
    this.early.clear();
    if (this.snapshot.phase === "failed") void this.diagnose();
    this.replaying = false;
    this.focused = null;
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

  async save(): Promise<void> {
    this.showAllProblems = true;
    if (!this.formValid) return;
    const saved = await this.guard((ipc) => ipc.connectorSave($state.snapshot(this.draft)));
    if (!saved) return;
    this.draft = saved.draft;
    this.stored = saved.secrets;
    this.notice = `Saved "${saved.draft.name}". Secrets are stored encrypted and shown only when you ask.`;
    await this.refresh();
  }

  async open(id: string): Promise<void> {
    const c = await this.guard((ipc) => ipc.connectorGet(id));
    if (c) this.newDraft(c.draft, c.secrets);
  }

  async rerun(id: string): Promise<void> {
    await this.open(id);
    await this.start();
  }

  async remove(id: string): Promise<void> {
    await this.guard((ipc) => ipc.connectorDelete(id));
    if (this.draft.id === id) this.newDraft();
    await this.refresh();
  }

  async forgetToken(id: string): Promise<void> {
    await this.guard((ipc) => ipc.tokenForget(id));
    await this.refresh();
  }

  async reveal(id: string, which: "consumer_secret" | "rsa_private_key" | "token_secret") {
    return this.guard((ipc) => ipc.connectorRevealSecret(id, which));
  }

  async showRun(runId: string): Promise<void> {
    const r = await this.guard((ipc) => ipc.runGet(runId));
    if (!r) return;
    this.runId = runId;
    this.runSaved = r.summary.connector_id !== null;
    this.snapshot = r.snapshot;
    this.replaying = true;
    this.focused = null;
    this.tab = "wizard";
    this.clearDiagnosis();
    if (r.snapshot.phase === "failed") await this.diagnose();
  }
}
