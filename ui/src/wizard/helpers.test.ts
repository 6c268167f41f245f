import { describe, expect, it } from "vitest";

import { recordedFrames } from "./recorded";
import { ARROWS, LANES, arrowTones, laneIndex } from "./diagram";
import { describeLength, isRedacted, masked } from "./secret";
import { normalizedPairs, orderedParameters, splitAuthorization, splitBaseString } from "./trace";
import { STEPS } from "../ipc";

const trace = recordedFrames("demo").at(-1)!.steps[2].exchanges[0].trace;

describe("sequence diagram", () => {
  it("has one arrow per step, in order, between known lanes", () => {
    expect(ARROWS.map((a) => a.step)).toEqual(STEPS.map((s) => s.id));
    for (const a of ARROWS) {
      expect(laneIndex(a.from)).toBeGreaterThanOrEqual(0);
      expect(laneIndex(a.to)).toBeGreaterThanOrEqual(0);
    }
    expect(LANES.map((l) => l.label)).toEqual(["You", "Signet", "Provider"]);
  });

  it("colours arrows by step status and emphasises the focused one", () => {
    const tones = arrowTones(new Map([["token_request", "active"]]), "token_request");
    expect(tones[2]).toMatchObject({ tone: "active", focused: true });
    expect(tones[0]).toMatchObject({ tone: "pending", focused: false });
  });
});

describe("trace helpers", () => {
  it("splits the recorded base string into method, URI and parameters", () => {
    const parts = splitBaseString(trace.base_string);
    expect(parts.method).toBe("POST");
    expect(parts.uri).toMatch(/^http%3A%2F%2F127\.0\.0\.1%3A\d+%2Foauth%2Frequest_token$/);
    expect(decodeURIComponent(parts.params)).toBe(trace.normalized_parameters);
  });

  it("shows the Authorization header one parameter a line", () => {
    const lines = splitAuthorization('OAuth a="1", b="2"');
    expect(lines).toEqual(["OAuth", 'a="1",', 'b="2"']);
    expect(splitAuthorization(trace.authorization_header ?? "")[0]).toBe("OAuth");
  });

  it("lists signed parameters first and splits the normalized string", () => {
    const ordered = orderedParameters(trace.parameters);
    expect(ordered.at(-1)?.name).toBe("oauth_signature");
    expect(normalizedPairs("a=1&b=2")).toEqual(["a=1", "b=2"]);
    expect(normalizedPairs("")).toEqual([]);
  });
});

describe("secrets", () => {
  it("masks until revealed and never shows a redacted stand-in", () => {
    expect(masked("signet-demo-secret", false)).toBe("•".repeat(18));
    expect(masked("abc", false)).toBe("•".repeat(8));
    expect(masked("signet-demo-secret", true)).toBe("signet-demo-secret");
    expect(masked("<redacted>", true)).toBe("•".repeat(10));
    expect(masked(null, true)).toBe("");
    expect(isRedacted("<redacted>")).toBe(true);
    expect(describeLength(40)).toBe("40 characters");
  });
});
