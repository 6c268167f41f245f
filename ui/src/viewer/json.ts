// JSON for the response viewer: parsing without losing digits, summaries of objects and arrays,
// and the rows of the foldable tree (see fold.ts for the folding itself).

import { flatten, type FoldState, type TreeAdapter } from "./fold";
import { clipText, formatCount, plural } from "./format";

/** A number JavaScript cannot hold exactly (too many digits, or out of range): its source text. */
export class LosslessNumber {
  constructor(readonly source: string) {}
  toString(): string {
    return this.source;
  }
}

export type JsonParse = { ok: true; value: unknown; note?: string } | { ok: false; error: string };

/**
 * Parses JSON with the platform's JSON.parse. Numbers that would lose digits there (long ids,
 * 1e400) are kept as `LosslessNumber` with their exact text. Never throws.
 */
export function parseJson(text: string): JsonParse {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(src);
  } catch (e) {
    return { ok: false, error: errorMessage(e) };
  }
  // Only a literal of 16 or more digit characters, or a three-digit exponent, can lose
  // anything: look for the (rare) candidates before doing any more work.
  if (!/[0-9.]{16}|[eE][+-]?[0-9]{3}/.test(src)) return { ok: true, value };
  const lossy = lossyNumbers(src);
  if (lossy.length === 0) return { ok: true, value };
  // Re-parse with those numbers turned into tagged strings, then tag them back into numbers.
  // JSON strings cannot hold a raw NUL, only the escape, so the tag is unambiguous unless the
  // body itself spells that escape.
  if (src.includes("\\u0000")) {
    return {
      ok: true,
      value,
      note: LOSSY_NOTE,
    };
  }
  const parts: string[] = [];
  let at = 0;
  for (const [start, end] of lossy) {
    parts.push(src.slice(at, start), `"${TAG_ESCAPED}${src.slice(start, end)}"`);
    at = end;
  }
  parts.push(src.slice(at));
  try {
    return { ok: true, value: untag(JSON.parse(parts.join(""))) };
  } catch {
    return { ok: true, value, note: LOSSY_NOTE };
  }
}

const LOSSY_NOTE =
  "Some numbers have more digits than JavaScript keeps: the Raw tab has them exactly.";
const TAG = "\u0000lossless:";
/** The tag as JSON source: the escape, since a raw NUL is not allowed in a JSON string. */
const TAG_ESCAPED = "\\u0000lossless:";

function untag(value: unknown): unknown {
  const fix = (v: unknown): unknown =>
    typeof v === "string" && v.startsWith(TAG) ? new LosslessNumber(v.slice(TAG.length)) : v;
  const root = fix(value);
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        v[i] = fix(v[i]);
        if (v[i] !== null && typeof v[i] === "object") stack.push(v[i]);
      }
    } else if (v !== null && typeof v === "object" && !(v instanceof LosslessNumber)) {
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) {
        o[k] = fix(o[k]);
        if (o[k] !== null && typeof o[k] === "object") stack.push(o[k]);
      }
    }
  }
  return root;
}

function errorMessage(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.length > 200 ? `${msg.slice(0, 200)}…` : msg;
}

/**
 * The [start, end) offsets of the number literals in valid JSON `src` that JavaScript numbers
 * cannot represent exactly. One pass, strings skipped.
 */
export function lossyNumbers(src: string): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  const n = src.length;
  let i = 0;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 0x22) {
      // A string: skip to its closing quote.
      i++;
      while (i < n) {
        const d = src.charCodeAt(i);
        if (d === 0x5c) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      i++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      i++;
      while (i < n && isNumberChar(src.charCodeAt(i))) i++;
      const literal = src.slice(start, i);
      if (i - start >= 16 || /[eE]/.test(literal)) {
        if (!sameDecimal(literal, String(Number(literal)))) found.push([start, i]);
      }
    } else i++;
  }
  return found;
}

function isNumberChar(c: number): boolean {
  // 0-9 . e E + -
  return (
    (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d
  );
}

/** Whether two decimal literals denote the same number ("1.50" = "1.5e0"; "-0" = "0"). */
export function sameDecimal(a: string, b: string): boolean {
  return canonical(a) === canonical(b);
}

function canonical(s: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m) return s;
  const [, sign, int, frac = "", exp = "0"] = m;
  let digits = int + frac;
  let e = BigInt(exp) - BigInt(frac.length);
  const lead = digits.search(/[1-9]/);
  if (lead === -1) return "0";
  digits = digits.slice(lead);
  const trail = digits.length - digits.replace(/0+$/, "").length;
  digits = digits.slice(0, digits.length - trail);
  e += BigInt(trail);
  return `${sign === "-" ? "-" : ""}${digits}e${e}`;
}

export type JsonType = "object" | "array" | "string" | "number" | "boolean" | "null";

/** The JSON type of a parsed value (a LosslessNumber is a number). */
export function jsonType(v: unknown): JsonType {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return "array";
  if (v instanceof LosslessNumber) return "number";
  switch (typeof v) {
    case "string":
      return "string";
    case "number":
    case "bigint":
      return "number";
    case "boolean":
      return "boolean";
    default:
      return "object";
  }
}

const keyCache = new WeakMap<object, string[]>();

/** An object's keys, computed once per object (large objects are listed on every redraw). */
export function keysOf(o: object): string[] {
  let keys = keyCache.get(o);
  if (keys === undefined) {
    keys = Object.keys(o);
    keyCache.set(o, keys);
  }
  return keys;
}

/** How many children a container has (0 for anything else). */
export function childCount(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  if (jsonType(v) === "object") return keysOf(v as object).length;
  return 0;
}

/** A closed container in one line: "{…} 12 keys", "[…] 300 items", "{}", "[]". */
export function jsonSummary(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? "[]" : `[…] ${plural(v.length, "item")}`;
  if (jsonType(v) === "object") {
    const n = keysOf(v as object).length;
    return n === 0 ? "{}" : `{…} ${plural(n, "key")}`;
  }
  return jsonScalar(v);
}

/** A scalar as JSON text: strings quoted and escaped, numbers as written when exact. */
export function jsonScalar(v: unknown): string {
  if (v instanceof LosslessNumber) return v.source;
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (v === null || v === undefined) return "null";
  return String(v);
}

/** An entry of the tree: a value and the key (or index) it sits under; null key for the root. */
export interface JsonEntry {
  key: string | number | null;
  value: unknown;
}

export const jsonAdapter: TreeAdapter<JsonEntry> = {
  container(e) {
    const t = jsonType(e.value);
    return (t === "object" || t === "array") && childCount(e.value) > 0
      ? (e.value as object)
      : null;
  },
  count(c) {
    return childCount(c);
  },
  child(c, index) {
    if (Array.isArray(c)) return { key: index, value: c[index] };
    const key = keysOf(c)[index];
    return { key, value: (c as Record<string, unknown>)[key] };
  },
};

/** Strings longer than this show their beginning and a button for the rest. */
export const STRING_LIMIT = 1000;

export type JsonRow =
  | {
      type: "node";
      id: string;
      depth: number;
      /** `"name"` for an object's member, the index for an array item, null for the root. */
      key: string | null;
      index: number | null;
      /** The container to fold, when the value has children. */
      container: object | null;
      open: boolean;
      /** For a container: its summary when closed ("{…} 3 keys"), its bracket when open. */
      text: string;
      /** For a container: "3 keys"; for a scalar: its type. */
      detail: string;
      valueType: JsonType;
      /** A long string shown in part: how many characters it has. */
      clippedOf: number | null;
      comma: boolean;
    }
  | { type: "close"; id: string; depth: number; text: string; comma: boolean }
  | { type: "more"; id: string; depth: number; container: object; shown: number; total: number };

/** The rows of the JSON tree for what `fold` has open (work proportional to the rows). */
export function jsonRows(value: unknown, fold: FoldState): JsonRow[] {
  return flatten<JsonEntry>([{ key: null, value }], jsonAdapter, fold).map((r): JsonRow => {
    if (r.type === "more") return r;
    const v = r.node.value;
    const t = jsonType(v);
    if (r.type === "close") {
      return {
        type: "close",
        id: r.id,
        depth: r.depth,
        text: t === "array" ? "]" : "}",
        comma: !r.last,
      };
    }
    const key = typeof r.node.key === "string" ? JSON.stringify(r.node.key) : null;
    const index = typeof r.node.key === "number" ? r.node.key : null;
    // An open container's comma goes on its closing row.
    const comma = !r.last && !r.open;
    const base = { type: "node" as const, id: r.id, depth: r.depth, key, index, comma };
    if (r.container !== null) {
      const n = childCount(v);
      return {
        ...base,
        container: r.container,
        open: r.open,
        text: r.open ? (t === "array" ? "[" : "{") : jsonSummary(v),
        detail: t === "array" ? plural(n, "item") : plural(n, "key"),
        valueType: t,
        clippedOf: null,
      };
    }
    let text = t === "object" || t === "array" ? jsonSummary(v) : jsonScalar(v);
    let clippedOf: number | null = null;
    if (typeof v === "string" && v.length > STRING_LIMIT && !fold.wholeStrings.has(r.id)) {
      const c = clipText(v, STRING_LIMIT);
      text = `${JSON.stringify(c.text).slice(0, -1)}…`;
      clippedOf = v.length;
    }
    return { ...base, container: null, open: false, text, detail: t, valueType: t, clippedOf };
  });
}

/** "Show all 12,345 characters". */
export function wholeStringLabel(length: number): string {
  return `Show all ${formatCount(length)} characters`;
}
