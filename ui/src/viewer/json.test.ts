import { describe, expect, it } from "vitest";

import { FoldState, PAGE_SIZE, planOpen, applyPlan } from "./fold";
import {
  LosslessNumber,
  STRING_LIMIT,
  childCount,
  jsonAdapter,
  jsonRows,
  jsonScalar,
  jsonSummary,
  jsonType,
  keysOf,
  lossyNumbers,
  parseJson,
  sameDecimal,
  wholeStringLabel,
  type JsonRow,
} from "./json";

const value = (text: string): unknown => {
  const r = parseJson(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
// A row as the viewer would print it, to compare whole trees at a glance.
const line = (r: JsonRow): string => {
  const pad = "  ".repeat(r.depth);
  if (r.type === "more") return `${pad}(${r.shown} of ${r.total})`;
  if (r.type === "close") return `${pad}${r.text}${r.comma ? "," : ""}`;
  const key = r.key !== null ? `${r.key}: ` : r.index !== null ? `${r.index}: ` : "";
  return `${pad}${key}${r.text}${r.comma ? "," : ""}`;
};

describe("parseJson", () => {
  it("parses objects, arrays and scalars", () => {
    expect(value('{"a": [1, true, null, "x"]}')).toEqual({ a: [1, true, null, "x"] });
    expect(value("42")).toBe(42);
    expect(value('"only a string"')).toBe("only a string");
  });
  it("fails with the parser's reason, never throws", () => {
    for (const bad of ["", "{", '{"a":}', "[1,]", "{'a':1}", "NaN", "<html>", "{} {}"]) {
      const r = parseJson(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.error.length).toBeGreaterThan(0);
    }
  });
  it("skips a byte order mark", () => {
    expect(value('\uFEFF{"a":1}')).toEqual({ a: 1 });
  });
  it("keeps unicode text and escapes as they decode", () => {
    expect(value('{"name":"café 日本 😀","esc":"\\u00e9\\n\\ud83d\\ude00"}')).toEqual({
      name: "café 日本 😀",
      esc: "é\n😀",
    });
  });
  it("parses 100,000 levels of nesting", () => {
    const depth = 100_000;
    const v = value("[".repeat(depth) + "]".repeat(depth));
    let d = 0;
    let cur = v;
    while (Array.isArray(cur) && cur.length > 0) {
      cur = cur[0];
      d++;
    }
    expect(d).toBe(depth - 1);
  });
});

describe("numbers that JavaScript cannot hold", () => {
  it("keeps the exact digits of long ids and huge exponents", () => {
    const v = value(
      '{"id": 12345678901234567890, "ok": 1234, "big": 1e400, "list": [9007199254740993]}',
    ) as Record<string, unknown>;
    expect(v.id).toBeInstanceOf(LosslessNumber);
    expect(jsonScalar(v.id)).toBe("12345678901234567890");
    expect(v.ok).toBe(1234);
    expect(jsonScalar(v.big)).toBe("1e400");
    expect(jsonScalar((v.list as unknown[])[0])).toBe("9007199254740993");
    expect(jsonType(v.id)).toBe("number");
  });
  it("leaves numbers alone that round-trip, and lossy ones at the root too", () => {
    expect(value("[9007199254740991, 0.1, 1.5e3, 1e21, 123456789012345.6]")).toEqual([
      9007199254740991, 0.1, 1500, 1e21, 123456789012345.6,
    ]);
    expect(jsonScalar(value("12345678901234567890"))).toBe("12345678901234567890");
  });
  it("is not fooled by digits inside strings", () => {
    const v = value('{"s":"12345678901234567890", "n": 12345678901234567890}') as Record<
      string,
      unknown
    >;
    expect(v.s).toBe("12345678901234567890");
    expect(v.n).toBeInstanceOf(LosslessNumber);
    expect(lossyNumbers('["\\"12345678901234567890", 1]')).toEqual([]);
  });
  it("finds the offsets of lossy literals", () => {
    const src = "[1, 12345678901234567890, -98765432109876543210]";
    expect(lossyNumbers(src).map(([s, e]) => src.slice(s, e))).toEqual([
      "12345678901234567890",
      "-98765432109876543210",
    ]);
  });
  it("notes the loss when the body spells \\u0000 (and keeps the plain value)", () => {
    const r = parseJson('{"nul":"\\u0000", "n": 12345678901234567890}');
    expect(r.ok && r.note).toMatch(/more digits/);
    expect(r.ok && typeof (r.value as Record<string, unknown>).n).toBe("number");
  });
  it("compares decimals exactly", () => {
    expect(sameDecimal("1.50", "1.5")).toBe(true);
    expect(sameDecimal("15e-1", "1.5")).toBe(true);
    expect(sameDecimal("-0", "0")).toBe(true);
    expect(sameDecimal("0.000", "0")).toBe(true);
    expect(sameDecimal("12345678901234567890", "12345678901234567000")).toBe(false);
    expect(sameDecimal("1e400", "Infinity")).toBe(false);
  });
});

describe("summaries", () => {
  it("counts keys and items, in the singular too", () => {
    expect(jsonSummary({ a: 1, b: 2 })).toBe("{…} 2 keys");
    expect(jsonSummary({ a: 1 })).toBe("{…} 1 key");
    expect(jsonSummary(Array.from({ length: 300 }))).toBe("[…] 300 items");
    expect(jsonSummary([1])).toBe("[…] 1 item");
    expect(jsonSummary({})).toBe("{}");
    expect(jsonSummary([])).toBe("[]");
    expect(jsonSummary(Array.from({ length: 12345 }))).toBe("[…] 12,345 items");
  });
  it("prints scalars as JSON", () => {
    expect(jsonScalar('a"b\n')).toBe('"a\\"b\\n"');
    expect(jsonScalar(-0)).toBe("-0");
    expect(jsonScalar(1.5)).toBe("1.5");
    expect(jsonScalar(null)).toBe("null");
    expect(jsonScalar(false)).toBe("false");
    expect(jsonScalar("日本😀")).toBe('"日本😀"');
  });
  it("types values", () => {
    expect([{}, [], "", 0, true, null].map(jsonType)).toEqual([
      "object",
      "array",
      "string",
      "number",
      "boolean",
      "null",
    ]);
  });
  it("lists an object's keys once", () => {
    const o = { b: 1, a: 2 };
    expect(keysOf(o)).toBe(keysOf(o));
    expect(keysOf(o)).toEqual(["b", "a"]);
    expect(childCount(o)).toBe(2);
    expect(childCount("abc")).toBe(0);
  });
  it("folds only non-empty containers", () => {
    expect(jsonAdapter.container({ key: null, value: {} })).toBeNull();
    expect(jsonAdapter.container({ key: null, value: [] })).toBeNull();
    expect(jsonAdapter.container({ key: null, value: "x" })).toBeNull();
    const o = { a: 1 };
    expect(jsonAdapter.container({ key: null, value: o })).toBe(o);
  });
});

describe("jsonRows", () => {
  const doc = value('{"id":7,"tags":["a","b"],"owner":{"name":"Zoë","roles":[]},"empty":{}}');

  it("starts with one closed row when nothing is open", () => {
    expect(jsonRows(doc, new FoldState()).map(line)).toEqual(["{…} 4 keys"]);
  });

  it("prints open containers like pretty JSON, with commas and closers", () => {
    const fold = new FoldState();
    applyPlan(
      fold,
      planOpen([{ key: null, value: doc }], jsonAdapter, { maxDepth: 1, budget: 100 }),
    );
    expect(jsonRows(doc, fold).map(line)).toEqual([
      "{",
      '  "id": 7,',
      '  "tags": […] 2 items,',
      '  "owner": {…} 2 keys,',
      '  "empty": {}',
      "}",
    ]);
    fold.toggle((doc as Record<string, object>).tags);
    fold.toggle((doc as Record<string, object>).owner);
    expect(jsonRows(doc, fold).map(line)).toEqual([
      "{",
      '  "id": 7,',
      '  "tags": [',
      '    0: "a",',
      '    1: "b"',
      "  ],",
      '  "owner": {',
      '    "name": "Zoë",',
      '    "roles": []',
      "  },",
      '  "empty": {}',
      "}",
    ]);
  });

  it("marks containers for the fold button", () => {
    const fold = new FoldState();
    const [root] = jsonRows(doc, fold);
    expect(root).toMatchObject({ type: "node", container: doc, open: false, detail: "4 keys" });
    fold.toggle(doc as object);
    const rows = jsonRows(doc, fold);
    expect(rows[0]).toMatchObject({ open: true, text: "{" });
    expect(rows[1]).toMatchObject({ container: null, valueType: "number", text: "7" });
  });

  it("pages a long array", () => {
    const big = Array.from({ length: 250 }, (_, i) => i);
    const fold = new FoldState();
    fold.toggle(big);
    let rows = jsonRows(big, fold);
    expect(rows).toHaveLength(1 + PAGE_SIZE + 2);
    expect(rows.at(-2)).toMatchObject({ type: "more", shown: 100, total: 250 });
    fold.showMore(big, big.length);
    fold.showMore(big, big.length);
    rows = jsonRows(big, fold);
    expect(rows).toHaveLength(1 + 250 + 1);
    expect(line(rows.at(-2)!)).toBe("  249: 249");
  });

  it("caps long strings until they are shown whole", () => {
    const long = "é".repeat(STRING_LIMIT * 3);
    const doc = { blob: long };
    const fold = new FoldState();
    fold.toggle(doc);
    const row = jsonRows(doc, fold)[1];
    expect(row.type === "node" && row.clippedOf).toBe(STRING_LIMIT * 3);
    expect(row.type === "node" && row.text.length).toBeLessThan(STRING_LIMIT + 5);
    expect(row.type === "node" && row.text.endsWith("…")).toBe(true);
    fold.wholeStrings.add(row.id);
    const whole = jsonRows(doc, fold)[1];
    expect(whole.type === "node" && whole.text).toBe(JSON.stringify(long));
    expect(whole.type === "node" && whole.clippedOf).toBeNull();
    expect(wholeStringLabel(12345)).toBe("Show all 12,345 characters");
  });

  it("lays out a 1 MB body quickly, touching only what is shown", () => {
    const items = Array.from({ length: 10_000 }, (_, i) => ({
      id: i,
      name: `item ${i} ${"x".repeat(60)}`,
      tags: ["a", "b", "c"],
    }));
    const text = JSON.stringify({ items });
    expect(text.length).toBeGreaterThan(1_000_000);
    const doc = value(text);
    const fold = new FoldState();
    applyPlan(
      fold,
      planOpen([{ key: null, value: doc }], jsonAdapter, { maxDepth: 2, budget: 2000 }),
    );
    const t0 = performance.now();
    const rows = jsonRows(doc, fold);
    const took = performance.now() - t0;
    // root, items (open, first page of 100 closed objects), more, two closers
    expect(rows).toHaveLength(1 + 1 + PAGE_SIZE + 1 + 1 + 1);
    expect(rows[2]).toMatchObject({ index: 0, text: "{…} 3 keys" });
    expect(took).toBeLessThan(200);
  });

  it("survives deep nesting when everything is opened", () => {
    const depth = 20_000;
    const doc = value("[".repeat(depth) + "1" + "]".repeat(depth));
    const fold = new FoldState();
    const plan = planOpen([{ key: null, value: doc }], jsonAdapter, {
      maxDepth: Infinity,
      budget: 5000,
    });
    expect(plan.complete).toBe(false);
    applyPlan(fold, plan);
    const rows = jsonRows(doc, fold);
    expect(rows.length).toBe(plan.rows);
  });

  it("shows a scalar root as a single row", () => {
    expect(jsonRows("hi", new FoldState()).map(line)).toEqual(['"hi"']);
    expect(jsonRows(null, new FoldState()).map(line)).toEqual(["null"]);
  });
});
