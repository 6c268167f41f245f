// How the response viewer opens and folds a parsed body: what is open at first, "Expand all"
// within a budget of rows, "Collapse all" down to the top level.

import type { ParsedBody } from "./body";
import { FoldState, applyPlan, planOpen, type Plan } from "./fold";
import { formatCount } from "./format";
import { jsonAdapter } from "./json";
import { xmlAdapter } from "./xml";

/** Containers shallower than this start open (the root and its children). */
export const START_DEPTH = 2;
/** At most about this many rows are open at first. */
export const START_BUDGET = 1500;
/** "Expand all" opens at most about this many rows. */
export const EXPAND_BUDGET = 5000;
/** A body longer than this (in characters) starts entirely folded. */
export const LARGE_BODY = 1_000_000;
/** The raw view shows this many characters until asked for all. */
export const RAW_LIMIT = 200 * 1024;
/** Deeper rows are indented no further than this many levels. */
export const MAX_INDENT = 24;

function plan(
  parsed: ParsedBody,
  opts: { maxDepth: number; budget: number; shownOf?: (c: object) => number },
): Plan | null {
  if (parsed.kind === "json")
    return planOpen([{ key: null, value: parsed.value }], jsonAdapter, opts);
  if (parsed.kind === "xml") return planOpen(parsed.nodes, xmlAdapter, opts);
  return null;
}

/** The fold a body starts with: two levels open, or nothing at all for a large body. */
export function startFold(parsed: ParsedBody, bodyLength: number): FoldState {
  const fold = new FoldState();
  if (bodyLength > LARGE_BODY) return fold;
  const p = plan(parsed, { maxDepth: START_DEPTH, budget: START_BUDGET });
  if (p !== null) applyPlan(fold, p);
  return fold;
}

/** Opens everything that fits in the budget, top levels first; says so when it had to stop. */
export function expandAll(fold: FoldState, parsed: ParsedBody): void {
  const p = plan(parsed, {
    maxDepth: Infinity,
    budget: EXPAND_BUDGET,
    shownOf: (c) => fold.shownOf(c),
  });
  if (p === null) return;
  applyPlan(fold, p);
  fold.note = p.complete
    ? ""
    : `Opened what fits (about ${formatCount(p.rows)} lines): open deeper parts one at a time.`;
}

/** Folds everything but the top level. */
export function collapseAll(fold: FoldState, parsed: ParsedBody): void {
  const p = plan(parsed, { maxDepth: 1, budget: Infinity });
  if (p !== null) applyPlan(fold, p);
  fold.note = "";
}
