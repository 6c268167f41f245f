// The browser preview's presets and diagnosis: answers built from what Rust recorded
// (fixtures/presets.json, fixtures/diagnoses.json) so the preview shows real explanations, with
// small mirrors of the backend's logic for what a user can change (placeholder values, the
// draft, a pasted base string). The app itself always asks Rust.

import type {
  BaseStringDiff,
  ConnectorDraft,
  Difference,
  ErrorKind,
  ErrorReport,
  Exchange,
  Lint,
  PresetApplied,
  Snapshot,
} from "./bindings";
import { PRESETS } from "./fixtures";
import { netsuiteForms, placeholderProblem } from "../wizard/presets";

const err = (kind: ErrorKind, message: string, hint?: string): ErrorReport =>
  hint ? { kind, message, hint } : { kind, message };

/** Every text a placeholder's example value turns into, paired with what `value` turns into. */
function forms(helper: string, example: string, value: string): [string, string][] {
  if (helper === "netsuite_account") {
    const a = netsuiteForms(example);
    const b = netsuiteForms(value);
    if (!a || !b) return [];
    return [
      [a.host, b.host],
      [a.realm, b.realm],
    ];
  }
  if (helper === "base_url") return [[example.replace(/\/+$/, ""), value.replace(/\/+$/, "")]];
  return [[example, value]];
}

function replaceAll<T>(value: T, pairs: [string, string][]): T {
  if (typeof value === "string") {
    let s: string = value;
    for (const [from, to] of pairs) if (from !== "" && from !== to) s = s.split(from).join(to);
    return s as T;
  }
  if (Array.isArray(value)) return value.map((v) => replaceAll(v, pairs)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = replaceAll(v, pairs);
    return out as T;
  }
  return value;
}

/** `preset_apply`: the recorded example with the user's values in place of the example's. */
export function applyPreset(presetId: string, inputs: Record<string, string>): PresetApplied {
  const summary = PRESETS.presets.find((p) => p.id === presetId.trim().toLowerCase());
  const example = summary ? PRESETS.examples[summary.id] : undefined;
  if (!summary || !example) {
    throw err("unknown_preset", `no preset is called "${presetId}": \`signet presets\` lists them`);
  }
  const problems: { kind: ErrorKind; message: string }[] = [];
  const pairs: [string, string][] = [];
  for (const ph of summary.placeholders) {
    const raw = (inputs[ph.name] ?? "").trim();
    const value = raw === "" ? (ph.default ?? "") : raw;
    const problem = placeholderProblem(ph, raw);
    if (problem) {
      problems.push({
        kind: value === "" ? "missing_value" : "invalid_value",
        message: value === "" ? problem : `${ph.name}: ${problem}`,
      });
      continue;
    }
    pairs.push(...forms(ph.helper, example.inputs[ph.name] ?? ph.example, value));
  }
  if (problems.length > 0) {
    throw err(
      problems[0].kind,
      problems.map((p) => p.message).join("; "),
      "fill in the preset's fields above the form, then pick the preset again",
    );
  }
  return replaceAll(structuredClone(example.applied), pairs);
}

const LOCAL = /^(localhost|.*\.localhost|\[::1\]|127\..*)$/i;

function plainHttp(field: string, url: string): Lint[] {
  const m = /^(https?):\/\/([^/?#]+)/i.exec(url.trim());
  if (!m || m[1].toLowerCase() !== "http" || LOCAL.test(m[2].replace(/:\d+$/, ""))) return [];
  return [
    {
      id: "plain_http",
      severity: "warning",
      field,
      message: `${url} is plain http to another computer: anyone on the way can read the tokens and replay requests`,
      fix: "use https unless the provider only speaks http (WooCommerce's one-legged mode is for sites without https)",
    },
  ];
}

/** Lints the mirror computes from the draft; the example's other lints carry over. */
const COMPUTED = new Set([
  "method_rejected",
  "placement_rejected",
  "realm_missing",
  "callback_oob_forbidden",
  "callback_scheme_refused",
  "callback_loopback_refused",
  "callback_must_match",
  "plain_http",
]);

const RANK = { error: 0, warning: 1, info: 2 } as const;

/** `connector_lint`: a mirror of the backend's preset and URL lints, most severe first. */
export function lintDraft(d: ConnectorDraft): Lint[] {
  const out: Lint[] = [];
  if (d.mode === "three_legged") {
    out.push(
      ...plainHttp("endpoints.request_token.url", d.endpoints.request_token.url),
      ...plainHttp("endpoints.authorize_url", d.endpoints.authorize_url),
      ...plainHttp("endpoints.access_token.url", d.endpoints.access_token.url),
    );
  }
  if (d.resource) out.push(...plainHttp("resource.url", d.resource.url));
  const p = PRESETS.presets.find((x) => x.id === d.preset);
  const example = p ? PRESETS.examples[p.id] : undefined;
  if (p && example) {
    const name = p.name;
    if (!p.methods_allowed.includes(d.signature_method)) {
      out.push({
        id: "method_rejected",
        severity: "error",
        field: "signature_method",
        message: `${name} rejects ${d.signature_method} (${p.method_why})`,
        fix: `choose ${p.methods_allowed.join(" or ")}`,
      });
    }
    if (!p.placements_allowed.includes(d.placement)) {
      out.push({
        id: "placement_rejected",
        severity: "error",
        field: "sign_options.placement",
        message: `${name} does not read oauth parameters from the ${d.placement}`,
        fix: `use ${p.placements_allowed.join(" or ")} placement`,
      });
    }
    if (example.applied.draft.realm && !d.realm) {
      out.push({
        id: "realm_missing",
        severity: "error",
        field: "realm",
        message: `${name} expects a realm in the Authorization header`,
        fix: "apply the preset again to fill it in",
      });
    }
    if (d.mode === "three_legged" && p.callback_default) {
      const refused: Record<string, [string, string]> = {
        oob: ["callback_oob_forbidden", "oob (PIN) callbacks"],
        deep_link: ["callback_scheme_refused", "custom-scheme callbacks such as signet://callback"],
        loopback: ["callback_loopback_refused", "loopback callbacks (http://127.0.0.1)"],
      };
      if (!p.callbacks_allowed.includes(d.callback.mode)) {
        const [id, what] = refused[d.callback.mode];
        out.push({
          id,
          severity: "error",
          field: "callback.mode",
          message: `${name} does not allow ${what}`,
          fix: `choose the ${p.callback_default.replace("_", "-")} callback`,
        });
      }
      const mustMatch = example.lints.find((l) => l.id === "callback_must_match");
      if (mustMatch && d.callback.mode !== "oob") out.push(mustMatch);
    }
    out.push(...example.lints.filter((l) => !COMPUTED.has(l.id)));
  }
  return out.sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}

/** The exchange a diagnosis reads: the failing step's, else the nearest earlier one. */
export function exchangeBehind(s: Snapshot): Exchange | null {
  const last = s.error ? s.steps.find((st) => st.id === s.error?.step)?.number : 99;
  for (const st of [...s.steps].reverse()) {
    if (st.number <= (last ?? 99) && st.exchanges.length > 0) return st.exchanges.at(-1) ?? null;
  }
  return null;
}

/** RFC 3986 percent-encoding, as the base string uses it. */
export function encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const looksLikeBase = (s: string) => /^[A-Za-z]+&http/i.test(s);

/** Finds a base string in pasted text: a `debug_*` field, or a `METHOD&http…` run. */
export function extractBaseString(text: string): string | null {
  const t = text.trim();
  const field =
    /(?:debug_base_string|debug_sbs|oauth_signature_base_string|base_string)["']?\s*[=:]\s*"?([^"&\s]+)/.exec(
      t,
    );
  if (field) {
    const v = decode(field[1].replace(/\+/g, " "));
    if (looksLikeBase(v)) return v;
  }
  const run = /[A-Z]+&https?%3A[^\s"'<,]*/i.exec(t);
  if (run) return run[0];
  const encoded = /[A-Z]+%26https?%253A[^\s"'<,]*/i.exec(t);
  return encoded ? decode(encoded[0]) : null;
}

function split(base: string): { method: string; uri: string; params: [string, string][] } | string {
  const parts = base.trim().split("&");
  if (parts.length < 2) return "it has no & between the method and the URL";
  if (!looksLikeBase(base.trim())) return "it does not start with METHOD&http";
  const params = decode(parts.slice(2).join("&"));
  return {
    method: parts[0],
    uri: decode(parts[1]),
    params:
      params === ""
        ? []
        : params.split("&").map((p) => {
            const i = p.indexOf("=");
            return (i < 0 ? [p, ""] : [p.slice(0, i), p.slice(i + 1)]) as [string, string];
          }),
  };
}

function uriNote(ours: string, theirs: string): string {
  const parts = (u: string) => {
    const i = u.indexOf("://");
    const rest = i < 0 ? u : u.slice(i + 3);
    const j = rest.indexOf("/");
    return {
      scheme: i < 0 ? "" : u.slice(0, i).toLowerCase(),
      host: j < 0 ? rest : rest.slice(0, j),
      path: j < 0 ? "" : rest.slice(j),
    };
  };
  const [a, b] = [parts(ours), parts(theirs)];
  if (a.scheme !== b.scheme) return `${a.scheme} versus ${b.scheme}`;
  if (a.host !== b.host) {
    if (a.host.toLowerCase() === b.host.toLowerCase()) return "the host's letter case";
    const strip = (h: string) => h.replace(/:(80|443)$/, "");
    return strip(a.host) === strip(b.host) ? "a default port written out" : "another host";
  }
  if (a.path.replace(/\/+$/, "") === b.path.replace(/\/+$/, "")) return "a trailing slash";
  if (a.path.toLowerCase() === b.path.toLowerCase()) return "the path's letter case";
  if (decode(a.path) === decode(b.path)) return "the path's percent-encoding";
  return "another path";
}

function valueNote(ours: string, theirs: string): string {
  if (encode(ours) === theirs) return "encoded twice by the provider";
  if (encode(theirs) === ours) return "encoded twice by Signet";
  const [a, b] = [decode(ours), decode(theirs)];
  if (a === b) return "the same value, encoded differently";
  if (a.replace(/\+/g, " ") === b || b.replace(/\+/g, " ") === a) {
    return "a + read as a space on one side: write %20 for a space and %2B for a plus";
  }
  if (a.trim() === b.trim()) return "spaces at the start or end";
  return "another value";
}

/** In plain words, as the backend's `Difference::describe`. */
export function describe(d: Difference): string {
  switch (d.kind) {
    case "method":
      return `the method differs: Signet signed ${d.ours}, the provider expected ${d.theirs}`;
    case "uri":
      return `the URL differs (${d.note}): Signet signed ${d.ours}, the provider expected ${d.theirs}`;
    case "only_ours":
      return `Signet signed the parameter ${d.name}=${d.value} but the provider did not see it: it may have been dropped on the way, or sent where the provider does not look`;
    case "only_theirs":
      return `the provider saw the parameter ${d.name}=${d.value} that Signet did not sign: add it to the request, or check that it is part of what gets sent`;
    case "value":
      return `${d.name} differs (${d.note}): Signet signed ${d.ours}, the provider expected ${d.theirs}`;
    case "unreadable":
      return `the pasted text is not a signature base string: ${d.reason}`;
  }
}

/** A mirror of the backend's `diff_base_strings`. */
export function diffBaseStrings(oursIn: string, theirsIn: string): BaseStringDiff {
  const ours = oursIn.trim();
  const theirs = theirsIn.trim();
  const differences: Difference[] = [];
  const a = split(ours);
  const b = split(theirs);
  if (typeof a === "string") {
    differences.push({
      kind: "unreadable",
      reason: `Signet's own base string is unreadable: ${a}`,
    });
  } else if (typeof b === "string") {
    differences.push({ kind: "unreadable", reason: b });
  } else {
    if (a.method !== b.method)
      differences.push({ kind: "method", ours: a.method, theirs: b.method });
    if (a.uri !== b.uri) {
      differences.push({ kind: "uri", ours: a.uri, theirs: b.uri, note: uriNote(a.uri, b.uri) });
    }
    const names = [...new Set([...a.params, ...b.params].map(([k]) => k))].sort();
    for (const name of names) {
      const va = a.params.filter(([k]) => k === name).map(([, v]) => v);
      const vb = b.params.filter(([k]) => k === name).map(([, v]) => v);
      const shown = decode(name);
      for (let i = 0; i < Math.max(va.length, vb.length); i++) {
        const [x, y] = [va[i], vb[i]];
        if (x !== undefined && y !== undefined) {
          if (x !== y) {
            differences.push({
              kind: "value",
              name: shown,
              ours: x,
              theirs: y,
              note: valueNote(x, y),
            });
          }
        } else if (x !== undefined) {
          differences.push({ kind: "only_ours", name: shown, value: x });
        } else if (y !== undefined) {
          differences.push({ kind: "only_theirs", name: shown, value: y });
        }
      }
    }
  }
  const identical = ours === theirs;
  const summary = differences[0]
    ? describe(differences[0])
    : identical
      ? "the base strings are identical, so the secrets differ: check the consumer secret and the token secret (or the RSA key pair)"
      : "the base strings say the same thing in different order or encoding";
  return { identical, differences, summary, ours, theirs };
}

/** `diagnose_paste` for a run's snapshot. */
export function pasteDiff(s: Snapshot, text: string): BaseStringDiff {
  if (text.trim() === "") {
    throw err(
      "paste_empty",
      "nothing was pasted",
      "paste the signature base string the provider expected (from its error, logs or docs)",
    );
  }
  const x = exchangeBehind(s);
  if (!x) {
    throw err(
      "nothing_signed",
      "this run has not signed a request yet, so there is nothing to compare with",
    );
  }
  return diffBaseStrings(x.trace.base_string, extractBaseString(text) ?? text.trim());
}
