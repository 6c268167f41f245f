// Real dances recorded against the demo provider by
// `cargo run -p signet-ipc --example record_fixtures` (crates/ipc/examples/record_fixtures.rs).

import type {
  BaseStringDiff,
  FailureDiagnosis,
  Lint,
  PresetApplied,
  PresetSummary,
  Snapshot,
} from "./bindings";
import clockSkew from "./fixtures/demo-clock-skew.json";
import dance from "./fixtures/demo-dance.json";
import denied from "./fixtures/demo-denied.json";
import htmlPage from "./fixtures/demo-html-page.json";
import pin from "./fixtures/demo-pin.json";
import serverError from "./fixtures/demo-server-error.json";
import signatureInvalid from "./fixtures/demo-signature-invalid.json";
import diagnoses from "./fixtures/diagnoses.json";
import presets from "./fixtures/presets.json";

export interface Frame {
  /** Milliseconds after the run started, as recorded. */
  at_ms: number;
  snapshot: Snapshot;
}

export interface Recording {
  description: string;
  provider_url: string;
  frames: Frame[];
}

export type Scenario =
  "dance" | "pin" | "denied" | "signature_invalid" | "clock_skew" | "html_page" | "server_error";

export const RECORDINGS: Record<Scenario, Recording> = {
  dance: dance as unknown as Recording,
  pin: pin as unknown as Recording,
  denied: denied as unknown as Recording,
  signature_invalid: signatureInvalid as unknown as Recording,
  clock_skew: clockSkew as unknown as Recording,
  html_page: htmlPage as unknown as Recording,
  server_error: serverError as unknown as Recording,
};

/** One preset applied to its own example values, with the draft's lints (from Rust). */
export interface PresetExample {
  inputs: Record<string, string>;
  applied: PresetApplied;
  lints: Lint[];
}

/** `presets_list` and every preset applied to its examples, as the backend answers. */
export const PRESETS = presets as unknown as {
  presets: PresetSummary[];
  examples: Record<string, PresetExample>;
};

/** A paste and the backend's comparison of it with the signature-invalid run. */
export interface PasteExample {
  description: string;
  text: string;
  diff: BaseStringDiff;
}

/** `run_diagnose` of every failing recording, and `diagnose_paste` examples. */
export const DIAGNOSES = diagnoses as unknown as {
  runs: Partial<Record<Scenario, FailureDiagnosis>>;
  pastes: PasteExample[];
};
