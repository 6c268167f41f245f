import { describe, expect, it } from "vitest";

import type { PageRecord } from "../ipc";
import {
  PAGE_METHODS,
  count,
  defaultMethod,
  methodInfo,
  newPagination,
  oneLine,
  rowOfEvent,
  rowOfPage,
  sourceAs,
  statusText,
  switchMethod,
  visibleRange,
} from "./pagination";

describe("pagination methods", () => {
  it("names, explains and exemplifies every method, each with its own default", () => {
    expect(PAGE_METHODS.map((m) => m.value)).toEqual([
      "limit_offset",
      "page_number",
      "next_token",
      "next_url",
      "link_header",
      "relative_uri",
      "graphql_cursor",
    ]);
    for (const m of PAGE_METHODS) {
      expect(m.explain.length).toBeGreaterThan(20);
      expect(m.example.length).toBeGreaterThan(10);
      expect(defaultMethod(m.value).type).toBe(m.value);
      expect(methodInfo(m.value)).toBe(m);
    }
  });

  it("starts a setting with limits that protect the user", () => {
    const p = newPagination("limit_offset");
    expect(p.limits).toEqual({ max_pages: 100, max_items: 10000 });
    expect(p.stop).toEqual({ empty_page: true, short_page: true, total: null });
    expect(newPagination("graphql_cursor").items).toBe("/data/items/nodes");
  });

  it("keeps the items path, stop rules and limits when the method changes", () => {
    const p = { ...newPagination("limit_offset"), items: "/orders" };
    p.limits.max_pages = 7;
    const q = switchMethod(p, "link_header");
    expect(q.method).toEqual({ type: "link_header" });
    expect(q.items).toBe("/orders");
    expect(q.limits.max_pages).toBe(7);
    expect(switchMethod(q, "link_header")).toBe(q);
  });

  it("switches a value source between the body and a header", () => {
    expect(sourceAs({ from: "body", path: "/next" }, "header")).toEqual({
      from: "header",
      name: "",
    });
    const s = { from: "header" as const, name: "X-Next" };
    expect(sourceAs(s, "header")).toBe(s);
  });
});

describe("the page list", () => {
  it("reads an event and a finished page alike", () => {
    const e = rowOfEvent({
      job: "j",
      number: 3,
      status: 500,
      duration_ms: 12,
      items: 0,
      total_items: 100,
      attempts: 2,
      page_items: [],
    });
    expect(e).toEqual({ number: 3, status: 500, durationMs: 12, items: 0, attempts: 2 });
    expect(statusText(e)).toBe("500 (sent twice)");
    const page = {
      number: 1,
      call: { response: null, duration_ms: null },
      items: 0,
      attempts: 1,
    } as unknown as PageRecord;
    expect(statusText(rowOfPage(page))).toBe("no answer");
  });

  it("shows an item on one line, cut", () => {
    expect(oneLine({ id: 1 })).toBe('{"id":1}');
    expect(oneLine({ text: "x".repeat(500) }, 20)).toHaveLength(20);
    expect(oneLine(undefined)).toBe("null");
  });

  it("renders only the rows in view", () => {
    expect(visibleRange(0, 240, 24, 10000)).toEqual({ start: 0, end: 20 });
    expect(visibleRange(2400, 240, 24, 10000)).toEqual({ start: 90, end: 120 });
    expect(visibleRange(1e9, 240, 24, 50)).toEqual({ start: 50, end: 50 });
    expect(visibleRange(-5, 240, 24, 5)).toEqual({ start: 0, end: 5 });
  });
});

describe("counts", () => {
  it("group thousands the same everywhere", () => {
    expect(count(0)).toBe("0");
    expect(count(999)).toBe("999");
    expect(count(1234)).toBe("1,234");
    expect(count(10000)).toBe("10,000");
    expect(count(1234567)).toBe("1,234,567");
  });
});
