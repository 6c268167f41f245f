// Keyboard moves in a list that is one tab stop (the roving tab index): the arrow keys, Home and
// End, and type-ahead (the first letters of a name).

/** Where a key moves the focus in a list of `n` items from `from`; `null` when it is not a move. */
export function listMove(n: number, from: number, key: string): number | null {
  if (n === 0) return null;
  switch (key) {
    case "ArrowDown":
    case "ArrowRight":
      return Math.min(from + 1, n - 1);
    case "ArrowUp":
    case "ArrowLeft":
      return Math.max(from - 1, 0);
    case "Home":
      return 0;
    case "End":
      return n - 1;
    default:
      return null;
  }
}

/**
 * The item whose name starts with `typed` (case and accents aside), looking from `from` on and
 * wrapping round; -1 when none does.
 */
export function typeAhead(names: readonly string[], from: number, typed: string): number {
  const fold = (s: string) =>
    s
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase();
  const want = fold(typed);
  if (want === "" || names.length === 0) return -1;
  for (let k = 0; k < names.length; k++) {
    const i = (((from + k) % names.length) + names.length) % names.length;
    if (fold(names[i]).startsWith(want)) return i;
  }
  return -1;
}

/**
 * Type-ahead as people use it: letters typed within `gapMs` of each other make one prefix; a
 * new prefix (or the same letter again) looks from the item after the current one, so pressing
 * "t" twice goes from Trello to the next name starting with T.
 */
export class TypeAhead {
  private typed = "";
  private at = -Infinity;
  constructor(private readonly gapMs = 700) {}

  /** The index to move to after `key` was pressed at `now` on item `from`; -1 none, null: not a letter. */
  press(names: readonly string[], from: number, key: string, now: number): number | null {
    if (key.length !== 1 || key.trim() === "") return null;
    const fresh = now - this.at > this.gapMs;
    this.typed = fresh ? key : this.typed + key;
    this.at = now;
    const repeat = this.typed.length > 1 && [...this.typed].every((c) => c === this.typed[0]);
    const prefix = repeat ? this.typed[0] : this.typed;
    const start = this.typed.length === 1 || repeat ? from + 1 : from;
    return typeAhead(names, start, prefix);
  }
}
