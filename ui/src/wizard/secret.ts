// Secrets on screen: masked until the user reveals them.

/** What a secret field shows: dots of the same length (capped), or the value when revealed. */
export function masked(value: string | null, revealed: boolean): string {
  if (value === null || value === "") return "";
  if (value === "<redacted>") return "•".repeat(10);
  return revealed ? value : "•".repeat(Math.min(Math.max(value.length, 8), 24));
}

/** "40 characters", the safe fact about a secret. */
export function describeLength(n: number): string {
  return n === 1 ? "1 character" : `${n} characters`;
}

/** Whether a value is a stand-in the backend sends instead of a secret. */
export function isRedacted(value: string | null): boolean {
  return value === null || value === "<redacted>";
}
