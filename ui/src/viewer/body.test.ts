import { describe, expect, it } from "vitest";

import { isJsonType, isXmlType, parseBody } from "./body";

describe("content types", () => {
  it("knows JSON and XML by their names and suffixes", () => {
    for (const t of [
      "application/json",
      "text/json",
      "application/problem+json",
      "application/vnd.api+json",
      "application/x-json",
    ]) {
      expect(isJsonType(t), t).toBe(true);
    }
    for (const t of [
      "application/xml",
      "text/xml",
      "application/atom+xml",
      "application/soap+xml",
      "image/svg+xml",
    ]) {
      expect(isXmlType(t), t).toBe(true);
    }
    for (const t of ["text/html", "text/plain", "application/jsonp", "application/x-ndjson", ""]) {
      expect(isJsonType(t), t).toBe(false);
      expect(isXmlType(t), t).toBe(false);
    }
  });
});

describe("parseBody", () => {
  it("shows an empty body as empty, whatever the type", () => {
    expect(parseBody("application/json", "")).toEqual({ kind: "empty" });
    expect(parseBody(null, "")).toEqual({ kind: "empty" });
    expect(parseBody("application/json", "  \n").kind).toBe("empty");
  });

  it("parses JSON the content type announces, with parameters and any case", () => {
    const r = parseBody("Application/JSON; charset=utf-8", '{"a":[1,2]}');
    expect(r).toEqual({ kind: "json", value: { a: [1, 2] } });
    expect(parseBody("application/problem+json", '{"title":"x"}').kind).toBe("json");
  });

  it("falls back to text with a reason when claimed JSON does not parse", () => {
    const r = parseBody("application/json", "<html>Gateway Timeout</html>");
    expect(r.kind).toBe("text");
    expect(r.note).toMatch(
      /^Shown as text: the content type says JSON, but the body does not parse \(.+\)\.$/,
    );
  });

  it("blames truncation when the body was cut short", () => {
    const r = parseBody("application/json", '{"items":[1,2,', { truncated: true });
    expect(r.kind).toBe("text");
    expect(r.note).toMatch(/cut short/);
    const x = parseBody("text/xml", "<a><b>", { truncated: true });
    expect(x.kind).toBe("text");
    expect(x.note).toMatch(/cut short/);
  });

  it("parses XML the content type announces, or says where it breaks", () => {
    const r = parseBody("application/xml", '<?xml version="1.0"?><a><b/></a>');
    expect(r.kind).toBe("xml");
    expect(r.kind === "xml" && r.root.name).toBe("a");
    const bad = parseBody("text/xml", "<a>\n<b></a>");
    expect(bad.kind).toBe("text");
    expect(bad.note).toMatch(
      /not well-formed \(line 2, column 4: <\/a> where <\/b> was expected\)/,
    );
  });

  it("never shows HTML as anything but text, even well-formed", () => {
    expect(parseBody("text/html; charset=utf-8", "<p>hi</p>")).toEqual({ kind: "text" });
    expect(parseBody(null, "<!DOCTYPE html><html><body>x</body></html>")).toEqual({ kind: "text" });
    expect(parseBody(null, "<html><p>x</p></html>")).toEqual({ kind: "text" });
  });

  it("sniffs JSON and XML when the content type does not say, and notes it", () => {
    const j = parseBody(null, '  [{"a":1}]');
    expect(j.kind).toBe("json");
    expect(j.note).toMatch(/no content type/);
    const t = parseBody("text/plain", '{"a":1}');
    expect(t.kind).toBe("json");
    expect(t.note).toMatch(/text\/plain/);
    const x = parseBody("application/octet-stream", "<r><i>1</i></r>");
    expect(x.kind).toBe("xml");
    expect(x.note).toMatch(/octet-stream/);
  });

  it("leaves plain text alone, without a note, when sniffing fails", () => {
    expect(parseBody("text/plain", "hello {world}")).toEqual({ kind: "text" });
    expect(parseBody(null, "{not json")).toEqual({ kind: "text" });
    expect(parseBody(null, "<not xml")).toEqual({ kind: "text" });
    expect(parseBody(null, "   ")).toEqual({ kind: "text" });
    expect(parseBody("text/csv", "a,b\n1,2")).toEqual({ kind: "text" });
  });

  it("keeps unicode and a byte order mark", () => {
    const r = parseBody("application/json", '\uFEFF{"name":"Zoë 日本 😀"}');
    expect(r).toEqual({ kind: "json", value: { name: "Zoë 日本 😀" } });
  });

  it("carries the note about lost digits", () => {
    const r = parseBody("application/json", '["\\u0000", 12345678901234567890]');
    expect(r.kind).toBe("json");
    expect(r.note).toMatch(/more digits/);
  });

  it("handles a 1 MB body of each kind", () => {
    const json = JSON.stringify(
      Array.from({ length: 30_000 }, (_, i) => ({ i, s: "ü".repeat(20) })),
    );
    expect(json.length).toBeGreaterThan(1_000_000);
    const j = parseBody("application/json", json);
    expect(j.kind === "json" && (j.value as unknown[]).length).toBe(30_000);

    const text = "line of text\n".repeat(100_000);
    expect(parseBody("text/plain", text)).toEqual({ kind: "text" });

    const cut = json.slice(0, 1_000_000);
    expect(parseBody("application/json", cut, { truncated: true }).kind).toBe("text");
  });
});
