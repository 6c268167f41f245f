import { describe, expect, it } from "vitest";

import type { SchemaNode } from "../ipc";
import { driftText, fieldCount, isOptional, presence, tagLabel, typeText } from "./schema";

function node(over: Partial<SchemaNode> = {}): SchemaNode {
  return {
    types: ["string"],
    seen: 1,
    nulls: 0,
    objects: 0,
    arrays: 0,
    format: null,
    fields: [],
    items: null,
    example: null,
    tag: null,
    skipped_fields: 0,
    unexplored: 0,
    ...over,
  };
}

describe("schema words", () => {
  it("names types with their format", () => {
    expect(typeText(node({ format: "email" }))).toBe("text (email address)");
    expect(typeText(node({ types: ["integer", "null"] }))).toBe("whole number or null");
    expect(typeText(node({ types: [] }))).toBe("never seen");
  });

  it("tells an optional field by its parent's object count", () => {
    const f = { name: "note", present: 3, node: node() };
    const parent = node({ types: ["object"], objects: 5, fields: [f] });
    expect(isOptional(parent, f)).toBe(true);
    expect(presence(parent, f)).toBe("in 3 of 5");
    const always = { ...f, present: 5 };
    expect(presence(parent, always)).toBe("");
  });

  it("says each drift in words", () => {
    expect(driftText({ path: "status", change: { kind: "added", types: ["string"] } })).toBe(
      "status: new field (text)",
    );
    expect(driftText({ path: "legacy", change: { kind: "missing" } })).toBe(
      "legacy: no longer sent",
    );
    expect(
      driftText({
        path: "total",
        change: { kind: "type_changed", from: ["integer"], to: ["string"] },
      }),
    ).toBe("total: was whole number, now text");
    expect(driftText({ path: "", change: { kind: "became_required" } })).toBe(
      "the answer: now always present",
    );
    expect(
      driftText({ path: "at", change: { kind: "format_changed", from: "date", to: null } }),
    ).toBe("at: was date, now free text");
  });

  it("labels tags from the taxonomy", () => {
    const groups = [
      { id: "orders", label: "Order", tags: [{ id: "order.id", label: "id", hint: "" }] },
    ];
    expect(tagLabel(groups, "order.id")).toBe("Order: id");
    expect(tagLabel(groups, "other")).toBe("other");
  });

  it("counts nested fields", () => {
    const inner = node({ types: ["object"], fields: [{ name: "sku", present: 1, node: node() }] });
    const root = node({
      types: ["object"],
      fields: [
        { name: "id", present: 1, node: node() },
        { name: "lines", present: 1, node: node({ types: ["array"], items: inner }) },
      ],
    });
    expect(fieldCount(root)).toBe(3);
  });
});
