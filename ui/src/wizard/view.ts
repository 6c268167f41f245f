// What the wizard shows, as a pure function of the flow's Snapshot (or of no run yet).
// Components only render these values.

import { STEPS } from "../ipc";
import type {
  Actor,
  ErrorReport,
  Exchange,
  Snapshot,
  StepId,
  StepInfo,
  StepSnapshot,
  StepStatus,
} from "../ipc";

export const ACTOR_LABEL: Record<Actor, string> = {
  user: "You",
  signet: "Signet",
  provider: "The provider",
};

export const STATUS_LABEL: Record<StepStatus, string> = {
  pending: "Not yet",
  active: "In progress",
  done: "Done",
  failed: "Failed",
  skipped: "Skipped",
};

/** A step as the timeline and its panel show it. */
export interface StepView {
  id: StepId;
  number: number;
  title: string;
  actor: Actor;
  actorLabel: string;
  explanation: string;
  status: StepStatus;
  statusLabel: string;
  /** The step in progress (or the one that failed). */
  current: boolean;
  notes: string[];
  error: ErrorReport | null;
  /** This step's own requests, every attempt. */
  exchanges: Exchange[];
  /**
   * The requests to show in the technical view: the step's own, or for a step that reacts
   * to a request (4, 5, 9) the request it reacts to.
   */
  shownExchanges: Exchange[];
  /** Milliseconds the step took, once finished. */
  durationMs: number | null;
}

function fromInfo(info: StepInfo, status: StepStatus, current: boolean): StepView {
  return {
    id: info.id,
    number: info.number,
    title: info.title,
    actor: info.actor,
    actorLabel: ACTOR_LABEL[info.actor],
    explanation: info.explanation,
    status,
    statusLabel: STATUS_LABEL[status],
    current,
    notes: [],
    error: null,
    exchanges: [],
    shownExchanges: [],
    durationMs: null,
  };
}

function fromSnapshot(s: Snapshot, st: StepSnapshot, index: number): StepView {
  let shown = st.exchanges;
  if (shown.length === 0 && (st.actor === "provider" || st.status === "failed")) {
    // Steps 4, 5 and 9 are the provider's answer to the request just before them.
    for (let i = index - 1; i >= 0 && shown.length === 0; i--) {
      if (s.steps[i].exchanges.length > 0) shown = s.steps[i].exchanges;
      if (s.steps[i].actor !== "provider" && s.steps[i].exchanges.length === 0) break;
    }
  }
  const current = s.current_step === st.id;
  return {
    id: st.id,
    number: st.number,
    title: st.title,
    actor: st.actor,
    actorLabel: ACTOR_LABEL[st.actor],
    explanation: st.explanation,
    status: st.status,
    statusLabel: STATUS_LABEL[st.status],
    current,
    notes: st.notes,
    error: st.error ?? (s.error?.step === st.id ? s.error.error : null),
    exchanges: st.exchanges,
    shownExchanges: shown,
    durationMs:
      st.started_ms !== null && st.finished_ms !== null ? st.finished_ms - st.started_ms : null,
  };
}

/**
 * The ten steps. Without a run, step 1 is in progress while the form is incomplete and done
 * once it validates; it stays the current step either way: the wizard moves on only when the
 * user does (Connect, a step clicked), never while they are typing into step 1's form.
 */
export function stepViews(snapshot: Snapshot | null, formValid = false): StepView[] {
  if (!snapshot) {
    return STEPS.map((info, i) => {
      if (i === 0) return fromInfo(info, formValid ? "done" : "active", true);
      if (i === 1) return fromInfo(info, formValid ? "active" : "pending", false);
      return fromInfo(info, "pending", false);
    });
  }
  return snapshot.steps.map((st, i) => fromSnapshot(snapshot, st, i));
}

/** The step the wizard shows when the user has not picked one: in progress, failed, or last. */
export function autoFocus(views: readonly StepView[]): StepId {
  const current = views.find((v) => v.current);
  if (current) return current.id;
  const failed = views.find((v) => v.status === "failed");
  if (failed) return failed.id;
  const done = views.filter((v) => v.status === "done");
  if (done.length === views.length || done.length === 0) {
    return done.length === 0 ? views[0].id : views[views.length - 1].id;
  }
  return done[done.length - 1].id;
}

/** Arrow keys, Home and End on the timeline. `null`: not a timeline key. */
export function moveFocus(views: readonly StepView[], from: StepId, key: string): StepId | null {
  const i = views.findIndex((v) => v.id === from);
  const last = views.length - 1;
  switch (key) {
    case "ArrowDown":
    case "ArrowRight":
      return views[Math.min(i + 1, last)].id;
    case "ArrowUp":
    case "ArrowLeft":
      return views[Math.max(i - 1, 0)].id;
    case "Home":
      return views[0].id;
    case "End":
      return views[last].id;
    default:
      return null;
  }
}

/** Which buttons are enabled. */
export interface Actions {
  /** Connect (start a run). */
  canStart: boolean;
  canCancel: boolean;
  canRetry: boolean;
  /** What Retry would do, in plain words. */
  retryLabel: string | null;
  /** Show the PIN box. */
  needsPin: boolean;
  /** Show "paste the address" (a redirect that did not arrive by itself). */
  canPasteCallback: boolean;
  /** The run is over (finished, cancelled) or failed and waits for a decision. */
  over: boolean;
}

export function actions(snapshot: Snapshot | null, formValid: boolean, busy = false): Actions {
  if (!snapshot) {
    return {
      canStart: formValid && !busy,
      canCancel: false,
      canRetry: false,
      retryLabel: null,
      needsPin: false,
      canPasteCallback: false,
      over: true,
    };
  }
  const running = !["finished", "failed", "cancelled", "ready"].includes(snapshot.phase);
  const failed = snapshot.phase === "failed";
  const waiting = snapshot.waiting_for?.kind;
  return {
    canStart: !running && formValid && !busy,
    canCancel: running || failed,
    canRetry: failed && snapshot.retry !== null && !busy,
    retryLabel: failed && snapshot.retry ? snapshot.retry.replace(/^retry\s+/i, "") : null,
    needsPin: waiting === "pin",
    canPasteCallback: waiting === "callback" || waiting === "pin",
    over: !running,
  };
}

/** One sentence on where the run stands, for the top of the screen. */
export function headline(snapshot: Snapshot | null, formValid: boolean, saved = false): string {
  if (!snapshot) {
    return formValid
      ? "Ready. Press Connect to start the dance."
      : "Step 1: tell Signet about the app you registered with the provider.";
  }
  switch (snapshot.phase) {
    case "ready":
      return "Ready. Press Connect to start the dance.";
    case "requesting_temporary_credentials":
      return "Signet is asking the provider for a request token…";
    case "awaiting_authorization":
      return snapshot.waiting_for?.kind === "pin"
        ? "Your turn: allow access in the browser, then type the PIN the provider shows."
        : "Your turn: allow access in the browser window that just opened.";
    case "requesting_token_credentials":
      return "Signet is trading the request token for an access token…";
    case "accessing_resource":
      return "Signet is calling the API with the new access token…";
    case "finished":
      if (snapshot.mode !== "three_legged") return "Done. The signed call went through.";
      return saved
        ? "Connected. The access token works and is stored safely."
        : "Connected. The access token works; save the connector to keep it.";
    case "failed": {
      const step = snapshot.error ? STEPS.find((s) => s.id === snapshot.error?.step) : null;
      return step
        ? `Stopped at step ${step.number} (${step.title}). See what went wrong below.`
        : "The run stopped. See what went wrong below.";
    }
    case "cancelled":
      return "Cancelled. Nothing was stored.";
  }
}

/** Counts for the progress bar. */
export function progress(views: readonly StepView[]): { done: number; total: number } {
  return {
    done: views.filter((v) => v.status === "done" || v.status === "skipped").length,
    total: views.length,
  };
}

/** "12 ms", "1.4 s". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}
