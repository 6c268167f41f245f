// Small, pure helpers for the response viewer: sizes, durations, status words, cutting long
// text at a safe place, the content type's essence, and the tab keys. No DOM, no Svelte.

const UNITS = ["KB", "MB", "GB", "TB"] as const;

/**
 * A byte count in human units, 1024-based: "0 bytes", "1 byte", "512 bytes", "1.5 KB", "12 KB",
 * "10 MB". One decimal below 10 of a unit, whole numbers above. Nonsense input reads as 0.
 */
export function formatBytes(bytes: number): string {
  const n = Number.isFinite(bytes) && bytes > 0 ? Math.round(bytes) : 0;
  if (n < 1024) return n === 1 ? "1 byte" : `${n} bytes`;
  let value = n / 1024;
  let unit = 0;
  for (;;) {
    const shown = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
    if (shown < 1024 || unit === UNITS.length - 1) {
      return `${value < 10 ? trimZero(shown.toFixed(1)) : shown} ${UNITS[unit]}`;
    }
    value /= 1024;
    unit += 1;
  }
}

function trimZero(s: string): string {
  return s.endsWith(".0") ? s.slice(0, -2) : s;
}

/** How long a call took: "123 ms", "1.25 s", "2 min 5 s"; "" when unknown. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${trimZero2((ms / 1000).toFixed(2))} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

function trimZero2(s: string): string {
  return s.replace(/\.?0+$/, "");
}

/** A whole number with thousands separators, the same in every locale ("12,345"). */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** "1 key", "12 keys". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

const REASONS: Record<number, string> = {
  100: "Continue",
  101: "Switching Protocols",
  102: "Processing",
  103: "Early Hints",
  200: "OK",
  201: "Created",
  202: "Accepted",
  203: "Non-Authoritative Information",
  204: "No Content",
  205: "Reset Content",
  206: "Partial Content",
  207: "Multi-Status",
  208: "Already Reported",
  226: "IM Used",
  300: "Multiple Choices",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  305: "Use Proxy",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  407: "Proxy Authentication Required",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  411: "Length Required",
  412: "Precondition Failed",
  413: "Content Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  416: "Range Not Satisfiable",
  417: "Expectation Failed",
  418: "I'm a teapot",
  421: "Misdirected Request",
  422: "Unprocessable Content",
  423: "Locked",
  424: "Failed Dependency",
  425: "Too Early",
  426: "Upgrade Required",
  428: "Precondition Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  451: "Unavailable For Legal Reasons",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
  506: "Variant Also Negotiates",
  507: "Insufficient Storage",
  508: "Loop Detected",
  510: "Not Extended",
  511: "Network Authentication Required",
};

const CLASSES: Record<number, string> = {
  1: "Informational",
  2: "Success",
  3: "Redirection",
  4: "Client error",
  5: "Server error",
};

/**
 * The standard reason phrase of a status ("404" → "Not Found"); for a code without one, its
 * class ("499" → "Client error"); "" for a number that is no HTTP status.
 */
export function reasonPhrase(status: number): string {
  if (!Number.isInteger(status)) return "";
  return REASONS[status] ?? CLASSES[Math.floor(status / 100)] ?? "";
}

export type StatusTone = "info" | "ok" | "warn" | "bad";

/** The colour of a status: 2xx ok, 3xx warn, 4xx and 5xx bad, anything else muted. */
export function statusTone(status: number): StatusTone {
  if (status >= 200 && status < 300) return "ok";
  if (status >= 300 && status < 400) return "warn";
  if (status >= 400 && status < 600) return "bad";
  return "info";
}

/** The UTF-8 size of a string, without encoding it (lone surrogates count as U+FFFD: 3). */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4;
        i += 1;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** What a truncated response says about itself; null when the body is whole. */
export function truncationNotice(r: {
  body: string;
  body_bytes: number;
  truncated: boolean;
}): string | null {
  if (!r.truncated) return null;
  const have = utf8Length(r.body);
  return `Showing the first ${formatBytes(have)} of ${formatBytes(Math.max(r.body_bytes, have))}: the rest was not kept.`;
}

/** An index at most `at` that does not split a surrogate pair. */
export function safeCut(s: string, at: number): number {
  if (at <= 0) return 0;
  if (at >= s.length) return s.length;
  const c = s.charCodeAt(at - 1);
  return c >= 0xd800 && c <= 0xdbff ? at - 1 : at;
}

export interface Clipped {
  /** The text to show. */
  text: string;
  /** Whether `text` is only the beginning. */
  clipped: boolean;
  /** The whole length in UTF-16 units. */
  total: number;
}

/** The first `limit` characters of `s` (never half a surrogate pair), and whether it was cut. */
export function clipText(s: string, limit: number): Clipped {
  if (s.length <= limit) return { text: s, clipped: false, total: s.length };
  return { text: s.slice(0, safeCut(s, limit)), clipped: true, total: s.length };
}

/** The essence of a content type, lower case without parameters: "application/json". */
export function mediaType(contentType: string | null | undefined): string {
  if (!contentType) return "";
  const semi = contentType.indexOf(";");
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/**
 * Which tab a key moves to in a horizontal tab list (Left/Right wrap, Home, End); null for any
 * other key.
 */
export function tabTarget(current: number, count: number, key: string): number | null {
  if (count <= 0) return null;
  switch (key) {
    case "ArrowRight":
      return (current + 1) % count;
    case "ArrowLeft":
      return (current - 1 + count) % count;
    case "Home":
      return 0;
    case "End":
      return count - 1;
    default:
      return null;
  }
}
