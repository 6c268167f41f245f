import { describe, expect, it } from "vitest";
import { finished, isSignatureFailure, sentence } from "./text";

describe("sentence", () => {
  it("capitalises and ends a phrase", () => {
    expect(sentence("the provider had an internal error")).toBe(
      "The provider had an internal error.",
    );
    expect(sentence("wait a moment and retry")).toBe("Wait a moment and retry.");
  });
  it("leaves finished sentences and empty text alone", () => {
    expect(sentence("Already done.")).toBe("Already done.");
    expect(sentence("really?")).toBe("Really?");
    expect(sentence("  ")).toBe("");
  });
});

describe("isSignatureFailure", () => {
  it("is true only when a signature was refused", () => {
    expect(
      isSignatureFailure([
        "provider_problem",
        "the provider refused the request: signature_invalid",
      ]),
    ).toBe(true);
    expect(isSignatureFailure(["http_status", "the provider answered http 500"])).toBe(false);
    expect(isSignatureFailure(["not_token_response", "the response is an HTML page"])).toBe(false);
  });
});

describe("finished", () => {
  it("ends a phrase with a full stop and keeps its case", () => {
    expect(finished("start the flow again in Signet")).toBe("start the flow again in Signet.");
    expect(finished("done already.")).toBe("done already.");
    expect(finished("what now?")).toBe("what now?");
    expect(finished(" ")).toBe("");
  });
});
