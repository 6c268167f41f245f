import { describe, expect, it } from "vitest";

import type { CallbackSettings } from "../ipc";
import {
  CALLBACK_MODES,
  FLOW_MODES,
  PLACEMENTS,
  SIGNATURE_METHODS,
  callbackUrl,
  isRsa,
} from "./draft";

const cb = (over: Partial<CallbackSettings>): CallbackSettings => ({
  mode: "deep_link",
  loopback_port: 0,
  loopback_path: "/callback",
  oob_url: null,
  bind_to_run: false,
  ...over,
});

describe("the choices of an OAuth 1.0a method", () => {
  it("offers every signature method, placement, callback and mode the backend has", () => {
    expect(SIGNATURE_METHODS).toHaveLength(7);
    expect(PLACEMENTS.map((p) => p.value)).toEqual(["header", "query", "body"]);
    expect(CALLBACK_MODES.map((c) => c.value)).toEqual(["deep_link", "loopback", "oob"]);
    expect(FLOW_MODES.map((m) => m.value)).toEqual([
      "three_legged",
      "one_legged",
      "pre_issued_token",
    ]);
    expect(SIGNATURE_METHODS.filter(isRsa)).toEqual(["RSA-SHA1", "RSA-SHA256", "RSA-SHA512"]);
  });

  it("says which oauth_callback each callback setting sends", () => {
    expect(callbackUrl(cb({}))).toBe("signet://callback");
    expect(callbackUrl(cb({ mode: "loopback" }))).toBe("http://127.0.0.1:PORT/callback");
    expect(callbackUrl(cb({ mode: "loopback", loopback_port: 8765, loopback_path: "cb" }))).toBe(
      "http://127.0.0.1:8765/cb",
    );
    expect(callbackUrl(cb({ bind_to_run: true }))).toBe("signet://callback/CODE");
    expect(callbackUrl(cb({ mode: "loopback", loopback_port: 9, bind_to_run: true }))).toBe(
      "http://127.0.0.1:9/callback/CODE",
    );
    expect(callbackUrl(cb({ mode: "oob" }))).toBe("oob");
    expect(callbackUrl(cb({ mode: "oob", bind_to_run: true }))).toBe("oob");
    expect(callbackUrl(cb({ mode: "oob", oob_url: " https://app.example/done " }))).toBe(
      "https://app.example/done",
    );
  });
});
