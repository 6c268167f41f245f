// Dates and times as the user's locale writes them — the same text as `toLocaleString()`, from
// one formatter made once: WebKit builds a new one on every `toLocaleString()` call, which costs
// a frame when a page of the History draws a hundred rows.

const DATE_TIME = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "numeric",
  minute: "numeric",
  second: "numeric",
});

/** A moment (milliseconds since the epoch) as the locale writes a date and time. */
export function when(ms: number): string {
  return DATE_TIME.format(ms);
}
