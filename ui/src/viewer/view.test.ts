import { describe, expect, it } from "vitest";

import { parseBody } from "./body";
import { FoldState, PAGE_SIZE } from "./fold";
import { jsonRows } from "./json";
import { EXPAND_BUDGET, LARGE_BODY, collapseAll, expandAll, startFold } from "./view";
import { xmlRows } from "./xml";

const json = (value: unknown) => {
  const text = JSON.stringify(value);
  return { text, parsed: parseBody("application/json", text) };
};
const rowsOf = (parsed: ReturnType<typeof parseBody>, fold: FoldState) =>
  parsed.kind === "json"
    ? jsonRows(parsed.value, fold)
    : parsed.kind === "xml"
      ? xmlRows(parsed.nodes, fold)
      : [];

describe("startFold", () => {
  it("opens the root and its children, not deeper", () => {
    const value = { a: { b: { c: 1 } }, list: [[1], [2]] };
    const { text, parsed } = json(value);
    const fold = startFold(parsed, text.length);
    const open = (parsed.kind === "json" && parsed.value) as typeof value;
    expect(fold.isOpen(open)).toBe(true);
    expect(fold.isOpen(open.a)).toBe(true);
    expect(fold.isOpen(open.list)).toBe(true);
    expect(fold.isOpen(open.a.b)).toBe(false);
    expect(fold.isOpen(open.list[0])).toBe(false);
  });

  it("starts a large body entirely folded: one row", () => {
    const { text, parsed } = json(
      Array.from({ length: 60_000 }, (_, i) => ({ i, pad: "x".repeat(20) })),
    );
    expect(text.length).toBeGreaterThan(LARGE_BODY);
    const fold = startFold(parsed, text.length);
    expect(fold.open.size).toBe(0);
    expect(rowsOf(parsed, fold)).toHaveLength(1);
  });

  it("opens nothing for text and empty bodies", () => {
    expect(startFold(parseBody("text/plain", "hi"), 2).open.size).toBe(0);
    expect(startFold(parseBody(null, ""), 0).open.size).toBe(0);
  });

  it("opens XML two levels deep", () => {
    const parsed = parseBody("application/xml", "<a><b><c><d/><e/></c></b></a>");
    const fold = startFold(parsed, 30);
    expect(rowsOf(parsed, fold)).toHaveLength(5); // <a>, <b>, <c>…</c>, </b>, </a>
  });
});

describe("expandAll and collapseAll", () => {
  it("opens every level of a small body and folds back to the top level", () => {
    const { text, parsed } = json({ a: { b: { c: { d: [1, 2] } } } });
    const fold = startFold(parsed, text.length);
    const before = rowsOf(parsed, fold).length;
    expandAll(fold, parsed);
    expect(fold.note).toBe("");
    const all = rowsOf(parsed, fold);
    expect(all.length).toBeGreaterThan(before);
    expect(all.some((r) => r.type === "node" && r.depth === 5)).toBe(true);
    collapseAll(fold, parsed);
    expect(rowsOf(parsed, fold)).toHaveLength(3); // {, "a": {…}, }
  });

  it("stops at the budget on a big body and says so", () => {
    const { text, parsed } = json(
      Array.from({ length: 300 }, (_, i) => ({
        i,
        children: Array.from({ length: 50 }, (_, j) => ({ j })),
      })),
    );
    const fold = startFold(parsed, text.length);
    expandAll(fold, parsed);
    expect(fold.note).toMatch(/Opened what fits/);
    expect(rowsOf(parsed, fold).length).toBeLessThanOrEqual(EXPAND_BUDGET);
  });

  it("respects pages already shown", () => {
    const { text, parsed } = json(Array.from({ length: 250 }, (_, i) => [i]));
    const fold = startFold(parsed, text.length);
    const root = parsed.kind === "json" ? (parsed.value as object) : {};
    fold.showMore(root, 250);
    expandAll(fold, parsed);
    const rows = rowsOf(parsed, fold);
    // root, 200 open arrays of one item (3 rows each), the "more" row, the closer
    expect(rows).toHaveLength(1 + 2 * PAGE_SIZE * 3 + 1 + 1);
  });

  it("does nothing for text", () => {
    const fold = new FoldState();
    expandAll(fold, parseBody("text/plain", "x"));
    collapseAll(fold, parseBody("text/plain", "x"));
    expect(fold.open.size).toBe(0);
  });
});
