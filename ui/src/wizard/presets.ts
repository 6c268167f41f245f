// Preset and diagnosis wording as pure view logic: searching the catalog, counting lints, and
// wording clock skew and base-string differences.

import type { Difference, Lint, PresetSummary, Severity, SkewReport } from "../ipc";

/** Presets whose id, name or summary contain every word of the query (case-insensitive). */
export function searchPresets(presets: readonly PresetSummary[], query: string): PresetSummary[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return presets.filter((p) => {
    const text = `${p.id} ${p.name} ${p.summary}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
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
