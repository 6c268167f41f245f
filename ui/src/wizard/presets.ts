// Step 1's preset help and the failing step's diagnosis, as pure view logic: searching the
// catalog, checking a placeholder as its helper does, putting the backend's explanations and
// lints next to the form's fields, and wording clock skew and base-string differences.

import type {
  Difference,
  Explanation,
  Lint,
  Placeholder,
  PresetSummary,
  Severity,
  SkewReport,
} from "../ipc";

/** Presets whose id, name or summary contain every word of the query (case-insensitive). */
export function searchPresets(presets: readonly PresetSummary[], query: string): PresetSummary[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return presets.filter((p) => {
    const text = `${p.id} ${p.name} ${p.summary}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/**
 * The form field a backend field name belongs to: explanations and lints use FlowConfig's
 * names (`sign_options.placement`, `callback.mode`), the form the draft's (`placement`,
 * `callback.url`).
 */
export function formField(field: string): string {
  if (field === "sign_options.placement" || field === "sign_options.include_version") {
    return "placement";
  }
  if (field.startsWith("callback.")) return "callback.url";
  if (field.startsWith("request_token_params.")) return "endpoints.request_token.url";
  if (field.startsWith("authorize_params")) return "authorize_params";
  if (field === "resource" || field.startsWith("resource.")) return "resource.url";
  if (field === "token.token" || field === "token.secret") return field;
  if (field === "mode") return "mode";
  return field;
}

/** Explanations grouped by the form field they sit next to, in the backend's order. */
export function explanationsByField(
  explanations: readonly Explanation[],
): Map<string, Explanation[]> {
  const out = new Map<string, Explanation[]>();
  for (const e of explanations) {
    const f = formField(e.field);
    out.set(f, [...(out.get(f) ?? []), e]);
  }
  return out;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Lints grouped by form field, most severe first within each. */
export function lintsByField(lints: readonly Lint[]): Map<string, Lint[]> {
  const out = new Map<string, Lint[]>();
  for (const l of [...lints].sort((a, b) => RANK[a.severity] - RANK[b.severity])) {
    const f = formField(l.field);
    out.set(f, [...(out.get(f) ?? []), l]);
  }
  return out;
}

/** "1 warning, 2 notes" for the bar under the form; empty when there is nothing. */
export function lintCount(lints: readonly Lint[]): string {
  const n = (s: Severity) => lints.filter((l) => l.severity === s).length;
  const parts: string[] = [];
  const add = (count: number, one: string, many: string) => {
    if (count > 0) parts.push(`${count} ${count === 1 ? one : many}`);
  };
  add(n("error"), "setting the provider will refuse", "settings the provider will refuse");
  add(n("warning"), "warning", "warnings");
  add(n("info"), "note", "notes");
  return parts.join(", ");
}

/** The NetSuite account id's two forms: host (`1234567-sb1`) and realm (`1234567_SB1`). */
export function netsuiteForms(id: string): { host: string; realm: string } | null {
  const v = id.trim();
  if (v === "" || !/^[A-Za-z0-9_-]+$/.test(v)) return null;
  return { host: v.toLowerCase().replace(/_/g, "-"), realm: v.toUpperCase().replace(/-/g, "_") };
}

/**
 * What is wrong with a placeholder's value, as the preset's helper checks it (the backend's
 * `resolve_one`); `null` when it fits. An empty value with a default is fine.
 */
export function placeholderProblem(p: Placeholder, value: string): string | null {
  const v = value.trim();
  if (v === "")
    return p.default !== null ? null : `${p.label} is needed (for example ${p.example})`;
  switch (p.helper) {
    case "text":
      return null;
    case "base_url": {
      const u = v.replace(/\/+$/, "");
      const rest = u.replace(/^https?:\/\//, "");
      if (rest === u) return `"${u}" must start with https:// (or http://)`;
      if (rest === "" || rest.startsWith("/")) return `"${u}" has no host`;
      if (/[?# ]/.test(u)) return `"${u}" must be a plain address, without ? or #`;
      return null;
    }
    case "netsuite_account":
      return netsuiteForms(v)
        ? null
        : `"${v}" is not a NetSuite account id: it has only letters, digits, - and _ (1234567 or 1234567-sb1)`;
    case "choice":
      return p.choices.some((c) => c.value === v)
        ? null
        : `"${v}" is not one of ${p.choices.map((c) => c.value).join(", ")}`;
    case "port": {
      const n = Number(v);
      return /^\d+$/.test(v) && n > 0 && n <= 65535 ? null : `"${v}" is not a port (1-65535)`;
    }
  }
}

/** The values a placeholder form starts with: the default, else the first choice, else empty. */
export function initialInputs(p: PresetSummary): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ph of p.placeholders) {
    out[ph.name] = ph.default ?? (ph.helper === "choice" ? (ph.choices[0]?.value ?? "") : "");
  }
  return out;
}

/** "15 minutes", "1 hour 5 minutes", "42 seconds". */
export function humanSeconds(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  const unit = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;
  if (s < 60) return unit(s, "second");
  if (s < 3600) return unit(Math.round(s / 60), "minute");
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return m === 0 ? unit(h, "hour") : `${unit(h, "hour")} ${unit(m, "minute")}`;
}

/** "Your clock is 900 s (15 minutes) behind the provider's." */
export function skewSentence(skew: SkewReport): string {
  const s = Math.abs(skew.skew_seconds);
  if (s === 0) return "Your clock agrees with the provider's.";
  const side = skew.skew_seconds > 0 ? "behind" : "ahead of";
  return `Your clock is ${s} s (${humanSeconds(s)}) ${side} the provider's.`;
}

/** "+900 s" / "−120 s": the offset the retry would use. */
export function formatOffset(seconds: number): string {
  return `${seconds >= 0 ? "+" : "−"}${Math.abs(seconds)} s`;
}

/** One row of the difference table. */
export interface DiffRow {
  what: string;
  ours: string;
  theirs: string;
  note: string;
}

/** A difference as a table row: what differs, Signet's side, the provider's, and why. */
export function diffRow(d: Difference): DiffRow {
  switch (d.kind) {
    case "method":
      return { what: "HTTP method", ours: d.ours, theirs: d.theirs, note: "another method" };
    case "uri":
      return { what: "URL", ours: d.ours, theirs: d.theirs, note: d.note };
    case "only_ours":
      return {
        what: d.name,
        ours: d.value,
        theirs: "(missing)",
        note: "the provider did not see it",
      };
    case "only_theirs":
      return {
        what: d.name,
        ours: "(missing)",
        theirs: d.value,
        note: "Signet did not sign it",
      };
    case "value":
      return { what: d.name, ours: d.ours, theirs: d.theirs, note: d.note };
    case "unreadable":
      return { what: "pasted text", ours: "", theirs: "", note: d.reason };
  }
}

/** "Register exactly …": a lint's fix as the start of a sentence. */
export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
