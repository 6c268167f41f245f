// Helpers for the technical view: the base string's three parts, parameter rows, the
// Authorization header one parameter a line.

import type { Source, TracedParameter } from "../ipc";

export const SOURCE_LABEL: Record<Source, string> = {
  query: "URL query",
  body: "form body",
  oauth: "OAuth (added by Signet)",
  header: "Authorization header",
};

/** The signature base string's three parts (RFC 5849 section 3.4.1.1): method, URI, parameters. */
export function splitBaseString(base: string): { method: string; uri: string; params: string } {
  const first = base.indexOf("&");
  const second = first < 0 ? -1 : base.indexOf("&", first + 1);
  if (first < 0 || second < 0) return { method: base, uri: "", params: "" };
  return {
    method: base.slice(0, first),
    uri: base.slice(first + 1, second),
    params: base.slice(second + 1),
  };
}

/** `OAuth a="1", b="2"` as `["OAuth", 'a="1",', 'b="2"']` for display one a line. */
export function splitAuthorization(header: string): string[] {
  const m = /^(\S+)\s+(.*)$/s.exec(header.trim());
  if (!m) return [header];
  const parts = m[2].split(/,\s*/).filter((p) => p !== "");
  return [m[1], ...parts.map((p, i) => (i < parts.length - 1 ? `${p},` : p))];
}

/** Signed parameters first, in the order collected; then the rest. */
export function orderedParameters(ps: readonly TracedParameter[]): TracedParameter[] {
  return [...ps.filter((p) => p.signed), ...ps.filter((p) => !p.signed)];
}

/** The normalized parameter string one `name=value` pair a line. */
export function normalizedPairs(normalized: string): string[] {
  return normalized === "" ? [] : normalized.split("&");
}
