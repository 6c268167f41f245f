// The folding shared by the JSON and XML trees. A tree is shown as a flat list of rows; only
// open containers contribute their children, and only a page of them at a time, so the work and
// the DOM follow what is on screen, never the size of the body. Everything is iterative (an
// explicit stack or queue), so a deeply nested body cannot overflow the call stack.

/** How many children an open container shows at first, and how many more each "show more" adds. */
export const PAGE_SIZE = 100;

/** How a tree is walked: which nodes fold, and their children, by index. */
export interface TreeAdapter<T> {
  /** The identity of a foldable node (its object), or null for a leaf. */
  container(node: T): object | null;
  /** How many children a container has. */
  count(container: object): number;
  /** A container's child at `index` (0 ≤ index < count). */
  child(container: object, index: number): T;
}

/** What is open, how far each container is paged, and which long strings are shown whole. */
export class FoldState {
  readonly open = new Set<object>();
  readonly shown = new Map<object, number>();
  readonly wholeStrings = new Set<string>();
  /** A word about the last "expand all", when it had to stop early. */
  note = "";

  isOpen(c: object): boolean {
    return this.open.has(c);
  }
  toggle(c: object): void {
    if (this.open.has(c)) this.open.delete(c);
    else this.open.add(c);
  }
  /** How many children of `c` are shown when it is open. */
  shownOf(c: object): number {
    return this.shown.get(c) ?? PAGE_SIZE;
  }
  /** Shows the next page of `c`'s children. */
  showMore(c: object, total: number): void {
    this.shown.set(c, nextShown(this.shownOf(c), total));
  }
}

/** The number shown after one more page. */
export function nextShown(shown: number, total: number, page = PAGE_SIZE): number {
  return Math.min(total, shown + page);
}

/** How many children are shown of `total` with `shown` allowed. */
export function pageEnd(shown: number, total: number): number {
  return Math.max(0, Math.min(shown, total));
}

export type TreeRow<T> =
  /** A node: a leaf, or a container, open or not. `last`: the last of all its siblings. */
  | {
      type: "node";
      id: string;
      depth: number;
      node: T;
      container: object | null;
      open: boolean;
      last: boolean;
    }
  /** The end of an open container. */
  | { type: "close"; id: string; depth: number; node: T; last: boolean }
  /** The button for the next page of an open container's children. */
  | { type: "more"; id: string; depth: number; container: object; shown: number; total: number };

interface Frame<T> {
  node: T;
  container: object;
  id: string;
  depth: number;
  next: number;
  end: number;
  total: number;
  last: boolean;
}

/**
 * The rows on screen, depth first: each node, then (when open) the shown page of its children,
 * a "more" row if some are hidden, and a closing row. Row ids are index paths ("0/3/12"), stable
 * while the body stays the same. The work is proportional to the rows returned.
 */
export function flatten<T>(roots: readonly T[], a: TreeAdapter<T>, fold: FoldState): TreeRow<T>[] {
  const rows: TreeRow<T>[] = [];
  const stack: Frame<T>[] = [];
  const visit = (node: T, id: string, depth: number, last: boolean) => {
    const container = a.container(node);
    const open = container !== null && fold.isOpen(container);
    rows.push({ type: "node", id, depth, node, container, open, last });
    if (container !== null && open) {
      const total = a.count(container);
      const end = pageEnd(fold.shownOf(container), total);
      stack.push({ node, container, id, depth, next: 0, end, total, last });
    }
  };
  for (let r = 0; r < roots.length; r++) {
    visit(roots[r], String(r), 0, r === roots.length - 1);
    while (stack.length > 0) {
      const f = stack[stack.length - 1];
      if (f.next < f.end) {
        const i = f.next++;
        visit(a.child(f.container, i), `${f.id}/${i}`, f.depth + 1, i === f.total - 1);
        continue;
      }
      stack.pop();
      if (f.end < f.total) {
        rows.push({
          type: "more",
          id: `${f.id}/more`,
          depth: f.depth + 1,
          container: f.container,
          shown: f.end,
          total: f.total,
        });
      }
      rows.push({ type: "close", id: `${f.id}/close`, depth: f.depth, node: f.node, last: f.last });
    }
  }
  return rows;
}

export interface Plan {
  /** The containers to open. */
  open: Set<object>;
  /** The rows they make visible (roughly: each open container adds its shown children + 2). */
  rows: number;
  /** False when the budget ran out before every container within `maxDepth` was opened. */
  complete: boolean;
}

/**
 * Which containers to open, breadth first, so the top levels open before the deep ones: every
 * container shallower than `maxDepth`, until opening the next would make more than `budget` rows.
 * Only children within the shown page count (hidden ones stay closed until paged in).
 */
export function planOpen<T>(
  roots: readonly T[],
  a: TreeAdapter<T>,
  opts: { maxDepth: number; budget: number; shownOf?: (c: object) => number },
): Plan {
  const shownOf = opts.shownOf ?? (() => PAGE_SIZE);
  const open = new Set<object>();
  let rows = roots.length;
  const queue: Array<{ node: T; depth: number }> = roots.map((node) => ({ node, depth: 0 }));
  for (let head = 0; head < queue.length; head++) {
    const { node, depth } = queue[head];
    if (depth >= opts.maxDepth) continue;
    const c = a.container(node);
    if (c === null || open.has(c)) continue;
    const total = a.count(c);
    const end = pageEnd(shownOf(c), total);
    const cost = end + (end < total ? 2 : 1);
    if (rows + cost > opts.budget) return { open, rows, complete: false };
    open.add(c);
    rows += cost;
    for (let i = 0; i < end; i++) queue.push({ node: a.child(c, i), depth: depth + 1 });
  }
  return { open, rows, complete: true };
}

/** Replaces what is open with `plan`. */
export function applyPlan(fold: FoldState, plan: Plan): void {
  fold.open.clear();
  for (const c of plan.open) fold.open.add(c);
}
