// A small, tolerant XML reader for the response viewer, and the rows of its foldable tree.
//
// It reads elements, attributes, text, comments and CDATA; skips processing instructions
// (<?xml …?>) and the DOCTYPE; keeps text and attribute values as written (entities are not
// expanded, so nothing is lost or doubled when shown again). It never throws: anything that is
// not well-formed XML is an error with its line and column, and the caller shows text instead.
// One pass, no recursion, no backtracking: linear in the size of the input, whatever its shape.

import { flatten, type FoldState, type TreeAdapter } from "./fold";
import { clipText, plural } from "./format";
import { STRING_LIMIT } from "./json";

export interface XmlElement {
  type: "element";
  name: string;
  /** Name and value, in document order, values as written (without their quotes). */
  attributes: Array<[string, string]>;
  children: XmlNode[];
}
export interface XmlText {
  type: "text";
  /** The text as written, without the white space at either end. */
  text: string;
}
export interface XmlComment {
  type: "comment";
  text: string;
}
export interface XmlCData {
  type: "cdata";
  text: string;
}
export type XmlNode = XmlElement | XmlText | XmlComment | XmlCData;

export type XmlParse =
  /** `nodes`: the document's top level (comments and the root element). */
  | { ok: true; root: XmlElement; nodes: XmlNode[] }
  | { ok: false; error: string; line: number; column: number };

/** The 1-based line and column of `offset` in `src`. */
export function lineColumn(src: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, src.length);
  for (let i = 0; i < end; i++) {
    if (src.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Anything but white space and XML's markup characters (tolerant of unusual names). */
function isNameChar(c: number): boolean {
  return (
    !Number.isNaN(c) &&
    !isSpace(c) &&
    c !== 0x2f && // /
    c !== 0x3e && // >
    c !== 0x3c && // <
    c !== 0x3d && // =
    c !== 0x22 && // "
    c !== 0x27 && // '
    c !== 0x21 && // !
    c !== 0x3f // ?
  );
}

const NON_SPACE = /\S/;

/** Reads `src` as XML. Never throws; linear time. */
export function parseXml(src: string): XmlParse {
  const n = src.length;
  const top: XmlNode[] = [];
  const stack: XmlElement[] = [];
  const starts: number[] = [];
  let root: XmlElement | null = null;
  let i = src.charCodeAt(0) === 0xfeff ? 1 : 0;

  const fail = (error: string, at: number): XmlParse => ({
    ok: false,
    error,
    ...lineColumn(src, at),
  });
  const here = (): XmlNode[] => (stack.length > 0 ? stack[stack.length - 1].children : top);
  const skipSpace = (j: number): number => {
    while (j < n && isSpace(src.charCodeAt(j))) j++;
    return j;
  };
  const readName = (j: number): number => {
    while (j < n && isNameChar(src.charCodeAt(j))) j++;
    return j;
  };

  while (i < n) {
    const lt = src.indexOf("<", i);
    const textEnd = lt === -1 ? n : lt;
    if (textEnd > i) {
      const raw = src.slice(i, textEnd);
      if (NON_SPACE.test(raw)) {
        if (stack.length === 0) {
          return fail(root ? "text after the root element" : "text before the root element", i);
        }
        here().push({ type: "text", text: raw.trim() });
      }
    }
    if (lt === -1) break;

    if (src.startsWith("<!--", lt)) {
      const end = src.indexOf("-->", lt + 4);
      if (end === -1) return fail("a comment is not closed (no -->)", lt);
      here().push({ type: "comment", text: src.slice(lt + 4, end).trim() });
      i = end + 3;
    } else if (src.startsWith("<![CDATA[", lt)) {
      if (stack.length === 0) return fail("CDATA outside the root element", lt);
      const end = src.indexOf("]]>", lt + 9);
      if (end === -1) return fail("a CDATA section is not closed (no ]]>)", lt);
      here().push({ type: "cdata", text: src.slice(lt + 9, end) });
      i = end + 3;
    } else if (src.startsWith("<?", lt)) {
      const end = src.indexOf("?>", lt + 2);
      if (end === -1) return fail("a processing instruction is not closed (no ?>)", lt);
      i = end + 2;
    } else if (src.startsWith("<!", lt)) {
      if (stack.length > 0 || root !== null) return fail("a declaration inside the document", lt);
      const end = declarationEnd(src, lt + 2);
      if (end === -1) return fail("a declaration is not closed (no >)", lt);
      i = end + 1;
    } else if (src.startsWith("</", lt)) {
      const nameEnd = readName(lt + 2);
      const name = src.slice(lt + 2, nameEnd);
      const gt = skipSpace(nameEnd);
      if (name === "" || src.charCodeAt(gt) !== 0x3e) return fail("a malformed closing tag", lt);
      const open = stack.pop();
      if (open === undefined) return fail(`</${name}> closes nothing`, lt);
      starts.pop();
      if (open.name !== name) return fail(`</${name}> where </${open.name}> was expected`, lt);
      i = gt + 1;
    } else {
      const nameEnd = readName(lt + 1);
      const name = src.slice(lt + 1, nameEnd);
      if (name === "") return fail("a stray '<'", lt);
      if (stack.length === 0 && root !== null) return fail("a second root element", lt);
      const el: XmlElement = { type: "element", name, attributes: [], children: [] };
      let j = nameEnd;
      let closed = false;
      for (;;) {
        j = skipSpace(j);
        if (j >= n) return fail(`the tag <${name}> is not closed (no >)`, lt);
        const c = src.charCodeAt(j);
        if (c === 0x3e) {
          j++;
          break;
        }
        if (c === 0x2f) {
          if (src.charCodeAt(j + 1) !== 0x3e) return fail(`a stray '/' in <${name}>`, j);
          closed = true;
          j += 2;
          break;
        }
        const attrEnd = readName(j);
        if (attrEnd === j) return fail(`an unexpected character in <${name}>`, j);
        const attr = src.slice(j, attrEnd);
        j = skipSpace(attrEnd);
        if (src.charCodeAt(j) !== 0x3d) return fail(`the attribute ${attr} has no value`, attrEnd);
        j = skipSpace(j + 1);
        const q = src.charCodeAt(j);
        if (q !== 0x22 && q !== 0x27) return fail(`the value of ${attr} is not quoted`, j);
        const end = src.indexOf(q === 0x22 ? '"' : "'", j + 1);
        if (end === -1) return fail(`the value of ${attr} is not closed`, j);
        el.attributes.push([attr, src.slice(j + 1, end)]);
        j = end + 1;
      }
      here().push(el);
      if (stack.length === 0) root = el;
      if (!closed) {
        stack.push(el);
        starts.push(lt);
      }
      i = j;
    }
  }
  if (stack.length > 0) {
    return fail(`<${stack[stack.length - 1].name}> is not closed`, starts[starts.length - 1]);
  }
  if (root === null) return fail("no root element", n);
  return { ok: true, root, nodes: top };
}

/** Where a <!…> declaration (a DOCTYPE, perhaps with an internal subset) ends, or -1. */
function declarationEnd(src: string, from: number): number {
  let depth = 0;
  let quote = 0;
  for (let j = from; j < src.length; j++) {
    const c = src.charCodeAt(j);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) quote = c;
    else if (c === 0x5b) depth++;
    else if (c === 0x5d) depth = Math.max(0, depth - 1);
    else if (c === 0x3e && depth === 0) return j;
  }
  return -1;
}

/** Text that fits on the element's own line: `<a>text</a>`. */
function inlineChild(el: XmlElement): XmlText | XmlCData | null {
  if (el.children.length !== 1) return null;
  const only = el.children[0];
  return only.type === "text" || only.type === "cdata" ? only : null;
}

export const xmlAdapter: TreeAdapter<XmlNode> = {
  container(node) {
    return node.type === "element" && node.children.length > 0 && inlineChild(node) === null
      ? node
      : null;
  },
  count(c) {
    return (c as XmlElement).children.length;
  },
  child(c, index) {
    return (c as XmlElement).children[index];
  },
};

export type XmlRow =
  | {
      type: "element";
      id: string;
      depth: number;
      name: string;
      attributes: Array<[string, string]>;
      /** The element to fold, when it has children on lines of their own. */
      container: object | null;
      open: boolean;
      /** "3 children", for a container. */
      detail: string;
      /** Text on the element's line (`<a>text</a>`); null when none. */
      inline: { text: string; cdata: boolean } | null;
      /** `<a/>`: no children at all. */
      empty: boolean;
      clippedOf: number | null;
    }
  | {
      type: "text" | "comment" | "cdata";
      id: string;
      depth: number;
      text: string;
      clippedOf: number | null;
    }
  | { type: "close"; id: string; depth: number; name: string }
  | { type: "more"; id: string; depth: number; container: object; shown: number; total: number };

function clip(
  text: string,
  id: string,
  fold: FoldState,
): { text: string; clippedOf: number | null } {
  if (text.length <= STRING_LIMIT || fold.wholeStrings.has(id)) return { text, clippedOf: null };
  return { text: `${clipText(text, STRING_LIMIT).text}…`, clippedOf: text.length };
}

/** The rows of the XML tree for what `fold` has open (work proportional to the rows). */
export function xmlRows(nodes: readonly XmlNode[], fold: FoldState): XmlRow[] {
  return flatten(nodes, xmlAdapter, fold).map((r): XmlRow => {
    if (r.type === "more") return r;
    const node = r.node;
    if (r.type === "close") {
      return { type: "close", id: r.id, depth: r.depth, name: (node as XmlElement).name };
    }
    if (node.type !== "element") {
      return { type: node.type, id: r.id, depth: r.depth, ...clip(node.text, r.id, fold) };
    }
    const only = inlineChild(node);
    const shown = only ? clip(only.text, r.id, fold) : { text: "", clippedOf: null };
    return {
      type: "element",
      id: r.id,
      depth: r.depth,
      name: node.name,
      attributes: node.attributes,
      container: r.container,
      open: r.open,
      detail: r.container ? plural(node.children.length, "child", "children") : "",
      inline: only ? { text: shown.text, cdata: only.type === "cdata" } : null,
      empty: node.children.length === 0,
      clippedOf: shown.clippedOf,
    };
  });
}

/** An attribute as written: name="value" (single quotes when the value holds a double one). */
export function attributeText([name, value]: [string, string]): string {
  return `${name}=${quoted(value)}`;
}

/** An attribute value in quotes: double, or single when it holds a double one. */
export function quoted(value: string): string {
  return value.includes('"') ? `'${value}'` : `"${value}"`;
}
