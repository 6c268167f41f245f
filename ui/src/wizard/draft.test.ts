import { describe, expect, it } from "vitest";

import type { ConnectorDraft } from "../ipc";
import { callbackUrl, emptyDraft, problemsByField, urlProblem, validateDraft } from "./draft";

function demo(): ConnectorDraft {
  const d = emptyDraft();
  d.name = "Demo";
  d.consumer_key = "signet-demo";
  d.consumer_secret = "signet-demo-secret";
  d.endpoints.request_token.url = "http://127.0.0.1:4000/oauth/request_token";
  d.endpoints.authorize_url = "http://127.0.0.1:4000/oauth/authorize";
  d.endpoints.access_token.url = "http://127.0.0.1:4000/oauth/access_token";
  return d;
}

const fields = (d: ConnectorDraft, stored?: Parameters<typeof validateDraft>[1]) =>
  validateDraft(d, stored).map((p) => p.field);

describe("validateDraft", () => {
  it("accepts the demo draft", () => {
    expect(validateDraft(demo())).toEqual([]);
  });

  it("reports every empty field of a blank draft, with the backend's field paths", () => {
    expect(fields(emptyDraft())).toEqual([
      "name",
      "consumer_key",
      "key",
      "endpoints.request_token.url",
      "endpoints.access_token.url",
      "endpoints.authorize_url",
    ]);
  });

  it("words problems like FlowConfig::validate", () => {
    const d = demo();
    d.consumer_key = " signet-demo";
    expect(validateDraft(d)[0].message).toBe(
      "the consumer key starts or ends with spaces: remove them",
    );
    d.consumer_key = "k";
    d.endpoints.request_token.url = "ftp://x";
    expect(validateDraft(d)[0]).toEqual({
      field: "endpoints.request_token.url",
      message: "the request-token URL is not usable: only http and https addresses can be signed",
    });
  });

  it("asks RSA methods for a PEM key, and keeps a stored secret when the draft sends null", () => {
    const d = demo();
    d.signature_method = "RSA-SHA256";
    expect(fields(d)).toEqual(["key"]);
    d.rsa_private_key_pem = "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----";
    expect(fields(d)).toEqual([]);
    const saved = demo();
    saved.consumer_secret = null;
    expect(fields(saved)).toEqual(["key"]);
    expect(
      fields(saved, { consumer_secret: true, rsa_private_key: false, token_secret: false }),
    ).toEqual([]);
  });

  it("refuses PLAINTEXT over plain http except on this computer", () => {
    const d = demo();
    d.signature_method = "PLAINTEXT";
    expect(fields(d)).toEqual([]);
    d.endpoints.request_token.url = "http://api.example.com/rt";
    expect(fields(d)).toEqual(["signature_method"]);
  });

  it("needs a resource call for one-legged and pre-issued modes", () => {
    const d = demo();
    d.mode = "one_legged";
    expect(fields(d)).toEqual(["resource"]);
    d.mode = "pre_issued_token";
    expect(fields(d)).toEqual(["token.token", "token.secret", "resource"]);
    d.token = { token: "t", secret: "s" };
    d.resource = {
      method: "GET",
      url: "https://api.example.com/me",
      content_type: null,
      body: null,
      headers: [],
      masked_headers: [],
    };
    expect(fields(d)).toEqual([]);
  });

  it("checks the extra authorize parameters", () => {
    const d = demo();
    d.authorize_params = [
      ["", "x"],
      ["oauth_token", "y"],
      ["scope", "read"],
    ];
    expect(validateDraft(d).map((p) => p.message)).toEqual([
      "an extra authorize-URL parameter has no name",
      "oauth_token is added to the authorize URL by Signet: remove it from the extra parameters",
    ]);
  });
});

describe("callbackUrl and urlProblem", () => {
  it("builds the oauth_callback each mode sends", () => {
    const d = demo();
    expect(callbackUrl(d)).toBe("signet://callback");
    d.callback = { mode: "loopback", loopback_port: 8765, loopback_path: "cb", oob_url: null };
    expect(callbackUrl(d)).toBe("http://127.0.0.1:8765/cb");
    d.callback.loopback_port = 0;
    expect(callbackUrl(d)).toBe("http://127.0.0.1:PORT/cb");
    d.callback.mode = "oob";
    expect(callbackUrl(d)).toBe("oob");
  });

  it("explains unusable URLs", () => {
    expect(urlProblem("")).toBe("is empty");
    expect(urlProblem("example.com")).toMatch(/not an absolute address/);
    expect(urlProblem("https://u:p@example.com")).toMatch(/user name or password/);
    expect(urlProblem("https://example.com/x?y=1")).toBeNull();
  });
});

describe("problemsByField", () => {
  it("groups messages and maps FlowConfig names to form fields", () => {
    const m = problemsByField([
      { field: "key", message: "a" },
      { field: "key", message: "b" },
      { field: "sign_options.placement", message: "c" },
    ]);
    expect(m.get("key")).toEqual(["a", "b"]);
    expect(m.get("placement")).toEqual(["c"]);
  });
});
