// The sequence diagram (user — Signet — provider): one arrow per step, as data.

import type { Actor, StepId, StepStatus } from "../ipc";

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

export const ARROWS: readonly Arrow[] = [
  {
    step: "consumer_registration",
    number: 1,
    from: "user",
    to: "signet",
    label: "consumer key & secret",
    reply: false,
  },
  {
    step: "user_initiation",
    number: 2,
    from: "user",
    to: "signet",
    label: "Connect",
    reply: false,
  },
  {
    step: "token_request",
    number: 3,
    from: "signet",
    to: "provider",
    label: "signed request-token request",
    reply: false,
  },
  {
    step: "user_authentication",
    number: 4,
    from: "provider",
    to: "provider",
    label: "checks key & signature",
    reply: false,
  },
  {
    step: "request_token_issued",
    number: 5,
    from: "provider",
    to: "signet",
    label: "request token + secret",
    reply: true,
  },
  {
    step: "user_authorisation",
    number: 6,
    from: "user",
    to: "provider",
    label: "sign in & allow (browser)",
    reply: false,
  },
  {
    step: "redirect_to_consumer",
    number: 7,
    from: "provider",
    to: "signet",
    label: "redirect with verifier",
    reply: true,
  },
  {
    step: "access_token_request",
    number: 8,
    from: "signet",
    to: "provider",
    label: "signed access-token request",
    reply: false,
  },
  {
    step: "access_token_issued",
    number: 9,
    from: "provider",
    to: "signet",
    label: "access token + secret",
    reply: true,
  },
  {
    step: "resource_access",
    number: 10,
    from: "signet",
    to: "provider",
    label: "signed API call",
    reply: false,
  },
];

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
