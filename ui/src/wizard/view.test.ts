import { describe, expect, it } from "vitest";

import { recordedFrames } from "./recorded";
import {
  actions,
  autoFocus,
  formatDuration,
  headline,
  moveFocus,
  progress,
  stepViews,
} from "./view";

const dance = recordedFrames("demo");
const requesting = dance.find((s) => s.current_step === "token_request")!;
const waiting = dance.find((s) => s.phase === "awaiting_authorization")!;
const last = <T>(xs: T[]): T => xs[xs.length - 1];
const failedSig = last(recordedFrames("signature_invalid"));
const denied = last(recordedFrames("denied"));
const pinWait = recordedFrames("pin").find((s) => s.waiting_for?.kind === "pin")!;

describe("stepViews", () => {
  it("shows all ten steps before any run, step 1 in progress until the form is valid", () => {
    const views = stepViews(null, false);
    expect(views).toHaveLength(10);
    expect(views[0]).toMatchObject({ status: "active", current: true, actorLabel: "You" });
    expect(views.slice(1).every((v) => v.status === "pending")).toBe(true);
    expect(autoFocus(views)).toBe("consumer_registration");
    // Once the form validates step 1 is done and step 2 ready, but the wizard stays on step 1:
    // the user may still be typing into it.
    const ready = stepViews(null, true);
    expect(ready[0]).toMatchObject({ status: "done", current: true });
    expect(ready[1]).toMatchObject({ status: "active", current: false });
    expect(autoFocus(ready)).toBe("consumer_registration");
  });

  it("follows the snapshot: step 3 active while it is asked, all done at the end", () => {
    const first = stepViews(requesting);
    expect(first.find((v) => v.current)?.id).toBe("token_request");
    expect(first[2].status).toBe("active");
    expect(stepViews(last(dance)).every((v) => v.status === "done")).toBe(true);
  });

  it("puts the failure on the failing step and shows the refused request there", () => {
    const views = stepViews(failedSig);
    const failed = views.find((v) => v.status === "failed");
    expect(failed?.id).toBe("user_authentication");
    expect(failed?.error?.kind).toBe("provider_problem");
    expect(failed?.exchanges).toHaveLength(0);
    expect(failed?.shownExchanges[0].response?.status).toBe(401);
  });

  it("shows the provider's answer steps with the request they answer", () => {
    const views = stepViews(last(dance));
    expect(views[4].shownExchanges).toBe(views[2].exchanges); // 5 answers 3
    expect(views[8].shownExchanges).toBe(views[7].exchanges); // 9 answers 8
    expect(views[5].shownExchanges).toHaveLength(0); // 6 is the user's
    expect(views[2].durationMs).not.toBeNull();
  });
});

describe("autoFocus and moveFocus", () => {
  it("focuses the step in progress, else the failed one, else the last done", () => {
    expect(autoFocus(stepViews(waiting))).toBe("user_authorisation");
    expect(autoFocus(stepViews(denied))).toBe("user_authorisation");
    expect(autoFocus(stepViews(last(dance)))).toBe("resource_access");
  });

  it("moves with arrows, Home and End, and stops at the ends", () => {
    const v = stepViews(null);
    expect(moveFocus(v, "token_request", "ArrowDown")).toBe("user_authentication");
    expect(moveFocus(v, "token_request", "ArrowLeft")).toBe("user_initiation");
    expect(moveFocus(v, "consumer_registration", "ArrowUp")).toBe("consumer_registration");
    expect(moveFocus(v, "resource_access", "ArrowRight")).toBe("resource_access");
    expect(moveFocus(v, "token_request", "End")).toBe("resource_access");
    expect(moveFocus(v, "token_request", "Home")).toBe("consumer_registration");
    expect(moveFocus(v, "token_request", "a")).toBeNull();
  });
});

describe("actions", () => {
  it("enables Connect only for a valid form with no run in progress", () => {
    expect(actions(null, false).canStart).toBe(false);
    expect(actions(null, true).canStart).toBe(true);
    expect(actions(null, true, true).canStart).toBe(false);
    expect(actions(requesting, true).canStart).toBe(false);
    expect(actions(last(dance), true).canStart).toBe(true);
  });

  it("offers Retry with the snapshot's words only after a failure", () => {
    const a = actions(failedSig, true);
    expect(a.canRetry).toBe(true);
    expect(a.retryLabel).toMatch(/^asks the provider for a new request token/);
    expect(actions(waiting, true).canRetry).toBe(false);
    expect(actions(waiting, true).canCancel).toBe(true);
  });

  it("asks for the PIN only while the run waits for it", () => {
    expect(actions(pinWait, true).needsPin).toBe(true);
    expect(actions(waiting, true).needsPin).toBe(false);
    expect(actions(waiting, true).canPasteCallback).toBe(true);
  });
});

describe("headline and progress", () => {
  it("says in plain words where the run stands", () => {
    expect(headline(null, false)).toMatch(/Step 1/);
    expect(headline(pinWait, true)).toMatch(/PIN/);
    expect(headline(last(dance), true)).toMatch(/Connected/);
    expect(headline(last(dance), true)).toMatch(/save the connector to keep it/);
    expect(headline(last(dance), true, true)).toMatch(/stored safely/);
    expect(headline(failedSig, true)).toMatch(/step 4 \(User authentication\)/);
  });

  it("counts done steps", () => {
    expect(progress(stepViews(last(dance)))).toEqual({ done: 10, total: 10 });
    expect(progress(stepViews(null))).toEqual({ done: 0, total: 10 });
  });

  it("formats durations", () => {
    expect(formatDuration(null)).toBe("");
    expect(formatDuration(12.4)).toBe("12 ms");
    expect(formatDuration(1400)).toBe("1.4 s");
  });
});
