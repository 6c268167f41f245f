import { describe, expect, it } from "vitest";

import {
  clipText,
  formatBytes,
  formatCount,
  formatDuration,
  mediaType,
  plural,
  reasonPhrase,
  safeCut,
  statusTone,
  tabTarget,
  truncationNotice,
  utf8Length,
} from "./format";

describe("formatBytes", () => {
  it("counts bytes in words below a kilobyte", () => {
    expect(formatBytes(0)).toBe("0 bytes");
    expect(formatBytes(1)).toBe("1 byte");
    expect(formatBytes(512)).toBe("512 bytes");
    expect(formatBytes(1023)).toBe("1023 bytes");
  });
  it("uses KB and MB, one decimal below ten", () => {
    expect(formatBytes(1024)).toBe("1 KB");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(12 * 1024 + 300)).toBe("12 KB");
    expect(formatBytes(10 * 1024 * 1024)).toBe("10 MB");
    expect(formatBytes(2.25 * 1024 * 1024)).toBe("2.3 MB");
    expect(formatBytes(3 * 1024 ** 3)).toBe("3 GB");
  });
  it("moves to the next unit instead of showing 1024 of one", () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe("1 MB");
    expect(formatBytes(1024 * 1023.7)).toBe("1 MB");
  });
  it("reads nonsense as nothing", () => {
    expect(formatBytes(-5)).toBe("0 bytes");
    expect(formatBytes(Number.NaN)).toBe("0 bytes");
  });
});

describe("formatDuration", () => {
  it("is empty when unknown", () => {
    expect(formatDuration(null)).toBe("");
    expect(formatDuration(undefined)).toBe("");
    expect(formatDuration(-1)).toBe("");
  });
  it("uses ms, then seconds, then minutes", () => {
    expect(formatDuration(0)).toBe("0 ms");
    expect(formatDuration(123.4)).toBe("123 ms");
    expect(formatDuration(1250)).toBe("1.25 s");
    expect(formatDuration(2000)).toBe("2 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
  });
});

describe("counts", () => {
  it("separates thousands and agrees in number", () => {
    expect(formatCount(1234567)).toBe("1,234,567");
    expect(formatCount(999)).toBe("999");
    expect(plural(1, "key")).toBe("1 key");
    expect(plural(12, "key")).toBe("12 keys");
    expect(plural(0, "item")).toBe("0 items");
    expect(plural(2, "child", "children")).toBe("2 children");
  });
});

describe("reasonPhrase and statusTone", () => {
  it("knows the standard phrases", () => {
    expect(reasonPhrase(200)).toBe("OK");
    expect(reasonPhrase(404)).toBe("Not Found");
    expect(reasonPhrase(429)).toBe("Too Many Requests");
    expect(reasonPhrase(503)).toBe("Service Unavailable");
  });
  it("falls back to the class, then to nothing", () => {
    expect(reasonPhrase(299)).toBe("Success");
    expect(reasonPhrase(499)).toBe("Client error");
    expect(reasonPhrase(520)).toBe("Server error");
    expect(reasonPhrase(0)).toBe("");
    expect(reasonPhrase(999)).toBe("");
    expect(reasonPhrase(200.5)).toBe("");
  });
  it("colours 2xx ok, 3xx warn, 4xx and 5xx bad", () => {
    expect(statusTone(200)).toBe("ok");
    expect(statusTone(204)).toBe("ok");
    expect(statusTone(302)).toBe("warn");
    expect(statusTone(401)).toBe("bad");
    expect(statusTone(500)).toBe("bad");
    expect(statusTone(101)).toBe("info");
    expect(statusTone(0)).toBe("info");
  });
});

describe("utf8Length", () => {
  it("matches TextEncoder for ASCII, accents, CJK and emoji", () => {
    for (const s of ["", "abc", "café", "日本語", "😀 ok", "a\u0000b"]) {
      expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
    }
  });
  it("counts a lone surrogate as the replacement character", () => {
    expect(utf8Length("\ud800")).toBe(3);
    expect(utf8Length("\ud800x")).toBe(4);
  });
});

describe("truncationNotice", () => {
  it("says nothing for a whole body", () => {
    expect(truncationNotice({ body: "abc", body_bytes: 3, truncated: false })).toBeNull();
  });
  it("says how much of how much", () => {
    const body = "x".repeat(1024 * 1024);
    expect(truncationNotice({ body, body_bytes: 8 * 1024 * 1024, truncated: true })).toBe(
      "Showing the first 1 MB of 8 MB: the rest was not kept.",
    );
  });
});

describe("clipText and safeCut", () => {
  it("leaves short text alone", () => {
    expect(clipText("hello", 10)).toEqual({ text: "hello", clipped: false, total: 5 });
    expect(clipText("", 0)).toEqual({ text: "", clipped: false, total: 0 });
  });
  it("cuts long text at the limit", () => {
    expect(clipText("abcdef", 3)).toEqual({ text: "abc", clipped: true, total: 6 });
  });
  it("never splits a surrogate pair", () => {
    const s = "ab😀cd"; // 😀 is two UTF-16 units at 2 and 3
    expect(safeCut(s, 3)).toBe(2);
    expect(clipText(s, 3).text).toBe("ab");
    expect(clipText(s, 4).text).toBe("ab😀");
    expect(safeCut(s, -1)).toBe(0);
    expect(safeCut(s, 99)).toBe(s.length);
  });
});

describe("mediaType", () => {
  it("keeps the essence in lower case", () => {
    expect(mediaType("Application/JSON; charset=UTF-8")).toBe("application/json");
    expect(mediaType(" text/xml ")).toBe("text/xml");
    expect(mediaType(null)).toBe("");
    expect(mediaType("")).toBe("");
  });
});

describe("tabTarget", () => {
  it("moves with the arrows, wrapping, and jumps with Home and End", () => {
    expect(tabTarget(0, 3, "ArrowRight")).toBe(1);
    expect(tabTarget(2, 3, "ArrowRight")).toBe(0);
    expect(tabTarget(0, 3, "ArrowLeft")).toBe(2);
    expect(tabTarget(1, 3, "Home")).toBe(0);
    expect(tabTarget(0, 3, "End")).toBe(2);
  });
  it("ignores other keys and empty lists", () => {
    expect(tabTarget(0, 3, "ArrowDown")).toBeNull();
    expect(tabTarget(0, 3, "Enter")).toBeNull();
    expect(tabTarget(0, 0, "ArrowRight")).toBeNull();
  });
});
