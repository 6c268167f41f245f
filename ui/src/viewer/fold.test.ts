import { describe, expect, it } from "vitest";

import {
  FoldState,
  PAGE_SIZE,
  applyPlan,
  flatten,
  nextShown,
  pageEnd,
  planOpen,
  type TreeAdapter,
} from "./fold";

// A toy tree: a node is a label and its children.
interface Toy {
  label: string;
  kids: Toy[];
}
const toy = (label: string, ...kids: Toy[]): Toy => ({ label, kids });
const adapter: TreeAdapter<Toy> = {
  container: (t) => (t.kids.length > 0 ? t : null),
  count: (c) => (c as Toy).kids.length,
  child: (c, i) => (c as Toy).kids[i],
};
// Counts every child lookup, to show closed subtrees are never visited.
function counting(): { a: TreeAdapter<Toy>; calls: () => number } {
  let n = 0;
  return {
    a: {
      ...adapter,
      child: (c, i) => {
        n++;
        return adapter.child(c, i);
      },
    },
    calls: () => n,
  };
}
const describeRows = (rows: ReturnType<typeof flatten<Toy>>) =>
  rows.map((r) =>
    r.type === "node"
      ? `${"  ".repeat(r.depth)}${r.node.label}${r.container ? (r.open ? " [open]" : " [closed]") : ""}${r.last ? "" : ","}`
      : r.type === "close"
        ? `${"  ".repeat(r.depth)}/${r.node.label}${r.last ? "" : ","}`
        : `${"  ".repeat(r.depth)}more ${r.shown}/${r.total}`,
  );

describe("paging", () => {
  it("adds a page at a time, never past the end", () => {
    expect(nextShown(100, 300)).toBe(200);
    expect(nextShown(200, 250)).toBe(250);
    expect(nextShown(0, 5, 2)).toBe(2);
    expect(pageEnd(100, 30)).toBe(30);
    expect(pageEnd(100, 300)).toBe(100);
    expect(pageEnd(-3, 10)).toBe(0);
  });
  it("FoldState pages one container at a time", () => {
    const fold = new FoldState();
    const c = {};
    expect(fold.shownOf(c)).toBe(PAGE_SIZE);
    fold.showMore(c, 250);
    expect(fold.shownOf(c)).toBe(200);
    fold.showMore(c, 250);
    fold.showMore(c, 250);
    expect(fold.shownOf(c)).toBe(250);
    expect(fold.shownOf({})).toBe(PAGE_SIZE);
  });
});

describe("flatten", () => {
  const tree = toy("root", toy("a", toy("a1"), toy("a2")), toy("b"), toy("c", toy("c1")));

  it("shows a closed root as one row and visits none of its children", () => {
    const { a, calls } = counting();
    const rows = flatten([tree], a, new FoldState());
    expect(describeRows(rows)).toEqual(["root [closed]"]);
    expect(calls()).toBe(0);
  });

  it("shows open containers' children between the container and its closing row", () => {
    const fold = new FoldState();
    fold.toggle(tree);
    fold.toggle(tree.kids[0]);
    expect(describeRows(flatten([tree], adapter, fold))).toEqual([
      "root [open]",
      "  a [open],",
      "    a1,",
      "    a2",
      "  /a,",
      "  b,",
      "  c [closed]",
      "/root",
    ]);
    fold.toggle(tree.kids[0]);
    expect(describeRows(flatten([tree], adapter, fold))).toEqual([
      "root [open]",
      "  a [closed],",
      "  b,",
      "  c [closed]",
      "/root",
    ]);
  });

  it("gives stable index-path ids", () => {
    const fold = new FoldState();
    fold.toggle(tree);
    fold.toggle(tree.kids[2]);
    expect(flatten([tree], adapter, fold).map((r) => r.id)).toEqual([
      "0",
      "0/0",
      "0/1",
      "0/2",
      "0/2/0",
      "0/2/close",
      "0/close",
    ]);
  });

  it("shows a page of a long container and a row for the rest, visiting only that page", () => {
    const big = toy("big", ...Array.from({ length: 1000 }, (_, i) => toy(`n${i}`)));
    const fold = new FoldState();
    fold.toggle(big);
    const { a, calls } = counting();
    let rows = flatten([big], a, fold);
    expect(rows).toHaveLength(1 + PAGE_SIZE + 2);
    expect(calls()).toBe(PAGE_SIZE);
    const more = rows[rows.length - 2];
    expect(more).toMatchObject({ type: "more", shown: PAGE_SIZE, total: 1000, depth: 1 });
    // The last shown item is not the last sibling: it keeps its comma.
    const lastShown = rows[PAGE_SIZE];
    expect(lastShown.type === "node" && lastShown.last).toBe(false);

    fold.showMore(big, 1000);
    rows = flatten([big], adapter, fold);
    expect(rows).toHaveLength(1 + 2 * PAGE_SIZE + 2);
    for (let i = 0; i < 8; i++) fold.showMore(big, 1000);
    rows = flatten([big], adapter, fold);
    expect(rows).toHaveLength(1 + 1000 + 1);
    expect(rows.some((r) => r.type === "more")).toBe(false);
  });

  it("walks 100,000 levels of nesting without overflowing the stack", () => {
    let deep = toy("leaf");
    const fold = new FoldState();
    for (let i = 0; i < 100_000; i++) {
      deep = toy(`d${i}`, deep);
      fold.toggle(deep);
    }
    const rows = flatten([deep], adapter, fold);
    expect(rows).toHaveLength(100_000 * 2 + 1);
    expect(rows[100_000]).toMatchObject({ type: "node", depth: 100_000 });
  });

  it("handles several roots (an XML document's comments and root)", () => {
    const rows = flatten([toy("c1"), toy("r", toy("x")), toy("c2")], adapter, new FoldState());
    expect(describeRows(rows)).toEqual(["c1,", "r [closed],", "c2"]);
  });
});

describe("planOpen", () => {
  const wide = (label: string, n: number, ...more: Toy[]) =>
    toy(label, ...Array.from({ length: n }, (_, i) => toy(`${label}.${i}`)), ...more);

  it("opens everything shallower than maxDepth", () => {
    const tree = toy("r", toy("a", toy("a1", toy("deep"))), toy("b", toy("b1")));
    const plan = planOpen([tree], adapter, { maxDepth: 2, budget: 1000 });
    expect(plan.complete).toBe(true);
    expect([...plan.open].map((t) => (t as Toy).label).sort()).toEqual(["a", "b", "r"]);
  });

  it("stops at the budget, top levels first, and says it stopped", () => {
    const tree = toy("r", wide("a", 50), wide("b", 50), wide("c", 50));
    const plan = planOpen([tree], adapter, { maxDepth: Infinity, budget: 120 });
    expect(plan.complete).toBe(false);
    expect([...plan.open].map((t) => (t as Toy).label)).toEqual(["r", "a", "b"]);
    expect(plan.rows).toBeLessThanOrEqual(120);
    const fold = new FoldState();
    applyPlan(fold, plan);
    expect(flatten([tree], adapter, fold).length).toBe(plan.rows);
  });

  it("counts only the shown page of a long container", () => {
    const tree = wide("r", 10_000);
    const plan = planOpen([tree], adapter, { maxDepth: Infinity, budget: 500 });
    expect(plan.complete).toBe(true);
    expect(plan.rows).toBe(1 + PAGE_SIZE + 2);
  });

  it("stays within its budget on a deep chain", () => {
    let deep = toy("leaf");
    for (let i = 0; i < 50_000; i++) deep = toy(`d${i}`, deep);
    const plan = planOpen([deep], adapter, { maxDepth: Infinity, budget: 3000 });
    expect(plan.complete).toBe(false);
    expect(plan.open.size).toBeLessThanOrEqual(1500);
  });

  it("applyPlan replaces what was open", () => {
    const fold = new FoldState();
    const stale = {};
    fold.toggle(stale);
    const tree = toy("r", toy("a"));
    applyPlan(fold, planOpen([tree], adapter, { maxDepth: 1, budget: 10 }));
    expect(fold.isOpen(stale)).toBe(false);
    expect(fold.isOpen(tree)).toBe(true);
  });
});
