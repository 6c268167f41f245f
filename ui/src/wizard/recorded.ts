// The snapshots of a recorded run (from the backend's answers in ../ipc/recordings), in the
// order the UI saw them: what flow_start answered, then every flow-snapshot event of that run.
// For tests of the view logic.

import type { Snapshot } from "../ipc";
import { SESSIONS, type SessionName } from "../ipc/recordings";

export function recordedFrames(session: SessionName, nth = 0): Snapshot[] {
  const calls = SESSIONS[session].calls;
  const starts = calls.filter((c) => c.command === "flow_start" && c.ok !== undefined);
  const start = starts[nth];
  if (!start || start.command !== "flow_start" || !start.ok) {
    throw new Error(`session ${session} has no flow_start number ${nth}`);
  }
  const runId = start.ok.run_id;
  const out: Snapshot[] = [start.ok.snapshot];
  for (const c of calls.slice(calls.indexOf(start))) {
    for (const e of c.events) {
      if (e.event === "flow-snapshot" && e.payload.run_id === runId) out.push(e.payload.snapshot);
    }
  }
  return out;
}
