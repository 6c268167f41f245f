// What a response body is, for the viewer: JSON, XML, or text. The content type decides first;
// without a JSON or XML one, the body is sniffed. A body that claims JSON or XML but does not
// parse is shown as text with a short note saying why. HTML is always text.

import { mediaType } from "./format";
import { parseJson } from "./json";
import { parseXml, type XmlElement, type XmlNode } from "./xml";

export type ParsedBody =
  | { kind: "empty"; note?: string }
  | { kind: "json"; value: unknown; note?: string }
  | { kind: "xml"; root: XmlElement; nodes: XmlNode[]; note?: string }
  | { kind: "text"; note?: string };

/** Whether a content type says JSON: application/json, text/json, anything +json. */
export function isJsonType(media: string): boolean {
  return /^[a-z0-9.+-]+\/(x-)?json$/.test(media) || media.endsWith("+json");
}

/** Whether a content type says XML: application/xml, text/xml, anything +xml. */
export function isXmlType(media: string): boolean {
  return /^[a-z0-9.+-]+\/(x-)?xml$/.test(media) || media.endsWith("+xml");
}

const CUT = "the body was cut short";

/** Decides how to show `body`. Never throws. */
export function parseBody(
  contentType: string | null,
  body: string,
  opts: { truncated?: boolean } = {},
): ParsedBody {
  if (body.length === 0) return { kind: "empty" };
  const media = mediaType(contentType);
  const truncated = opts.truncated === true;

  if (isJsonType(media)) {
    const r = parseJson(body);
    if (r.ok) return { kind: "json", value: r.value, note: r.note };
    if (blank(body))
      return { kind: "empty", note: "The content type says JSON, but the body is blank." };
    return {
      kind: "text",
      note: truncated
        ? `Shown as text: ${CUT}, so it is not complete JSON.`
        : `Shown as text: the content type says JSON, but the body does not parse (${r.error}).`,
    };
  }
  if (isXmlType(media)) {
    const r = parseXml(body);
    if (r.ok) return { kind: "xml", root: r.root, nodes: r.nodes };
    if (blank(body))
      return { kind: "empty", note: "The content type says XML, but the body is blank." };
    return {
      kind: "text",
      note: truncated
        ? `Shown as text: ${CUT}, so it is not complete XML.`
        : `Shown as text: the content type says XML, but the body is not well-formed (line ${r.line}, column ${r.column}: ${r.error}).`,
    };
  }
  if (media === "text/html" || media === "application/xhtml") return { kind: "text" };

  // Sniff: the first character that is not white space (or a byte order mark).
  const first = body.search(/[^\s\uFEFF]/);
  if (first === -1) return { kind: "text" };
  const c = body[first];
  const claimed =
    media === "" ? "the response has no content type" : `the content type is ${media}`;
  if (c === "{" || c === "[") {
    const r = parseJson(body);
    if (r.ok) {
      return {
        kind: "json",
        value: r.value,
        note: [`Shown as JSON: ${claimed}, but the body parses as JSON.`, r.note]
          .filter(Boolean)
          .join(" "),
      };
    }
  } else if (c === "<" && !looksLikeHtml(body, first)) {
    const r = parseXml(body);
    if (r.ok) {
      return {
        kind: "xml",
        root: r.root,
        nodes: r.nodes,
        note: `Shown as XML: ${claimed}, but the body is well-formed XML.`,
      };
    }
  }
  return { kind: "text" };
}

function blank(s: string): boolean {
  return !/[^\s\uFEFF]/.test(s);
}

function looksLikeHtml(body: string, from: number): boolean {
  return /^<(!doctype\s+html|html[\s>])/i.test(body.slice(from, from + 32));
}
