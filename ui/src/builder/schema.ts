// The schema section's view logic: a node's types and presence in words, a drift in words, and
// the taxonomy's tags for a picker. The schema itself — inference, drift, which tags exist, the
// JSON Schema export — is the backend's (crates/connector/src/schema.rs).

import type { Drift, JsonType, SchemaField, SchemaNode, StringFormat, TagGroup } from "../ipc";

const TYPE_WORDS: Record<JsonType, string> = {
  null: "null",
  boolean: "true/false",
  integer: "whole number",
  number: "number",
  string: "text",
  object: "object",
  array: "list",
};

const FORMAT_WORDS: Record<StringFormat, string> = {
  "date-time": "date and time",
  date: "date",
  email: "email address",
  uri: "web address",
  uuid: "UUID",
};

/** "text (email address)", "whole number or null", "list". */
export function typeText(node: SchemaNode): string {
  const words = node.types.map((t) =>
    t === "string" && node.format ? `text (${FORMAT_WORDS[node.format]})` : TYPE_WORDS[t],
  );
  return words.length === 0 ? "never seen" : words.join(" or ");
}

/** Whether a field is missing from some of its parent's objects. */
export function isOptional(parent: SchemaNode, field: SchemaField): boolean {
  return field.present < parent.objects;
}

/** "in 12 of 50" for an optional field, "" for one always present. */
export function presence(parent: SchemaNode, field: SchemaField): string {
  return isOptional(parent, field) ? `in ${field.present} of ${parent.objects}` : "";
}

function types(list: JsonType[]): string {
  return list.map((t) => TYPE_WORDS[t]).join(" or ") || "nothing";
}

/** A drift in words: "status: new field (text)". */
export function driftText(d: Drift): string {
  const at = d.path === "" ? "the answer" : d.path;
  const c = d.change;
  switch (c.kind) {
    case "added":
      return `${at}: new field (${types(c.types)})`;
    case "missing":
      return `${at}: no longer sent`;
    case "type_changed":
      return `${at}: was ${types(c.from)}, now ${types(c.to)}`;
    case "became_optional":
      return `${at}: now missing from some items`;
    case "became_required":
      return `${at}: now always present`;
    case "format_changed":
      return `${at}: was ${c.from ? FORMAT_WORDS[c.from] : "free text"}, now ${c.to ? FORMAT_WORDS[c.to] : "free text"}`;
  }
}

/** The label of a tag id ("Order: customer email"), or the id when the taxonomy lacks it. */
export function tagLabel(groups: readonly TagGroup[], id: string): string {
  for (const g of groups) {
    const t = g.tags.find((x) => x.id === id);
    if (t) return `${g.label}: ${t.label}`;
  }
  return id;
}

/** How many fields a schema's tree holds, nested ones included. */
export function fieldCount(node: SchemaNode): number {
  return (
    node.fields.reduce((n, f) => n + 1 + fieldCount(f.node), 0) +
    (node.items ? fieldCount(node.items) : 0)
  );
}
