// The sequence diagram (user — Signet — provider): one arrow per step, as data.

import type { Actor, StepId, StepStatus } from "../ipc";
import { STEPS } from "../ipc";

export type Lane = Actor;
export const LANES: readonly { id: Lane; label: string }[] = [
  { id: "user", label: "You" },
  { id: "signet", label: "Signet" },
  { id: "provider", label: "Provider" },
];

export interface Arrow {
  step: StepId;
  number: number;
  from: Lane;
  /** Same as `from` for something a party does on its own (the provider's check). */
  to: Lane;
  label: string;
  /** Dashed: a reply or a redirect rather than a request. */
  reply: boolean;
}

/** One arrow per step, from the steps table (crates/oauth1/src/flow/steps.rs). */
export const ARROWS: readonly Arrow[] = STEPS.map((s) => ({
  step: s.id,
  number: s.number,
  from: s.message.from,
  to: s.message.to,
  label: s.message.label,
  reply: s.message.reply,
}));

export function laneIndex(l: Lane): number {
  return LANES.findIndex((x) => x.id === l);
}

export type ArrowTone = "pending" | "active" | "done" | "failed" | "skipped";

/** How each arrow is drawn for the given step statuses; the focused step is emphasised. */
export function arrowTones(
  statuses: ReadonlyMap<StepId, StepStatus>,
  focused: StepId | null,
): { arrow: Arrow; tone: ArrowTone; focused: boolean }[] {
  return ARROWS.map((arrow) => ({
    arrow,
    tone: statuses.get(arrow.step) ?? "pending",
    focused: arrow.step === focused,
  }));
}
